/**
 * The application's flat walk to the SCIM mount (src/http/app-front.ts) answers every request as
 * express does: the same middleware in the same order, each seeing the same request (its url,
 * baseUrl, originalUrl, params, the router's matched-route mark, the application's prototypes),
 * the same errors going to the same error handlers, and what follows the mount when the mount
 * passes the request on. Two applications are built from one registration function, shaped as
 * src/http/app.ts (hooks, a request log, a route, headers, health routes, a depth counter, the
 * mount and its fallbacks, other routers, the 404 and the error handler), one with the flat front
 * and one without; each request's answer (the steps it ran, in order, with what they saw) is
 * compared, and the front must have walked the plain ones itself. Then the real application.
 */
import express, { Router, type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { request, type Server } from "node:http";
import { flatFront, frontOf, type FlatFront } from "../../src/http/app-front";
import { flatRoutes } from "../../src/http/scim/flat-routes";
import { call, startTestServer, type TestServer } from "../helpers/server";

const MATCHED = (createRequire(require.resolve("express"))("router/lib/symbols") as { matchedRoute: symbol }).matchedRoute;

type Trace = Request & { trace?: string[] };
function seen(req: Request, res: Response, name: string): void {
  const r = req as Trace & Record<symbol, unknown>;
  const app = req.app as unknown as { request: object; response: object };
  const own = Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response && req.res === res && res.req === req;
  (r.trace ??= []).push(`${name} ${req.method} url=${req.url} base=${req.baseUrl} orig=${req.originalUrl} params=${JSON.stringify(req.params)} mark=${String(r[MATCHED])} next=${typeof req.next} locals=${typeof res.locals} own=${own}`);
}
const answer = (req: Request, res: Response, status = 200) => res.status(status).json({ trace: (req as Trace).trace ?? [] });
const step = (name: string): RequestHandler => (req, res, next) => {
  seen(req, res, name);
  if (req.query.fail === name) throw new Error(`${name} threw`);
  if (req.query.reject === name) return Promise.reject(new Error(`${name} rejected`));
  if (req.query.pass === name) return next(new Error(`${name} passed`));
  if (req.query.leave === name) return next("router");
  if (req.query.route === name) return next("route");
  next();
};
const onError = (name: string, answers: (req: Request) => boolean): ErrorRequestHandler => (err: unknown, req, res, next) => {
  seen(req, res, `${name}(${err instanceof Error ? err.message : String(err)})`);
  if (answers(req)) answer(req, res, 500);
  else next(err);
};

/** The SCIM router's stand-in, dispatched as the real one (src/http/scim/flat-routes.ts): a route or two, a 404 of its own unless asked to pass the request on. */
function scimRouter(): RequestHandler {
  const r = Router({ caseSensitive: false });
  const { dispatcher } = flatRoutes(r);
  r.use(step("auth"));
  r.get("/Users/:id", (req, res) => {
    seen(req, res, "get-user");
    if (req.params.id === "out") return (req.next as NextFunction)();
    if (req.params.id === "out-error") return (req.next as NextFunction)(new Error("out"));
    answer(req, res);
  });
  r.post("/Users", (req, res) => {
    seen(req, res, "post-user");
    answer(req, res, 201);
  });
  r.use((req: Request, res: Response, next: NextFunction) => {
    seen(req, res, "scim-not-found");
    if (req.query.out === "1") return next("router");
    answer(req, res, 404);
  });
  return dispatcher;
}

/** The registrations, shaped as src/http/app.ts's. */
function register(app: Express): void {
  app.set("query parser", "simple");
  app.set("env", "production"); // express's final handler renders no stack (whose frames differ between the two)
  app.disable("x-powered-by");
  app.use(step("observe"));
  app.use(step("log"));
  app.get("/metrics", (req, res) => answer(req, res));
  app.use(step("headers"));
  app.use(onError("early-error-handler", () => false)); // run only for the errors before it
  app.get("/healthz", (req, res) => answer(req, res));
  app.options(["/healthz", "/readyz"], (req, res) => answer(req, res));
  app.use(step("depth"));
  app.use("/scim/v2", scimRouter(), (req: Request, res: Response) => {
    seen(req, res, "after-mount");
    answer(req, res, 404);
  }, onError("mount-error", (req) => req.query.past !== "1"));
  const v1 = Router();
  v1.get("/Users", (req, res) => answer(req, res));
  app.use("/v1", v1);
  app.use((req: Request, res: Response) => {
    seen(req, res, "app-not-found");
    answer(req, res, 404);
  });
  app.use(onError("app-error", (req) => req.query.final !== "1"));
}

async function serve(front: boolean): Promise<{ url: string; server: Server; front?: FlatFront }> {
  const app = express();
  register(app);
  const installed = front ? flatFront(app, "/scim/v2") : undefined;
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, "127.0.0.1", () => ok(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, front: installed };
}

let plain: Awaited<ReturnType<typeof serve>>;
let flat: Awaited<ReturnType<typeof serve>>;
let quiet: jest.SpyInstance;
beforeAll(async () => {
  quiet = jest.spyOn(console, "error").mockImplementation(() => undefined); // express's final handler logs the errors it answers
  plain = await serve(false);
  flat = await serve(true);
});
afterAll(async () => {
  quiet.mockRestore();
  await Promise.all([plain, flat].map((s) => new Promise((ok) => s?.server.close(ok))));
});

/** One request with its path sent as written (fetch would normalise dot segments). */
function ask(base: string, method: string, path: string): Promise<{ status: number; body: string; headers: string }> {
  return new Promise((ok, fail) => {
    const req = request(base, { method, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        const headers = Object.entries(res.headers).filter(([k]) => k !== "date").map(([k, v]) => `${k}: ${String(v)}`).join("\n");
        ok({ status: res.statusCode ?? 0, body, headers });
      });
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end();
  });
}

/** Requests the front walks itself: plain methods and paths under /scim/v2. */
const FLAT: Array<[string, string]> = [
  ["GET", "/scim/v2/Users/abc"], ["GET", "/SCIM/V2/Users/abc"], ["GET", "/Scim/v2/users/ABC?x=1"], ["POST", "/scim/v2/Users"],
  ["PATCH", "/scim/v2/Groups/g1"], ["PUT", "/scim/v2/Users/abc"], ["DELETE", "/scim/v2/Users/abc"], ["GET", "/scim/v2/Nope"],
  ["GET", "/scim/v2/Users/out"], ["GET", "/scim/v2/Users/out-error"], ["GET", "/scim/v2/Users/out-error?past=1"],
  ["GET", "/scim/v2/Users/out-error?past=1&final=1"], ["GET", "/scim/v2/Nope?out=1"],
  ["GET", "/scim/v2/Users/abc?fail=observe"], ["GET", "/scim/v2/Users/abc?fail=headers"], ["GET", "/scim/v2/Users/abc?fail=depth"],
  ["GET", "/scim/v2/Users/abc?reject=log"], ["GET", "/scim/v2/Users/abc?pass=depth"], ["GET", "/scim/v2/Users/abc?leave=log"],
  ["GET", "/scim/v2/Users/abc?route=headers"], ["GET", "/scim/v2/Users/abc?fail=auth"], ["GET", "/scim/v2/Users/abc?leave=auth"],
  ["GET", "/scim/v2/Users/abc?pass=auth&past=1"], ["GET", "/scim/v2/healthz"], ["GET", "/scim/v2/metrics"],
  ["GET", "/scim/v2/./Users/abc"], ["GET", "/scim/v2/Users/abc/../def"], ["GET", "/scim/v2/../healthz"],
];
/** Requests left to express: other methods, paths express would decode or normalise, paths outside the mount. */
const EXPRESS: Array<[string, string]> = [
  ["HEAD", "/scim/v2/Users/abc"], ["OPTIONS", "/scim/v2/Users/abc"], ["GET", "/scim/v2/Users/"], ["GET", "/scim/v2//Users"],
  ["GET", "/scim/v2/Users/a%2Fb"], ["GET", "/scim/v2%2FUsers/abc"], ["GET", "/scim/v2"], ["GET", "/scim/v2/"], ["GET", "/scim/v20/Users"],
  ["GET", "/scimv2/Users"], ["GET", "/healthz"], ["OPTIONS", "/readyz"], ["GET", "/metrics"], ["GET", "/v1/Users"], ["GET", "/nope?fail=log"],
  ["GET", "/scim/v2/Users/a%20b"], ["GET", "http://evil.test/scim/v2/Users/abc"], ["GET", "*"],
];

describe("the application's flat walk answers as express", () => {
  it("models the application's layers", () => {
    expect(flat.front?.flat()).toBe(true);
  });

  it.each(FLAT)("%s %s (walked flat)", async (method, path) => {
    const before = flat.front!.walked();
    const [a, b] = await Promise.all([ask(plain.url, method, path), ask(flat.url, method, path)]);
    expect(b).toEqual(a);
    expect(flat.front!.walked()).toBe(before + 1);
  });

  it.each(EXPRESS)("%s %s (left to express)", async (method, path) => {
    const before = flat.front!.walked();
    const [a, b] = await Promise.all([ask(plain.url, method, path), ask(flat.url, method, path)]);
    expect(b).toEqual(a);
    expect(flat.front!.walked()).toBe(before);
  });
});

describe("an application the walk cannot model is left to express", () => {
  const made = (f: (app: Express) => void): FlatFront => {
    const app = express();
    app.use(step("log"));
    app.get("/healthz", step("health"));
    f(app);
    app.use("/scim/v2", scimRouter());
    return flatFront(app, "/scim/v2");
  };
  it.each<[string, (app: Express) => void]>([
    ["nothing more", () => undefined],
    ["a middleware with a path in front of the mount", (app) => app.use("/scim", step("x"))],
    ["a route with a parameter in front of the mount", (app) => app.get("/scim/v2/:resource/:id", step("x"))],
    ["a route under the mount's path in front of it", (app) => app.get("/scim/v2/Users/abc", step("x"))],
    ["a route as a regular expression", (app) => app.get(/^\/scim/, step("x"))],
    ["a param callback", (app) => app.param("id", (_req, _res, next) => next())],
    ["case-sensitive routing", (app) => app.enable("case sensitive routing")],
  ])("%s", (name, f) => {
    expect(made(f).flat()).toBe(name === "nothing more");
  });

  it("without the mount", () => {
    const app = express();
    app.use(step("log"));
    expect(flatFront(app, "/scim/v2").flat()).toBe(false);
  });
});

describe("the server's application", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  }, 60_000);
  afterAll(() => s.close());

  it("walks a SCIM request flat, with the request log's id and the security headers", async () => {
    const app = s.running.server.listeners("request").find((l) => "router" in l) as unknown as object;
    const front = frontOf(app);
    expect(front?.flat()).toBe(true);
    const { token } = await s.newOrg({ domainEnforcement: false });
    const before = front!.walked();
    const r = await call("GET", `${s.scim}/Users?count=1`, token);
    expect(r.status).toBe(200);
    expect(front!.walked()).toBe(before + 1);
    expect(r.headers.get("x-request-id")).toMatch(/./);
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("cache-control")).toBe("no-store");
  });
});
