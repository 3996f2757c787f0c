/** `orgscim import-csv`: headers as SCIM attributes, the SCIM rules per row, line-numbered errors, dry run. */
import { writeFileSync } from "node:fs";
import { columnPaths, importCsvRows, readCsv } from "../../src/cli/csv";
import { systemClock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import type { Organization } from "../../src/domain/types";
import { createUser } from "../../src/domain/users";
import { userInputOf } from "../../src/scim/resource-inputs";
import { userBody } from "../helpers/server";
import { actorOf, ENTERPRISE, newOrg, tempStores, verifyDomain, type TempStores } from "./seed";
import { runCli } from "./run-cli";

let t: TempStores;
let store: Store;
let org: Organization;
beforeEach(async () => {
  t = tempStores();
  store = t.open("a.db");
  org = await newOrg(store, "Acme");
  await verifyDomain(store, org.id, "acme.test");
});
afterEach(() => t.close());

const run = async (text: string, dryRun = false) => {
  const { paths, rows } = readCsv(text);
  return importCsvRows({ store, clock: systemClock }, org, paths, rows, { dryRun });
};
const user = (userName: string) => store.users.findByUserName(org.id, userName);

describe("headers", () => {
  it("maps the documented short headers and SCIM paths to attributes", () => {
    expect(columnPaths(["userName", "GivenName", "familyName", "email", "externalId", "active", "orgRole", "name.middleName", 'emails[type eq "home"].value', `${ENTERPRISE}:department`])).toEqual([
      "userName", "name.givenName", "name.familyName", 'emails[type eq "work"].value', "externalId", "active",
      "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User:orgRole", "name.middleName", 'emails[type eq "home"].value', `${ENTERPRISE}:department`,
    ]);
  });

  it("refuses an unknown column, a read-only one, a missing userName or a repeated attribute, before any row", async () => {
    await expect(run("userName,shoeSize\na@acme.test,42")).rejects.toThrow(/Column 2 'shoeSize'/);
    await expect(run("userName,id\na@acme.test,x")).rejects.toThrow(/Column 2 'id'/);
    await expect(run("givenName\nAda")).rejects.toThrow(/needs a userName column/);
    await expect(run("userName,givenName,name.givenName\na@acme.test,A,B")).rejects.toThrow(/same attribute/);
    expect((await store.users.list(org.id, { startIndex: 1, count: 10 })).total).toBe(0);
  });
});

describe("rows", () => {
  it("create users through the SCIM rules, with every mapped attribute", async () => {
    const results = await run([
      `userName,givenName,familyName,email,externalId,active,orgRole,name.middleName,emails[type eq "home"].value,${ENTERPRISE}:department`,
      "ada@acme.test,Ada,Lovelace,ada@acme.test,okta-1,true,administrator,King,ada@home.test,R&D",
      'bob@acme.test,Bob,"Smith, Jr.",bob@acme.test,,false,,,,',
    ].join("\n"));
    expect(results.map((r) => [r.line, r.outcome])).toEqual([[2, "create"], [3, "create"]]);
    const ada = await user("ada@acme.test");
    expect(ada).toMatchObject({ externalId: "okta-1", active: true, orgRole: "administrator", status: "managed" });
    expect(ada!.data).toMatchObject({ name: { givenName: "Ada", familyName: "Lovelace", middleName: "King" }, [ENTERPRISE]: { department: "R&D" } });
    expect(ada!.emails).toEqual([{ type: "work", value: "ada@acme.test", primary: true }, { type: "home", value: "ada@home.test" }]);
    expect(await user("bob@acme.test")).toMatchObject({ active: false, data: { name: { familyName: "Smith, Jr." } } });
    const events = await store.audit.list(org.id, { limit: 10, action: "user.create" });
    expect(events.map((e) => e.actor)).toEqual(["operator:cli import-csv", "operator:cli import-csv"]);
  });

  it("update the user of a userName (without case), leave empty cells alone, and find an unchanged row unchanged", async () => {
    await createUser({ store, clock: systemClock }, actorOf(org), userInputOf(userBody("cy@acme.test", { name: { givenName: "Cy", familyName: "Old" }, title: "Engineer" }), "compatible"));
    const csv = "userName,familyName,title\nCY@acme.test,New,\n";
    // The row's spelling of the userName is kept.
    expect((await run(csv)).map((r) => [r.outcome, r.detail])).toEqual([["update", "userName, name"]]);
    const cy = await user("cy@acme.test");
    expect(cy!.data).toMatchObject({ userName: "CY@acme.test", name: { givenName: "Cy", familyName: "New" }, title: "Engineer" });
    expect(cy!.version).toBe(2);
    expect((await run(csv)).map((r) => r.outcome)).toEqual(["unchanged"]);
  });

  it("report each failing row with its line number and reason, change nothing of it, and apply the others", async () => {
    const results = await run([
      "userName,email,active,orgRole",
      "ok1@acme.test,ok1@acme.test,true,",
      "bad-active@acme.test,bad-active@acme.test,maybe,",
      "",
      "out@elsewhere.test,out@elsewhere.test,,",
      "ok1@acme.test,ok1@acme.test,,",
      "owner@acme.test,owner@acme.test,,owner",
      "short@acme.test,short@acme.test",
      ",nobody@acme.test,,",
      '"multi',
      'line",not-an-email,,',
      "ok2@acme.test,ok2@acme.test,,standard",
    ].join("\n"));
    expect(results.map((r) => [r.line, r.outcome, r.detail.match(/\[(\d+)\]$/)?.[1]])).toEqual([
      [2, "create", undefined],
      [3, "failed", "1004"],
      [5, "failed", "4006"],
      [6, "failed", "1004"],
      [7, "failed", "4009"],
      [8, "failed", "1004"],
      [9, "failed", "4004"],
      [10, "failed", "1020"], // a LINE FEED in the userName (src/domain/text.ts), before its domain is looked at
      [12, "create", undefined],
    ]);
    expect(results[2]!.detail).toContain("elsewhere.test");
    expect(results[3]!.detail).toContain("line 2 already");
    const names = (await store.users.list(org.id, { startIndex: 1, count: 10 })).items.map((u) => u.userName);
    expect(names).toEqual(["ok1@acme.test", "ok2@acme.test"]);
  });
});

describe("dry run", () => {
  it("reports create, update (with what), unchanged and refused a row, and changes nothing", async () => {
    await createUser({ store, clock: systemClock }, actorOf(org), userInputOf(userBody("dee@acme.test", { name: { givenName: "Dee", familyName: "D" } }), "compatible"));
    await createUser({ store, clock: systemClock }, actorOf(org), userInputOf(userBody("eli@acme.test", { name: { givenName: "Eli", familyName: "E" } }), "compatible"));
    const before = await store.audit.list(org.id, { limit: 100 });
    const results = await run("userName,givenName,familyName\nnew@acme.test,New,N\ndee@acme.test,Dee,Doe\neli@acme.test,Eli,E\nbad@nowhere.test,B,B\n", true);
    expect(results.map((r) => [r.line, r.userName, r.outcome, r.outcome === "failed" ? "" : r.detail])).toEqual([
      [2, "new@acme.test", "create", "userName, name"],
      [3, "dee@acme.test", "update", "name"],
      [4, "eli@acme.test", "unchanged", ""],
      [5, "bad@nowhere.test", "failed", ""],
    ]);
    // The real run refuses an unverified domain: so does the dry run (it said "would create" before).
    expect(results[3]!.detail).toContain("nowhere.test");
    expect(await user("new@acme.test")).toBeNull();
    expect((await user("dee@acme.test"))!.data).toMatchObject({ name: { familyName: "D" } });
    expect(await store.audit.list(org.id, { limit: 100 })).toEqual(before);
  });

  it("is the real run rolled back: for rows the real run refuses or accepts, the real run then does exactly what the dry run said", async () => {
    await createUser({ store, clock: systemClock }, actorOf(org), userInputOf(userBody("dee@acme.test", { name: { givenName: "Dee", familyName: "D" } }), "compatible"));
    const csv = [
      "userName,givenName,familyName,orgRole,active,manager",
      "new@acme.test,New,N,,,", // created
      "dee@acme.test,Dee,Doe,,,", // updated
      "own@acme.test,O,O,owner,,", // nobody is made Owner by a file
      "bad@nowhere.test,B,B,,,", // a domain the organization has not verified
      "act@acme.test,A,A,,perhaps,", // not a boolean
      "NEW@acme.test,N,N,,,", // the same user twice (without case)
      "adm@acme.test,A,A,administrator,,", // an org role the operator may grant
      `man@acme.test,M,M,,,US${"0".repeat(32)}`, // a manager the organization does not have
    ].join("\n");
    const shape = (rs: Awaited<ReturnType<typeof run>>) => rs.map((r) => [r.line, r.userName, r.outcome, r.detail]);
    const dry = shape(await run(csv, true));
    expect(dry.map((r) => r[2])).toEqual(["create", "update", "failed", "failed", "failed", "failed", "create", expect.any(String)]);
    const real = shape(await run(csv, false));
    expect(real).toEqual(dry);
  });

  it("through the command: --dry-run prints a line a row and a summary, and answers 0", async () => {
    const file = t.path("users.csv");
    writeFileSync(file, "userName,givenName,familyName,email\nfay@acme.test,Fay,F,fay@acme.test\n");
    process.env.DATABASE_URL = `sqlite:${t.path("a.db")}`;
    try {
      const dry = await runCli(["import-csv", "--org", org.id, file, "--dry-run"], { tty: true });
      expect(dry.result).toBe(0);
      expect(dry.out).toContain("line 2: would create fay@acme.test (userName, name, emails)");
      expect(dry.out).toContain("1 rows (dry run: nothing was changed): 1 would create, 0 would revive, 0 would update, 0 unchanged, 0 failed.");
      expect(await user("fay@acme.test")).toBeNull();
      const real = await runCli(["import-csv", "--org", org.id, file], { tty: true });
      expect(real.result).toBe(0);
      expect(real.out).toContain("line 2: created fay@acme.test");
      expect(await user("fay@acme.test")).not.toBeNull();
      writeFileSync(file, "userName,active\nfay@acme.test,perhaps\n");
      const failing = await runCli(["import-csv", "--org", org.id, file], { tty: true });
      expect(failing.result).toBe(1);
      expect(failing.err).toContain("line 2: error fay@acme.test");
      expect(failing.err).toContain("'perhaps'"); // the value that was wrong, not only its type
      const quiet = await runCli(["import-csv", "--org", org.id, file, "--quiet"], { tty: true });
      expect([quiet.result, quiet.out]).toEqual([1, ""]);
      expect(quiet.err).toContain("line 2: error fay@acme.test");
      const json = await runCli(["import-csv", "--org", org.id, file, "--dry-run"]);
      expect(JSON.parse(json.out)).toMatchObject({ dry_run: true, counts: { failed: 1 }, rows: [{ line: 2, user_name: "fay@acme.test", outcome: "failed" }] });
    } finally {
      delete process.env.DATABASE_URL;
    }
  });
});
