/**
 * The background-task timer shared by the outbox worker, the domain re-check and the SCIM event
 * pusher (src/infra/repeating.ts), with real timers: runs never overlap (beyond `concurrency`),
 * each waits its interval after the previous one ended, kick() runs at once and kicks during runs
 * become one more run, stop() waits for the runs in progress and tells them to stop, nothing runs
 * after stop(), and the timer never keeps the process alive.
 */
import { repeat } from "../../src/infra/repeating";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refTimers = () => process.getActiveResourcesInfo().filter((x) => x === "Timeout").length;

describe("a repeating background task", () => {
  it("runs first after firstMs, then everyMs after each run has ended: never two runs at once", async () => {
    const runs: { start: number; end: number }[] = [];
    let inside = 0;
    let most = 0;
    const started = performance.now();
    const task = repeat(async () => {
      inside++;
      most = Math.max(most, inside);
      const start = performance.now();
      await sleep(25);
      runs.push({ start, end: performance.now() });
      inside--;
    }, { firstMs: 40, everyMs: 15 });
    while (runs.length < 4) await sleep(10);
    await task.stop();
    expect(most).toBe(1);
    expect(runs[0]!.start - started).toBeGreaterThanOrEqual(39); // timers may fire a millisecond early by rounding
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.start - runs[i - 1]!.end).toBeGreaterThanOrEqual(14);
  });

  it("stop() tells the run in progress to stop between its items, waits for it, and starts no other run", async () => {
    let runsStarted = 0;
    let itemsDone = 0;
    let sawStop = false;
    let ended = false;
    const task = repeat(async (stopped) => {
      runsStarted++;
      for (let i = 0; i < 1_000; i++) {
        if (stopped()) { sawStop = true; break; }
        await sleep(5);
        itemsDone++;
      }
      ended = true;
    }, { firstMs: 0, everyMs: 0 });
    while (itemsDone < 3) await sleep(5);
    await task.stop();
    expect([ended, sawStop]).toEqual([true, true]);
    expect(itemsDone).toBeLessThan(1_000);
    await sleep(50);
    expect(runsStarted).toBe(1);
  });

  it("never runs when stopped before its first run", async () => {
    let ran = false;
    const task = repeat(async () => void (ran = true), { firstMs: 20, everyMs: 20 });
    await task.stop();
    await sleep(60);
    expect(ran).toBe(false);
  });

  it("does not keep the process alive while it waits (its timer is unref'd)", async () => {
    const before = refTimers();
    const task = repeat(async () => undefined, { firstMs: 60_000, everyMs: 60_000 });
    const during = refTimers();
    await task.stop();
    expect(during).toBe(before);
  });

  it("kick() runs at once instead of waiting for the timer, and the timer starts again after that run", async () => {
    const starts: number[] = [];
    const task = repeat(async () => void starts.push(performance.now()), { firstMs: 60_000, everyMs: 30 });
    const kicked = performance.now();
    task.kick();
    expect(starts).toHaveLength(1); // started in kick() itself
    while (starts.length < 3) await sleep(10);
    await task.stop();
    // "At once" is the length check above (the run started inside kick()), not a wall-clock bound:
    // a loaded machine may deschedule this process between any two lines (this was < 5 ms).
    expect(starts[0]!).toBeGreaterThanOrEqual(kicked);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(29);
  });

  it("runs at most `concurrency` at once; kicks while they run become ONE more run when one ends", async () => {
    let inside = 0;
    let most = 0;
    let started = 0;
    const release: (() => void)[] = [];
    const task = repeat(async () => {
      started++;
      inside++;
      most = Math.max(most, inside);
      await new Promise<void>((r) => release.push(r));
      inside--;
    }, { firstMs: 60_000, everyMs: 60_000, concurrency: 2 });
    for (let i = 0; i < 5; i++) task.kick();
    expect([started, inside]).toEqual([2, 2]);
    release.shift()!();
    while (started < 3) await sleep(5);
    expect(most).toBe(2);
    while (release.length) {
      release.shift()!();
      await sleep(10);
    }
    expect(started).toBe(3); // five kicks: two ran, the other three became one run
    await task.stop();
  });

  it("does nothing on kick() after stop()", async () => {
    let ran = 0;
    const task = repeat(async () => void ran++, { firstMs: 60_000, everyMs: 60_000 });
    await task.stop();
    task.kick();
    await sleep(20);
    expect(ran).toBe(0);
  });
});
