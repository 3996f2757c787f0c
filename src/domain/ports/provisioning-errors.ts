/** The storage port of provisioning errors (src/domain/provisioning-errors.ts); part of ./store.ts Repos. */

/**
 * A SCIM request (or /Bulk operation) refused for its content (src/domain/provisioning-errors.ts):
 * never a body or a secret. `seq` is the organization's number for it, given by the store.
 */
export interface ProvisioningError {
  orgId: string;
  seq: number;
  time: string;
  status: number;
  scimType: string | null;
  /** The catalogue's code (src/domain/errors.ts). */
  code: number;
  reason: string;
  method: string;
  path: string;
  /** Sent as an operation of a /Bulk request. */
  bulk: boolean;
  /** The credential, as the audit log names an actor (src/domain/actor.ts actorName). */
  credential: string;
  /** The userName (a group: displayName) the body gave, if any. */
  targetName: string | null;
  externalId: string | null;
}

/**
 * Provisioning errors, bounded per organization: `record` numbers the new records after the
 * organization's last, then deletes the organization's records beyond the `keep` newest and
 * those older than `since` (at least the oldest ones a call finds expired), in one transaction.
 * Another organization's records are never read, counted or deleted.
 */
export interface ProvisioningErrorRepo {
  record(orgId: string, items: readonly Omit<ProvisioningError, "seq">[], keep: { keep: number; since: string }): Promise<void>;
  /** Newest first (highest seq), `offset` of them skipped. */
  list(orgId: string, query: { offset: number; limit: number }): Promise<ProvisioningError[]>;
  /** How many the organization ever recorded, and how many are kept now. */
  counts(orgId: string): Promise<{ recorded: number; retained: number }>;
}
