/**
 * scripts/check-invariants.ts (the command, as npm run build compiles it) against a store filled by generated traffic over HTTP (creates,
 * PUTs, PATCHes of emails, deactivations, deletes, groups and memberships, racing bursts), then
 * against copies corrupted one way each, to prove every check can fail.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { builtScript } from "../helpers/built-server";
import { call, PATCH_SCHEMA } from "../helpers/server";
import { startServerWith, WORKER_COUNTS, type ServerUnderTest } from "../helpers/workers-server";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const OPS = Number(process.env.INVARIANT_OPS ?? 300);

let script: string;
beforeAll(() => {
  script = builtScript("check-invariants");
}, 120_000);

function check(path: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [script], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${path}` }, encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

type Op =
  | { kind: "create"; name: string; emails: { local: string; type: string; primary: boolean }[] }
  | { kind: "put" | "patchEmails" | "deactivate" | "delete" | "rename"; k: number; name: string; emails: { local: string; type: string; primary: boolean }[] }
  | { kind: "group"; name: string; members: number[] }
  | { kind: "members"; g: number; add: number[]; remove: number[] }
  | { kind: "race"; name: string };

const local = fc.stringMatching(/^[a-z][a-z0-9.]{0,6}$/);
const userName = fc.tuple(local, fc.constantFrom("", "X", "Y")).map(([l, s]) => `${l}${s}`);
/** Some case variants of a name, so that uniqueness without case is exercised (ASCII: see the report). */
const cased = (n: string, i: number) => (i % 3 === 0 ? n.toUpperCase() : i % 3 === 1 ? n : n[0]!.toUpperCase() + n.slice(1));
const emails = fc.array(fc.record({ local, type: fc.constantFrom("work", "home", "other"), primary: fc.boolean() }), { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("create" as const), name: userName, emails }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom("put" as const, "patchEmails" as const, "deactivate" as const, "delete" as const, "rename" as const), k: fc.nat(), name: userName, emails }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("group" as const), name: local, members: fc.array(fc.nat(), { maxLength: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("members" as const), g: fc.nat(), add: fc.array(fc.nat(), { maxLength: 4 }), remove: fc.array(fc.nat(), { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("race" as const), name: userName }) },
);

let s: ServerUnderTest;
let dbPath: string;
const statuses = new Map<number, number>();

/** Fills `s`'s store with generated traffic, then stops it. */
async function fill(): Promise<void> {
  const orgs = [(await s.newOrg({ domainEnforcement: false })).token, (await s.newOrg({ domainEnforcement: false })).token];
  const users: string[][] = [[], []];
  const groups: string[][] = [[], []];
  const note = (status: number) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500) throw new Error(`the fill got a ${status}`);
  };
  const body = (name: string, es: { local: string; type: string; primary: boolean }[]) => ({
    schemas: [USER], userName: `${name}@acme.test`, name: { givenName: name, familyName: "F" },
    emails: es.map((e) => ({ value: `${e.local}@acme.test`, type: e.type, primary: e.primary })),
  });
  const pick = <T>(xs: T[], k: number): T | undefined => (xs.length ? xs[k % xs.length] : undefined);
  const ops = fc.sample(fc.tuple(fc.nat(1), op), { numRuns: OPS, seed: Number(process.env.INVARIANT_SEED ?? 7) });
  for (const [[o, x], i] of ops.map((v, i) => [v, i] as const)) {
    const t = orgs[o]!;
    const scim = s.scim;
    if (x.kind === "create") {
      const r = await call("POST", `${scim}/Users`, t, body(cased(x.name, i), x.emails));
      note(r.status);
      if (r.status === 201) users[o]!.push(r.body.id);
    } else if (x.kind === "race") {
      // The same userName in three cases, five times each, at once: one row at most.
      const rs = await Promise.all(Array.from({ length: 15 }, (_, j) => call("POST", `${scim}/Users`, t, body(cased(x.name, j), []))));
      rs.forEach((r) => note(r.status));
      for (const r of rs) if (r.status === 201) users[o]!.push(r.body.id);
    } else if (x.kind === "group") {
      const members = x.members.map((k) => pick(users[o]!, k)).filter((v): v is string => !!v).map((value) => ({ value }));
      const r = await call("POST", `${scim}/Groups`, t, { schemas: [GROUP], displayName: `g-${x.name}-${i}`, members });
      note(r.status);
      if (r.status === 201) groups[o]!.push(r.body.id);
    } else if (x.kind === "members") {
      const g = pick(groups[o]!, x.g);
      if (!g) continue;
      const ids = (ks: number[]) => ks.map((k) => pick(users[o]!, k)).filter((v): v is string => !!v).map((value) => ({ value }));
      // Adds and removes of one group at once, and now and then another org's user (refused).
      const foreign = i % 7 === 0 ? [{ value: pick(users[1 - o]!, i) ?? "x" }] : [];
      const rs = await Promise.all([
        call("PATCH", `${scim}/Groups/${g}`, t, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [...ids(x.add), ...foreign] }] }),
        call("PATCH", `${scim}/Groups/${g}`, t, { schemas: [PATCH_SCHEMA], Operations: [{ op: "Remove", path: "members", value: ids(x.remove) }] }),
      ]);
      rs.forEach((r) => note(r.status));
    } else {
      const id = pick(users[o]!, x.k);
      if (!id) continue;
      const url = `${scim}/Users/${id}`;
      let r;
      if (x.kind === "put") r = await call("PUT", url, t, body(cased(x.name, i), x.emails));
      else if (x.kind === "rename") r = await call("PATCH", url, t, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "userName", value: `${cased(x.name, i)}@acme.test` }] });
      else if (x.kind === "patchEmails") {
        r = await call("PATCH", url, t, { schemas: [PATCH_SCHEMA], Operations: x.emails.length
          ? [{ op: i % 2 ? "add" : "replace", path: "emails", value: x.emails.map((e) => ({ value: `${e.local}@acme.test`, type: e.type, primary: e.primary })) }]
          : [{ op: "remove", path: "emails" }] });
      } else if (x.kind === "deactivate") r = await call("PATCH", url, t, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: "False" }] });
      else r = await call("DELETE", url, t);
      note(r.status);
    }
  }
  await s.stop(); // closes the store: the WAL is folded into the file
}

// One store filled by one process, one by two (WORKERS=2: src/cluster.ts), the racing bursts racing
// across the processes; the corruptions below are made on copies of the last.
const servers: ServerUnderTest[] = [];
const filled = new Map<number, string>();
beforeAll(async () => {
  for (const workers of WORKER_COUNTS) {
    s = await startServerWith(workers);
    servers.push(s);
    dbPath = s.file;
    await fill();
    filled.set(workers, dbPath);
  }
}, 300_000);
afterAll(async () => { for (const server of servers) await server.close(); });

describe("scripts/check-invariants.ts", () => {
  it.each(WORKER_COUNTS)("finds every invariant holding on a store filled by generated traffic (WORKERS=%i)", (workers) => {
    console.log(`fill: ${OPS} generated operations per store, statuses ${[...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([k, n]) => `${k}×${n}`).join(" ")}`);
    const r = check(filled.get(workers)!);
    console.log(r.out);
    expect(r.out).toMatch(/all 9 invariants hold/);
    expect(r.code).toBe(0);
  });

  // [invariant, corruption, SQL]: each corruption breaks exactly that invariant.
  const corruptions: [string, string, string][] = [
    ["emails-match-data", "an email row deleted", "DELETE FROM user_emails WHERE rowid = (SELECT min(rowid) FROM user_emails)"],
    ["emails-match-data", "an email row moved to another organization", "UPDATE user_emails SET org_id = 'ORforeign' WHERE rowid = (SELECT min(rowid) FROM user_emails)"],
    ["one-primary-email", "two primaries in the data (and their rows)", `UPDATE users SET data = json_set(data, '$.emails', json('[{"value":"p1@acme.test","type":"work","primary":true},{"value":"p2@acme.test","type":"work","primary":true}]')) WHERE seq = (SELECT min(seq) FROM users);
      DELETE FROM user_emails WHERE user_seq = (SELECT min(seq) FROM users);
      INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) SELECT seq, org_id, 'p1@acme.test', 'p1@acme.test', 'work', 1 FROM users WHERE seq = (SELECT min(seq) FROM users);
      INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) SELECT seq, org_id, 'p2@acme.test', 'p2@acme.test', 'work', 1 FROM users WHERE seq = (SELECT min(seq) FROM users)`],
    ["emails-match-data", "an email filed under another fold", "UPDATE user_emails SET value_fold = 'someone-else@acme.test' WHERE rowid = (SELECT min(rowid) FROM user_emails)"],
    ["username-unique", "a userName differing only in case", "UPDATE users SET user_name = upper((SELECT user_name FROM users ORDER BY seq LIMIT 1)), data = json_set(data, '$.userName', upper((SELECT user_name FROM users ORDER BY seq LIMIT 1))) WHERE seq = (SELECT seq FROM users u2 WHERE u2.org_id = (SELECT org_id FROM users ORDER BY seq LIMIT 1) ORDER BY seq LIMIT 1 OFFSET 1)"],
    ["username-matches-data", "user_name and data.userName apart", "UPDATE users SET user_name = 'someone-else@acme.test' WHERE seq = (SELECT max(seq) FROM users)"],
    ["members-same-org", "a member of another organization", "INSERT INTO group_members (group_seq, user_seq, org_id, user_id, display) SELECT g.seq, u.seq, g.org_id, u.id, coalesce(u.display_name, u.user_name) FROM groups g, users u WHERE g.org_id <> u.org_id LIMIT 1"],
    ["members-match-users", "a member row with a stale display", "UPDATE group_members SET display = 'Somebody Else' WHERE (group_seq, user_seq) = (SELECT group_seq, user_seq FROM group_members LIMIT 1)"],
    ["versions-positive", "a version 0", "UPDATE users SET version = 0 WHERE seq = (SELECT min(seq) FROM users)"],
    ["rows-have-orgs", "an audit event of no organization", `INSERT INTO audit_orgs (org_id) VALUES ('ORgone');
      INSERT INTO audit_events (id, org, org_id, time, t, actor, action, target_type, outcome) SELECT 'AEorphan', n, org_id, '2026-01-01', 1767225600000, 'x', 'x', 'User', 'success' FROM audit_orgs WHERE org_id = 'ORgone'`],
    ["audit-org-numbers", "an audit event under another organization's number", `INSERT INTO audit_orgs (org_id) VALUES ('ORother');
      UPDATE audit_events SET org = (SELECT n FROM audit_orgs WHERE org_id = 'ORother') WHERE seq = (SELECT max(seq) FROM audit_events)`],
  ];
  it.each(corruptions)("fails (exit 1) naming %s on a copy with %s", (name, _what, sql) => {
    const copy = join(s.dir, `corrupt-${name}-${Math.random().toString(36).slice(2)}.db`);
    copyFileSync(dbPath, copy);
    const db = new Database(copy);
    db.exec(sql);
    db.close();
    const r = check(copy);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`FAIL ${name}\\s+\\d+ checked, [1-9]`));
    expect(r.out.match(/^FAIL/gm)).toHaveLength(1);
  });

  it("exits 2 when the store cannot be read", () => {
    const r = check(join(s.dir, "missing.db"));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/cannot read/);
  });
});
