/**
 * Groups and their memberships. A membership change is applied as the change itself (rows
 * inserted or deleted), never as a rewrite of the member list, so its cost does not depend on the
 * group's size and concurrent adds cannot lose each other. Each use case is one transaction with
 * one audit event (none when it changes nothing); a refused member id refuses the whole request.
 */
import { withSealedCursor } from "./page-tokens";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { type Clock, isoNow } from "./clock";
import { DomainError, Errors } from "./errors";
import { newId } from "./ids";
import { grantChecks, modifyChecks, readlessMemberChecks, sameBinding, type GroupAttributes, type MemberChange } from "./group-checks";
import { authorize, groupTarget, orgTarget, Refusal } from "./policy";
import { UniqueViolation, type ListQuery, type ListResult, type Repos, type Store, type TransactionOptions } from "./ports/store";
import { bindingByConvention, ORG_ROLE_GROUP_NAMES } from "./role-groups";
import { cleanField } from "./text";
import { syncOrgRoleGroups } from "./user-checks";
import type { GroupBinding, GroupRecord, OrgRole } from "./types";
import { checkIfMatch, type IfMatch } from "./versions";

export type { MemberChange } from "./group-checks";

export interface GroupDeps {
  store: Store;
  clock: Clock;
}

export interface GroupInput {
  data: Record<string, unknown>;
  /**
   * What the group grants, from the group extension: an org role or a role on an account; null
   * unbinds; undefined = not said (the displayName convention applies, else the binding stays).
   */
  binding?: GroupBinding | null;
  /** Member user ids; undefined leaves members alone (PATCH), [] empties them (PUT). */
  members?: string[];
}

/** The most member ids one request may name. */
export const MAX_MEMBERS_PER_REQUEST = 10_000;

/** `previous`: the stored displayName on an update (./text.ts checks only what changes). */
export function shape(data: Record<string, unknown>, previous?: string): { displayName: string; externalId: string | null } {
  cleanField(data, "displayName", "displayName", "name", previous);
  const displayName = data.displayName;
  if (typeof displayName !== "string" || displayName.trim() === "") {
    throw Errors.invalidValue("displayName is required and must be a non-empty string.");
  }
  if (displayName.length > 256) throw Errors.invalidValue("displayName is longer than 256 characters.");
  const externalId = data.externalId;
  if (externalId !== undefined && externalId !== null && typeof externalId !== "string") throw Errors.invalidValue("externalId must be a string.");
  return { displayName, externalId: (externalId as string | undefined) ?? null };
}

/** `ids` without repeats, in their first order (one id: the same array). */
const once = (ids: string[]): string[] => (ids.length < 2 ? ids : [...new Set(ids)]);

async function checkMembers(tx: Repos, orgId: string, ids: string[], binding: GroupBinding | null): Promise<void> {
  if (ids.length > MAX_MEMBERS_PER_REQUEST) throw Errors.tooManyMembers(MAX_MEMBERS_PER_REQUEST);
  const unique = once(ids);
  const found = await tx.groups.existingUserIds(orgId, unique);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) throw Errors.memberNotFound(missing.slice(0, 10));
  if (binding?.kind === "orgRole") {
    // Only managed users hold org roles (pending users get theirs when they accept).
    for (const id of unique) {
      const u = await tx.users.get(orgId, id);
      if (u && u.status !== "managed") throw Errors.invalidValue(`User ${id} is ${u.status}: only managed users can hold an org role. Add them once they have accepted their invitation.`);
    }
  }
}

function bindingOf(input: GroupInput, displayName: string): GroupBinding | null {
  return input.binding !== undefined ? input.binding : bindingByConvention(displayName);
}

/** A binding to an account role needs an active account of the organization. */
async function checkBinding(tx: Repos, orgId: string, binding: GroupBinding | null): Promise<void> {
  if (binding?.kind !== "accountRole") return;
  const account = await tx.accounts.get(orgId, binding.accountId);
  if (!account) throw Errors.invalidValue(`accountSid ${binding.accountId} names no account of this organization. Bind the group to one of its accounts (GET /v1/Accounts).`);
  if (account.status !== "active") throw Errors.accountClosed(binding.accountId);
}

async function nameError(tx: Repos, orgId: string, e: unknown, displayName: string): Promise<unknown> {
  if (e instanceof UniqueViolation && e.field === "displayName" && (await tx.groups.findByDisplayName(orgId, displayName))) {
    return Errors.displayNameTaken(displayName);
  }
  return e;
}

/**
 * Whether the group's members are exactly `ids` (a replace that would change nothing): counted
 * first, read (at most MAX_MEMBERS_PER_REQUEST, checkMembers' bound) only when the count agrees.
 */
async function membersAre(tx: Repos, orgId: string, groupId: string, ids: readonly string[]): Promise<boolean> {
  const wanted = new Set(ids);
  if ((await tx.groups.countMembers(orgId, groupId)) !== wanted.size) return false;
  return (await tx.groups.listMembers(orgId, groupId, wanted.size)).every((m) => wanted.has(m.id));
}

/**
 * Adds `ids` to a group that grants no org role: the insert takes the organization's users (not
 * independent members) only, and the ids are looked up only when it added fewer than named (some
 * were members already, or name no such user): an IdP's add of new members reads no user first.
 * A refused id throws, which undoes the insert with the transaction.
 */
async function addMembersChecked(tx: Repos, orgId: string, groupId: string, ids: string[], now: string): Promise<number> {
  if (ids.length > MAX_MEMBERS_PER_REQUEST) throw Errors.tooManyMembers(MAX_MEMBERS_PER_REQUEST);
  const unique = once(ids);
  const added = await tx.groups.addMembers(orgId, groupId, unique, now, { skipIndependent: true });
  if (added < unique.length) await checkMembers(tx, orgId, unique, null);
  return added;
}

async function applyMemberChanges(tx: Repos, orgId: string, groupId: string, changes: MemberChange[], binding: GroupBinding | null, now: string): Promise<{ added: number; removed: number }> {
  let added = 0;
  let removed = 0;
  for (const c of changes) {
    if (c.kind === "add" && binding?.kind !== "orgRole") {
      added += await addMembersChecked(tx, orgId, groupId, c.ids, now);
      continue;
    }
    if (c.kind === "add" || c.kind === "replace") await checkMembers(tx, orgId, c.ids, binding);
    if (c.kind === "replace" && (await membersAre(tx, orgId, groupId, c.ids))) continue;
    if (c.kind === "removeAll" || c.kind === "replace") removed += await tx.groups.removeAllMembers(orgId, groupId);
    if (c.kind === "remove") removed += await tx.groups.removeMembers(orgId, groupId, once(c.ids));
    if (c.kind === "add" || c.kind === "replace") added += await tx.groups.addMembers(orgId, groupId, once(c.ids), now);
  }
  return { added, removed };
}

/**
 * A membership change on a built-in org-role group is a change of the members' direct org role:
 * adding to Administrator makes them administrators (leaving Standard User), removing from
 * Administrator makes them standard users. A managed user always holds one org role, so removing
 * from Standard User, emptying or replacing a built-in group's list are refused. `demotable`: the
 * Administrators the policy allowed this request to demote (anyone else who turned Administrator
 * meanwhile makes the request retry).
 */
async function applyRoleGroupChanges(deps: GroupDeps, tx: Repos, actor: Actor, group: GroupRecord, changes: MemberChange[], demotable: ReadonlySet<string>): Promise<{ added: number; removed: number }> {
  const role = (group.binding as { kind: "orgRole"; role: OrgRole }).role;
  const name = ORG_ROLE_GROUP_NAMES[role];
  let added = 0;
  let removed = 0;
  const setRole = async (id: string, next: OrgRole) => {
    const u = await tx.users.get(actor.org.id, id);
    if (!u) throw Errors.memberNotFound([id]);
    if (u.orgRole === next) return false;
    if (u.orgRole === "owner") throw Errors.ownerProtected("demoted");
    if (u.orgRole === "administrator" && !demotable.has(id)) throw Errors.versionMismatch("the role checked", "newer: the user became Administrator meanwhile; retry");
    const updated = { ...u, orgRole: next, version: u.version + 1, lastModified: isoNow(deps.clock) };
    if (!(await tx.users.update(updated, u.version))) throw Errors.versionMismatch(`W/"${u.version}"`, "newer");
    await syncOrgRoleGroups(tx, deps.clock, updated);
    await tx.audit.append(auditEvent(deps.clock, actor, "user.role.update", { type: "User", id }, { before: { orgRole: u.orgRole }, after: { orgRole: next, via: group.id } }));
    return true;
  };
  for (const c of changes) {
    if (c.kind === "removeAll" || c.kind === "replace") {
      throw Errors.builtinGroup(`The members of the built-in ${name} group are the users holding that org role; it cannot be emptied or replaced. Add or remove members one by one.`);
    }
    if (c.kind === "add") {
      await checkMembers(tx, actor.org.id, c.ids, group.binding);
      for (const id of new Set(c.ids)) if (await setRole(id, role)) added += 1;
    } else {
      if (role !== "administrator") throw Errors.builtinGroup(`A managed user always holds one org role: instead of removing them from ${name}, add them to another org-role group.`);
      for (const id of new Set(c.ids)) {
        const u = await tx.users.get(actor.org.id, id);
        if (u?.orgRole === "administrator" && (await setRole(id, "standard"))) removed += 1;
      }
    }
  }
  return { added, removed };
}

export async function createGroup(deps: GroupDeps, actor: Actor, input: GroupInput): Promise<GroupRecord> {
  const { store, clock } = deps;
  const s = shape(input.data);
  const now = isoNow(clock);
  const binding = bindingOf(input, s.displayName);
  const group: GroupRecord = {
    id: newId("GP"), orgId: actor.org.id, displayName: s.displayName, externalId: s.externalId,
    builtin: false, binding, data: { ...input.data }, version: 1, created: now, lastModified: now,
  };
  const members = input.members ?? [];
  const grants = await grantChecks(store, actor.org.id, binding, true, members);
  await authorize(deps, actor, [
    { action: "group.create", target: orgTarget(actor.org.id) },
    // First members of a group that grants nothing are a membership change like any other.
    ...(members.length > 0 && grants.length === 0 ? [{ action: "group.members.update", target: groupTarget(group.id) }] : []),
    ...grants,
  ], { action: "group.create", target: orgTarget(actor.org.id) });
  await store.transaction(async (tx) => {
    await checkBinding(tx, group.orgId, binding);
    try {
      await tx.groups.insert(group);
    } catch (e) {
      throw await nameError(tx, group.orgId, e, s.displayName);
    }
    if (members.length > 0) await applyMemberChanges(tx, group.orgId, group.id, [{ kind: "add", ids: members }], binding, now);
    await tx.audit.append(auditEvent(clock, actor, "group.create", { type: "Group", id: group.id }, { after: { displayName: group.displayName, externalId: group.externalId, binding, members: members.length } }));
  });
  return group;
}

/** The group `id` of the actor's organization (built-in org-role groups only while exposed), or `notFound` (404 groupNotFound). */
async function findGroup(repos: Repos, actor: Actor, id: string, notFound = () => Errors.groupNotFound(id)): Promise<GroupRecord> {
  const g = await repos.groups.get(actor.org.id, id);
  if (!g || (g.builtin && !actor.org.settings.exposeRoleGroups)) throw notFound();
  return g;
}

const NO_ONE: ReadonlySet<string> = new Set();

/** The policy's refusal as a value, so that a transaction returns it and its audit event commits; anything else is thrown. */
const refusalOf = (asked: Promise<void>): Promise<Refusal | null> => asked.then(() => null, (e: unknown) => { if (e instanceof Refusal) return e; throw e; });

export async function getGroup(deps: GroupDeps, actor: Actor, id: string): Promise<GroupRecord> {
  const g = await findGroup(deps.store, actor, id);
  await authorize(deps, actor, { action: "group.read", target: groupTarget(g.id) });
  return g;
}

export async function listGroups(deps: GroupDeps, actor: Actor, query: ListQuery): Promise<ListResult<GroupRecord>> {
  await authorize(deps, actor, { action: "group.list", target: orgTarget(actor.org.id) });
  const q = actor.org.settings.exposeRoleGroups ? query : { ...query, excludeBuiltin: true };
  return withSealedCursor(deps.store, actor.org.id, "scim:Groups", q, (sealed) => deps.store.groups.list(actor.org.id, sealed));
}

/** Whether a PUT or PATCH leaves the group's attributes and binding as they are (its attributes as the same JSON text). */
const sameAttributes = (g: GroupRecord, a: GroupAttributes): boolean =>
  a.displayName === g.displayName && a.externalId === g.externalId && sameBinding(a.binding, g.binding) && JSON.stringify(a.data) === JSON.stringify(g.data);

/** What a PUT or PATCH makes of a group's attributes and binding (no members); null: attributes untouched. */
function attributesAfter(current: GroupRecord, input: GroupInput | null): GroupAttributes | null {
  if (!input) return null;
  const data = { ...input.data };
  const s = shape(data, current.displayName);
  if (current.builtin) {
    if (s.displayName !== current.displayName || (input.binding !== undefined && !sameBinding(input.binding, current.binding))) {
      throw Errors.builtinGroup(`The built-in ${current.displayName} group cannot be renamed or rebound.`);
    }
    return null;
  }
  const binding = input.binding !== undefined || bindingByConvention(s.displayName) ? bindingOf(input, s.displayName) : current.binding;
  return { displayName: s.displayName, externalId: s.externalId, data, binding };
}

/** Run inside modifyGroup's transaction around the member changes (./group-members.ts); a throw undoes all. */
export interface MemberHooks {
  /** What answers a group that is not there (or not shown); default 404 groupNotFound. */
  notFound?: () => DomainError;
  before?: (tx: Repos) => Promise<void>;
  after?: (tx: Repos, counts: { added: number; removed: number }) => Promise<void>;
}

/**
 * PUT and PATCH. `transform` (null when only members change) gives the group's new attributes; `changes` are applied
 * in order as row inserts and deletes. One transaction: all or nothing; nothing written when nothing changes.
 * The group is read once, in the transaction, and the policy asked there: on SQLite transactions run one at a time
 * on the writer, so what was allowed is what is applied; on MongoDB (snapshot reads) a concurrent change of the group
 * conflicts with this one's write of it (update or touch) and the body runs again on the new state. A refusal
 * commits its audit event and nothing else. `options` are its transaction's (a SCIM PUT's: ./events-capture.ts scimPut).
 */
export async function modifyGroup(
  deps: GroupDeps,
  actor: Actor,
  id: string,
  ifMatch: IfMatch,
  transform: ((current: GroupRecord) => GroupInput) | null,
  changes: MemberChange[],
  hooks: MemberHooks = {},
  options?: TransactionOptions,
): Promise<GroupRecord> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  const out = await store.transaction(async (tx): Promise<{ group: GroupRecord } | { refused: Refusal }> => {
    const current = await findGroup(tx, actor, id, hooks.notFound);
    checkIfMatch(ifMatch, current.version);
    const after = attributesAfter(current, transform ? transform(current) : null);
    // A member PATCH of a plain group (an IdP's usual request) asks what it asks without reading anything.
    const readless = after === null ? readlessMemberChecks(current, changes) : null;
    const { checks, demotable } = readless ? { checks: readless, demotable: NO_ONE } : await modifyChecks(tx, actor, current, after, changes);
    try {
      await authorize({ store: tx, clock }, actor, checks, { action: "group.update", target: groupTarget(id) });
    } catch (e) {
      if (e instanceof Refusal) return { refused: e }; // its audit event commits with the transaction
      throw e;
    }
    const now = isoNow(clock);
    let next = current;
    if (after && !sameAttributes(current, after)) {
      if (!sameBinding(after.binding, current.binding)) await checkBinding(tx, orgId, after.binding);
      next = { ...current, ...after, version: current.version + 1, lastModified: now };
      let ok: boolean;
      try {
        ok = await tx.groups.update(next, current.version);
      } catch (e) {
        throw await nameError(tx, orgId, e, after.displayName);
      }
      if (!ok) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
    }
    if (hooks.before) await hooks.before(tx);
    const counts = current.builtin && current.binding?.kind === "orgRole"
      ? await applyRoleGroupChanges(deps, tx, actor, current, changes, demotable)
      : await applyMemberChanges(tx, orgId, id, changes, next.binding, now);
    if (hooks.after) await hooks.after(tx, counts);
    if (next === current) {
      // Nothing changed (members there already or absent, attributes as they were): no version, no audit event.
      if (counts.added + counts.removed === 0) return { group: current };
      const version = await tx.groups.touch(orgId, id, now);
      if (version === null) throw (hooks.notFound ?? (() => Errors.groupNotFound(id)))();
      next = { ...current, version, lastModified: now };
    }
    await tx.audit.append(auditEvent(clock, actor, "group.update", { type: "Group", id }, {
      before: { displayName: current.displayName, externalId: current.externalId, version: current.version },
      after: { displayName: next.displayName, externalId: next.externalId, version: next.version, membersAdded: counts.added, membersRemoved: counts.removed },
    }));
    return { group: next };
  }, options);
  if ("refused" in out) throw out.refused;
  return out.group;
}

/**
 * Deleting a group takes back what it granted: the policy is asked for that too, on the group as
 * read once, in the transaction that deletes it (as modifyGroup). A refusal commits its audit event
 * and nothing else.
 */
export async function deleteGroup(deps: GroupDeps, actor: Actor, id: string, ifMatch?: IfMatch): Promise<void> {
  const { store, clock } = deps;
  const refused = await store.transaction(async (tx): Promise<Refusal | null> => {
    const current = await findGroup(tx, actor, id);
    const refusal = await refusalOf(authorize({ store: tx, clock }, actor, [
      { action: "group.delete", target: groupTarget(id) },
      ...(current.builtin ? [] : await grantChecks(tx, actor.org.id, current.binding, false)),
    ], { action: "group.delete", target: groupTarget(id) }));
    if (refusal) return refusal;
    if (current.builtin) throw Errors.builtinGroup(`The built-in ${current.displayName} group cannot be deleted.`);
    checkIfMatch(ifMatch, current.version);
    await tx.groups.delete(actor.org.id, id);
    await tx.audit.append(auditEvent(clock, actor, "group.delete", { type: "Group", id }, { before: { displayName: current.displayName, externalId: current.externalId } }));
    return null;
  });
  if (refused) throw refused;
}
