/**
 * Migration 21 (audit search by actor): events written before it are found by the user their actor
 * acted for and by the credential that acted (virtual columns computed from `actor`, as
 * src/domain/audit.ts actorParts splits it), from indexes that lead with the organization.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateBelow } from "../helpers/sqlite-version";
import { openSqliteStore } from "../../src/store/sqlite/store";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig21-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => n.toString(16).padStart(32, "0");
const USER = `US${hex(7)}`;

/** A database as migration 20 left it, with audit events of several actors in two organizations. */
function version20(file: string): void {
  const raw = new Database(file);
  migrateBelow(raw, 21);
  const insert = raw.prepare("INSERT INTO audit_events (id, org_id, time, actor, action, target_type, target_id, outcome) VALUES (?, ?, ?, ?, 'user.update', 'User', 'T', 'success')");
  const actors = [`TK${hex(1)}/${USER}`, `TK${hex(2)}`, `TK${hex(3)}/${USER}`, "operator:cli import-csv"];
  for (let i = 0; i < 8; i++) insert.run(`AE${hex(i + 1)}`, i === 7 ? "ORb" : "ORa", `2026-01-01T00:00:0${i}.000Z`, actors[i % 4]);
  raw.close();
}

describe("sqlite migration 21 (audit search by actor)", () => {
  it("finds events written before it by the actor's user and credential, in the organization only, from the new indexes", async () => {
    const file = join(dir, "v20.db");
    version20(file);
    const store = openSqliteStore({ path: file });
    try {
      const ids = async (q: { actorUser?: string; actorCredential?: string }) => (await store.audit.list("ORa", { limit: 20, ...q })).map((e) => e.id);
      expect(await ids({ actorUser: USER })).toEqual([`AE${hex(7)}`, `AE${hex(5)}`, `AE${hex(3)}`, `AE${hex(1)}`]);
      expect(await ids({ actorCredential: `TK${hex(2)}` })).toEqual([`AE${hex(6)}`, `AE${hex(2)}`]);
      expect(await ids({ actorCredential: `TK${hex(1)}` })).toEqual([`AE${hex(5)}`, `AE${hex(1)}`]);
      expect(await ids({ actorCredential: "operator:cli import-csv" })).toEqual([`AE${hex(4)}`]); // the 8th is ORb's
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'").pluck().all() as string[]);
      expect(names).toEqual(expect.arrayContaining(["audit_events_org_actor_user_time", "audit_events_org_actor_credential_time"]));
      const cols = (db.prepare("SELECT * FROM pragma_index_info('audit_events_org_actor_user_time')").all() as { name: string }[]).map((c) => c.name);
      expect(cols).toEqual(["org", "actor_user", "t", "seq"]); // the organization's number since migration 27, the time in milliseconds since 28
    } finally {
      db.close();
    }
  });
});
