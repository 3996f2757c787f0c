/**
 * Groups and their memberships. A membership change is applied as the change itself (rows
 * inserted or deleted), never as a rewrite of the member list, so its cost does not depend on the
 * group's size and concurrent adds cannot lose each other. Each use case is one transaction with
 * one audit event; a refused member id refuses the whole request.
 */
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { newId } from "./ids";
import { UniqueViolation, type ListQuery, type ListResult, type Repos, type Store } from "./ports/store";
import { hasScope } from "./actor";
import { auditRefusal } from "./audit";
import { DomainError } from "./errors";
import { bindingByConvention, ORG_ROLE_GROUP_NAMES } from "./role-groups";
import { syncOrgRoleGroups } from "./users";
import type { GroupBinding, GroupRecord, OrgRole } from "./types";

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

export type MemberChange =
  | { kind: "add"; ids: string[] }
  | { kind: "remove"; ids: string[] }
  | { kind: "removeAll" }
  | { kind: "replace"; ids: string[] };

/** The most member ids one request may name. */
export const MAX_MEMBERS_PER_REQUEST = 10_000;

function shape(data: Record<string, unknown>): { displayName: string; externalId: string | null } {
  const displayName = data.displayName;
  if (typeof displayName !== "string" || displayName.trim() === "") {
    throw Errors.invalidValue("displayName is required and must be a non-empty string.");
  }
  if (displayName.length > 256) throw Errors.invalidValue("displayName is longer than 256 characters.");
  const externalId = data.externalId;
  if (externalId !== undefined && externalId !== null && typeof externalId !== "string") throw Errors.invalidValue("externalId must be a string.");
  return { displayName, externalId: (externalId as string | undefined) ?? null };
}

async function checkMembers(tx: Repos, orgId: string, ids: string[], binding: GroupBinding | null): Promise<void> {
  if (ids.length > MAX_MEMBERS_PER_REQUEST) throw Errors.tooManyMembers(MAX_MEMBERS_PER_REQUEST);
  const unique = [...new Set(ids)];
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

/** Who may change what a group grants: Owner never over SCIM; Administrator with the admin scope. */
function checkGrant(actor: Actor, binding: GroupBinding | null, what: string): void {
  if (binding?.kind !== "orgRole") return;
  if (binding.role === "owner") throw Errors.roleNotAllowed("owner", `${what} the Owner group is not possible over SCIM; ownership is transferred through the admin API.`);
  if (binding.role === "administrator" && !hasScope(actor, "admin")) {
    throw Errors.roleNotAllowed("administrator", `${what} a group that grants Administrator needs a token with the admin scope.`);
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

/** Refusals of privileged changes are audited; everything else just answers. */
async function audited<T>(deps: GroupDeps, actor: Actor, action: string, id: string | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError && e.kind === "forbidden") await auditRefusal(deps.store, deps.clock, actor, action, { type: "Group", id }, e.message);
    throw e;
  }
}

async function nameError(tx: Repos, orgId: string, e: unknown, displayName: string): Promise<unknown> {
  if (e instanceof UniqueViolation && e.field === "displayName" && (await tx.groups.findByDisplayName(orgId, displayName))) {
    return Errors.displayNameTaken(displayName);
  }
  return e;
}

async function applyMemberChanges(tx: Repos, orgId: string, groupId: string, changes: MemberChange[], binding: GroupBinding | null): Promise<{ added: number; removed: number }> {
  let added = 0;
  let removed = 0;
  for (const c of changes) {
    if (c.kind === "add" || c.kind === "replace") await checkMembers(tx, orgId, c.ids, binding);
    if (c.kind === "removeAll" || c.kind === "replace") removed += await tx.groups.removeAllMembers(orgId, groupId);
    if (c.kind === "remove") removed += await tx.groups.removeMembers(orgId, groupId, [...new Set(c.ids)]);
    if (c.kind === "add" || c.kind === "replace") added += await tx.groups.addMembers(orgId, groupId, [...new Set(c.ids)]);
  }
  return { added, removed };
}

/**
 * A membership change on a built-in org-role group is a change of the members' direct org role:
 * adding to Administrator makes them administrators (leaving Standard User), removing from
 * Administrator makes them standard users. A managed user always holds one org role, so removing
 * from Standard User, emptying or replacing a built-in group's list are refused.
 */
async function applyRoleGroupChanges(deps: GroupDeps, tx: Repos, actor: Actor, group: GroupRecord, changes: MemberChange[]): Promise<{ added: number; removed: number }> {
  const role = (group.binding as { kind: "orgRole"; role: OrgRole }).role;
  const name = ORG_ROLE_GROUP_NAMES[role];
  let added = 0;
  let removed = 0;
  const setRole = async (id: string, next: OrgRole) => {
    const u = await tx.users.get(actor.org.id, id);
    if (!u) throw Errors.memberNotFound([id]);
    if (u.orgRole === next) return false;
    if (u.orgRole === "owner") throw Errors.ownerProtected("demoted");
    if (u.orgRole === "administrator") checkGrant(actor, { kind: "orgRole", role: "administrator" }, "Removing a member from");
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
      checkGrant(actor, group.binding, "Adding members to");
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
  return audited(deps, actor, "group.create", null, async () => {
  checkGrant(actor, binding, "Creating");
  await store.transaction(async (tx) => {
    await checkBinding(tx, group.orgId, binding);
    try {
      await tx.groups.insert(group);
    } catch (e) {
      throw await nameError(tx, group.orgId, e, s.displayName);
    }
    const members = input.members ?? [];
    if (members.length > 0) await applyMemberChanges(tx, group.orgId, group.id, [{ kind: "add", ids: members }], binding);
    await tx.audit.append(auditEvent(clock, actor, "group.create", { type: "Group", id: group.id }, { after: { displayName: group.displayName, externalId: group.externalId, binding, members: members.length } }));
  });
  return group;
  });
}

export async function getGroup(deps: GroupDeps, actor: Actor, id: string): Promise<GroupRecord> {
  const g = await deps.store.groups.get(actor.org.id, id);
  if (!g || (g.builtin && !actor.org.settings.exposeRoleGroups)) throw Errors.groupNotFound(id);
  return g;
}

export async function listGroups(deps: GroupDeps, actor: Actor, query: ListQuery): Promise<ListResult<GroupRecord>> {
  return deps.store.groups.list(actor.org.id, actor.org.settings.exposeRoleGroups ? query : { ...query, excludeBuiltin: true });
}

/**
 * PUT and PATCH. `transform` (null when only members change) gives the group's new attributes;
 * `changes` are applied in order as row inserts and deletes. One transaction: all or nothing.
 */
export async function modifyGroup(
  deps: GroupDeps,
  actor: Actor,
  id: string,
  ifMatch: number | undefined,
  transform: ((current: GroupRecord) => GroupInput) | null,
  changes: MemberChange[],
): Promise<GroupRecord> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  return audited(deps, actor, "group.update", id, () => store.transaction(async (tx) => {
    const current = await tx.groups.get(orgId, id);
    if (!current || (current.builtin && !actor.org.settings.exposeRoleGroups)) throw Errors.groupNotFound(id);
    if (ifMatch !== undefined && ifMatch !== current.version) throw Errors.versionMismatch(`W/"${ifMatch}"`, `W/"${current.version}"`);
    const now = isoNow(clock);
    let next = current;
    const input = transform ? transform(current) : null;
    if (input && current.builtin) {
      const s = shape({ ...input.data });
      if (s.displayName !== current.displayName || (input.binding !== undefined && JSON.stringify(input.binding) !== JSON.stringify(current.binding))) {
        throw Errors.builtinGroup(`The built-in ${current.displayName} group cannot be renamed or rebound.`);
      }
    } else if (input) {
      const data = { ...input.data };
      const s = shape(data);
      const binding = input.binding !== undefined || bindingByConvention(s.displayName) ? bindingOf(input, s.displayName) : current.binding;
      if (JSON.stringify(binding) !== JSON.stringify(current.binding)) {
        checkGrant(actor, current.binding, "Unbinding");
        checkGrant(actor, binding, "Binding");
        await checkBinding(tx, orgId, binding);
      }
      next = { ...current, displayName: s.displayName, externalId: s.externalId, binding, data, version: current.version + 1, lastModified: now };
      let ok: boolean;
      try {
        ok = await tx.groups.update(next, current.version);
      } catch (e) {
        throw await nameError(tx, orgId, e, s.displayName);
      }
      if (!ok) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
    }
    if (changes.length > 0 && !current.builtin) checkGrant(actor, next.binding, "Changing the members of");
    const counts = current.builtin && current.binding?.kind === "orgRole"
      ? await applyRoleGroupChanges(deps, tx, actor, current, changes)
      : await applyMemberChanges(tx, orgId, id, changes, next.binding);
    if (next === current && changes.length > 0) {
      const version = await tx.groups.touch(orgId, id, now);
      if (version === null) throw Errors.groupNotFound(id);
      next = { ...current, version, lastModified: now };
    }
    await tx.audit.append(auditEvent(clock, actor, "group.update", { type: "Group", id }, {
      before: { displayName: current.displayName, externalId: current.externalId, version: current.version },
      after: { displayName: next.displayName, externalId: next.externalId, version: next.version, membersAdded: counts.added, membersRemoved: counts.removed },
    }));
    return next;
  }));
}

export async function deleteGroup(deps: GroupDeps, actor: Actor, id: string): Promise<void> {
  const { store, clock } = deps;
  await store.transaction(async (tx) => {
    const current = await tx.groups.get(actor.org.id, id);
    if (!current || (current.builtin && !actor.org.settings.exposeRoleGroups)) throw Errors.groupNotFound(id);
    if (current.builtin) throw Errors.builtinGroup(`The built-in ${current.displayName} group cannot be deleted.`);
    await tx.groups.delete(actor.org.id, id);
    await tx.audit.append(auditEvent(clock, actor, "group.delete", { type: "Group", id }, { before: { displayName: current.displayName, externalId: current.externalId } }));
  });
}
