/**
 * Every property express, its router, passport, body-parser and orgscim's middleware give a
 * request or a response on the hot paths is declared when the server makes it
 * (src/http/request-classes.ts): over real HTTP on the production wiring, the own properties of
 * each request and response when its answer is finished are those it had when it arrived. A
 * property added later would cost every request a new hidden class (the file says why); this test
 * names it, so that it is declared there.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { OrgscimRequest, OrgscimResponse } from "../../src/http/request-classes";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const own = (o: object): string[] => [...Object.getOwnPropertyNames(o), ...Object.getOwnPropertySymbols(o).map(String)];

describe("the request and response objects of the production server", () => {
  let s: TestServer;
  let token: string;
  let user: string;
  let group: string;
  beforeAll(async () => {
    s = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "120", ANONYMOUS_PER_MINUTE: "600" });
    ({ token } = await s.newOrg({ domainEnforcement: false }));
    user = String((await call("POST", `${s.scim}/Users`, token, userBody("shape@acme.test", { externalId: "shape-1" }))).body.id);
    group = String((await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "Shape", members: [{ value: user }] })).body.id);
  }, 30_000);
  afterAll(() => s.close());

  /** The properties each request and response gained between its arrival and its finished answer. */
  async function gained(send: () => Promise<unknown>): Promise<{ req: string[]; res: string[] }> {
    const out = { req: [] as string[], res: [] as string[] };
    const probe = (req: IncomingMessage, res: ServerResponse) => {
      const before = { req: new Set(own(req)), res: new Set(own(res)) };
      res.once("finish", () => {
        out.req.push(...own(req).filter((k) => !before.req.has(k)));
        out.res.push(...own(res).filter((k) => !before.res.has(k)));
      });
    };
    s.running.server.prependListener("request", probe);
    try {
      await send();
      await new Promise((r) => setImmediate(r));
    } finally {
      s.running.server.off("request", probe);
    }
    return out;
  }

  const q = (f: string) => encodeURIComponent(f);
  it.each([
    ["GET a user", () => `/Users/{user}`],
    ["GET a user, projected", () => `/Users/{user}?attributes=userName`],
    ["filter userName eq", () => `/Users?filter=${q('userName eq "shape@acme.test"')}`],
    ["filter externalId eq", () => `/Users?filter=${q('externalId eq "shape-1"')}`],
    ["filter work email eq", () => `/Users?filter=${q('emails[type eq "work"].value eq "shape@acme.test"')}`],
    ["GET a group", () => `/Groups/{group}`],
    ["GET a group without members", () => `/Groups/{group}?excludedAttributes=members`],
  ])("%s: gains no property after the server made the request and response", async (_name, path) => {
    const url = `${s.scim}${path().replace("{user}", user).replace("{group}", group)}`;
    const got = await gained(async () => expect((await call("GET", url, token)).status).toBe(200));
    expect(got).toEqual({ req: [], res: [] });
  });

  it("a create (a body read and parsed) gains none either", async () => {
    const got = await gained(async () => expect((await call("POST", `${s.scim}/Users`, token, userBody("shape.made@acme.test"))).status).toBe(201));
    expect(got).toEqual({ req: [], res: [] });
  });

  it.each([
    ["GET a user", "GET", (): string => `/Users/${user}`, undefined, 200],
    ["a create", "POST", (): string => `/Users`, (): unknown => userBody("born.made@acme.test"), 201],
    ["a member PATCH", "PATCH", (): string => `/Groups/${group}`, (): unknown => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: user }] }] }), 204],
  ] as const)("%s walked flat keeps the prototypes it was born with: the app's, never changed", async (_name, method, path, body, status) => {
    const app = s.running.server.listeners("request").find((l) => "request" in l) as unknown as { request: object; response: object };
    const seen: boolean[] = [];
    const probe = (req: IncomingMessage, res: ServerResponse) => {
      const at = [Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object];
      res.once("finish", () => {
        seen.push(Object.getPrototypeOf(req) === at[0], Object.getPrototypeOf(res) === at[1], app.request.isPrototypeOf(req), app.response.isPrototypeOf(res));
      });
    };
    s.running.server.prependListener("request", probe);
    try {
      expect((await call(method, `${s.scim}${path()}`, token, body?.())).status).toBe(status);
      await new Promise((r) => setImmediate(r));
    } finally {
      s.running.server.off("request", probe);
    }
    expect(seen).toEqual([true, true, true, true]);
  });

  it("a refusal for a missing token gains none either", async () => {
    const got = await gained(async () => expect((await call("GET", `${s.scim}/Users/${user}`, null)).status).toBe(401));
    expect(got).toEqual({ req: [], res: [] });
  });
});

describe("OrgscimRequest and OrgscimResponse", () => {
  it("are Node's objects, serving express as Node's own do, each property reading as if absent until set", async () => {
    const app = express();
    const fresh: unknown[] = [];
    app.get("/x", (req, res) => void res.json({ query: req.query, ip: typeof req.ip, node: req instanceof http.IncomingMessage && res instanceof http.ServerResponse, url: req.originalUrl, base: req.baseUrl }));
    const server = http.createServer({ IncomingMessage: OrgscimRequest as typeof http.IncomingMessage, ServerResponse: OrgscimResponse as unknown as typeof http.ServerResponse }, (req, res) => {
      const r = req as unknown as Record<string, unknown>;
      fresh.push([r.body, r.actor, r.id, r.params, r.originalUrl, "body" in r, (res as unknown as Record<string, unknown>).locals, req.listenerCount("data")]);
      app(req, res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x?a=1`);
      expect(await r.json()).toEqual({ query: { a: "1" }, ip: "string", node: true, url: "/x?a=1", base: "" });
      expect(fresh).toEqual([[undefined, undefined, undefined, undefined, undefined, true, undefined, 0]]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
