/**
 * The end of a user's membership (docs/model.md): DELETE /Users/{id} by the organization's
 * deprovisioning policy, and /v1's remove or delete with the hand-over of the accounts the user
 * owns. One store transaction each; one audit event, and one per account handed over.
 */
import type { Actor } from "./actor";
import { auditEvent, auditRefusal } from "./audit";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { authorize, userTarget } from "./policy";
import type { Repos, Store } from "./ports/store";
import { orgRoleGroupId } from "./role-groups";
import { userSummary as summary } from "./user-checks";
import { checkIfMatch, type IfMatch } from "./versions";

/** What these use cases need (./users.ts UserDeps has it). */
export interface RemovalDeps {
  store: Store;
  clock: Clock;
}

/**
 * DELETE /Users/{id}: the organization's policy. "remove" (default) ends the membership: the
 * person keeps their login and anything outside the organization; "delete" erases the user.
 * Both make GET answer 404. The Owner cannot be removed over SCIM.
 */
export async function deprovisionUser(deps: RemovalDeps, actor: Actor, id: string, ifMatch?: IfMatch): Promise<void> {
  await endMembership(deps, actor, id, { mode: actor.org.settings.deprovision, protectOwner: true, ifMatch });
}

/**
 * Ends a user's membership: "remove" (the person keeps their login and anything outside the
 * organization, and may be invited again) or "delete" (their data is erased, and the audit trail
 * keeps only their id). Accounts they own pass to `newOwnerId`, else to the organization's
 * successor, else to its Owner; with none of them the request is refused and nothing changes.
 */
export async function endMembership(
  deps: RemovalDeps,
  actor: Actor,
  id: string,
  options: { mode: "remove" | "delete"; newOwnerId?: string; protectOwner: boolean; ifMatch?: IfMatch },
): Promise<{ accountsHandedOver: { accountId: string; newOwnerId: string }[] }> {
  const { store, clock } = deps;
  const current = await store.users.get(actor.org.id, id);
  if (!current) throw Errors.userNotFound(id);
  const action = options.mode === "delete" ? "user.delete" : "user.remove";
  await authorize(deps, actor, { action, target: await userTarget(store, current) });
  checkIfMatch(options.ifMatch, current.version);
  if (actor.userId === id) throw Errors.invalidValue("You cannot remove or delete yourself; ask another Owner or Administrator.");
  if (current.orgRole === "owner") {
    const e = options.protectOwner ? Errors.ownerProtected("removed") : Errors.lastOwner();
    await auditRefusal(store, clock, actor, action, { type: "User", id }, e.message);
    throw e;
  }
  return store.transaction(async (tx) => {
    if (options.ifMatch !== undefined) {
      // Checked again where the delete happens: a write in between fails the precondition.
      const fresh = await tx.users.get(actor.org.id, id);
      if (!fresh) throw Errors.userNotFound(id);
      checkIfMatch(options.ifMatch, fresh.version);
    }
    const handedOver = await handOverAccounts(tx, clock, actor, id, options.newOwnerId);
    const gone = await tx.users.delete(actor.org.id, id);
    if (!gone) throw Errors.userNotFound(id);
    await tx.audit.append(auditEvent(clock, actor, action, { type: "User", id }, {
      before: options.mode === "delete" ? { id } : summary(current),
      after: { accountsHandedOver: handedOver },
    }));
    return { accountsHandedOver: handedOver };
  });
}

/**
 * The accounts a departing user owns pass to the organization's successor (settings), or else to
 * its Owner; each hand-over is audited. No successor at all refuses the removal, losing nothing.
 */
async function handOverAccounts(tx: Repos, clock: Clock, actor: Actor, userId: string, chosen?: string): Promise<{ accountId: string; newOwnerId: string }[]> {
  if (chosen === userId) throw Errors.invalidValue("The new owner of the accounts must be another managed user of the organization.");
  // A named new owner is checked whether or not there are accounts to hand over, so that the
  // answer never depends on anything but this organization's own users (another organization's
  // user id answers exactly like an unknown one).
  const named = chosen ? await tx.users.get(actor.org.id, chosen) : null;
  if (chosen && (!named || named.status !== "managed" || !named.active)) throw Errors.accountOwner(chosen, "they are not an active managed user");
  const owned = await tx.accounts.listOwnedBy(actor.org.id, userId);
  if (owned.length === 0) return [];
  let successor = chosen ?? actor.org.settings.successorUserId;
  if (!successor || successor === userId) {
    const owners = await tx.groups.listMembers(actor.org.id, orgRoleGroupId(actor.org.id, "owner"), 2);
    successor = owners.find((o) => o.id !== userId)?.id ?? null;
  }
  const heir = successor ? await tx.users.get(actor.org.id, successor) : null;
  if (chosen && (!heir || heir.status !== "managed" || !heir.active)) throw Errors.accountOwner(chosen, "they are not an active managed user");
  if (!heir || heir.status !== "managed") throw Errors.noSuccessor(userId);
  const now = isoNow(clock);
  for (const a of owned) {
    await tx.accounts.update({ ...a, ownerId: heir.id, lastModified: now });
    await tx.audit.append(auditEvent(clock, actor, "account.owner.transfer", { type: "Account", id: a.id }, { before: { ownerId: userId }, after: { ownerId: heir.id } }));
  }
  return owned.map((a) => ({ accountId: a.id, newOwnerId: heir.id }));
}
