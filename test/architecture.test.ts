/** Dependencies point one way: http → scim → domain ← store. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(__dirname, "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const importsOf = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g)]
    .map((m) => (m[1] ?? m[2] ?? m[3]) as string);

const layerOf = (file: string): string => relative(SRC, file).split(/[\\/]/)[0] as string;

/** The src file a relative import names (`./x` is x.ts or x/index.ts); null for a package. */
function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Every loop of imports (type-only imports count: they tie the files' meanings together too), as "a -> b -> a". */
function importCycles(all: string[]): string[] {
  const edges = new Map(all.map((f) => [f, importsOf(f).map((i) => resolveImport(f, i)).filter((t): t is string => t !== null)]));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      if (state.get(t) === "open") cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(" -> "));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of all) if (!state.has(f)) visit(f);
  return cycles;
}

describe("architecture", () => {
  const all = files(SRC);

  it("keeps the domain free of express, scimmy, mongoose, better-sqlite3, passport and zod-free of protocols", () => {
    const forbidden = /^(express|scimmy|mongoose|mongodb|better-sqlite3|passport|passport-http-bearer|pino)(\/|$)/;
    const offenders = all.filter((f) => layerOf(f) === "domain").flatMap((f) =>
      importsOf(f).filter((i) => forbidden.test(i)).map((i) => `${relative(SRC, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it("lets the domain import nothing from http, scim or store", () => {
    const offenders = all.filter((f) => layerOf(f) === "domain").flatMap((f) =>
      importsOf(f).filter((i) => /\.\.\/(http|scim|store)\//.test(i) || /^\.\.\/\.\.\/(http|scim|store)/.test(i)).map((i) => `${relative(SRC, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it("lets the store import only the domain, never http or scim", () => {
    const offenders = all.filter((f) => layerOf(f) === "store").flatMap((f) =>
      importsOf(f).filter((i) => /(^|\/)(http|scim)\//.test(i) || i === "express" || i === "scimmy").map((i) => `${relative(SRC, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it("lets the scim layer import no http code, express or store adapter", () => {
    const offenders = all.filter((f) => layerOf(f) === "scim").flatMap((f) =>
      importsOf(f).filter((i) => /(^|\/)(http|store)\//.test(i) || i === "express" || /^(mongoose|better-sqlite3)$/.test(i)).map((i) => `${relative(SRC, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it("keeps prom-client and OpenTelemetry in src/observability: the domain, scim and store know neither", () => {
    const offenders = all.filter((f) => layerOf(f) !== "observability").flatMap((f) =>
      importsOf(f).filter((i) => /^(prom-client|@opentelemetry\/)/.test(i)).map((i) => `${relative(SRC, f)} imports ${i}`));
    expect(offenders).toEqual([]);
    expect(all.filter((f) => layerOf(f) === "observability").flatMap(importsOf)).toEqual(expect.arrayContaining(["prom-client", "@opentelemetry/api"]));
  });

  it("lets http import no store adapter: it reaches the store through the domain's port", () => {
    const offenders = all.filter((f) => layerOf(f) === "http").flatMap((f) =>
      importsOf(f).filter((i) => {
        const target = resolveImport(f, i);
        return (target !== null && layerOf(target) === "store") || /^(mongoose|mongodb|better-sqlite3)$/.test(i);
      }).map((i) => `${relative(SRC, f)} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it("has no loop in the import graph", () => {
    expect(importCycles(all)).toEqual([]);
  });

  it("would see a loop of imports (the check itself)", () => {
    const dir = mkdtempSync(join(tmpdir(), "orgscim-arch-"));
    try {
      writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b";\nexport type A = B;\n');
      writeFileSync(join(dir, "b.ts"), 'import { a } from "./c/index";\nexport type B = number;\n');
      mkdirSync(join(dir, "c"));
      writeFileSync(join(dir, "c", "index.ts"), 'export { A } from "../a";\n');
      expect(importCycles(files(dir)).map((c) => c.split(" -> ").length)).toEqual([4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps every src file under 400 lines but the ones named here, each with why (the list must stay true)", () => {
    const named: Record<string, string> = {
      "admin/api-types.ts": "generated from the /v1 OpenAPI document by npm run build (openapi-typescript); read, never edited",
    };
    const over = all.filter((f) => readFileSync(f, "utf8").split("\n").length > 400).map((f) => relative(SRC, f)).sort();
    expect(over).toEqual(Object.keys(named).sort());
  });

  it("runs nothing in src the compiler has not checked: every .js file is under // @ts-check, and no code is eval'd", () => {
    const everything = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? (relative(SRC, p) === "admin" ? [] : everything(p)) : [p]; // src/admin: its own tsconfig (strict, browser)
    });
    const js = everything(SRC).filter((f) => /\.[cm]?js$/.test(f));
    expect(js.filter((f) => !readFileSync(f, "utf8").startsWith("// @ts-check\n")).map((f) => relative(SRC, f))).toEqual([]);
    const evaluated = [...all, ...js].filter((f) => /eval:\s*true|\bnew Function\(|(?<![.\w-])eval\(/.test(readFileSync(f, "utf8"))).map((f) => relative(SRC, f));
    expect(evaluated).toEqual([]);
    expect(js.map((f) => relative(SRC, f))).toContain(join("store", "sqlite", "checkpoint-worker.js")); // the check sees the worker
  });

  it("finds the files it checks (so it cannot pass on an empty tree)", () => {
    expect(all.filter((f) => layerOf(f) === "domain").length).toBeGreaterThan(5);
    expect(all.filter((f) => layerOf(f) === "store").length).toBeGreaterThan(5);
  });
});
