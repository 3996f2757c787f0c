/**
 * Every layer in front of the SCIM mount has its effect on every request that reaches the mount,
 * whatever door it came by (docs/security.md case 80). Issue 18 walks plain SCIM requests to the
 * mount without express's router (the flat SCIM dispatch, then the application's own layers: the
 * request log, the security headers, the request depth the overload guard counts, the metrics);
 * a request the flat walk takes and one it leaves to express must not differ in what those layers
 * did: a door that skipped the log would hide a request from the operator, one that skipped the
 * headers would serve a page a browser may frame or sniff, one that skipped the depth (or never
 * gave it back) would let an organization past the overload guard or shed everyone's writes.
 *
 * Attacked on the built server (its own process, LOG_LEVEL=info, METRICS_TOKEN, OVERLOAD_QUEUE_DEPTH
 * 1), each door three times, written byte for byte on a socket: the plain path, the mount in upper
 * case, a doubled slash, a trailing slash, a %2F, a path parameter, the absolute form, a query,
 * HEAD and OPTIONS, an unknown resource under the mount, no token, another resource type, and
 * the writes (PATCH, PUT, POST, DELETE of nobody). Held when each answer carries every security
 * header and its own X-Request-Id; each request has exactly one log line with its id, method and
 * status; the metrics count each request once; and a write still passes the depth guard afterwards.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, spawnServer, type ServerProcess } from "../helpers/built-server";
import { listeningUrl } from "../process/drain-helpers";
import { PATCH_SCHEMA, USER_SCHEMA } from "../helpers/server";

jest.setTimeout(240_000);

const TOKEN = `osk_${"cd".repeat(16)}_${"R".repeat(43)}`;
const METRICS = "m".repeat(32);
const SECURITY: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
};

let dir: string;
let p: ServerProcess;
let url: string;
let host: string;
let port: number;
let id = "";

beforeAll(() => ensureBuilt());
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-front-"));
  const db = `sqlite:${join(dir, "f.db")}`;
  p = spawnServer({ PORT: "0", DATABASE_URL: db, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, METRICS_TOKEN: METRICS, OVERLOAD_QUEUE_DEPTH: "1", LOG_LEVEL: "info" });
  url = await listeningUrl(p, 90_000);
  ({ host, port } = { host: new URL(url).host, port: Number(new URL(url).port) });
  const cli = (args: string[]) => execFileSync(process.execPath, [join(__dirname, "..", "..", "bin", "orgscim.js"), ...args], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: db }, encoding: "utf8" });
  const orgId = (JSON.parse(cli(["orgs", "list"])) as { sid: string }[])[0]!.sid;
  cli(["orgs", "settings", orgId, "--domain-enforcement", "off"]);
  const made = await send("POST", "/scim/v2/Users", "made", JSON.stringify({ schemas: [USER_SCHEMA], userName: "front@acme.test" }));
  expect(made.status).toBe(201);
  id = (JSON.parse(made.body) as { id: string }).id;
}, 180_000);
afterAll(async () => {
  p.child.kill("SIGTERM");
  await p.exited;
  rmSync(dir, { recursive: true, force: true });
});

interface Answer { status: number; headers: Record<string, string>; body: string }

/** One request as raw bytes on its own connection, with X-Request-Id `rid`. */
function send(method: string, target: string, rid: string, body?: string, token: string | null = TOKEN): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      const head = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, `X-Request-Id: ${rid}`, "Connection: close"];
      if (token) head.push(`Authorization: Bearer ${token}`);
      if (body !== undefined) head.push("Content-Type: application/scim+json", `Content-Length: ${Buffer.byteLength(body)}`);
      socket.write(`${head.join("\r\n")}\r\n\r\n${body ?? ""}`);
    });
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => { text += d; });
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const lines = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const at = l.indexOf(":");
        if (at > 0) headers[l.slice(0, at).toLowerCase()] = l.slice(at + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0), headers, body: rest.join("\r\n\r\n") });
    });
  });
}

/** The request lines (LOG_LEVEL info) of the server's output, by request id. */
function requestLines(): Map<string, { method: string; path: string; status: number }[]> {
  const byId = new Map<string, { method: string; path: string; status: number }[]>();
  for (const l of p.output().split("\n")) {
    if (!l.startsWith("{")) continue;
    try {
      const o = JSON.parse(l) as { reqId?: string; method?: string; path?: string; status?: number };
      if (typeof o.reqId !== "string" || typeof o.status !== "number") continue;
      byId.set(o.reqId, [...(byId.get(o.reqId) ?? []), { method: o.method ?? "", path: o.path ?? "", status: o.status }]);
    } catch { /* not a JSON line */ }
  }
  return byId;
}

/** Requests the metrics counted, but for the scrapes themselves. */
async function counted(): Promise<number> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
  expect(r.status).toBe(200);
  let n = 0;
  for (const line of (await r.text()).split("\n")) {
    if (line.startsWith("orgscim_http_request_duration_seconds_count{") && !line.includes('route="/metrics"')) n += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return n;
}

const patch = JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "title", value: "t" }] });
const DOORS = (): { door: string; method: string; target: string; body?: string; token?: null }[] => [
  { door: "plain", method: "GET", target: `/scim/v2/Users/${id}` },
  { door: "mount in upper case", method: "GET", target: `/SCIM/V2/Users/${id}` },
  { door: "doubled slash", method: "GET", target: `/scim/v2//Users/${id}` },
  { door: "trailing slash", method: "GET", target: `/scim/v2/Users/${id}/` },
  { door: "%2F", method: "GET", target: `/scim/v2/Users%2F${id}` },
  { door: "path parameter", method: "GET", target: `/scim/v2/Users/${id};x=1` },
  { door: "absolute form", method: "GET", target: `http://${host}/scim/v2/Users/${id}` },
  { door: "query", method: "GET", target: `/scim/v2/Users?filter=userName%20eq%20%22front%40acme.test%22` },
  { door: "HEAD", method: "HEAD", target: `/scim/v2/Users/${id}` },
  { door: "OPTIONS", method: "OPTIONS", target: `/scim/v2/Users/${id}` },
  { door: "unknown resource", method: "GET", target: "/scim/v2/Nope" },
  { door: "no token", method: "GET", target: `/scim/v2/Users/${id}`, token: null },
  { door: "groups", method: "GET", target: "/scim/v2/Groups" },
  { door: "PATCH", method: "PATCH", target: `/scim/v2/Users/${id}`, body: patch },
  { door: "PATCH upper-case mount", method: "PATCH", target: `/Scim/V2/Users/${id}`, body: patch },
  { door: "PUT of nobody", method: "PUT", target: "/scim/v2/Users/US00000000000000000000000000000000", body: JSON.stringify({ schemas: [USER_SCHEMA], userName: "x@acme.test" }) },
  { door: "POST refused", method: "POST", target: "/scim/v2/Users", body: "{" },
  { door: "DELETE of nobody", method: "DELETE", target: "/scim/v2/Groups/GR00000000000000000000000000000000" },
];

describe("the layers in front of the SCIM mount, at every door", () => {
  it("log, head, count and give back the depth of every request", async () => {
    const before = await counted();
    const wrong: string[] = [];
    const sent: { rid: string; door: string; method: string; target: string; status: number }[] = [];
    let n = 0;
    for (const d of DOORS()) {
      for (let i = 0; i < 3; i++) {
        const rid = `front-${++n}-${d.door.replace(/\W+/g, "-")}`;
        const a = await send(d.method, d.target, rid, d.body, d.token === null ? null : TOKEN);
        sent.push({ rid, door: d.door, method: d.method, target: d.target, status: a.status });
        const missing = Object.entries(SECURITY).filter(([k, v]) => a.headers[k] !== v).map(([k]) => k);
        if (a.status === 0 || missing.length > 0 || a.headers["x-request-id"] !== rid) {
          wrong.push(`${d.door} (${d.method} ${d.target}) answered ${a.status}, headers missing ${JSON.stringify(missing)}, X-Request-Id ${a.headers["x-request-id"]}`);
        }
      }
    }
    // Each request's line, once: waited for (the log is written a turn after the answer).
    const deadline = Date.now() + 60_000;
    let lines = requestLines();
    while (sent.some((s) => !lines.has(s.rid)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      lines = requestLines();
    }
    for (const s of sent) {
      const mine = lines.get(s.rid) ?? [];
      const path = s.target.split("?")[0];
      if (mine.length !== 1 || mine[0]!.method !== s.method || mine[0]!.status !== s.status || mine[0]!.path !== path) {
        wrong.push(`${s.door} (${s.method} ${s.target} → ${s.status}) logged ${JSON.stringify(mine)}`);
      }
    }
    expect(wrong).toEqual([]);
    // Counted when each response ends: waited for as the lines are, then exactly once each.
    let now = await counted();
    while (now < before + sent.length && Date.now() < deadline + 60_000) {
      await new Promise((r) => setTimeout(r, 100));
      now = await counted();
    }
    expect(now).toBe(before + sent.length);
    // Nothing held: with OVERLOAD_QUEUE_DEPTH 1, a depth not given back by any door would shed this write.
    const after = await send("PATCH", `/scim/v2/Users/${id}`, "front-after", patch);
    expect({ status: after.status, body: after.body }).toEqual({ status: 204, body: "" }); // nothing to change: 204 (the title is set already)
  });
});
