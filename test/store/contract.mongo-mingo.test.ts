/**
 * The MongoDB store's repositories (src/store/mongo/*.ts, through `reposOf`) over a mingo-backed
 * test double of the driver (./mingo-db.ts): the store contract plus MongoDB-specific repository
 * behaviour, on every run, with no mongod. This is NOT a MongoDB test (see ./mingo-db.ts for what the
 * double models: snapshot-isolated transactions, write conflicts, unique indexes).
 * The real suite is contract.mongo.test.ts, which runs wherever a mongod is reachable.
 */
import type { Filter } from "../../src/domain/filter";
import { UniqueViolation } from "../../src/domain/ports/store";
import { parseFilter } from "../../src/scim/filter/parse";
import { GROUPS, USERS } from "../../src/scim/resource-types";
import { makeCtx, type DbLike, type Session, type TxState } from "../../src/store/mongo/ctx";
import { translate } from "../../src/store/mongo/errors";
import { ORGSCIM_USER_URN } from "../../src/store/mongo/resource-maps";
import { defineModels } from "../../src/store/mongo/models";
import { ORGSCIM_USER_SCHEMA } from "../../src/scim/schemas";
import { reposOf } from "../../src/store/mongo/repos";
import mongoose from "mongoose";
import { aGroup, anOrg, aUser } from "../helpers/fixtures";
import { runStoreContract } from "./contract";
import { MingoDb, type RecordedOp } from "./mingo-db";
import { ORG_SCOPED, violation } from "./org-routing";
import { mingoStore } from "./mingo-store";

const models = defineModels(mongoose.createConnection());
const openDouble = (db = new MingoDb()) => mingoStore({ db });

// Every document the store sends while the contract runs, for the organization-routing check below.
const recorded: RecordedOp[] = [];
runStoreContract("mongo repositories over a mingo double (not MongoDB)", async () => {
  const db = new MingoDb();
  db.onOp = (op) => void recorded.push(op);
  return openDouble(db);
}, async () => undefined);

describe("sharding by organization: what the store sent while the contract ran", () => {
  it("names one organization in every query, update and join on a sharded collection, but for the named cross-organization lookups", () => {
    expect(recorded.length).toBeGreaterThan(1_000);
    const sharded = recorded.filter((op) => ORG_SCOPED.has(op.collection));
    expect(new Set(sharded.map((op) => op.collection))).toEqual(ORG_SCOPED);
    expect([...new Set(recorded.map(violation).filter((v) => v !== null))]).toEqual([]);
  });

  it("would catch a query without an organization (a check that can fail)", async () => {
    const db = new MingoDb();
    const seen: RecordedOp[] = [];
    db.onOp = (op) => void seen.push(op);
    await db.collection("users").findOne({ _id: { $eq: "US1" } });
    await db.collection("group_members").aggregate([{ $match: { groupId: { $eq: "GP1" } } }]).toArray();
    await db.collection("users").aggregate([{ $match: { orgId: { $eq: "OR1" } } }, { $lookup: { from: "group_members", let: { key: "$_id" }, pipeline: [{ $match: { $expr: { $eq: ["$userId", "$$key"] } } }], as: "m" } }]).toArray();
    await db.collection("users").updateOne({ _id: { $eq: "US1" }, orgId: { $ne: "OR1" } }, { $set: { x: 1 } });
    expect(seen.map(violation)).toEqual([
      expect.stringContaining("users.find names no organization"),
      expect.stringContaining("group_members.aggregate names no organization"),
      expect.stringContaining("a $lookup into group_members (from users.aggregate) names no organization first"),
      expect.stringContaining("users.updateOne names no organization"),
    ]);
  });
});

describe("mongo repositories over a mingo double (not MongoDB)", () => {
  const filter = (text: string, resolver = USERS.resolver): Filter => parseFilter(text, resolver);

  it("stores extension attributes under encoded keys and gives them back as written", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const u = aUser(org.id, { data: { userName: "x@acme.test", [ent]: { department: "R&D", "a.b": 1 } } });
    await s.users.insert(u);
    const raw = s.db.docs("users")[0] as { data: Record<string, unknown> };
    expect(Object.keys(raw.data).some((k) => k.includes("."))).toBe(false);
    expect(await s.users.get(org.id, u.id)).toEqual(u);
    const hit = await s.users.list(org.id, { startIndex: 1, count: 10, filter: filter(`${ent}:department eq "r&d"`) });
    expect(hit.items.map((x) => x.id)).toEqual([u.id]);
  });

  it("filters users by group membership and groups by member display, through group_members", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    const [a, b] = [aUser(org.id, { displayName: "Ann" }), aUser(org.id)];
    await s.users.insert(a!); await s.users.insert(b!);
    const g = aGroup(org.id, { displayName: "Admins" }); await s.groups.insert(g);
    await s.groups.addMembers(org.id, g.id, [a!.id]);
    expect((await s.users.list(org.id, { startIndex: 1, count: 10, filter: filter(`groups.value eq "${g.id}"`) })).items.map((u) => u.id)).toEqual([a!.id]);
    expect((await s.users.list(org.id, { startIndex: 1, count: 10, filter: filter('groups.display eq "admins"') })).total).toBe(1);
    expect((await s.users.list(org.id, { startIndex: 1, count: 10, filter: filter("not (groups pr)") })).items.map((u) => u.id)).toEqual([b!.id]);
    expect((await s.groups.list(org.id, { startIndex: 1, count: 10, filter: filter('members[display eq "ann"]', GROUPS.resolver) })).total).toBe(1);
  });

  it("deletes a user's memberships with the user, and a group's with the group", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    const u = aUser(org.id); await s.users.insert(u);
    const [g1, g2] = [aGroup(org.id), aGroup(org.id)];
    await s.groups.insert(g1!); await s.groups.insert(g2!);
    await s.groups.addMembers(org.id, g1!.id, [u.id]);
    await s.groups.addMembers(org.id, g2!.id, [u.id]);
    expect((await s.groups.groupsOfUser(org.id, u.id)).map((g) => g.id)).toEqual([g1!.id, g2!.id]);
    expect(await s.groups.delete(org.id, g1!.id)).toBe(true);
    expect(s.db.docs("group_members")).toHaveLength(1);
    expect(await s.users.delete(org.id, u.id)).toBe(true);
    expect(s.db.docs("group_members")).toHaveLength(0);
  });

  it("reads a page of users' groups in two reads, whatever the page's size (not two per user)", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    const users = Array.from({ length: 40 }, () => aUser(org.id));
    for (const u of users) await s.users.insert(u);
    const groups = [aGroup(org.id), aGroup(org.id), aGroup(org.id)];
    for (const g of groups) await s.groups.insert(g);
    for (const [i, g] of groups.entries()) await s.groups.addMembers(org.id, g.id, users.filter((_, k) => k % (i + 2) === 0).map((u) => u.id));
    const readsFor = async (page: string[]) => {
      const ops: RecordedOp[] = [];
      s.db.onOp = (op) => void ops.push(op);
      const got = await s.groups.groupsOfUsers(org.id, page);
      s.db.onOp = null;
      for (const id of page) expect(got.get(id)).toEqual(await s.groups.groupsOfUser(org.id, id));
      return ops.map((op) => `${op.collection}.${op.op}`);
    };
    const small = await readsFor(users.slice(0, 2).map((u) => u.id));
    expect(small).toEqual(["group_members.find", "groups.find"]);
    expect(await readsFor(users.map((u) => u.id))).toEqual(small);
  });

  it("lists members in the users' insertion order, shows displayName else userName, and touches the group", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    const users = [aUser(org.id, { displayName: "Zed" }), aUser(org.id, { userName: "a@acme.test" }), aUser(org.id)];
    for (const u of users) await s.users.insert(u);
    const g = aGroup(org.id); await s.groups.insert(g);
    expect(await s.groups.addMembers(org.id, g.id, [users[2]!.id, users[0]!.id, users[1]!.id, users[0]!.id, "USnope"])).toBe(3);
    const page = await s.groups.listMembers(org.id, g.id, 2);
    expect(page).toMatchObject([{ id: users[0]!.id, display: "Zed" }, { id: users[1]!.id, display: "a@acme.test" }]);
    expect((await s.groups.listMembers(org.id, g.id, 2, page[1]!.order)).map((m) => m.id)).toEqual([users[2]!.id]);
    expect(await s.groups.touch(org.id, g.id, "2026-02-01T00:00:00.000Z")).toBe(2);
    expect(await s.groups.touch(anOrg().id, g.id, "x")).toBeNull();
    expect(await s.groups.removeAllMembers(org.id, g.id)).toBe(3);
  });

  it("keeps independent users out of get, find, list and existingUserIds, and counts roles", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    const ind = aUser(org.id, { status: "independent", externalId: "e" }); await s.users.insert(ind);
    const owner = aUser(org.id, { orgRole: "owner" }); await s.users.insert(owner);
    expect(await s.users.get(org.id, ind.id)).toBeNull();
    expect(await s.users.findByUserName(org.id, ind.userName)).toBeNull();
    expect(await s.users.findByExternalId(org.id, "e")).toBeNull();
    expect((await s.users.list(org.id, { startIndex: 1, count: 10 })).total).toBe(1);
    expect(await s.groups.existingUserIds(org.id, [ind.id, owner.id])).toEqual(new Set([owner.id]));
    expect(await s.users.countByRole(org.id, "owner")).toBe(1);
  });

  it("sorts and pages by index, and pages by cursor only in the stable order", async () => {
    const s = openDouble();
    const org = anOrg(); await s.orgs.insert(org);
    for (const n of ["b", "C", "a", "d"]) await s.users.insert(aUser(org.id, { userName: `${n}@acme.test` }));
    const sorted = await s.users.list(org.id, { startIndex: 2, count: 2, sort: { attr: USERS.resolver.resolve("userName"), descending: false } });
    expect(sorted.items.map((u) => u.userName)).toEqual(["b@acme.test", "C@acme.test"]);
    const first = await s.users.list(org.id, { startIndex: 1, count: 3, cursor: "" });
    expect(first.items.map((u) => u.userName)).toEqual(["b@acme.test", "C@acme.test", "a@acme.test"]);
    const rest = await s.users.list(org.id, { startIndex: 1, count: 3, cursor: first.nextCursor! });
    expect(rest.items.map((u) => u.userName)).toEqual(["d@acme.test"]);
    expect(rest.nextCursor).toBeUndefined();
    await expect(s.users.list(org.id, { startIndex: 1, count: 3, cursor: "", sort: { attr: USERS.resolver.resolve("userName"), descending: false } }))
      .rejects.toMatchObject({ code: 1003 });
    await expect(s.users.list(org.id, { startIndex: 1, count: 3, cursor: "garbage" })).rejects.toMatchObject({ code: 2004 });
  });

  it("keeps one verified owner per domain name, case-insensitively, while several organizations may hold pending claims", async () => {
    const s = openDouble();
    const [a, b, c] = [anOrg(), anOrg(), anOrg()];
    const d = { id: "DM1", orgId: a.id, name: "Acme.test", state: "verified" as const, challenge: "c", created: "2026-01-01T00:00:00.000Z", verifiedAt: null };
    await s.domains.insert(d);
    const other = { ...d, id: "DM2", orgId: b.id, name: "acme.TEST", state: "pending" as const };
    await expect(s.domains.insert(other)).resolves.toBeUndefined();
    await expect(s.domains.insert({ ...other, id: "DM3", orgId: c.id })).resolves.toBeUndefined();
    // a second owner, and a second claim of one organization, are refused by the store
    await expect(s.domains.update({ ...other, state: "verified" })).rejects.toEqual(new UniqueViolation("name"));
    await expect(s.domains.insert({ ...other, id: "DM4" })).rejects.toEqual(new UniqueViolation("name"));
    expect((await s.domains.findOwner("ACME.test"))?.id).toBe("DM1");
    expect((await s.domains.listByName("acme.test")).map((x) => x.id).sort()).toEqual(["DM1", "DM2", "DM3"]);
    expect(await s.domains.get(b.id, "DM1")).toBeNull();
    expect(await s.domains.update({ ...d, state: "removed" })).toBe(true);
    expect(await s.domains.findOwner("acme.test")).toBeNull();
    expect((await s.domains.get(a.id, "DM1"))?.state).toBe("removed");
    await expect(s.domains.update({ ...other, state: "verified" })).resolves.toBe(true);
    expect((await s.domains.findOwner("acme.test"))?.id).toBe("DM2");
    expect((await s.domains.list(b.id)).map((x) => x.id)).toEqual(["DM2"]);
  });

  it("lists audit events before a given one, by action, newest first, with keys containing dots intact", async () => {
    const s = openDouble();
    const org = anOrg();
    for (const [i, action] of ["user.create", "group.create", "user.create"].entries()) {
      await s.audit.append({ id: `AE${i}`, orgId: org.id, time: "t", actor: "a", action, targetType: "User", targetId: null, outcome: "success", before: null, after: { "urn:x:2.0:User": { $k: i } } });
    }
    expect((await s.audit.list(org.id, { limit: 10, action: "user.create" })).map((e) => e.id)).toEqual(["AE2", "AE0"]);
    expect((await s.audit.list(org.id, { limit: 10, before: "AE2" })).map((e) => e.id)).toEqual(["AE1", "AE0"]);
    expect(await s.audit.list(org.id, { limit: 10, before: "AEnope" })).toEqual([]);
    expect((await s.audit.list(org.id, { limit: 1 }))[0]?.after).toEqual({ "urn:x:2.0:User": { $k: 2 } });
  });

  it("dooms a transaction after a duplicate key: later writes throw it, later reads see committed data", async () => {
    const db = new MingoDb();
    const s = openDouble(db);
    const org = anOrg(); await s.orgs.insert(org);
    await s.users.insert(aUser(org.id, { userName: "taken@acme.test" }));
    const state: TxState = { doomed: null };
    const tx = reposOf(makeCtx(db as unknown as DbLike, models, { tx: { session: {} as Session, state } }));
    await expect(tx.users.insert(aUser(org.id, { userName: "TAKEN@acme.test" }))).rejects.toEqual(new UniqueViolation("userName"));
    expect(state.doomed).toEqual(new UniqueViolation("userName"));
    expect((await tx.users.findByUserName(org.id, "taken@acme.test"))?.userName).toBe("taken@acme.test");
    await expect(tx.orgs.insert(anOrg())).rejects.toBe(state.doomed);
  });
});

describe("mongo store: error translation and constants", () => {
  it("names the field of a duplicate key from the index's key pattern, else from the message", () => {
    expect(translate({ code: 11000, keyPattern: { orgId: 1, userNameLower: 1 } })).toEqual(new UniqueViolation("userName"));
    expect(translate({ code: 11000, keyPattern: { orgId: 1, displayNameLower: 1 } })).toEqual(new UniqueViolation("displayName"));
    expect(translate({ code: 11000, keyPattern: { claimedName: 1 } })).toEqual(new UniqueViolation("name"));
    expect(translate({ code: 11000, keyPattern: { _id: 1 } })).toEqual(new UniqueViolation("id"));
    expect(translate({ code: 11000, message: "E11000 duplicate key error index: orgId_1_userNameLower_1" })).toEqual(new UniqueViolation("userName"));
  });

  it("turns network, selection, shutdown and not-primary errors into StoreUnavailable, and leaves others alone", () => {
    for (const name of ["MongoNetworkError", "MongoServerSelectionError", "MongoNotConnectedError", "MongoTopologyClosedError"]) {
      const e = Object.assign(new Error("x"), { name });
      expect(translate(e)).toMatchObject({ name: "StoreUnavailable" });
    }
    for (const code of [91, 189, 10107, 11600, 13435]) expect(translate(Object.assign(new Error("x"), { code }))).toMatchObject({ name: "StoreUnavailable" });
    const other = Object.assign(new Error("bad"), { code: 2 });
    expect(translate(other)).toBe(other);
  });

  it("knows the orgscim extension by the URN the SCIM layer uses", () => {
    expect(ORGSCIM_USER_URN).toBe(ORGSCIM_USER_SCHEMA);
  });
});
