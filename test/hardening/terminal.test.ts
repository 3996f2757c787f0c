/**
 * What the CLI prints from data cannot drive the operator's terminal (src/cli/terminal.ts): escape
 * sequences, C1 controls, bidirectional and zero-width characters are shown as \u{XXXX}.
 */
import { writeFileSync } from "node:fs";
import { cli } from "../../src/cli/main";
import { forTerminal, jsonForTerminal, lineForTerminal } from "../../src/cli/terminal";
import { createOrganization } from "../../src/domain/orgs";
import { systemClock } from "../../src/domain/clock";
import { captured, newOrg, tempStores, type TempStores } from "../cli/seed";

/** Anything a terminal obeys or hides: must never reach the screen raw. */
const OBEYED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

const HOSTILE = [
  "\u001b]0;owned\u0007", // set the window title
  "\u001b[2J\u001b[H", // clear the screen
  "\u009b31m", // C1 CSI: red, in one character
  "invoice\u202egpj.exe", // reads as invoiceexe.jpg
  "adm\u200bin@a-corp.com",
  "line\u2028break",
  "\u001bP+q\u001b\\", // a device control string
];

describe("the helpers", () => {
  it.each(HOSTILE)("show %j with nothing a terminal obeys", (text) => {
    expect(forTerminal(text)).not.toMatch(OBEYED);
    expect(lineForTerminal(text)).not.toMatch(OBEYED);
    expect(forTerminal(text)).toMatch(/\\u\{[0-9A-F]+\}/);
  });

  it("leave ordinary text of any script alone, and lineForTerminal shows a newline from data", () => {
    for (const t of ["ada@acme.test", "Zoë Ångström", "李小龙", "👩‍💻"]) expect(forTerminal(t.replace("\u200d", ""))).toBe(t.replace("\u200d", ""));
    expect(forTerminal("a\nb")).toBe("a\nb");
    expect(lineForTerminal("a\nline 3: created admin")).toBe("a\\u{A}line 3: created admin");
  });

  it("jsonForTerminal is JSON that reads back to the same value", () => {
    const value = { name: HOSTILE.join(" | "), nested: [{ emoji: "\u{1f469}\u200d\u{1f4bb}", tag: "\u{e0041}" }] };
    const text = jsonForTerminal(value);
    expect(text).not.toMatch(OBEYED);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("the commands", () => {
  let t: TempStores;
  beforeEach(() => {
    t = tempStores();
    process.env.DATABASE_URL = `sqlite:${t.path("a.db")}`;
  });
  afterEach(async () => {
    delete process.env.DATABASE_URL;
    await t.close();
  });

  it("import-csv prints a hostile userName of a refused row escaped", async () => {
    const store = t.open("a.db");
    const org = await newOrg(store, "Acme");
    const file = t.path("users.csv");
    writeFileSync(file, `userName,givenName\n"${HOSTILE[0]}x@acme.test",Ada\n"ok@acme.test","${HOSTILE[1]}"\n`);
    const run = await captured(() => cli(["import-csv", "--org", org.id, file]));
    expect(run.result).toBe(1);
    expect(run.out + run.err).not.toMatch(OBEYED);
    expect(run.err).toContain("line 2: error \\u{1B}]0;owned\\u{7}x@acme.test (userName holds U+001B (ESCAPE) at character 1");
    expect(run.err).toContain("line 3: error ok@acme.test (name.givenName holds U+001B (ESCAPE)");
  });

  it("orgs list prints an organization's hostile name escaped, as JSON that still parses", async () => {
    const store = t.open("a.db");
    await createOrganization(store, systemClock, { name: `Acme ${HOSTILE.join(" ")}`, settings: {} });
    await store.close();
    const run = await captured(() => cli(["orgs", "list"]));
    expect(run.out).not.toMatch(OBEYED);
    expect((JSON.parse(run.out) as Array<{ friendly_name: string }>)[0]!.friendly_name).toBe(`Acme ${HOSTILE.join(" ")}`);
  });

  it("orgs list on a terminal prints its table with the hostile name escaped, a newline from data included", async () => {
    const store = t.open("a.db");
    await createOrganization(store, systemClock, { name: `two\nlines ${HOSTILE.join(" ")}`, settings: {} });
    await store.close();
    let out = "";
    let err = "";
    const io = { stdout: { isTTY: true, columns: 400, write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: process.env };
    expect(await cli(["orgs", "list"], io)).toBe(0);
    expect(out + err).not.toMatch(OBEYED);
    expect(out).toContain("two\\u{A}lines \\u{1B}]0;owned\\u{7}");
    expect(out.trimEnd().split("\n")).toHaveLength(2); // the header and one row: no line forged
  });
});
