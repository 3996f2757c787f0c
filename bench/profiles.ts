/**
 * Per-scenario CPU profiles of the benchmarked server (.bench/profiles/): started and stopped
 * around a scenario's 10-connection measurement through ./profiler-hook.ts, then summed up as the
 * functions and the code (package, product folder, Node internals, native) that took the server's
 * CPU, so a regression shows where it came from. Open a .cpuprofile in Chrome DevTools or speedscope.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Frame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: Frame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export const HOOK = join(__dirname, "profiler-hook.js");

export class Profiles {
  readonly summaries: string[] = [];
  constructor(readonly dir: string, private readonly pid: () => number) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  private async command(verb: "start" | "stop", name: string, answer: string): Promise<boolean> {
    writeFileSync(join(this.dir, ".command"), `${verb} ${name}`);
    process.kill(this.pid(), "SIGUSR2");
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      if (existsSync(join(this.dir, `${name}.${answer}`))) return true;
      if (existsSync(join(this.dir, `${name}.failed`))) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  /** Runs `fn` with the server's profiler on; writes NAME.cpuprofile and NAME.txt. */
  async around<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = await this.command("start", name, "started");
    try {
      return await fn();
    } finally {
      if (started && (await this.command("stop", name, "stopped"))) {
        const text = summarize(JSON.parse(readFileSync(join(this.dir, `${name}.cpuprofile`), "utf8")) as CpuProfile, name);
        writeFileSync(join(this.dir, `${name}.txt`), text);
        this.summaries.push(text);
      }
    }
  }

  writeIndex(header: string): void {
    writeFileSync(join(this.dir, "README.md"), `${header}\n\n${this.summaries.join("\n")}`);
  }
}

/** Where a frame's code lives: a package, a product folder, Node's own JavaScript, or V8's own work. */
function area(f: Frame): string {
  const u = f.url;
  if (!u) return f.functionName.startsWith("(") ? f.functionName : "native";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (pkg) return pkg[1] as string;
  if (u.startsWith("node:")) return "node internals";
  const own = /\/dist\/([^/]+)\//.exec(u);
  return own ? `orgscim ${own[1]}/` : "other";
}

export function summarize(p: CpuProfile, name: string, top = 12): string {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  /** A native function (SQLite's step, a socket write) counts for the code that called it. */
  const owner = (n: ProfileNode): string => {
    for (let m: ProfileNode | undefined = n; m; m = parent.get(m.id)) {
      const a = area(m.callFrame);
      if (a !== "native") return a;
    }
    return "native";
  };
  /** Samples taken while the hook itself starts or stops the profiler are not the server's work. */
  const hooks = (n: ProfileNode): boolean => {
    for (let m: ProfileNode | undefined = n; m; m = parent.get(m.id)) if (m.callFrame.url.endsWith("profiler-hook.js")) return true;
    return false;
  };
  let total = 0;
  for (const n of p.nodes) {
    const t = self.get(n.id) ?? 0;
    if (!t || hooks(n)) continue;
    total += t;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + t);
    const a = owner(n);
    byArea.set(a, (byArea.get(a) ?? 0) + t);
  }
  const busy = total - (byArea.get("(idle)") ?? 0);
  const pct = (t: number) => `${((100 * t) / Math.max(busy, 1)).toFixed(1)}%`.padStart(6);
  const rows = (m: Map<string, number>, n: number) => [...m].filter(([k]) => k !== "(idle)" && !k.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `  ${pct(t)}  ${k}`);
  return [
    // Samples are of the main thread's time, not only its CPU: a call that blocks it (a COMMIT's
    // fsync inside better-sqlite3's exec) counts, which is what a request waiting behind it sees.
    `## ${name}: ${(busy / 1e6).toFixed(2)} s of the server's main thread not idle (${((100 * busy) / Math.max(total, 1)).toFixed(0)}% of the time sampled)`,
    "by code (a native function counts for its caller):", ...rows(byArea, 10),
    "by function (self time):", ...rows(byFn, top), "",
  ].join("\n");
}
