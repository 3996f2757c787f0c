/**
 * A user as a store that keeps its attributes as JSON text holds it (SQLite's users.data, written as
 * JSON.stringify(data)): its columns and that text, not parsed. A page of users without
 * attributes/excludedAttributes copies each text into its answer (src/scim/user-json.ts) instead of
 * parsing it and serialising the object again; anything else parses it (parsedUser). Not a
 * UserRecord, so nothing can read attributes a StoredUser does not have parsed.
 */
import type { Email, GroupBinding, UserRecord } from "./types";

/** Every field of a user record but the two read from its attributes. */
export type UserColumns = Omit<UserRecord, "emails" | "data">;

export interface StoredUser extends UserColumns {
  /** JSON.stringify of the user's attributes (UserRecord.data), as stored. */
  dataText: string;
  /**
   * The user's groups (GroupRepo.groupsOfUser's list, each a ./ports/store.ts GroupRef, written out
   * here since that file imports this one), when the store read them with the page.
   */
  groups?: { id: string; display: string | null; builtin: boolean; binding: GroupBinding | null }[];
}

export const isStoredUser = (u: UserRecord | StoredUser): u is StoredUser => typeof (u as StoredUser).dataText === "string";

/** The user record of `s`: its attributes parsed, emails read from them as a store reads them. */
export function parsedUser(s: StoredUser): UserRecord {
  const data = JSON.parse(s.dataText) as Record<string, unknown>;
  return {
    id: s.id,
    orgId: s.orgId,
    userName: s.userName,
    externalId: s.externalId,
    displayName: s.displayName,
    active: s.active,
    status: s.status,
    orgRole: s.orgRole,
    twoFactorRequired: s.twoFactorRequired,
    passwordResetRequired: s.passwordResetRequired,
    emails: Array.isArray(data.emails) ? (data.emails as Email[]) : [],
    data,
    version: s.version,
    created: s.created,
    lastModified: s.lastModified,
  };
}
