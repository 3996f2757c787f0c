/**
 * Input hygiene (issue 14, item 5): a malformed %-escape in a path parameter is the client's
 * error (400 in the protocol's own body), on every route that takes one; TRUST_PROXY believes only
 * the hops it is told to, so rotating X-Forwarded-For does not buy a fresh per-address budget.
 */
import { ConfigError, loadConfig, parseTrustProxy } from "../../src/config/config";
import { POLICY } from "../../src/domain/policy";
import { v1Router } from "../../src/http/v1/router";
import { ErrorBody } from "../../src/http/v1/openapi";
import { call, startTestServer, type TestServer } from "../helpers/server";

const BAD = ["%E0%A4%A", "%", "%zz", "abc%C3"];

describe("a malformed %-escape in a path parameter", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = (await s.newOrg({ domainEnforcement: false })).token;
  });
  afterAll(() => s.close());

  // Every SCIM door with a parameter, from the policy table (a new route cannot be forgotten).
  const scimDoors = [...new Set(POLICY.flatMap((r) => r.doors).filter((d) => d.api === "scim" && d.path.includes(":")).map((d) => `${d.method} ${d.path}`))];
  // Every /v1 route with a parameter, from the router's own registry.
  const v1Routes = v1Router({ store: {} as never, clock: {} as never, authenticator: {} as never, bodyLimit: "1mb", publicUrl: undefined }).registry.routes
    .filter((r) => r.path.includes(":")).map((r) => `${r.method.toUpperCase()} ${r.path}`);

  it("the lists are not empty", () => {
    expect(scimDoors.length).toBeGreaterThanOrEqual(4);
    expect(v1Routes.length).toBeGreaterThanOrEqual(10);
  });

  it.each(scimDoors)("SCIM %s answers 400 invalidValue in a SCIM error body, never 500", async (door) => {
    const [method, path] = door.split(" ") as [string, string];
    for (const bad of BAD) {
      const url = `${s.scim}${path.replace(/:\w+/g, bad)}`;
      const r = await call(method, url, token, method === "GET" || method === "DELETE" ? undefined : {});
      expect(r.status).toBe(400);
      expect(r.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
      expect(r.body.scimType).toBe("invalidValue");
      expect(String(r.body.detail)).toMatch(/not valid percent-encoding/);
    }
  });

  it.each(v1Routes)("/v1 %s answers 400 in the /v1 error body, never 500", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    for (const bad of BAD) {
      const r = await call(method, `${s.url}/v1${path.replace(/:\w+/g, bad)}`, token, method === "GET" || method === "DELETE" ? undefined : {}, { "content-type": "application/json" });
      expect(r.status).toBe(400);
      expect(ErrorBody.parse(r.body)).toMatchObject({ code: 1021, status: 400 });
    }
  });

  it("a path outside the APIs and the Admin Center's files answer 4xx, never 500", async () => {
    for (const path of ["/admin/%E0%A4%A", "/nowhere/%zz", "/scim/v2/%zz"]) {
      const r = await call("GET", `${s.url}${path}`, token);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
  });
});

describe("TRUST_PROXY", () => {
  it("takes false, a hop count or a list of addresses and subnets, as Express's trust proxy does", () => {
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("0")).toBe(false);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy("10.0.0.0/8, 192.168.1.4,loopback,::1")).toEqual(["10.0.0.0/8", "192.168.1.4", "loopback", "::1"]);
    expect(loadConfig({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
  });

  it("refuses true (every hop believed: any client chooses its address), saying what to give instead", () => {
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(ConfigError);
    try {
      loadConfig({ TRUST_PROXY: "true" });
    } catch (e) {
      expect((e as Error).message).toMatch(/TRUST_PROXY="true": true would trust every X-Forwarded-For hop.*number of proxies/);
    }
  });

  it("refuses an address that is not one, and a hop count over 32", () => {
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/8,proxy.example.com" })).toThrow(/invalid IP address: proxy.example.com/);
    expect(() => loadConfig({ TRUST_PROXY: "99" })).toThrow(/at most 32/);
  });

  // The test client stands for a proxy on loopback: the address it appends last is the real client's.
  describe.each([["a hop count", "1"], ["the proxy's address", "loopback"]])("with %s, rotating X-Forwarded-For", (_what, trust) => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startTestServer({ INVITATION_ACCEPT_PER_MINUTE: "3", TRUST_PROXY: trust });
    });
    afterAll(() => s.close());

    const accept = (xff: string) => fetch(`${s.url}/v1/Invitations/Accept`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": xff },
      body: JSON.stringify({ token: "oiv_not-a-real-token" }),
    });

    it("does not buy a fresh per-address budget: the client is the address the trusted proxy appended", async () => {
      for (let i = 0; i < 3; i++) expect((await accept(`10.9.${i}.${i}, 203.0.113.7`)).status).not.toBe(429);
      for (let i = 3; i < 8; i++) expect((await accept(`198.18.${i}.1, 10.1.1.${i}, 203.0.113.7`)).status).toBe(429);
      expect((await accept("203.0.113.7")).status).toBe(429);
      expect((await accept("10.9.0.0, 198.51.100.2")).status).not.toBe(429); // another client keeps its own budget
    });
  });
});
