/**
 * MongoDB migration 12 (over the mingo double of the driver, not MongoDB), as SQLite's 29
 * (docs/security.md case 85): a user written before it with no emails and an email userName had no
 * primaryEmailLower, so as a managed user it held no address against other organizations. Rules:
 * such a user gets its userName, lower-cased, exactly when looksLikeEmail says it is an address; a
 * user with an address keeps it; the walk ends however many users stay without one; after it,
 * another organization sees the address managed.
 */
import mongoose from "mongoose";
import { looksLikeEmail } from "../../src/domain/user-checks";
import { userDoc } from "../../src/store/mongo/docs";
import { backfillUserNameAddresses, MIGRATION_STEPS } from "../../src/store/mongo/migration-steps";
import { migrateMongo, type MigrationDb } from "../../src/store/mongo/migrations";
import { aUser } from "../helpers/fixtures";
import { MingoDb } from "./mingo-db";
import { mingoStore } from "./mingo-store";

void mongoose;
const asDb = (db: MingoDb): MigrationDb => db as unknown as MigrationDb;

/** A user document as a release before the fix wrote it: no emails, no primaryEmailLower. */
const oldUser = (orgId: string, userName: string, seq: number, status: "managed" | "pending" = "managed") =>
  ({ ...userDoc(aUser(orgId, { userName, emails: [], status }), seq), primaryEmailLower: null });

describe("MongoDB migration 12 (an email userName is the address of a user without emails)", () => {
  it("gives the users without an address their email userName, lower-cased, leaves the others; another organization then sees it managed", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 12));
    const names = ["Bob@Acme.test", "carol", "bob @acme.test", "erin@acme.test"];
    names.forEach((n, i) => db.docs("users").push(oldUser("OA", n, i + 1, n.startsWith("erin") ? "pending" : "managed")));
    db.docs("users").push(userDoc(aUser("OA", { userName: "dave@acme.test", emails: [{ value: "D.Other@acme.test", primary: true }] }), 9));
    const logged: string[] = [];
    await migrateMongo(asDb(db), MIGRATION_STEPS, { log: (line) => void logged.push(line) });
    expect(logged.some((l) => l.includes("2 user(s)"))).toBe(true);
    const byName = new Map(db.docs("users").map((d) => [d.userName, d.primaryEmailLower]));
    expect(Object.fromEntries(byName)).toEqual({
      "Bob@Acme.test": "bob@acme.test", carol: null, "bob @acme.test": null, "erin@acme.test": "erin@acme.test", "dave@acme.test": "d.other@acme.test",
    });
    expect(names.filter(looksLikeEmail)).toEqual(["Bob@Acme.test", "erin@acme.test"]); // the rule the step froze, today

    const store = mingoStore({ db });
    expect(await store.users.isManagedElsewhere("OC", "bob@acme.test")).toBe(true);
    expect(await store.users.isManagedElsewhere("OA", "bob@acme.test")).toBe(false);
    expect(await store.users.isManagedElsewhere("OC", "erin@acme.test")).toBe(false); // pending: not managed
  });

  it("walks every user in batches, past the ones that stay without an address, and ends", async () => {
    const db = new MingoDb({ indexes: "none" });
    await migrateMongo(asDb(db), MIGRATION_STEPS.filter((s) => s.version < 12));
    for (let i = 1; i <= 23; i++) db.docs("users").push(oldUser(i % 2 ? "OA" : "OB", i % 3 ? `u${i}@acme.test` : `u${i}`, i));
    expect(await backfillUserNameAddresses(asDb(db), 4)).toBe(16);
    expect(db.docs("users").filter((d) => d.primaryEmailLower === null).map((d) => d.userName).sort()).toEqual(["u12", "u15", "u18", "u21", "u3", "u6", "u9"]);
    expect(await backfillUserNameAddresses(asDb(db), 4)).toBe(0);
  });
});
