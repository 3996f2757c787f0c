/**
 * What a change of a user asks of the policy: a lifecycle or role change asks for that; any change
 * of the profile (everything but `active`, the status and the org role) asks user.update too,
 * whatever the order of the attributes' keys; a write that changes nothing is still an update.
 */
import type { Repos } from "../../src/domain/ports/store";
import type { UserRecord } from "../../src/domain/types";
import { changeChecks } from "../../src/domain/user-checks";
import { aUser } from "../helpers/fixtures";

const repos = { groups: { groupsOfUser: async () => [] } } as unknown as Repos;
const actions = async (current: UserRecord, next: UserRecord) => (await changeChecks(repos, current, next)).map((c) => c.action);

describe("changeChecks", () => {
  const current = aUser("OR1", { displayName: "Ada" });
  current.data = { ...current.data, name: { givenName: "Ada", familyName: "Lovelace" }, title: "Eng", active: true };
  const deactivated = (over: Partial<UserRecord> = {}, data: Record<string, unknown> = {}): UserRecord =>
    ({ ...current, active: false, ...over, data: { ...current.data, active: false, ...data }, version: 2 });

  it("asks a deactivation alone when only `active` changes, the attributes' keys in another order included", async () => {
    expect(await actions(current, deactivated())).toEqual(["user.deactivate"]);
    const reordered = Object.fromEntries(Object.entries(current.data).reverse());
    reordered.name = { familyName: "Lovelace", givenName: "Ada", middleName: undefined };
    expect(await actions(current, { ...deactivated(), data: { ...reordered, active: false } })).toEqual(["user.deactivate"]);
  });

  it("asks user.update too when anything of the profile changes, however deep", async () => {
    expect(await actions(current, deactivated({ displayName: "Ada L." }))).toEqual(["user.deactivate", "user.update"]);
    expect(await actions(current, deactivated({}, { name: { givenName: "Ada", familyName: "Byron" } }))).toEqual(["user.deactivate", "user.update"]);
    expect(await actions(current, deactivated({}, { title: undefined }))).toEqual(["user.deactivate", "user.update"]);
    expect(await actions(current, deactivated({}, { nickName: "A" }))).toEqual(["user.deactivate", "user.update"]);
    expect(await actions(current, deactivated({ emails: [{ value: "other@acme.test", primary: true }] }))).toEqual(["user.deactivate", "user.update"]);
    expect(await actions(current, deactivated({ twoFactorRequired: true }))).toEqual(["user.deactivate", "user.update"]);
    expect(await actions(current, deactivated({}, { title: ["Eng"] }))).toEqual(["user.deactivate", "user.update"]);
  });

  it("asks user.update for a write that changes nothing", async () => {
    expect(await actions(current, { ...current, version: 2 })).toEqual(["user.update"]);
  });
});
