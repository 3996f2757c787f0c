/**
 * The order of answers under overload (src/http/write-shedding.ts): a refusal is decided at once,
 * before its body is read, but answered after the writes admitted before it — one refusal for
 * each of their answers — so a crowd refused in one turn does not make the writes admitted in that
 * turn wait for its answers; or after REFUSAL_WAIT_MAX_MS, whatever they still wait for. While it
 * waits it holds nothing, and its client leaving cancels it. The middleware alone, with its clock
 * and timer given: no timing.
 */
import { EventEmitter } from "node:events";
import type { Request, Response } from "express";
import { DomainError } from "../../src/domain/errors";
import type { HeldBy } from "../../src/http/overload";
import { REFUSAL_WAIT_MAX_MS, shedWrites } from "../../src/http/write-shedding";

/** A clock and timer the test moves by hand. */
function manualTime() {
  let t = 1_000;
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  return {
    now: () => t,
    later: (fn: () => void, ms: number) => {
      const timer = { at: t + ms, fn, cancelled: false };
      timers.push(timer);
      return () => { timer.cancelled = true; };
    },
    advance(to: number) {
      t = to;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.at <= t) timer.fn();
        else timers.push(timer);
      }
    },
    pending: () => timers.filter((x) => !x.cancelled).length,
  };
}

/**
 * A server holding `held()` requests of one organization with a depth of 2: a write is admitted
 * while it holds 2 or fewer, refused beyond.
 */
function setup(perAnswer?: number) {
  const time = manualTime();
  let held = 0;
  const released: object[] = [];
  const parties = {
    claim: () => undefined,
    held: (): HeldBy => ({ mine: held, parties: 1, total: held }),
    release: (res: Response) => { released.push(res); },
  };
  const { handler } = shedWrites(0, { depth: () => held, maxDepth: 2, parties, now: time.now, later: time.later, random: () => 0, refusalsPerAnswer: perAnswer });
  /** A write on a connection of its own (or `socket`), arriving while the server holds `holding` requests. */
  const write = (holding: number, socket: object = {}) => {
    held = holding;
    const res = new EventEmitter();
    let passed: unknown = "not yet";
    handler({ method: "POST", path: "/Users", socket, actor: { org: { id: "org-a" } } } as unknown as Request, res as unknown as Response, (e?: unknown) => { passed = e; });
    return {
      res,
      passed: () => passed,
      refused: () => passed instanceof DomainError && passed.code === 9009,
      /** Its answer is finished. */
      answer: () => res.emit("finish"),
    };
  };
  return { write, time, released };
}

describe("a refusal's answer", () => {
  it("is sent at once when no admitted write waits for its answer", () => {
    const { write } = setup();
    const done = write(1);
    expect(done.passed()).toBeUndefined();
    done.answer();
    expect(write(3).refused()).toBe(true);
  });

  it("waits until every write admitted before it has been answered (it is decided at once: nothing read, nothing held)", () => {
    const { write, released } = setup();
    const a = write(1);
    const b = write(2);
    expect([a.passed(), b.passed()]).toEqual([undefined, undefined]);
    const refused = write(3);
    expect(refused.passed()).toBe("not yet");
    expect(released).toEqual([refused.res]);
    a.answer();
    expect(refused.passed()).toBe("not yet");
    b.answer();
    expect(refused.refused()).toBe(true);
  });

  it("does not wait for a write admitted after it", () => {
    const { write } = setup();
    const before = write(1);
    const refused = write(3);
    const after = write(2);
    expect(after.passed()).toBeUndefined();
    before.answer();
    expect(refused.refused()).toBe(true);
  });

  it("stops waiting for a write whose client has gone", () => {
    const { write } = setup();
    const gone = write(1);
    const refused = write(3);
    gone.res.emit("close");
    expect(refused.refused()).toBe(true);
  });

  it("goes one for each admitted write answered: a crowd refused together is answered over the next answers, in order", () => {
    const { write } = setup();
    const admitted = [write(1), write(2)];
    const crowd = [write(3), write(3), write(3), write(3), write(3)];
    const sent = () => crowd.filter((r) => r.refused()).length;
    admitted[0]!.answer();
    expect(sent()).toBe(0); // the other admitted write still waits
    admitted[1]!.answer();
    expect(sent()).toBe(1);
    expect(crowd[0]!.refused()).toBe(true);
    // Writes admitted later let the rest go, one for each answer.
    const next = [write(1), write(2)];
    next[0]!.answer();
    expect(sent()).toBe(2);
    next[1]!.answer();
    expect(sent()).toBe(3);
  });

  it("can let several go for each answer (refusalsPerAnswer)", () => {
    const { write } = setup(3);
    const admitted = write(1);
    const crowd = [write(3), write(3), write(3), write(3)];
    admitted.answer();
    expect(crowd.map((r) => r.refused())).toEqual([true, true, true, false]);
  });

  it("is sent REFUSAL_WAIT_MAX_MS after it was decided, whatever the admitted writes still wait for (a client sending its body slowly)", () => {
    const { write, time } = setup();
    write(1); // never answered
    const refused = write(3);
    time.advance(1_000 + REFUSAL_WAIT_MAX_MS - 1);
    expect(refused.passed()).toBe("not yet");
    time.advance(1_000 + REFUSAL_WAIT_MAX_MS);
    expect(refused.refused()).toBe(true);
    expect(time.pending()).toBe(0);
  });

  it("is cancelled when its client leaves, with its timer", () => {
    const { write, time } = setup();
    const open = write(1);
    const refused = write(3);
    expect(time.pending()).toBe(1);
    refused.res.emit("close");
    expect(time.pending()).toBe(0);
    open.answer();
    time.advance(10_000);
    expect(refused.passed()).toBe("not yet");
  });

  it("is sent at once when another refusal already waits on its connection (pipelined): Node writes it after that one, in order", () => {
    const { write } = setup();
    write(1); // admitted, still open
    const socket = {};
    const first = write(3, socket);
    expect(first.passed()).toBe("not yet");
    const pipelined = write(3, socket);
    expect(pipelined.refused()).toBe(true);
  });
});
