/**
 * How /scim/v2 dispatches, over real HTTP on a real SQLite store: every SCIM path (and its case
 * and trailing-slash variants, an unknown path, the service root) with every method, with a token
 * and without one. The status, the headers a client reads (Allow above all) and, for refusals, the
 * body are compared with test/fixtures/scim-dispatch.json, recorded from the nested routers as they
 * were before the hot routes were flattened into the SCIM router (issue 18: a GET /Users/:id no
 * longer walks the OAuth, events and health routers nor a router per resource), so that change
 * could not move a request to another handler, drop a 405's Allow or an OPTIONS answer.
 *
 * The second part reads the application's own layers: the hot routes are reached without entering
 * any router but the SCIM one, so a new router mounted in front of them cannot slip in unnoticed,
 * and the SCIM mount walks them flat over its router's registrations (src/http/scim/flat-routes.ts;
 * the first part holds that walk to the answers recorded from the routers).
 *
 * To re-record after a deliberate change of dispatch: `SCIM_DISPATCH_RECORD=1 npx jest
 * test/http/scim-dispatch.test.ts`, and say in the commit what changed and why.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Express } from "express";
import type { FlatRoutes } from "../../src/http/scim/flat-routes";
import { call, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

const GOLDEN = join(__dirname, "..", "fixtures", "scim-dispatch.json");
const RECORD = process.env.SCIM_DISPATCH_RECORD === "1";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

const PATHS = [
  "", "/", "/Users", "/users", "/Users/", "/Users/{user}", "/USERS/{user}", "/Users/{missing}", "/Users/{user}/extra",
  "/Users/.search", "/Groups", "/Groups/{group}", "/groups/{group}", "/Groups/{missing}", "/Groups/.search",
  "/GroupMembers", "/GroupMembers/{missing}", "/Bulk", "/bulk", "/.search",
  "/ServiceProviderConfig", "/serviceproviderconfig", "/ResourceTypes", "/ResourceTypes/User", "/ResourceTypes/Nope",
  "/Schemas", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "/Nope", "/Users/%E0%A4%A",
];
/** Outside /scim/v2: the routes mounted around it on the application, whose order changed with it. */
const APP_PATHS = [
  "/healthz", "/readyz", "/HEALTHZ", "/admin", "/admin/", "/oauth/token", "/.well-known/oauth-authorization-server",
  "/events/jwks.json", "/events/poll", "/v1/Users", "/v1/openapi.json", "/nope", "/scim", "/scim/v1/Users",
];
const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];
/** The headers that tell a client where its request went; Date, ids and lengths are left out. */
const KEPT_HEADERS = ["allow", "content-type", "www-authenticate", "x-orgscim-error-code", "retry-after"];
const MISSING = "00000000-0000-4000-8000-000000000000";

interface Seen { status: number; headers: Record<string, string>; body?: string; schemas?: unknown }

let s: TestServer;
let token: string;
let user: string;
let group: string;

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const r = await call("POST", `${s.scim}${path}`, token, body);
  if (r.status !== 201) throw new Error(`setup: POST ${path} answered ${r.status} ${r.text}`);
  return String(r.body.id);
}

beforeAll(async () => {
  s = await startTestServer();
  ({ token } = await s.newOrg({ domainEnforcement: false }));
  user = await created("/Users", { schemas: [USER_SCHEMA], userName: "dispatch@acme.test", emails: [{ value: "dispatch@acme.test", primary: true }] });
  group = await created("/Groups", { schemas: [GROUP_SCHEMA], displayName: "Dispatch" });
}, 60_000);
afterAll(() => s.close());

let serial = 0;
/** One request; a DELETE of {user} or {group} deletes a resource made for it, so the others stay. */
async function seen(method: string, path: string, withToken: boolean): Promise<Seen> {
  const ids: Record<string, string> = { user, group, missing: MISSING };
  if (method === "DELETE" && withToken) {
    if (path.includes("{user}")) ids.user = await created("/Users", { schemas: [USER_SCHEMA], userName: `gone${serial}@acme.test`, emails: [{ value: `gone${serial++}@acme.test`, primary: true }] });
    if (path.includes("{group}")) ids.group = await created("/Groups", { schemas: [GROUP_SCHEMA], displayName: `Gone ${serial++}` });
  }
  const url = `${APP_PATHS.includes(path) ? s.url : s.scim}${path.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]!)}`;
  const body = ["POST", "PUT", "PATCH"].includes(method) ? {} : undefined;
  const r = await call(method, url, withToken ? token : null, body);
  const anonymise = (text: string) => text.split(ids.user!).join("{user}").split(ids.group!).join("{group}");
  const headers: Record<string, string> = {};
  for (const h of KEPT_HEADERS) {
    const v = r.headers.get(h);
    if (v !== null) headers[h] = anonymise(v);
  }
  const out: Seen = { status: r.status, headers };
  if (r.status >= 400) out.body = anonymise(r.text);
  else if (r.body && typeof r.body === "object") out.schemas = r.body.schemas;
  return out;
}

describe("SCIM dispatch: every path and method answers as recorded", () => {
  it("with a token and without one", async () => {
    const got: Record<string, Seen> = {};
    for (const path of PATHS) {
      for (const method of METHODS) got[`${method} /scim/v2${path}`] = await seen(method, path, true);
      for (const method of ["GET", "OPTIONS", "POST"]) got[`${method} /scim/v2${path} (no token)`] = await seen(method, path, false);
    }
    for (const path of APP_PATHS) {
      for (const method of ["GET", "HEAD", "OPTIONS", "POST", "DELETE"]) got[`${method} ${path} (no token)`] = await seen(method, path, false);
      for (const method of ["GET", "OPTIONS"]) got[`${method} ${path}`] = await seen(method, path, true);
    }
    if (RECORD) {
      writeFileSync(GOLDEN, `${JSON.stringify(got, null, 2)}\n`);
      console.log(`recorded ${Object.keys(got).length} answers to ${GOLDEN}`);
      return;
    }
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as Record<string, Seen>;
    expect(Object.keys(got).sort()).toEqual(Object.keys(golden).sort());
    const differ = Object.keys(golden).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(golden[k]));
    expect(differ.map((k) => ({ request: k, recorded: golden[k], now: got[k] }))).toEqual([]);
  }, 120_000);
});

/** express 5's router layers (router 2.x): what this test reads of them. */
interface Layer {
  route?: { _handlesMethod(method: string): boolean };
  /** A router, or the SCIM mount's dispatcher (src/http/scim/flat-routes.ts), which shows its router's stack. */
  handle: { stack?: Layer[]; flatRoutes?: FlatRoutes };
  match(path: string): false | { path: string };
}

/**
 * The routers a request enters before its route, in order, whether it finds its route in them or
 * walks through them and out again (express's own walk over the layers matching `path`, without
 * running any handler): `found` once a route layer answering `method` is reached.
 */
function routersEntered(stack: Layer[], method: string, path: string, entered: string[] = []): { entered: string[]; found: boolean } {
  for (const layer of stack) {
    const m = layer.match(path);
    if (!m) continue;
    if (layer.route) {
      if (layer.route._handlesMethod(method)) return { entered, found: true };
      continue;
    }
    if (layer.handle.stack) {
      entered.push(m.path || "(no path)");
      if (routersEntered(layer.handle.stack, method, path.slice(m.path.length) || "/", entered).found) return { entered, found: true };
    }
  }
  return { entered, found: false };
}

describe("SCIM dispatch: the hot routes are reached flat", () => {
  const HOT = [
    ["GET", "/Users"], ["POST", "/Users"], ["GET", "/Users/x"], ["PUT", "/Users/x"], ["PATCH", "/Users/x"], ["DELETE", "/Users/x"],
    ["GET", "/Groups"], ["POST", "/Groups"], ["GET", "/Groups/x"], ["PUT", "/Groups/x"], ["PATCH", "/Groups/x"], ["DELETE", "/Groups/x"],
    ["POST", "/Bulk"], ["GET", "/ServiceProviderConfig"], ["GET", "/Schemas"], ["GET", "/ResourceTypes/User"],
  ] as const;

  const app = () => s.running.server.listeners("request").find((l) => "router" in l) as unknown as Omit<Express, "router"> & { router: { stack: Layer[] } };

  it.each(HOT)("%s /scim/v2%s enters the SCIM router and no other", (method, path) => {
    expect(routersEntered(app().router.stack, method, `/scim/v2${path}`)).toEqual({ entered: ["/scim/v2"], found: true });
  });

  it.each(HOT)("%s /scim/v2%s is walked flat, without express's per-layer dispatch (src/http/scim/flat-routes.ts)", (method, path) => {
    const mount = app().router.stack.find((l) => l.match("/scim/v2/Users") && l.handle.flatRoutes);
    const flat = mount?.handle.flatRoutes;
    expect(flat?.flat()).toBe(true);
    expect(flat?.routeFor(method, path)).not.toBeNull();
  });
});
