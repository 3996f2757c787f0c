/**
 * The flat dispatch of src/http/scim/flat-routes.ts answers every request as express's router does
 * with the same registrations: the same handlers in the same order, the same params and route, the
 * same error handlers, `next("route")` and `next("router")`, and what follows the mount when the
 * router has nothing more. Two applications are built from one registration function, one mounting
 * the router, the other the flat dispatcher, and each request's answer (the handlers it ran, in
 * order, with what they saw) is compared. A registration the record cannot model turns it off.
 */
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import dc from "node:diagnostics_channel";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { flatRoutes, type FlatRoutes } from "../../src/http/scim/flat-routes";

type Trace = Request & { trace?: string[] };
const seen = (req: Request, name: string) => ((req as Trace).trace ??= []).push(`${name} ${req.baseUrl} ${req.url} ${JSON.stringify(req.params)} ${(req.route as { path?: unknown } | undefined)?.path ?? "-"}`);
const answer = (req: Request, res: Response, status = 200) => res.status(status).json({ trace: (req as Trace).trace ?? [] });
const step = (name: string): RequestHandler => (req, _res, next) => {
  seen(req, name);
  next();
};
const failing = (name: string): RequestHandler => (req) => {
  seen(req, name);
  throw new Error(name);
};
const onError = (name: string, answers: (req: Request) => boolean): ErrorRequestHandler => (err: unknown, req, res, next) => {
  seen(req, `${name}(${err instanceof Error ? err.message : String(err)})`);
  if (answers(req)) answer(req, res, 500);
  else next(err);
};
const never = () => false;

/** The registrations: middleware, routes of every kind of ending, error handlers, the 404 at the end. */
function register(r: Router): void {
  r.use(step("auth"));
  r.use((req: Request, _res: Response, next: NextFunction) => (req.query.deny === "1" ? next(new Error("denied")) : next()));
  r.use(onError("early-error-handler", never)); // never called in normal flow; called for the errors before it
  r.post("/Bulk", step("bulk-body"), (req, res) => answer(req, res));
  r.use(step("body"));
  r.get("/Users", async (req, res) => {
    seen(req, "list");
    await Promise.resolve();
    if (req.query.fail === "async") throw new Error("async");
    if (req.query.fail === "undefined") return Promise.reject(undefined);
    answer(req, res);
  });
  r.post("/Users/.search", (req, res) => answer(req, res));
  r.get("/Users/:id", (req: Request, res: Response, next: NextFunction) => {
    seen(req, "get-1");
    if (req.params.id === "skip") return next("route");
    if (req.params.id === "leave") return next("router");
    if (req.params.id === "on") return next();
    if (req.params.id === "throw") throw new Error("sync");
    if (req.params.id === "next-error") return next(new Error("passed"));
    res.json({ trace: (req as Trace).trace });
  }, onError("route-error-handler", never), (req: Request, res: Response) => answer(req, res));
  r.get("/Users/:id", (req, res) => {
    seen(req, "get-2");
    answer(req, res);
  });
  r.patch("/Groups/:id/:part", failing("patch-part"));
  r.patch("/Groups/:id", (req, res) => answer(req, res));
  r.get(["/Schemas", "/Schemas/:id"], step("allow-only"));
  r.get("/Schemas/:id", (req, res) => answer(req, res));
  r.all("/GroupMembers", (req, _res, next) => {
    seen(req, "all");
    next(new Error("405"));
  });
  r.use((req: Request, _res: Response, next: NextFunction) => {
    seen(req, "not-found");
    next(new Error("404"));
  });
  r.use(onError("recorded", never));
  // The last error handler lets the errors of `?pass=1` requests out of the router, to what follows the mount.
  r.use(onError("rendered", (req) => req.query.pass !== "1"));
}

async function serve(mount: (r: Router) => RequestHandler): Promise<{ url: string; server: Server; flat?: FlatRoutes }> {
  const app = express();
  app.set("query parser", "simple");
  const r = Router({ caseSensitive: false });
  let flat: FlatRoutes | undefined;
  const handler = mount(r);
  if ("flatRoutes" in handler) flat = (handler as FlatRoutes["dispatcher"]).flatRoutes;
  register(r);
  app.use("/scim/v2", handler, (req: Request, res: Response) => {
    seen(req, "after-mount");
    answer(req, res, 404);
  }, ((err: unknown, req, res, _next) => {
    seen(req, `mount-error(${err instanceof Error ? err.message : String(err)})`);
    answer(req, res, 500);
  }) as ErrorRequestHandler);
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, "127.0.0.1", () => ok(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`, server, flat };
}

let plain: Awaited<ReturnType<typeof serve>>;
let flat: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  plain = await serve((r) => r);
  flat = await serve((r) => flatRoutes(r).dispatcher);
});
afterAll(async () => {
  await Promise.all([plain, flat].map((s) => new Promise((ok) => s?.server.close(ok))));
});

async function ask(base: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`${base}${path}`, { method });
  return { status: r.status, body: await r.text() };
}

const REQUESTS: Array<[string, string]> = [
  ["GET", "/Users"], ["GET", "/Users?filter=x"], ["GET", "/users"], ["GET", "/USERS?deny=1"], ["GET", "/Users/"],
  ["GET", "/Users?fail=async"], ["GET", "/Users?fail=undefined"], ["POST", "/Users"], ["POST", "/Users/.search"], ["GET", "/Users/.search"],
  ["GET", "/Users/abc"], ["GET", "/Users/skip"], ["GET", "/Users/leave"], ["GET", "/Users/on"], ["GET", "/Users/throw"],
  ["GET", "/Users/next-error"], ["GET", "/Users/throw?pass=1"], ["GET", "/Nope?pass=1"], ["GET", "/Users/a%20b"], ["GET", "/Users/abc/extra"], ["DELETE", "/Users/abc"],
  ["PATCH", "/Groups/g1"], ["PATCH", "/Groups/g1/members"], ["PATCH", "/groups/G1"], ["PUT", "/Groups/g1"],
  ["GET", "/Schemas"], ["GET", "/Schemas/urn:x:y"], ["GET", "/Schemas/urn:x:y?deny=1"], ["POST", "/Bulk"], ["POST", "/bulk"],
  ["GET", "/GroupMembers"], ["PUT", "/GroupMembers"], ["GET", ""], ["GET", "/"], ["GET", "/Nope"], ["GET", "//Users"],
  ["HEAD", "/Users"], ["OPTIONS", "/Users/abc"],
];

describe("flat dispatch answers as express's router", () => {
  it("records every registration", () => {
    expect(flat.flat?.flat()).toBe(true);
  });

  it.each(REQUESTS)("%s %s", async (method, path) => {
    const [a, b] = await Promise.all([ask(plain.url, method, path), ask(flat.url, method, path)]);
    expect(b).toEqual(a);
  });

  it("walks the plain requests flat and leaves the others to the router", () => {
    expect(flat.flat?.routeFor("GET", "/Users/abc")).toEqual({ patterns: ["/Users/:id"], params: { id: "abc" } });
    expect(flat.flat?.routeFor("GET", "/SCHEMAS/urn:x")).toEqual({ patterns: ["/Schemas", "/Schemas/:id"], params: { id: "urn:x" } });
    expect(flat.flat?.routeFor("PUT", "/GroupMembers")).toEqual({ patterns: ["/GroupMembers"], params: {} });
    expect(flat.flat?.routeFor("GET", "/Users/a%20b")).toBeNull();
    expect(flat.flat?.routeFor("GET", "/Users/")).toBeNull();
  });
});

describe("express's request tracing (diagnostics_channel express.router.request)", () => {
  it("sees the router's events while it has subscribers: such a request goes to the router", async () => {
    const channel = dc.tracingChannel("express.router.request");
    let events: number[] = [];
    const start = () => events.push(1);
    channel.start.subscribe(start);
    try {
      const a = await ask(plain.url, "GET", "/Users/abc");
      const plainEvents = events;
      events = [];
      const b = await ask(flat.url, "GET", "/Users/abc");
      expect(b).toEqual(a);
      // The mount's handler, then the router's four (auth, the deny check, body, get-1): the same from both.
      expect(plainEvents).toHaveLength(5);
      expect(events).toEqual(plainEvents);
    } finally {
      channel.start.unsubscribe(start);
    }
  });
});

describe("a registration the record cannot model turns the flat dispatch off", () => {
  const made = (f: (r: Router) => void): FlatRoutes => {
    const r = Router();
    const routes = flatRoutes(r);
    r.use(step("auth"));
    r.get("/Users/:id", step("get"));
    f(r);
    return routes;
  };
  it.each<[string, (r: Router) => void]>([
    ["nothing more", () => undefined],
    ["a use with a path", (r) => r.use("/Users", step("x"))],
    ["a route path with a wildcard", (r) => r.get("/Users/*rest", step("x"))],
    ["a route path as a regular expression", (r) => r.get(/^\/Users/, step("x"))],
    ["a route made with route()", (r) => r.route("/Groups").get(step("x"))],
    ["a param callback", (r) => r.param("id", (_req, _res, next) => next())],
    ["a layer added to the stack directly", (r) => (r.stack as unknown[]).push((r.stack as unknown[])[0])],
  ])("%s", (name, f) => {
    expect(made(f).flat()).toBe(name === "nothing more");
  });
});
