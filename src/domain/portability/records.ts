/**
 * File-format checks for the lines that are not SCIM resources: the organization, domains,
 * accounts, invitations, tokens and audit events. A line is checked field by field against the
 * record the store keeps (types, the values each field may take, ids in their shape, times in
 * ISO 8601), then against the rules the API applies to that record (a domain name as the API
 * normalizes it, never a public suffix or mail domain; an org role an invitation can carry; scopes that
 * exist). Unknown fields are refused, so nothing a file holds reaches the store unchecked, and no
 * record a check lets through can make a later API call fail on it.
 */
import { z } from "zod";
import { CHALLENGE_PREFIX, checkOwnable, normalizeDomainName } from "../domain-rules";
import { Errors } from "../errors";
import { looksLikeEmail } from "../user-checks";
import {
  ACCOUNT_ROLES, ORG_ROLES, SCOPES, type Account, type ApiToken, type AuditEvent, type Domain, type Invitation, type Organization, type OrgSettings,
} from "../types";

const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} followed by 32 hex digits`);
const iso = z.iso.datetime({ message: "must be an ISO 8601 time such as 2026-01-31T12:00:00.000Z" });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hash (64 hex digits)");
const name = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const memberStatus = z.enum(["managed", "pending", "independent"]);

const OrganizationLine = z.strictObject({
  id: sid("OR"),
  name: name(200),
  // A setting the line leaves out keeps its value (its default, for a new organization).
  settings: z.strictObject({
    domainEnforcement: z.boolean().optional(),
    deprovision: z.enum(["remove", "delete"]).optional(),
    successorUserId: sid("US").nullable().optional(),
    exposeRoleGroups: z.boolean().optional(),
    scimProfile: z.enum(["compatible", "strict"]).optional(),
  }).optional(),
  created: iso,
  lastModified: iso,
});

const DomainLine = z.strictObject({
  id: sid("DM"),
  name: z.string().min(1).max(253),
  state: z.enum(["pending", "verified", "revalidating", "removed"]),
  challenge: z.string().regex(new RegExp(`^${CHALLENGE_PREFIX}[0-9a-f]{32}$`), `must be ${CHALLENGE_PREFIX} followed by 32 hex digits`),
  created: iso,
  verifiedAt: iso.nullable(),
  revalidatingSince: iso.nullable().optional(),
});

const AccountLine = z.strictObject({
  id: sid("AC"),
  name: name(200),
  ownerId: sid("US"),
  status: z.enum(["active", "closed"]),
  created: iso,
  lastModified: iso,
});

const InvitationLine = z.strictObject({
  id: sid("IV"),
  userId: sid("US"),
  email: z.string().max(254).refine(looksLikeEmail, "must be an email address"),
  tokenHash: sha256,
  expires: iso,
  created: iso,
  acceptedAt: iso.nullable(),
  revokedAt: iso.nullable(),
  kind: z.enum(["organization", "account"]).optional(),
  // The API invites with Administrator or Standard User; ownership is never granted by invitation.
  orgRole: z.enum(["administrator", "standard"]).nullable().optional(),
  accountId: sid("AC").nullable().optional(),
  accountRoles: z.array(z.enum(ACCOUNT_ROLES as [string, ...string[]])).max(ACCOUNT_ROLES.length).optional(),
  createdMember: z.boolean().optional(),
  newLogin: z.boolean().optional(),
  priorStatus: memberStatus.nullable().optional(),
  invitedBy: z.string().max(200).nullable().optional(),
}).superRefine((i, ctx) => {
  if (i.kind === "account" && !i.accountId) ctx.addIssue({ code: "custom", path: ["accountId"], message: "an account invitation names its account" });
  if (i.kind !== "account" && i.accountId) ctx.addIssue({ code: "custom", path: ["accountId"], message: "only an account invitation names an account" });
});

const TokenLine = z.strictObject({
  id: sid("TK"),
  name: name(100),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])).min(1, "must name at least one scope").max(SCOPES.length)
    .refine((s) => new Set(s).size === s.length, "must not repeat a scope"),
  secretHash: sha256,
  userId: sid("US").nullable(),
  created: iso,
  revoked: iso.nullable(),
  // Who made it and the most it may do (src/domain/policy/principal.ts); absent in files of tokens made before these were recorded.
  createdBy: z.union([z.literal("operator"), sid("TK")]).nullable().optional(),
  creatorUserId: sid("US").nullable().optional(),
  ceiling: z.enum(ORG_ROLES as [string, ...string[]]).nullable().optional(),
});

const AuditLine = z.strictObject({
  id: sid("AE"),
  time: iso,
  actor: name(300),
  action: z.string().regex(/^[a-z][a-z0-9_.]{0,99}$/, "must be an action name such as user.create"),
  targetType: name(50),
  targetId: z.string().max(300).nullable(),
  outcome: z.enum(["success", "refused"]),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().max(2000).optional(),
  imported: z.strictObject({ at: iso, from: z.string().max(500) }).optional(),
});

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.slice(0, 3).map((i) => {
    if (i.code === "unrecognized_keys") return `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")}`;
    return `${i.path.length > 0 ? `'${i.path.join(".")}'` : "the line"} ${i.message}`;
  }).join("; ");
}

function checked<T>(schema: z.ZodType<T>, raw: Record<string, unknown>, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw Errors.importFormat(`${what}: ${formatIssues(r.error.issues)}.`);
  return r.data;
}

/** The organization line; settings it leaves out are taken from `base`. */
export function organizationOf(raw: Record<string, unknown>, base: OrgSettings): Organization {
  const { settings, ...org } = checked(OrganizationLine, raw, "organization");
  const given = Object.fromEntries(Object.entries(settings ?? {}).filter(([, v]) => v !== undefined));
  return { ...org, settings: { ...base, ...given } };
}

/** A domain line as the API would add it: the name normalized, never a public mail domain. */
export function domainOf(raw: Record<string, unknown>): Domain & { orgId: "" } {
  const d = checked(DomainLine, raw, "domain");
  const normalized = normalizeDomainName(d.name);
  if (normalized !== d.name) throw Errors.importFormat(`domain: '${d.name}' is not in its normal form '${normalized}' (lower case, ASCII, no trailing dot).`);
  checkOwnable(normalized);
  return { ...d, orgId: "", revalidatingSince: d.revalidatingSince ?? null };
}

export function accountOf(raw: Record<string, unknown>): Account {
  return { ...checked(AccountLine, raw, "account"), orgId: "" };
}

export function invitationOf(raw: Record<string, unknown>): Invitation {
  const i = checked(InvitationLine, raw, "invitation");
  return { ...i, orgId: "" } as Invitation;
}

export function tokenOf(raw: Record<string, unknown>): ApiToken {
  return { ...checked(TokenLine, raw, "token"), orgId: "" } as ApiToken;
}

export function auditOf(raw: Record<string, unknown>): AuditEvent {
  const e = checked(AuditLine, raw, "audit event");
  const out: AuditEvent = { ...e, orgId: "", before: e.before ?? null, after: e.after ?? null };
  if (e.reason === undefined) delete out.reason;
  if (e.imported === undefined) delete out.imported;
  return out;
}
