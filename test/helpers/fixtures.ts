/** Record builders for tests: complete, valid records with overridable fields. */
import { newId } from "../../src/domain/ids";
import { DEFAULT_ORG_SETTINGS, type GroupRecord, type Organization, type UserRecord } from "../../src/domain/types";

const NOW = "2026-01-01T00:00:00.000Z";

export function anOrg(over: Partial<Organization> = {}): Organization {
  return { id: newId("OR"), name: "Acme", settings: { ...DEFAULT_ORG_SETTINGS }, created: NOW, lastModified: NOW, ...over };
}

export function aUser(orgId: string, over: Partial<UserRecord> = {}): UserRecord {
  const userName = over.userName ?? `user-${Math.random().toString(36).slice(2, 10)}@acme.test`;
  const emails = over.emails ?? [{ value: userName, type: "work", primary: true }];
  return {
    id: newId("US"),
    orgId,
    userName,
    externalId: null,
    displayName: null,
    active: true,
    status: "managed",
    orgRole: "standard",
    twoFactorRequired: false,
    passwordResetRequired: false,
    emails,
    data: { userName, emails, active: true, name: { givenName: "Given", familyName: "Family" } },
    version: 1,
    created: NOW,
    lastModified: NOW,
    ...over,
  };
}

export function aGroup(orgId: string, over: Partial<GroupRecord> = {}): GroupRecord {
  const displayName = over.displayName ?? `group-${Math.random().toString(36).slice(2, 10)}`;
  return {
    id: newId("GP"), orgId, displayName, externalId: null, builtin: false, binding: null,
    data: { displayName }, version: 1, created: NOW, lastModified: NOW, ...over,
  };
}


/**
 * A builder of users numbered in order (ids and userNames `u1@acme.test`, `u2@...` sort as made), for
 * tests of list order and paging; `at` is their created/lastModified.
 */
export function orderedUsers(at: string): (orgId: string, over?: Partial<UserRecord>) => UserRecord {
  let n = 0;
  return (orgId, over = {}) => {
    n++;
    return {
      id: `US${String(n).padStart(30, "0")}`, orgId, userName: `u${n}@acme.test`, externalId: null, displayName: null,
      active: true, status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false,
      emails: [], data: { userName: `u${n}@acme.test` }, version: 1, created: at, lastModified: at, ...over,
    };
  };
}
