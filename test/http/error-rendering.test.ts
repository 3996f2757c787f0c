/**
 * How each protocol renders a refusal, byte for byte, over real HTTP on a real SQLite store: every
 * error of the catalogue (src/domain/errors.ts), and the non-domain failures translate-error.ts
 * turns into one, thrown inside the SCIM router, inside the /v1 router, and before either (the
 * application's own handler). The status, the headers a client reads and the body text are compared
 * with test/fixtures/error-rendering.json, recorded from the three handlers as they were before they
 * became one factory (src/http/error-handler.ts), so that refactor could not change a byte; the
 * rules below say what the recording means. The one difference the factory made on purpose: the
 * application's own handler now challenges a 401 as the routers' did (RFC 7235 §3.1: a 401 MUST
 * carry WWW-Authenticate); nothing outside the routers raises one today.
 *
 * To re-record after a deliberate change of rendering: `ERROR_RENDERING_RECORD=1 npx jest
 * test/http/error-rendering.test.ts`, and say in the commit what changed and why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NextFunction, Request, Response } from "express";
import pino from "pino";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { DomainError } from "../../src/domain/errors";
import { createOrganization } from "../../src/domain/orgs";
import { StoreUnavailable, type Store } from "../../src/domain/ports/store";
import { issueToken } from "../../src/domain/tokens";
import { createApp } from "../../src/http/app";
import { catalogue } from "../../src/http/errors-doc";
import { openStore } from "../../src/store/open";

const GOLDEN = join(__dirname, "..", "fixtures", "error-rendering.json");
const RECORD = process.env.ERROR_RENDERING_RECORD === "1";

/** What a handler may be given besides DomainErrors: translate-error.ts's inputs, and a plain bug. */
function otherFailures(): Array<{ name: string; error: unknown }> {
  const uri = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
  return [
    { name: "a plain Error (a bug)", error: new Error("secret internal detail: /var/lib/orgscim/db") },
    { name: "a thrown string", error: "a string, not an Error" },
    { name: "StoreUnavailable", error: new StoreUnavailable(new Error("ECONNREFUSED 10.0.0.1")) },
    { name: "body-parser: entity.parse.failed", error: Object.assign(new SyntaxError("Unexpected token } in JSON at position 9"), { type: "entity.parse.failed", status: 400 }) },
    { name: "body-parser: entity.too.large", error: Object.assign(new Error("request entity too large"), { type: "entity.too.large", status: 413, limit: 1024 }) },
    { name: "body-parser: charset.unsupported", error: Object.assign(new Error("unsupported charset"), { type: "charset.unsupported", status: 415 }) },
    { name: "body-parser: request.aborted", error: Object.assign(new Error("request aborted"), { type: "request.aborted", status: 400 }) },
    { name: "a malformed %-escape in a path parameter", error: uri },
    { name: "a URIError without status 400", error: new URIError("URI malformed") },
    { name: "stack overflow", error: new RangeError("Maximum call stack size exceeded") },
    { name: "a DomainError with a numeric Retry-After", error: new DomainError("rateLimited", 9001, "Too many requests. Retry after 7 seconds.", { retryAfter: 7 }) },
  ];
}

const CASES: Array<{ name: string; error: unknown }> = [
  ...catalogue().map((e) => ({ name: `${e.name} (${e.error.code})`, error: e.error })),
  ...otherFailures(),
];

/** Where the error is thrown: inside each router, or before any (the application's handler). */
const DOORS = {
  scim: { method: "GET", path: "/scim/v2/Users" }, // thrown by the store under GET /Users
  v1: { method: "GET", path: "/v1/Users/US0123456789abcdef0123456789abcdef" }, // thrown by the store under GET /v1/Users/:sid
  app: { method: "GET", path: "/metrics" }, // thrown by the /metrics route, mounted on the application itself
} as const;
type Door = keyof typeof DOORS;

/** The headers a client reads; Date, X-Request-Id and the connection's own are left out. */
const KEPT_HEADERS = ["content-type", "content-length", "retry-after", "www-authenticate", "x-orgscim-error-code", "cache-control", "x-content-type-options"];

interface Rendered { status: number; headers: Record<string, string>; body: string }

let dir: string;
let store: Store;
let http: Server;
let base: string;
let token: string;
let armed: unknown = undefined;
const logLines: Array<Record<string, unknown>> = [];

/** The real store, with users.list, users.listStored (GET /Users' page) and users.get throwing the armed error when one is armed. */
function trapping(real: Store): Store {
  const users = new Proxy(real.users, {
    get(target, prop, receiver) {
      if ((prop === "list" || prop === "listStored" || prop === "get") && armed !== undefined) {
        return async () => { throw armed; };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === "users") return users;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-errors-"));
  store = await openStore(`sqlite:${join(dir, "test.db")}`, { durability: "normal" });
  const org = await createOrganization(store, systemClock, { name: "Errors Org", settings: {} });
  token = (await issueToken(store, systemClock, { orgId: org.id, name: "test", scopes: ["scim", "admin"] })).plaintext;
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, "test.db")}`, LOG_LEVEL: "error", WRITES_SHED_LAG_MS: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0", INVITATION_ACCEPT_PER_MINUTE: "0" });
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { for (const l of chunk.toString().split("\n")) if (l) logLines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  const logger = pino({ level: "error" }, sink);
  const metricsRoute = (_req: Request, res: Response, next: NextFunction) => (armed !== undefined ? next(armed) : void res.end());
  const app = createApp({ config, store: trapping(store), clock: systemClock, logger, observe: { before: [], metricsRoute } });
  http = await new Promise((resolve) => { const s = app.listen(0, "127.0.0.1", () => resolve(s)); });
  // Keep-alive sockets are never closed by the server: a pause longer than Node's 5 s default on a
  // loaded machine would otherwise race the client's reuse of the socket (ECONNRESET).
  http.keepAliveTimeout = 0;
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function render(door: Door, error: unknown): Promise<Rendered> {
  armed = error;
  try {
    const { method, path } = DOORS[door];
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const headers: Record<string, string> = {};
    for (const h of KEPT_HEADERS) { const v = res.headers.get(h); if (v !== null) headers[h] = v; }
    return { status: res.status, headers, body: await res.text() };
  } finally {
    armed = undefined;
  }
}

const rendered: Record<string, Record<Door, Rendered>> = {};

describe("error rendering, per protocol", () => {
  beforeAll(async () => {
    for (const c of CASES) {
      rendered[c.name] = { scim: await render("scim", c.error), v1: await render("v1", c.error), app: await render("app", c.error) };
    }
    if (RECORD) writeFileSync(GOLDEN, `${JSON.stringify(rendered, null, 1)}\n`);
  });

  it("is what the three handlers answered before they became one factory, byte for byte (status, headers, body)", () => {
    const golden = JSON.parse(readFileSync(GOLDEN, "utf8")) as typeof rendered;
    expect(Object.keys(rendered).filter((k) => !(k in golden))).toEqual([]); // a new catalogue error: record it
    for (const name of Object.keys(golden)) {
      if (!(name in rendered)) continue; // an error left the catalogue
      expect({ name, ...rendered[name] }).toEqual({ name, ...golden[name] });
    }
  });

  it("covers every kind of error in the catalogue at every door", () => {
    const kinds = new Set(CASES.map((c) => (c.error instanceof DomainError ? c.error.kind : "other")));
    expect(kinds.size).toBe(21); // the 20 kinds of ErrorKind, and the non-domain failures
    for (const r of Object.values(rendered)) expect(Object.keys(r).sort()).toEqual(["app", "scim", "v1"]);
  });

  it("answers SCIM with the RFC 7644 §3.12 body in application/scim+json, the code in X-Orgscim-Error-Code", () => {
    for (const c of CASES) {
      const r = rendered[c.name]!.scim;
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(r.headers["content-type"]).toBe("application/scim+json; charset=utf-8");
      expect(Object.keys(body).filter((k) => k !== "scimType")).toEqual(["schemas", "status", "detail"]);
      expect(body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
      expect(body.status).toBe(String(r.status));
      expect(r.headers["x-orgscim-error-code"]).toMatch(/^\d{4}$/);
    }
  });

  it("answers /v1 and the application's handler with {code, message, more_info, status} in application/json, no code header", () => {
    for (const c of CASES) {
      for (const door of ["v1", "app"] as const) {
        const r = rendered[c.name]![door];
        const body = JSON.parse(r.body) as Record<string, unknown>;
        expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
        expect(Object.keys(body)).toEqual(["code", "message", "more_info", "status"]);
        expect(body.status).toBe(r.status);
        expect(body.more_info).toBe(`https://github.com/orgscim/orgscim/blob/main/docs/errors.md#${String(body.code)}`);
        expect(r.headers["x-orgscim-error-code"]).toBeUndefined();
      }
    }
  });

  it("renders one error with the same status and message at every door", () => {
    for (const c of CASES) {
      const { scim, v1, app } = rendered[c.name]!;
      expect([v1.status, app.status]).toEqual([scim.status, scim.status]);
      const detail = (JSON.parse(scim.body) as { detail: string }).detail;
      expect([JSON.parse(v1.body).message, JSON.parse(app.body).message]).toEqual([detail, detail]);
    }
  });

  it("sends Retry-After exactly when the error carries one", () => {
    for (const c of CASES) {
      const retry = c.error instanceof DomainError ? c.error.retryAfter : c.error instanceof StoreUnavailable ? 5 : undefined;
      for (const door of ["scim", "v1", "app"] as const) {
        expect({ case: c.name, door, retryAfter: rendered[c.name]![door].headers["retry-after"] }).toEqual({ case: c.name, door, retryAfter: retry === undefined ? undefined : String(retry) });
      }
    }
  });

  it("challenges every 401 with WWW-Authenticate Bearer, at every door (RFC 7235 §3.1, RFC 6750 §3)", () => {
    for (const c of CASES) {
      const r = rendered[c.name]!;
      const challenge = r.scim.status === 401 ? 'Bearer realm="orgscim"' : undefined;
      expect([r.scim.headers["www-authenticate"], r.v1.headers["www-authenticate"], r.app.headers["www-authenticate"]]).toEqual([challenge, challenge, challenge]);
    }
  });

  it("never tells the client what a 500 was about, and logs it whole with its code", async () => {
    logLines.length = 0;
    for (const door of ["scim", "v1", "app"] as const) {
      const r = await render(door, new Error("secret internal detail: /var/lib/orgscim/db"));
      expect(r.status).toBe(500);
      expect(r.body).not.toContain("secret");
    }
    const failed = logLines.filter((l) => l.msg === "request failed" && l.err !== undefined); // the access line of a 5xx says "request failed" too, without err
    expect(failed).toHaveLength(3);
    for (const l of failed) {
      expect(l.level).toBe(50);
      expect(JSON.stringify(l.err)).toContain("secret internal detail");
    }
    expect(failed.map((l) => l.code)).toEqual([9000, 9000, 9000]);
  });
});
