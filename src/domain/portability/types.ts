/** The records of one organization as export yields them and import takes them, and what an import reports. */
import type { Account, ApiToken, AuditEvent, Domain, GroupBinding, GroupRecord, Invitation, Organization, OrgRole, UserRecord } from "../types";

export type ExportItem =
  | { kind: "organization"; org: Organization }
  | { kind: "domain"; domain: Domain }
  | { kind: "user"; user: UserRecord }
  /** members: null for the built-in org-role groups, whose members are the users' org roles. */
  | { kind: "group"; group: GroupRecord; members: string[] | null }
  | { kind: "account"; account: Account }
  | { kind: "invitation"; invitation: Invitation }
  | { kind: "token"; token: ApiToken }
  | { kind: "audit"; event: AuditEvent };

export interface ExportOptions {
  /** Include API tokens (their hashes; a move to another store needs them). */
  tokens?: boolean;
  /** Include the audit log, oldest first. */
  audit?: boolean;
}

export interface ImportMeta {
  created?: string;
  lastModified?: string;
  version?: number;
}

/** A user as a file carries it: the SCIM attributes (data) and the orgscim fields. */
export interface ImportedUser {
  id: string | null;
  data: Record<string, unknown>;
  /** The user's own org role; null for an independent user (who holds none). */
  orgRole?: OrgRole | null;
  status?: string;
  twoFactorRequired?: boolean;
  passwordResetRequired?: boolean;
  meta: ImportMeta;
}

export interface ImportedGroup {
  id: string | null;
  data: Record<string, unknown>;
  /** undefined: by the displayName convention, as for SCIM. */
  binding?: GroupBinding | null;
  builtin: boolean;
  members: string[];
  meta: ImportMeta;
}

/** The line types that are records of the store as they are (not SCIM resources). */
export const RECORD_KINDS = ["organization", "domain", "account", "invitation", "token", "audit"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * One line to import. Users and groups arrive as SCIM resources the protocol layer has coerced;
 * the other records as the file has them, unchecked: the import checks them (./records.ts).
 */
export type ImportItem =
  | { kind: "user"; user: ImportedUser }
  | { kind: "group"; group: ImportedGroup }
  | { kind: RecordKind; record: Record<string, unknown> };

export type ImportOutcome = "created" | "updated" | "unchanged" | "skipped";
export type ImportCounts = Record<ImportOutcome | "failed", number>;

export interface LineError {
  line: number;
  type: string;
  code: number;
  message: string;
}

export interface ImportReport {
  lines: number;
  /** By line type (a null-prototype object: a type read from a file is never a key of Object.prototype). */
  counts: Record<string, ImportCounts>;
  errors: LineError[];
  /** What the operator should know about lines that were applied differently from the file (domains left pending, tokens left out). */
  notes: string[];
}

export interface ImportOptions {
  /** The organization the file was exported from (its header). */
  fileOrgId: string;
  /** Lines a transaction (default 2,000). */
  batchSize?: number;
  /** The audit log's actor (default "import"). */
  actor?: string;
  /** Named in the audit events (e.g. the file name). */
  source?: string;
  /**
   * Where the lines come from. "file" (default): a file, trusted for nothing it could grant: its
   * domains arrive pending unless DNS shows their token now (`verifyDomain`), its API tokens and
   * the tokens of its pending invitations only with `tokens`. "store": a migration reading a store
   * the operator names (src/cli/migrate.ts): domain states and tokens are kept as they are there.
   */
  trust?: "file" | "store";
  /** File imports: keep API tokens and pending invitations' tokens (the operator vouches for the file's secrets). */
  tokens?: boolean;
  /** File imports: whether DNS publishes the domain's token now (a verified or revalidating domain is then verified again). */
  verifyDomain?: (domain: Domain) => Promise<boolean>;
  /** Told the last line number of each batch once it is written (or refused): what a progress bar shows. */
  onBatch?: (lastLine: number) => void;
}
