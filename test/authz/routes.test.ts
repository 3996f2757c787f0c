/**
 * Every route the server has is in the policy table, and every door of the table is a route:
 * a new route cannot be added without saying who may use it (and the matrix test then drives it).
 * Walks the express router stack of the real app, and the /v1 OpenAPI document it serves.
 */
import { POLICY, PUBLIC_DOORS } from "../../src/domain/policy/table";
import { startTestServer, type TestServer } from "../helpers/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

interface Layer { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: string }

/** METHOD /mount/path of every route, nested routers included. */
function routesOf(stack: Layer[], prefix = ""): string[] {
  return stack.flatMap((l) => {
    if (l.route) {
      const paths = Array.isArray(l.route.path) ? l.route.path : [l.route.path];
      return Object.keys(l.route.methods).filter((m) => m !== "_all").flatMap((m) => paths.map((p) => `${m.toUpperCase()} ${prefix}${p}`));
    }
    if (l.handle?.stack) return routesOf(l.handle.stack, prefix + (l.rawPath && l.rawPath !== "/" ? l.rawPath : ""));
    return [];
  });
}

const ROOT = { scim: "/scim/v2", bulk: "/scim/v2", v1: "/v1", root: "" } as const;
const tableRoutes = new Set(POLICY.flatMap((r) => r.doors.filter((d) => d.api !== "cli").map((d) => `${d.api === "bulk" ? "POST" : d.method} ${ROOT[d.api as keyof typeof ROOT]}${d.api === "bulk" ? "/Bulk" : d.path}`)));
const publicRoutes = new Set(PUBLIC_DOORS.map((d) => `${d.method} ${ROOT[d.api as keyof typeof ROOT]}${d.path}`));
/**
 * Outside both APIs and every organization: health checks, the Admin Center's static files, and
 * the operator's Prometheus metrics (their own credential, METRICS_TOKEN; no organization's data).
 */
const OUTSIDE = [/^(GET|OPTIONS) \/healthz$/, /^(GET|OPTIONS) \/readyz$/, /^(GET|HEAD) \/admin/, /^GET \/metrics$/];

describe("routes and the policy table", () => {
  const all = () => [...new Set(routesOf((s.running.server.listeners("request").find((l) => "router" in l) as unknown as { router: { stack: Layer[] } }).router.stack))];

  it("finds the routes it checks (the walk reaches nested routers)", () => {
    const routes = all();
    expect(routes).toContain("PATCH /scim/v2/Users/:id");
    expect(routes).toContain("POST /v1/Tokens");
    expect(routes.length).toBeGreaterThan(50);
  });

  it("maps every route of the server to an action of the policy, or names it public", () => {
    const unmapped = all().filter((r) => !tableRoutes.has(r) && !publicRoutes.has(r) && !OUTSIDE.some((re) => re.test(r)));
    expect(unmapped).toEqual([]);
  });

  it("lists no door that is not a route", () => {
    const routes = new Set(all());
    expect([...tableRoutes, ...publicRoutes].filter((r) => !routes.has(r))).toEqual([]);
  });

  it("maps every operation of /v1/openapi.json to an action, or names it public", async () => {
    const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} /v1${path.replace(/\{(\w+)\}/g, ":$1")}`));
    expect(ops.length).toBeGreaterThan(30);
    expect(ops.filter((o) => !tableRoutes.has(o) && !publicRoutes.has(o))).toEqual([]);
  });
});
