/**
 * MongoDB migration 7 (over the mingo double of the driver, not MongoDB): memberships made before
 * it get an id of their own and a created time (the later of their group's and user's), in
 * batches; then the indexes every list of memberships reads. The store lists them after it.
 */
import mongoose from "mongoose";
import { GROUP_MEMBER_INDEXES_V7, indexName } from "../../src/store/mongo/indexes";
import { backfillMembershipIds, MIGRATION_STEPS } from "../../src/store/mongo/migration-steps";
import { MigrationRefused, migrateMongo, type MigrationDb } from "../../src/store/mongo/migrations";
import { MingoDb } from "./mingo-db";
import { mingoStore } from "./mingo-store";

void mongoose;
const asDb = (db: MingoDb): MigrationDb => db as unknown as MigrationDb;

describe("MongoDB migration 7 (memberships have an id and a created time)", () => {
  it("gives every membership made before it a distinct id and the later of its group's and user's created time, then indexes them", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 7));
    const t = (day: number) => `2026-01-${String(day).padStart(2, "0")}T00:00:00.000Z`;
    db.docs("users").push(
      { _id: "USone", orgId: "OA", seq: 1, userName: "one@acme.test", displayName: null, created: t(5) },
      { _id: "UStwo", orgId: "OA", seq: 2, userName: "two@acme.test", displayName: "Two", created: t(1) },
      { _id: "USb", orgId: "OB", seq: 1, userName: "b@beta.test", displayName: null, created: t(2) },
    );
    db.docs("groups").push(
      { _id: "GPold", orgId: "OA", seq: 1, displayName: "Old", builtin: false, created: t(3) },
      { _id: "GPnew", orgId: "OA", seq: 2, displayName: "New", builtin: false, created: t(9) },
      { _id: "GPb", orgId: "OB", seq: 1, displayName: "B", builtin: false, created: t(1) },
    );
    for (let i = 0; i < 30; i++) db.docs("users").push({ _id: `USx${i}`, orgId: "OA", seq: 10 + i, userName: `x${i}@acme.test`, displayName: null, created: t(2) });
    // As every release wrote them: a userNameLower (unique per organization; migration 12 writes to these users).
    for (const u of db.docs("users")) u.userNameLower = String(u.userName).toLowerCase();
    const m = (g: string, u: string, orgId = "OA") => ({ _id: `${g}:${u}`, orgId, groupId: g, userId: u, userSeq: 1 });
    db.docs("group_members").push(m("GPold", "USone"), m("GPold", "UStwo"), m("GPnew", "USone"), m("GPb", "USb", "OB"));
    for (let i = 0; i < 30; i++) db.docs("group_members").push(m("GPold", `USx${i}`));

    const logged: string[] = [];
    await migrateMongo(asDb(db), MIGRATION_STEPS, { log: (line) => void logged.push(line) });
    const docs = db.docs("group_members");
    expect(docs.every((d) => typeof d.id === "string" && /^GM[0-9a-f]{32}$/.test(d.id))).toBe(true);
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
    const created = (id: string) => docs.find((d) => d._id === id)?.created;
    expect([created("GPold:USone"), created("GPold:UStwo"), created("GPnew:USone"), created("GPb:USb")]).toEqual([t(5), t(3), t(9), t(2)]);
    expect(logged.some((l) => l.includes("34 membership(s)"))).toBe(true);
    expect((db.indexes.get("group_members") ?? []).map((i) => i.name).sort()).toEqual(GROUP_MEMBER_INDEXES_V7.map((s) => indexName(s.key)).sort());

    const store = mingoStore({ db });
    const listed = await store.groups.listMemberships("OA", { groupId: "GPnew", startIndex: 1, count: 10 });
    expect(listed.items).toEqual([{ id: docs.find((d) => d._id === "GPnew:USone")!.id, groupId: "GPnew", groupDisplay: "New", userId: "USone", userDisplay: "one@acme.test", created: t(9) }]);
  });

  it("fills in batches until none is left, each membership once", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 7));
    for (let i = 0; i < 23; i++) db.docs("group_members").push({ _id: `GP:US${i}`, orgId: i % 2 ? "OA" : "OB", groupId: "GP", userId: `US${i}`, userSeq: i });
    expect(await backfillMembershipIds(asDb(db), 5)).toBe(23);
    expect(new Set(db.docs("group_members").map((d) => d.id)).size).toBe(23);
    expect(await backfillMembershipIds(asDb(db), 5)).toBe(0);
  });

  it("refuses, naming them, memberships it cannot give an id (no organization), and records nothing of the step", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 7));
    db.docs("group_members").push({ _id: "GPx:USx", groupId: "GPx", userId: "USx", userSeq: 1 });
    await expect(migrateMongo(asDb(db), MIGRATION_STEPS)).rejects.toBeInstanceOf(MigrationRefused);
    await expect(migrateMongo(asDb(db), MIGRATION_STEPS)).rejects.toThrow(/GPx:USx/);
    expect(db.docs("migrations").map((d) => d._id)).not.toContain(7);
  });
});
