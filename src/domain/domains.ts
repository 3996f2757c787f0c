/**
 * Verified domains (seed: "To invite a user, you must first have verified the domain that owns the
 * user's email address"; docs/model.md#verified-domains). With domain enforcement on, SCIM
 * provisions a user only when the primary email's domain is in state `verified` here (user-checks.ts
 * `checkDomains`).
 *
 * An admin adds a domain and gets a DNS TXT challenge: a record named `_orgscim.<domain>` (the
 * apex `<domain>` is accepted too) whose value is `orgscim-domain-verification=<32 hex>`, TTL 3600.
 *
 *   pending ──found──▶ verified ──token gone (re-check)──▶ revalidating ──found──▶ verified
 *      │                                                        │
 *      └─ not verified within 72 h (re-check) ─▶ removed ◀──────┴─ still gone after 30 days
 *   any state ──DELETE──▶ removed
 *
 * - The DNS is asked through the `TxtResolver` port. A resolver failure changes nothing and is
 *   reported as `unavailable` (never as "not found").
 * - `recheckDomains` runs every DOMAIN_RECHECK_INTERVAL_MS (src/infra/domain-recheck.ts) over
 *   every pending, verified and revalidating domain of every organization. A pending domain that
 *   is not verified within 72 hours is removed.
 * - A domain belongs to the organization that verifies it (docs/tenancy.md). Several
 *   organizations may hold pending claims on one name, and a claim blocks nobody: the first to
 *   verify owns the name (the store keeps one verified or revalidating domain per name), and the
 *   other claims end then, each with an audit event saying why. The owner keeps the name while it
 *   is verified or revalidating; others cannot add it meanwhile.
 * - Names are checked against the Public Suffix List (the `tldts` package): a public suffix
 *   (co.uk, github.io) is refused, and so is any name under a public mail or relay service
 *   (./public-mail-domains.ts).
 * - Only an Owner or Administrator manages domains; each change leaves one audit event, each
 *   refused authorization one refusal event.
 */
import { randomBytes } from "node:crypto";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import {
  CHALLENGE_PREFIX, DOMAIN_SID, MAX_DOMAINS_PER_ORG, challengeOf, checkOwnable, expiresAt, lookupChallenge, normalizeDomainName, transition,
  type LookupResult, type Transition,
} from "./domain-rules";
import { authorize, orgTarget } from "./policy";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { newId } from "./ids";
import { DnsUnavailable, type TxtResolver } from "./ports/dns";
import { UniqueViolation, type Repos, type Store } from "./ports/store";
import type { AuditEvent, Domain } from "./types";


/** Seconds a client should wait after a resolver failure. */
const DNS_RETRY_AFTER = 30;

export interface DomainDeps {
  store: Store;
  clock: Clock;
  /** Absent when the server was built without a resolver: verification then answers `unavailable`. */
  dns?: TxtResolver | undefined;
}

const summary = (d: Domain) => ({ name: d.name, state: d.state, verifiedAt: d.verifiedAt, revalidatingSince: d.revalidatingSince ?? null });

const systemEvent = (clock: Clock, t: Transition, before: Domain): AuditEvent => ({
  id: newId("AE"), orgId: before.orgId, time: isoNow(clock), actor: "system:domain-recheck", action: t.action,
  targetType: "Domain", targetId: before.id, outcome: "success", before: summary(before), after: summary(t.next), reason: t.reason,
});

/** The domain `id` of the actor's organization, not removed; null otherwise (another organization's is "not found"). */
async function findOwn(repos: Repos, orgId: string, id: string): Promise<Domain | null> {
  if (!DOMAIN_SID.test(id)) return null;
  return (await repos.domains.list(orgId)).find((d) => d.id === id) ?? null;
}

const ENDED_REASON = "another organization verified this domain first; a domain belongs to the organization that verifies it";

/** Not found: but a claim that ended because another organization verified the name says so. */
async function notFound(repos: Repos, orgId: string, id: string): Promise<Error> {
  const gone = DOMAIN_SID.test(id) ? await repos.domains.get(orgId, id) : null;
  if (gone?.state === "removed") {
    const owner = await repos.domains.findOwner(gone.name);
    if (owner && owner.orgId !== orgId) return Errors.domainClaimEnded(gone.name, id);
  }
  return Errors.domainNotFound(id);
}

/**
 * A domain has just become verified: the other organizations' pending claims on its name end,
 * each with an audit event in that organization saying why.
 */
export async function endOtherClaims(tx: Repos, clock: Clock, verified: Domain): Promise<void> {
  for (const other of await tx.domains.listByName(verified.name)) {
    if (other.orgId === verified.orgId || other.state !== "pending") continue;
    const ended: Domain = { ...other, state: "removed" };
    if (!(await tx.domains.update(ended))) continue;
    await tx.audit.append({
      id: newId("AE"), orgId: other.orgId, time: isoNow(clock), actor: "system:domain-ownership", action: "domain.remove",
      targetType: "Domain", targetId: other.id, outcome: "success", before: summary(other), after: summary(ended),
      reason: ENDED_REASON,
    });
  }
}

/**
 * Writes a transition. Becoming verified while another organization owns the name (it verified
 * first: the store refuses a second owner) ends this claim instead; answers the domain as written
 * and whether the claim ended that way.
 */
async function applyTransition(tx: Repos, clock: Clock, current: Domain, t: Transition): Promise<{ written: Domain; ended: boolean }> {
  if (t.next.state === "verified" && current.state === "pending") {
    const owner = await tx.domains.findOwner(current.name);
    if (owner && owner.orgId !== current.orgId) {
      const ended: Domain = { ...current, state: "removed" };
      await tx.domains.update(ended);
      return { written: ended, ended: true };
    }
    try {
      await tx.domains.update(t.next);
    } catch (e) {
      if (e instanceof UniqueViolation) {
        const ended: Domain = { ...current, state: "removed" };
        await tx.domains.update(ended);
        return { written: ended, ended: true };
      }
      throw e;
    }
    await endOtherClaims(tx, clock, t.next);
    return { written: t.next, ended: false };
  }
  await tx.domains.update(t.next);
  return { written: t.next, ended: false };
}

const dnsFailure = (d: Domain, e: unknown) => Errors.dnsUnavailable(challengeOf(d).name, DNS_RETRY_AFTER, e);

// ---------- use cases ----------

/** POST /v1/Domains: claims the name for the organization, pending until its DNS token is found. */
export async function addDomain(deps: DomainDeps, actor: Actor, input: string): Promise<Domain> {
  const { store, clock } = deps;
  await authorize(deps, actor, { action: "domain.create", target: orgTarget(actor.org.id) });
  const name = normalizeDomainName(input);
  checkOwnable(name);
  const now = isoNow(clock);
  const domain: Domain = {
    id: newId("DM"),
    orgId: actor.org.id,
    name,
    state: "pending",
    challenge: CHALLENGE_PREFIX + randomBytes(16).toString("hex"),
    created: now,
    verifiedAt: null,
    revalidatingSince: null,
  };
  await store.transaction(async (tx) => {
    const own = await tx.domains.list(actor.org.id);
    const same = own.find((d) => d.name === name);
    if (same) throw Errors.domainAlreadyAdded(name, same.id);
    if (own.length >= MAX_DOMAINS_PER_ORG) throw Errors.tooManyDomains(MAX_DOMAINS_PER_ORG);
    // Another organization's pending claim blocks nothing; its verified domain is its own.
    if (await tx.domains.findOwner(name)) throw Errors.domainTaken(name);
    try {
      await tx.domains.insert(domain);
    } catch (e) {
      // This organization added the same name between the read and the write: the store's unique index decides.
      if (e instanceof UniqueViolation && e.field === "name") {
        const raced = (await tx.domains.list(actor.org.id)).find((d) => d.name === name);
        throw raced ? Errors.domainAlreadyAdded(name, raced.id) : Errors.domainTaken(name);
      }
      throw e;
    }
    await tx.audit.append(auditEvent(clock, actor, "domain.create", { type: "Domain", id: domain.id }, { after: summary(domain) }));
  });
  return domain;
}

/** GET /v1/Domains: the organization's domains that are not removed, by name. */
export async function listDomains(deps: DomainDeps, actor: Actor): Promise<Domain[]> {
  await authorize(deps, actor, { action: "domain.read", target: orgTarget(actor.org.id) });
  return deps.store.domains.list(actor.org.id);
}

/** GET /v1/Domains/:sid. Another organization's domain is "not found", like an unknown sid. */
export async function getDomain(deps: DomainDeps, actor: Actor, id: string): Promise<Domain> {
  await authorize(deps, actor, { action: "domain.read", target: orgTarget(actor.org.id) });
  const d = await findOwn(deps.store, actor.org.id, id);
  if (!d) throw await notFound(deps.store, actor.org.id, id);
  return d;
}

/** DELETE /v1/Domains/:sid: state removed; the name is free again. Users already provisioned stay. */
export async function removeDomain(deps: DomainDeps, actor: Actor, id: string): Promise<void> {
  const { store, clock } = deps;
  await authorize(deps, actor, { action: "domain.remove", target: orgTarget(actor.org.id) });
  await store.transaction(async (tx) => {
    const d = await findOwn(tx, actor.org.id, id);
    if (!d) throw Errors.domainNotFound(id);
    const next: Domain = { ...d, state: "removed" };
    if (!(await tx.domains.update(next))) throw Errors.domainNotFound(id);
    await tx.audit.append(auditEvent(clock, actor, "domain.remove", { type: "Domain", id }, { before: summary(d), after: summary(next), reason: "removed by an administrator" }));
  });
}

export interface VerifyOutcome {
  domain: Domain;
  found: boolean;
  /** What happened and, when the token was not found, which record to create. */
  message: string;
}

function notFoundMessage(d: Domain, otherRecords: number): string {
  const c = challengeOf(d);
  const seen = otherRecords > 0
    ? ` ${c.name} has ${otherRecords} TXT record${otherRecords === 1 ? "" : "s"}, but none holds this domain's token (check for a typo or an old token).`
    : ` No TXT record holding it exists at ${c.name} or at ${c.apexName}.`;
  const state = d.state === "pending"
    ? "The domain stays pending."
    : d.state === "revalidating"
      ? `The domain is awaiting re-validation: users on it cannot be provisioned, and it is removed on ${expiresAt(d) ?? "expiry"} unless the token is restored.`
      : d.state === "removed" ? "The domain was removed: its token was not restored within 30 days. Add it again to get a new token." : "";
  return `The verification token was not found.${seen} Create a TXT record named ${c.name} with the value ${c.value} (TTL ${c.ttl}), ` +
    `wait for DNS to publish it (up to 72 hours with some providers), then verify again. ${state}`.trim();
}

/**
 * POST /v1/Domains/:sid/Verify: asks DNS now. Found: verified. Not found: the state follows the
 * same rules as the re-check (a verified domain whose token is gone starts revalidating) and the
 * message says which record to create. A resolver failure changes nothing and throws `unavailable`.
 */
export async function verifyDomain(deps: DomainDeps, actor: Actor, id: string): Promise<VerifyOutcome> {
  const { store, clock } = deps;
  await authorize(deps, actor, { action: "domain.verify", target: orgTarget(actor.org.id) });
  const d = await findOwn(store, actor.org.id, id);
  if (!d) throw await notFound(store, actor.org.id, id);
  if (!deps.dns) throw dnsFailure(d, new Error("no DNS resolver configured"));
  let lookup: LookupResult;
  try {
    lookup = await lookupChallenge(deps.dns, d);
  } catch (e) {
    if (e instanceof DnsUnavailable) throw dnsFailure(d, e);
    throw e;
  }
  const { result, ended } = await store.transaction(async (tx) => {
    const current = await findOwn(tx, actor.org.id, id);
    if (!current) throw await notFound(tx, actor.org.id, id);
    const t = transition(current, lookup.found, clock.now(), "verify");
    if (!t) return { result: current, ended: false };
    const out = await applyTransition(tx, clock, current, t);
    await tx.audit.append(auditEvent(clock, actor, out.ended ? "domain.remove" : t.action, { type: "Domain", id }, {
      before: summary(current), after: summary(out.written), reason: out.ended ? ENDED_REASON : t.reason,
    }));
    return { result: out.written, ended: out.ended };
  });
  if (ended) throw Errors.domainVerifiedElsewhere(result.name);
  const message = lookup.found
    ? `Found the verification token at ${lookup.foundAt}. The domain is verified: users with an email on ${result.name} can be provisioned. Keep the record: the domain is re-checked periodically.`
    : notFoundMessage(result, lookup.otherRecords);
  return { domain: result, found: lookup.found, message };
}

export interface RecheckReport {
  checked: number;
  verified: number;
  revalidating: number;
  removed: number;
  /** Lookups the resolver could not answer: those domains were left as they were. */
  unavailable: number;
}

export interface RecheckOptions {
  /** Domains read from the store at a time (default 100). */
  batchSize?: number;
  /** DNS lookups in flight at a time (default 8). */
  concurrency?: number;
  /** Asked between domains; true stops the run early (shutdown). */
  stopped?: () => boolean;
}

/**
 * The periodic re-check, over every pending, verified and revalidating domain of every
 * organization, at `deps.clock`'s time. Each change is written in its own transaction (re-reading
 * the domain first, so that an admin's concurrent change wins) with one audit event by the system.
 */
export async function recheckDomains(deps: DomainDeps & { dns: TxtResolver }, options: RecheckOptions = {}): Promise<RecheckReport> {
  const { store, clock, dns } = deps;
  const batchSize = options.batchSize ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const report: RecheckReport = { checked: 0, verified: 0, revalidating: 0, removed: 0, unavailable: 0 };
  const stopped = options.stopped ?? (() => false);

  const checkOne = async (d: Domain): Promise<void> => {
    let found: boolean;
    try {
      found = (await lookupChallenge(dns, d)).found;
    } catch (e) {
      if (e instanceof DnsUnavailable) { report.unavailable++; return; }
      throw e;
    }
    report.checked++;
    const t = await store.transaction(async (tx) => {
      const current = await tx.domains.get(d.orgId, d.id);
      if (!current || current.state === "removed") return null;
      const change = transition(current, found, clock.now(), "recheck");
      if (!change) return null;
      const out = await applyTransition(tx, clock, current, change);
      const written: Transition = out.ended ? { next: out.written, action: "domain.remove", reason: ENDED_REASON } : change;
      await tx.audit.append(systemEvent(clock, written, current));
      return written;
    });
    if (!t) return;
    if (t.next.state === "verified") report.verified++;
    else if (t.next.state === "revalidating") report.revalidating++;
    else if (t.next.state === "removed") report.removed++;
  };

  let after: string | null = null;
  for (;;) {
    if (stopped()) break;
    const batch: Domain[] = await store.domains.listForRecheck(after, batchSize);
    if (batch.length === 0) break;
    after = (batch[batch.length - 1] as Domain).id;
    const queue = [...batch];
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let d = queue.shift(); d !== undefined && !stopped(); d = queue.shift()) await checkOne(d);
    });
    // Let every worker finish before reporting a failure, so nothing runs on after the caller returns.
    const failed = (await Promise.allSettled(workers)).find((w): w is PromiseRejectedResult => w.status === "rejected");
    if (failed) throw failed.reason;
    if (batch.length < batchSize) break;
  }
  return report;
}

