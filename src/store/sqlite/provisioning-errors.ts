/** Provisioning errors on SQLite (src/domain/provisioning-errors.ts; migration 24): bounded per organization. */
import type Database from "better-sqlite3";
import type { ProvisioningError, ProvisioningErrorRepo } from "../../domain/ports/store";
import { guard } from "./errors";

interface Row {
  org_id: string; seq: number; time: string; status: number; scim_type: string | null; code: number; reason: string; method: string; path: string;
  bulk: number; credential: string; target_name: string | null; external_id: string | null;
}

const toRecord = (r: Row): ProvisioningError => ({
  orgId: r.org_id, seq: r.seq, time: r.time, status: r.status, scimType: r.scim_type, code: r.code, reason: r.reason, method: r.method, path: r.path,
  bulk: r.bulk === 1, credential: r.credential, targetName: r.target_name, externalId: r.external_id,
});

/** Expired records deleted per call at most (the oldest first): the age bound catches up over calls, each bounded. */
const EXPIRED_PER_CALL = 100;

export function sqliteProvisioningErrors(db: Database.Database): ProvisioningErrorRepo {
  const s = {
    count: db.prepare(`INSERT INTO provisioning_error_counts (org_id, recorded) VALUES (?, ?)
      ON CONFLICT (org_id) DO UPDATE SET recorded = recorded + excluded.recorded RETURNING recorded`).pluck(),
    insert: db.prepare(`INSERT INTO provisioning_errors (org_id, seq, time, status, scim_type, code, reason, method, path, bulk, credential, target_name, external_id)
      VALUES (@org_id, @seq, @time, @status, @scim_type, @code, @reason, @method, @path, @bulk, @credential, @target_name, @external_id)`),
    // One range of the primary key: the organization's rows numbered at or below the bound.
    trim: db.prepare("DELETE FROM provisioning_errors WHERE org_id = ? AND seq <= ?"),
    expire: db.prepare(`DELETE FROM provisioning_errors WHERE org_id = ? AND seq IN
      (SELECT seq FROM provisioning_errors WHERE org_id = ? ORDER BY seq LIMIT ${EXPIRED_PER_CALL}) AND time < ?`),
    list: db.prepare("SELECT * FROM provisioning_errors WHERE org_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?"),
    recorded: db.prepare("SELECT recorded FROM provisioning_error_counts WHERE org_id = ?").pluck(),
    retained: db.prepare("SELECT count(*) FROM provisioning_errors WHERE org_id = ?").pluck(),
  };
  return {
    record: async (orgId, items, bound) => guard(() => {
      if (items.length === 0) return;
      const last = s.count.get(orgId, items.length) as number;
      items.forEach((e, i) => s.insert.run({
        org_id: orgId, seq: last - items.length + 1 + i, time: e.time, status: e.status, scim_type: e.scimType, code: e.code, reason: e.reason,
        method: e.method, path: e.path, bulk: e.bulk ? 1 : 0, credential: e.credential, target_name: e.targetName, external_id: e.externalId,
      }));
      s.trim.run(orgId, last - bound.keep);
      s.expire.run(orgId, orgId, bound.since);
    }),
    list: async (orgId, q) => guard(() => (q.limit <= 0 ? [] : (s.list.all(orgId, q.limit, q.offset) as Row[]).map(toRecord))),
    counts: async (orgId) => guard(() => ({
      recorded: (s.recorded.get(orgId) as number | undefined) ?? 0,
      retained: s.retained.get(orgId) as number,
    })),
  };
}
