/**
 * A request's query string is parsed once (src/http/query-once.ts), however many of the middleware,
 * passport, the routes and the renderers read `req.query` on its way: express 5 parses it again at
 * every read. Counted with the application's own query parser, over real HTTP on the production
 * wiring, through each door that reads a query: SCIM lists and reads, /v1 lists, the refusal of a
 * token in the URL. What the query says is unchanged: the answers are those of the lists asked.
 */
import type { Express } from "express";
import { parse } from "node:querystring";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

describe("the query string of a request", () => {
  let s: TestServer;
  let token: string;
  let user: string;
  let parses = 0;
  beforeAll(async () => {
    s = await startTestServer();
    ({ token } = await s.newOrg({ domainEnforcement: false }));
    user = String((await call("POST", `${s.scim}/Users`, token, userBody("once@acme.test", { externalId: "once-1" }))).body.id);
    // The application's parser ("simple": node:querystring), counting its calls.
    const app = s.running.server.listeners("request").find((l) => typeof (l as unknown as Partial<Express>).set === "function") as unknown as Express;
    app.set("query parser", (q: string) => { parses++; return parse(q); });
  }, 30_000);
  afterAll(() => s.close());

  const q = (f: string) => encodeURIComponent(f);
  it.each([
    ["a SCIM filter by userName", () => `${s.scim}/Users?filter=${q('userName eq "once@acme.test"')}&count=5`, 200, (b: Record<string, unknown>) => expect(b).toMatchObject({ totalResults: 1, itemsPerPage: 1, Resources: [{ id: user }] })],
    ["a SCIM page by startIndex", () => `${s.scim}/Users?startIndex=2&count=1`, 200, (b: Record<string, unknown>) => expect(b).toMatchObject({ totalResults: 1, startIndex: 2, itemsPerPage: 0 })],
    ["a SCIM read, projected", () => `${s.scim}/Users/${user}?attributes=externalId`, 200, (b: Record<string, unknown>) => expect(b).toMatchObject({ id: user, externalId: "once-1" })],
    ["a /v1 list", () => `${s.url}/v1/Users?PageSize=1`, 200, (b: Record<string, unknown>) => expect(b).toHaveProperty("users")],
    ["a token in the URL, refused", () => `${s.scim}/Users?access_token=x`, 401, (b: Record<string, unknown>) => expect(String(b.detail)).toMatch(/only in the Authorization header/)],
  ])("%s: is parsed once, and means what it says", async (_name, url, status, check) => {
    parses = 0;
    const r = await call("GET", url(), token);
    expect(r.status).toBe(status);
    check(r.body as Record<string, unknown>);
    expect(parses).toBe(1);
  });
});
