/**
 * The console's user page (seed: General tab) as use cases: name, org role, two-factor
 * requirement, and ownership transfer. Who may is the policy's (./policy: user.update,
 * org_role.administrator.*, organization.owner.transfer); the previous Owner becomes an
 * Administrator.
 */
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { authorize, userTarget } from "./policy";
import { isoNow } from "./clock";
import { Errors } from "./errors";
import { orgRoleGroupId } from "./role-groups";
import type { OrgRole, UserRecord } from "./types";
import { syncOrgRoleGroups } from "./user-checks";
import { findUser, getUser, modifyUser, type UserDeps } from "./users";

export interface UserChanges {
  displayName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  orgRole?: OrgRole;
  twoFactorRequired?: boolean;
  /**
   * The caller changes names the identity provider owns knowing its next update overwrites them
   * (docs/identity-provider-owned.md); without it such a change is refused (4012).
   */
  overrideIdentityProvider?: boolean;
}

/**
 * The names an identity provider owns of a user it manages (one with an externalId): what its
 * SCIM updates write (name.givenName, name.familyName, displayName). userName, emails, active and
 * externalId are its too, and no /v1 door writes them. Org role, two-factor and account roles
 * are orgscim's own.
 */
const IDP_OWNED = { displayName: "display_name", givenName: "given_name", familyName: "family_name" } as const;

/** The identity-provider-owned names `changes` would change on `current` (a value equal to the stored one changes nothing). */
function idpOwnedChanges(current: UserRecord, changes: UserChanges): string[] {
  if (current.externalId === null) return [];
  const name = (current.data.name as Record<string, unknown> | undefined) ?? {};
  const stored: Record<keyof typeof IDP_OWNED, unknown> = { displayName: current.data.displayName, givenName: name.givenName, familyName: name.familyName };
  return (Object.keys(IDP_OWNED) as (keyof typeof IDP_OWNED)[])
    .filter((k) => changes[k] !== undefined && (changes[k] ?? undefined) !== (stored[k] ?? undefined))
    .map((k) => IDP_OWNED[k]);
}

export async function updateUserSettings(deps: UserDeps, actor: Actor, id: string, changes: UserChanges): Promise<UserRecord> {
  const { overrideIdentityProvider, ...asked } = changes;
  if (!overrideIdentityProvider) {
    // The policy first (a caller who may not change the user learns nothing about it), then the rule.
    const current = await findUser(deps, actor, id);
    const owned = idpOwnedChanges(current, asked);
    if (owned.length > 0) {
      await authorize(deps, actor, { action: "user.update", target: await userTarget(deps.store, current) });
      throw Errors.identityProviderOwns(id, owned);
    }
  }
  if (asked.orgRole === "owner") await transferOwnership(deps, actor, id);
  const { orgRole, ...rest } = asked;
  const roleChange = orgRole !== undefined && orgRole !== "owner" ? orgRole : undefined;
  if (roleChange === undefined && Object.keys(rest).length === 0) return getUser(deps, actor, id);
  return modifyUser(deps, actor, id, undefined, (current) => {
    // Checked again on the user as this transaction reads it (an externalId set meanwhile).
    const owned = overrideIdentityProvider ? [] : idpOwnedChanges(current, rest);
    if (owned.length > 0) throw Errors.identityProviderOwns(id, owned);
    const data = { ...current.data };
    if (rest.displayName !== undefined) {
      if (rest.displayName === null) delete data.displayName;
      else data.displayName = rest.displayName;
    }
    if (rest.givenName !== undefined || rest.familyName !== undefined) {
      const name = { ...((data.name as Record<string, unknown> | undefined) ?? {}) };
      if (rest.givenName !== undefined) name.givenName = rest.givenName ?? undefined;
      if (rest.familyName !== undefined) name.familyName = rest.familyName ?? undefined;
      data.name = name;
    }
    return {
      data,
      ...(roleChange ? { orgRole: roleChange } : {}),
      ...(rest.twoFactorRequired !== undefined ? { twoFactorRequired: rest.twoFactorRequired } : {}),
    };
  });
}

/** Makes `id` the Owner; the previous Owner(s) become Administrators. One transaction. */
async function transferOwnership(deps: UserDeps, actor: Actor, id: string): Promise<void> {
  const target = await findUser(deps, actor, id);
  await authorize(deps, actor, { action: "organization.owner.transfer", target: await userTarget(deps.store, target) }, { action: "user.update", target: { type: "user", id, role: null } });
  if (target.status !== "managed" || !target.active) throw Errors.invalidValue("Ownership passes only to an active managed user.");
  if (target.orgRole === "owner") return;
  const now = isoNow(deps.clock);
  await deps.store.transaction(async (tx) => {
    const owners = await tx.groups.listMembers(actor.org.id, orgRoleGroupId(actor.org.id, "owner"), 100);
    for (const o of owners) {
      const prev = await tx.users.get(actor.org.id, o.id);
      if (!prev) continue;
      const demoted = { ...prev, orgRole: "administrator" as const, version: prev.version + 1, lastModified: now };
      if (!(await tx.users.update(demoted, prev.version))) throw Errors.versionMismatch(`W/"${prev.version}"`, "newer");
      await syncOrgRoleGroups(tx, deps.clock, demoted);
    }
    const promoted = { ...target, orgRole: "owner" as const, version: target.version + 1, lastModified: now };
    if (!(await tx.users.update(promoted, target.version))) throw Errors.versionMismatch(`W/"${target.version}"`, "newer");
    await syncOrgRoleGroups(tx, deps.clock, promoted);
    await tx.audit.append(auditEvent(deps.clock, actor, "organization.owner.transfer", { type: "User", id }, {
      before: { owners: owners.map((o) => o.id) }, after: { owner: id },
    }));
  });
}
