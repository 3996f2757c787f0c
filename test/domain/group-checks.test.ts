/**
 * What a change of a group's members asks of the policy (src/domain/group-checks.ts): the checks
 * that need no read (readlessMemberChecks, what modifyGroup asks for an IdP's member PATCH of a
 * plain group) are exactly modifyChecks' for the same change, on every kind of group and change;
 * any change whose checks depend on what is stored (a group granting a role, attributes, a
 * binding) has none, and is asked of modifyChecks.
 */
import { operatorActor } from "../../src/domain/actor";
import { modifyChecks, readlessMemberChecks, type MemberChange } from "../../src/domain/group-checks";
import type { Repos } from "../../src/domain/ports/store";
import type { GroupBinding } from "../../src/domain/types";
import { aGroup, anOrg } from "../helpers/fixtures";

const org = anOrg();
const actor = operatorActor(org, "group-checks test");
const repos = { accounts: { get: async () => null }, users: { get: async () => null } } as unknown as Repos;

const GROUPS: [string, { builtin: boolean; binding: GroupBinding | null }][] = [
  ["a plain group", { builtin: false, binding: null }],
  ["a plain group bound to Standard User", { builtin: false, binding: { kind: "orgRole", role: "standard" } }],
  ["the built-in Standard User group", { builtin: true, binding: { kind: "orgRole", role: "standard" } }],
  ["a group granting Administrator", { builtin: false, binding: { kind: "orgRole", role: "administrator" } }],
  ["the built-in Administrator group", { builtin: true, binding: { kind: "orgRole", role: "administrator" } }],
  ["a group granting Owner", { builtin: false, binding: { kind: "orgRole", role: "owner" } }],
  ["a group granting an account role", { builtin: false, binding: { kind: "accountRole", accountId: "AC00000000000000000000000000000001", role: "developer" } }],
];
const U = "US00000000000000000000000000000001";
const CHANGES: [string, MemberChange[]][] = [
  ["nothing", []],
  ["an add", [{ kind: "add", ids: [U] }]],
  ["a remove", [{ kind: "remove", ids: [U] }]],
  ["a remove of all", [{ kind: "removeAll" }]],
  ["a replace", [{ kind: "replace", ids: [U] }]],
  ["a remove then an add", [{ kind: "remove", ids: [U] }, { kind: "add", ids: [U] }]],
];

describe("readlessMemberChecks", () => {
  for (const [groupName, shape] of GROUPS) {
    for (const [changeName, changes] of CHANGES) {
      it(`asks what modifyChecks asks, or leaves it to it, for ${changeName} on ${groupName}`, async () => {
        const group = aGroup(org.id, shape);
        const readless = readlessMemberChecks(group, changes);
        if (readless === null) return;
        const full = await modifyChecks(repos, actor, group, null, changes);
        expect(readless).toEqual(full.checks);
        expect(full.demotable.size).toBe(0);
      });
    }
  }

  it("needs no read only for members changed on a group whose membership grants nothing", () => {
    const answered = GROUPS.flatMap(([g, shape]) => CHANGES.filter(([, c]) => readlessMemberChecks(aGroup(org.id, shape), c) !== null).map(([c]) => `${c} on ${g}`));
    expect(answered).toEqual([
      "an add on a plain group", "a remove on a plain group", "a remove of all on a plain group", "a replace on a plain group", "a remove then an add on a plain group",
      "an add on a plain group bound to Standard User", "a remove on a plain group bound to Standard User", "a remove of all on a plain group bound to Standard User",
      "a replace on a plain group bound to Standard User", "a remove then an add on a plain group bound to Standard User",
    ]);
  });
});
