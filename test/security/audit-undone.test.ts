/**
 * An audit event stands or falls with the change it records (docs/security.md case 73). The audit
 * row is written in the transaction of the write it records (issue 18 cuts its cost: fewer
 * indexes, a smaller row, the rows of a group commit written at once before its COMMIT), so a
 * transaction undone (thrown, a /Bulk operation rolled back to its savepoint, a member of a group
 * commit that failed while the others committed) must leave no event, and every transaction that
 * committed must keep each of its own, in the order it appended them. An event kept for a change
 * that was undone is a false trail ("alice made bob Administrator" when nothing changed); one lost
 * is a change nobody can account for.
 *
 * Attacked on the store the server runs (SQLite, group commit on, DURABILITY full and normal;
 * events appended through the transaction's repos and through the store's own facade): a
 * transaction that appends and then throws; 40 transactions started at once (so they share group
 * commits) of which every third throws after appending, others append two events each; a batch
 * (/Bulk's) whose inner transactions append and then throw every other one; a commitBatch likewise;
 * an append made outside any transaction (routed as its own). Held when the store lists exactly
 * the events of what committed, each once, and each transaction's events in its own order.
 * Over HTTP, the use case that appends an event before it fails: a member PATCH of the built-in
 * Administrator group adding a Standard User (their role changes, `user.role.update` appended) and
 * then the Owner (refused 400: the Owner cannot be demoted), alone, as a /Bulk operation between
 * two that succeed, and ten at once among ten that succeed: held when the Standard User keeps
 * their role and no event names them, and each change that stood has its one event.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../../src/domain/ports/store";
import type { AuditEvent } from "../../src/domain/types";
import { newId } from "../../src/domain/ids";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg } from "../helpers/fixtures";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const event = (orgId: string, action: string, targetId: string): AuditEvent => ({
  id: newId("AE"), orgId, time: new Date().toISOString(), actor: "token:TKtest", action,
  targetType: "User", targetId, outcome: "success", before: null, after: { note: targetId },
});

class Undone extends Error {}

describe.each(["full", "normal"] as const)("audit events of undone work (SQLite, DURABILITY=%s)", (durability) => {
  let dir: string;
  let store: Store & Required<Pick<Store, "batch" | "commitBatch">>;
  let orgId: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-audit-undone-"));
    const opened = openSqliteStore({ path: join(dir, "a.db"), durability });
    const { batch, commitBatch } = opened;
    if (!batch || !commitBatch) throw new Error("the SQLite store batches /Bulk and imports: batch and commitBatch are there");
    store = opened as typeof store;
    const org = anOrg();
    await store.orgs.insert(org);
    orgId = org.id;
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every event listed for the organization whose target starts with `prefix`, oldest first. */
  const listed = async (prefix: string): Promise<string[]> => {
    const out: AuditEvent[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.audit.list(orgId, { limit: 100, ...(before ? { before } : {}) });
      out.push(...page);
      if (page.length < 100) break;
      before = page[page.length - 1]!.id;
    }
    return out.filter((e) => e.targetId?.startsWith(prefix)).reverse().map((e) => e.targetId!);
  };

  /** A settled outcome: "ok" or the error's class. */
  const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => "ok", (e: unknown) => (e instanceof Undone ? "undone" : `error: ${String(e)}`));

  it("keeps no event of a transaction that threw after appending it", async () => {
    const r = await outcome(store.transaction(async (tx) => {
      await tx.audit.append(event(orgId, "user.update", "t1-a"));
      await tx.audit.append(event(orgId, "user.update", "t1-b"));
      throw new Undone();
    }));
    expect(r).toBe("undone");
    expect(await listed("t1-")).toEqual([]);
  });

  it("keeps exactly the events of the members of shared group commits that committed, each member's in its order", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => outcome(store.transaction(async (tx) => {
      await tx.audit.append(event(orgId, "user.update", `t2-${String(i).padStart(2, "0")}-1`));
      if (i % 3 === 0) throw new Undone();
      // Another turn of work between the two appends, as a use case's awaits would make.
      await Promise.resolve();
      await tx.audit.append(event(orgId, "group.update", `t2-${String(i).padStart(2, "0")}-2`));
      if (i % 3 === 1) {
        // A third append after another turn (the transaction's own repositories; the facade is not the
        // transaction's since its connection is handed to it: test/store/sqlite-transaction-repos).
        await Promise.resolve();
        await tx.audit.append(event(orgId, "group.update", `t2-${String(i).padStart(2, "0")}-3`));
      }
    }))));
    const committed = results.map((r, i) => (r === "ok" ? i : -1)).filter((i) => i >= 0);
    expect(results.filter((r) => r !== "ok" && r !== "undone")).toEqual([]);
    expect(committed.length).toBe(26);
    const want = committed.flatMap((i) => {
      const n = String(i).padStart(2, "0");
      return i % 3 === 1 ? [`t2-${n}-1`, `t2-${n}-2`, `t2-${n}-3`] : [`t2-${n}-1`, `t2-${n}-2`];
    });
    const got = await listed("t2-");
    expect([...got].sort()).toEqual([...want].sort()); // each once, none of the undone
    for (const i of committed) {
      const n = String(i).padStart(2, "0");
      expect(got.filter((t) => t.startsWith(`t2-${n}-`))).toEqual(want.filter((t) => t.startsWith(`t2-${n}-`)));
    }
  });

  it("keeps no event of a batch's inner transaction rolled back to its savepoint, and every event of the others", async () => {
    const inner: string[] = [];
    await store.batch(async () => {
      for (let i = 0; i < 12; i++) {
        inner.push(await outcome(store.transaction(async (tx) => {
          await tx.audit.append(event(orgId, "user.create", `t3-${String(i).padStart(2, "0")}`));
          if (i % 2 === 1) throw new Undone();
        })));
      }
    });
    expect(inner).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 1 ? "undone" : "ok")));
    expect(await listed("t3-")).toEqual(["t3-00", "t3-02", "t3-04", "t3-06", "t3-08", "t3-10"]);
  });

  it("keeps no event of a commitBatch's inner transaction rolled back, nor any of a commitBatch that threw", async () => {
    const inner: string[] = [];
    const { durable } = await store.commitBatch(async () => {
      for (let i = 0; i < 6; i++) {
        inner.push(await outcome(store.transaction(async (tx) => {
          await tx.audit.append(event(orgId, "user.create", `t4-${i}`));
          if (i % 3 === 2) throw new Undone();
        })));
      }
    });
    await durable;
    expect(inner).toEqual(["ok", "ok", "undone", "ok", "ok", "undone"]);
    const failed = await outcome(store.commitBatch(async () => {
      await store.transaction(async (tx) => { await tx.audit.append(event(orgId, "user.create", "t4-x")); });
      throw new Undone();
    }));
    expect(failed).toBe("undone");
    expect(await listed("t4-")).toEqual(["t4-0", "t4-1", "t4-3", "t4-4"]);
  });

  it("keeps an event appended outside any transaction (its own transaction), among transactions that throw", async () => {
    const results = await Promise.all([
      outcome(store.audit.append(event(orgId, "token.use", "t5-alone-1"))),
      outcome(store.transaction(async (tx) => { await tx.audit.append(event(orgId, "user.update", "t5-undone")); throw new Undone(); })),
      outcome(store.audit.append(event(orgId, "token.use", "t5-alone-2"))),
    ]);
    expect(results).toEqual(["ok", "undone", "ok"]);
    expect(await listed("t5-")).toEqual(["t5-alone-1", "t5-alone-2"]);
  });
});

describe("audit events of a role change undone by a later member (HTTP)", () => {
  let s: TestServer;
  let token = "";
  let ownerId = "";
  let adminGroup = "";
  const run = Math.random().toString(36).slice(2, 8);
  beforeAll(async () => {
    s = await startTestServer();
    token = (await s.newOrg({ domainEnforcement: false, exposeRoleGroups: true })).token;
    const owner = await call("POST", `${s.scim}/Users`, token, userBody(`owner-${run}@acme.test`));
    expect(owner.status).toBe(201);
    ownerId = owner.body.id as string;
    const made = await call("POST", `${s.url}/v1/Users/${ownerId}`, token, { org_role: "owner" }, { "content-type": "application/json" });
    expect(made.status).toBe(200);
    const groups = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent('displayName eq "Administrator"')}`, token);
    expect(groups.body.totalResults).toBe(1);
    adminGroup = groups.body.Resources[0].id as string;
  });
  afterAll(() => s.close());

  const newUser = async (name: string): Promise<string> => {
    const r = await call("POST", `${s.scim}/Users`, token, userBody(`${name}-${run}@acme.test`));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const addToAdmins = (ids: string[]) => ({ schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value })) }] });
  const roleOf = async (id: string): Promise<string> =>
    (await call("GET", `${s.scim}/Users/${id}`, token)).body["urn:ietf:params:scim:schemas:extension:orgscim:2.0:User"].orgRole as string;
  /** The user.role.update events naming `id`. */
  const roleEvents = async (id: string): Promise<number> => {
    const r = await call("GET", `${s.url}/v1/AuditEvents?PageSize=100&Action=user.role.update&TargetSid=${id}`, token);
    expect(r.status).toBe(200);
    return (r.body.audit_events as { target_sid: string; action: string }[]).filter((e) => e.target_sid === id && e.action === "user.role.update").length;
  };

  it("keeps no event, and no role, of a PATCH refused at its second member", async () => {
    const std = await newUser("alone");
    const r = await call("PATCH", `${s.scim}/Groups/${adminGroup}`, token, addToAdmins([std, ownerId]));
    expect(r.status).toBe(400);
    expect({ role: await roleOf(std), events: await roleEvents(std) }).toEqual({ role: "standard", events: 0 });
  });

  it("keeps no event of the refused /Bulk operation, and one of each operation that stood", async () => {
    const [before, undone, after] = [await newUser("bulk-a"), await newUser("bulk-b"), await newUser("bulk-c")];
    const op = (ids: string[], n: number) => ({ method: "PATCH", path: `/Groups/${adminGroup}`, bulkId: `op${n}`, data: addToAdmins(ids) });
    const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [op([before], 1), op([undone, ownerId], 2), op([after], 3)] });
    expect(r.status).toBe(200);
    expect((r.body.Operations as { status: string }[]).map((o) => o.status)).toEqual(["204", "400", "204"]);
    const seen = { before: [await roleOf(before), await roleEvents(before)], undone: [await roleOf(undone), await roleEvents(undone)], after: [await roleOf(after), await roleEvents(after)] };
    expect(seen).toEqual({ before: ["administrator", 1], undone: ["standard", 0], after: ["administrator", 1] });
  });

  it("keeps one event of each change that stood and none of the refused, sent at once", async () => {
    const stood = await Promise.all(Array.from({ length: 10 }, (_, i) => newUser(`stood-${i}`)));
    const undone = await Promise.all(Array.from({ length: 10 }, (_, i) => newUser(`undone-${i}`)));
    const answers = await Promise.all([
      ...stood.map((id) => call("PATCH", `${s.scim}/Groups/${adminGroup}`, token, addToAdmins([id]))),
      ...undone.map((id) => call("PATCH", `${s.scim}/Groups/${adminGroup}`, token, addToAdmins([id, ownerId]))),
    ]);
    // A PATCH that meets another's version answers 412 or is retried: what matters is what each answer says stood.
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(10).filter((st) => st !== 400)).toEqual([]);
    const seen: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [i, id] of stood.entries()) {
      seen[`stood ${i}`] = [await roleOf(id), await roleEvents(id)];
      want[`stood ${i}`] = statuses[i]! < 300 ? ["administrator", 1] : ["standard", 0];
    }
    for (const [i, id] of undone.entries()) {
      seen[`undone ${i}`] = [await roleOf(id), await roleEvents(id)];
      want[`undone ${i}`] = ["standard", 0];
    }
    expect(seen).toEqual(want);
  });
});
