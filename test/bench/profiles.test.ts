/**
 * The bench's per-scenario profiles (bench/profiles.ts + bench/profiler-hook.ts): the hook, loaded
 * into a process, profiles it between a start and a stop sent over SIGUSR2, and the summary names
 * the code that took the CPU. Here the profiled process is this test's own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { Profiles } from "../../bench/profiles";

/** A process that loads the hook as the bench's server does (--require), then spins in a named function. */
const SPINNER = `
function spinForProfile() { let x = 0; const end = Date.now() + 20; while (Date.now() < end) x += Math.sqrt(x + 1); return x; }
setInterval(() => { spinForProfile(); process.stdout.write("s"); }, 25);
process.stdout.write("ready\\n");
`;

/** Resolves once `child` has written `n` more spins' marks (a window long enough whatever the machine's load). */
function spins(child: ChildProcess, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => { child.stdout!.off("data", onData); reject(new Error(`only ${seen} of ${n} spins in 60 s`)); }, 60_000);
    const onData = (d: Buffer): void => {
      seen += d.toString().split("s").length - 1;
      if (seen < n) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve();
    };
    child.stdout!.on("data", onData);
  });
}

describe("bench profiles", () => {
  const root = mkdtempSync(join(tmpdir(), "orgscim-profiles-"));
  const dir = join(root, "profiles");
  const hook = join(root, "profiler-hook.js");
  beforeAll(() => {
    const source = readFileSync(join(__dirname, "../../bench/profiler-hook.ts"), "utf8");
    writeFileSync(hook, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes a scenario's CPU profile and a summary naming the function that took the CPU", async () => {
    const profiles = new Profiles(dir, () => child.pid as number);
    const child = spawn(process.execPath, ["--require", hook, "-e", SPINNER], { env: { ...process.env, BENCH_PROFILE_DIR: dir }, stdio: ["ignore", "pipe", "inherit"] });
    try {
      await once(child.stdout, "data");
      // 30 spins of 20 ms inside the profile: at least 600 ms of spinning, however late the process
      // is scheduled on a loaded machine (a fixed 600 ms window once held too few samples there).
      await profiles.around("1000.spin", () => spins(child, 30));
    } finally {
      child.kill("SIGKILL");
    }
    expect(existsSync(join(dir, "1000.spin.cpuprofile"))).toBe(true);
    const text = readFileSync(join(dir, "1000.spin.txt"), "utf8");
    expect(text).toMatch(/^## 1000\.spin: [\d.]+ s of the server.s main thread not idle/);
    const top = text.split("by function (self time):")[1] ?? "";
    expect(top.split("\n")[1]).toMatch(/spinForProfile/);
    profiles.writeIndex("# test");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("## 1000.spin");
  });

  it("ignores a command naming no scenario (nothing written, the process keeps running)", async () => {
    const child = spawn(process.execPath, ["--require", hook, "-e", SPINNER], { env: { ...process.env, BENCH_PROFILE_DIR: dir }, stdio: ["ignore", "pipe", "inherit"] });
    try {
      await once(child.stdout, "data");
      writeFileSync(join(dir, ".command"), "start ../escape");
      process.kill(child.pid as number, "SIGUSR2");
      await new Promise((r) => setTimeout(r, 200));
      expect(child.exitCode).toBeNull();
      expect(existsSync(join(dir, "../escape.started"))).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
