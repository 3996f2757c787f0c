/**
 * docs/conformance.md cannot go stale: every row's verdict is met, deviation or not met; every
 * test it names exists under that title in that file; every deviation and every `not met` has its
 * reason on the page; every quirk of src/scim/quirks.ts (QUIRKS) has its row.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { QUIRKS } from "../../src/scim/quirks";

const ROOT = resolve(__dirname, "..", "..");
const PAGE = readFileSync(join(ROOT, "docs", "conformance.md"), "utf8");

interface Row { line: number; cells: string[] }

/** The rows of every table with a `verdict` column: source, requirement, verdict, test. */
const ROWS: Row[] = PAGE.split("\n").flatMap((text, i) => {
  if (!text.startsWith("| ") || text.startsWith("|---") || /\| verdict \|/.test(text)) return [];
  return [{ line: i + 1, cells: text.slice(1, -1).split(" | ").map((c) => c.trim()) }];
});

/** `file` then a title, separated by `;` when a row names several tests. */
function testsOf(cell: string): Array<{ file: string; title: string }> {
  if (cell === "—") return [];
  return cell.split("; ").map((part) => {
    const m = /^`([^`]+)` (.+)$/.exec(part);
    if (!m) throw new Error(`'${part}' is not \`file\` followed by a test title`);
    return { file: m[1]!, title: m[2]! };
  });
}

describe("docs/conformance.md", () => {
  it("has rows, each with four cells and a verdict of met, deviation or not met", () => {
    expect(ROWS.length).toBeGreaterThan(40);
    const bad = ROWS.filter((r) => r.cells.length !== 4 || !["met", "deviation", "not met"].includes(r.cells[2]!)).map((r) => `line ${r.line}`);
    expect(bad).toEqual([]);
  });

  it("names, for every met and deviation row, tests that exist under those titles", () => {
    const missing: string[] = [];
    for (const r of ROWS) {
      const tests = testsOf(r.cells[3]!);
      if (r.cells[2] !== "not met" && tests.length === 0) missing.push(`line ${r.line}: no test`);
      for (const t of tests) {
        const path = join(ROOT, t.file);
        if (!existsSync(path)) missing.push(`line ${r.line}: ${t.file} does not exist`);
        else if (!readFileSync(path, "utf8").includes(t.title)) missing.push(`line ${r.line}: ${t.file} has no test titled '${t.title}'`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("gives a reason after every table that has a deviation or a not met row", () => {
    const sections = PAGE.split(/\n## /);
    const unexplained = sections.filter((s) => /\| (deviation|not met) \|/.test(s) && !/\nReasons?\b[^\n]*?:/.test(s)).map((s) => s.split("\n")[0]);
    expect(unexplained).toEqual([]);
  });

  it("has a row for every quirk of src/scim/quirks.ts, named as a deviation", () => {
    const rows = new Map(ROWS.map((r) => [r.cells[0]!, r.cells[2]!]));
    expect(QUIRKS.filter((q) => rows.get(`\`${q.id}\``) !== "deviation").map((q) => q.id)).toEqual([]);
  });
});
