/**
 * The server process allocates every object young (src/v8-heap.ts): V8's allocation-site
 * pretenuring is off, so a literal whose objects all survived once (a /Bulk's thousand records) does
 * not make every later request's objects of that literal born in the old generation. Checked on
 * V8's own account of its decisions (--trace-pretenuring-statistics prints a line per site it
 * decides on), for a literal whose objects all survive: without the module V8 tenures it (from
 * about 300,000 objects on Node 20; a million here), after it never. Counted in allocations, not time.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt } from "../helpers/built-server";

const ROOT = join(__dirname, "..", "..");

beforeAll(() => ensureBuilt(), 15 * 60_000);

/** V8's pretenuring decisions while a script keeps 1,000,000 objects of one literal, with `preload` loaded first (or nothing). */
function decisions(preload: string | null): string[] {
  const script = `
    const keep = [];
    const make = (i) => ({ i, pair: [i, i + 1] });
    for (let i = 0; i < 1000000; i++) keep.push(make(i));
    console.log("kept " + keep.length);`;
  const out = execFileSync(process.execPath, ["--trace-pretenuring-statistics", ...(preload ? ["--require", preload] : []), "-e", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  expect(out).toContain("kept 1000000");
  return out.split("\n").filter((l) => /=> tenure/.test(l));
}

describe("V8's allocation-site pretenuring in the server process", () => {
  it("tenures a literal whose objects all survive, without src/v8-heap (so the next case can fail)", () => {
    expect(decisions(null).length).toBeGreaterThan(0);
  });

  it("tenures nothing once src/v8-heap is loaded", () => {
    expect(decisions(join(ROOT, "dist", "v8-heap.js"))).toEqual([]);
  });

  it("is loaded by the entry point before anything else", () => {
    const first = /^import\s+[^;]*?["']([^"']+)["']/m.exec(readFileSync(join(ROOT, "src", "main.ts"), "utf8"));
    expect(first?.[1]).toBe("./v8-heap");
  });
});
