/**
 * `orgscim migrate --from <url> --to <url> [--org ORG]...`: moves every organization (or those
 * named) from one store to another, e.g. SQLite to MongoDB, through the export format itself
 * (./export.ts → ./import.ts, tokens and audit log included, ids kept), then verifies each
 * organization: the export of the target must be the export of the source, line for line and in
 * the same order, apart from what README.md (Export, import and moving between stores) lists (the audit events the migration
 * copied carry their import mark; the target's log also holds the migration's own
 * organization.import events). One verdict per organization: OK only when none of its lines
 * failed and its two exports are the same. Re-running is safe: the import is idempotent, so a
 * migration interrupted half-way is finished by running it again.
 *
 * The source is a store the operator names, not a file: domain states and tokens are kept as
 * they are there (ImportOptions.trust "store"); every line still passes the import's checks.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../domain/clock";
import { exportOrganization } from "../domain/portability";
import type { Store } from "../domain/ports/store";
import { encodeItem, exportLines } from "./export";
import { importLines, printErrors, summarize } from "./import";
import type { OutStream } from "./io";
import { progressBar } from "./progress";

export interface KindCheck {
  kind: string;
  source: number;
  target: number;
  /** Ids in the source missing from the target (at most 10 shown). */
  missing: string[];
  /** Ids in the target the source does not have (audit: other than the migration's own import events). */
  extra: string[];
  /** Ids on both sides whose records differ. */
  different: string[];
}

export interface OrgCheck {
  orgId: string;
  name: string;
  kinds: KindCheck[];
  /** Lines of this organization the import refused. */
  failedLines: number;
  /** Whether the records come in the same order on both sides (the same file). */
  sameOrder: boolean;
  ok: boolean;
}

interface Side {
  /** kind → id → hash of the record's line. */
  lines: Map<string, Map<string, string>>;
  /** The order of the records, as kind:id. */
  order: string[];
}

const hash = (text: string): string => createHash("sha256").update(text).digest("base64");

/** One side's export as hashes of its lines; `adjust` leaves a line out (null) or changes it before it is compared. */
async function sideOf(store: Store, orgId: string, adjust: (kind: string, line: Record<string, unknown>) => Record<string, unknown> | null): Promise<Side> {
  const side: Side = { lines: new Map(), order: [] };
  for await (const item of exportOrganization(store, orgId, { tokens: true, audit: true })) {
    const line = adjust(item.kind, encodeItem(item));
    if (line === null) continue;
    const id = String(item.kind === "user" || item.kind === "group" ? (line.resource as { id: string }).id : line.id);
    const byId = side.lines.get(item.kind) ?? new Map<string, string>();
    side.lines.set(item.kind, byId);
    byId.set(id, hash(JSON.stringify(line)));
    side.order.push(`${item.kind}:${id}`);
  }
  return side;
}

/**
 * Compares the export of one organization in the source with its export in the target. The
 * audit events the import copied carry a mark the source's do not (AuditEvent.imported): an
 * event is compared without it when the source's has none; the target's own organization.import
 * events that the source does not have are the migration's, and not compared.
 */
export async function verifyOrganization(source: Store, target: Store, orgId: string, name: string, failedLines = 0): Promise<OrgCheck> {
  const unmarked = new Set<string>();
  const a = await sideOf(source, orgId, (kind, line) => {
    if (kind === "audit" && line.imported === undefined) unmarked.add(String(line.id));
    return line;
  });
  const sourceAudit = a.lines.get("audit") ?? new Map<string, string>();
  const b = await sideOf(target, orgId, (kind, line) => {
    if (kind !== "audit") return line;
    if (!sourceAudit.has(String(line.id)) && line.action === "organization.import") return null;
    if (!unmarked.has(String(line.id))) return line;
    const { imported: _mark, ...rest } = line;
    return rest;
  });
  const kinds: KindCheck[] = [];
  for (const kind of new Set([...a.lines.keys(), ...b.lines.keys()])) {
    const from = a.lines.get(kind) ?? new Map<string, string>();
    const to = b.lines.get(kind) ?? new Map<string, string>();
    const missing = [...from.keys()].filter((id) => !to.has(id));
    const extra = [...to.keys()].filter((id) => !from.has(id));
    const different = [...from.keys()].filter((id) => to.has(id) && to.get(id) !== from.get(id));
    kinds.push({ kind, source: from.size, target: to.size, missing: missing.slice(0, 10), extra: extra.slice(0, 10), different: different.slice(0, 10) });
  }
  const sameOrder = a.order.length === b.order.length && a.order.every((k, i) => b.order[i] === k);
  const same = kinds.every((k) => k.missing.length === 0 && k.extra.length === 0 && k.different.length === 0);
  return { orgId, name, kinds, failedLines, sameOrder, ok: failedLines === 0 && same && sameOrder };
}

export interface MigrationResult {
  checks: OrgCheck[];
  failedLines: number;
}

export interface MigrateOptions {
  orgs?: string[];
  /** Where progress and each organization's summary go (stderr); default nowhere. */
  log?: (s: string) => void;
  /** Where the progress bar is drawn (a terminal's stderr); default none. */
  progress?: OutStream;
}

export async function migrateStores(source: Store, target: Store, clock: Clock, options: MigrateOptions = {}): Promise<MigrationResult> {
  const log = options.log ?? (() => undefined);
  const all = await source.orgs.list();
  const orgs = options.orgs ? all.filter((o) => options.orgs!.includes(o.id)) : all;
  const missing = (options.orgs ?? []).filter((id) => !all.some((o) => o.id === id));
  if (missing.length > 0) throw new Error(`No organization ${missing.join(", ")} in the source store.`);
  let failedLines = 0;
  const failed = new Map<string, number>();
  for (const [i, org] of orgs.entries()) {
    const started = Date.now();
    log(`[${i + 1}/${orgs.length}] ${org.id} ${org.name}\n`);
    const progress = progressBar(options.progress ?? { write: () => undefined }, { label: "  copy", total: 0, unit: "records" });
    const { report, lines } = await importLines(target, clock, org.id, exportLines(source, clock, org.id, { tokens: true, audit: true }), {
      actor: "migrate", source: `${source.kind} store`, trust: "store", onBatch: (n) => progress.update(n),
    });
    progress.finish();
    printErrors(report, log, 20);
    log(`${summarize(report, lines, (Date.now() - started) / 1000).replace(/^/gm, "  ")}\n`);
    failedLines += report.errors.length;
    failed.set(org.id, report.errors.length);
  }
  const checks: OrgCheck[] = [];
  for (const org of orgs) checks.push(await verifyOrganization(source, target, org.id, org.name, failed.get(org.id) ?? 0));
  return { checks, failedLines };
}

export function describeChecks(checks: OrgCheck[]): string {
  const lines: string[] = ["Verification (the export of each organization, source → target):"];
  for (const c of checks) {
    lines.push(`  ${c.ok ? "OK  " : "FAIL"} ${c.orgId} ${c.name}${c.failedLines > 0 ? ` (${c.failedLines} line${c.failedLines === 1 ? "" : "s"} refused)` : ""}${c.sameOrder ? "" : " (records in another order)"}`);
    for (const k of c.kinds) {
      const problems = [
        k.missing.length > 0 ? `missing ${k.missing.join(", ")}` : "",
        k.extra.length > 0 ? `unexpected ${k.extra.join(", ")}` : "",
        k.different.length > 0 ? `different ${k.different.join(", ")}` : "",
      ].filter(Boolean).join("; ");
      lines.push(`       ${k.kind.padEnd(13)} ${String(k.source).padStart(8)} → ${String(k.target).padEnd(8)}${problems ? ` ${problems}` : ""}`);
    }
  }
  return lines.join("\n");
}

/** The checks as /v1 would name them: what `migrate --json` prints. */
export const checksBody = (checks: OrgCheck[]) => ({
  ok: checks.every((c) => c.ok),
  organizations: checks.map((c) => ({
    sid: c.orgId, friendly_name: c.name, ok: c.ok, failed_lines: c.failedLines, same_order: c.sameOrder,
    records: c.kinds.map((k) => ({ type: k.kind, source: k.source, target: k.target, missing: k.missing, extra: k.extra, different: k.different })),
  })),
});
