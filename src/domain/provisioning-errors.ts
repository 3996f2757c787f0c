/**
 * Provisioning errors: the SCIM requests (and /Bulk operations) refused for their content — a
 * malformed body, an invalid value or filter, a userName already taken, an email domain the
 * organization has not verified, a stale version — recorded so that the identity provider's
 * administrator sees them in the Admin Center next to the policy and scope refusals (which are
 * audit events already, src/domain/audit.ts).
 *
 * Bounded, per organization (docs/provisioning-errors.md): the store keeps an organization's
 * `keep` newest records and none older than `days` days; older ones are dropped when a new one
 * is recorded, and counted (recorded minus retained). The organization is the token's, so a flood
 * of bad requests only ever drops the flooding organization's own oldest records.
 *
 * Never a secret, never a body: the reason orgscim answered (the catalogue's detail, cut to
 * REASON_MAX characters; a JSON parser's message, which quotes the body, is replaced by a fixed
 * text), the status and scimType, the method and path, the credential (as the audit log names
 * it), the target's userName (or a group's displayName) and externalId when the body gives them.
 */
import type { Actor } from "./actor";
import { actorName } from "./actor";
import type { Clock } from "./clock";
import { Errors, type DomainError, type ErrorKind } from "./errors";
import { afterPolicy, authorize, orgTarget, type AfterPolicy } from "./policy";
import type { ProvisioningError, ProvisioningErrorRepo, Store } from "./ports/store";

/** The refusals that are about the request's content (RFC 7644 §3.12's 400s, 409, 412, 413). */
const CONTENT_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "invalidFilter", "invalidSyntax", "invalidValue", "invalidPath", "noTarget", "mutability", "uniqueness", "tooMany",
  "invalidVersion", "invalidCursor", "conflict", "payloadTooLarge",
]);

export const isContentRefusal = (e: DomainError): boolean => CONTENT_KINDS.has(e.kind);

/** Longest reason, path and name kept. */
export const REASON_MAX = 500;
const PATH_MAX = 300;
const NAME_MAX = 256;

/** The catalogue's invalid-JSON code: its message quotes the parser, which quotes the body. */
const INVALID_JSON = Errors.invalidJson("").code;

export interface RetentionOptions {
  /** Records kept per organization, newest first (PROVISIONING_ERRORS_KEPT; 0: none recorded). */
  keep: number;
  /** Days a record is kept (PROVISIONING_ERRORS_DAYS). */
  days: number;
}

export const DEFAULT_RETENTION: RetentionOptions = { keep: 1000, days: 30 };

/** One refused request (or /Bulk operation), as the protocol saw it. */
export interface RefusedRequest {
  error: DomainError;
  status: number;
  scimType: string | null;
  method: string;
  path: string;
  bulk: boolean;
  /** The request's (or operation's) body, read only for userName/displayName and externalId. */
  body?: unknown;
}

export interface ProvisioningErrorDeps {
  store: Store;
  clock: Clock;
  retention?: RetentionOptions;
}

const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const stringField = (body: unknown, name: string): string | null => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === "string" && v.length > 0 ? clip(v, NAME_MAX) : null;
};

/** What is kept of a refused request: never a body, never a secret. */
export function recordOf(actor: Actor, r: RefusedRequest, time: string): Omit<ProvisioningError, "seq"> {
  const reason = r.error.code === INVALID_JSON ? "The request body is not valid JSON." : clip(r.error.message, REASON_MAX);
  return {
    orgId: actor.org.id,
    time,
    status: r.status,
    scimType: r.scimType,
    code: r.error.code,
    reason,
    method: r.method,
    path: clip(r.path, PATH_MAX),
    bulk: r.bulk,
    credential: actorName(actor),
    targetName: stringField(r.body, "userName") ?? stringField(r.body, "displayName"),
    externalId: stringField(r.body, "externalId"),
  };
}

/**
 * Records the content refusals among `refused` (others are skipped: policy refusals are audit
 * events). Never throws: a store that cannot take the record must not change the answer the
 * client gets; the failure goes to `onError`.
 */
export async function recordProvisioningErrors(deps: ProvisioningErrorDeps, actor: Actor, refused: readonly RefusedRequest[], onError: (e: unknown) => void = () => undefined): Promise<void> {
  const retention = deps.retention ?? DEFAULT_RETENTION;
  const repo: ProvisioningErrorRepo | undefined = deps.store.provisioningErrors;
  const kept = refused.filter((r) => isContentRefusal(r.error));
  if (!repo || retention.keep <= 0 || kept.length === 0) return;
  const now = deps.clock.now();
  const time = now.toISOString();
  // A /Bulk request refuses at most its operations; the organization keeps `keep` of them.
  const records = kept.slice(-retention.keep).map((r) => recordOf(actor, r, time));
  const since = new Date(now.getTime() - retention.days * 86_400_000).toISOString();
  try {
    await repo.record(actor.org.id, records, { keep: retention.keep, since });
  } catch (e) {
    onError(e);
  }
}

/** One page of the organization's recorded provisioning errors, newest first (`offset` of them skipped: an organization holds at most `keep`). */
export async function listProvisioningErrors(
  deps: ProvisioningErrorDeps, actor: Actor, q: { offset: AfterPolicy<number>; limit: number },
): Promise<{ items: ProvisioningError[]; more: boolean }> {
  await authorize(deps, actor, { action: "provisioning_errors.read", target: orgTarget(actor.org.id) });
  const repo = deps.store.provisioningErrors;
  if (!repo) return { items: [], more: false };
  const rows = await repo.list(actor.org.id, { offset: afterPolicy(q.offset), limit: q.limit + 1 });
  return { items: rows.slice(0, q.limit), more: rows.length > q.limit };
}

/** How many the organization ever recorded and how many it keeps now: the difference was dropped by the bound, the oldest first. */
export async function countProvisioningErrors(deps: ProvisioningErrorDeps, actor: Actor): Promise<{ recorded: number; retained: number }> {
  await authorize(deps, actor, { action: "provisioning_errors.read", target: orgTarget(actor.org.id) });
  return (await deps.store.provisioningErrors?.counts(actor.org.id)) ?? { recorded: 0, retained: 0 };
}
