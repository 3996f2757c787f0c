/**
 * The writer's mutex (src/store/sqlite/mutex.ts): one holder at a time, callers served in the order
 * they came, the mutex passed on whether the holder's work succeeds, fails or throws before it
 * awaits anything, and a free mutex runs the work at once (before run() returns).
 */
import { Mutex } from "../../src/store/sqlite/mutex";

/** A promise with its resolve and reject. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe("the writer's mutex", () => {
  it("runs the work of a free mutex at once, and answers what it answers", async () => {
    const mutex = new Mutex();
    let started = false;
    const done = mutex.run(async () => { started = true; return 42; });
    expect(started).toBe(true);
    await expect(done).resolves.toBe(42);
  });

  it("runs one work at a time, in the order the callers came, and a caller arriving while the mutex is handed on queues behind", async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    let holders = 0;
    let most = 0;
    const gates = [deferred(), deferred(), deferred()];
    const work = (name: string, gate: Promise<void>) => async () => {
      holders++;
      most = Math.max(most, holders);
      order.push(`${name} start`);
      await gate;
      order.push(`${name} end`);
      holders--;
      return name;
    };
    const a = mutex.run(work("a", gates[0]!.promise));
    const b = mutex.run(work("b", gates[1]!.promise));
    gates[0]!.resolve();
    const c = mutex.run(work("c", gates[2]!.promise)); // a has not finished its turn yet: c waits behind b
    gates[1]!.resolve();
    gates[2]!.resolve();
    await expect(Promise.all([a, b, c])).resolves.toEqual(["a", "b", "c"]);
    expect(order).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
    expect(most).toBe(1);
  });

  it("passes the mutex on when the work rejects, or throws before it returns a promise, and answers that error", async () => {
    const mutex = new Mutex();
    const failing = mutex.run(async () => { throw new Error("rejected"); });
    const throwing = mutex.run((() => { throw new Error("thrown"); }) as () => Promise<never>);
    const after = mutex.run(async () => "after");
    await expect(failing).rejects.toThrow("rejected");
    await expect(throwing).rejects.toThrow("thrown");
    await expect(after).resolves.toBe("after");
    // Free again: the next work runs at once.
    let started = false;
    const next = mutex.run(async () => { started = true; });
    expect(started).toBe(true);
    await next;
  });

  it("a free mutex that throws at once still answers with a rejected promise and is free after", async () => {
    const mutex = new Mutex();
    const thrown = mutex.run((() => { throw new Error("at once"); }) as () => Promise<never>);
    await expect(thrown).rejects.toThrow("at once");
    await expect(mutex.run(async () => 1)).resolves.toBe(1);
  });
});
