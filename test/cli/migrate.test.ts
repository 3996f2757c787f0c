/**
 * `orgscim migrate`: every organization through export and import, then a check of every id.
 * SQLite to SQLite here: the code path is the one a MongoDB target takes, through the Store port
 * (no mongod can run on this machine, so SQLite to MongoDB is not exercised by this suite).
 */
import { existsSync } from "node:fs";
import { exportLines } from "../../src/cli/export";
import { verifyOrganization } from "../../src/cli/migrate";
import type { Clock } from "../../src/domain/clock";
import { accountRoleGroupId } from "../../src/domain/account-roles";
import { authenticate } from "../../src/domain/tokens";
import { collect, newOrg, seedOrganization, tempStores, type TempStores } from "./seed";
import { runCli } from "./run-cli";

const clock: Clock = { now: () => new Date("2026-03-01T12:00:00.000Z") };
let t: TempStores;
beforeEach(() => {
  t = tempStores();
});
afterEach(() => t.close());

const migrate = (...extra: string[]) => runCli(["migrate", "--from", `sqlite:${t.path("from.db")}`, "--to", `sqlite:${t.path("to.db")}`, ...extra], { tty: true });

describe("migrate", () => {
  it("copies every organization with its ids, verifies each, and answers 0", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    const empty = await newOrg(source, "Empty");
    const run = await migrate();
    expect(run.result).toBe(0);
    expect(run.out).toContain("Migrated 3 organization(s) from sqlite to sqlite; each verified by its whole export.");
    for (const org of [seeded.other, seeded.org, empty]) expect(run.out).toContain(`OK   ${org.id} ${org.name}`);
    const target = t.open("to.db");
    for (const org of [seeded.other, seeded.org, empty]) {
      const from = await collect(exportLines(source, clock, org.id, { tokens: true }));
      const to = await collect(exportLines(target, clock, org.id, { tokens: true }));
      expect(to).toEqual(from);
    }
    // What clients hold keeps working: the token, and the audit trail is all there.
    expect(await authenticate(target, seeded.token)).toMatchObject({ org: { id: seeded.org.id } });
    const sourceEvents = (await source.audit.list(seeded.org.id, { limit: 1000 })).map((e) => e.id);
    const targetEvents = (await target.audit.list(seeded.org.id, { limit: 1000 })).filter((e) => e.action !== "organization.import").map((e) => e.id);
    expect(targetEvents).toEqual(sourceEvents);
  });

  it("can run again: the second run changes nothing and verifies again", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    expect((await migrate()).result).toBe(0);
    const target = t.open("to.db");
    const before = await collect(exportLines(target, clock, seeded.org.id, { tokens: true }));
    const again = await migrate();
    expect(again.result).toBe(0);
    expect(again.err).toContain("user          6 unchanged");
    expect(await collect(exportLines(target, clock, seeded.org.id, { tokens: true }))).toEqual(before);
  });

  it("migrates only the organizations named with --org", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    const run = await migrate("--org", seeded.other.id);
    expect(run.result).toBe(0);
    const target = t.open("to.db");
    expect((await target.orgs.list()).map((o) => o.id)).toEqual([seeded.other.id]);
  });

  it("reports a record missing from the target as a failed check", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    await migrate();
    const target = t.open("to.db");
    await target.users.delete(seeded.org.id, seeded.userIds[0]!);
    const check = await verifyOrganization(source, target, seeded.org.id, "Acme");
    expect(check.ok).toBe(false);
    expect(check.kinds.find((k) => k.kind === "user")).toEqual({ kind: "user", source: 6, target: 5, missing: [seeded.userIds[0]], extra: [], different: [] });
  });

  it("reports a record that differs, or a line the import refused, as a failed check: one verdict per organization", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    await migrate();
    const target = t.open("to.db");
    const ada = (await target.users.get(seeded.org.id, seeded.userIds[0]!))!;
    await target.users.update({ ...ada, displayName: "Someone else", version: ada.version + 1 }, ada.version);
    const differs = await verifyOrganization(source, target, seeded.org.id, "Acme");
    expect([differs.ok, differs.kinds.find((k) => k.kind === "user")!.different]).toEqual([false, [seeded.userIds[0]]]);
    // Equal records, but the import refused a line of this organization: not OK either.
    const other = await verifyOrganization(source, target, seeded.other.id, "Other", 1);
    expect([other.ok, other.kinds.every((k) => k.missing.length + k.extra.length + k.different.length === 0)]).toEqual([false, true]);
  });

  it("carries the independent user (the carol case) with her account role, and the closed account without role groups", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    expect((await migrate()).result).toBe(0);
    const target = t.open("to.db");
    expect(await target.users.get(seeded.org.id, seeded.carolId, { includeIndependent: true })).toMatchObject({ userName: "carol@partner.example", status: "independent", orgRole: null });
    const developers = await target.groups.listMembers(seeded.org.id, accountRoleGroupId(seeded.accountId, "developer"), 10);
    expect(developers.map((m) => m.id).sort()).toEqual([seeded.userIds[0], seeded.carolId].sort());
    expect(await target.accounts.get(seeded.org.id, seeded.closedAccountId)).toMatchObject({ name: "Legacy", status: "closed" });
    expect(await target.groups.get(seeded.org.id, accountRoleGroupId(seeded.closedAccountId, "support"))).toBeNull();
  });

  it("fails on a missing source store, naming it and creating nothing (exit 1); refuses the same store twice and a missing --to as usage errors (exit 2)", async () => {
    const missing = await migrate();
    expect(missing.result).toBe(1);
    expect(missing.err).toContain(`No orgscim store at ${t.path("from.db")} (--from is sqlite:${t.path("from.db")})`);
    expect(existsSync(t.path("from.db"))).toBe(false);
    expect(existsSync(t.path("to.db"))).toBe(false);
    const same = await runCli(["migrate", "--from", "sqlite:x.db", "--to", "sqlite:x.db"]);
    expect([same.result, same.err.includes("same store")]).toEqual([2, true]);
    const noTarget = await runCli(["migrate", "--from", `sqlite:${t.path("from.db")}`]);
    expect([noTarget.result, noTarget.err.includes("--to")]).toEqual([2, true]);
  });

  it("prints the verdicts as JSON in /v1's field names when stdout is not a terminal", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    const run = await runCli(["migrate", "--from", `sqlite:${t.path("from.db")}`, "--to", `sqlite:${t.path("to.db")}`, "--org", seeded.org.id]);
    expect(run.result).toBe(0);
    const body = JSON.parse(run.out) as { ok: boolean; organizations: Array<{ sid: string; ok: boolean; failed_lines: number; records: Array<{ type: string }> }> };
    expect(body).toMatchObject({ ok: true, organizations: [{ sid: seeded.org.id, ok: true, failed_lines: 0 }] });
    expect(body.organizations[0]!.records.map((r) => r.type)).toEqual(expect.arrayContaining(["user", "group", "account", "invitation", "token", "audit"]));
  });
});
