/**
 * `orgscim migrate`: every organization through export and import, then a check of every id.
 * SQLite to SQLite here: the code path is the one a MongoDB target takes, through the Store port
 * (no mongod can run on this machine, so SQLite to MongoDB is not exercised by this suite).
 */
import { exportLines } from "../../src/cli/export";
import { cli } from "../../src/cli/main";
import { verifyOrganization } from "../../src/cli/migrate";
import type { Clock } from "../../src/domain/clock";
import { authenticate } from "../../src/domain/tokens";
import { captured, collect, newOrg, seedOrganization, tempStores, type TempStores } from "./seed";

const clock: Clock = { now: () => new Date("2026-03-01T12:00:00.000Z") };
let t: TempStores;
beforeEach(() => {
  t = tempStores();
});
afterEach(() => t.close());

const migrate = (...extra: string[]) => captured(() => cli(["migrate", "--from", `sqlite:${t.path("from.db")}`, "--to", `sqlite:${t.path("to.db")}`, ...extra]));

describe("migrate", () => {
  it("copies every organization with its ids, verifies each, and answers 0", async () => {
    const source = t.open("from.db");
    const seeded = await seedOrganization(source);
    const empty = await newOrg(source, "Empty");
    const run = await migrate();
    expect(run.result).toBe(0);
    expect(run.out).toContain("Migrated 3 organization(s) from sqlite to sqlite; every id verified.");
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
    expect(again.err).toContain("user          5 unchanged");
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
    expect(check.kinds.find((k) => k.kind === "user")).toEqual({ kind: "user", source: 5, target: 4, missing: [seeded.userIds[0]], extra: [] });
  });

  it("refuses a missing source file, the same store twice and a missing --to, with exit code 2", async () => {
    expect((await migrate()).result).toBe(2);
    const same = await captured(() => cli(["migrate", "--from", "sqlite:x.db", "--to", "sqlite:x.db"]));
    expect([same.result, same.err.includes("same store")]).toEqual([2, true]);
    const noTarget = await captured(() => cli(["migrate", "--from", `sqlite:${t.path("from.db")}`]));
    expect([noTarget.result, noTarget.err.includes("--to")]).toEqual([2, true]);
  });
});
