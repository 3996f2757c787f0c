/**
 * Import planning for the organization and the records that are not SCIM resources: domains,
 * accounts, invitations, tokens and audit events. Each line is checked first (./records.ts).
 * Accounts are matched by id, then by name; domains by name; the rest by id. Imported into another
 * organization, the organization line, invitations, tokens and audit events are skipped: they
 * belong to the organization they came from.
 *
 * What a file could grant is not taken from it (see ImportOptions.trust): its domains arrive
 * pending unless DNS shows their token now; its API tokens, and the tokens of its pending
 * invitations, only when the operator asks for them; its audit events as imported history.
 */
import { builtinAccountRoleGroups, accountRoleGroupId } from "../account-roles";
import { isoNow } from "../clock";
import { MAX_DOMAINS_PER_ORG } from "../domain-rules";
import { endOtherClaims } from "../domains";
import { Errors } from "../errors";
import { newId } from "../ids";
import { newInvitationToken, stateOf } from "../invitations";
import type { Repos } from "../ports/store";
import { builtinOrgRoleGroups } from "../role-groups";
import { ACCOUNT_ROLES, DEFAULT_ORG_SETTINGS, type Account, type Domain, type GroupRecord, type Invitation, type Organization } from "../types";
import { PAGE } from "./export";
import { canonical, sameAsLine, sameFields } from "./format";
import { accountOf, auditOf, domainOf, invitationOf, organizationOf, tokenOf } from "./records";
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

export async function planOrganization(st: ImportState, raw: Record<string, unknown>, ov: Overlay): Promise<Step> {
  const { store, clock } = st.deps;
  const current = ov.orgCreated || !st.sameOrg ? null : await store.orgs.get(st.orgId);
  const org = organizationOf(raw, current?.settings ?? DEFAULT_ORG_SETTINGS);
  if (!st.sameOrg) return { outcome: "skipped" };
  if (org.id !== st.orgId) throw Errors.importFormat(`organization: the line is ${org.id}, the file's header ${st.orgId}; a file holds one organization.`);
  if (!current) {
    if (ov.orgCreated || st.orgExists) throw Errors.importConflict("The organization appears twice in the file.");
    ov.orgCreated = true;
    return createWithGroups(ov, builtinOrgRoleGroups(st.orgId, org.created), (tx) => tx.orgs.insert(org));
  }
  if (current.name === org.name && canonical(current.settings) === canonical(org.settings)) return { outcome: "unchanged" };
  const updated: Organization = { ...current, name: org.name, settings: org.settings, lastModified: isoNow(clock) };
  return { outcome: "updated", apply: async (tx) => void (await tx.orgs.update(updated)) };
}

/**
 * The state a domain line arrives in. From a store (a migration): as it is. From a file: a
 * verified or revalidating domain is verified again when DNS shows its token now, else pending
 * (the periodic re-check verifies it once the token is found, or removes it after 72 hours).
 */
async function arrivalOf(st: ImportState, d: Domain): Promise<Domain> {
  if (st.fromStore && st.sameOrg) return d;
  const pending: Domain = { ...d, state: "pending", verifiedAt: null, revalidatingSince: null };
  if (d.state === "pending") return pending;
  if (st.options.verifyDomain && (await st.options.verifyDomain(d))) return { ...d, state: "verified", verifiedAt: st.now, revalidatingSince: null };
  st.note("domains pending", (n) => `${n} domain${n === 1 ? "" : "s"} the file has as verified arrived pending: DNS did not show ${n === 1 ? "its" : "their"} token${st.options.verifyDomain ? "" : " (import with --verify-domains to ask it)"}. Verify them with POST /v1/Domains/{sid}/Verify; until then users on them cannot be provisioned.`);
  return pending;
}

/**
 * A domain, as the API would add it: a name another organization owns (verified or revalidating)
 * is refused (6105); other organizations' pending claims block nothing, and end when this one
 * arrives verified (docs/tenancy.md). The organization's own domain of that name is matched.
 */
export async function planDomain(st: ImportState, raw: Record<string, unknown>, ov: Overlay): Promise<Step> {
  const line = domainOf(raw);
  if (line.state === "removed") return { outcome: "skipped" };
  const owner = await st.store.domains.findOwner(line.name);
  if (owner && owner.orgId !== st.orgId) throw Errors.domainTaken(line.name);
  const current = (await st.store.domains.listByName(line.name)).find((d) => d.orgId === st.orgId) ?? null;
  if (current && !(st.fromStore && st.sameOrg)) return { outcome: "unchanged" }; // a file changes no domain the organization has
  const arrived = await arrivalOf(st, { ...line, orgId: st.orgId });
  const next: Domain = { ...arrived, id: current?.id ?? (st.sameOrg ? line.id : newId("DM")) };
  const write = async (tx: Repos) => {
    if (current) await tx.domains.update(next);
    else await tx.domains.insert(next);
    if (next.state === "verified" && current?.state !== "verified") await endOtherClaims(tx, st.deps.clock, next);
  };
  if (current) return sameAsLine(current, next) ? { outcome: "unchanged" } : { outcome: "updated", apply: write };
  ov.domains += 1;
  if ((await st.domainCount()) + ov.domains > MAX_DOMAINS_PER_ORG) throw Errors.tooManyDomains(MAX_DOMAINS_PER_ORG);
  return { outcome: "created", apply: write };
}

export async function planAccount(st: ImportState, raw: Record<string, unknown>, ov: Overlay): Promise<Step> {
  const account = accountOf(raw);
  const ownerId = st.mapped(ov, account.ownerId) ?? account.ownerId;
  // A closed account's owner is history: closing handed nothing over, and the owner may have left
  // since (ending a membership hands over open accounts only). An import never reopens one: a file
  // saying "active" for an account closed here is refused (6503, which names the way: reopening,
  // POST /v1/Accounts/{sid}/Reopen, an Owner's or Administrator's audited act that makes its role
  // groups again and checks its owner; reopenAccount in ../accounts.ts).
  if (account.status === "active") {
    const owner = await st.findUser(ov, ownerId);
    if (!owner) throw Errors.accountOwner(account.ownerId, "no such user in the organization");
    if (owner.status !== "managed") throw Errors.accountOwner(account.ownerId, `the user is ${owner.status}`);
  }
  const target = st.mapped(ov, account.id);
  const current = (target ? ov.accounts.get(target) ?? (await st.store.accounts.get(st.orgId, target)) : null)
    ?? (await st.accountByName(ov, account.name));
  const next: Account = { ...account, orgId: st.orgId, ownerId, id: current?.id ?? (st.sameOrg ? account.id : newId("AC")) };
  ov.ids.set(account.id, next.id);
  if (!current) {
    ov.accounts.set(next.id, next);
    // A closed account has no role groups: closing it ended every direct role (closeAccount).
    const groups = next.status === "active" ? builtinAccountRoleGroups(st.orgId, next.id, next.created) : [];
    return createWithGroups(ov, groups, (tx) => tx.accounts.insert(next));
  }
  ov.accounts.set(current.id, current);
  if (sameFields(current, next, ["name", "ownerId", "status"])) return { outcome: "unchanged" };
  if (current.status === "closed" && next.status === "active") throw Errors.accountClosed(current.id);
  const updated = { ...current, name: next.name, ownerId, status: next.status, lastModified: isoNow(st.deps.clock) };
  ov.accounts.set(current.id, updated);
  const closing = current.status === "active" && updated.status === "closed";
  return {
    outcome: "updated",
    apply: async (tx) => {
      await tx.accounts.update(updated);
      if (closing) for (const role of ACCOUNT_ROLES) await tx.groups.delete(st.orgId, accountRoleGroupId(current.id, role));
    },
  };
}

/**
 * An invitation as the file has it. Its user may be gone (revoking an invitation removes the
 * member it created; a removed user's invitations stay). A pending invitation's token is a way
 * in: from a file it is kept only when the operator asks for tokens, else replaced by one nobody
 * knows (the invitation then needs a Resend).
 */
export async function planInvitation(st: ImportState, raw: Record<string, unknown>, ov: Overlay): Promise<Step> {
  const line = invitationOf(raw);
  if (!st.sameOrg) return { outcome: "skipped" };
  if (line.kind === "account" && !ov.accounts.has(line.accountId!) && !(await st.store.accounts.get(st.orgId, line.accountId!))) {
    throw Errors.accountNotFound(line.accountId!);
  }
  const withheld = !st.fromStore && !st.options.tokens && stateOf(line, st.deps.clock.now()) === "pending";
  const current = await st.store.invitations.get(st.orgId, line.id);
  const compared = (i: Invitation): Invitation => (withheld ? { ...i, tokenHash: "" } : i);
  if (current) {
    if (sameAsLine(compared(current), compared({ ...line, orgId: st.orgId }))) return { outcome: "unchanged" };
    throw Errors.importConflict(`Invitation ${line.id} already exists with other values; an import does not change invitations.`);
  }
  if (withheld) st.note("invitation tokens", (n) => `${n} pending invitation${n === 1 ? "" : "s"} arrived without ${n === 1 ? "its" : "their"} token (import with --tokens to keep them): resend them (POST /v1/Invitations/{sid}/Resend).`);
  const next: Invitation = { ...line, orgId: st.orgId, ...(withheld ? { tokenHash: newInvitationToken().hash } : {}) };
  return { outcome: "created", apply: async (tx) => tx.invitations.insert(next) };
}

/** An API token: only within its own organization, and from a file only when the operator asks for tokens. */
export async function planToken(st: ImportState, raw: Record<string, unknown>): Promise<Step> {
  const token = tokenOf(raw);
  if (!st.sameOrg) return { outcome: "skipped" };
  if (!st.fromStore && !st.options.tokens) {
    st.note("tokens", (n) => `${n} API token${n === 1 ? " was" : "s were"} left out: a token in a file is a way in, imported only with --tokens.`);
    return { outcome: "skipped" };
  }
  // The policy's rule (src/domain/policy/table/credentials.ts, token.create): only the user themself, or the operator, makes a token acting for a user.
  if (token.userId && !token.revoked && token.createdBy && token.createdBy !== "operator" && token.creatorUserId !== token.userId) {
    throw Errors.importConflict(`Token ${token.id} acts for ${token.userId} but was made by ${token.createdBy}: only the user themself, or the operator, makes a token acting for a user.`);
  }
  const current = await st.store.tokens.get(token.id);
  if (current && current.orgId !== st.orgId) throw Errors.importConflict(`Token ${token.id} belongs to another organization.`);
  if (!current) return { outcome: "created", apply: async (tx) => tx.tokens.insert({ ...token, orgId: st.orgId }) };
  if (token.revoked && !current.revoked) return { outcome: "updated", apply: async (tx) => void (await tx.tokens.revoke(st.orgId, token.id, token.revoked!)) };
  return { outcome: "unchanged" };
}

/** An audit event, kept as imported history: marked with when and from where (its first import's mark, if it has one). */
export async function planAudit(st: ImportState, raw: Record<string, unknown>, ov: Overlay): Promise<Step> {
  const event = auditOf(raw);
  if (!st.sameOrg) return { outcome: "skipped" };
  if (!st.auditIds) {
    st.auditIds = new Set();
    let after: string | undefined;
    for (;;) {
      const page = await st.store.audit.page(st.orgId, { limit: PAGE, ...(after ? { after } : {}) });
      for (const e of page.events) st.auditIds.add(e.id);
      if (page.events.length < PAGE) break;
      after = page.positions[page.positions.length - 1]!;
    }
  }
  if (st.auditIds.has(event.id) || ov.audit.has(event.id)) return { outcome: "unchanged" };
  ov.audit.add(event.id);
  const imported = event.imported ?? { at: st.now, from: st.options.source ?? "import" };
  return { outcome: "created", apply: async (tx) => tx.audit.append({ ...event, orgId: st.orgId, imported }) };
}
