/** Dependencies point one way: http → scim → domain ← store. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

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

  it("finds the files it checks (so it cannot pass on an empty tree)", () => {
    expect(all.filter((f) => layerOf(f) === "domain").length).toBeGreaterThan(5);
    expect(all.filter((f) => layerOf(f) === "store").length).toBeGreaterThan(5);
  });
});
