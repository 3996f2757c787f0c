/**
 * Failing requests inside the group commits of succeeding ones, then SIGKILL right after the last
 * answer (docs/security.md case 56). The store commits the transactions of concurrent requests
 * together (src/store/sqlite/group-commit.ts): a joining request in a savepoint of its own, the one
 * that opens a group without one (its failure rolls the whole transaction back, which then holds
 * its work only). Attacked with bursts mixing, in a shuffled order, requests that fail after part
 * of them was written (case 52's shapes: a group PATCH adding a member then taking another group's
 * name, 409; a group PATCH renaming then adding a member nobody is, 400; a user PATCH adding an
 * email and a nickName then taking another's userName, 409) with requests that succeed (creates,
 * PATCHes of users and of groups' members), then killing the process the moment the last answer
 * arrived, three times over. Each time, after restart: every success answered is there, nothing
 * of any failure is, and at the end the store's invariants hold (scripts/check-invariants.ts).
 * The production server as a process (DURABILITY=full, group commit on: the defaults).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkInvariants } from "../../scripts/check-invariants";
import { ensureBuilt, freePort, runCli, spawnServer, waitFor, type ServerProcess } from "../helpers/built-server";

jest.setTimeout(240_000);

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const FIXTURES = 8;
const ROUNDS = 3;

let dir: string;
let port: number;
let env: Record<string, string>;
const token = `osk_${"cd".repeat(16)}_${"K".repeat(20)}groupkilled${"y".repeat(12)}`;
beforeAll(() => ensureBuilt());
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-group-killed-"));
  port = await freePort();
  env = { PORT: String(port), DATABASE_URL: `sqlite:${join(dir, "killed.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: token };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reply { status: number; body: Record<string, unknown> }
async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const r = await fetch(`http://127.0.0.1:${port}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/scim+json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
async function made(path: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await call("POST", path, body);
  expect([path, r.status]).toEqual([path, 201]);
  return r.body;
}
const user = (userName: string, extra: Record<string, unknown> = {}) =>
  ({ schemas: [USER], userName, emails: [{ value: userName, type: "work", primary: true }], active: true, ...extra });
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function start(): Promise<ServerProcess> {
  const p = spawnServer(env);
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  return p;
}

/** What a round sends: each request, the status it must get, and how to see after restart that it did (or did not) apply. */
interface Sent { name: string; send: () => Promise<Reply>; status: number; check: () => Promise<void> }

async function round(r: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let i = 0; i < FIXTURES; i++) {
    const t = `r${r}f${i}`;
    const member = await made("/Users", user(`member-${t}@killed.test`, { nickName: "before" }));
    const takenUser = await made("/Users", user(`taken-${t}@killed.test`));
    const group = await made("/Groups", { schemas: [GROUP], displayName: `Group ${t}` });
    const renamed = await made("/Groups", { schemas: [GROUP], displayName: `Stays ${t}` });
    const taken = await made("/Groups", { schemas: [GROUP], displayName: `Taken ${t}` });
    const other = await made("/Groups", { schemas: [GROUP], displayName: `Other ${t}` });
    const groupOf = async (id: unknown) => (await call("GET", `/Groups/${String(id)}`)).body;
    const userOf = async (id: unknown) => (await call("GET", `/Users/${String(id)}`)).body;
    const membersOf = (g: Record<string, unknown>) => ((g.members as { value: string }[] | undefined) ?? []).map((m) => m.value);
    sent.push(
      {
        name: `${t}: a member added, then another group's name taken (409)`, status: 409,
        send: () => call("PATCH", `/Groups/${String(group.id)}`, patch({ op: "add", path: "members", value: [{ value: member.id }] }, { op: "replace", path: "displayName", value: taken.displayName })),
        check: async () => { const g = await groupOf(group.id); expect([t, g.displayName, membersOf(g)]).toEqual([t, group.displayName, []]); },
      },
      {
        name: `${t}: renamed, then a member nobody is (400)`, status: 400,
        send: () => call("PATCH", `/Groups/${String(renamed.id)}`, patch({ op: "replace", path: "displayName", value: `Renamed ${t}` }, { op: "add", path: "members", value: [{ value: "US00000000000000000000000000000000" }] })),
        check: async () => { const g = await groupOf(renamed.id); expect([t, g.displayName, (g.meta as { version: string }).version]).toEqual([t, renamed.displayName, (renamed.meta as { version: string }).version]); },
      },
      {
        name: `${t}: an email and a nickName added, then another's userName taken (409)`, status: 409,
        send: () => call("PATCH", `/Users/${String(member.id)}`, patch({ op: "add", path: "emails", value: [{ value: `extra-${t}@killed.test`, type: "home" }] }, { op: "replace", path: "nickName", value: "half" }, { op: "replace", path: "userName", value: takenUser.userName })),
        check: async () => {
          const u = await userOf(member.id);
          expect([t, u.userName, u.nickName, (u.emails as unknown[]).length]).toEqual([t, member.userName, "before", 1]);
        },
      },
      {
        name: `${t}: a create (201)`, status: 201,
        send: () => call("POST", "/Users", user(`new-${t}@killed.test`)),
        check: async () => {
          const found = await call("GET", `/Users?filter=${encodeURIComponent(`userName eq "new-${t}@killed.test"`)}`);
          expect([t, found.body.totalResults]).toEqual([t, 1]);
        },
      },
      {
        name: `${t}: a nickName changed (204)`, status: 204,
        send: () => call("PATCH", `/Users/${String(takenUser.id)}`, patch({ op: "replace", path: "nickName", value: `after ${t}` })),
        check: async () => { expect([t, (await userOf(takenUser.id)).nickName]).toEqual([t, `after ${t}`]); },
      },
      {
        name: `${t}: a member added (204)`, status: 204,
        send: () => call("PATCH", `/Groups/${String(other.id)}`, patch({ op: "add", path: "members", value: [{ value: takenUser.id }] })),
        check: async () => { expect([t, membersOf(await groupOf(other.id))]).toEqual([t, [takenUser.id]]); },
      },
    );
  }
  return shuffled(sent);
}

describe("failing requests in the group commits of succeeding ones, killed right after the last answer", () => {
  it("keeps every success answered and nothing of any failure, across three kills", async () => {
    let server = await start();
    const orgId = (JSON.parse(runCli(env, ["orgs", "list"])) as { sid: string }[])[0]!.sid;
    runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const sent = await round(r);
        // All at once: they reach the writer in the same turns of the loop, so they share group commits.
        const answers = await Promise.all(sent.map((s) => s.send()));
        server.child.kill("SIGKILL");
        await server.exited;
        expect(sent.map((s, i) => [s.name, answers[i]!.status])).toEqual(sent.map((s) => [s.name, s.status]));
        server = await start();
        for (const s of sent) await s.check();
      }
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    const db = new Database(join(dir, "killed.db"), { readonly: true, fileMustExist: true });
    try {
      expect(checkInvariants(db).filter((i) => i.violations.length > 0)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
