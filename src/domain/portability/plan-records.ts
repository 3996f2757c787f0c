/**
 * Import planning for the organization and the records that are not SCIM resources: domains,
 * accounts, invitations, tokens and audit events. Accounts are matched by id, then by name;
 * domains by name; the rest by id. Imported into another organization, the organization line,
 * invitations, tokens and audit events are skipped: they belong to the organization they came from.
 */
import { builtinAccountRoleGroups } from "../account-roles";
import { isoNow } from "../clock";
import { Errors } from "../errors";
import { newId } from "../ids";
import type { Repos } from "../ports/store";
import { builtinOrgRoleGroups } from "../role-groups";
import { DEFAULT_ORG_SETTINGS, type Account, type ApiToken, type AuditEvent, type Domain, type GroupRecord, type Invitation, type Organization } from "../types";
import { PAGE } from "./export";
import { canonical, requireFields, sameAsLine, sameFields } from "./format";
import type { ImportState, Overlay, Step } from "./state";

/** A new record that comes with its built-in groups (an organization, an account), written in one step. */
function createWithGroups(ov: Overlay, groups: GroupRecord[], insert: (tx: Repos) => Promise<void>): Step {
  for (const g of groups) {
    ov.putGroup(g, null, new Set());
    ov.createdGroups.add(g.id);
  }
  return {
    outcome: "created",
    apply: async (tx) => {
      await insert(tx);
      for (const g of groups) await tx.groups.insert(g);
    },
  };
}

export async function planOrganization(st: ImportState, org: Organization, ov: Overlay): Promise<Step> {
  if (!st.sameOrg) return { outcome: "skipped" };
  requireFields(org as unknown as Record<string, unknown>, ["name", "created"], "organization");
  const { store, clock } = st.deps;
  const current = ov.orgCreated ? null : await store.orgs.get(st.orgId);
  const next: Organization = { ...org, id: st.orgId, settings: { ...DEFAULT_ORG_SETTINGS, ...current?.settings, ...org.settings } };
  if (!current) {
    if (ov.orgCreated || st.orgExists) throw Errors.importConflict("The organization appears twice in the file.");
    ov.orgCreated = true;
    return createWithGroups(ov, builtinOrgRoleGroups(st.orgId, next.created), (tx) => tx.orgs.insert(next));
  }
  if (current.name === next.name && canonical(current.settings) === canonical(next.settings)) return { outcome: "unchanged" };
  const updated = { ...current, name: next.name, settings: next.settings, lastModified: isoNow(clock) };
  return { outcome: "updated", apply: async (tx) => void (await tx.orgs.update(updated)) };
}

export async function planDomain(st: ImportState, domain: Domain): Promise<Step> {
  requireFields(domain as unknown as Record<string, unknown>, ["id", "name", "state", "challenge", "created"], "domain");
  // Several organizations may claim a name; one owns it (verified or revalidating: docs/tenancy.md).
  const claims = await st.store.domains.listByName(domain.name);
  const owner = claims.find((d) => d.state === "verified" || d.state === "revalidating");
  const current = claims.find((d) => d.orgId === st.orgId) ?? null;
  if (owner && owner.orgId !== st.orgId && st.sameOrg && (domain.state === "verified" || domain.state === "revalidating")) {
    throw Errors.importConflict(`The domain ${domain.name} is verified by another organization; it was not imported.`);
  }
  const next: Domain = st.sameOrg
    ? { ...domain, orgId: st.orgId }
    : { ...domain, orgId: st.orgId, id: current?.id ?? newId("DM"), state: "pending", verifiedAt: null, ...("revalidatingSince" in domain ? { revalidatingSince: null } : {}) };
  if (!current) return { outcome: "created", apply: async (tx) => tx.domains.insert(next) };
  // Imported into another organization, a domain already there keeps its own verification.
  if (!st.sameOrg || sameAsLine(current, next)) return { outcome: "unchanged" };
  return { outcome: "updated", apply: async (tx) => void (await tx.domains.update({ ...next, id: current.id })) };
}

export async function planAccount(st: ImportState, account: Account, ov: Overlay): Promise<Step> {
  requireFields(account as unknown as Record<string, unknown>, ["id", "name", "ownerId", "status", "created"], "account");
  const ownerId = st.mapped(ov, account.ownerId) ?? account.ownerId;
  if (!(await st.findUser(ov, ownerId))) throw Errors.accountOwner(account.ownerId, "no such user in the organization");
  const target = st.mapped(ov, account.id);
  const current = (target ? ov.accounts.get(target) ?? (await st.store.accounts.get(st.orgId, target)) : null)
    ?? (await st.accountByName(ov, account.name));
  const next: Account = { ...account, orgId: st.orgId, ownerId, id: current?.id ?? (st.sameOrg ? account.id : newId("AC")) };
  ov.ids.set(account.id, next.id);
  if (!current) {
    ov.accounts.set(next.id, next);
    return createWithGroups(ov, builtinAccountRoleGroups(st.orgId, next.id, next.created), (tx) => tx.accounts.insert(next));
  }
  ov.accounts.set(current.id, current);
  if (sameFields(current, next, ["name", "ownerId", "status"])) return { outcome: "unchanged" };
  const updated = { ...current, name: next.name, ownerId, status: next.status, lastModified: isoNow(st.deps.clock) };
  ov.accounts.set(current.id, updated);
  return { outcome: "updated", apply: async (tx) => void (await tx.accounts.update(updated)) };
}

export async function planInvitation(st: ImportState, invitation: Invitation, ov: Overlay): Promise<Step> {
  if (!st.sameOrg) return { outcome: "skipped" };
  requireFields(invitation as unknown as Record<string, unknown>, ["id", "userId", "email", "tokenHash", "expires", "created"], "invitation");
  if (!(await st.findUser(ov, invitation.userId))) throw Errors.userNotFound(invitation.userId);
  const next: Invitation = { ...invitation, orgId: st.orgId };
  const current = await st.store.invitations.get(st.orgId, invitation.id);
  if (!current) return { outcome: "created", apply: async (tx) => tx.invitations.insert(next) };
  if (sameAsLine(current, next)) return { outcome: "unchanged" };
  throw Errors.importConflict(`Invitation ${invitation.id} already exists with other values; an import does not change invitations.`);
}

export async function planToken(st: ImportState, token: ApiToken): Promise<Step> {
  if (!st.sameOrg) return { outcome: "skipped" };
  requireFields(token as unknown as Record<string, unknown>, ["id", "name", "secretHash", "created"], "token");
  const current = await st.store.tokens.get(token.id);
  if (current && current.orgId !== st.orgId) throw Errors.importConflict(`Token ${token.id} belongs to another organization.`);
  if (!current) return { outcome: "created", apply: async (tx) => tx.tokens.insert({ ...token, orgId: st.orgId }) };
  if (token.revoked && !current.revoked) return { outcome: "updated", apply: async (tx) => void (await tx.tokens.revoke(st.orgId, token.id, token.revoked!)) };
  return { outcome: "unchanged" };
}

export async function planAudit(st: ImportState, event: AuditEvent, ov: Overlay): Promise<Step> {
  if (!st.sameOrg) return { outcome: "skipped" };
  requireFields(event as unknown as Record<string, unknown>, ["id", "time", "actor", "action"], "audit event");
  if (!st.auditIds) {
    st.auditIds = new Set();
    let before: string | undefined;
    for (;;) {
      const page = await st.store.audit.list(st.orgId, { limit: PAGE, ...(before ? { before } : {}) });
      for (const e of page) st.auditIds.add(e.id);
      if (page.length < PAGE) break;
      before = page[page.length - 1]!.id;
    }
  }
  if (st.auditIds.has(event.id) || ov.audit.has(event.id)) return { outcome: "unchanged" };
  ov.audit.add(event.id);
  return { outcome: "created", apply: async (tx) => tx.audit.append({ ...event, orgId: st.orgId }) };
}
