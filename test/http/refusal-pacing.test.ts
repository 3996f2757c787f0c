/**
 * Refusal pacing (src/http/write-shedding.ts): a write refused on a connection whose previous
 * refusal's Retry-After has not passed yet is answered when it passes, not at once; the first
 * refusal on a connection, and one after its Retry-After, is answered at once; paced answers are
 * spread over half a Retry-After (drawn for each); a paced refusal
 * holds nothing (it no longer counts as held), and its client leaving cancels it. Writes admitted
 * are never paced. The middleware alone, with its clock and timer given: no timing.
 */
import { EventEmitter } from "node:events";
import type { Request, Response } from "express";
import { DomainError } from "../../src/domain/errors";
import { requestDepth, type HeldBy } from "../../src/http/overload";
import { shedWrites } from "../../src/http/write-shedding";

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
    /** Moves the clock to `to` (ms), running the timers due. */
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

/** A server that holds `held` requests of one organization (so its writes are refused by depth 1). */
function setup(held: () => number, random = () => 0) {
  const time = manualTime();
  const released: Response[] = [];
  const parties = {
    claim: () => undefined,
    held: (): HeldBy => ({ mine: held(), parties: 1, total: held() }),
    release: (res: Response) => { released.push(res); },
  };
  const { handler } = shedWrites(0, { depth: held, maxDepth: 1, parties, now: time.now, later: time.later, random });
  return { handler, time, released };
}

/** Sends a write on `socket`; returns what the middleware handed on so far (a getter: it may come later). */
function send(handler: ReturnType<typeof setup>["handler"], socket: object, res = new EventEmitter()) {
  let passed: unknown = "not yet";
  handler({ method: "POST", path: "/Users", socket, actor: { org: { id: "org-a" } } } as unknown as Request, res as unknown as Response, (e?: unknown) => { passed = e; });
  return { res, passed: () => passed };
}

const code = (x: unknown) => (x instanceof DomainError ? x.code : x);

describe("refusal pacing", () => {
  it("answers the first refusal on a connection at once", () => {
    const { handler } = setup(() => 2);
    expect(code(send(handler, {}).passed())).toBe(9009);
  });

  it("answers a write refused again on the same connection before the last refusal's Retry-After when that Retry-After has passed, not before", () => {
    const { handler, time } = setup(() => 2);
    const socket = {};
    expect(code(send(handler, socket).passed())).toBe(9009); // at 1,000 ms: Retry-After 1 s
    time.advance(1_200);
    const second = send(handler, socket);
    expect(second.passed()).toBe("not yet");
    time.advance(1_999);
    expect(second.passed()).toBe("not yet");
    time.advance(2_000);
    expect(code(second.passed())).toBe(9009);
    // The next one sent at once after that paced answer waits a whole Retry-After from it.
    const third = send(handler, socket);
    time.advance(2_999);
    expect(third.passed()).toBe("not yet");
    time.advance(3_000);
    expect(code(third.passed())).toBe(9009);
  });

  it("spreads paced answers over half a Retry-After after the previous one's ends, so connections refused together do not all come back together", () => {
    const { handler, time } = setup(() => 2, () => 0.5);
    const socket = {};
    send(handler, socket); // at 1,000 ms, at once: the next at once from 2,000 ms
    const second = send(handler, socket);
    time.advance(2_249);
    expect(second.passed()).toBe("not yet");
    time.advance(2_250); // 2,000 + 0.5 x 1,000 / 2
    expect(code(second.passed())).toBe(9009);
    // A client that waits the Retry-After after that answer is answered at once.
    time.advance(3_250);
    expect(code(send(handler, socket).passed())).toBe(9009);
  });

  it("answers at once a refusal on another connection, or on the same one once the last refusal's Retry-After has passed", () => {
    const { handler, time } = setup(() => 2);
    const socket = {};
    expect(code(send(handler, socket).passed())).toBe(9009);
    expect(code(send(handler, {}).passed())).toBe(9009);
    time.advance(2_000);
    expect(code(send(handler, socket).passed())).toBe(9009);
  });

  it("never paces an admitted write: one sent on a connection just refused is handed on at once when the server has room", () => {
    let held = 2;
    const { handler, time } = setup(() => held);
    const socket = {};
    expect(code(send(handler, socket).passed())).toBe(9009);
    time.advance(1_100);
    held = 1;
    expect(send(handler, socket).passed()).toBeUndefined();
  });

  it("stops counting a paced refusal as held, and cancels it when its client leaves", () => {
    const { handler, time, released } = setup(() => 2);
    const socket = {};
    send(handler, socket);
    const paced = send(handler, socket);
    expect(released).toEqual([paced.res]);
    expect(time.pending()).toBe(1);
    paced.res.emit("close");
    expect(time.pending()).toBe(0);
    time.advance(5_000);
    expect(paced.passed()).toBe("not yet");
  });
});

describe("a released request (src/http/overload.ts)", () => {
  it("stops counting at once, and its close afterwards gives nothing back twice", async () => {
    const d = requestDepth();
    const a = new EventEmitter();
    const b = new EventEmitter();
    for (const res of [a, b]) d.handler({} as Request, res as unknown as Response, () => undefined);
    await new Promise((r) => setImmediate(r)); // the turn they arrived in ends
    expect(d.depth()).toBe(2);
    d.release(a as unknown as Response);
    expect(d.depth()).toBe(1);
    a.emit("close");
    expect(d.depth()).toBe(1);
    b.emit("close");
    expect(d.depth()).toBe(0);
  });
});
