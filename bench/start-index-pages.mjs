// Deep startIndex pages of 100 users, A/B between built trees in one process: both trees' dist/ open
// one SQLite file of --users bench-shaped users (bench/bench-user.mjs, written by tree A's own code,
// each in the built-in Standard User group), and each tree's users.listStored (the page GET /Users
// reads) is asked: the first deep page of a fresh store (startIndex 60% in), Okta's walk (startIndex
// 1, 101, 201, ... to the end: CPU a page), then the bench's 100 deep positions (bench/dataset.ts
// deepSeqs) in rounds alternating the trees (median CPU a page). This process's CPU (user + system).
//   npm run build && node bench/start-index-pages.mjs <dirA> <dirB> [--users 100000] [--rounds 7]
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchUser } from "./bench-user.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const given = process.argv.slice(2, 4);
if (given.length !== 2 || given.some((t) => t.startsWith("--"))) throw new Error("usage: node bench/start-index-pages.mjs <dirA> <dirB> [--users N] [--rounds N]");
const TREES = given.map((t) => resolve(t));
const USERS = Number(arg("users", 100000));
const ROUNDS = Number(arg("rounds", 7));
const PER_ROUND = 40;
const mods = TREES.map((tree) => {
  const load = createRequire(join(tree, "dist", "main.js"));
  return { open: load("./store/open"), orgs: load("./domain/orgs"), ids: load("./domain/ids"), roleGroups: load("./domain/role-groups"),
    clock: load("./domain/clock"), coerce: load("./scim/coerce"), userResource: load("./scim/user-resource"), resourceTypes: load("./scim/resource-types") };
});
const cpu = async (f) => { const c0 = process.cpuUsage(); await f(); const c = process.cpuUsage(c0); return c.user + c.system; };

const dir = mkdtempSync(join(tmpdir(), "orgscim-start-index-"));
const url = `sqlite:${join(dir, "s.db")}`;
try {
  const a = mods[0];
  const seed = await a.open.openStore(url);
  const now = a.clock.isoNow(a.clock.systemClock);
  const org = await a.orgs.createOrganization(seed, a.clock.systemClock, { name: "Start index", settings: { domainEnforcement: false } });
  const standard = a.roleGroups.orgRoleGroupId(org.id, "standard");
  for (let from = 0; from < USERS; from += 5000) {
    const batch = [];
    for (let i = from; i < Math.min(USERS, from + 5000); i++) {
      const data = a.userResource.toUserInput(a.coerce.coerceBody(benchUser(i), a.resourceTypes.USERS.schema, "compatible")).data;
      batch.push({ id: a.ids.newId("US"), orgId: org.id, userName: data.userName, externalId: data.externalId, displayName: data.displayName, active: true,
        status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false, emails: data.emails, data, version: 1, created: now, lastModified: now });
    }
    await seed.transaction(async (tx) => {
      for (const u of batch) await tx.users.insert(u);
      await tx.groups.addMembers(org.id, standard, batch.map((u) => u.id));
    });
  }
  await seed.close();
  const stores = [];
  for (const m of mods) stores.push(await m.open.openStore(url));
  // The page GET /Users reads without attributes (a tree before issue 18's copied attributes: users.list).
  const page = (t, startIndex) => (stores[t].users.listStored ?? stores[t].users.list).call(stores[t].users, org.id, { startIndex, count: 100 });
  const deepSeqs = Array.from({ length: 100 }, (_, k) => Math.floor(USERS * (0.5 + 0.49 * (k / 100))));
  console.log(`CPU µs per startIndex page of 100 (${USERS} users; load ${loadavg().map((l) => l.toFixed(2)).join(" ")})`);
  console.log(["".padEnd(44), ...TREES.map((t) => t.slice(-24).padStart(26))].join(""));
  const first = [];
  for (const t of [0, 1]) first.push(await cpu(() => page(t, Math.floor(USERS * 0.6) + 1)));
  console.log(["first deep page of a fresh store (one page)".padEnd(44), ...first.map((x) => `${x.toFixed(0)} µs`.padStart(26))].join(""));
  const walk = [];
  for (const t of [0, 1]) {
    let pages = 0;
    walk.push(await cpu(async () => { for (let i = 1; i <= USERS; i += 100) { await page(t, i); pages++; } }) / pages);
  }
  console.log(["Okta's walk: startIndex 1, 101, ... (a page)".padEnd(44), ...walk.map((x) => `${x.toFixed(0)} µs`.padStart(26))].join(""));
  const rounds = [[], []];
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of [0, 1]) rounds[t].push(await cpu(async () => { for (let k = 0; k < PER_ROUND; k++) await page(t, deepSeqs[((r * PER_ROUND + k) * 37) % 100] + 1); }) / PER_ROUND);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(["the bench's 100 deep positions (median)".padEnd(44), ...rounds.map((xs) => `${median(xs).toFixed(0)} µs`.padStart(26))].join(""));
  for (const s of stores) await s.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
