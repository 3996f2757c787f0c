/**
 * The queue depth's bound as measured (src/http/admission-bound.ts), on a clock and a loop of the
 * test's own: the requests that keep the event loop busy are an admitted write's shortest time in
 * the server over the loop's busy time per write answered (Little's law), measured each window,
 * never below OVERLOAD_QUEUE_DEPTH (the floor) and at most twice the most requests held in the
 * window; a window that measured too little, or ended long ago, leaves the floor.
 */
import { admissionBound, MIN_WRITES, WINDOW_MS } from "../../src/http/admission-bound";

function rig(floor: number) {
  let t = 0;
  let busy = 0;
  const bound = admissionBound(floor, { now: () => t, busySince: () => { const b = busy; busy = 0; return b; } });
  return {
    bound,
    /** `n` writes admitted while `held` requests are held (n by default) and answered `ms` after admission each, the loop busy `loopMs` in all meanwhile; then the window ends. */
    window(n: number, ms: number, loopMs: number, held = n): void {
      bound.current(held);
      const starts = Array.from({ length: n }, () => bound.admitted());
      t += ms;
      for (const done of starts) done();
      busy += loopMs;
      t += WINDOW_MS - ms;
    },
    idle(ms: number): void { t += ms; },
  };
}

describe("the admission bound", () => {
  it("is the floor before anything is measured", () => {
    expect(rig(12).bound.current(0)).toBe(12);
  });

  it("is 0 (no bound) when the floor is 0, whatever is measured", () => {
    const r = rig(0);
    r.window(100, 50, 10);
    expect(r.bound.current(0)).toBe(0);
  });

  it("rises to the writes that keep the loop busy while they wait for the disk: shortest time in the server over the loop's time per write", () => {
    const r = rig(12);
    // 100 writes each 20 ms in the server (an fsync's wait) while the loop was busy 50 ms for all of
    // them (0.5 ms a write): 40 in flight keep the loop busy.
    r.window(100, 20, 50);
    expect(r.bound.current(0)).toBe(40);
  });

  it("rises at most to twice the most requests held in the window: writes slow for another reason (a body sent slowly) raise it by one doubling", () => {
    const r = rig(12);
    // 16 writes each 10 s in the server (bodies trickled in) while the loop did almost nothing.
    r.window(16, 10_000, 1, 16);
    expect(r.bound.current(0)).toBe(32);
  });

  it("grows by doubling, window after window, while a slow disk keeps the loop idle", () => {
    const r = rig(12);
    r.window(100, 20, 50, 15);
    expect(r.bound.current(0)).toBe(30);
    r.window(100, 20, 50, 30);
    expect(r.bound.current(0)).toBe(40);
  });

  it("stays at the floor on a loop saturated by its writes: the shortest time in the server is no longer than their queue", () => {
    const r = rig(12);
    // The loop busy the whole window for 500 writes (0.5 ms each), the fastest 2 ms in the server.
    r.window(500, 2, WINDOW_MS);
    expect(r.bound.current(0)).toBe(12);
  });

  it("measures nothing from fewer than MIN_WRITES writes answered (requests held open finish nothing)", () => {
    const r = rig(12);
    r.window(MIN_WRITES - 1, 100, 1);
    expect(r.bound.current(0)).toBe(12);
  });

  it("falls back to the floor after a window that measured a slow disk is followed by a quiet one", () => {
    const r = rig(12);
    r.window(100, 20, 50);
    expect(r.bound.current(0)).toBe(40);
    r.window(0, 0, 0);
    expect(r.bound.current(0)).toBe(12);
  });

  it("ignores a window that ended long ago: a burst after a quiet spell meets the floor", () => {
    const r = rig(12);
    r.window(100, 20, 50);
    r.idle(10 * WINDOW_MS);
    expect(r.bound.current(0)).toBe(12);
  });

  it("keeps one measure for a whole window", () => {
    const r = rig(12);
    r.window(100, 20, 50);
    expect(r.bound.current(0)).toBe(40);
    // Writes answered meanwhile count towards the next window only.
    const done = r.bound.admitted();
    done();
    expect(r.bound.current(0)).toBe(40);
  });
});
