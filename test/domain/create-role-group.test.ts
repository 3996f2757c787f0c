/**
 * A create puts the new user in the built-in group of their direct org role and touches that group
 * alone (src/domain/user-checks.ts syncOrgRoleGroups, `fresh`): its members changed, so its version
 * moves on; the other built-in groups' do not, and the create answers that one group as the user's.
 */
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import { builtinOrgRoleGroups, orgRoleGroupId } from "../../src/domain/role-groups";
import type { OrgRole } from "../../src/domain/types";
import { createUser } from "../../src/domain/users";
import { openStore } from "../../src/store/open";
import { anOrg } from "../helpers/fixtures";

let store: Store;
beforeAll(async () => { store = await openStore("sqlite::memory:"); });
afterAll(() => store.close());

const ROLES: OrgRole[] = ["owner", "administrator", "standard"];

describe("a create and the built-in org-role groups", () => {
  it.each(["standard", "administrator"] as const)("a %s user joins the group of that role, whose version alone moves on", async (role) => {
    const org = anOrg({ settings: { ...anOrg().settings, domainEnforcement: false } });
    await store.orgs.insert(org);
    for (const g of builtinOrgRoleGroups(org.id, org.created)) await store.groups.insert(g);
    const versions = async () => Promise.all(ROLES.map(async (r) => (await store.groups.get(org.id, orgRoleGroupId(org.id, r)))?.version));
    const before = await versions();
    const made = await createUser({ store, clock: systemClock }, operatorActor(org, "create-role-group test"), {
      data: { userName: `${role}-${Math.random().toString(36).slice(2, 8)}@acme.test` },
      ...(role === "standard" ? {} : { orgRole: role }),
    });
    const after = await versions();
    expect(after).toEqual(ROLES.map((r, i) => (r === role ? before[i]! + 1 : before[i])));
    expect(made.groups?.map((g) => g.id)).toEqual([orgRoleGroupId(org.id, role)]);
    expect((await store.groups.groupsOfUser(org.id, made.user.id)).map((g) => g.id)).toEqual([orgRoleGroupId(org.id, role)]);
  });
});
