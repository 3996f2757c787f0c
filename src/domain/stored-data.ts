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

/**
 * A user as its answer is rendered (src/scim/user-resource.ts renderUser): userName and displayName
 * are not read from the columns, the answer's are its attributes' (data), so a page need not read them.
 */
export type RenderedUser = Omit<UserRecord, "userName" | "displayName">;

/** The columns of a RenderedUser. */
export type RenderedColumns = Omit<UserColumns, "userName" | "displayName">;

export interface StoredUser extends RenderedColumns {
  /** JSON.stringify of the user's attributes (UserRecord.data), as stored. */
  dataText: string;
  /**
   * The user's groups (GroupRepo.groupsOfUser's list, each a ./ports/store.ts GroupRef, written out
   * here since that file imports this one), when the store read them with the page.
   */
  groups?: { id: string; display: string | null; builtin: boolean; binding: GroupBinding | null }[];
}

export const isStoredUser = (u: UserRecord | StoredUser): u is StoredUser => typeof (u as StoredUser).dataText === "string";

/** The user of `s` as its answer is rendered: its attributes parsed, emails read from them as a store reads them. */
export function parsedUser(s: StoredUser): RenderedUser {
  const data = JSON.parse(s.dataText) as Record<string, unknown>;
  return {
    id: s.id,
    orgId: s.orgId,
    externalId: s.externalId,
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
