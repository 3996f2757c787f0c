// Fills a new store through an older orgscim (its dist/main.js and bin/orgscim.js, in OLD): users
// with emails (one with a non-ASCII name), groups with members, an org role, a deleted user, an
// account with roles, an invitation. Only HTTP and the CLI: whatever that version's internals were.
import { execFileSync, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const usage = (): never => {
  process.stderr.write("usage: node dist-scripts/upgrade-fixture/seed.js OLD_CHECKOUT STORE.db\n");
  process.exit(2);
};
const OLD = process.argv[2] ?? usage();
const DB = process.argv[3] ?? usage();
// The bootstrap token the fixture's organization is created with; test/ops/upgrade.test.ts uses it.
const TOKEN = `osk_${"0f".repeat(16)}_upgrade-fixture-token-not-a-secret-0001`;

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const a = s.address();
    if (a === null || typeof a === "string") reject(new Error(`no TCP port: ${String(a)}`));
    else s.close(() => resolve(a.port));
  });
});

/** What the calls below read from an answer: a SCIM resource's id, a /v1 resource's sid. */
interface Created { id: string; sid: string }

async function main() {
  const port = await freePort();
  const env = { PATH: process.env.PATH, DATABASE_URL: `sqlite:${DB}`, PORT: String(port), HOST: "127.0.0.1", ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, ORGSCIM_BOOTSTRAP_ORG_NAME: "Upgrade Fixture", LOG_LEVEL: "warn", WRITES_SHED_LAG_MS: "0" };
  const server = spawn(process.execPath, [path.join(OLD, "dist", "main.js")], { cwd: OLD, env, stdio: "inherit" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 200) throw new Error("the old server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  const call = async (method: string, url: string, body?: unknown, json = false): Promise<Created> => {
    const r = await fetch(base + url, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": json ? "application/json" : "application/scim+json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : { id: "", sid: "" };
  };
  const cli = (...args: string[]): string => execFileSync(process.execPath, [path.join(OLD, "bin", "orgscim.js"), ...args], { cwd: OLD, env, encoding: "utf8" });
  // `orgs list` names an organization by `sid` in later versions and by `id` in earlier ones.
  const orgs: { sid?: string; id?: string }[] = JSON.parse(cli("orgs", "list"));
  const orgId = orgs[0]?.sid ?? orgs[0]?.id ?? "";
  cli("orgs", "settings", orgId, "--domain-enforcement", "off");
  const U = "urn:ietf:params:scim:schemas:core:2.0:User";
  const G = "urn:ietf:params:scim:schemas:core:2.0:Group";
  const users: Created[] = [];
  for (let i = 0; i < 12; i++) {
    const userName = i === 0 ? "Zoë.Ünïcode@fixture.test" : `user${i}@fixture.test`;
    users.push(await call("POST", "/scim/v2/Users", {
      schemas: [U], userName, externalId: `ext-${i}`, name: { givenName: `Given${i}`, familyName: `Family${i}` },
      emails: [{ value: userName, type: "work", primary: true }, { value: `alt${i}@fixture.test`, type: "home" }], active: i !== 5,
    }));
  }
  // A user without emails whose userName is an address: migration 29 gives it that address (docs/security.md case 85).
  users.push(await call("POST", "/scim/v2/Users", { schemas: [U], userName: "no.emails@fixture.test", externalId: "ext-12" }));
  const id = (i: number): string => users[i]?.id ?? "";
  await call("PATCH", `/scim/v2/Users/${id(1)}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User:orgRole", value: "administrator" }] });
  await call("DELETE", `/scim/v2/Users/${id(11)}`);
  const eng = await call("POST", "/scim/v2/Groups", { schemas: [G], displayName: "Engineering", members: users.slice(0, 6).map((u) => ({ value: u.id })) });
  await call("POST", "/scim/v2/Groups", { schemas: [G], displayName: "Support", members: users.slice(4, 9).map((u) => ({ value: u.id })) });
  await call("PATCH", `/scim/v2/Groups/${eng.id}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "remove", path: `members[value eq "${id(2)}"]` }] });
  const account = await call("POST", "/v1/Accounts", { friendly_name: "Production", owner_sid: id(0) }, true);
  await call("POST", "/v1/RoleAssignments", { account_sid: account.sid, user_sid: id(3), role: "developer" }, true);
  await call("POST", "/v1/Invitations", { email: "invitee@fixture.test", org_role: "standard" }, true);
  server.kill("SIGTERM");
  await new Promise((r) => server.on("exit", r));
  process.stdout.write(`seeded ${DB} through ${OLD}\n`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1) });
