/**
 * File-format checks: what a line must hold before it is planned, and how records are compared
 * (a record equal to its match is left alone).
 */
import { Errors } from "../errors";
import { ORG_ROLES, type MemberStatus, type UserRecord } from "../types";
import { userAddress } from "../user-address";
import { shape as shapeUser } from "../user-checks";
import type { ImportCounts, ImportedUser, ImportMeta } from "./types";

export const lower = (s: string) => s.toLowerCase();
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with sorted keys: equal values, equal text, whatever the key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

export function requireFields(record: Record<string, unknown>, fields: string[], what: string): void {
  for (const f of fields) if (typeof record[f] !== "string" || record[f] === "") throw Errors.importFormat(`${what}: '${f}' is required and must be a non-empty string.`);
}

export type UserFields = Omit<UserRecord, "id" | "orgId" | "version" | "created" | "lastModified">;

/**
 * The stored fields of a user line: its SCIM attributes pass the API's own checks (user-checks.ts
 * `shape`: a userName, one primary email, ...), then the orgscim fields: a status, and an org
 * role for a managed or pending user (none for an independent one, who holds account roles only).
 */
export function userFields(u: ImportedUser): UserFields {
  const data = { ...u.data };
  const s = shapeUser(data);
  const status = u.status ?? "managed";
  if (!isMemberStatus(status)) throw Errors.invalidValue(`status must be managed, pending or independent, got ${JSON.stringify(status)}.`);
  if (status === "independent" && u.orgRole) {
    throw Errors.invalidValue("An independent user holds no org role (access to some accounts only): drop orgRole, or import the user as managed or pending.");
  }
  if (u.orgRole !== undefined && u.orgRole !== null && !ORG_ROLES.includes(u.orgRole)) throw Errors.invalidValue(`orgRole must be one of ${ORG_ROLES.join(", ")}.`);
  // Named one by one, not spread from `s`: V8 copies a spread object and then adds each further
  // property by a map transition of the copy, ~5 µs a user line (4x the checks above).
  return {
    userName: s.userName,
    externalId: s.externalId,
    displayName: s.displayName,
    active: s.active,
    emails: s.emails,
    status,
    orgRole: status === "independent" ? null : u.orgRole ?? "standard",
    twoFactorRequired: u.twoFactorRequired ?? false,
    passwordResetRequired: u.passwordResetRequired ?? false,
    data,
  };
}

const isMemberStatus = (s: string): s is MemberStatus => s === "managed" || s === "pending" || s === "independent";

export const USER_FIELDS = ["userName", "externalId", "displayName", "active", "status", "orgRole", "twoFactorRequired", "passwordResetRequired", "data"] as const;
export const sameFields = <T extends object>(a: T, b: T, keys: readonly (keyof T)[]): boolean => keys.every((k) => canonical(a[k]) === canonical(b[k]));
/** Whether `current` has every field of `line` (but its id) with the same value: fields a line does not carry are not compared. */
export const sameAsLine = <T extends object>(current: T, line: T): boolean =>
  sameFields(current, line, (Object.keys(line) as (keyof T)[]).filter((k) => k !== "id" && line[k] !== undefined));

/** The user's address: the primary email, else an email userName (user-address.ts; docs/security.md case 85). */
export const primaryOf = (u: Pick<UserRecord, "emails" | "userName">): string | null => userAddress(u);

export function metaOf(m: ImportMeta, now: string): { created: string; lastModified: string; version: number } {
  const iso = (s: string | undefined) => (s !== undefined && !Number.isNaN(Date.parse(s)) ? s : now);
  return { created: iso(m.created), lastModified: iso(m.lastModified), version: Number.isSafeInteger(m.version) && m.version! > 0 ? m.version! : 1 };
}

export const emptyCounts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
