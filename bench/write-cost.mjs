// What one write costs the SQLite store, counted rather than timed: the statements the server runs
// per request (each prepared statement's run/get/all and each exec, SAVEPOINT/RELEASE/COMMIT
// included) and the WAL frames (pages) its commit appends, for POST /Users, PATCH of one group
// member (remove then add back, as bench/scenarios.ts groups.member.small/big), PATCH active false
// (a deactivation, then the same PATCH of an inactive user) and PUT /Users/{id}. Requests are sent
// one at a time, so each commit holds one request (the most a write can cost: a group commit
// shares the pages its members touch), or --connections N at a time (pages then fall with the
// requests a commit holds: the commits are counted). The counts come from bench/write-cost-hook.cjs, loaded into
// the built server (dist/main.js, DURABILITY=full, group commit on).
//   npm run build && node bench/write-cost.mjs [--tree DIR] [--users 2000] [--requests 200] [--connections 1] [--list]
// --list prints each kind's statements by SQL text with their count per request, its WAL pages
// by the table or index that holds each page, and how many distinct pages they were (a checkpoint
// copies each page once however many commits wrote it: --requests sets the window, e.g. the
// requests between two of the checkpoint worker's passes, 250 ms apart).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREE = resolve(String(arg("tree", join(fileURLToPath(import.meta.url), "..", ".."))));
const USERS = Number(arg("users", 2000));
const REQUESTS = Number(arg("requests", 200));
const LIST = process.argv.includes("--list");
const CONNECTIONS = Number(arg("connections", 1));
const TOKEN = `osk_${"cd".repeat(16)}_${"W".repeat(43)}`;
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const dir = mkdtempSync(join(tmpdir(), "orgscim-writecost-"));
const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", WRITES_SHED_LAG_MS: "0", OVERLOAD_QUEUE_DEPTH: "0", DATABASE_URL: `sqlite:${join(dir, "w.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN };
const hook = fileURLToPath(new URL("./write-cost-hook.cjs", import.meta.url));
const child = spawn(process.execPath, ["--require", hook, join(TREE, "dist", "main.js")], { env: { ...env, LOG_LEVEL: "info", WRITE_COST_TREE: TREE, ...(LIST ? { WRITE_COST_PAGES: "1" } : {}) }, stdio: ["ignore", "pipe", "inherit", "ipc"] });
let head = "";
const url = await new Promise((ok, fail) => {
  const onData = (d) => { head += d; const m = /"url":"(http:[^"]+)"/.exec(head); if (m) { child.stdout.off("data", onData); child.stdout.resume(); ok(m[1]); } };
  child.stdout.on("data", onData);
  child.once("exit", (code) => fail(new Error(`server exited ${code}`)));
});
const cli = (args) => execFileSync(process.execPath, [join(TREE, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
cli(["orgs", "settings", JSON.parse(cli(["orgs", "list"]))[0].sid, "--domain-enforcement", "off"]);

async function send(method, path, body) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}
const snap = () => new Promise((ok) => { child.once("message", ok); child.send("snap"); });

try {
  const ids = [];
  for (let from = 0; from < USERS; from += 1000) {
    const Operations = Array.from({ length: Math.min(1000, USERS - from) }, (_, k) => {
      const i = from + k;
      return { method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER], userName: `cost.user${i}@example.com`, externalId: `cost-ext-${i}`, displayName: `Cost User ${i}`, name: { givenName: `G${i}`, familyName: `F${i}` }, emails: [{ value: `cost.mail${i}@example.com`, primary: true, type: "work" }] } };
    });
    const r = await send("POST", "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations });
    for (const o of r.Operations) ids.push(o.location.split("/").pop());
  }
  const group = async (name, members) => {
    const id = (await send("POST", "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: name })).id;
    for (let from = 0; from < members.length; from += 1000) {
      await send("PATCH", `/scim/v2/Groups/${id}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: members.slice(from, from + 1000).map((value) => ({ value })) }] });
    }
    return id;
  };
  const small = await group("cost small", ids.slice(0, 10));
  const big = await group("cost big", ids);
  const member = (g, pool) => async (i) => {
    const id = pool[(i * 7919) % pool.length];
    await send("PATCH", `/scim/v2/Groups/${g}`, { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${id}"]` }] });
    await send("PATCH", `/scim/v2/Groups/${g}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] });
  };
  let deactivated = 0;
  const kinds = [
    ["POST /Users", 1, async (i) => { await send("POST", "/scim/v2/Users", { schemas: [USER], userName: `cost.new${i}@example.com`, externalId: `cost-new-${i}`, emails: [{ value: `cost.newmail${i}@example.com`, primary: true, type: "work" }] }); }],
    ["PATCH member, 10-member group", 2, member(small, ids.slice(0, 10))],
    ["PATCH member, all-user group", 2, member(big, ids)],
    // As bench/scenarios.ts users.patch.active: a user still active is deactivated; the same PATCH
    // again (the scenario's pool of users wraps around) finds the user inactive already.
    ["PATCH active false (deactivates)", 1, async () => { await send("PATCH", `/scim/v2/Users/${ids[deactivated++ % ids.length]}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] }); }],
    ["PATCH active false (inactive)", 1, async (i) => { await send("PATCH", `/scim/v2/Users/${ids[i % ids.length]}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] }); }],
    ["PUT /Users/{id}", 1, async (i) => { const k = (i * 7919) % ids.length; await send("PUT", `/scim/v2/Users/${ids[k]}`, { schemas: [USER], userName: `cost.user${k}@example.com`, externalId: `cost-ext-${k}`, displayName: `Cost User ${k} ${i}`, name: { givenName: `G${k}`, familyName: `F${k}` }, emails: [{ value: `cost.mail${k}@example.com`, primary: true, type: "work" }] }); }],
  ];
  console.log(`SQLite work per request, ${CONNECTIONS === 1 ? "one request a commit" : `${CONNECTIONS} connections`} (${USERS} users, ${REQUESTS} requests a kind; ${TREE})`);
  console.log(`${"request".padEnd(32)}${"statements".padStart(11)}${"WAL pages".padStart(11)}`);
  for (const [name, per, run] of kinds) {
    for (let i = 0; i < 20; i++) await run(1_000_000 + i); // warm-up: statements prepared, caches filled
    await snap();
    let next = 0;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => { while (next < REQUESTS) await run(next++); }));
    const s = await snap();
    const n = REQUESTS * per;
    const total = s.statements.reduce((a, [, c]) => a + c, 0);
    console.log(`${name.padEnd(32)}${(total / n).toFixed(1).padStart(11)}${(s.frames / n).toFixed(1).padStart(11)}   (${s.commits} commits)`);
    if (LIST) for (const [sql, c] of s.statements.sort((a, b) => b[1] - a[1])) console.log(`    ${(c / n).toFixed(2).padStart(6)}  ${sql.replace(/\s+/g, " ").slice(0, 150)}`);
    if (LIST) console.log(`  WAL pages by the table or index holding them: ${s.pages.map(([name, c]) => `${name} ${(c / n).toFixed(2)}`).join(", ")}`);
    if (LIST) console.log(`  distinct pages among them: ${s.distinct} (${(s.distinct / n).toFixed(2)} a request): what a checkpoint covering these ${n} requests copies back into the database file`);
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
