/**
 * The store contract (./contract.ts) on the MongoDB store, against a real mongod, plus the
 * MongoDB-only cases (a replica set found, duplicate keys inside a transaction, a closed store). The
 * races (member adds, creates, delete vs add, late commits) are in the contract itself.
 *
 * Where the mongod comes from:
 * - MONGODB_URI set: that server. It is not probed: if it cannot be reached the suite FAILS, since
 *   whoever set the variable expects the suite to run. It should be a replica set (a single-node
 *   `mongod --replSet rs0` will do): on a standalone server transactions do not roll back, and the
 *   contract's rollback case fails, by design (src/store/mongo/store.ts).
 * - otherwise mongodb-memory-server, as a one-node replica set (it honours MONGOMS_SYSTEM_BINARY).
 *
 * Why a child process: Jest collects tests synchronously and a CommonJS test file cannot await at
 * the top level, so an async check cannot choose between running and skipping. `spawnSync` runs
 * the check (start a mongodb-memory-server replica set, stop it) in a child with a time limit
 * (MONGO_PROBE_TIMEOUT_MS, default 15 s). When it fails, this file registers ONE skipped test
 * whose name says why and prints the same line once with console.warn; nothing passes
 * vacuously. When it succeeds, the suite starts its own server in beforeAll, and a failure from
 * then on is a test failure, never a skip.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { MongoMemoryReplSet } from "mongodb-memory-server";
import type { Store } from "../../src/domain/ports/store";
import mongoose from "mongoose";
import { MIGRATION_STEPS } from "../../src/store/mongo/migration-steps";
import { NewerDatabaseError } from "../../src/store/mongo/migrations";
import { createMongoStore, type MongoStore } from "../../src/store/mongo/store";
import { anOrg, aUser } from "../helpers/fixtures";
import { runStoreContract } from "./contract";

const PROBE_TIMEOUT_MS = Number(process.env.MONGO_PROBE_TIMEOUT_MS ?? 15_000);

const PROBE = `
const { MongoMemoryReplSet } = require("mongodb-memory-server");
MongoMemoryReplSet.create({ replSet: { count: 1 } })
  .then((rs) => rs.stop().then(() => process.stdout.write("OK\\n")))
  .catch((e) => process.stdout.write("FAIL " + String((e && e.message) || e).replace(/\\s+/g, " ").trim().slice(0, 240) + "\\n"));
`;

/** Whether mongodb-memory-server can start a mongod here, and if not, why. */
function probeMemoryServer(): string | null {
  const r = spawnSync(process.execPath, ["-e", PROBE], {
    cwd: join(__dirname, "..", ".."), timeout: PROBE_TIMEOUT_MS, encoding: "utf8", env: process.env,
  });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : r.error.message;
  const last = (r.stdout ?? "").trim().split("\n").pop() ?? "";
  if (last === "OK") return null;
  if (last.startsWith("FAIL ")) return last.slice(5);
  return `probe exited with ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().split("\n")[0] ?? ""}`;
}

const uri = process.env.MONGODB_URI;
const whyNot = uri ? null : probeMemoryServer();

if (whyNot !== null) {
  const line = `MongoDB contract suite SKIPPED: no mongod reachable (MONGODB_URI unset; mongodb-memory-server could not start: ${whyNot})`;
  // Straight to stderr: Jest may not show console output of a file whose tests are all skipped.
  process.stderr.write(`\n${line}\n`);
  describe("store contract: mongo", () => {
    it.skip(line, () => undefined);
  });
} else {
  let server: MongoMemoryReplSet | undefined;
  let url = uri ?? "";
  let dbCount = 0;
  const open = (dbName = `orgscim_test_${process.pid}_${++dbCount}`) => createMongoStore(url, { dbName });
  const close = async (s: Store) => {
    await (s as MongoStore).dropDatabase();
    await s.close();
  };

  beforeAll(async () => {
    if (uri) return;
    const { MongoMemoryReplSet: ReplSet } = await import("mongodb-memory-server");
    server = await ReplSet.create({ replSet: { count: 1 } });
    url = server.getUri();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  runStoreContract("mongo", open, close);

  describe("mongo store: beyond the contract", () => {
    let store: MongoStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      if (store) await close(store);
    });

    it("finds the replica set, so transactions are real", () => {
      expect(store.transactional).toBe(true);
    });

    it("ends a transaction whose insert hit a duplicate key with that error, reading committed data after it", async () => {
      const org = anOrg(); await store.orgs.insert(org);
      await store.users.insert(aUser(org.id, { userName: "taken@acme.test" }));
      const late = aUser(org.id);
      await expect(store.transaction(async (tx) => {
        try {
          await tx.users.insert(aUser(org.id, { userName: "TAKEN@acme.test" }));
        } catch (e) {
          expect((await tx.users.findByUserName(org.id, "taken@acme.test"))?.userName).toBe("taken@acme.test");
          await expect(tx.users.insert(late)).rejects.toMatchObject({ name: "UniqueViolation" });
          throw e;
        }
      })).rejects.toMatchObject({ name: "UniqueViolation", field: "userName" });
      expect(await store.users.get(org.id, late.id)).toBeNull();
    });

    it("refuses at start a database a newer orgscim migrated (a downgrade), and leaves it unchanged", async () => {
      const dbName = `orgscim_test_${process.pid}_${++dbCount}`;
      await (await open(dbName)).close();
      const client = new mongoose.mongo.MongoClient(url);
      try {
        const migrations = client.db(dbName).collection<{ _id: number; name: string }>("migrations");
        const newer = Math.max(...MIGRATION_STEPS.map((s) => s.version)) + 1;
        await migrations.insertOne({ _id: newer, name: "from a newer orgscim" });
        const before = await migrations.find({}).sort({ _id: 1 }).toArray();
        await expect(open(dbName)).rejects.toBeInstanceOf(NewerDatabaseError);
        expect(await migrations.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
      } finally {
        await client.db(dbName).dropDatabase();
        await client.close();
      }
    });

    it("answers StoreUnavailable once closed", async () => {
      const s = await open();
      await s.close();
      await expect(s.ping()).rejects.toMatchObject({ name: "StoreUnavailable" });
    });
  });
}
