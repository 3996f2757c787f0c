/**
 * A write that would change nothing is asked of the policy like any other (docs/security.md case
 * 60, held). A PATCH, PUT or /v1 change that leaves a user or a group as it is, or a member PATCH
 * adding a member already in the group (removing one who is not), may be answered without writing
 * anything; answered before the policy, it would be an oracle: a principal who may neither read
 * nor change a user learns, by 2xx against 403, whether a guessed value (an externalId, a display
 * name, an email) is the user's, or whether someone is a member of a group it may not read, and no
 * refused audit event would say it asked. And a stale If-Match on it must still fail (412).
 *
 * Held: for each principal refused a target (a Standard User on an Administrator and on a group,
 * an Administrator on the Owner, an identity provider's scim-only token on the Owner), the write
 * that would change nothing and the one that would change something get the same answer (403,
 * the same body) at SCIM, /Bulk and /v1, each leaving exactly one refused audit event, and the
 * target unchanged (version included). An allowed caller's no-op with a stale If-Match gets 412.
 * Real HTTP, real SQLite store.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

let s: TestServer;
let orgId = "";
let operator = "";
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
let groupId = "";

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: false });
  orgId = o.org.id;
  operator = o.token;
  for (const [who, orgRole] of [["owner2", "standard"], ["admin", "administrator"], ["std", "standard"], ["member", "standard"], ["outsider", "standard"]] as const) {
    const r = await call("POST", `${s.scim}/Users`, operator, userBody(`${who}@acme.test`, { displayName: `The ${who}`, externalId: `ext-${who}`, [ORG_EXT]: { orgRole } }));
    expect(r.status).toBe(201);
    ids[who] = r.body.id as string;
  }
  expect((await v1("POST", `${s.url}/v1/Users/${ids.owner2}`, operator, { org_role: "owner" })).status).toBe(200);
  for (const who of ["admin", "std"]) {
    tokens[who] = (await issueToken(s.running.store, systemClock, { orgId, name: who, scopes: ["scim", "admin"], userId: ids[who] })).plaintext;
  }
  tokens.idp = (await issueToken(s.running.store, systemClock, { orgId, name: "idp", scopes: ["scim"] })).plaintext;
  const g = await call("POST", `${s.scim}/Groups`, operator, { schemas: [GROUP], displayName: "Engineering", members: [{ value: ids.member }] });
  expect(g.status).toBe(201);
  groupId = g.body.id as string;
});
afterAll(() => s.close());

/** The resource as the operator reads it (SCIM), to compare before and after. */
const read = async (path: string): Promise<Reply> => {
  const r = await call("GET", `${s.scim}${path}`, operator);
  expect(r.status).toBe(200);
  return r;
};

const refusedOn = async (target: string): Promise<number> => {
  const r = await v1("GET", `${s.url}/v1/AuditEvents?Outcome=refused&TargetSid=${target}&PageSize=100`, operator);
  expect(r.status).toBe(200);
  return (r.body.audit_events as unknown[]).length;
};

/** Waits (generously) until the target has at least `n` refused events, then answers how many it has. */
async function refusedAtLeast(target: string, n: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let seen = await refusedOn(target);
  while (seen < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    seen = await refusedOn(target);
  }
  return seen;
}

/** A request and what its answer's status and error are (the /Bulk operation's, for /Bulk). */
type Probe = (token: string) => Promise<{ status: number; error: unknown }>;
const scimAnswer = (r: Reply) => ({ status: r.status, error: r.status >= 400 ? { detail: r.body?.detail, scimType: r.body?.scimType } : null });
const patch = (path: string, ops: unknown[]): Probe => async (token) =>
  scimAnswer(await call("PATCH", `${s.scim}${path}`, token, { schemas: [PATCH_SCHEMA], Operations: ops }));
const put = (path: string, body: () => Promise<unknown>): Probe => async (token) =>
  scimAnswer(await call("PUT", `${s.scim}${path}`, token, await body()));
const bulkPatch = (path: string, ops: unknown[]): Probe => async (token) => {
  const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: [{ method: "PATCH", path, bulkId: "b1", data: { schemas: [PATCH_SCHEMA], Operations: ops } }] });
  expect(r.status).toBe(200);
  const op = (r.body.Operations as Array<{ status: string; response?: { detail?: string; scimType?: string } }>)[0]!;
  const status = Number(op.status);
  return { status, error: status >= 400 ? { detail: op.response?.detail, scimType: op.response?.scimType } : null };
};
const v1Post = (path: string, body: unknown): Probe => async (token) => {
  const r = await v1("POST", `${s.url}${path}`, token, body);
  return { status: r.status, error: r.status >= 400 ? r.body : null };
};

/** The user as it is, for a PUT that changes nothing (its read-only members dropped). */
const asItIs = (who: string) => async (): Promise<unknown> => {
  const { id: _id, meta: _meta, groups: _groups, ...rest } = (await read(`/Users/${ids[who]}`)).body as Record<string, unknown>;
  return rest;
};
const changed = (who: string) => async (): Promise<unknown> => ({ ...(await asItIs(who)() as object), displayName: "Guessed wrong" });

interface Row {
  name: string;
  principal: string;
  /** The target's id (for its audit events) and its SCIM path (to see it unchanged). */
  target: () => string;
  path: () => string;
  noop: () => Probe;
  change: () => Probe;
  /**
   * The refusal names the check asked, and which is asked follows the target's state as the target's
   * kind does ("active": true asks to change the profile of an active user, to reactivate an
   * inactive one): the same status, not the same words.
   */
  statusOnly?: boolean;
}

const userRows = (principal: string, who: string): Row[] => {
  const path = () => `/Users/${ids[who]}`;
  const target = () => ids[who]!;
  return [
    { name: `${principal} on the ${who}: SCIM PATCH displayName`, principal, target, path,
      noop: () => patch(path(), [{ op: "replace", path: "displayName", value: `The ${who}` }]),
      change: () => patch(path(), [{ op: "replace", path: "displayName", value: "Guessed wrong" }]) },
    { name: `${principal} on the ${who}: SCIM PATCH externalId`, principal, target, path,
      noop: () => patch(path(), [{ op: "replace", path: "externalId", value: `ext-${who}` }]),
      change: () => patch(path(), [{ op: "replace", path: "externalId", value: "ext-guess" }]) },
    { name: `${principal} on the ${who}: SCIM PATCH active`, principal, target, path,
      noop: () => patch(path(), [{ op: "replace", path: "active", value: true }]),
      change: () => patch(path(), [{ op: "replace", path: "active", value: false }]), statusOnly: true },
    { name: `${principal} on the ${who}: SCIM PUT`, principal, target, path,
      noop: () => put(path(), asItIs(who)),
      change: () => put(path(), changed(who)) },
    { name: `${principal} on the ${who}: a /Bulk PATCH`, principal, target, path,
      noop: () => bulkPatch(path(), [{ op: "replace", path: "displayName", value: `The ${who}` }]),
      change: () => bulkPatch(path(), [{ op: "replace", path: "displayName", value: "Guessed wrong" }]) },
  ];
};
const v1Rows = (principal: string, who: string): Row[] => [
  { name: `${principal} on the ${who}: /v1 POST /v1/Users/{sid}`, principal, target: () => ids[who]!, path: () => `/Users/${ids[who]}`,
    noop: () => v1Post(`/v1/Users/${ids[who]}`, { display_name: `The ${who}` }),
    change: () => v1Post(`/v1/Users/${ids[who]}`, { display_name: "Guessed wrong" }) },
];
const groupRows = (principal: string): Row[] => {
  const path = () => `/Groups/${groupId}`;
  const target = () => groupId;
  return [
    { name: `${principal} on a group: adding a member already in it`, principal, target, path,
      noop: () => patch(path(), [{ op: "add", path: "members", value: [{ value: ids.member }] }]),
      change: () => patch(path(), [{ op: "add", path: "members", value: [{ value: ids.outsider }] }]) },
    { name: `${principal} on a group: removing a member who is not in it (Entra's form)`, principal, target, path,
      noop: () => patch(path(), [{ op: "Remove", path: `members[value eq "${ids.outsider}"]` }]),
      change: () => patch(path(), [{ op: "Remove", path: `members[value eq "${ids.member}"]` }]) },
    { name: `${principal} on a group: displayName as it is`, principal, target, path,
      noop: () => patch(path(), [{ op: "replace", path: "displayName", value: "Engineering" }]),
      change: () => patch(path(), [{ op: "replace", path: "displayName", value: "Guessed wrong" }]) },
    { name: `${principal} on a group: a /Bulk member PATCH adding a member already in it`, principal, target, path,
      noop: () => bulkPatch(path(), [{ op: "add", path: "members", value: [{ value: ids.member }] }]),
      change: () => bulkPatch(path(), [{ op: "add", path: "members", value: [{ value: ids.outsider }] }]) },
  ];
};

const ROWS: Row[] = [
  ...userRows("std", "admin"), ...v1Rows("std", "admin"),
  ...userRows("std", "owner2"),
  ...userRows("admin", "owner2"), ...v1Rows("admin", "owner2"),
  ...userRows("idp", "owner2"),
  ...groupRows("std"),
];

describe("a write that would change nothing, from a principal refused its target", () => {
  it.each(ROWS.map((r) => [r.name, r] as const))("%s: the same 403 as a change, one refused audit event each, nothing changed", async (_name, row) => {
    const token = tokens[row.principal]!;
    const before = await read(row.path());
    const refusedBefore = await refusedOn(row.target());
    const noop = await row.noop()(token);
    const change = await row.change()(token);
    expect({ noop }).toEqual({ noop: { status: 403, error: expect.anything() } });
    if (row.statusOnly) expect(change.status).toBe(403);
    else expect(noop).toEqual(change);
    // Exactly one refused event each: waited for (generously), then counted.
    expect(await refusedAtLeast(row.target(), refusedBefore + 2)).toBe(refusedBefore + 2);
    const after = await read(row.path());
    expect(after.body).toEqual(before.body);
    expect(after.headers.get("etag")).toBe(before.headers.get("etag"));
  });
});

describe("a write that would change nothing, with a stale If-Match", () => {
  it("is refused 412 for a user (PATCH and PUT), as a change is", async () => {
    const u = await call("POST", `${s.scim}/Users`, operator, userBody("stale@acme.test", { displayName: "Stale" }));
    expect(u.status).toBe(201);
    const old = u.headers.get("etag")!;
    const path = `${s.scim}/Users/${u.body.id as string}`;
    expect((await call("PATCH", path, operator, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Newer" }] })).status).toBeLessThan(300);
    const now = await read(`/Users/${u.body.id as string}`);
    const noop = await call("PATCH", path, operator, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Newer" }] }, { "If-Match": old });
    expect(noop.status).toBe(412);
    const { id: _id, meta: _meta, groups: _groups, ...rest } = now.body as Record<string, unknown>;
    expect((await call("PUT", path, operator, rest, { "If-Match": old })).status).toBe(412);
    expect((await read(`/Users/${u.body.id as string}`)).headers.get("etag")).toBe(now.headers.get("etag"));
  });

  it("is refused 412 for a group's members (adding one already in it, removing one who is not)", async () => {
    const g = await call("POST", `${s.scim}/Groups`, operator, { schemas: [GROUP], displayName: "Stale group", members: [{ value: ids.member }] });
    expect(g.status).toBe(201);
    const old = g.headers.get("etag")!;
    const path = `${s.scim}/Groups/${g.body.id as string}`;
    expect((await call("PATCH", path, operator, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Stale group 2" }] })).status).toBeLessThan(300);
    const now = await read(`/Groups/${g.body.id as string}`);
    const add = await call("PATCH", path, operator, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: ids.member }] }] }, { "If-Match": old });
    expect(add.status).toBe(412);
    const remove = await call("PATCH", path, operator, { schemas: [PATCH_SCHEMA], Operations: [{ op: "Remove", path: `members[value eq "${ids.outsider}"]` }] }, { "If-Match": old });
    expect(remove.status).toBe(412);
    expect((await read(`/Groups/${g.body.id as string}`)).headers.get("etag")).toBe(now.headers.get("etag"));
  });
});
