/**
 * The answers of the hot read path, byte for byte, over a raw TCP socket to the production wiring
 * (src/server.ts on a real SQLite store): the status line, every header in the order it is sent
 * (the security headers, X-Request-Id, ETag, Content-Type, Date, Connection, Keep-Alive,
 * Content-Length), and the body, for GET /Users/:id (200, 304, projected, HEAD, 404), the filters
 * eq on userName, externalId and work email, GET /Groups/:id, the refusals of authentication (no
 * token, an unknown token, a token in the URL, a /v1 token without the scope), /v1 and /healthz
 * beside them, and a create. They are compared with test/fixtures/hot-answers.json, recorded from
 * the request path as it was before it was made leaner (issue 18, Deliver 2), so that rewriting
 * how a response is written cannot move, drop or add a header or a byte. What varies from run to
 * run is replaced before comparing: the resources' ids, generated request ids ({uuid}), times
 * ({time}) and the Date header ({date}); lengths are kept as sent (every varying part has a fixed
 * length).
 *
 * The request log line of each answer is compared the same way (its fields, not its timing).
 *
 * To re-record after a deliberate change of an answer: `HOT_ANSWERS_RECORD=1 npx jest
 * test/http/hot-answers.test.ts`, and say in the commit what changed and why.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import pino from "pino";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { createApp } from "../../src/http/app";
import { applyTimeouts } from "../../src/http/timeouts";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

const GOLDEN = join(__dirname, "..", "fixtures", "hot-answers.json");
const RECORD = process.env.HOT_ANSWERS_RECORD === "1";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
const DATE = /^Date: [^\r\n]*/gm;

interface Case { name: string; method: string; path: string; token?: "scim" | "admin" | "bad" | null; headers?: Record<string, string>; body?: unknown }

let s: TestServer;
let tokens: Record<"scim" | "admin" | "bad", string>;
const ids: Record<string, string> = {};

const q = (f: string) => encodeURIComponent(f);
const CASES: Case[] = [
  { name: "GET a user", method: "GET", path: "/scim/v2/Users/{user}" },
  { name: "GET a user, the client's request id", method: "GET", path: "/scim/v2/Users/{user}", headers: { "X-Request-Id": "idp-chosen.42" } },
  { name: "GET a user, If-None-Match its version: 200 (its groups change without it)", method: "GET", path: "/scim/v2/Users/{user}", headers: { "If-None-Match": 'W/"1"' } },
  { name: "GET a user without its groups and orgscim extension, If-None-Match its version: 304", method: "GET", path: `/scim/v2/Users/{user}?excludedAttributes=groups,${q("urn:ietf:params:scim:schemas:extension:orgscim:2.0:User")}`, headers: { "If-None-Match": 'W/"1"' } },
  { name: "GET a user, If-None-Match another version", method: "GET", path: "/scim/v2/Users/{user}", headers: { "If-None-Match": 'W/"7"' } },
  { name: "GET a user, projected", method: "GET", path: "/scim/v2/Users/{user}?attributes=userName,emails" },
  { name: "GET a user, excludedAttributes=groups", method: "GET", path: "/scim/v2/Users/{user}?excludedAttributes=groups" },
  { name: "HEAD a user", method: "HEAD", path: "/scim/v2/Users/{user}" },
  { name: "GET a user by the lower-case path", method: "GET", path: "/scim/v2/users/{user}" },
  { name: "GET a missing user: 404", method: "GET", path: "/scim/v2/Users/US00000000000000000000000000000000" },
  { name: "filter userName eq", method: "GET", path: `/scim/v2/Users?filter=${q('userName eq "hot.path@acme.test"')}` },
  { name: "filter userName eq, another case", method: "GET", path: `/scim/v2/Users?filter=${q('userName eq "HOT.Path@acme.test"')}` },
  { name: "filter userName eq, no match", method: "GET", path: `/scim/v2/Users?filter=${q('userName eq "nobody@acme.test"')}` },
  { name: "filter externalId eq", method: "GET", path: `/scim/v2/Users?filter=${q('externalId eq "hot-ext-1"')}` },
  { name: "filter work email eq", method: "GET", path: `/scim/v2/Users?filter=${q('emails[type eq "work"].value eq "hot.work@acme.test"')}` },
  { name: "filter, bad syntax: 400", method: "GET", path: `/scim/v2/Users?filter=${q('userName eq')}` },
  { name: "GET a group without members", method: "GET", path: "/scim/v2/Groups/{group}?excludedAttributes=members" },
  { name: "GET a group", method: "GET", path: "/scim/v2/Groups/{group}" },
  { name: "GET a group, If-None-Match its version: 200 (its members' displays change without it)", method: "GET", path: "/scim/v2/Groups/{group}", headers: { "If-None-Match": 'W/"2"' } },
  { name: "GET a group without its members, If-None-Match its version: 304", method: "GET", path: "/scim/v2/Groups/{group}?excludedAttributes=members", headers: { "If-None-Match": 'W/"2"' } },
  { name: "no token: 401", method: "GET", path: "/scim/v2/Users/{user}", token: null },
  { name: "an unknown token: 401", method: "GET", path: "/scim/v2/Users/{user}", token: "bad" },
  { name: "a token in the URL: 401", method: "GET", path: "/scim/v2/Users/{user}?access_token=abc" },
  { name: "/v1 user, admin token", method: "GET", path: "/v1/Users/{user}", token: "admin" },
  { name: "/v1 user, a scim-only token: 403", method: "GET", path: "/v1/Users/{user}", token: "scim" },
  { name: "/healthz", method: "GET", path: "/healthz", token: null },
  { name: "an unknown path outside SCIM: 404", method: "GET", path: "/nope", token: null },
  { name: "OPTIONS a user", method: "OPTIONS", path: "/scim/v2/Users/{user}" },
  { name: "POST a user", method: "POST", path: "/scim/v2/Users", body: userBody("hot.created@acme.test") },
  { name: "PATCH a user: 204", method: "PATCH", path: "/scim/v2/Users/{user}", body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "title", value: "Hot" }] } },
];

/** One request on its own connection, kept alive as clients keep it; answers the response's bytes as text. */
function raw(port: number, c: Case, token: string | null): Promise<string> {
  const path = c.path.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]!);
  const payload = c.body === undefined ? "" : JSON.stringify(c.body);
  const head = [
    `${c.method} ${path} HTTP/1.1`,
    "Host: orgscim.test",
    ...(token === null ? [] : [`Authorization: Bearer ${token}`]),
    ...Object.entries(c.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ...(payload ? ["Content-Type: application/scim+json", `Content-Length: ${Buffer.byteLength(payload)}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let got = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      const headers = got.subarray(0, end).toString("latin1");
      const length = /\r\ncontent-length: (\d+)/i.exec(headers);
      const bodyless = c.method === "HEAD" || /^HTTP\/1\.1 (304|204)/.test(headers);
      const chunked = /\r\ntransfer-encoding: chunked/i.test(headers);
      const complete = bodyless ? true
        : length ? got.length >= end + 4 + Number(length[1])
        : chunked ? got.subarray(end).includes("\r\n0\r\n\r\n") : false;
      if (complete) {
        socket.destroy();
        resolve(got.toString("utf8"));
      }
    });
    socket.on("error", reject);
    socket.write(`${head.join("\r\n")}\r\n\r\n${payload}`);
  });
}

function anonymise(text: string): string {
  let out = text;
  for (const [k, v] of Object.entries(ids)) out = out.split(v).join(`{${k}}`);
  for (const t of Object.values(tokens)) out = out.split(t).join("{token}");
  return out.replace(DATE, "Date: {date}").replace(UUID, "{uuid}").replace(TIME, "{time}").replace(/([A-Z]{2})[0-9a-f]{32}/g, "{$1 id}");
}

const answers: Record<string, string> = {};
const logged: Record<string, unknown> = {};

beforeAll(async () => {
  // The budgets of token-less requests and failed authentications at their defaults, as in production.
  s = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "120", ANONYMOUS_PER_MINUTE: "600" });
  const { org, token } = await s.newOrg({ domainEnforcement: false });
  const scimOnly = (await issueToken(s.running.store, systemClock, { orgId: org.id, name: "scim only", scopes: ["scim"] })).plaintext;
  tokens = { admin: token, scim: scimOnly, bad: `osk_${"ab".repeat(16)}_${"Z".repeat(43)}` };
  const made = await call("POST", `${s.scim}/Users`, token, userBody("hot.path@acme.test", {
    externalId: "hot-ext-1", displayName: "Hot Path", emails: [{ value: "hot.work@acme.test", type: "work", primary: true }, { value: "hot.home@acme.test", type: "home" }],
  }));
  if (made.status !== 201) throw new Error(`setup: ${made.status} ${made.text}`);
  ids.user = String(made.body.id);
  // Made under another name and renamed: the group read has version 2 (a PATCH that changes nothing would keep 1).
  const group = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "Hot group (new)", members: [{ value: ids.user }] });
  if (group.status !== 201) throw new Error(`setup: ${group.status} ${group.text}`);
  ids.group = String(group.body.id);
  const patched = await call("PATCH", `${s.scim}/Groups/${ids.group}`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "Hot group" }] });
  if (patched.status !== 204) throw new Error(`setup: ${patched.status} ${patched.text}`);
  const port = Number(new URL(s.url).port);
  for (const c of CASES) answers[c.name] = anonymise(await raw(port, c, c.token === undefined ? tokens.admin : c.token === null ? null : tokens[c.token]));

  // The request log line of each answer, from the same application with a logger that keeps its lines.
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(s.dir, "test.db")}`, LOG_LEVEL: "info", WRITES_SHED_LAG_MS: "0", OVERLOAD_QUEUE_DEPTH: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0", INVITATION_ACCEPT_PER_MINUTE: "0" });
  const app = createApp({ config, store: s.running.store, clock: systemClock, logger: pino({ level: "info" }, sink) });
  const http: Server = await new Promise((resolve) => { const h = app.listen(0, "127.0.0.1", () => resolve(h)); });
  applyTimeouts(http, config);
  try {
    for (const c of CASES.filter((x) => x.method === "GET")) {
      const before = lines.length;
      await raw((http.address() as AddressInfo).port, c, c.token === undefined ? tokens.admin : c.token === null ? null : tokens[c.token]);
      await new Promise((r) => setImmediate(r));
      logged[c.name] = lines.slice(before).map((l) => {
        const { time, pid, hostname, ms, ...rest } = l;
        expect([typeof time, typeof pid, typeof hostname, typeof ms]).toEqual(["number", "number", "string", "number"]);
        return JSON.parse(anonymise(JSON.stringify(rest))) as unknown;
      });
    }
  } finally {
    await new Promise((r) => http.close(r));
  }
  if (RECORD) writeFileSync(GOLDEN, `${JSON.stringify({ answers, logged }, null, 1)}\n`);
}, 60_000);
afterAll(() => s.close());

describe("the hot read path's answers", () => {
  const golden = (): { answers: Record<string, string>; logged: Record<string, unknown> } => JSON.parse(readFileSync(GOLDEN, "utf8")) as never;

  it.each(CASES.map((c) => c.name))("answers %s as recorded, byte for byte (status line, headers in order, body)", (name) => {
    expect(answers[name]).toBe(golden().answers[name]);
  });

  it("writes the same request log line for each answer as recorded", () => {
    expect(logged).toEqual(golden().logged);
  });

  it("sends every security header on every answer of the application's routers", () => {
    for (const [name, text] of Object.entries(answers)) {
      const head = text.split("\r\n\r\n")[0]!;
      for (const h of ["X-Content-Type-Options: nosniff", "X-Frame-Options: DENY", "Referrer-Policy: no-referrer", "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'", "Strict-Transport-Security: max-age=31536000; includeSubDomains"]) {
        expect({ name, has: head.includes(`\r\n${h}\r\n`) }).toEqual({ name, has: true });
      }
    }
  });
});
