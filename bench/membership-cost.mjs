// What adding and removing one member costs in a group of 100,000 members and in one of 10
// (issue 16: "membership add/remove through PATCH /Groups and /GroupMembers costs the same at
// 100,000 members as at 10"). Runs the domain use cases the routes call (modifyGroup for PATCH,
// createMembership/deleteMembership for /GroupMembers) on a real SQLite store, alternating the
// two groups so that machine noise falls on both alike. Needs `npm run build`.
// Usage: node bench/membership-cost.mjs [members=100000] [rounds=200]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const dist = (p) => require(join(process.cwd(), "dist", p));
const { openSqliteStore } = dist("store/sqlite/store.js");
const { createOrganization } = dist("domain/orgs.js");
const { operatorActor } = dist("domain/actor.js");
const { systemClock } = dist("domain/clock.js");
const { newId } = dist("domain/ids.js");
const { modifyGroup } = dist("domain/groups.js");
const { createMembership, deleteMembership } = dist("domain/group-members.js");

const MEMBERS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 200);
const dir = mkdtempSync(join(tmpdir(), "orgscim-membership-cost-"));
const store = openSqliteStore({ path: join(dir, "cost.db"), durability: "normal" });
const deps = { store, clock: systemClock };
const T = "2026-01-01T00:00:00.000Z";

try {
  const org = await createOrganization(store, systemClock, { name: "Cost", settings: { domainEnforcement: false } });
  const actor = operatorActor(org, "membership-cost");
  const user = (i) => ({ id: newId("US"), orgId: org.id, userName: `u${i}@cost.test`, externalId: null, displayName: null, active: true, status: "managed", orgRole: "standard",
    twoFactorRequired: false, passwordResetRequired: false, emails: [{ value: `u${i}@cost.test`, type: "work", primary: true }], data: { userName: `u${i}@cost.test` }, version: 1, created: T, lastModified: T });
  const group = (name) => ({ id: newId("GP"), orgId: org.id, displayName: name, externalId: null, builtin: false, binding: null, data: { displayName: name }, version: 1, created: T, lastModified: T });
  const ids = [];
  for (let i = 0; i < MEMBERS + 2; i += 5000) {
    const chunk = Array.from({ length: Math.min(5000, MEMBERS + 2 - i) }, (_, k) => user(i + k));
    await store.transaction(async (tx) => { for (const u of chunk) await tx.users.insert(u); });
    ids.push(...chunk.map((u) => u.id));
  }
  const big = group("Big"); const small = group("Small");
  await store.groups.insert(big); await store.groups.insert(small);
  const members = ids.slice(0, MEMBERS);
  for (let i = 0; i < members.length; i += 10_000) await store.groups.addMembers(org.id, big.id, members.slice(i, i + 10_000), T);
  await store.groups.addMembers(org.id, small.id, members.slice(0, 10), T);
  const joiner = ids[MEMBERS];
  console.log(`groups: ${await store.groups.countMembers(org.id, big.id)} and ${await store.groups.countMembers(org.id, small.id)} members`);

  const time = async (fn) => { const t = performance.now(); await fn(); return performance.now() - t; };
  const ways = {
    "PATCH add + remove": async (g) => {
      await modifyGroup(deps, actor, g, undefined, null, [{ kind: "add", ids: [joiner] }]);
      await modifyGroup(deps, actor, g, undefined, null, [{ kind: "remove", ids: [joiner] }]);
    },
    "POST + DELETE /GroupMembers": async (g) => {
      const m = await createMembership(deps, actor, g, joiner);
      await deleteMembership(deps, actor, m.id);
    },
  };
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  for (const [name, fn] of Object.entries(ways)) {
    for (let w = 0; w < 20; w++) { await fn(big.id); await fn(small.id); } // warm
    const out = { big: [], small: [] };
    for (let r = 0; r < ROUNDS; r++) {
      out.big.push(await time(() => fn(big.id)));
      out.small.push(await time(() => fn(small.id)));
    }
    const f = (xs) => `median ${q(xs, 0.5).toFixed(3)} ms, p90 ${q(xs, 0.9).toFixed(3)} ms`;
    console.log(`${name} (one add and one remove), ${ROUNDS} rounds each, alternating: ${MEMBERS} members ${f(out.big)}; 10 members ${f(out.small)}; median ratio ${(q(out.big, 0.5) / q(out.small, 0.5)).toFixed(2)}`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
