/** Managed accounts on SQLite. */
import type Database from "better-sqlite3";
import type { AccountRepo } from "../../domain/ports/store";
import type { Account } from "../../domain/types";
import { guard } from "./errors";

interface AccountRow { id: string; org_id: string; name: string; owner_id: string; status: Account["status"]; created: string; last_modified: string }

const toAccount = (r: AccountRow): Account => ({
  id: r.id, orgId: r.org_id, name: r.name, ownerId: r.owner_id, status: r.status, created: r.created, lastModified: r.last_modified,
});

export function sqliteAccounts(db: Database.Database): AccountRepo {
  const s = {
    insert: db.prepare("INSERT INTO accounts (id, org_id, name, owner_id, status, created, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    get: db.prepare("SELECT * FROM accounts WHERE org_id = ? AND id = ?"),
    update: db.prepare("UPDATE accounts SET name = ?, owner_id = ?, status = ?, last_modified = ? WHERE org_id = ? AND id = ?"),
    owned: db.prepare("SELECT * FROM accounts WHERE org_id = ? AND owner_id = ? AND status = 'active' ORDER BY seq"),
  };
  return {
    insert: async (a) => guard(() => void s.insert.run(a.id, a.orgId, a.name, a.ownerId, a.status, a.created, a.lastModified)),
    get: async (orgId, id) => guard(() => {
      const r = s.get.get(orgId, id) as AccountRow | undefined;
      return r ? toAccount(r) : null;
    }),
    list: async (orgId, q) => guard(() => {
      const where = q.status ? "org_id = ? AND status = ?" : "org_id = ?";
      const params: unknown[] = q.status ? [orgId, q.status] : [orgId];
      const total = db.prepare(`SELECT count(*) FROM accounts WHERE ${where}`).pluck().get(...params) as number;
      const items = (db.prepare(`SELECT * FROM accounts WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset) as AccountRow[]).map(toAccount);
      return { total, items };
    }),
    update: async (a) => guard(() => s.update.run(a.name, a.ownerId, a.status, a.lastModified, a.orgId, a.id).changes === 1),
    listOwnedBy: async (orgId, userId) => guard(() => (s.owned.all(orgId, userId) as AccountRow[]).map(toAccount)),
  };
}
