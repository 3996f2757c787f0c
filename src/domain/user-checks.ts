/**
 * The checks every write of a user passes, whichever use case makes it (./users.ts creates and
 * modifies, ./invitations.ts invites, ./groups.ts and the import keep org-role groups in step):
 * emails and their domains, org-role changes and what they need, the text rule and shape of the
 * stored record, uniqueness answers, and the built-in org-role groups.
 */
import type { Actor } from "./actor";
import { type Clock, isoNow } from "./clock";
import { emailDomain } from "./domain-rules";
import { Errors } from "./errors";
import { userTarget, type Check, type Target } from "./policy";
import { UniqueViolation, type GroupRef, type Repos } from "./ports/store";
import { allOrgRoleGroupIds, orgRoleGroupId, orgRoleGroupRef } from "./role-groups";
import { cleanUserTexts } from "./text";
import type { Email, OrgRole, UserRecord } from "./types";

function emailsOf(data: Record<string, unknown>): Email[] {
  const raw = data.emails;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw Errors.invalidValue("emails must be an array of {value, type, primary}.");
  return raw.map((e, i) => {
    if (typeof e !== "object" || e === null || typeof (e as Email).value !== "string" || (e as Email).value === "") {
      throw Errors.invalidValue(`emails[${i}].value must be a non-empty string.`);
    }
    return e as Email;
  });
}

/** Exactly one primary email when there are emails: none marked makes the first primary; two is refused. */
function normalizeEmails(data: Record<string, unknown>): Email[] {
  const emails = emailsOf(data);
  if (emails.length === 0) return emails;
  const primaries = emails.filter((e) => e.primary === true).length;
  if (primaries > 1) throw Errors.primaryEmail("A user has exactly one primary email; this request marks several as primary. Mark one.");
  if (primaries === 0) emails[0] = { ...(emails[0] as Email), primary: true };
  data.emails = emails;
  return emails;
}

function stringOrNull(data: Record<string, unknown>, key: string): string | null {
  const v = data[key];
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string") throw Errors.invalidValue(`${key} must be a string.`);
  return v;
}

export const looksLikeEmail = (s: string): boolean => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s);

/**
 * Who may give a user this primary email (docs/tenancy.md): a domain verified by
 * another organization is that organization's alone (whatever this one's enforcement setting);
 * with domain enforcement on, the domain must be verified by this organization. A domain nobody
 * verified is open to an organization without enforcement. The answer depends only on this
 * organization's settings and domains and on which domains are verified (public in DNS), never on
 * the users other organizations hold.
 */
export async function checkDomains(repos: Repos, actor: Actor, userName: string, emails: Email[]): Promise<void> {
  const primary = emails.find((e) => e.primary)?.value ?? (looksLikeEmail(userName) ? userName : null);
  if (!primary || !looksLikeEmail(primary)) {
    if (!actor.org.settings.domainEnforcement) return;
    throw Errors.primaryEmail("This organization only provisions users with an email on a verified domain: give the user a primary email (or an email userName).");
  }
  const domain = emailDomain(primary); // as domains are kept: no trailing dot, IDNs as xn-- (case 74)
  const owner = await repos.domains.findOwner(domain);
  if (owner && owner.orgId !== actor.org.id) throw Errors.domainOwnedElsewhere(domain);
  if (!actor.org.settings.domainEnforcement) return;
  if (!owner || owner.state !== "verified") throw Errors.domainNotVerified(domain);
}

/** The direct org role after a request: the Owner is never demoted this way (an invariant; rights are ./policy's). */
export function checkRoleChange(current: OrgRole | null, next: OrgRole | undefined): OrgRole | null {
  if (next === undefined || next === current) return current;
  if (current === "owner") throw Errors.ownerProtected("demoted");
  return next;
}

/** What a change of direct org role asks of the policy. */
export function roleChecks(current: OrgRole | null, next: OrgRole | undefined, target: Target): Check[] {
  if (next === undefined || next === current || current === "owner") return [];
  // A grant is of the direct role: whoever is granted it does not hold it directly yet.
  const grantee: Target = target.type === "user" ? { ...target, role: "standard" } : target;
  if (next === "owner") return [{ action: "org_role.owner.grant", target: grantee }];
  if (next === "administrator") return [{ action: "org_role.administrator.grant", target: grantee }];
  return current === "administrator" ? [{ action: "org_role.administrator.revoke", target: { ...grantee, role: "administrator" } as Target }] : [];
}

type Plain = Record<string, unknown>;
const isObject = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);
const definedKeys = (v: Plain): string[] => Object.keys(v).filter((k) => v[k] !== undefined);

/**
 * Whether two JSON values are the same value: objects whatever the order of their keys (a member
 * whose value is undefined is absent), arrays element by element, others as their JSON text (so
 * undefined is null, as in an array's JSON). Compared in place, no text made.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const keys = definedKeys(a);
    return keys.length === definedKeys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] !== undefined && sameValue(a[k], b[k]));
  }
  return a === b || (JSON.stringify(a) ?? "null") === (JSON.stringify(b) ?? "null");
}

/** Whether two states of a user hold the same profile: everything but `active`, the lifecycle and the org role. */
const sameProfile = (a: UserRecord, b: UserRecord): boolean => {
  if (a.userName !== b.userName || a.externalId !== b.externalId || a.displayName !== b.displayName
    || a.twoFactorRequired !== b.twoFactorRequired || a.passwordResetRequired !== b.passwordResetRequired || !sameValue(a.emails, b.emails)) return false;
  const { active: _a, ...da } = a.data;
  const { active: _b, ...db } = b.data;
  return sameValue(da, db);
};

/**
 * What changing `current` into `next` asks of the policy: lifecycle and org-role changes, and a
 * profile update for anything else (or for nothing at all: a write that changes nothing is still
 * a write to someone's user). `groups`: the current user's (groupsOfUser), when read already.
 */
export async function changeChecks(repos: Repos, current: UserRecord, next: UserRecord, groups?: readonly GroupRef[]): Promise<Check[]> {
  const target = await userTarget(repos, current, groups);
  const checks: Check[] = [];
  if (current.active && !next.active) checks.push({ action: "user.deactivate", target });
  if (!current.active && next.active) checks.push({ action: "user.reactivate", target });
  checks.push(...roleChecks(current.orgRole, next.orgRole ?? undefined, target));
  if (checks.length === 0 || !sameProfile(current, next)) checks.push({ action: "user.update", target });
  return checks;
}

export interface Shaped {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  emails: Email[];
}

/** `previous`: the stored attributes on an update (./text.ts checks only what changes). */
export function shape(data: Record<string, unknown>, previous?: Record<string, unknown>): Shaped {
  cleanUserTexts(data, previous);
  const userName = data.userName;
  if (typeof userName !== "string" || userName.trim() === "") throw Errors.userNameRequired();
  if (userName.length > 256) throw Errors.invalidValue("userName is longer than 256 characters.");
  const active = data.active === undefined ? true : data.active;
  if (typeof active !== "boolean") throw Errors.invalidValue("active must be true or false.");
  data.active = active;
  return {
    userName,
    externalId: stringOrNull(data, "externalId"),
    displayName: stringOrNull(data, "displayName"),
    active,
    emails: normalizeEmails(data),
  };
}

export async function uniquenessError(repos: Repos, orgId: string, e: unknown, userName: string): Promise<unknown> {
  if (e instanceof UniqueViolation && e.field === "userName") {
    // Confirm the competing row before answering 409 (a read, not a guess).
    const other = await repos.users.findByUserName(orgId, userName);
    if (other) return Errors.userNameTaken(userName);
    // An independent member (account access only, invisible over SCIM) holds it: invitations made it.
    const independent = await repos.users.findByPrimaryEmail(orgId, userName);
    if (independent?.status === "independent") return Errors.independentUser(userName, independent.id);
  }
  return e;
}

/**
 * Keeps the built-in org-role groups equal to the users' direct roles: a managed user is a member
 * of exactly the group of their role; a pending user of none. Touches the groups it changes.
 * `fresh`: the user was inserted in this transaction, so is in no group yet (nothing to remove).
 * Answers the group the user was added to (none, or the one of their role), as groupsOfUser lists it.
 */
export async function syncOrgRoleGroups(tx: Repos, clock: Clock, user: UserRecord, options?: { fresh?: boolean }): Promise<GroupRef[]> {
  const role = user.status === "managed" ? user.orgRole : null;
  const target = role ? orgRoleGroupId(user.orgId, role) : null;
  if (options?.fresh) return target && role ? joinFresh(tx, clock, user, target, role) : [];
  const now = isoNow(clock);
  const added: GroupRef[] = [];
  for (const gid of allOrgRoleGroupIds(user.orgId)) {
    const changed = gid === target
      ? await tx.groups.addMembers(user.orgId, gid, [user.id])
      : await tx.groups.removeMembers(user.orgId, gid, [user.id]);
    if (changed > 0) await tx.groups.touch(user.orgId, gid, now);
    if (changed > 0 && role && gid === target) added.push(orgRoleGroupRef(user.orgId, role));
  }
  return added;
}

/** syncOrgRoleGroups for a user inserted in this transaction: added to the group of their role, the only one touched. */
async function joinFresh(tx: Repos, clock: Clock, user: UserRecord, target: string, role: OrgRole): Promise<GroupRef[]> {
  if (await tx.groups.addMembers(user.orgId, target, [user.id]) === 0) return [];
  await tx.groups.touch(user.orgId, target, isoNow(clock));
  return [orgRoleGroupRef(user.orgId, role)];
}

/**
 * What the audit log compares of a user: the record's own fields and the SCIM attributes as stored
 * (name, emails, title, extensions, ...); auditEvent keeps only those that changed, without secrets.
 */
export function userSummary(u: UserRecord): Record<string, unknown> {
  return {
    userName: u.userName, externalId: u.externalId, displayName: u.displayName, active: u.active, status: u.status, orgRole: u.orgRole,
    twoFactorRequired: u.twoFactorRequired, passwordResetRequired: u.passwordResetRequired, version: u.version,
    attributes: u.data,
  };
}
