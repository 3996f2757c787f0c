/**
 * The store contract under concurrency: what racing callers may and may not observe. On SQLite the
 * writers serialize; on MongoDB (and the double, which models snapshot isolation and write
 * conflicts) they run at once, so these are the cases that catch write skew and late commits.
 */
import { UniqueViolation, type Store } from "../../../src/domain/ports/store";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const ROUNDS = 12;

/** A promise and the function that resolves it. */
function gate(): { open: () => void; wait: Promise<void> } {
  let open = () => undefined as void;
  const wait = new Promise<void>((r) => { open = r; });
  return { open, wait };
}

export function races(it_: ContractIt, store: () => Store): void {
  it_("never leaves a membership of a user deleted while it was being added to a group", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const g = aGroup(org.id); await store().groups.insert(g);
    for (let round = 0; round < ROUNDS; round++) {
      const u = aUser(org.id); await store().users.insert(u);
      const [added, deleted] = await Promise.all([
        store().transaction((tx) => tx.groups.addMembers(org.id, g.id, [u.id])),
        store().transaction((tx) => tx.users.delete(org.id, u.id)),
      ]);
      expect(deleted).toBe(true);
      expect([0, 1]).toContain(added);
      expect(await store().groups.groupsOfUser(org.id, u.id)).toEqual([]);
    }
    expect(await store().groups.countMembers(org.id, g.id)).toBe(0);
    expect(await store().groups.listMembers(org.id, g.id, 100)).toEqual([]);
  }, 120_000);

  it_("never leaves a membership in a group deleted while members were being added", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const u = aUser(org.id); await store().users.insert(u);
    for (let round = 0; round < ROUNDS; round++) {
      const g = aGroup(org.id); await store().groups.insert(g);
      await Promise.all([
        store().transaction((tx) => tx.groups.addMembers(org.id, g.id, [u.id])),
        store().transaction((tx) => tx.groups.delete(org.id, g.id)),
      ]);
      expect(await store().groups.get(org.id, g.id)).toBeNull();
      expect(await store().groups.countMembers(org.id, g.id)).toBe(0);
    }
    expect(await store().groups.groupsOfUser(org.id, u.id)).toEqual([]);
  }, 120_000);

  it_("pages by cursor past no user whose insert commits late: a walk sees every insert done before its last page", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    for (let i = 0; i < 3; i++) await store().users.insert(aUser(org.id));
    const late = aUser(org.id, { userName: "late@acme.test" });
    const after = [aUser(org.id, { userName: "early@acme.test" }), aUser(org.id, { userName: "tail@acme.test" })];
    const done = new Set<string>();
    const hold = gate();
    const inserted = gate();
    // A transaction inserts `late` and stays open while two more inserts are started.
    const slow = store().transaction(async (tx) => {
      await tx.users.insert(late);
      inserted.open();
      await hold.wait;
    }).then(() => void done.add(late.id));
    await inserted.wait;
    const quick = after.map((u) => store().transaction((tx) => tx.users.insert(u)).then(() => void done.add(u.id)));
    await new Promise((r) => setTimeout(r, 150));
    // A reader walks one user a page; once it has passed four users, `late` commits.
    const seen: string[] = [];
    let required = new Set<string>();
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      required = new Set(done);
      const page: Awaited<ReturnType<Store["users"]["list"]>> = await store().users.list(org.id, { startIndex: 1, count: 1, cursor });
      seen.push(...page.items.map((u) => u.id));
      if (seen.length === 4) {
        hold.open();
        await slow;
      }
      cursor = page.nextCursor;
    }
    hold.open();
    await Promise.all([slow, ...quick]);
    // Every insert that had completed when the walk asked for its last page is in the walk.
    expect([...required].filter((id) => !seen.includes(id))).toEqual([]);
    expect(new Set(seen).size).toBe(seen.length);
  }, 120_000);

  it_("keeps exactly one of 50 racing creates of one userName, and of one group name", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const users = await Promise.allSettled(Array.from({ length: 50 }, (_, i) =>
      store().transaction((tx) => tx.users.insert(aUser(org.id, { userName: i % 2 ? "race@acme.test" : "RACE@acme.test" })))));
    expect(users.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of users) if (r.status === "rejected") expect(r.reason).toEqual(new UniqueViolation("userName"));
    const groups = await Promise.allSettled(Array.from({ length: 50 }, (_, i) =>
      store().transaction((tx) => tx.groups.insert(aGroup(org.id, { displayName: i % 2 ? "Racers" : "RACERS" })))));
    expect(groups.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of groups) if (r.status === "rejected") expect(r.reason).toEqual(new UniqueViolation("displayName"));
    expect((await store().users.list(org.id, { startIndex: 1, count: 100 })).total).toBe(1);
  }, 120_000);

  it_("loses no member when 200 adds to one group race, and adds each once", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const g = aGroup(org.id); await store().groups.insert(g);
    const users = Array.from({ length: 200 }, () => aUser(org.id));
    for (const u of users) await store().users.insert(u);
    const added = await Promise.all(users.map((u) => store().groups.addMembers(org.id, g.id, [u.id])));
    expect(added.reduce((a, b) => a + b, 0)).toBe(200);
    expect(await store().groups.countMembers(org.id, g.id)).toBe(200);
    expect(await Promise.all(users.slice(0, 20).map((u) => store().groups.addMembers(org.id, g.id, [u.id])))).toEqual(Array(20).fill(0));
  }, 120_000);

  it_("numbers inserts so that racing transactions of one organization all commit, each seen once by cursor", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const users = Array.from({ length: 30 }, () => aUser(org.id));
    await Promise.all(users.map((u) => store().transaction((tx) => tx.users.insert(u))));
    const seen: string[] = [];
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      const page: Awaited<ReturnType<Store["users"]["list"]>> = await store().users.list(org.id, { startIndex: 1, count: 7, cursor });
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(users.map((u) => u.id).sort());
  }, 120_000);
}
