// Where a member PATCH's CPU goes below HTTP (issue 18: PATCH one member), in one process: modifyGroup
// (the use case PATCH /Groups calls) on the product's own store (dist/: openStore, with events capture
// and group commit as the server runs them), removing then adding back one member of a 10-member group,
// the CPU of the whole process per call (process.cpuUsage: all its threads, so the WAL fsync in libuv's
// pool, the checkpoint worker and GC count), for:
//   - 1 caller (every call a commit and an fsync of its own) and 10 callers at once (group commits shared),
//   - DURABILITY full (the WAL fsynced before a call resolves) and normal (nothing fsynced),
//   - the same with the group.update audit event not appended (a measurement only, the store wrapped
//     here: what the audit insert, its table and its indexes cost, in the statement and in the COMMIT).
// Each configuration runs on a fresh copy of one store; rounds alternate them; medians are printed.
// --counts: instead of the CPU, what the store's write path makes per call, exactly: promises (an
// async_hooks PROMISE counter, on only while the calls run; it slows them, so no CPU is printed) and
// stat calls (file identity checks, src/store/sqlite/file-identity.ts).
//   npm run build && node bench/member-patch-cost.mjs [--users 2000] [--calls 4000] [--rounds 3] [--counts]
import fs, { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createHook } from "node:async_hooks";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const dist = (p) => require(join(process.cwd(), "dist", p));
const { openStore } = dist("store/open.js");
const { createOrganization } = dist("domain/orgs.js");
const { operatorActor } = dist("domain/actor.js");
const { systemClock } = dist("domain/clock.js");
const { newId } = dist("domain/ids.js");
const { modifyGroup } = dist("domain/groups.js");

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const USERS = arg("users", 2000);
const CALLS = arg("calls", 4000);
const ROUNDS = arg("rounds", 3);
const COUNTS = process.argv.includes("--counts");
// fs.statSync counted (the store calls it through the module object, so this sees every call).
let stats = 0;
const statSync = fs.statSync;
fs.statSync = (...a) => { stats++; return statSync(...a); };
let promises = 0;
const promiseCounter = createHook({ init(_id, type) { if (type === "PROMISE") promises++; } });
const dir = mkdtempSync(join(tmpdir(), "orgscim-member-patch-cost-"));
const T = "2026-01-01T00:00:00.000Z";

try {
  // The template store: an organization, USERS users, a 10-member group.
  const template = join(dir, "template.db");
  const setup = await openStore(`sqlite:${template}`, { durability: "normal" });
  const org = await createOrganization(setup, systemClock, { name: "Cost", settings: { domainEnforcement: false } });
  const user = (i) => ({ id: newId("US"), orgId: org.id, userName: `u${i}@cost.test`, externalId: null, displayName: `User ${i}`, active: true, status: "managed", orgRole: "standard",
    twoFactorRequired: false, passwordResetRequired: false, emails: [{ value: `u${i}@cost.test`, type: "work", primary: true }], data: { userName: `u${i}@cost.test` }, version: 1, created: T, lastModified: T });
  const users = Array.from({ length: USERS }, (_, i) => user(i));
  await setup.transaction(async (tx) => { for (const u of users) await tx.users.insert(u); });
  const groupId = newId("GP");
  await setup.groups.insert({ id: groupId, orgId: org.id, displayName: "Small", externalId: null, builtin: false, binding: null, data: { displayName: "Small" }, version: 1, created: T, lastModified: T });
  const members = users.slice(0, 10).map((u) => u.id);
  await setup.groups.addMembers(org.id, groupId, members, T);
  await setup.close();
  const actor = operatorActor(org, "member-patch-cost");

  /** The store with group.update audit events not appended (what they cost, measured by their absence). */
  const withoutAudit = (store) => ({
    ...store,
    transaction: (fn) => store.transaction((tx) => fn({ ...tx, audit: { ...tx.audit, append: async (e) => (e.action === "group.update" ? undefined : tx.audit.append(e)) } })),
  });

  const CONFIGS = [];
  for (const callers of [1, 10]) for (const durability of ["full", "normal"]) for (const audit of [true, false]) CONFIGS.push({ callers, durability, audit });
  const name = (c) => `${String(c.callers).padStart(2)} caller${c.callers > 1 ? "s" : " "}, DURABILITY=${c.durability.padEnd(6)}, ${(c.audit ? "as shipped" : "no group.update audit event").padEnd(27)}`;

  /** µs of CPU per modifyGroup call, and calls a second, on a fresh copy of the template. */
  async function measure(c, round) {
    const path = join(dir, `r${round}.db`);
    copyFileSync(template, path);
    const opened = await openStore(`sqlite:${path}`, { durability: c.durability });
    const deps = { store: c.audit ? opened : withoutAudit(opened), clock: systemClock };
    try {
      let next = 0;
      // Each caller removes and adds back its own member: every call a change.
      const run = (n) => Promise.all(Array.from({ length: c.callers }, async (_, k) => {
        for (let j = k; next < n; j += c.callers) {
          const id = members[j % members.length];
          next += 2;
          await modifyGroup(deps, actor, groupId, undefined, null, [{ kind: "remove", ids: [id] }]);
          await modifyGroup(deps, actor, groupId, undefined, null, [{ kind: "add", ids: [id] }]);
        }
      }));
      await run(400); // warm-up: JIT, prepared statements
      next = 0;
      stats = 0;
      promises = 0;
      if (COUNTS) promiseCounter.enable();
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      await run(CALLS);
      const used = process.cpuUsage(cpu);
      promiseCounter.disable();
      return { us: (used.user + used.system) / next, perSecond: next / ((performance.now() - t0) / 1000), promises: promises / next, stats: stats / next };
    } finally {
      await opened.close();
      for (const f of ["", "-wal", "-shm"]) rmSync(`${path}${f}`, { force: true });
    }
  }

  const results = CONFIGS.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, c] of CONFIGS.entries()) results[i].push(await measure(c, r));
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`modifyGroup, one member removed or added back (10-member group, ${USERS} users), ${COUNTS ? "promises and stat calls" : "CPU of the process"} per call, median of ${ROUNDS} rounds of ${CALLS} calls:`);
  for (const [i, c] of CONFIGS.entries()) {
    const m = (key) => median(results[i].map((x) => x[key]));
    if (COUNTS) console.log(`  ${name(c)}  ${m("promises").toFixed(1).padStart(6)} promises  ${m("stats").toFixed(2).padStart(5)} stat calls`);
    else console.log(`  ${name(c)}  ${m("us").toFixed(1).padStart(7)} µs  ${m("perSecond").toFixed(0).padStart(6)}/s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
