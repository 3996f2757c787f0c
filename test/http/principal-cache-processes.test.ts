/**
 * What a write in ANOTHER PROCESS on the same SQLite file changes is seen by this server's very next
 * request: the principal version a request checks and the live streams a write transaction writes
 * SETs for are answered by this process's writer connection or from memory (src/store/sqlite/
 * local-changes.ts), never from something that stays as it was when another process commits.
 *
 * The other process is a plain `node` with better-sqlite3 committing one statement on the file (as
 * an `orgscim` command beside the server, or the second worker of WORKERS=2, would): the schema's
 * triggers raise the version in its transaction. It has exited, its commit done, before the next
 * request is sent. Each case warms this server first (the same request twice: resolved, then
 * served from the principal cache; a write before the stream exists, so whatever is kept says
 * "no stream"), then the other process commits, then one request must see it.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { people, unique, type People } from "../authz/people";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(120_000);

const run = promisify(execFile);

let s: TestServer;
let file = "";
beforeAll(async () => {
  s = await startTestServer();
  file = join(s.dir, "test.db");
});
afterAll(() => s.close());

/** Commits `sql` with `params` in a process of its own on the server's file; resolves once that process exited. */
async function inAnotherProcess(sql: string, params: (string | number | null)[]): Promise<void> {
  const script = `
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1]);
    db.pragma("busy_timeout = 60000");
    const changed = db.prepare(process.argv[2]).run(...JSON.parse(process.argv[3])).changes;
    db.close();
    if (changed !== 1) { console.error("changed " + changed + " rows"); process.exit(3); }
  `;
  await run(process.execPath, ["-e", script, file, sql, JSON.stringify(params)], { cwd: process.cwd(), timeout: 90_000 });
}

const tokenFor = async (p: People, userId: string) => issueToken(s.running.store, systemClock, { orgId: p.orgId, name: unique("proc"), scopes: ["scim", "admin"], userId });
const organization = async (token: string) => (await v1("GET", `${s.url}/v1/Organization`, token)).status;
const audit = async (token: string) => (await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, token)).status;

describe("a change committed by another process is seen by the next request", () => {
  it("a token revoked there is refused here", async () => {
    const p = await people(s);
    const t = await tokenFor(p, p.admin);
    expect([await organization(t.plaintext), await organization(t.plaintext)]).toEqual([200, 200]);
    await inAnotherProcess("UPDATE api_tokens SET revoked = ? WHERE id = ?", [new Date().toISOString(), t.token.id]);
    expect(await organization(t.plaintext)).toBe(401);
  });

  it("a user suspended there: their token is refused here", async () => {
    const p = await people(s);
    const t = await tokenFor(p, p.std);
    expect([await organization(t.plaintext), await organization(t.plaintext)]).toEqual([200, 200]);
    await inAnotherProcess("UPDATE users SET active = 0 WHERE id = ?", [p.std]);
    expect(await organization(t.plaintext)).toBe(401);
  });

  it("a Standard User made Administrator there: their token may read the audit log here", async () => {
    const p = await people(s);
    const t = await tokenFor(p, p.std);
    expect([await audit(t.plaintext), await audit(t.plaintext)]).toEqual([403, 403]);
    await inAnotherProcess("UPDATE users SET org_role = 'administrator' WHERE id = ?", [p.std]);
    expect(await audit(t.plaintext)).toBe(200);
  });

  it("a stream made there gets the SET of the next write here; deleted there, none", async () => {
    const p = await people(s);
    const create = async () => {
      const r = await call("POST", `${s.scim}/Users`, p.operator, userBody(`${unique("proc")}@acme.test`));
      if (r.status !== 201) throw new Error(`POST /Users answered ${r.status} ${r.text}`);
      return r.body.id as string;
    };
    /** The users the stream has SETs for (a create also changes the organization's all-users group). */
    const setsFor = (streamId: string): string[] => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare("SELECT subject FROM security_events WHERE stream_id = ? AND subject LIKE '/Users/%' ORDER BY seq").pluck().all(streamId) as string[];
      } finally {
        db.close();
      }
    };
    await create();
    await create(); // the organization's streams (none) read and, if kept, kept
    const stream = unique("es");
    await inAnotherProcess(
      "INSERT INTO event_streams (id, org_id, name, delivery, endpoint, poll_secret_hash, created, created_by, deleted) VALUES (?, ?, 'other process', 'poll', NULL, 'x', ?, 'test', NULL)",
      [stream, p.orgId, new Date().toISOString()],
    );
    const after = await create();
    expect(setsFor(stream)).toEqual([`/Users/${after}`]);
    await inAnotherProcess("UPDATE event_streams SET deleted = ? WHERE id = ?", [new Date().toISOString(), stream]);
    await create();
    expect(setsFor(stream)).toEqual([`/Users/${after}`]);
  });
});
