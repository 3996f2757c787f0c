/**
 * File-format checks: what a line must hold before it is planned, and how records are compared
 * (a record equal to its match is left alone).
 */
import { Errors } from "../errors";
import { ORG_ROLES, type Email, type UserRecord } from "../types";
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

export function text(v: unknown, what: string, max = 256): string {
  if (typeof v !== "string" || v.trim() === "") throw Errors.invalidValue(`${what} is required and must be a non-empty string.`);
  if (v.length > max) throw Errors.invalidValue(`${what} is longer than ${max} characters.`);
  return v;
}

export const optionalText = (v: unknown, what: string): string | null => (v === undefined || v === null || v === "" ? null : text(v, what, 4096));

export function requireFields(record: Record<string, unknown>, fields: string[], what: string): void {
  for (const f of fields) if (typeof record[f] !== "string" || record[f] === "") throw Errors.importFormat(`${what}: '${f}' is required and must be a non-empty string.`);
}

/** The stored shape of an imported user: the same invariants createUser keeps (one primary email, a role when managed). */
export function userFields(u: ImportedUser): Omit<UserRecord, "id" | "orgId" | "version" | "created" | "lastModified"> {
  const data = { ...u.data };
  const userName = text(data.userName, "userName");
  const active = data.active ?? true;
  if (typeof active !== "boolean") throw Errors.invalidValue("active must be true or false.");
  data.active = active;
  const raw = data.emails ?? [];
  if (!Array.isArray(raw) || raw.some((e) => !isObject(e) || typeof e.value !== "string" || e.value === "")) {
    throw Errors.invalidValue("emails must be a list of {value, type, primary} with a non-empty value.");
  }
  const emails = raw as Email[];
  const primaries = emails.filter((e) => e.primary === true).length;
  if (primaries > 1) throw Errors.primaryEmail("A user has exactly one primary email; this line marks several as primary.");
  if (emails.length > 0 && primaries === 0) emails[0] = { ...emails[0]!, primary: true };
  if (emails.length > 0) data.emails = emails;
  const status = u.status ?? "managed";
  if (status !== "managed" && status !== "pending") throw Errors.invalidValue(`status must be managed or pending, got ${JSON.stringify(status)}.`);
  if (u.orgRole !== undefined && !ORG_ROLES.includes(u.orgRole)) throw Errors.invalidValue(`orgRole must be one of ${ORG_ROLES.join(", ")}.`);
  return {
    userName,
    externalId: optionalText(data.externalId, "externalId"),
    displayName: optionalText(data.displayName, "displayName"),
    active,
    status,
    orgRole: u.orgRole ?? "standard",
    twoFactorRequired: u.twoFactorRequired ?? false,
    passwordResetRequired: u.passwordResetRequired ?? false,
    emails,
    data,
  };
}

export const USER_FIELDS = ["userName", "externalId", "displayName", "active", "status", "orgRole", "twoFactorRequired", "passwordResetRequired", "data"] as const;
export const sameFields = <T extends object>(a: T, b: T, keys: readonly (keyof T)[]): boolean => keys.every((k) => canonical(a[k]) === canonical(b[k]));
/** Whether `current` has every field of `line` (but its id) with the same value: fields a line does not carry are not compared. */
export const sameAsLine = <T extends object>(current: T, line: T): boolean =>
  sameFields(current, line, (Object.keys(line) as (keyof T)[]).filter((k) => k !== "id" && line[k] !== undefined));

export const primaryOf = (u: Pick<UserRecord, "emails">): string | null => u.emails.find((e) => e.primary)?.value ?? null;

export function metaOf(m: ImportMeta, now: string): { created: string; lastModified: string; version: number } {
  const iso = (s: string | undefined) => (s !== undefined && !Number.isNaN(Date.parse(s)) ? s : now);
  return { created: iso(m.created), lastModified: iso(m.lastModified), version: Number.isSafeInteger(m.version) && m.version! > 0 ? m.version! : 1 };
}

export const emptyCounts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
