/**
 * Import: the records of one organization (a file's lines, in file order) into a store.
 *
 * - Idempotent: users are matched by id, then by userName (without case); groups by id, then by
 *   displayName; accounts by id, then by name; domains by name; the rest by id. A record equal
 *   to its match is left alone (unchanged), a different one is updated (version + 1), a missing
 *   one is created with the file's id, created, lastModified and version.
 * - Ids are kept when the file's organization is the target organization (a restore, or a move
 *   to another store), which the import creates when it does not exist. Imported into another
 *   organization, records get new ids (references follow), and the organization's settings,
 *   invitations, tokens and audit events are skipped: they belong to the organization they came from.
 * - Every line passes the rules the API applies to its record before it is planned (./records.ts
 *   for the records, users.ts and groups.ts for SCIM resources): a line that fails is reported with
 *   its number and the API's error code, and nothing of it is applied.
 * - A file grants nothing it claims: domains arrive pending unless DNS shows their token now, API
 *   tokens and pending invitations' tokens only when the operator asks, audit events as imported
 *   history (ImportOptions.trust; a migration reading a store keeps states and tokens).
 * - Users are restored as they were: domain enforcement governs what identity providers provision,
 *   and is not applied again to a file's users; a managed user whose address another
 *   organization manages, or is on a domain another organization verified, is refused, the
 *   Owner is one active managed user, as the model requires, and a file makes no independent or
 *   pending user managed (accepting an invitation does; a migration carries the source's states).
 * - Lines are written in batches, one store transaction a batch; while one waits for its
 *   acknowledgement (the fsync), the caller reads the next batch's lines, which are planned only
 *   once it is acknowledged. Should the batch's transaction fail anyway (a concurrent writer), it
 *   is rolled back and its lines are written again one transaction each, so a failing line never
 *   leaves part of itself, nor breaks others.
 *
 * Planning lives in ./plan-members.ts and ./plan-records.ts, what a plan consults in ./state.ts.
 */
import type { Clock } from "../clock";
import { isoNow } from "../clock";
import { DomainError, Errors } from "../errors";
import { newId } from "../ids";
import { UniqueViolation, type Repos, type Store } from "../ports/store";
import type { UserRecord } from "../types";
import { emptyCounts } from "./format";
import { planBuiltinGroup, planGroup, planUser } from "./plan-members";
import { planAccount, planAudit, planDomain, planInvitation, planOrganization, planToken } from "./plan-records";
import { ImportState, Overlay, type Step, type WriteCtx } from "./state";
import type { ImportItem, ImportOptions, ImportOutcome, ImportReport } from "./types";

/** New users of one organization, in order: at once where the store can (UserRepo.insertMany), else one by one. */
async function insertUsers(tx: Repos, orgId: string, users: UserRecord[]): Promise<void> {
  if (tx.users.insertMany) return tx.users.insertMany(orgId, users);
  for (const u of users) await tx.users.insert(u);
}

interface Planned {
  line: number;
  type: string;
  step: Step;
}

function plan(st: ImportState, item: ImportItem, ov: Overlay): Promise<Step> {
  switch (item.kind) {
    case "user": return planUser(st, item.user, ov);
    case "group": return item.group.builtin ? planBuiltinGroup(st, item.group, ov) : planGroup(st, item.group, ov);
    case "organization": return planOrganization(st, item.record, ov);
    case "domain": return planDomain(st, item.record, ov);
    case "account": return planAccount(st, item.record, ov);
    case "invitation": return planInvitation(st, item.record, ov);
    case "token": return planToken(st, item.record);
    case "audit": return planAudit(st, item.record, ov);
  }
}

/**
 * Imports the records of one organization into `orgId`, in batches. Feed it with `add` in file
 * order, then `finish` for the report. See the file comment for the rules.
 */
export class OrgImporter {
  private readonly batchSize: number;
  private readonly st: ImportState;
  private pending: Array<{ line: number; item: ImportItem }> = [];
  private readonly report: ImportReport = { lines: 0, counts: Object.create(null) as ImportReport["counts"], errors: [], notes: [] };

  constructor(private readonly deps: { store: Store; clock: Clock }, private readonly orgId: string, private readonly options: ImportOptions) {
    this.batchSize = options.batchSize ?? 2000;
    this.st = new ImportState(deps, orgId, options);
  }

  /**
   * The batch being written, settled once its transaction is acknowledged (its fsync completed)
   * and folded into the state: never rejected (its failure is kept in `writeFailure`).
   */
  private writing: Promise<void> = Promise.resolve();
  private writeFailure: { error: unknown } | null = null;

  /**
   * Queues one line; starts writing a batch when enough are queued. It does not wait for that
   * batch's acknowledgement: the caller reads (parses, coerces) the next batch's lines meanwhile,
   * on the CPU the fsync leaves idle. A batch is planned only once the one before it is
   * acknowledged and folded in (what planning reads), and counted only once it is acknowledged.
   */
  async add(line: number, item: ImportItem): Promise<void> {
    this.pending.push({ line, item });
    if (this.pending.length < this.batchSize) return;
    await this.settled();
    const batch = this.pending;
    this.pending = [];
    this.writing = this.flush(batch).catch((error: unknown) => void (this.writeFailure = { error }));
  }

  /** Waits for the batch being written, if any, to be acknowledged or refused (before giving up on a run: nothing left in flight). */
  async drain(): Promise<void> {
    await this.writing;
  }

  /** Waits for the batch being written; throws what writing it threw. */
  private async settled(): Promise<void> {
    await this.writing;
    if (this.writeFailure) throw this.writeFailure.error;
  }

  /** Records a line that could not even be read (bad JSON, unknown type). */
  fail(line: number, type: string, e: unknown): void {
    this.report.lines += 1;
    this.record(line, type, e);
  }

  async finish(): Promise<ImportReport> {
    await this.settled();
    const rest = this.pending;
    this.pending = [];
    await this.flush(rest);
    this.report.errors.sort((a, b) => a.line - b.line);
    this.report.notes = [...this.st.notes.values()].map((n) => n.text(n.count));
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

  private async planLine(item: ImportItem, ov: Overlay): Promise<Step> {
    if (item.kind !== "organization" && !ov.orgCreated && this.st.orgExists !== true) await this.st.requireOrg(ov);
    return plan(this.st, item, ov);
  }

  private async flush(batch: Array<{ line: number; item: ImportItem }>): Promise<void> {
    if (batch.length === 0) return;
    await this.flushBatch(batch);
    this.options.onBatch?.(batch[batch.length - 1]!.line);
  }

  private async flushBatch(batch: Array<{ line: number; item: ImportItem }>): Promise<void> {
    this.st.now = isoNow(this.deps.clock);
    this.report.lines += batch.length;
    const overlay = new Overlay();
    const planned: Planned[] = [];
    try {
      await this.st.prefetch(overlay, batch.flatMap(({ item }) => (item.kind === "user" ? [item.user] : [])));
    } catch {
      overlay.forgetKnown(); // each line asks the store itself, and reports what fails
    }
    for (const { line, item } of batch) {
      try {
        planned.push({ line, type: item.kind, step: await this.planLine(item, overlay) });
      } catch (e) {
        this.record(line, item.kind, e);
      }
    }
    try {
      await this.write(planned, overlay.managedClaims);
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
        const step = await this.planLine(item, alone);
        await this.write([{ line, type: item.kind, step }], alone.managedClaims);
        this.merge(alone, [{ line, type: item.kind, step }]);
      } catch (e) {
        this.record(line, item.kind, e);
      }
    }
  }

  private async write(planned: Planned[], managedClaims: ReadonlySet<string>): Promise<void> {
    const writes = planned.filter((p) => p.step.apply);
    if (writes.length === 0) return;
    const { store, clock } = this.deps;
    await store.transaction(async (tx) => {
      await this.st.recheckManagedClaims(tx, managedClaims);
      const w: WriteCtx = { touch: new Set(), newUsers: [], roleMembers: new Map(), created: 0, updated: 0 };
      // A run of new users: their rows at once, then each role group's new members at once.
      const writeNewUsers = async () => {
        if (w.newUsers.length > 0) await insertUsers(tx, this.orgId, w.newUsers);
        w.newUsers = [];
        for (const [gid, ids] of w.roleMembers) await tx.groups.addMembers(this.orgId, gid, ids);
        w.roleMembers.clear();
      };
      for (const p of writes) {
        if (!p.step.newUser) await writeNewUsers();
        await p.step.apply!(tx, w);
        if (p.step.outcome === "created") w.created += 1;
        if (p.step.outcome === "updated") w.updated += 1;
      }
      await writeNewUsers();
      const now = isoNow(clock);
      for (const id of w.touch) await tx.groups.touch(this.orgId, id, now);
      await tx.audit.append({
        id: newId("AE"), orgId: this.orgId, time: now, actor: this.options.actor ?? "import", action: "organization.import",
        targetType: "Organization", targetId: this.orgId, outcome: "success", before: null,
        after: { source: this.options.source ?? null, lines: [writes[0]!.line, writes[writes.length - 1]!.line], created: w.created, updated: w.updated },
      });
    });
  }

  private merge(overlay: Overlay, planned: Planned[]): void {
    this.st.merge(overlay);
    for (const p of planned) this.count(p.type, p.step.outcome);
  }
}
