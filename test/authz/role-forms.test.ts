/**
 * Every way SCIM lets a request write an org role (PATCH with a path, without one, in upper case,
 * as a one-element array, padded, beside another change; PUT; each alone and as a /Bulk
 * operation) answers as the canonical form does: refused (403, no change) to whoever the policy
 * refuses, applied for whoever it allows. The matrix drives one canonical request per door; this
 * is the attacker's spelling of the same door.
 */
import { effectiveOrgRole } from "../../src/domain/role-groups";
import { call, ORG_EXT, startTestServer, type Reply, type TestServer } from "../helpers/server";
import { patchOp, people, type People } from "./people";

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

/** The PATCH bodies that set orgRole to `v`, each a different spelling. */
const FORMS: [string, (v: string) => Record<string, unknown>][] = [
  ["path", (v) => patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: v })],
  ["path and value in upper case", (v) => patchOp({ op: "replace", path: `${ORG_EXT.toUpperCase()}:ORGROLE`, value: v.toUpperCase() })],
  ["no path, the extension as value", (v) => patchOp({ op: "replace", value: { [ORG_EXT]: { orgRole: v } } })],
  ["no path, the full attribute name as key", (v) => patchOp({ op: "replace", value: { [`${ORG_EXT}:orgRole`]: v } })],
  ["add with a path", (v) => patchOp({ op: "add", path: `${ORG_EXT}:orgRole`, value: v })],
  ["add without a path, padded", (v) => patchOp({ op: "add", value: { [ORG_EXT]: { orgRole: ` ${v} ` } } })],
  ["the extension as path", (v) => patchOp({ op: "replace", path: ORG_EXT, value: { orgRole: v } })],
  ["a one-element array", (v) => patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: [v] })],
  ["beside a profile change", (v) => patchOp({ op: "replace", path: "displayName", value: "Renamed" }, { op: "replace", path: `${ORG_EXT}:orgRole`, value: v })],
];

async function roleOf(p: People, id: string): Promise<string> {
  const u = (await s.running.store.users.get(p.orgId, id))!;
  return effectiveOrgRole(u.orgRole, await s.running.store.groups.groupsOfUser(p.orgId, id));
}

/** The answer's status: the single operation's in a /Bulk response. */
async function send(token: string, id: string, body: Record<string, unknown>, bulk: boolean): Promise<{ status: number; detail: string }> {
  const r: Reply = bulk
    ? await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: [{ method: "PATCH", path: `/Users/${id}`, data: body }] })
    : await call("PATCH", `${s.scim}/Users/${id}`, token, body);
  if (!bulk) return { status: r.status, detail: String(r.body?.detail ?? "") };
  const op = r.body.Operations[0];
  return { status: Number(op.status), detail: String(op.response?.detail ?? "") };
}

describe.each([["alone"], ["in /Bulk"]] as const)("every spelling of an org role change, %s", (how) => {
  const bulk = how === "in /Bulk";

  it("is refused to whoever the policy refuses, and changes nothing", async () => {
    const p = await people(s);
    const std = await p.tokenFor(p.std, ["scim", "admin"]);
    const stdScim = await p.tokenFor(p.std, ["scim"]);
    const idp = await p.serviceToken(["scim"]);
    const admin = await p.tokenFor(p.admin, ["scim", "admin"]);
    const cases: [string, string, string, string, string][] = [
      ["a Standard User", std, p.std, "administrator", "standard"],
      ["a Standard User (scim scope)", stdScim, p.std, "administrator", "standard"],
      ["a Standard User", std, p.std, "owner", "standard"],
      ["an identity provider", idp, p.std, "administrator", "standard"],
      ["an identity provider", idp, p.admin, "standard", "administrator"],
      ["an Administrator", admin, p.admin, "owner", "administrator"],
    ];
    const wrong: string[] = [];
    for (const [who, token, target, to, was] of cases) {
      for (const [form, body] of FORMS) {
        const r = await send(token, target, body(to), bulk);
        if (r.status !== 403 || !/^Not allowed: /.test(r.detail)) wrong.push(`${who} → ${to} (${form}): ${r.status} ${r.detail.slice(0, 100)}`);
        if ((await roleOf(p, target)) !== was) wrong.push(`${who} → ${to} (${form}): the role changed`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("is applied for whoever the policy allows (the spellings are real)", async () => {
    const p = await people(s);
    const admin = await p.tokenFor(p.admin, ["scim", "admin"]);
    const wrong: string[] = [];
    for (const [form, body] of FORMS) {
      const target = await p.mkUser("promoted");
      const r = await send(admin, target, body("administrator"), bulk);
      if (r.status < 200 || r.status > 299) wrong.push(`${form}: ${r.status} ${r.detail.slice(0, 100)}`);
      else if ((await roleOf(p, target)) !== "administrator") wrong.push(`${form}: answered ${r.status}, role not changed`);
    }
    expect(wrong).toEqual([]);
  });
});
