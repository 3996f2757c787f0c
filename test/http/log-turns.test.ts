/**
 * The server's stdout log stream gets one write a turn of the event loop (src/http/logging.ts
 * linesOncePerTurn): every line written in a turn, in order, handed over at the turn's end; flush and
 * flushSync (pino's, and the exit's) hand waiting lines over first; a stream that is not pino's
 * asynchronous default is left alone.
 */
import { pbkdf2 } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createLogger, linesOncePerTurn } from "../../src/http/logging";

/** A stand-in for pino's default SonicBoom: records what it is given and when it is flushed. */
function fakeSonicBoom(sync = false) {
  const events: string[] = [];
  return {
    events,
    stream: {
      sync,
      write(s: string) { events.push(`write ${s}`); return true; },
      flush(cb?: () => void) { events.push("flush"); cb?.(); },
      flushSync() { events.push("flushSync"); },
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("lines once per turn", () => {
  it("hands the lines written in one turn over in one write, in order, at the turn's end", async () => {
    const { events, stream } = fakeSonicBoom();
    expect(linesOncePerTurn(stream)).toBe(true);
    stream.write("a\n");
    stream.write("b\n");
    stream.write("c\n");
    expect(events).toEqual([]);
    await turn();
    expect(events).toEqual(["write a\nb\nc\n"]);
    stream.write("d\n");
    await turn();
    expect(events).toEqual(["write a\nb\nc\n", "write d\n"]);
  });

  it("flush and flushSync hand the waiting lines over before flushing, so an exit loses none", async () => {
    const { events, stream } = fakeSonicBoom();
    linesOncePerTurn(stream);
    stream.write("a\n");
    stream.flushSync();
    stream.write("b\n");
    stream.flush();
    await turn();
    expect(events).toEqual(["write a\n", "flushSync", "write b\n", "flush"]);
  });

  it("is applied once, and leaves a synchronous stream or any other alone", async () => {
    const { events, stream } = fakeSonicBoom();
    linesOncePerTurn(stream);
    expect(linesOncePerTurn(stream)).toBe(true);
    stream.write("a\n");
    await turn();
    expect(events).toEqual(["write a\n"]);
    const sync = fakeSonicBoom(true);
    expect(linesOncePerTurn(sync.stream)).toBe(false);
    sync.stream.write("now\n");
    expect(sync.events).toEqual(["write now\n"]);
    expect(linesOncePerTurn({ write: () => true })).toBe(false);
    expect(linesOncePerTurn(undefined)).toBe(false);
  });

  it("createLogger gives its own destination (a test's) every line at once, as before", () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (s: string) => void lines.push(s) });
    logger.info("one");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "one", service: "orgscim" });
  });

  it("on a real asynchronous SonicBoom (pino's default for stdout): a turn's lines land in order, and flushSync at exit writes the waiting ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgscim-log-turns-"));
    try {
      const file = join(dir, "out.log");
      const stream = pino.destination({ dest: file, sync: false, mkdir: true });
      await new Promise((resolve) => stream.once("ready", resolve));
      expect(linesOncePerTurn(stream)).toBe(true);
      const logger = pino({ base: null, timestamp: false }, stream);
      for (let i = 0; i < 5; i++) logger.info({ i }, "line");
      const written = new Promise((resolve) => stream.once("write", resolve));
      await turn(); // the five lines handed over at this turn's end, in one write
      await written;
      expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(5);
      // libuv's thread pool busy (as on a loaded machine): a write flushSync left to the pool would
      // land only after this work, so the file read right after flushSync would miss its lines.
      const busy = Array.from({ length: 16 }, () => new Promise((ok) => pbkdf2("pool", "busy", 100_000, 32, "sha256", ok)));
      logger.info({ i: 5 }, "waiting");
      stream.flushSync(); // what pino does at exit
      const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { i: number; msg: string });
      expect(lines.map((l) => l.i)).toEqual([0, 1, 2, 3, 4, 5]);
      await Promise.all(busy);
      logger.info({ i: 6 }, "after");
      await turn();
      await new Promise((ok) => (readFileSync(file, "utf8").includes('"i":6') ? ok(null) : stream.once("write", ok)));
      expect(readFileSync(file, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      stream.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
