/**
 * MongoDB migration 8 (over the mingo double of the driver, not MongoDB): audit events written
 * before it get the two halves of their actor (src/domain/audit.ts actorParts), in batches; then
 * the indexes of the actor filter, which lead with the organization. The store lists by them after.
 */
import mongoose from "mongoose";
import { INDEXES, indexName } from "../../src/store/mongo/indexes";
import { backfillAuditActors, MIGRATION_STEPS } from "../../src/store/mongo/migration-steps";
import { migrateMongo, type MigrationDb } from "../../src/store/mongo/migrations";
import { MingoDb } from "./mingo-db";
import { mingoStore } from "./mingo-store";

void mongoose;
const asDb = (db: MingoDb): MigrationDb => db as unknown as MigrationDb;
const hex = (n: number) => n.toString(16).padStart(32, "0");
const USER = `US${hex(7)}`;

const event = (i: number, actor: string, orgId = "OA") => ({
  _id: `AE${hex(i)}`, orgId, seq: i, time: `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`, actor, action: "user.update",
  targetType: "User", targetId: "T", outcome: "success", before: null, after: null,
});

describe("MongoDB migration 8 (audit search by actor)", () => {
  it("gives every event written before it its actor's credential and user, then the indexes; the store filters by them", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 8));
    const actors = [`TK${hex(1)}/${USER}`, `TK${hex(2)}`, `OC${hex(3)}/${USER}`, "operator:cli import-csv"];
    for (let i = 1; i <= 30; i++) db.docs("audit_events").push(event(i, actors[i % 4]!, i === 30 ? "OB" : "OA"));
    const logged: string[] = [];
    await migrateMongo(asDb(db), MIGRATION_STEPS, { log: (line) => void logged.push(line) });
    expect(logged.some((l) => l.includes("30 audit event(s)"))).toBe(true);
    const first = db.docs("audit_events").find((d) => d._id === `AE${hex(2)}`); // OC…/US…
    expect([first?.actorCredential, first?.actorUser]).toEqual([`OC${hex(3)}`, USER]);
    const second = db.docs("audit_events").find((d) => d._id === `AE${hex(1)}`); // a token acting for no user
    expect([second?.actorCredential, second?.actorUser]).toEqual([`TK${hex(2)}`, null]);
    const names = (db.indexes.get("audit_events") ?? []).map((i) => i.name).sort();
    // Every step ran: the actor indexes of 8 and what later steps left (11 dropped INDEXES_V1's audit indexes).
    expect(names).toEqual((INDEXES.audit_events ?? []).map((s) => indexName(s.key)).sort());
    expect(names).toEqual(expect.arrayContaining(["orgId_1_actorUser_1_time_1_seq_1", "orgId_1_actorCredential_1_time_1_seq_1"]));

    const store = mingoStore({ db });
    const mine = await store.audit.list("OA", { limit: 50, actorUser: USER });
    // actors[i % 4]: a user behind even i (TK1/US…, OC3/US…); the operator at i % 4 === 3; the 30th is OB's.
    expect(mine.map((e) => e.id)).toEqual([28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2].map((i) => `AE${hex(i)}`));
    expect((await store.audit.list("OA", { limit: 50, actorCredential: "operator:cli import-csv" })).map((e) => e.id))
      .toEqual([27, 23, 19, 15, 11, 7, 3].map((i) => `AE${hex(i)}`));
    expect((await store.audit.list("OB", { limit: 50, actorUser: USER })).map((e) => e.id)).toEqual([`AE${hex(30)}`]);
  });

  it("fills in batches until none is left", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 8));
    for (let i = 1; i <= 23; i++) db.docs("audit_events").push(event(i, `TK${hex(i)}`, i % 2 ? "OA" : "OB"));
    expect(await backfillAuditActors(asDb(db), 5)).toBe(23);
    expect(db.docs("audit_events").every((d) => d.actorCredential === d.actor && d.actorUser === null)).toBe(true);
    expect(await backfillAuditActors(asDb(db), 5)).toBe(0);
  });

  it("fills in an event that lacks its organization too (its fields need none), once: nothing loops", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 8));
    const broken: Record<string, unknown> = event(1, `TK${hex(1)}/${USER}`);
    delete broken.orgId;
    db.docs("audit_events").push(broken);
    await migrateMongo(asDb(db), MIGRATION_STEPS);
    expect([db.docs("audit_events")[0]?.actorCredential, db.docs("audit_events")[0]?.actorUser]).toEqual([`TK${hex(1)}`, USER]);
    expect(db.docs("migrations").map((d) => d._id)).toContain(8);
  });
});
