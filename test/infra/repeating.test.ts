/**
 * The background-task timer shared by the outbox worker and the domain re-check
 * (src/infra/repeating.ts), with real timers: runs never overlap, each waits its interval after the
 * previous one ended, stop() waits for the run in progress and tells it to stop, nothing runs after
 * stop(), and the timer never keeps the process alive.
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
});
