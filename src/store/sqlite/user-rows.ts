/** A user as the users and user_emails rows hold it (shared by ./users.ts and ./users-batch.ts). */
import type { UserRecord } from "../../domain/types";
import { userAddress } from "../../domain/user-address";
import { foldCase } from "./fold";

/** primary_email: the user's address (their primary email, else an email userName: docs/security.md case 85). */
const primaryEmail = (u: UserRecord): string | null => userAddress(u);

/** The columns of a users row, in userValues' order (the INSERTs of ./users.ts and ./users-batch.ts). */
export const USER_COLUMNS = [
  "id", "org_id", "user_name", "user_name_fold", "external_id", "display_name", "active", "status", "org_role",
  "two_factor_required", "password_reset_required", "primary_email", "data", "version", "created", "last_modified",
] as const;

/** A user's row as positional parameters, USER_COLUMNS' order: an INSERT binds them without an object of named ones. */
export const userValues = (u: UserRecord): unknown[] => [
  u.id, u.orgId, u.userName, foldCase(u.userName), u.externalId, u.displayName, u.active ? 1 : 0, u.status, u.orgRole,
  u.twoFactorRequired ? 1 : 0, u.passwordResetRequired ? 1 : 0, primaryEmail(u), JSON.stringify(u.data), u.version, u.created, u.lastModified,
];

/** A user's row by column name (an UPDATE compares and sets some of them): userValues named. */
export const userParams = (u: UserRecord): Record<(typeof USER_COLUMNS)[number], unknown> => {
  const values = userValues(u);
  const p = {} as Record<(typeof USER_COLUMNS)[number], unknown>;
  USER_COLUMNS.forEach((c, i) => { p[c] = values[i]; });
  return p;
};

/** The email rows of a user, as user_emails holds them (value, its fold, type, primary); values that are not strings are not indexed. */
export const emailRows = (u: UserRecord): Array<[string, string, string | null, 0 | 1]> =>
  u.emails.flatMap((e) => (typeof e.value === "string" ? [[e.value, foldCase(e.value), e.type ?? null, e.primary ? 1 : 0] as [string, string, string | null, 0 | 1]] : []));
