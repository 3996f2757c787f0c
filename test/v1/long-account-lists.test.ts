/**
 * An account's users and its role assignments are read whole, however many: a role held by more
 * than 1,000 users is paged through to its last holder (the use cases read at most 1,000 members
 * per role group before, and the rest vanished from both lists without a word), and a page reads
 * only its own users' records. Real server, users made over SCIM /Bulk.
 */
import { accountRoleGroupId } from "../../src/domain/account-roles";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

const MEMBERS = 1_005;
let s: TestServer;
let token: string;
let account: string;
let ids: string[];

beforeAll(async () => {
  s = await startTestServer({ SCIM_BULK_MAX_OPERATIONS: "2000", SCIM_BULK_MAX_PAYLOAD: "10mb" });
  const o = await s.newOrg({ domainEnforcement: false });
  token = o.token;
  const Operations = Array.from({ length: MEMBERS }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: userBody(`dev${i}@acme.test`) }));
  const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations });
  expect(r.status).toBe(200);
  ids = (r.body.Operations as { status: string; location: string }[]).map((op) => op.location.split("/").pop()!);
  expect(ids).toHaveLength(MEMBERS);
  account = (await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Big", owner_sid: ids[0] })).body.sid as string;
  await s.running.store.groups.addMembers(o.org.id, accountRoleGroupId(account, "developer"), ids);
}, 120_000);
afterAll(() => s.close());

/** Every item of a /v1 list, page after page (PageSize 100). */
async function walk(path: string, key: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let next: string | null = `${s.url}/v1${path}${path.includes("?") ? "&" : "?"}PageSize=100`;
  while (next) {
    const r = await v1("GET", next, token);
    expect(r.status).toBe(200);
    out.push(...(r.body[key] as Record<string, unknown>[]));
    next = r.body.meta.next_page_url as string | null;
  }
  return out;
}

describe("lists of an account with a role held by more than 1,000 users", () => {
  it("GET /v1/Accounts/{sid}/Users pages through every holder, once each, in sid order", async () => {
    const users = await walk(`/Accounts/${account}/Users`, "users");
    const sids = users.map((u) => u.user_sid as string);
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids).toEqual([...ids].sort());
    expect(users.every((u) => JSON.stringify(u.roles) === JSON.stringify(["developer"]))).toBe(true);
  }, 60_000);

  it("GET /v1/RoleAssignments?AccountSid= pages through every assignment", async () => {
    const assignments = await walk(`/RoleAssignments?AccountSid=${account}`, "role_assignments");
    expect(assignments.map((a) => a.user_sid as string).sort()).toEqual([...ids].sort());
  }, 60_000);
});
