/**
 * The request objects declare every property the app gives them when they are made
 * (src/http/request-classes.ts: `actor`, `refusal`, `body`, `params`, `baseUrl`, `id`, ...,
 * holding `undefined` until set). A declared property is an own property of the request: could a
 * client set one, and with it who acts or which organization is read? Not by a header (Node keeps
 * headers in req.headers), a query key (req.query) or a body key (req.body): each door is tried
 * here with every declared name (read from a request the server's own class makes, so a name added
 * there is attacked here too) set to another organization's actor. The rules (docs/security.md
 * case 48): without a token every such request is 401; with organization A's token, B's user is
 * 404 at SCIM and /v1 and nothing is written in B.
 */
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { OrgscimRequest } from "../../src/http/request-classes";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

let s: TestServer;
let a: { org: { id: string }; token: string };
let b: { org: { id: string }; token: string };
let theirs: { id: string; userName: string };
let theirSid: string;
beforeAll(async () => {
  s = await startTestServer();
  a = await s.newOrg({ domainEnforcement: false });
  b = await s.newOrg({ domainEnforcement: false });
  const made = await call("POST", `${s.scim}/Users`, b.token, userBody("theirs@declared.test"));
  expect(made.status).toBe(201);
  theirs = { id: made.body.id as string, userName: made.body.userName as string };
  const listed = await call("GET", `${s.url}/v1/Users?PageSize=50`, b.token);
  theirSid = (listed.body.users as Array<{ sid: string; user_name: string }>).find((u) => u.user_name === theirs.userName)!.sid;
}, 30_000);
afterAll(() => s.close());

/** The string-named properties a request of the server's class has when it is made that Node's own request has not. */
const NODE = new Set(Object.getOwnPropertyNames(new IncomingMessage(new Socket())));
const DECLARED = Object.getOwnPropertyNames(new OrgscimRequest(new Socket())).filter((k) => !NODE.has(k));

/** What an attacker would put there: B's organization as the actor, B's user as the route's id. */
const forged = () => ({ org: { id: b.org.id, name: "B" }, tokenId: "TKforged", scopes: ["scim", "admin"], userId: null, principal: { kind: "operator" } });

it("attacks a declared set that holds who acts and what was read", () => {
  expect(DECLARED).toEqual(expect.arrayContaining(["actor", "body", "params", "baseUrl", "refusal", "id", "route"]));
});

describe.each(DECLARED)("a client naming the declared request property %s", (prop) => {
  const headers = () => ({ [prop]: JSON.stringify(forged()), "content-type": "application/scim+json" });
  const query = () => `${encodeURIComponent(prop)}=${encodeURIComponent(b.org.id)}`;

  it("in a header, the query and the body, without a token: 401 at SCIM, /Bulk and /v1", async () => {
    const body = { ...userBody(`nobody-${prop}@declared.test`), [prop]: forged() };
    for (const [method, url] of [["POST", `${s.scim}/Users?${query()}`], ["POST", `${s.scim}/Bulk?${query()}`], ["GET", `${s.url}/v1/Users?${query()}`]] as const) {
      const r = await call(method, url, null, method === "GET" ? undefined : body, headers());
      expect([method, url, r.status]).toEqual([method, url, 401]);
    }
  });

  it("with another organization's token: that organization's user stays 404 at SCIM and /v1 (400 for a query key /v1 does not take), and nothing is written there", async () => {
    const scim = await call("GET", `${s.scim}/Users/${theirs.id}?${query()}`, a.token, undefined, headers());
    expect(scim.status).toBe(404);
    // /v1 refuses a query parameter it does not take (400) before it looks anything up.
    const v1 = await call("GET", `${s.url}/v1/Users/${theirSid}?${query()}`, a.token, undefined, headers());
    expect([400, 404]).toContain(v1.status);
    const v1Header = await call("GET", `${s.url}/v1/Users/${theirSid}`, a.token, undefined, headers());
    expect(v1Header.status).toBe(404);
    const patch = await call("PATCH", `${s.scim}/Users/${theirs.id}?${query()}`, a.token,
      { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "taken" }], [prop]: forged() }, headers());
    expect(patch.status).toBeGreaterThanOrEqual(400);
    const after = await call("GET", `${s.scim}/Users/${theirs.id}`, b.token);
    expect(after.body.displayName).not.toBe("taken");
  });
});
