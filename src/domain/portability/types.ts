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
  orgRole?: OrgRole;
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

export type ImportItem =
  | { kind: "organization"; org: Organization }
  | { kind: "domain"; domain: Domain }
  | { kind: "user"; user: ImportedUser }
  | { kind: "group"; group: ImportedGroup }
  | { kind: "account"; account: Account }
  | { kind: "invitation"; invitation: Invitation }
  | { kind: "token"; token: ApiToken }
  | { kind: "audit"; event: AuditEvent };

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
  counts: Record<string, ImportCounts>;
  errors: LineError[];
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
}
