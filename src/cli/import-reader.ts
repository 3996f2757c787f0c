/**
 * Reading an export file on a worker thread: parsing, guarding and coercing lines costs about as
 * much CPU as writing them, so the worker does it on the other core while the main thread writes.
 */
import { createReadStream } from "node:fs";
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { fileLines } from "./file-lines";
import { readLine, type ReadLine } from "./import-lines";


/**
 * Reading, parsing and coercing lines costs about as much CPU as writing them: a worker thread
 * does it on the other core while this one writes. Chunks of 1,000 lines; at most 8 chunks
 * ahead of the writer, so memory stays bounded whatever the file's size.
 */
const CHUNK = 1000;
const AHEAD = 8;

type FromReader =
  | { header: string | undefined }
  | { reads: ReadLine[]; lines: number }
  | { done: true; lines: number }
  | { failed: string };

async function readerThread(file: string): Promise<void> {
  const port = parentPort!;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port.on("message", () => {
    inFlight -= 1;
    wake?.();
    wake = null;
  });
  let n = 0;
  let chunk: ReadLine[] = [];
  const send = async () => {
    port.postMessage({ reads: chunk, lines: n } satisfies FromReader);
    chunk = [];
    inFlight += 1;
    while (inFlight >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    for await (const texts of fileLines(file)) {
      for (const text of texts) {
        n += 1;
        if (n === 1) {
          port.postMessage({ header: text } satisfies FromReader);
          continue;
        }
        const r = readLine(n, text);
        if (r) chunk.push(r);
        if (chunk.length >= CHUNK) await send();
      }
    }
    if (n === 0) port.postMessage({ header: undefined } satisfies FromReader);
    if (chunk.length > 0) await send();
    port.postMessage({ done: true, lines: n } satisfies FromReader);
  } catch (e) {
    port.postMessage({ failed: (e as Error).message } satisfies FromReader);
  }
  port.close();
}

if (!isMainThread && (workerData as { orgscimImportFile?: string } | null)?.orgscimImportFile) {
  void readerThread((workerData as { orgscimImportFile: string }).orgscimImportFile);
}

export interface FileReader {
  /** The first line, the export header. */
  header: Promise<string | undefined>;
  /** The other lines, read and decoded. */
  reads: AsyncGenerator<ReadLine>;
  /** Lines read so far (all of them, once `reads` is done). */
  lines: () => number;
  stop: () => Promise<unknown>;
}

/**
 * The file's lines read by a worker thread (compiled code, with a second core to run it on), or in
 * this thread: from the TypeScript sources (tests), or when this process may use one core only
 * (taskset, a container's cpuset): there the worker ran on the writer's core anyway, and copying
 * every decoded line between the threads (structured clone, both ways of it on that core) cost
 * more than it overlapped.
 */
export function readFile(file: string, cores = availableParallelism()): FileReader {
  return __filename.endsWith(".js") && cores > 1 ? readInWorker(file) : readHere(file);
}

function readHere(file: string): FileReader {
  const it = fileLines(file);
  let n = 0;
  let texts: string[] = [];
  let at = 0;
  let stopped = false;
  /** The next line, or undefined at the end of the file. */
  const next = async (): Promise<string | undefined> => {
    while (at === texts.length) {
      const r = stopped ? { done: true as const } : await it.next();
      if (r.done) return undefined;
      texts = r.value;
      at = 0;
    }
    n += 1;
    return texts[at++];
  };
  const header = next();
  async function* reads(): AsyncGenerator<ReadLine> {
    await header;
    for (;;) {
      while (at < texts.length) {
        n += 1;
        const r = readLine(n, texts[at++]!);
        if (r) yield r;
      }
      const r = stopped ? { done: true as const } : await it.next();
      if (r.done) return;
      texts = r.value;
      at = 0;
    }
  }
  return {
    header, reads: reads(), lines: () => n, stop: async () => {
      stopped = true;
      await it.return(undefined);
    },
  };
}

/** Counts the lines of a file (the newlines, and a last line without one): the total a progress bar shows. */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines += 1;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return last === 0x0a ? lines : lines + 1;
}

function readInWorker(file: string): FileReader {
  const worker = new Worker(__filename, { workerData: { orgscimImportFile: file } });
  const queue: FromReader[] = [];
  let waiting: (() => void) | null = null;
  let lines = 0;
  const push = (m: FromReader) => {
    queue.push(m);
    waiting?.();
    waiting = null;
  };
  worker.on("message", push);
  worker.on("error", (e) => push({ failed: e.message }));
  worker.on("exit", () => push({ failed: "the reader thread stopped" }));
  const next = async (): Promise<FromReader> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
    return queue.shift()!;
  };
  const header = (async () => {
    const m = await next();
    if ("failed" in m) throw new Error(m.failed);
    return "header" in m ? m.header : undefined;
  })();
  async function* reads(): AsyncGenerator<ReadLine> {
    await header;
    for (;;) {
      const m = await next();
      if ("failed" in m) throw new Error(`reading the file: ${m.failed}`);
      if ("done" in m) {
        lines = m.lines;
        return;
      }
      if ("reads" in m) {
        lines = m.lines;
        worker.postMessage("ack");
        yield* m.reads;
      }
    }
  }
  return { header, reads: reads(), lines: () => lines, stop: () => worker.terminate() };
}

