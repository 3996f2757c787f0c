/**
 * GET /v1/Me attacked for its verdicts on the targets the console asks about most: the viewer
 * themself, the Owner, and a user of another organization. Each verdict Me gives is checked against
 * what the server then answers to the same token through /v1: "allowed" must never meet a refusal,
 * and a refusal never a success. Real HTTP, real SQLite store, user-bound tokens of the Owner, an
 * Administrator and a Standard User.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(60_000);

let s: TestServer;
let orgId = "";
let operator = "";
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
let foreign = "";

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: false });
  orgId = o.org.id;
  operator = o.token;
  for (const [who, orgRole] of [["owner2", "standard"], ["admin", "administrator"], ["std", "standard"], ["admin2", "administrator"], ["std2", "standard"]] as const) {
    const r = await call("POST", `${s.scim}/Users`, operator, userBody(`${who}@acme.test`, { [ORG_EXT]: { orgRole } }));
    ids[who] = r.body.id;
  }
  expect((await v1("POST", `${s.url}/v1/Users/${ids.owner2}`, operator, { org_role: "owner" })).status).toBe(200);
  for (const who of ["owner2", "admin", "std"]) tokens[who] = (await issueToken(s.running.store, systemClock, { orgId, name: who, scopes: ["admin"], userId: ids[who] })).plaintext;
  const other = await s.newOrg({ domainEnforcement: false });
  foreign = (await call("POST", `${s.scim}/Users`, other.token, userBody("foreign@other.test"))).body.id;
});
afterAll(() => s.close());

/** A /v1 write door per action, and what a refusal of it looks like. */
const DOORS: Record<string, (sid: string) => [string, string, unknown]> = {
  "user.remove": (sid) => ["POST", `/v1/Users/${sid}/Remove`, { acknowledge: true }],
  "user.delete": (sid) => ["POST", `/v1/Users/${sid}/Delete`, { acknowledge: true }],
  "user.update": (sid) => ["POST", `/v1/Users/${sid}`, { two_factor_required: true }],
  "user.password_reset": (sid) => ["POST", `/v1/Users/${sid}/PasswordReset`, {}],
};

describe("GET /v1/Me's verdict on a kind of user, against the server's answer", () => {
  it.each(["owner2", "admin", "std"])("holds for %s on themself and on the Owner", async (who) => {
    const me = await v1("GET", `${s.url}/v1/Me`, tokens[who]!);
    expect(me.status).toBe(200);
    const seen: string[] = [];
    for (const [action, door] of Object.entries(DOORS)) {
      for (const [kind, sid] of [["self", ids[who]!], ["owner", ids.owner2!]] as const) {
        if (kind === "owner" && who === "owner2") continue;
        const a = me.body.actions[action] as { allowed_targets: string[]; ruled_out: { target: string; rule: string }[] };
        const allowed = a.allowed_targets.includes(kind) && !a.ruled_out.some((r) => r.target === kind);
        const [method, path, body] = door(sid);
        const r = await v1(method, `${s.url}${path}`, tokens[who]!, body);
        const ok = r.status >= 200 && r.status < 300;
        if (allowed !== ok) seen.push(`${who} ${action} on ${kind}: Me says ${allowed ? "allowed" : "refused"}, server ${r.status} ${String(r.body?.message ?? r.body?.detail ?? "").slice(0, 80)}`);
      }
    }
    expect(seen).toEqual([]);
  });

  it("names the invariant that rules the Owner's own deactivation out, as the Owner's SCIM PATCH is answered", async () => {
    const me = await v1("GET", `${s.url}/v1/Me`, tokens.owner2!);
    const ruled = (me.body.actions["user.deactivate"].ruled_out as { target: string; rule: string }[]).map((r) => r.target).sort();
    expect(ruled).toEqual(["owner", "self"]);
    const r = await call("PATCH", `${s.scim}/Users/${ids.owner2}`, tokens.owner2!, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] });
    expect(r.status).toBe(400);
    // An Administrator's own deactivation is no invariant's: nothing ruled out on themself.
    const admin = await v1("GET", `${s.url}/v1/Me`, tokens.admin!);
    expect(admin.body.actions["user.deactivate"].ruled_out).toEqual([]);
  });

  it("says nothing of another organization's user: it is refused as nothing (404)", async () => {
    const r = await v1("POST", `${s.url}/v1/Users/${foreign}`, tokens.admin!, { two_factor_required: true });
    expect(r.status).toBe(404);
  });
});
