/**
 * A progress bar on stderr, drawn only when stderr is a terminal and --quiet is not given (so logs
 * and pipes stay clean), redrawn at most ten times a second. It shows what is done, never what is
 * merely read ahead: an import reports the lines it has written (or refused), out of the lines the
 * file has, so it reaches 100% with the last line and not before.
 */
import type { OutStream } from "./io";

export interface Progress {
  /** `done` of the total (lines, rows, ...). */
  update(done: number): void;
  /** Ends the line: with `complete` (default) the bar shows everything done; without (the run failed), where it stopped. */
  finish(complete?: boolean): void;
}

const WIDTH = 30;
const silent: Progress = { update: () => undefined, finish: () => undefined };

export function progressBar(stream: OutStream, o: { label: string; total: number; unit: string; quiet?: boolean }): Progress {
  if (!stream.isTTY || o.quiet) return silent;
  const started = Date.now();
  let drawn = 0;
  let done = 0;
  const draw = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const count = `${done.toLocaleString("en")}${o.total > 0 ? ` of ${o.total.toLocaleString("en")}` : ""} ${o.unit}  ${rate.toLocaleString("en")}/s`;
    let line = `${o.label}  ${count}`;
    if (o.total > 0) {
      const share = Math.min(1, done / o.total);
      const filled = Math.floor(share * WIDTH);
      // Rounded down: 100% only once everything is done.
      line = `${o.label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${count}`;
    }
    stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}`);
  };
  return {
    update(n) {
      done = Math.max(done, n);
      const now = Date.now();
      if (now - drawn < 100) return;
      drawn = now;
      draw();
    },
    finish(complete = true) {
      if (complete && o.total > 0) done = o.total;
      draw();
      stream.write("\n");
    },
  };
}
