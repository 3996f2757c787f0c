/**
 * No token, secret or invitation token reaches a log line: the production server as its own
 * process (node dist/main.js, LOG_LEVEL=debug, its request log on stdout), driven through every
 * door that makes, shows or takes a secret — static tokens (made, used, rotated, misplaced in the
 * URL), OAuth clients and their access tokens (Basic and body), an event stream's poll credential,
 * an invitation's token (queued in the outbox, previewed and accepted) — then its whole output
 * grepped for each secret, and so are the store's tables and every list the console reads. The
 * bootstrap token is printed once at the first start, by design (README): on that line only.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, spawnServer, type ServerProcess } from "../helpers/built-server";

jest.setTimeout(120_000);

let dir: string;
let server: ServerProcess;
let base = "";
beforeAll(() => ensureBuilt());
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-logs-"));
  server = spawnServer({ PORT: "0", LOG_LEVEL: "debug", DATABASE_URL: `sqlite:${join(dir, "logs.db")}`, EVENTS_POLL_WAIT_MS: "0" });
  const deadline = Date.now() + 60_000;
  while (!/"orgscim listening"/.test(server.output())) {
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  base = /"url":"([^"]+)"/.exec(server.output().split("\n").find((l) => l.includes("orgscim listening"))!)![1]!;
}, 120_000);
afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** The X-Request-Id of the last answer: its request line is the last one to wait for. */
let lastRequestId = "";

async function req(method: string, path: string, opts: { token?: string; json?: unknown; form?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) { headers["content-type"] = "application/json"; body = JSON.stringify(opts.json); }
  if (opts.form !== undefined) { headers["content-type"] = "application/x-www-form-urlencoded"; body = opts.form; }
  const r = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  lastRequestId = r.headers.get("x-request-id") ?? lastRequestId;
  const text = await r.text();
  let parsed: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies read as the test needs
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: parsed, text };
}

/** The secrets the first test made, for the second to look for in the store. */
let seen: Record<string, string> = {};

/**
 * The part of a credential that is secret: what follows its prefix and id (which are not). Not
 * "after the last underscore": base64url secrets contain underscores, and a two-letter tail would
 * match any log line.
 */
const secretPart = (credential: string): string => {
  const secret = credential.replace(/^(osk|oat)_[0-9a-f]{32}_|^oes_ES[0-9a-f]{32}_|^(ocs|oiv)_/, "");
  if (secret === credential || secret.length < 40) throw new Error(`not a credential this test knows: ${credential.slice(0, 8)}...`);
  return secret;
};

describe("the server's log", () => {
  it("holds no token, client secret, access token, poll credential or invitation token, whatever door took it", async () => {
    const bootstrap = /^\s+(osk_[0-9a-f]{32}_\S+)$/m.exec(server.output())![1]!;
    const secrets: Record<string, string> = { bootstrap };
    seen = secrets;

    expect((await req("POST", "/v1/Organization", { token: bootstrap, json: { domain_enforcement: false } })).status).toBe(200);
    const user = await req("POST", "/scim/v2/Users", { token: bootstrap, json: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "owner@acme.test", emails: [{ value: "owner@acme.test", primary: true }] } });
    expect(user.status).toBe(201);
    const made = await req("POST", "/v1/Tokens", { token: bootstrap, json: { friendly_name: "okta", scopes: ["scim"] } });
    expect(made.status).toBe(201);
    secrets.made = made.body.token;
    expect((await req("GET", "/scim/v2/Users?count=1", { token: secrets.made })).status).toBe(200);
    const rotated = await req("POST", `/v1/Tokens/${made.body.sid}/Rotate`, { token: bootstrap, json: { overlap_seconds: 60 } });
    expect(rotated.status).toBe(201);
    const rotatedToken = rotated.body.token as string;
    secrets.rotated = rotatedToken;
    // Misplaced: in the query string (refused) and a wrong secret in the header (401).
    expect((await req("GET", `/scim/v2/Users?access_token=${encodeURIComponent(rotatedToken)}`)).status).toBe(401);
    expect((await req("GET", "/scim/v2/Users", { token: `${rotatedToken.slice(0, -4)}AAAA` })).status).toBe(401);

    const client = await req("POST", "/v1/OAuthClients", { token: bootstrap, json: { friendly_name: "entra", scopes: ["scim"] } });
    expect(client.status).toBe(201);
    const clientSecret = client.body.client_secret as string;
    secrets.clientSecret = clientSecret;
    const viaPost = await req("POST", "/oauth/token", { form: `grant_type=client_credentials&client_id=${client.body.client_id}&client_secret=${encodeURIComponent(clientSecret)}` });
    expect(viaPost.status).toBe(200);
    secrets.accessPost = viaPost.body.access_token;
    const basic = Buffer.from(`${client.body.client_id}:${clientSecret}`).toString("base64");
    const viaBasic = await req("POST", "/oauth/token", { form: "grant_type=client_credentials", headers: { authorization: `Basic ${basic}` } });
    expect(viaBasic.status).toBe(200);
    secrets.accessBasic = viaBasic.body.access_token;
    expect((await req("POST", "/oauth/token", { form: `grant_type=client_credentials&client_id=${client.body.client_id}&client_secret=${encodeURIComponent(clientSecret.slice(0, -3))}xyz` })).status).toBe(401);
    expect((await req("GET", "/scim/v2/Users?count=1", { token: secrets.accessBasic })).status).toBe(200);

    const stream = await req("POST", "/v1/EventStreams", { token: bootstrap, json: { friendly_name: "lake", delivery: "poll" } });
    expect(stream.status).toBe(201);
    const pollCredential = stream.body.poll_credential as string;
    secrets.poll = pollCredential;
    expect((await req("POST", "/events/poll", { token: pollCredential, json: { returnImmediately: true } })).status).toBe(200);
    expect((await req("POST", "/events/poll", { token: `${pollCredential.slice(0, -4)}AAAA`, json: {} })).status).toBe(401);

    const account = await req("POST", "/v1/Accounts", { token: bootstrap, json: { friendly_name: "Acme", owner_sid: user.body.id } });
    expect(account.status).toBe(201);
    const invited = await req("POST", `/v1/Accounts/${account.body.sid}/Invitations`, { token: bootstrap, json: { email: "guest@elsewhere.test", roles: ["developer"] } });
    expect(invited.status).toBe(201);
    let invitation = "";
    const db = new Database(join(dir, "logs.db"), { readonly: true, fileMustExist: true });
    try {
      const bodies = db.prepare("SELECT body FROM outbox").all() as { body: string | null }[];
      invitation = /oiv_[A-Za-z0-9_-]+/.exec(bodies.map((b) => b.body ?? "").join("\n"))![0];
    } finally {
      db.close();
    }
    secrets.invitation = invitation;
    expect((await req("POST", "/v1/Invitations/Preview", { json: { token: invitation } })).status).toBe(200);
    expect((await req("POST", "/v1/Invitations/Accept", { json: { token: invitation } })).status).toBe(200);
    expect((await req("POST", "/v1/Invitations/Accept", { json: { token: invitation } })).status).toBeGreaterThanOrEqual(400);

    // Nor does any later answer show one: the outbox (never a body), the audit log (every outcome),
    // the token, client and stream lists, whoever reads them.
    const reads = ["/v1/Outbox", "/v1/Outbox?Status=cancelled", "/v1/AuditEvents?PageSize=100", "/v1/AuditEvents?Outcome=refused",
      "/v1/Tokens", "/v1/OAuthClients", "/v1/EventStreams", `/v1/EventStreams/${stream.body.sid}`, "/v1/Invitations", "/v1/Users"];
    for (const path of reads) {
      const r = await req("GET", path, { token: bootstrap });
      expect({ path, status: r.status }).toEqual({ path, status: 200 });
      for (const [name, credential] of Object.entries(secrets)) {
        expect({ path, name, shown: r.text.includes(secretPart(credential)) }).toEqual({ path, name, shown: false });
      }
    }
    expect((await req("GET", "/v1/Outbox", { token: bootstrap })).body.mail.length).toBeGreaterThan(0);

    // The request lines are written after their answers: wait for the last one's (not for 200 ms,
    // which a loaded machine can outlast).
    expect(lastRequestId).not.toBe("");
    const deadline = Date.now() + 60_000;
    while (!server.output().split("\n").some((l) => l.includes('"msg":"request"') && l.includes(`"reqId":"${lastRequestId}"`))) {
      if (Date.now() > deadline) throw new Error(`no request line for the last request (${lastRequestId}) within 60 s; the output ends:\n${server.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const out = server.output();
    const requestLines = out.split("\n").filter((l) => l.includes('"msg":"request"'));
    expect(requestLines.length).toBeGreaterThan(15); // the log was on: every request above left a line
    for (const [name, credential] of Object.entries(secrets)) {
      const lines = out.split("\n").filter((l) => l.includes(secretPart(credential)));
      if (name === "bootstrap") expect(lines).toEqual([expect.stringMatching(/^\s+osk_/)]);
      else expect({ name, lines }).toEqual({ name, lines: [] });
    }
  });

  it("and the store holds none of them in the clear (hashes only), but for a mail body until it is sent", async () => {
    const db = new Database(join(dir, "logs.db"), { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(["api_tokens", "audit_events", "outbox", "security_events", "server_secrets", "token_uses"]));
      const dump: string[] = [];
      for (const t of tables) {
        for (const row of db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]) {
          for (const [col, v] of Object.entries(row)) {
            if (t === "outbox" && col === "body") continue; // the mail holds the invitation link until it is sent: the one place by design
            dump.push(`${t}.${col}=${typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("latin1") : String(v)}`);
          }
        }
      }
      const text = dump.join("\n");
      expect(Object.keys(seen).sort()).toEqual(["accessBasic", "accessPost", "bootstrap", "clientSecret", "invitation", "made", "poll", "rotated"]);
      expect(text.length).toBeGreaterThan(1000);
      for (const [name, credential] of Object.entries(seen)) {
        expect({ name, found: text.includes(secretPart(credential)) }).toEqual({ name, found: false });
      }
    } finally {
      db.close();
    }
  });
});
