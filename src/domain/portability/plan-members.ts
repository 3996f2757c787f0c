/**
 * Import planning for users and groups: what each line changes, as a Step to write in the batch's
 * transaction. Users are matched by id, then by userName (without case); groups by id, then by
 * displayName. Memberships are written as row inserts and deletes.
 */
import { isoNow } from "../clock";
import { Errors } from "../errors";
import { newId } from "../ids";
import { ACCOUNT_ROLE_NAMES, accountRoleGroupId } from "../account-roles";
import { shape as shapeGroup } from "../groups";
import { bindingByConvention, orgRoleGroupId } from "../role-groups";
import type { GroupBinding, GroupRecord, UserRecord } from "../types";
import { syncOrgRoleGroups } from "../user-checks";
import { lower, metaOf, primaryOf, sameFields, USER_FIELDS, type UserFields } from "./format";
import type { ImportState, Overlay, Step } from "./state";
import type { ImportedGroup, ImportedUser } from "./types";

/** Whether the user line changes the Owner as the API never does (demoted, suspended, released). */
async function checkOwner(st: ImportState, ov: Overlay, id: string, current: UserRecord | null, next: UserFields): Promise<void> {
  if (current?.orgRole === "owner" && (next.orgRole !== "owner" || next.status !== "managed" || !next.active)) {
    throw Errors.importConflict(`User ${current.id} is the Owner: an import does not demote, suspend or release the Owner. Transfer ownership first (POST /v1/Users/{sid} with org_role owner).`);
  }
  if (next.orgRole !== "owner" || current?.orgRole === "owner") return;
  if (next.status !== "managed" || !next.active) throw Errors.invalidValue("The Owner is an active managed user: this line makes a pending, independent or suspended user Owner.");
  const other = await st.otherOwner(ov, id);
  if (other) {
    throw Errors.importConflict(`The organization already has an Owner (${other}), and it has one only. Import this user as administrator, or transfer ownership first (POST /v1/Users/{sid} with org_role owner).`);
  }
  ov.owner = id;
}

/**
 * A file makes nobody managed who is not yet: an independent user (their login is theirs, or another
 * organization's) or a pending one becomes managed by accepting an invitation, which no file can do
 * for them (docs/security.md case 87). A migration (trust "store") carries the source store's states.
 */
function checkConsent(st: ImportState, current: UserRecord, next: UserFields): void {
  if (st.fromStore || next.status !== "managed" || current.status === "managed") return;
  throw Errors.importConflict(`User ${current.id} (${current.userName}) is ${current.status}: a person becomes managed by accepting an invitation, and a file does not accept one for them. Import this user as ${current.status}, or invite them (POST /v1/Invitations).`);
}

/**
 * A new user's record, its fields named one by one (in the order spreading them gave): a spread of
 * `fields` followed by more properties cost ~5 µs a user line, V8 adding each to the copy by a map
 * transition.
 */
function newUserRecord(f: UserFields, id: string, orgId: string, meta: { created: string; lastModified: string; version: number }): UserRecord {
  return {
    userName: f.userName, externalId: f.externalId, displayName: f.displayName, active: f.active, emails: f.emails, status: f.status,
    orgRole: f.orgRole, twoFactorRequired: f.twoFactorRequired, passwordResetRequired: f.passwordResetRequired, data: f.data,
    id, orgId, created: meta.created, lastModified: meta.lastModified, version: meta.version,
  };
}

export async function planUser(st: ImportState, u: ImportedUser, ov: Overlay): Promise<Step> {
  const { clock } = st.deps;
  const fields = st.fieldsOf(ov, u);
  const now = st.now;
  const target = st.mapped(ov, u.id);
  const mayExist = target !== null && (ov.users.has(target) || !(st.freshOrg || ov.orgCreated) || st.runUserIds.has(target));
  let current = mayExist ? await st.findUser(ov, target) : null;
  const holder = ov.userNames.has(lower(fields.userName)) || st.mayHoldName(ov, fields.userName) ? await st.findUserByName(ov, fields.userName) : null;
  if (current && holder && holder.id !== current.id) throw Errors.userNameTaken(fields.userName);
  current ??= holder;

  if (!current) {
    const user = newUserRecord(fields, st.sameOrg && u.id ? u.id : newId("US"), st.orgId, metaOf(u.meta, now));
    await checkOwner(st, ov, user.id, null, user);
    await st.checkNotManagedElsewhere(ov, user);
    ov.putUser(user, u.id);
    const roleGroup = user.status === "managed" && user.orgRole ? orgRoleGroupId(st.orgId, user.orgRole) : null;
    const fresh = roleGroup !== null && st.created(ov, roleGroup);
    return {
      outcome: "created",
      newUser: true,
      apply: async (_tx, w) => {
        w.newUsers.push(user);
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
  checkConsent(st, current, next);
  await checkOwner(st, ov, current.id, current, next);
  if (primaryOf(next)?.toLowerCase() !== primaryOf(current)?.toLowerCase() || next.status !== current.status) await st.checkNotManagedElsewhere(ov, next);
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
  const wanted = new Set(g.members.map((m) => st.mapped(ov, m) ?? m));
  await checkAdministratorAlone(st, ov, current.binding as GroupBinding & { kind: "accountRole" }, wanted);
  const step = await membershipStep(st, ov, current, restored, wanted, g.id);
  return fresh ? { ...step, outcome: "created" } : step;
}

/**
 * The step that writes `next` (a new state of `current`'s record, or null for none) and makes
 * the membership exactly `wanted`, as row inserts and deletes; a membership change without a
 * record change touches the group (version + 1) unless this import created it.
 */
async function membershipStep(st: ImportState, ov: Overlay, current: GroupRecord, next: GroupRecord | null, wanted: Set<string>, fileId: string | null): Promise<Step> {
  const { store } = st;
  await checkMembers(st, ov, [...wanted], (next ?? current).binding, current.builtin);
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

/**
 * The members a group line names exist in the organization: users, independent users included,
 * except in a group granting an org role, which has managed members only. Independent users hold
 * account roles (a built-in account-role group names them), and a member whose invitation was
 * revoked goes back to independent and stays in the groups they were in, bound or not
 * (src/domain/invitations.ts releaseMember): a state the round-trip property test reached
 * through the API, which an import must carry. Such a group gives an independent member nothing
 * their kind may not hold.
 */
async function checkMembers(st: ImportState, ov: Overlay, ids: string[], binding: GroupBinding | null, _builtin: boolean): Promise<void> {
  const includeIndependent = binding?.kind !== "orgRole";
  const elsewhere = ids.filter((id) => !ov.users.has(id));
  const found = elsewhere.length === 0 ? new Set<string>() : await st.store.groups.existingUserIds(st.orgId, elsewhere, { includeIndependent });
  const missing = elsewhere.filter((id) => !found.has(id));
  const independent = ids.filter((id) => !includeIndependent && ov.users.get(id)?.status === "independent");
  if (missing.length > 0 || independent.length > 0) throw Errors.memberNotFound([...missing, ...independent].slice(0, 10));
  if (binding?.kind !== "orgRole") return;
  for (const id of ids) {
    const u = await st.findUser(ov, id);
    if (u && u.status !== "managed") throw Errors.invalidValue(`User ${id} is ${u.status}: only managed users can be members of a group that grants an org role.`);
  }
}

/** Administrator includes the other account roles: nobody holds it beside another role of the same account directly (grantRole's rule). */
async function checkAdministratorAlone(st: ImportState, ov: Overlay, binding: GroupBinding & { kind: "accountRole" }, wanted: Set<string>): Promise<void> {
  if (binding.role === "administrator" || wanted.size === 0) return;
  const admins = accountRoleGroupId(binding.accountId, "administrator");
  const held = ov.members.get(admins) ?? new Set((await st.store.groups.listMembers(st.orgId, admins, Math.max(1, await st.store.groups.countMembers(st.orgId, admins)))).map((m) => m.id));
  const both = [...wanted].find((id) => held.has(id));
  if (both) throw Errors.importConflict(`User ${both} is Administrator of account ${binding.accountId}, which includes ${ACCOUNT_ROLE_NAMES[binding.role]}: a user holds Administrator alone.`);
}

async function bindingOf(st: ImportState, ov: Overlay, binding: GroupBinding | null | undefined, displayName: string, current: GroupRecord | null): Promise<GroupBinding | null> {
  const said = binding === undefined ? bindingByConvention(displayName) ?? current?.binding ?? null : binding;
  if (said?.kind === "orgRole" && said.role === "owner") throw Errors.roleNotAllowed("owner", "no group grants Owner; ownership is transferred through the admin API.");
  if (said?.kind !== "accountRole") return said;
  const accountId = st.mapped(ov, said.accountId) ?? said.accountId;
  if (!ov.accounts.has(accountId) && !(await st.store.accounts.get(st.orgId, accountId))) throw Errors.accountNotFound(said.accountId);
  return { ...said, accountId };
}

export async function planGroup(st: ImportState, g: ImportedGroup, ov: Overlay): Promise<Step> {
  const { store, clock } = st.deps;
  const data = { ...g.data };
  const { displayName, externalId } = shapeGroup(data);
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
    await checkMembers(st, ov, [...wanted], binding, false);
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
