/**
 * Import planning for users and groups: what each line changes, as a Step to write in the batch's
 * transaction. Users are matched by id, then by userName (without case); groups by id, then by
 * displayName. Memberships are written as row inserts and deletes.
 */
import { isoNow } from "../clock";
import { Errors } from "../errors";
import { newId } from "../ids";
import { accountRoleGroupId } from "../account-roles";
import { orgRoleGroupId } from "../role-groups";
import type { GroupBinding, GroupRecord, OrgRole, UserRecord } from "../types";
import { syncOrgRoleGroups } from "../users";
import { lower, metaOf, optionalText, primaryOf, sameFields, text, USER_FIELDS, userFields } from "./format";
import type { ImportState, Overlay, Step } from "./state";
import type { ImportedGroup, ImportedUser } from "./types";

export async function planUser(st: ImportState, u: ImportedUser, ov: Overlay): Promise<Step> {
  const { clock } = st.deps;
  const fields = userFields(u);
  const now = st.now;
  const target = st.mapped(ov, u.id);
  const mayExist = target !== null && (ov.users.has(target) || !(st.freshOrg || ov.orgCreated) || st.runUserIds.has(target));
  let current = mayExist ? await st.findUser(ov, target) : null;
  const holder = ov.userNames.has(lower(fields.userName)) || st.mayHoldName(ov, fields.userName) ? await st.findUserByName(ov, fields.userName) : null;
  if (current && holder && holder.id !== current.id) throw Errors.userNameTaken(fields.userName);
  current ??= holder;

  if (!current) {
    const user: UserRecord = { ...fields, id: st.sameOrg && u.id ? u.id : newId("US"), orgId: st.orgId, ...metaOf(u.meta, now) };
    await st.checkNotManagedElsewhere(user);
    ov.putUser(user, u.id);
    const roleGroup = user.status === "managed" && user.orgRole ? orgRoleGroupId(st.orgId, user.orgRole) : null;
    const fresh = roleGroup !== null && st.created(ov, roleGroup);
    return {
      outcome: "created",
      newUser: true,
      apply: async (tx, w) => {
        await tx.users.insert(user);
        if (roleGroup === null) return;
        const queued = w.roleMembers.get(roleGroup);
        if (queued) queued.push(user.id);
        else w.roleMembers.set(roleGroup, [user.id]);
        if (!fresh) w.touch.add(roleGroup);
      },
    };
  }
  const next: UserRecord = { ...current, ...fields };
  ov.putUser(current, u.id);
  if (sameFields(current, next, USER_FIELDS)) return { outcome: "unchanged" };
  if (primaryOf(next)?.toLowerCase() !== primaryOf(current)?.toLowerCase() || next.status !== current.status) await st.checkNotManagedElsewhere(next);
  const updated: UserRecord = { ...next, version: current.version + 1, lastModified: now };
  ov.putUser(updated, u.id);
  if (current.userName.toLowerCase() !== updated.userName.toLowerCase()) ov.userNames.delete(lower(current.userName));
  return {
    outcome: "updated",
    apply: async (tx) => {
      if (!(await tx.users.update(updated, current.version))) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
      if (updated.orgRole !== current.orgRole || updated.status !== current.status) await syncOrgRoleGroups(tx, clock, updated);
    },
  };
}

/**
 * Built-in groups exist with what they belong to: the org-role groups with the organization,
 * the account-role groups with their account. A line restores their meta when this import
 * created them, and the members of an account-role group (its role assignments); the members
 * of the org-role groups are the users' org roles, set by the user lines.
 */
export async function planBuiltinGroup(st: ImportState, g: ImportedGroup, ov: Overlay): Promise<Step> {
  const b = g.binding;
  if (b?.kind !== "orgRole" && b?.kind !== "accountRole") throw Errors.importFormat("A built-in group must grant an org role or an account role (its orgscim extension).");
  const id = b.kind === "orgRole" ? orgRoleGroupId(st.orgId, b.role) : accountRoleGroupId(st.mapped(ov, b.accountId) ?? b.accountId, b.role);
  const current = await st.findGroup(ov, id);
  if (!current) throw Errors.groupNotFound(id);
  if (g.id) ov.ids.set(g.id, id);
  const fresh = st.created(ov, id);
  const meta = metaOf(g.meta, current.lastModified);
  const restored: GroupRecord | null = fresh ? { ...current, version: meta.version, lastModified: meta.lastModified } : null;
  if (b.kind === "orgRole") {
    if (!restored) return { outcome: "unchanged" };
    ov.putGroup(restored, null);
    return { outcome: "created", apply: async (tx) => void (await tx.groups.update(restored, current.version)) };
  }
  const step = await membershipStep(st, ov, current, restored, new Set(g.members.map((m) => st.mapped(ov, m) ?? m)), g.id);
  return fresh ? { ...step, outcome: "created" } : step;
}

/**
 * The step that writes `next` (a new state of `current`'s record, or null for none) and makes
 * the membership exactly `wanted`, as row inserts and deletes; a membership change without a
 * record change touches the group (version + 1) unless this import created it.
 */
async function membershipStep(st: ImportState, ov: Overlay, current: GroupRecord, next: GroupRecord | null, wanted: Set<string>, fileId: string | null): Promise<Step> {
  const { store } = st;
  await checkMembers(st, ov, [...wanted], (next ?? current).binding);
  const had = ov.members.get(current.id) ?? new Set(
    (await store.groups.listMembers(st.orgId, current.id, Math.max(1, await store.groups.countMembers(st.orgId, current.id)))).map((m) => m.id),
  );
  const add = [...wanted].filter((id) => !had.has(id));
  const remove = [...had].filter((id) => !wanted.has(id));
  ov.putGroup(next ?? current, fileId, wanted);
  if (!next && add.length === 0 && remove.length === 0) return { outcome: "unchanged" };
  const touch = !next && !st.created(ov, current.id);
  return {
    outcome: "updated",
    apply: async (tx, w) => {
      if (next && !(await tx.groups.update(next, current.version))) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
      if (remove.length > 0) await tx.groups.removeMembers(st.orgId, current.id, remove);
      if (add.length > 0) await tx.groups.addMembers(st.orgId, current.id, add);
      if (touch) w.touch.add(current.id);
    },
  };
}

async function checkMembers(st: ImportState, ov: Overlay, ids: string[], binding: GroupBinding | null): Promise<void> {
  const elsewhere = ids.filter((id) => !ov.users.has(id));
  const found = elsewhere.length === 0 ? new Set<string>() : await st.store.groups.existingUserIds(st.orgId, elsewhere);
  const missing = elsewhere.filter((id) => !found.has(id));
  if (missing.length > 0) throw Errors.memberNotFound(missing.slice(0, 10));
  if (binding?.kind !== "orgRole") return;
  for (const id of ids) {
    const u = await st.findUser(ov, id);
    if (u && u.status !== "managed") throw Errors.invalidValue(`User ${id} is ${u.status}: only managed users can be members of a group that grants an org role.`);
  }
}

async function bindingOf(st: ImportState, ov: Overlay, binding: GroupBinding | null | undefined, displayName: string, current: GroupRecord | null): Promise<GroupBinding | null> {
  if (binding === undefined) {
    const m = /^orgscim:role:(administrator|standard|owner)$/i.exec(displayName.trim());
    return m ? { kind: "orgRole", role: m[1]!.toLowerCase() as OrgRole } : current?.binding ?? null;
  }
  if (binding?.kind !== "accountRole") return binding;
  const accountId = st.mapped(ov, binding.accountId) ?? binding.accountId;
  if (!ov.accounts.has(accountId) && !(await st.store.accounts.get(st.orgId, accountId))) throw Errors.accountNotFound(binding.accountId);
  return { ...binding, accountId };
}

export async function planGroup(st: ImportState, g: ImportedGroup, ov: Overlay): Promise<Step> {
  const { store, clock } = st.deps;
  const data = { ...g.data };
  const displayName = text(data.displayName, "displayName");
  const externalId = optionalText(data.externalId, "externalId");
  const target = st.mapped(ov, g.id);
  let current = target ? await st.findGroup(ov, target) : null;
  const holderId = ov.groupNames.get(lower(displayName)) ?? (await store.groups.findByDisplayName(st.orgId, displayName))?.id;
  if (current && holderId && holderId !== current.id) throw Errors.displayNameTaken(displayName);
  if (!current && holderId) current = await st.findGroup(ov, holderId);
  if (current?.builtin) throw Errors.builtinGroup(`'${displayName}' is a built-in group; a group line cannot replace it.`);
  const binding = await bindingOf(st, ov, g.binding, displayName, current);
  const wanted = new Set(g.members.map((id) => st.mapped(ov, id) ?? id));
  const now = isoNow(clock);

  if (!current) {
    await checkMembers(st, ov, [...wanted], binding);
    const group: GroupRecord = {
      id: st.sameOrg && g.id ? g.id : newId("GP"), orgId: st.orgId, displayName, externalId, builtin: false, binding, data, ...metaOf(g.meta, now),
    };
    ov.putGroup(group, g.id, wanted);
    return {
      outcome: "created",
      apply: async (tx) => {
        await tx.groups.insert(group);
        if (wanted.size > 0) await tx.groups.addMembers(st.orgId, group.id, [...wanted]);
      },
    };
  }
  const next: GroupRecord = { ...current, displayName, externalId, binding, data };
  const changed = !sameFields(current, next, ["displayName", "externalId", "binding", "data"]);
  if (changed && lower(current.displayName) !== lower(displayName)) ov.groupNames.delete(lower(current.displayName));
  return membershipStep(st, ov, current, changed ? { ...next, version: current.version + 1, lastModified: now } : null, wanted, g.id);
}
