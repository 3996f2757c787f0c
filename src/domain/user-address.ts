/**
 * The address a user stands for: their primary email (the first, when none is marked), or, for a
 * user without emails, their userName when it is an email address. What a managed user holds
 * against other organizations' invitations, and what an import asks the domain and managed-once
 * rules about (docs/tenancy.md; docs/security.md case 85), as SCIM's domain check asks about the
 * same address (user-checks.ts checkDomains: "a primary email, or an email userName alone").
 * The stores keep it per user (SQLite's primary_email column, MongoDB's primaryEmailLower).
 */
import type { UserRecord } from "./types";
import { looksLikeEmail } from "./user-checks";

export function userAddress(u: Pick<UserRecord, "userName" | "emails">): string | null {
  const email = (u.emails.find((e) => e.primary) ?? u.emails[0])?.value;
  if (email !== undefined && email !== null) return email;
  return typeof u.userName === "string" && looksLikeEmail(u.userName) ? u.userName : null;
}
