/**
 * What /v1 shows of every user, in the organization's user list (Member, ./invitations-routes.ts)
 * and on a user's own resource (User, ./users-routes.ts): the same fields, read the same way, so
 * that a row of the list and the user's page cannot disagree.
 */
import { z } from "zod";
import type { UserRecord } from "../../domain/types";

export const USER_STATUSES = ["managed", "pending", "independent"] as const;

export const userFields = {
  sid: z.string(),
  user_name: z.string(),
  email: z.string().nullable(),
  display_name: z.string().nullable(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  active: z.boolean(),
  external_id: z.string().nullable().describe("The identity provider's id for the user (SCIM externalId); null: none"),
  managed_by_idp: z.boolean().describe("Whether the identity provider manages this user: it has an externalId, which only SCIM (or an import of the identity provider's records) sets. The identity provider's next update overwrites user_name, the names, emails and active: change those there"),
  date_created: z.string(),
  date_updated: z.string(),
};
type UserFields = { [K in keyof typeof userFields]: z.infer<(typeof userFields)[K]> };

/** A part of the SCIM `name` as the user's data holds it; null when absent or not text. */
function namePart(u: UserRecord, part: "givenName" | "familyName"): string | null {
  const name = u.data.name;
  const v: unknown = typeof name === "object" && name !== null ? Reflect.get(name, part) : undefined;
  return typeof v === "string" ? v : null;
}

export function userFieldsOf(u: UserRecord): UserFields {
  return {
    sid: u.id,
    user_name: u.userName,
    email: u.emails.find((e) => e.primary)?.value ?? u.emails[0]?.value ?? null,
    display_name: u.displayName,
    given_name: namePart(u, "givenName"),
    family_name: namePart(u, "familyName"),
    status: u.status,
    active: u.active,
    external_id: u.externalId,
    managed_by_idp: u.externalId !== null,
    date_created: u.created,
    date_updated: u.lastModified,
  };
}
