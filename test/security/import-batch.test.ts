/**
 * An import's batch written at once (UserRepo.insertMany: a batch's new users in one statement,
 * their role memberships in one addMembers statement a group; the batch's lookups asked at once
 * before it is planned) attacked with one file of one batch: users that differ only in the case
 * of their userName, one id twice, another organization's user's id, and a managed user whose
 * primary email another organization manages. The rules (docs/security.md case 47): one user per
 * userName without case, and one per id; another organization's user is neither changed nor
 * reachable; a line refused leaves nothing of itself and breaks no other line; each new
 * Administrator's membership is written once; the store's invariants hold.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { importLines } from "../../src/cli/import";
import { systemClock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { orgRoleGroupId } from "../../src/domain/role-groups";
import { checkInvariants } from "../../scripts/check-invariants";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { linesOf } from "../cli/seed";

jest.setTimeout(60_000);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const NOW = "2026-01-01T00:00:00.000Z";
const header = (orgId: string) => JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId, exported: NOW, store: "sqlite" });
const userLine = (id: string, userName: string, orgRole = "standard") =>
  JSON.stringify({ type: "user", resource: { id, ...userBody(userName), [ORG_EXT]: { orgRole } } });
const byName = async (token: string, userName: string) =>
  (await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token)).body as { totalResults: number; Resources: Array<{ id: string }> };

/** The organization's Administrators as stored (the built-in group's members, the users whose own role says so), the import's transactions (one audit event each) and the store's invariants. */
function administrators(orgId: string): { members: string[]; byRole: string[]; imports: number; violations: unknown[] } {
  const db = new Database(join(s.dir, "test.db"), { readonly: true });
  try {
    const members = db.prepare("SELECT user_id FROM group_members WHERE org_id = ? AND group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?) ORDER BY user_id")
      .pluck().all(orgId, orgId, orgRoleGroupId(orgId, "administrator")) as string[];
    const byRole = db.prepare("SELECT id FROM users WHERE org_id = ? AND org_role = 'administrator' ORDER BY id").pluck().all(orgId) as string[];
    const imports = db.prepare("SELECT count(*) FROM audit_events WHERE org_id = ? AND action = 'organization.import'").pluck().get(orgId) as number;
    return { members, byRole, imports, violations: checkInvariants(db).filter((r) => r.violations.length > 0) };
  } finally {
    db.close();
  }
}

describe.each([
  ["in one batch written at once", false],
  ["in a batch with a refused line, written again line by line", true],
])("an import's users %s", (_title, withRefused) => {
  let target: { org: { id: string }; token: string };
  let other: { org: { id: string }; token: string };
  let theirs: Record<string, unknown>;
  let report: Awaited<ReturnType<typeof importLines>>["report"];
  const ids = { caseA: newId("US"), caseB: newId("US"), twice: newId("US"), admin: newId("US") };
  const run = Math.random().toString(36).slice(2, 8);
  const name = (n: string) => `${n}-${run}@batch.test`;

  beforeAll(async () => {
    target = await s.newOrg({ domainEnforcement: false });
    other = await s.newOrg({ domainEnforcement: false });
    const made = await call("POST", `${s.scim}/Users`, other.token, userBody(name("theirs")));
    expect(made.status).toBe(201);
    theirs = made.body;
    const managedThere = await call("POST", `${s.scim}/Users`, other.token, userBody(name("managed")));
    expect(managedThere.status).toBe(201);
    const lines = [
      header(target.org.id),
      userLine(ids.caseA, name("Case"), "administrator"), // line 2
      userLine(ids.caseB, name("case").toUpperCase()), // line 3: the same userName without case (matched: it updates line 2's user)
      userLine(ids.twice, name("twice")), // line 4
      userLine(ids.twice, name("twice-again")), // line 5: the same id again (matched: it updates line 4's user)
      userLine(ids.admin, name("admin"), "administrator"), // line 6
      ...(withRefused ? [
        userLine(theirs.id as string, name("stolen"), "administrator"), // line 7: another organization's user's id
        userLine(newId("US"), name("managed"), "administrator"), // line 8: a primary email the other organization manages
      ] : []),
    ];
    ({ report } = await importLines(s.running.store, systemClock, target.org.id, linesOf(lines), { source: "batch.ndjson" }));
  });

  it("refuses only the line with another organization's user's id and the one whose email another organization manages, each by its line", () => {
    expect(report.errors.map((e) => e.line).sort()).toEqual(withRefused ? [7, 8] : []);
    for (const e of report.errors) expect(e.message).not.toMatch(/SQLITE|constraint|undefined/i);
    expect(report.counts.user).toEqual(expect.objectContaining({ created: 3, updated: 2, failed: withRefused ? 2 : 0 }));
  });

  it("leaves the other organization's user as it was, and out of reach", async () => {
    const again = await call("GET", `${s.scim}/Users/${theirs.id as string}`, other.token);
    expect(again.status).toBe(200);
    expect(again.body.userName).toBe(theirs.userName);
    expect((again.body.meta as { version: string }).version).toBe((theirs.meta as { version: string }).version);
    expect((await call("GET", `${s.scim}/Users/${theirs.id as string}`, target.token)).status).toBe(404);
    expect((await byName(target.token, name("stolen"))).totalResults).toBe(0);
    expect((await byName(target.token, name("managed"))).totalResults).toBe(0);
  });

  it("keeps one user per userName without case, and one per id, as the last line matching it says", async () => {
    const caseUsers = await byName(target.token, name("case"));
    expect(caseUsers.totalResults).toBe(1);
    expect(caseUsers.Resources[0]!.id).toBe(ids.caseA);
    expect((await call("GET", `${s.scim}/Users/${ids.caseB}`, target.token)).status).toBe(404);
    const twice = await call("GET", `${s.scim}/Users/${ids.twice}`, target.token);
    expect(twice.status).toBe(200);
    expect(twice.body.userName).toBe(name("twice-again"));
    expect((await byName(target.token, name("twice"))).totalResults).toBe(0);
  });

  it("makes Administrator exactly the users whose last line says so: one membership each, none of another organization, invariants kept", () => {
    // One transaction for the clean batch (its insertMany and addMembers did not fail over to line by line); one a line otherwise.
    expect(administrators(target.org.id)).toEqual({ members: [ids.admin], byRole: [ids.admin], imports: withRefused ? 5 : 1, violations: [] });
    expect(administrators(other.org.id).members).toEqual([]);
  });
});
