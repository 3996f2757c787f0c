/**
 * The GroupMember resource's names live in one constant (src/domain/resource-names.ts): an
 * editor's copy of draft-zollner-scim-group-members renames the resource GroupMembership, and a
 * rename must be one edit. Fails on a string literal anywhere else in src that spells the name,
 * the endpoint or the schema URN (comments may name the draft's resource).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { GROUP_MEMBER } from "../../src/domain/resource-names";

const SRC = join(__dirname, "..", "..", "src");
const HOME = join(SRC, "domain", "resource-names.ts");
/** A migration's name is history, recorded in every store it ran on: never edited, so not renamed either. */
const HISTORY = /^\s*name: "[^"]*",$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|html)$/.test(n) ? [p] : [];
  });
}

/** The source without its comments (// to the end of the line, and block comments). */
const code = (text: string, migrations = false): string => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1")
  .split("\n").filter((line) => !(migrations && HISTORY.test(line))).join("\n");

/** String literals (quoted or template) that hold the name, the endpoint or the URN. */
const LITERAL = /(["'`])[^"'`\n]*(GroupMembers?\b|core:2\.0:GroupMember)[^"'`\n]*\1/g;

describe("the GroupMember resource's names", () => {
  it("are spelled only in src/domain/resource-names.ts", () => {
    const found = files(SRC).filter((f) => f !== HOME).flatMap((f) => [...code(readFileSync(f, "utf8"), /(schema|migration)-steps\.ts$/.test(f)).matchAll(LITERAL)].map((m) => `${relative(SRC, f)}: ${m[0]}`));
    expect(found).toEqual([]);
  });

  it("would catch a copy (a check that can fail)", () => {
    expect([...code(`const a = "/GroupMembers"; // "GroupMember" in a comment\nconst b = \`x\${y}GroupMember\`;`).matchAll(LITERAL)].map((m) => m[0]))
      .toEqual(['"/GroupMembers"', "`x${y}GroupMember`"]);
  });

  it("name the resource, its endpoint and its schema consistently", () => {
    expect(GROUP_MEMBER.endpoint).toBe(`/${GROUP_MEMBER.name}s`);
    expect(GROUP_MEMBER.schema).toBe(`urn:ietf:params:scim:schemas:core:2.0:${GROUP_MEMBER.name}`);
  });
});
