/** groups.groupsOfUsers on SQLite (a SCIM page's groups in one query) answers what groupsOfUser answers for each user, in its order. */
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aGroup, aUser } from "../helpers/fixtures";

describe("groupsOfUsers on SQLite", () => {
  it("equals groupsOfUser for every user of the page: members of several groups, of none, unknown, and of another organization", async () => {
    const store = openSqliteStore({ path: ":memory:" });
    try {
      const [org, other] = [anOrg(), anOrg()];
      await store.orgs.insert(org);
      await store.orgs.insert(other);
      const users = Array.from({ length: 6 }, () => aUser(org.id));
      const foreign = aUser(other.id);
      for (const u of [...users, foreign]) await store.users.insert(u);
      const groups = Array.from({ length: 4 }, (_, i) => aGroup(org.id, i === 1 ? { binding: { kind: "orgRole", role: "administrator" } } : {}));
      for (const g of groups) await store.groups.insert(g);
      const foreignGroup = aGroup(other.id);
      await store.groups.insert(foreignGroup);
      // Added in an order unlike the groups' own, so the answer's order is the store's, not insertion's.
      await store.groups.addMembers(org.id, groups[3]!.id, [users[0]!.id, users[2]!.id]);
      await store.groups.addMembers(org.id, groups[0]!.id, [users[2]!.id, users[0]!.id, users[5]!.id]);
      await store.groups.addMembers(org.id, groups[1]!.id, [users[0]!.id]);
      await store.groups.addMembers(other.id, foreignGroup.id, [foreign.id]);
      const ids = [...users.map((u) => u.id).reverse(), "USunknown", foreign.id];
      const many = await store.groups.groupsOfUsers!(org.id, ids);
      expect([...many.keys()]).toEqual(ids);
      for (const id of ids) expect(many.get(id)).toEqual(await store.groups.groupsOfUser(org.id, id));
      expect(many.get(users[0]!.id)?.map((g) => g.id)).toEqual([groups[0]!.id, groups[1]!.id, groups[3]!.id]);
      expect(many.get(foreign.id)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
