/**
 * Which ids a group's members may be, at every group write (docs/security.md case 77, held).
 * A member PATCH of a plain group asks the policy without reading anything (829ae5a,
 * readlessMemberChecks) and the write path below it is being cut (issue 18); the members it adds are
 * still checked in its transaction: an id of another organization's user answers exactly as an id
 * nobody holds (no oracle of other organizations' ids), a deleted user and a group's id likewise, a
 * pending user may join a group that grants nothing but not one bound to a role, and an id sent
 * twice is one membership and one count in the audit event.
 *
 * Attacked at PATCH add, PATCH replace, PUT and POST /Groups (members in the create), on a plain
 * group, a group bound to Standard User by its name (grants nothing), one bound to Administrator and
 * one bound to an account role (an IdP's role assignment; the member PATCH's insert-first path of
 * issue 18 covers every group that grants no org role), with: another organization's user, a random
 * id, a deleted user, a group's id, an independent member (an outside person invited to an account:
 * invisible over SCIM), a pending user, and one user's id three times among another's. Held when the refusals are one body whatever the id's
 * origin (the id itself aside), nothing of a refused write is applied, and the accepted ones hold
 * each member once with the audit event counting distinct members. Real HTTP, real SQLite store.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const run = Math.random().toString(36).slice(2, 8);

let s: TestServer;
let token = "";
const ids: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
  const theirs = (await s.newOrg({ domainEnforcement: false })).token;
  const user = async (t: string, name: string) => {
    const r = await call("POST", `${s.scim}/Users`, t, userBody(`${name}-${run}@acme.test`));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  ids.a = await user(token, "a");
  ids.b = await user(token, "b");
  ids.theirs = await user(theirs, "theirs");
  ids.deleted = await user(token, "deleted");
  expect((await call("DELETE", `${s.scim}/Users/${ids.deleted}`, token)).status).toBe(204);
  ids.random = `US${"0123456789abcdef".repeat(2)}`;
  const inv = await call("POST", `${s.url}/v1/Invitations`, token, { email: `pending-${run}@acme.test`, org_role: "standard" }, { "content-type": "application/json" });
  expect(inv.status).toBe(201);
  ids.pending = inv.body.user_sid as string;
  const g = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: `a group-${run}` });
  ids.group = g.body.id as string;
  const account = await call("POST", `${s.url}/v1/Accounts`, token, { friendly_name: `Acct ${run}`, owner_sid: ids.a }, { "content-type": "application/json" });
  expect(account.status).toBe(201);
  ids.account = account.body.sid as string;
  // An outside person invited to the account: an independent member, invisible over SCIM.
  const outside = await call("POST", `${s.url}/v1/Accounts/${ids.account}/Invitations`, token, { email: `outside-${run}@elsewhere.test`, roles: ["developer"] }, { "content-type": "application/json" });
  expect(outside.status).toBe(201);
  ids.independent = outside.body.user_sid as string;
});
afterAll(() => s.close());

const KINDS = [
  { kind: "plain", name: () => `plain-${run}-${Math.random().toString(36).slice(2, 6)}`, pendingOk: true },
  { kind: "bound to Standard User by its name", name: () => "orgscim:role:standard", pendingOk: false },
  { kind: "bound to Administrator by its name", name: () => "orgscim:role:administrator", pendingOk: false },
  { kind: "bound to an account role by its name", name: () => `orgscim:account:${ids.account}:developer`, pendingOk: true },
];

/** The refusal's body with the id it names taken out: what must not depend on whose the id is. */
const refusal = (r: Reply, id: string) => ({ status: r.status, scimType: r.body?.scimType, detail: String(r.body?.detail ?? "").split(id).join("<id>") });

const membersOf = async (gid: string): Promise<string[]> =>
  ((await call("GET", `${s.scim}/Groups/${gid}`, token)).body.members as { value: string }[] | undefined ?? []).map((m) => m.value).sort();

describe.each(KINDS)("a group $kind", ({ name, pendingOk }) => {
  let gid = "";
  beforeAll(async () => {
    // One bound group of a name at a time: delete a previous one of the same name (another describe's).
    const found = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`displayName eq "${name()}"`)}`, token);
    for (const g of (found.body.Resources ?? []) as { id: string }[]) await call("DELETE", `${s.scim}/Groups/${g.id}`, token);
    const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: name(), members: [{ value: ids.b }] });
    expect(r.status).toBe(201);
    gid = r.body.id as string;
  });

  const writes = (member: string): Record<string, () => Promise<Reply>> => ({
    "PATCH add": () => call("PATCH", `${s.scim}/Groups/${gid}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: member }] }] }),
    "PATCH replace": () => call("PATCH", `${s.scim}/Groups/${gid}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "members", value: [{ value: ids.b }, { value: member }] }] }),
    PUT: () => call("PUT", `${s.scim}/Groups/${gid}`, token, { schemas: [GROUP], displayName: name(), members: [{ value: ids.b }, { value: member }] }),
  });

  it("refuses another organization's user, a deleted user, a group's id and an independent member as it refuses an id nobody holds, and applies nothing", async () => {
    const seen: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    const origins = ["random", "theirs", "deleted", "group", "independent"];
    for (const origin of origins) {
      for (const [door, send] of Object.entries(writes(ids[origin]!))) seen[`${door} ${origin}`] = refusal(await send(), ids[origin]!);
    }
    for (const door of Object.keys(writes(ids.random!))) {
      expect(seen[`${door} random`]).toMatchObject({ status: 400 });
      for (const origin of origins) want[`${door} ${origin}`] = seen[`${door} random`];
    }
    expect(seen).toEqual(want);
    expect(await membersOf(gid)).toEqual([ids.b]);
  });

  it(`${pendingOk ? "takes" : "refuses"} a pending user`, async () => {
    const r = await writes(ids.pending!)["PATCH add"]!();
    if (pendingOk) {
      expect(r.status).toBeLessThan(300);
      expect(await membersOf(gid)).toEqual([ids.b, ids.pending].sort());
      expect((await call("PATCH", `${s.scim}/Groups/${gid}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${ids.pending}"]` }] })).status).toBeLessThan(300);
    } else {
      expect(r.status).toBe(400);
      expect(await membersOf(gid)).toEqual([ids.b]);
    }
  });

  it("holds an id sent three times once, and counts it once in the audit event", async () => {
    const r = await call("PATCH", `${s.scim}/Groups/${gid}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: ids.a }, { value: ids.a }, { value: ids.b }, { value: ids.a }] }] });
    expect(r.status).toBeLessThan(300);
    expect(await membersOf(gid)).toEqual([ids.a, ids.b].sort());
    const events = await call("GET", `${s.url}/v1/AuditEvents?PageSize=5&Action=group.update&TargetSid=${gid}`, token);
    expect((events.body.audit_events as { after: { membersAdded: number; membersRemoved: number } }[])[0]!.after).toMatchObject({ membersAdded: 1, membersRemoved: 0 });
  });
});

describe("a group created with members", () => {
  it("refuses another organization's user, a deleted user and a group's id as an id nobody holds, and creates nothing", async () => {
    const seen: Record<string, unknown> = {};
    for (const origin of ["theirs", "deleted", "group", "random"]) {
      const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: `made-${origin}-${run}`, members: [{ value: ids.a }, { value: ids[origin] }] });
      seen[origin] = refusal(r, ids[origin]!);
    }
    expect(seen.random).toMatchObject({ status: 400 });
    expect(seen).toEqual({ theirs: seen.random, deleted: seen.random, group: seen.random, random: seen.random });
    const made = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`displayName sw "made-"`)}`, token);
    expect(made.body.totalResults).toBe(0);
  });
});
