/**
 * The MongoDB store's versioned migrations (src/store/mongo/migrations.ts, migration-steps.ts), run
 * over the mingo double of the driver (./mingo-db.ts: collections, indexes, unique keys, upserts;
 * not MongoDB). Index reconciliation (create, change, drop), data steps, duplicate checks before
 * unique indexes, and the lock several instances starting at once contend for.
 */
import { INDEXES, INDEXES_V1, indexName, type IndexSpec } from "../../src/store/mongo/indexes";
import { MIGRATION_STEPS } from "../../src/store/mongo/migration-steps";
import { LEASE_MS, MigrationRefused, migrateMongo, NewerDatabaseError, reconcileIndexes, type MigrationDb, type MigrationStep } from "../../src/store/mongo/migrations";
import { MingoDb, type RecordedOp } from "./mingo-db";

const asDb = (db: MingoDb): MigrationDb => db as unknown as MigrationDb;
const indexesOf = (db: MingoDb, name: string) => (db.indexes.get(name) ?? []).map(({ name: n, ...spec }) => ({ name: n, ...spec }));
const wanted = (specs: readonly IndexSpec[]) => specs.map((s) => ({ name: indexName(s.key), ...s }));
const record = (db: MingoDb): RecordedOp[] => {
  const ops: RecordedOp[] = [];
  db.onOp = (op) => void ops.push(op);
  return ops;
};

describe("MongoDB migrations", () => {
  it("make every collection and exactly the indexes of indexes.ts on an empty database, and record each step", async () => {
    const db = new MingoDb({ indexes: "none" });
    const applied = await migrateMongo(asDb(db), MIGRATION_STEPS);
    expect(applied).toEqual(MIGRATION_STEPS.map((s) => s.version));
    for (const [name, specs] of Object.entries(INDEXES)) expect(indexesOf(db, name)).toEqual(wanted(specs));
    expect(db.docs("migrations").map((d) => d._id)).toEqual(MIGRATION_STEPS.map((s) => s.version));
    expect(db.docs("migrations").every((d) => typeof d.name === "string" && typeof d.appliedAt === "string")).toBe(true);
  });

  it("do nothing, and take no lock, on a start that finds every step recorded", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS);
    const ops = record(db);
    expect(await migrateMongo(asDb(db), MIGRATION_STEPS)).toEqual([]);
    expect(ops.filter((o) => o.op !== "find")).toEqual([]);
  });

  it("recognise a database from before versioned migrations, and number its inserts per organization from where they were", async () => {
    const db = new MingoDb({ indexes: "none" });
    for (const [name, specs] of Object.entries(INDEXES_V1)) {
      await db.createCollection(name);
      for (const s of specs) await db.collection(name).createIndex(s.key, { name: indexName(s.key), ...(s.unique ? { unique: true } : {}), ...(s.partialFilterExpression ? { partialFilterExpression: s.partialFilterExpression } : {}) });
    }
    db.docs("counters").push({ _id: "users", seq: 41 }, { _id: "groups", seq: 7 }, { _id: "audit_events", seq: 3 });
    db.docs("users").push({ _id: "U1", orgId: "OA", seq: 12 }, { _id: "U2", orgId: "OA", seq: 41 }, { _id: "U3", orgId: "OB", seq: 30 });
    db.docs("groups").push({ _id: "G1", orgId: "OB", seq: 7 });
    const ops = record(db);
    await migrateMongo(asDb(db), MIGRATION_STEPS);
    const v1Changes = ops.filter((o) => (o.op === "createIndex" || o.op === "dropIndex") && INDEXES_V1[o.collection]?.some((s) => indexName(s.key) === (o.doc?.name ?? "")));
    // Of the indexes of that time, only the ones migrations 5, 7 and 11 replace or drop are dropped.
    expect(v1Changes.filter((o) => o.op === "dropIndex").map((o) => `${o.collection}.${String(o.doc?.name)}`)).toEqual([
      "outbox.ref_1_status_1", "group_members.orgId_1_userId_1",
      "users.orgId_1_orgRole_1", "audit_events.orgId_1_time_1", "audit_events.orgId_1_seq_1", "audit_events.orgId_1_action_1_seq_1",
    ]);
    const counters = Object.fromEntries(db.docs("counters").map((d) => [d._id, d.seq]));
    expect(counters).toEqual({ "users:OA": 41, "users:OB": 30, "groups:OB": 7 });
  });

  it("recompute domain claims by the owner rule (claimedName for verified or revalidating, orgName for live) and index orgName", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 4));
    const d = (id: string, orgId: string, name: string, state: string, claimed: boolean) => ({
      _id: id, orgId, name, nameLower: name.toLowerCase(), state, challenge: "c", created: "2026-01-01T00:00:00.000Z", verifiedAt: null, revalidatingSince: null,
      ...(claimed ? { claimedName: name.toLowerCase() } : {}),
    });
    db.docs("domains").push(d("DM1", "OA", "Acme.test", "pending", true), d("DM2", "OB", "beta.test", "verified", true), d("DM3", "OA", "old.test", "removed", false));
    await migrateMongo(asDb(db), MIGRATION_STEPS);
    const byId = Object.fromEntries(db.docs("domains").map((x) => [x._id, [x.claimedName, x.orgName]]));
    expect(byId).toEqual({ DM1: [undefined, "OA/acme.test"], DM2: ["beta.test", "OB/beta.test"], DM3: [undefined, undefined] });
    expect(indexesOf(db, "domains").map((i) => i.name)).toContain("orgName_1");
  });

  it("re-create an index whose options changed, drop one orgscim no longer wants, and leave an operator's own index alone", async () => {
    const db = new MingoDb({ indexes: "none" });
    const key = { orgId: 1, name: 1 } as const;
    const old = { orgId: 1, gone: 1 } as const;
    const steps = (want: IndexSpec[], version: number, known: IndexSpec[]): MigrationStep => ({
      version, name: `v${version}`,
      up: (d, log) => reconcileIndexes(d, version, "things", want, new Set(known.map((s) => indexName(s.key))), log),
    });
    await migrateMongo(asDb(db), [steps([{ key }, { key: old }], 1, [])]);
    await db.collection("things").createIndex({ mine: 1 }, { name: "operators_own" });
    const log: string[] = [];
    await migrateMongo(asDb(db), [steps([{ key }, { key: old }], 1, []), steps([{ key, unique: true }], 2, [{ key }, { key: old }])], { log: (m) => log.push(m) });
    expect(indexesOf(db, "things")).toEqual([{ name: "operators_own", key: { mine: 1 } }, { name: "orgId_1_name_1", key, unique: true }]);
    expect(log).toEqual(expect.arrayContaining([
      "MongoDB migration 2: dropping index things.orgId_1_name_1 (its options changed)",
      "MongoDB migration 2: dropping index things.orgId_1_gone_1",
      "MongoDB migration 2: creating index things.orgId_1_name_1",
    ]));
  });

  it("migration 11: the users' role index holds owners only, and the audit indexes no query reads are dropped (an upgraded database ends as a new one)", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 11));
    expect(indexesOf(db, "audit_events").map((i) => i.name)).toEqual(expect.arrayContaining(["orgId_1_seq_1", "orgId_1_time_1", "orgId_1_action_1_seq_1"]));
    const log: string[] = [];
    expect(await migrateMongo(asDb(db), MIGRATION_STEPS, { log: (m) => log.push(m) })).toEqual([11, 12]);
    expect(indexesOf(db, "users").find((i) => i.name === "orgId_1_orgRole_1")).toEqual({ name: "orgId_1_orgRole_1", key: { orgId: 1, orgRole: 1 }, partialFilterExpression: { orgRole: "owner" } });
    expect(indexesOf(db, "audit_events").map((i) => i.name)).not.toEqual(expect.arrayContaining(["orgId_1_seq_1"]));
    for (const name of ["users", "audit_events"]) expect(indexesOf(db, name)).toEqual(wanted(INDEXES[name] ?? []));
    expect(log).toEqual(expect.arrayContaining([
      "MongoDB migration 11: dropping index users.orgId_1_orgRole_1 (its options changed)",
      "MongoDB migration 11: dropping index audit_events.orgId_1_seq_1",
      "MongoDB migration 11: dropping index audit_events.orgId_1_time_1",
      "MongoDB migration 11: dropping index audit_events.orgId_1_action_1_seq_1",
    ]));
  });

  it("refuse a unique index over documents that share its key, naming them, record nothing of that step, and run once they are fixed", async () => {
    const db = new MingoDb({ indexes: "none" });
    await db.createCollection("users");
    db.docs("users").push(
      { _id: "U1", orgId: "OA", userNameLower: "ann@x.test", seq: 1 },
      { _id: "U2", orgId: "OA", userNameLower: "ann@x.test", seq: 2 },
      { _id: "U3", orgId: "OB", userNameLower: "ann@x.test", seq: 1 },
    );
    const err = await migrateMongo(asDb(db), MIGRATION_STEPS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationRefused);
    expect((err as Error).message).toMatch(/MongoDB migration 1 cannot run: a unique index on users \(orgId, userNameLower\) cannot be created: these documents share a key: \["OA","ann@x.test"\]: U1, U2\. Resolve them/);
    expect(db.docs("migrations").filter((d) => typeof d._id === "number")).toEqual([]);
    expect(db.docs("migrations").filter((d) => d._id === "lock")).toEqual([]);
    db.docs("users").splice(1, 1);
    expect(await migrateMongo(asDb(db), MIGRATION_STEPS)).toEqual(MIGRATION_STEPS.map((s) => s.version));
  });

  it("run each step once when several instances start at once: the others wait for the lock, then find nothing to do", async () => {
    const db = new MingoDb({ indexes: "none" });
    let runs = 0;
    let inside = 0;
    const slow: MigrationStep = {
      version: 1, name: "slow",
      up: async () => {
        runs++;
        inside++;
        expect(inside).toBe(1);
        await new Promise((r) => setTimeout(r, 50));
        inside--;
      },
    };
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => migrateMongo(asDb(db), [slow], { owner: `instance-${i}`, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 10))) })));
    expect(runs).toBe(1);
    expect(results.flat()).toEqual([1]);
  });

  it("take over a lock whose holder died once its lease has run out, and tell a waiter who holds a live one", async () => {
    const db = new MingoDb({ indexes: "none" });
    let t = 1_000_000;
    const now = () => t;
    const sleep = async (ms: number) => { t += ms; };
    await db.createCollection("migrations");
    db.docs("migrations").push({ _id: "lock", owner: "dead-instance", until: t + LEASE_MS });
    const step: MigrationStep = { version: 1, name: "one", up: async () => undefined };
    await expect(migrateMongo(asDb(db), [step], { now, sleep, waitMs: 5_000 })).rejects.toThrow(/held by dead-instance .*lock until/);
    expect(await migrateMongo(asDb(db), [step], { now, sleep, waitMs: LEASE_MS + 5_000 })).toEqual([1]);
    expect(db.docs("migrations").filter((d) => d._id === "lock")).toEqual([]);
  });

  it("refuse, unchanged and before any lock, a database a newer orgscim migrated (a downgrade), naming its unknown versions", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS);
    const latest = Math.max(...MIGRATION_STEPS.map((s) => s.version));
    db.docs("migrations").push({ _id: latest + 1, name: "from a newer orgscim", appliedAt: "2027-01-01T00:00:00.000Z" });
    const before = JSON.stringify(db.docs("migrations"));
    const ops = record(db);
    const error = await migrateMongo(asDb(db), MIGRATION_STEPS).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(NewerDatabaseError);
    expect((error as Error).message).toBe(
      `This MongoDB database was written by a newer orgscim: it has migration(s) ${latest + 1}, and this orgscim knows migrations up to ${latest}. `
      + "Downgrading is not supported. Run the newer orgscim again, or restore a backup taken before the upgrade (README: Upgrades). The database was not changed.",
    );
    expect(ops.filter((o) => o.op !== "find")).toEqual([]);
    expect(JSON.stringify(db.docs("migrations"))).toBe(before);
  });

  it("refuse the database in an older release that has steps to run too, and one a newer instance migrated while this one waited for the lock", async () => {
    // The previous release (without the last step) meets a database the current one migrated.
    const older = MIGRATION_STEPS.slice(0, -1);
    const latest = MIGRATION_STEPS[MIGRATION_STEPS.length - 1]!.version;
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS);
    await expect(migrateMongo(asDb(db), older)).rejects.toThrow(`it has migration(s) ${latest}, and this orgscim knows migrations up to ${latest - 1}`);

    // A database at the older release's version: the older instance waits for a newer one's lock,
    // which records a step the older one does not know; once the lock is free, it refuses.
    const racing = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(racing), older.slice(0, -1));
    racing.docs("migrations").push({ _id: "lock", owner: "newer", until: Number.MAX_SAFE_INTEGER });
    let waits = 0;
    const sleep = async () => {
      waits += 1;
      if (waits === 2) {
        racing.docs("migrations").push({ _id: older[older.length - 1]!.version, name: "by the newer", appliedAt: "x" }, { _id: latest, name: "by the newer", appliedAt: "x" });
        racing.docs("migrations").splice(racing.docs("migrations").findIndex((d) => d._id === "lock"), 1);
      }
    };
    await expect(migrateMongo(asDb(racing), older, { sleep })).rejects.toBeInstanceOf(NewerDatabaseError);
    expect(waits).toBe(2);
    expect(racing.docs("migrations").some((d) => d._id === "lock")).toBe(false);
  });
});
