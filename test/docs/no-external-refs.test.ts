/**
 * The repository explains itself: a clone has nothing beside it. No file in src, test, scripts,
 * bench, docs or the README points outside the repository; every page it cites (`docs/model.md`,
 * `docs/security.md#case-12`) exists with its anchor; every link in docs/ and the README resolves;
 * docs/README.md indexes every page of docs/. `.ci/` is not checked: its conformance runner
 * locates the suites CI keeps beside the checkout (docs/README.md).
 */
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const SKIP_DIRS = new Set(["node_modules", "dist", "dist-bench", ".git", ".bench", "coverage"]);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return SKIP_DIRS.has(f) ? [] : walk(p);
    return [p];
  });
}

const FILES = [...["src", "test", "scripts", "bench", "docs"].flatMap((d) => walk(join(ROOT, d))), join(ROOT, "README.md")]
  .map((p) => ({ path: p, rel: relative(ROOT, p).split("\\").join("/"), text: readFileSync(p, "utf8") }))
  .filter((f) => !f.text.includes("\u0000"));

/** Patterns built from pieces, so this file does not match itself. */
const OUTSIDE: Array<[RegExp, string]> = [
  [new RegExp(["\\.\\.", "shared"].join("/")), "a path into the notes beside the checkout"],
  [new RegExp(["", "work", ""].join("/")), "an absolute path of a developer's machine"],
  [new RegExp(["managed-users", "txt"].join("\\.")), "the seed document, which is not in the repository (docs/model.md)"],
];

/** GitHub's heading anchors: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
const slug = (heading: string): string =>
  heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");

const anchorCache = new Map<string, Set<string>>();
function anchorsOf(file: string): Set<string> {
  let set = anchorCache.get(file);
  if (set === undefined) {
    const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
    set = new Set<string>();
    for (const m of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) set.add(m[1]!);
    const seen = new Map<string, number>();
    for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
      const base = slug(m[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      set.add(n === 0 ? base : `${base}-${n}`);
    }
    anchorCache.set(file, set);
  }
  return set;
}

/** `target` (a path, maybe with #anchor) as named from `from`: answers what is wrong, or undefined. */
function check(target: string, fromDir: string): string | undefined {
  const [path, anchor] = target.split("#", 2) as [string, string | undefined];
  const candidates = path === "" ? [] : [resolve(fromDir, path), resolve(ROOT, path)];
  const file = path === "" ? undefined : candidates.find((c) => existsSync(c));
  if (path !== "" && file === undefined) return "does not exist in the repository";
  if (anchor === undefined || anchor === "") return undefined;
  const doc = file ?? "";
  if (!doc.endsWith(".md")) return undefined;
  return anchorsOf(doc).has(anchor) ? undefined : `has no anchor #${anchor}`;
}

describe("references stay inside the repository", () => {
  it("finds the files it checks (so it cannot pass on an empty tree)", () => {
    expect(FILES.filter((f) => f.rel.startsWith("src/")).length).toBeGreaterThan(50);
    expect(FILES.filter((f) => f.rel.startsWith("docs/") && f.rel.endsWith(".md")).length).toBeGreaterThanOrEqual(7);
  });

  it("has no path outside the repository in src, test, scripts, bench, docs or the README", () => {
    const found = FILES.flatMap((f) =>
      f.text.split("\n").flatMap((line, i) =>
        OUTSIDE.filter(([re]) => re.test(line)).map(([, why]) => `${f.rel}:${i + 1}: ${why}: ${line.trim().slice(0, 120)}`)));
    expect(found).toEqual([]);
  });

  it("cites pages by their path in the repository (docs/security.md), and only pages and anchors that exist", () => {
    const broken: string[] = [];
    for (const f of FILES) {
      const fromDir = dirname(f.path);
      f.text.split("\n").forEach((line, i) => {
        // Links of docs/ and the README are checked by the next test; a quoted name in code is a
        // file the code reads or writes, not a citation; generated output (.bench/) is not in the tree.
        const plain = f.rel.endsWith(".md") ? line.replace(/\]\([^)]*\)/g, "]") : line;
        for (const m of plain.matchAll(/(?<![\w/.*"'!-])((?:[\w-]+\/)*[\w-]+(?:\.[\w-]+)*\.md)(#[\w-]+)?/g)) {
          if (/^\.?bench\/|^(DIR\/)?(results|scaling|storage|fairness|profiles\/README)\.md$/.test(m[1]!) && f.rel.startsWith("bench/")) continue;
          const what = check(`${m[1]!}${m[2] ?? ""}`, fromDir);
          if (what !== undefined) broken.push(`${f.rel}:${i + 1}: ${m[0]} ${what}`);
        }
      });
    }
    expect(broken).toEqual([]);
  });

  it("indexes every page of docs/ in docs/README.md", () => {
    const index = readFileSync(join(ROOT, "docs", "README.md"), "utf8");
    const pages = readdirSync(join(ROOT, "docs")).filter((p) => p.endsWith(".md") && p !== "README.md");
    expect(pages.filter((p) => !index.includes(`](${p})`)).map((p) => `docs/README.md has no link to ${p}: add a row for it`)).toEqual([]);
  });

  it("resolves every link of docs/ and the README, anchors included", () => {
    const broken: string[] = [];
    for (const f of FILES.filter((x) => x.rel.endsWith(".md") && (x.rel.startsWith("docs/") || x.rel === "README.md"))) {
      const text = f.text.replace(/```[\s\S]*?```/g, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const what = target.startsWith("#") ? check(`${relative(dirname(f.path), f.path)}${target}`, dirname(f.path)) : check(target, dirname(f.path));
        if (what !== undefined) broken.push(`${f.rel}: (${target}) ${what}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("catches what it is meant to catch", () => {
    expect(check("security.md", join(ROOT, "src", "http"))).toBe("does not exist in the repository");
    expect(check("docs/security.md#case-12", join(ROOT, "src", "http"))).toBeUndefined();
    expect(check("docs/security.md#case-999", join(ROOT, "src", "http"))).toBe("has no anchor #case-999");
    expect(check("model.md#verified-domains", join(ROOT, "docs"))).toBeUndefined();
    expect(OUTSIDE.some(([re]) => re.test(`see ${[".."].join("")}/shared/notes/stack.md`))).toBe(true);
  });
});
