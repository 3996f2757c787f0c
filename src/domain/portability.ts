/**
 * Portability: one organization as a stream of records (export) and back into a store (import).
 * The file format lives in src/cli/export.ts; this module knows records, rules and transactions.
 *
 * Import rules:
 * - Idempotent: users are matched by id, then by userName (without case); groups by id, then by
 *   displayName; accounts by id, then by name; domains by name; the rest by id. A record equal
 *   to its match is left alone (unchanged), a different one is updated (version + 1), a missing
 *   one is created with the file's id, created, lastModified and version.
 * - Ids are kept when the file's organization is the target organization (a restore, or a move
 *   to another store), which the import creates when it does not exist. Imported into another
 *   organization, records get new ids (references follow), domains arrive pending (their
 *   verification is not carried over), and the organization's settings, invitations, tokens and
 *   audit events are skipped: they belong to the organization they came from.
 * - Lines are written in batches, one store transaction a batch. Each line is checked before the
 *   batch is written; a line that fails its checks is reported and left out. Should the batch's
 *   transaction fail anyway (a concurrent writer), it is rolled back and its lines are written
 *   again one transaction each, so a failing line never leaves part of itself, nor breaks others.
 * - Import restores state as it was: domain enforcement does not apply (the file's users were
 *   admitted under their organization's rules when they were created); a managed user whose
 *   primary email another organization manages is refused, as the organization model requires.
 */
import { type Clock, isoNow } from "./clock";
import { DomainError, Errors } from "./errors";
import { newId } from "./ids";
import { UniqueViolation, type ListQuery, type ListResult, type Repos, type Store } from "./ports/store";
import { accountRoleGroupId, builtinAccountRoleGroups } from "./account-roles";
import { builtinOrgRoleGroups, orgRoleGroupId } from "./role-groups";
import {
  ACCOUNT_ROLES, DEFAULT_ORG_SETTINGS, ORG_ROLES, type Account, type ApiToken, type AuditEvent, type Domain, type Email, type GroupBinding, type GroupRecord,
  type Invitation, type Organization, type OrgRole, type UserRecord,
} from "./types";
import { syncOrgRoleGroups } from "./users";

// ---------- export ----------

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

const PAGE = 1000;

async function* pages<T>(list: (q: ListQuery) => Promise<ListResult<T>>): AsyncGenerator<T> {
  let cursor: string | undefined = "";
  while (cursor !== undefined) {
    const page: ListResult<T> = await list({ startIndex: 1, count: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  }
}

async function* accountsOf(store: Store, orgId: string): AsyncGenerator<Account> {
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await store.accounts.list(orgId, { offset, limit: PAGE });
    yield* items;
    if (items.length < PAGE) return;
  }
}

/** The audit log oldest first. The newest page is kept from the first pass, so events written during the export are not half-included. */
async function* auditOldestFirst(store: Store, orgId: string): AsyncGenerator<AuditEvent> {
  const newest = await store.audit.list(orgId, { limit: PAGE });
  const boundaries: string[] = [];
  let last = newest[newest.length - 1];
  while (last !== undefined && boundaries.length < Number.MAX_SAFE_INTEGER) {
    const older = await store.audit.list(orgId, { limit: PAGE, before: last.id });
    if (older.length === 0) break;
    boundaries.push(last.id);
    last = older[older.length - 1];
  }
  for (let i = boundaries.length - 1; i >= 0; i--) {
    const events = await store.audit.list(orgId, { limit: PAGE, before: boundaries[i]! });
    for (let j = events.length - 1; j >= 0; j--) yield events[j]!;
  }
  for (let j = newest.length - 1; j >= 0; j--) yield newest[j]!;
}

/**
 * Everything of one organization, in an order an import can replay: the organization, its
 * domains, its built-in org-role groups, users, each account followed by its built-in role groups
 * (their members are the role assignments), the other groups with their member ids, then
 * invitations, and on request tokens and the audit log. The order depends on the records only,
 * not on how they were interleaved when written, so an import reproduces the same export.
 */
export async function* exportOrganization(store: Store, orgId: string, options: ExportOptions = {}): AsyncGenerator<ExportItem> {
  const org = await store.orgs.get(orgId);
  if (!org) throw Errors.orgNotFound(orgId);
  yield { kind: "organization", org };
  for (const domain of await store.domains.list(orgId)) yield { kind: "domain", domain };
  const orgRoleGroup = (g: GroupRecord) => g.builtin && g.binding?.kind === "orgRole";
  for await (const group of pages((q) => store.groups.list(orgId, q))) if (orgRoleGroup(group)) yield { kind: "group", group, members: null };
  const userIds: string[] = [];
  for await (const user of pages((q) => store.users.list(orgId, q))) {
    userIds.push(user.id);
    yield { kind: "user", user };
  }
  const withMembers = async (group: GroupRecord): Promise<ExportItem> => {
    const count = await store.groups.countMembers(orgId, group.id);
    const members = count === 0 ? [] : (await store.groups.listMembers(orgId, group.id, count)).map((m) => m.id);
    return { kind: "group", group, members };
  };
  // Each account is followed by its built-in role groups, which an import creates with it.
  for await (const account of accountsOf(store, orgId)) {
    yield { kind: "account", account };
    for (const role of ACCOUNT_ROLES) {
      const group = await store.groups.get(orgId, accountRoleGroupId(account.id, role));
      if (group) yield await withMembers(group);
    }
  }
  for await (const group of pages((q) => store.groups.list(orgId, q))) if (!group.builtin) yield await withMembers(group);
  for (const id of userIds) for (const invitation of await store.invitations.listForUser(orgId, id)) yield { kind: "invitation", invitation };
  if (options.tokens) for (const token of await store.tokens.list(orgId)) yield { kind: "token", token };
  if (options.audit) for await (const event of auditOldestFirst(store, orgId)) yield { kind: "audit", event };
}

// ---------- import ----------

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

interface WriteCtx {
  /** Groups whose membership changed without a record update: touched once, at the end. */
  touch: Set<string>;
  /** New users' org-role memberships, added a group at a time before the next other step. */
  roleMembers: Map<string, string[]>;
  created: number;
  updated: number;
}

interface Step {
  outcome: ImportOutcome;
  /** Writes only its own new user (and queues its role membership): no other step's write waits for it. */
  newUser?: boolean;
  apply?: (tx: Repos, w: WriteCtx) => Promise<void>;
}

/** What lines of one batch have planned: later lines of the batch see it before it is written. */
class Overlay {
  readonly ids = new Map<string, string>();
  readonly users = new Map<string, UserRecord>();
  readonly userNames = new Map<string, string>();
  readonly groups = new Map<string, GroupRecord>();
  readonly groupNames = new Map<string, string>();
  readonly members = new Map<string, Set<string>>();
  readonly accounts = new Map<string, Account>();
  readonly createdGroups = new Set<string>();
  readonly audit = new Set<string>();
  orgCreated = false;

  putUser(u: UserRecord, fileId: string | null): void {
    this.users.set(u.id, u);
    this.userNames.set(u.userName.toLowerCase(), u.id);
    if (fileId) this.ids.set(fileId, u.id);
  }

  putGroup(g: GroupRecord, fileId: string | null, members?: Set<string>): void {
    this.groups.set(g.id, g);
    this.groupNames.set(g.displayName.toLowerCase(), g.id);
    if (members) this.members.set(g.id, members);
    if (fileId) this.ids.set(fileId, g.id);
  }
}

const lower = (s: string) => s.toLowerCase();
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with sorted keys: equal values, equal text, whatever the key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function text(v: unknown, what: string, max = 256): string {
  if (typeof v !== "string" || v.trim() === "") throw Errors.invalidValue(`${what} is required and must be a non-empty string.`);
  if (v.length > max) throw Errors.invalidValue(`${what} is longer than ${max} characters.`);
  return v;
}

const optionalText = (v: unknown, what: string): string | null => (v === undefined || v === null || v === "" ? null : text(v, what, 4096));

function requireFields(record: Record<string, unknown>, fields: string[], what: string): void {
  for (const f of fields) if (typeof record[f] !== "string" || record[f] === "") throw Errors.importFormat(`${what}: '${f}' is required and must be a non-empty string.`);
}

/** The stored shape of an imported user: the same invariants createUser keeps (one primary email, a role when managed). */
function userFields(u: ImportedUser): Omit<UserRecord, "id" | "orgId" | "version" | "created" | "lastModified"> {
  const data = { ...u.data };
  const userName = text(data.userName, "userName");
  const active = data.active ?? true;
  if (typeof active !== "boolean") throw Errors.invalidValue("active must be true or false.");
  data.active = active;
  const raw = data.emails ?? [];
  if (!Array.isArray(raw) || raw.some((e) => !isObject(e) || typeof e.value !== "string" || e.value === "")) {
    throw Errors.invalidValue("emails must be a list of {value, type, primary} with a non-empty value.");
  }
  const emails = raw as Email[];
  const primaries = emails.filter((e) => e.primary === true).length;
  if (primaries > 1) throw Errors.primaryEmail("A user has exactly one primary email; this line marks several as primary.");
  if (emails.length > 0 && primaries === 0) emails[0] = { ...emails[0]!, primary: true };
  if (emails.length > 0) data.emails = emails;
  const status = u.status ?? "managed";
  if (status !== "managed" && status !== "pending") throw Errors.invalidValue(`status must be managed or pending, got ${JSON.stringify(status)}.`);
  if (u.orgRole !== undefined && !ORG_ROLES.includes(u.orgRole)) throw Errors.invalidValue(`orgRole must be one of ${ORG_ROLES.join(", ")}.`);
  return {
    userName,
    externalId: optionalText(data.externalId, "externalId"),
    displayName: optionalText(data.displayName, "displayName"),
    active,
    status,
    orgRole: u.orgRole ?? "standard",
    twoFactorRequired: u.twoFactorRequired ?? false,
    passwordResetRequired: u.passwordResetRequired ?? false,
    emails,
    data,
  };
}

const USER_FIELDS = ["userName", "externalId", "displayName", "active", "status", "orgRole", "twoFactorRequired", "passwordResetRequired", "data"] as const;
const sameFields = <T extends object>(a: T, b: T, keys: readonly (keyof T)[]): boolean => keys.every((k) => canonical(a[k]) === canonical(b[k]));
/** Whether `current` has every field of `line` (but its id) with the same value: fields a line does not carry are not compared. */
const sameAsLine = <T extends object>(current: T, line: T): boolean =>
  sameFields(current, line, (Object.keys(line) as (keyof T)[]).filter((k) => k !== "id" && line[k] !== undefined));

const primaryOf = (u: Pick<UserRecord, "emails">): string | null => u.emails.find((e) => e.primary)?.value ?? null;

function metaOf(m: ImportMeta, now: string): { created: string; lastModified: string; version: number } {
  const iso = (s: string | undefined) => (s !== undefined && !Number.isNaN(Date.parse(s)) ? s : now);
  return { created: iso(m.created), lastModified: iso(m.lastModified), version: Number.isSafeInteger(m.version) && m.version! > 0 ? m.version! : 1 };
}

const emptyCounts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });

/**
 * Imports the records of one organization into `orgId`, in batches. Feed it with `add` in file
 * order, then `finish` for the report. See the file comment for the rules.
 */
export class OrgImporter {
  private readonly sameOrg: boolean;
  private readonly batchSize: number;
  private pending: Array<{ line: number; item: ImportItem }> = [];
  private readonly report: ImportReport = { lines: 0, counts: {}, errors: [] };
  /** What committed batches established: file ids → target ids, groups this import created. */
  private readonly ids = new Map<string, string>();
  private readonly createdGroups = new Set<string>();
  private orgExists: boolean | null = null;
  /**
   * The organization was created by this import: every user it has, this import wrote, so a
   * lookup for an id or userName it did not write needs no query (the 100,000-user restore).
   */
  private freshOrg = false;
  private readonly runUserIds = new Set<string>();
  private readonly runUserNames = new Set<string>();
  /** The time of the batch being written: what created and updated records get as lastModified. */
  private now = "";
  private auditIds: Set<string> | null = null;
  private accountNames: Map<string, string> | null = null;

  constructor(private readonly deps: { store: Store; clock: Clock }, private readonly orgId: string, private readonly options: ImportOptions) {
    this.sameOrg = options.fileOrgId === orgId;
    this.batchSize = options.batchSize ?? 2000;
  }

  /** Queues one line; writes a batch when enough are queued. */
  async add(line: number, item: ImportItem): Promise<void> {
    this.pending.push({ line, item });
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  /** Records a line that could not even be read (bad JSON, unknown type). */
  fail(line: number, type: string, e: unknown): void {
    this.report.lines += 1;
    this.record(line, type, e);
  }

  async finish(): Promise<ImportReport> {
    await this.flush();
    this.report.errors.sort((a, b) => a.line - b.line);
    return this.report;
  }

  private count(type: string, outcome: ImportOutcome | "failed"): void {
    (this.report.counts[type] ??= emptyCounts())[outcome] += 1;
  }

  private record(line: number, type: string, error: unknown): void {
    const e = error instanceof UniqueViolation
      ? Errors.importConflict(`Another record of the store already has this ${error.field} (perhaps in another organization); the line was not applied.`)
      : error;
    if (!(e instanceof DomainError) && !(e instanceof Error)) throw e;
    this.count(type, "failed");
    this.report.errors.push({ line, type, code: e instanceof DomainError ? e.code : 0, message: e.message });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.now = isoNow(this.deps.clock);
    this.report.lines += batch.length;
    const overlay = new Overlay();
    const planned: Array<{ line: number; type: string; step: Step }> = [];
    for (const { line, item } of batch) {
      try {
        planned.push({ line, type: item.kind, step: await this.plan(item, overlay) });
      } catch (e) {
        this.record(line, item.kind, e);
      }
    }
    try {
      await this.write(planned);
      this.merge(overlay, planned);
      return;
    } catch (e) {
      if (planned.length === 1) return this.record(planned[0]!.line, planned[0]!.type, e);
    }
    // The batch failed as a whole: each line again, alone, in order.
    for (const { line, item } of batch) {
      if (!planned.some((p) => p.line === line)) continue;
      const alone = new Overlay();
      try {
        const step = await this.plan(item, alone);
        await this.write([{ line, type: item.kind, step }]);
        this.merge(alone, [{ line, type: item.kind, step }]);
      } catch (e) {
        this.record(line, item.kind, e);
      }
    }
  }

  private async write(planned: Array<{ line: number; type: string; step: Step }>): Promise<void> {
    const writes = planned.filter((p) => p.step.apply);
    if (writes.length === 0) return;
    const { store, clock } = this.deps;
    await store.transaction(async (tx) => {
      const w: WriteCtx = { touch: new Set(), roleMembers: new Map(), created: 0, updated: 0 };
      const addRoleMembers = async () => {
        for (const [gid, ids] of w.roleMembers) await tx.groups.addMembers(this.orgId, gid, ids);
        w.roleMembers.clear();
      };
      for (const p of writes) {
        if (!p.step.newUser) await addRoleMembers();
        await p.step.apply!(tx, w);
        if (p.step.outcome === "created") w.created += 1;
        if (p.step.outcome === "updated") w.updated += 1;
      }
      await addRoleMembers();
      const now = isoNow(clock);
      for (const id of w.touch) await tx.groups.touch(this.orgId, id, now);
      await tx.audit.append({
        id: newId("AE"), orgId: this.orgId, time: now, actor: this.options.actor ?? "import", action: "organization.import",
        targetType: "Organization", targetId: this.orgId, outcome: "success", before: null,
        after: { source: this.options.source ?? null, lines: [writes[0]!.line, writes[writes.length - 1]!.line], created: w.created, updated: w.updated },
      });
    });
  }

  private merge(overlay: Overlay, planned: Array<{ line: number; type: string; step: Step }>): void {
    for (const [k, v] of overlay.ids) this.ids.set(k, v);
    for (const id of overlay.createdGroups) this.createdGroups.add(id);
    for (const [id, a] of overlay.accounts) this.accountNames?.set(lower(a.name), id);
    for (const id of overlay.audit) this.auditIds?.add(id);
    if (overlay.orgCreated) this.orgExists = this.freshOrg = true;
    if (this.freshOrg) {
      for (const u of overlay.users.values()) {
        this.runUserIds.add(u.id);
        this.runUserNames.add(lower(u.userName));
      }
    }
    for (const p of planned) this.count(p.type, p.step.outcome);
  }

  private mapped(ov: Overlay, fileId: string | null): string | null {
    if (!fileId) return null;
    return ov.ids.get(fileId) ?? this.ids.get(fileId) ?? (this.sameOrg ? fileId : null);
  }

  private async requireOrg(ov: Overlay): Promise<void> {
    if (ov.orgCreated) return;
    this.orgExists ??= (await this.deps.store.orgs.get(this.orgId)) !== null;
    if (!this.orgExists) throw Errors.orgNotFound(this.orgId);
  }

  private async plan(item: ImportItem, ov: Overlay): Promise<Step> {
    if (item.kind !== "organization" && !ov.orgCreated && this.orgExists !== true) await this.requireOrg(ov);
    switch (item.kind) {
      case "organization": return this.planOrganization(item.org, ov);
      case "domain": return this.planDomain(item.domain);
      case "user": return this.planUser(item.user, ov);
      case "group": return item.group.builtin ? this.planBuiltinGroup(item.group, ov) : this.planGroup(item.group, ov);
      case "account": return this.planAccount(item.account, ov);
      case "invitation": return this.planInvitation(item.invitation, ov);
      case "token": return this.planToken(item.token);
      case "audit": return this.planAudit(item.event, ov);
    }
  }

  private async planOrganization(org: Organization, ov: Overlay): Promise<Step> {
    if (!this.sameOrg) return { outcome: "skipped" };
    requireFields(org as unknown as Record<string, unknown>, ["name", "created"], "organization");
    const { store, clock } = this.deps;
    const current = ov.orgCreated ? null : await store.orgs.get(this.orgId);
    const next: Organization = { ...org, id: this.orgId, settings: { ...DEFAULT_ORG_SETTINGS, ...current?.settings, ...org.settings } };
    if (!current) {
      if (ov.orgCreated || this.orgExists) throw Errors.importConflict("The organization appears twice in the file.");
      ov.orgCreated = true;
      return this.createWithGroups(ov, builtinOrgRoleGroups(this.orgId, next.created), (tx) => tx.orgs.insert(next));
    }
    if (current.name === next.name && canonical(current.settings) === canonical(next.settings)) return { outcome: "unchanged" };
    const updated = { ...current, name: next.name, settings: next.settings, lastModified: isoNow(clock) };
    return { outcome: "updated", apply: async (tx) => void (await tx.orgs.update(updated)) };
  }

  /** A new record that comes with its built-in groups (an organization, an account), written in one step. */
  private createWithGroups(ov: Overlay, groups: GroupRecord[], insert: (tx: Repos) => Promise<void>): Step {
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

  private async planDomain(domain: Domain): Promise<Step> {
    requireFields(domain as unknown as Record<string, unknown>, ["id", "name", "state", "challenge", "created"], "domain");
    const current = await this.deps.store.domains.findByName(domain.name);
    if (current && current.orgId !== this.orgId) throw Errors.importConflict(`The domain ${domain.name} is claimed by another organization; it was not imported.`);
    const next: Domain = this.sameOrg
      ? { ...domain, orgId: this.orgId }
      : { ...domain, orgId: this.orgId, id: current?.id ?? newId("DM"), state: "pending", verifiedAt: null, ...("revalidatingSince" in domain ? { revalidatingSince: null } : {}) };
    if (!current) return { outcome: "created", apply: async (tx) => tx.domains.insert(next) };
    // Imported into another organization, a domain already there keeps its own verification.
    if (!this.sameOrg || sameAsLine(current, next)) return { outcome: "unchanged" };
    return { outcome: "updated", apply: async (tx) => void (await tx.domains.update({ ...next, id: current.id })) };
  }

  /** A user this batch wrote, or one the store may have (undefined: none, known without a query). */
  private async findUser(ov: Overlay, id: string): Promise<UserRecord | null> {
    const mine = ov.users.get(id);
    if (mine || ((this.freshOrg || ov.orgCreated) && !this.runUserIds.has(id))) return mine ?? null;
    return this.deps.store.users.get(this.orgId, id);
  }

  /** Whether the store may hold a user with this userName (false: known without a query). */
  private mayHoldName(ov: Overlay, userName: string): boolean {
    return !(this.freshOrg || ov.orgCreated) || this.runUserNames.has(lower(userName));
  }

  private async findUserByName(ov: Overlay, userName: string): Promise<UserRecord | null> {
    const id = ov.userNames.get(lower(userName));
    if (id !== undefined) return ov.users.get(id)!;
    return this.mayHoldName(ov, userName) ? this.deps.store.users.findByUserName(this.orgId, userName) : null;
  }

  private async checkNotManagedElsewhere(u: Pick<UserRecord, "status" | "emails">): Promise<void> {
    const primary = primaryOf(u);
    if (u.status === "managed" && primary && (await this.deps.store.users.isManagedElsewhere(this.orgId, primary))) {
      throw Errors.importConflict(`${primary} is managed by another organization: a person is managed by one organization only. Import this user with status pending, or release them there first.`);
    }
  }

  private async planUser(u: ImportedUser, ov: Overlay): Promise<Step> {
    const { clock } = this.deps;
    const fields = userFields(u);
    const now = this.now;
    const target = this.mapped(ov, u.id);
    const mayExist = target !== null && (ov.users.has(target) || !(this.freshOrg || ov.orgCreated) || this.runUserIds.has(target));
    let current = mayExist ? await this.findUser(ov, target) : null;
    const holder = ov.userNames.has(lower(fields.userName)) || this.mayHoldName(ov, fields.userName) ? await this.findUserByName(ov, fields.userName) : null;
    if (current && holder && holder.id !== current.id) throw Errors.userNameTaken(fields.userName);
    current ??= holder;

    if (!current) {
      const user: UserRecord = { ...fields, id: this.sameOrg && u.id ? u.id : newId("US"), orgId: this.orgId, ...metaOf(u.meta, now) };
      await this.checkNotManagedElsewhere(user);
      ov.putUser(user, u.id);
      const roleGroup = user.status === "managed" && user.orgRole ? orgRoleGroupId(this.orgId, user.orgRole) : null;
      const fresh = roleGroup !== null && (ov.createdGroups.has(roleGroup) || this.createdGroups.has(roleGroup));
      return {
        outcome: "created",
        newUser: true,
        apply: async (tx, w) => {
          await tx.users.insert(user);
          if (roleGroup === null) return;
          const queued = w.roleMembers.get(roleGroup);
          if (queued) queued.push(user.id);
          else w.roleMembers.set(roleGroup, [user.id]);
          if (!fresh) w.touch.add(roleGroup);
        },
      };
    }
    const next: UserRecord = { ...current, ...fields };
    ov.putUser(current, u.id);
    if (sameFields(current, next, USER_FIELDS)) return { outcome: "unchanged" };
    if (primaryOf(next)?.toLowerCase() !== primaryOf(current)?.toLowerCase() || next.status !== current.status) await this.checkNotManagedElsewhere(next);
    const updated: UserRecord = { ...next, version: current.version + 1, lastModified: now };
    ov.putUser(updated, u.id);
    if (current.userName.toLowerCase() !== updated.userName.toLowerCase()) ov.userNames.delete(lower(current.userName));
    return {
      outcome: "updated",
      apply: async (tx) => {
        if (!(await tx.users.update(updated, current.version))) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
        if (updated.orgRole !== current.orgRole || updated.status !== current.status) await syncOrgRoleGroups(tx, clock, updated);
      },
    };
  }

  private async findGroup(ov: Overlay, id: string): Promise<GroupRecord | null> {
    return ov.groups.get(id) ?? (await this.deps.store.groups.get(this.orgId, id));
  }

  /**
   * Built-in groups exist with what they belong to: the org-role groups with the organization,
   * the account-role groups with their account. A line restores their meta when this import
   * created them, and the members of an account-role group (its role assignments); the members
   * of the org-role groups are the users' org roles, set by the user lines.
   */
  private async planBuiltinGroup(g: ImportedGroup, ov: Overlay): Promise<Step> {
    const b = g.binding;
    if (b?.kind !== "orgRole" && b?.kind !== "accountRole") throw Errors.importFormat("A built-in group must grant an org role or an account role (its orgscim extension).");
    const id = b.kind === "orgRole" ? orgRoleGroupId(this.orgId, b.role) : accountRoleGroupId(this.mapped(ov, b.accountId) ?? b.accountId, b.role);
    const current = await this.findGroup(ov, id);
    if (!current) throw Errors.groupNotFound(id);
    if (g.id) ov.ids.set(g.id, id);
    const fresh = ov.createdGroups.has(id) || this.createdGroups.has(id);
    const meta = metaOf(g.meta, current.lastModified);
    const restored: GroupRecord | null = fresh ? { ...current, version: meta.version, lastModified: meta.lastModified } : null;
    if (b.kind === "orgRole") {
      if (!restored) return { outcome: "unchanged" };
      ov.putGroup(restored, null);
      return { outcome: "created", apply: async (tx) => void (await tx.groups.update(restored, current.version)) };
    }
    const step = await this.membershipStep(ov, current, restored, new Set(g.members.map((m) => this.mapped(ov, m) ?? m)), g.id);
    return fresh ? { ...step, outcome: "created" } : step;
  }

  /**
   * The step that writes `next` (a new state of `current`'s record, or null for none) and makes
   * the membership exactly `wanted`, as row inserts and deletes; a membership change without a
   * record change touches the group (version + 1) unless this import created it.
   */
  private async membershipStep(ov: Overlay, current: GroupRecord, next: GroupRecord | null, wanted: Set<string>, fileId: string | null): Promise<Step> {
    const { store } = this.deps;
    await this.checkMembers(ov, [...wanted], (next ?? current).binding);
    const had = ov.members.get(current.id) ?? new Set(
      (await store.groups.listMembers(this.orgId, current.id, Math.max(1, await store.groups.countMembers(this.orgId, current.id)))).map((m) => m.id),
    );
    const add = [...wanted].filter((id) => !had.has(id));
    const remove = [...had].filter((id) => !wanted.has(id));
    ov.putGroup(next ?? current, fileId, wanted);
    if (!next && add.length === 0 && remove.length === 0) return { outcome: "unchanged" };
    const touch = !next && !ov.createdGroups.has(current.id) && !this.createdGroups.has(current.id);
    return {
      outcome: "updated",
      apply: async (tx, w) => {
        if (next && !(await tx.groups.update(next, current.version))) throw Errors.versionMismatch(`W/"${current.version}"`, "newer");
        if (remove.length > 0) await tx.groups.removeMembers(this.orgId, current.id, remove);
        if (add.length > 0) await tx.groups.addMembers(this.orgId, current.id, add);
        if (touch) w.touch.add(current.id);
      },
    };
  }

  private async checkMembers(ov: Overlay, ids: string[], binding: GroupBinding | null): Promise<void> {
    const elsewhere = ids.filter((id) => !ov.users.has(id));
    const found = elsewhere.length === 0 ? new Set<string>() : await this.deps.store.groups.existingUserIds(this.orgId, elsewhere);
    const missing = elsewhere.filter((id) => !found.has(id));
    if (missing.length > 0) throw Errors.memberNotFound(missing.slice(0, 10));
    if (binding?.kind !== "orgRole") return;
    for (const id of ids) {
      const u = await this.findUser(ov, id);
      if (u && u.status !== "managed") throw Errors.invalidValue(`User ${id} is ${u.status}: only managed users can be members of a group that grants an org role.`);
    }
  }

  private async bindingOf(ov: Overlay, binding: GroupBinding | null | undefined, displayName: string, current: GroupRecord | null): Promise<GroupBinding | null> {
    if (binding === undefined) {
      const m = /^orgscim:role:(administrator|standard|owner)$/i.exec(displayName.trim());
      return m ? { kind: "orgRole", role: m[1]!.toLowerCase() as OrgRole } : current?.binding ?? null;
    }
    if (binding?.kind !== "accountRole") return binding;
    const accountId = this.mapped(ov, binding.accountId) ?? binding.accountId;
    if (!ov.accounts.has(accountId) && !(await this.deps.store.accounts.get(this.orgId, accountId))) throw Errors.accountNotFound(binding.accountId);
    return { ...binding, accountId };
  }

  private async planGroup(g: ImportedGroup, ov: Overlay): Promise<Step> {
    const { store, clock } = this.deps;
    const data = { ...g.data };
    const displayName = text(data.displayName, "displayName");
    const externalId = optionalText(data.externalId, "externalId");
    const target = this.mapped(ov, g.id);
    let current = target ? await this.findGroup(ov, target) : null;
    const holderId = ov.groupNames.get(lower(displayName)) ?? (await store.groups.findByDisplayName(this.orgId, displayName))?.id;
    if (current && holderId && holderId !== current.id) throw Errors.displayNameTaken(displayName);
    if (!current && holderId) current = await this.findGroup(ov, holderId);
    if (current?.builtin) throw Errors.builtinGroup(`'${displayName}' is a built-in group; a group line cannot replace it.`);
    const binding = await this.bindingOf(ov, g.binding, displayName, current);
    const wanted = new Set(g.members.map((id) => this.mapped(ov, id) ?? id));
    const now = isoNow(clock);

    if (!current) {
      await this.checkMembers(ov, [...wanted], binding);
      const group: GroupRecord = {
        id: this.sameOrg && g.id ? g.id : newId("GP"), orgId: this.orgId, displayName, externalId, builtin: false, binding, data, ...metaOf(g.meta, now),
      };
      ov.putGroup(group, g.id, wanted);
      return {
        outcome: "created",
        apply: async (tx) => {
          await tx.groups.insert(group);
          if (wanted.size > 0) await tx.groups.addMembers(this.orgId, group.id, [...wanted]);
        },
      };
    }
    const next: GroupRecord = { ...current, displayName, externalId, binding, data };
    const changed = !sameFields(current, next, ["displayName", "externalId", "binding", "data"]);
    if (changed && lower(current.displayName) !== lower(displayName)) ov.groupNames.delete(lower(current.displayName));
    return this.membershipStep(ov, current, changed ? { ...next, version: current.version + 1, lastModified: now } : null, wanted, g.id);
  }

  private async accountByName(ov: Overlay, name: string): Promise<Account | null> {
    if (!this.accountNames) {
      this.accountNames = new Map();
      for await (const a of accountsOf(this.deps.store, this.orgId)) this.accountNames.set(lower(a.name), a.id);
    }
    const fromBatch = [...ov.accounts.values()].find((a) => lower(a.name) === lower(name));
    const id = this.accountNames.get(lower(name));
    return fromBatch ?? (id ? await this.deps.store.accounts.get(this.orgId, id) : null);
  }

  private async planAccount(account: Account, ov: Overlay): Promise<Step> {
    requireFields(account as unknown as Record<string, unknown>, ["id", "name", "ownerId", "status", "created"], "account");
    const ownerId = this.mapped(ov, account.ownerId) ?? account.ownerId;
    if (!(await this.findUser(ov, ownerId))) throw Errors.accountOwner(account.ownerId, "no such user in the organization");
    const target = this.mapped(ov, account.id);
    const current = (target ? ov.accounts.get(target) ?? (await this.deps.store.accounts.get(this.orgId, target)) : null)
      ?? (await this.accountByName(ov, account.name));
    const next: Account = { ...account, orgId: this.orgId, ownerId, id: current?.id ?? (this.sameOrg ? account.id : newId("AC")) };
    ov.ids.set(account.id, next.id);
    if (!current) {
      ov.accounts.set(next.id, next);
      return this.createWithGroups(ov, builtinAccountRoleGroups(this.orgId, next.id, next.created), (tx) => tx.accounts.insert(next));
    }
    ov.accounts.set(current.id, current);
    if (sameFields(current, next, ["name", "ownerId", "status"])) return { outcome: "unchanged" };
    const updated = { ...current, name: next.name, ownerId, status: next.status, lastModified: isoNow(this.deps.clock) };
    ov.accounts.set(current.id, updated);
    return { outcome: "updated", apply: async (tx) => void (await tx.accounts.update(updated)) };
  }

  private async planInvitation(invitation: Invitation, ov: Overlay): Promise<Step> {
    if (!this.sameOrg) return { outcome: "skipped" };
    requireFields(invitation as unknown as Record<string, unknown>, ["id", "userId", "email", "tokenHash", "expires", "created"], "invitation");
    if (!(await this.findUser(ov, invitation.userId))) throw Errors.userNotFound(invitation.userId);
    const next: Invitation = { ...invitation, orgId: this.orgId };
    const current = await this.deps.store.invitations.get(this.orgId, invitation.id);
    if (!current) return { outcome: "created", apply: async (tx) => tx.invitations.insert(next) };
    if (sameAsLine(current, next)) return { outcome: "unchanged" };
    throw Errors.importConflict(`Invitation ${invitation.id} already exists with other values; an import does not change invitations.`);
  }

  private async planToken(token: ApiToken): Promise<Step> {
    if (!this.sameOrg) return { outcome: "skipped" };
    requireFields(token as unknown as Record<string, unknown>, ["id", "name", "secretHash", "created"], "token");
    const current = await this.deps.store.tokens.get(token.id);
    if (current && current.orgId !== this.orgId) throw Errors.importConflict(`Token ${token.id} belongs to another organization.`);
    if (!current) return { outcome: "created", apply: async (tx) => tx.tokens.insert({ ...token, orgId: this.orgId }) };
    if (token.revoked && !current.revoked) return { outcome: "updated", apply: async (tx) => void (await tx.tokens.revoke(this.orgId, token.id, token.revoked!)) };
    return { outcome: "unchanged" };
  }

  private async planAudit(event: AuditEvent, ov: Overlay): Promise<Step> {
    if (!this.sameOrg) return { outcome: "skipped" };
    requireFields(event as unknown as Record<string, unknown>, ["id", "time", "actor", "action"], "audit event");
    if (!this.auditIds) {
      this.auditIds = new Set();
      let before: string | undefined;
      for (;;) {
        const page = await this.deps.store.audit.list(this.orgId, { limit: PAGE, ...(before ? { before } : {}) });
        for (const e of page) this.auditIds.add(e.id);
        if (page.length < PAGE) break;
        before = page[page.length - 1]!.id;
      }
    }
    if (this.auditIds.has(event.id) || ov.audit.has(event.id)) return { outcome: "unchanged" };
    ov.audit.add(event.id);
    return { outcome: "created", apply: async (tx) => tx.audit.append({ ...event, orgId: this.orgId }) };
  }
}
