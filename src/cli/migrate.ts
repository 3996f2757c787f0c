/**
 * `orgscim migrate --from <url> --to <url> [--org ORG]`: moves every organization (or one) from
 * one store to another, e.g. SQLite to MongoDB, through the export format itself (./export.ts →
 * ./import.ts, tokens and audit log included, ids kept), then verifies each organization by
 * comparing the ids of every kind of record on both sides. Re-running it is safe: the import is
 * idempotent, so a migration interrupted half-way is finished by running it again.
 */
import type { Clock } from "../domain/clock";
import { exportOrganization } from "../domain/portability";
import type { Store } from "../domain/ports/store";
import { exportLines } from "./export";
import { importLines, printErrors, summarize } from "./import";
import { progressBar } from "./progress";

export interface KindCheck {
  kind: string;
  source: number;
  target: number;
  /** Ids in the source missing from the target (at most 10 shown). */
  missing: string[];
  /** Ids in the target the source does not have (audit: other than the import's own events). */
  extra: string[];
}

export interface OrgCheck {
  orgId: string;
  name: string;
  kinds: KindCheck[];
  ok: boolean;
}

interface IdsByKind { [kind: string]: { ids: Set<string>; importEvents: Set<string> } }

async function idsOf(store: Store, orgId: string): Promise<IdsByKind> {
  const out: IdsByKind = {};
  for await (const item of exportOrganization(store, orgId, { tokens: true, audit: true })) {
    const kind = item.kind;
    const id = kind === "organization" ? item.org.id : kind === "domain" ? item.domain.id : kind === "user" ? item.user.id
      : kind === "group" ? item.group.id : kind === "account" ? item.account.id : kind === "invitation" ? item.invitation.id
        : kind === "token" ? item.token.id : item.event.id;
    const entry = (out[kind] ??= { ids: new Set(), importEvents: new Set() });
    entry.ids.add(id);
    if (kind === "audit" && item.event.action === "organization.import") entry.importEvents.add(id);
  }
  return out;
}

/** Counts and ids of every kind of record of one organization, source against target. */
export async function verifyOrganization(source: Store, target: Store, orgId: string, name: string): Promise<OrgCheck> {
  const [a, b] = [await idsOf(source, orgId), await idsOf(target, orgId)];
  const kinds: KindCheck[] = [];
  for (const kind of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const from = a[kind]?.ids ?? new Set<string>();
    const to = b[kind] ?? { ids: new Set<string>(), importEvents: new Set<string>() };
    const missing = [...from].filter((id) => !to.ids.has(id));
    // The target's audit log also holds the events of this migration's imports (and of earlier runs).
    const extra = [...to.ids].filter((id) => !from.has(id) && !to.importEvents.has(id));
    kinds.push({ kind, source: from.size, target: to.ids.size, missing: missing.slice(0, 10), extra: extra.slice(0, 10) });
  }
  return { orgId, name, kinds, ok: kinds.every((k) => k.missing.length === 0 && k.extra.length === 0) };
}

export interface MigrationResult {
  checks: OrgCheck[];
  failedLines: number;
}

export async function migrateStores(source: Store, target: Store, clock: Clock, options: { orgs?: string[]; log?: (s: string) => void } = {}): Promise<MigrationResult> {
  const log = options.log ?? (() => undefined);
  const all = await source.orgs.list();
  const orgs = options.orgs ? all.filter((o) => options.orgs!.includes(o.id)) : all;
  const missing = (options.orgs ?? []).filter((id) => !all.some((o) => o.id === id));
  if (missing.length > 0) throw new Error(`No organization ${missing.join(", ")} in the source store.`);
  let failedLines = 0;
  for (const [i, org] of orgs.entries()) {
    const started = Date.now();
    log(`[${i + 1}/${orgs.length}] ${org.id} ${org.name}\n`);
    const progress = progressBar("  copy", 0, process.stderr, "records");
    const { report, lines } = await importLines(target, clock, org.id, exportLines(source, clock, org.id, { tokens: true, audit: true }), {
      actor: "migrate", source: `migrate from ${source.kind}`, onLine: (n) => progress.update(0, n),
    });
    progress.finish();
    printErrors(report, log, 20);
    log(`${summarize(report, lines, (Date.now() - started) / 1000).replace(/^/gm, "  ")}\n`);
    failedLines += report.errors.length;
  }
  const checks: OrgCheck[] = [];
  for (const org of orgs) checks.push(await verifyOrganization(source, target, org.id, org.name));
  return { checks, failedLines };
}

export function describeChecks(checks: OrgCheck[]): string {
  const lines: string[] = ["Verification (ids of every record, source → target):"];
  for (const c of checks) {
    lines.push(`  ${c.ok ? "OK  " : "FAIL"} ${c.orgId} ${c.name}`);
    for (const k of c.kinds) {
      const problems = [
        k.missing.length > 0 ? `missing ${k.missing.join(", ")}` : "",
        k.extra.length > 0 ? `unexpected ${k.extra.join(", ")}` : "",
      ].filter(Boolean).join("; ");
      lines.push(`       ${k.kind.padEnd(13)} ${String(k.source).padStart(8)} → ${String(k.target).padEnd(8)}${problems ? ` ${problems}` : ""}`);
    }
  }
  return lines.join("\n");
}
