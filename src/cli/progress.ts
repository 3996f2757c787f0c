/**
 * A progress bar on stderr, drawn only when stderr is a terminal (so logs and pipes stay clean),
 * redrawn at most ten times a second.
 */
export interface Progress {
  /** `done` of `total` (bytes, rows, ...); `count` is what the label counts (lines, users, ...). */
  update(done: number, count: number): void;
  finish(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const WIDTH = 30;

export function progressBar(label: string, total: number, stream: ProgressStream = process.stderr, unit = "lines"): Progress {
  if (!stream.isTTY) return { update: () => undefined, finish: () => undefined };
  const started = Date.now();
  let drawn = 0;
  let last = { done: 0, count: 0 };
  const draw = () => {
    const share = total > 0 ? Math.min(1, last.done / total) : 0;
    const filled = Math.round(share * WIDTH);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(last.count / seconds) : 0;
    const line = `${label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${last.count.toLocaleString("en")} ${unit}  ${rate.toLocaleString("en")}/s`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}`);
  };
  return {
    update(done, count) {
      last = { done, count };
      const now = Date.now();
      if (now - drawn < 100) return;
      drawn = now;
      draw();
    },
    finish() {
      draw();
      stream.write("\n");
    },
  };
}
