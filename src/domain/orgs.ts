/**
 * Organizations: creation (with the built-in org-role groups) and settings. Each use case is one
 * transaction with its audit event.
 */
import { actorName, type Actor } from "./actor";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { newId } from "./ids";
import { authorize, orgTarget } from "./policy";
import type { Repos, Store } from "./ports/store";
import { builtinOrgRoleGroups } from "./role-groups";
import { DEFAULT_ORG_SETTINGS, type Organization, type OrgSettings } from "./types";

export async function createOrganization(
  store: Store,
  clock: Clock,
  input: { name: string; settings?: Partial<OrgSettings> },
): Promise<Organization> {
  // The id is made before the transaction: a store may run the body again (MongoDB retries a
  // transaction that had to create the new organization's sequence counters, docs/stores.md), and
  // every attempt must name the same organization, or each one creates counters the next cannot see.
  const id = newId("OR");
  return store.transaction((tx) => insertOrganization(tx, clock, { ...input, id }));
}

/**
 * The writes of createOrganization, inside the caller's transaction (the first start adds its token
 * to it). `id` must be made outside that transaction (see createOrganization).
 */
export async function insertOrganization(tx: Repos, clock: Clock, input: { id: string; name: string; settings?: Partial<OrgSettings> }): Promise<Organization> {
  const now = isoNow(clock);
  const org: Organization = {
    id: input.id,
    name: input.name,
    settings: { ...DEFAULT_ORG_SETTINGS, ...input.settings },
    created: now,
    lastModified: now,
  };
  await tx.orgs.insert(org);
  for (const g of builtinOrgRoleGroups(org.id, now)) await tx.groups.insert(g);
  await tx.audit.append({
    id: newId("AE"), orgId: org.id, time: now, actor: "system", action: "organization.create",
    targetType: "Organization", targetId: org.id, outcome: "success", before: null, after: { name: org.name, settings: org.settings },
  });
  return org;
}

export async function updateOrgSettings(
  store: Store,
  clock: Clock,
  org: Organization,
  settings: Partial<OrgSettings>,
  actor: string,
): Promise<Organization> {
  const successor = settings.successorUserId;
  if (successor && successor !== org.settings.successorUserId) {
    // The organization's own active managed user; another organization's id answers like an unknown one.
    const user = await store.users.get(org.id, successor);
    if (!user || user.status !== "managed" || !user.active) throw Errors.successorInvalid(successor);
  }
  const next: Organization = { ...org, settings: { ...org.settings, ...settings }, lastModified: isoNow(clock) };
  await store.transaction(async (tx) => {
    await tx.orgs.update(next);
    await tx.audit.append({
      id: newId("AE"), orgId: org.id, time: next.lastModified, actor, action: "organization.settings.update",
      targetType: "Organization", targetId: org.id, outcome: "success", before: org.settings, after: next.settings,
    });
  });
  return next;
}

/** GET /v1/Organization: the caller's organization. */
export async function getOrganization(deps: { store: Store; clock: Clock }, actor: Actor): Promise<Organization> {
  await authorize(deps, actor, { action: "organization.read", target: orgTarget(actor.org.id) });
  return actor.org;
}

/** POST /v1/Organization: the caller's organization's settings. */
export async function updateOrganization(deps: { store: Store; clock: Clock }, actor: Actor, settings: Partial<OrgSettings>): Promise<Organization> {
  await authorize(deps, actor, { action: "organization.settings.update", target: orgTarget(actor.org.id) });
  return updateOrgSettings(deps.store, deps.clock, actor.org, settings, actorName(actor));
}
