/** A user as the users and user_emails rows hold it (shared by ./users.ts and ./users-batch.ts). */
import type { UserRecord } from "../../domain/types";
import { foldCase } from "./fold";

const primaryEmail = (u: UserRecord): string | null =>
  (u.emails.find((e) => e.primary) ?? u.emails[0])?.value ?? null;

/** A user's row: the named parameters of the users INSERT and UPDATE (./users-batch.ts inserts many at once from it). */
export const userParams = (u: UserRecord) => ({
  id: u.id,
  org_id: u.orgId,
  user_name: u.userName,
  user_name_fold: foldCase(u.userName),
  external_id: u.externalId,
  display_name: u.displayName,
  active: u.active ? 1 : 0,
  status: u.status,
  org_role: u.orgRole,
  two_factor_required: u.twoFactorRequired ? 1 : 0,
  password_reset_required: u.passwordResetRequired ? 1 : 0,
  primary_email: primaryEmail(u),
  data: JSON.stringify(u.data),
  version: u.version,
  created: u.created,
  last_modified: u.lastModified,
});

/** The email rows of a user, as user_emails holds them (value, its fold, type, primary); values that are not strings are not indexed. */
export const emailRows = (u: UserRecord): Array<[string, string, string | null, 0 | 1]> =>
  u.emails.flatMap((e) => (typeof e.value === "string" ? [[e.value, foldCase(e.value), e.type ?? null, e.primary ? 1 : 0] as [string, string, string | null, 0 | 1]] : []));
