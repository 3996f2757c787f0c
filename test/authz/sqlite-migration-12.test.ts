/**
 * SQLite migration 12: existing tokens learn who made them (from the audit log's token.create
 * events), their ceiling, and the user whose rights cap them; tokens acting for a user that
 * another token made through /v1/Tokens (issue 13's escalation) are revoked, with an audit event.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateBelow } from "../helpers/sqlite-version";
import { openSqliteStore } from "../../src/store/sqlite/store";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig12-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (c: string) => c.repeat(32);
const TK = (c: string) => `TK${hex(c)}`;
const US = (c: string) => `US${hex(c)}`;

/** A database as migration 11 left it, with tokens made every way orgscim used to make them. */
function version11(file: string): void {
  const raw = new Database(file);
  migrateBelow(raw, 12);
  raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES ('ORa', 'A', '{}', 't', 't')").run();
  const token = raw.prepare("INSERT INTO api_tokens (id, org_id, name, scopes, secret_hash, user_id, created, revoked) VALUES (?, 'ORa', ?, '[\"admin\"]', '00', ?, 't', NULL)");
  const made = raw.prepare(`INSERT INTO audit_events (id, org_id, time, actor, action, target_type, target_id, outcome, before, after)
    VALUES (?, 'ORa', 't', ?, 'token.create', 'Token', ?, 'success', NULL, '{}')`);
  token.run(TK("1"), "bootstrap", null); // the CLI / bootstrap: no audit event
  token.run(TK("2"), "admin's console token", US("a")); // made by the CLI for an Administrator
  token.run(TK("3"), "service made by the admin", null);
  made.run(`AE${hex("3")}`, `${TK("2")}/${US("a")}`, TK("3"));
  token.run(TK("4"), "the Owner's token, made by the admin", US("o"));
  made.run(`AE${hex("4")}`, `${TK("2")}/${US("a")}`, TK("4"));
  token.run(TK("5"), "the admin's own", US("a"));
  made.run(`AE${hex("5")}`, `${TK("2")}/${US("a")}`, TK("5"));
  token.run(TK("6"), "made by the service token", null);
  made.run(`AE${hex("6")}`, TK("3"), TK("6"));
  raw.close();
}

describe("sqlite migration 12 (who made each token)", () => {
  it("records each token's maker and ceiling from the audit log, and revokes tokens made for someone else", async () => {
    const file = join(dir, "v11.db");
    version11(file);
    const store = openSqliteStore({ path: file });
    try {
      const byId = new Map((await store.tokens.list("ORa")).map((t) => [t.id, t]));
      expect(byId.get(TK("1"))).toMatchObject({ createdBy: "operator", creatorUserId: null, ceiling: "owner", revoked: null });
      expect(byId.get(TK("2"))).toMatchObject({ createdBy: "operator", ceiling: "owner", revoked: null });
      expect(byId.get(TK("3"))).toMatchObject({ createdBy: TK("2"), creatorUserId: US("a"), ceiling: "administrator", revoked: null });
      expect(byId.get(TK("4"))).toMatchObject({ createdBy: TK("2"), creatorUserId: US("a"), ceiling: "administrator" });
      expect(byId.get(TK("4"))!.revoked).not.toBeNull();
      expect(byId.get(TK("5"))).toMatchObject({ createdBy: TK("2"), creatorUserId: US("a"), revoked: null });
      expect(byId.get(TK("6"))).toMatchObject({ createdBy: TK("3"), creatorUserId: US("a"), ceiling: "administrator", revoked: null });
      const revocations = (await store.audit.list("ORa", { limit: 10, action: "token.revoke" }));
      expect(revocations).toHaveLength(1);
      expect(revocations[0]).toMatchObject({ actor: "system:migration-12", targetId: TK("4"), outcome: "success" });
      expect(revocations[0]!.id).toMatch(/^AE[0-9a-f]{32}$/);
    } finally {
      await store.close();
    }
  });
});
