/** The README is part of the product: its configuration table and commands stay true. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_HELP } from "../../src/config/config";

const README = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("README", () => {
  it("lists every configuration variable the server reads", () => {
    const missing = CONFIG_HELP.map(([name]) => name).filter((name) => !README.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it("describes each configuration variable as --help does", () => {
    const stale = CONFIG_HELP.filter(([name, help]) => !README.includes(`| \`${name}\` | ${help.replace(/\|/g, "\\|")} |`)).map(([name]) => name);
    expect(stale).toEqual([]);
  });

  it("names only npm scripts that exist", () => {
    const named = [...README.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!);
    expect(named.filter((s) => !(s in pkg.scripts))).toEqual([]);
  });

  it("starts with the two commands of the quick start", () => {
    expect(README).toMatch(/npm install && npm start/);
    expect(README).toMatch(/npm test/);
  });
});
