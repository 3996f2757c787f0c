/**
 * A SCIM PUT's change is prov:put:notice, a PATCH's prov:patch:notice (RFC 9967), through every door
 * that replaces (PUT /Users/{id}, PUT /Groups/{id}, /Bulk's PUTs), with the store observed for metrics
 * (src/store/instrument.ts wraps every transaction) and without: the PUT is said to the transaction
 * itself (`store.transaction(fn, { put: true })`), not carried by an async context.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { makeStream, pollAll, PROV, type Stream } from "./helpers";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/** Each SET's subject and event URIs, in order. */
async function changes(s: TestServer, stream: Stream, n: number): Promise<string[]> {
  const sets = await pollAll(s, stream, n);
  if (sets.length !== n) throw new Error(`expected ${n} SETs, polled ${sets.length}: ${JSON.stringify(sets.map((x) => x.payload.events))}`);
  return sets.map((x) => `${x.payload.sub_id.uri.split("/")[1]} ${Object.keys(x.payload.events).map((e) => e.replace(PROV, "")).sort().join(" ")}`);
}

describe.each([
  ["without metrics", {}],
  ["with the store observed for metrics", { METRICS_TOKEN: "metrics-token-for-the-put-events-test" }],
])("SCIM events of PUT and PATCH (%s)", (_, env: Record<string, string>) => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(env); });
  afterAll(async () => { await s?.close(); });

  /** An organization with a poll stream, a user and a group made (their SETs polled). */
  async function world(name: string) {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    const user = await call("POST", `${s.scim}/Users`, token, userBody(`${name}@acme.test`));
    const group = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: `${name} group` });
    expect([user.status, group.status]).toEqual([201, 201]);
    // The user, the built-in group it joined, the group.
    expect(await changes(s, stream, 3)).toEqual(["Users create:notice", "Groups patch:notice", "Groups create:notice"]);
    return { token, stream, userId: user.body.id as string, userName: `${name}@acme.test`, groupId: group.body.id as string };
  }

  it("answers PUT /Users/{id} and PUT /Groups/{id} as put:notice, and PATCH as patch:notice", async () => {
    const w = await world("put-doors");
    expect((await call("PUT", `${s.scim}/Users/${w.userId}`, w.token, userBody(w.userName, { nickName: "put" }))).status).toBe(200);
    expect((await call("PATCH", `${s.scim}/Users/${w.userId}`, w.token,
      { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "nickName", value: "patch" }] })).status).toBe(204);
    expect((await call("PUT", `${s.scim}/Groups/${w.groupId}`, w.token, { schemas: [GROUP], displayName: "put-doors renamed" })).status).toBe(200);
    expect((await call("PATCH", `${s.scim}/Groups/${w.groupId}`, w.token,
      { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "put-doors patched" }] })).status).toBe(204);
    expect(await changes(s, w.stream, 4)).toEqual(["Users put:notice", "Users patch:notice", "Groups put:notice", "Groups patch:notice"]);
  });

  it("answers /Bulk's PUTs of a user and a group as put:notice, and its PATCH as patch:notice", async () => {
    const w = await world("put-bulk");
    const r = await call("POST", `${s.scim}/Bulk`, w.token, {
      schemas: [BULK],
      Operations: [
        { method: "PUT", path: `/Users/${w.userId}`, data: userBody(w.userName, { nickName: "bulk put" }) },
        { method: "PUT", path: `/Groups/${w.groupId}`, data: { schemas: [GROUP], displayName: "put-bulk renamed" } },
        { method: "PATCH", path: `/Users/${w.userId}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "nickName", value: "bulk patch" }] } },
      ],
    });
    expect(r.status).toBe(200);
    expect((r.body.Operations as { status: string }[]).map((o) => o.status)).toEqual(["200", "200", "204"]);
    expect(await changes(s, w.stream, 3)).toEqual(["Users put:notice", "Groups put:notice", "Users patch:notice"]);
  });
});
