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
import type { GroupRecord } from "./types";

export interface GroupDeps {
  store: Store;
  clock: Clock;
}

export interface GroupInput {
  data: Record<string, unknown>;
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

async function checkMembers(tx: Repos, orgId: string, ids: string[]): Promise<void> {
  if (ids.length > MAX_MEMBERS_PER_REQUEST) throw Errors.tooManyMembers(MAX_MEMBERS_PER_REQUEST);
  const unique = [...new Set(ids)];
  const found = await tx.groups.existingUserIds(orgId, unique);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) throw Errors.memberNotFound(missing.slice(0, 10));
}

async function nameError(tx: Repos, orgId: string, e: unknown, displayName: string): Promise<unknown> {
  if (e instanceof UniqueViolation && e.field === "displayName" && (await tx.groups.findByDisplayName(orgId, displayName))) {
    return Errors.displayNameTaken(displayName);
  }
  return e;
}

async function applyMemberChanges(tx: Repos, orgId: string, groupId: string, changes: MemberChange[]): Promise<{ added: number; removed: number }> {
  let added = 0;
  let removed = 0;
  for (const c of changes) {
    if (c.kind === "add" || c.kind === "replace") await checkMembers(tx, orgId, c.ids);
    if (c.kind === "removeAll" || c.kind === "replace") removed += await tx.groups.removeAllMembers(orgId, groupId);
    if (c.kind === "remove") removed += await tx.groups.removeMembers(orgId, groupId, [...new Set(c.ids)]);
    if (c.kind === "add" || c.kind === "replace") added += await tx.groups.addMembers(orgId, groupId, [...new Set(c.ids)]);
  }
  return { added, removed };
}

export async function createGroup(deps: GroupDeps, actor: Actor, input: GroupInput): Promise<GroupRecord> {
  const { store, clock } = deps;
  const s = shape(input.data);
  const now = isoNow(clock);
  const group: GroupRecord = {
    id: newId("GP"), orgId: actor.org.id, displayName: s.displayName, externalId: s.externalId,
    builtin: false, binding: null, data: { ...input.data }, version: 1, created: now, lastModified: now,
  };
  await store.transaction(async (tx) => {
    try {
      await tx.groups.insert(group);
    } catch (e) {
      throw await nameError(tx, group.orgId, e, s.displayName);
    }
    const members = input.members ?? [];
    if (members.length > 0) await applyMemberChanges(tx, group.orgId, group.id, [{ kind: "add", ids: members }]);
    await tx.audit.append(auditEvent(clock, actor, "group.create", { type: "Group", id: group.id }, { after: { displayName: group.displayName, externalId: group.externalId, members: members.length } }));
  });
  return group;
}

export async function getGroup(deps: GroupDeps, actor: Actor, id: string): Promise<GroupRecord> {
  const g = await deps.store.groups.get(actor.org.id, id);
  if (!g) throw Errors.groupNotFound(id);
  return g;
}

export async function listGroups(deps: GroupDeps, actor: Actor, query: ListQuery): Promise<ListResult<GroupRecord>> {
  return deps.store.groups.list(actor.org.id, query);
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
  transform: ((current: GroupRecord) => Record<string, unknown>) | null,
  changes: MemberChange[],
): Promise<GroupRecord> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  return store.transaction(async (tx) => {
    const current = await tx.groups.get(orgId, id);
    if (!current) throw Errors.groupNotFound(id);
    if (ifMatch !== undefined && ifMatch !== current.version) throw Errors.versionMismatch(`W/"${ifMatch}"`, `W/"${current.version}"`);
    const now = isoNow(clock);
    let next = current;
    if (transform) {
      const data = { ...transform(current) };
      const s = shape(data);
      next = { ...current, displayName: s.displayName, externalId: s.externalId, data, version: current.version + 1, lastModified: now };
      let ok: boolean;
      try {
        ok = await tx.groups.update(next, current.version);
      } catch (e) {
        throw await nameError(tx, orgId, e, s.displayName);
      }
      if (!ok) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
    }
    const counts = await applyMemberChanges(tx, orgId, id, changes);
    if (!transform && changes.length > 0) {
      const version = await tx.groups.touch(orgId, id, now);
      if (version === null) throw Errors.groupNotFound(id);
      next = { ...current, version, lastModified: now };
    }
    await tx.audit.append(auditEvent(clock, actor, "group.update", { type: "Group", id }, {
      before: { displayName: current.displayName, externalId: current.externalId, version: current.version },
      after: { displayName: next.displayName, externalId: next.externalId, version: next.version, membersAdded: counts.added, membersRemoved: counts.removed },
    }));
    return next;
  });
}

export async function deleteGroup(deps: GroupDeps, actor: Actor, id: string): Promise<void> {
  const { store, clock } = deps;
  await store.transaction(async (tx) => {
    const current = await tx.groups.get(actor.org.id, id);
    if (!current) throw Errors.groupNotFound(id);
    await tx.groups.delete(actor.org.id, id);
    await tx.audit.append(auditEvent(clock, actor, "group.delete", { type: "Group", id }, { before: { displayName: current.displayName, externalId: current.externalId } }));
  });
}
