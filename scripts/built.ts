/**
 * Where the scripts find the repository and the built server. Sources (scripts/) and their build
 * (dist-scripts/, `npm run build`) both sit at the repository's root, so ROOT is one folder up
 * from either.
 *
 * The server's build (dist/) is JavaScript loaded at run time: what a script takes from it is
 * checked here, with a message saying what to do, rather than assumed.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export const ROOT = join(__dirname, "..");
export const DIST = join(ROOT, "dist");

const load = createRequire(__filename);

/** The function `name` that dist/<module>.js exports (`npm run build` makes dist/). */
export function builtFunction(module: string, name: string): (...args: unknown[]) => unknown {
  const file = join(DIST, `${module}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  const exported: unknown = load(file);
  const f: unknown = typeof exported === "object" && exported !== null ? Reflect.get(exported, name) : undefined;
  if (typeof f !== "function") throw new Error(`dist/${module}.js exports no function ${name}: it is older than this script (npm run build)`);
  return (...args) => Reflect.apply(f, undefined, args);
}

/** The same for a function that answers text (a rendered document). */
export function builtText(module: string, name: string): (...args: unknown[]) => string {
  const f = builtFunction(module, name);
  return (...args) => {
    const text = f(...args);
    if (typeof text !== "string") throw new Error(`dist/${module}.js ${name}() answered ${typeof text}, not text: it is older than this script (npm run build)`);
    return text;
  };
}
