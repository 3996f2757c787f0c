/**
 * `orgscim import --org ORG FILE`: replays an export (see ./export.ts for the line format) into
 * an organization, idempotently (src/domain/portability/ has the rules). SCIM lines go through
 * the same coercion as POST /Users and /Groups. Prints each failing line with its number and
 * reason, and a summary; a progress bar on stderr when it is a terminal.
 */
import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Clock } from "../domain/clock";
import { DomainError, Errors, type ErrorKind } from "../domain/errors";
import { OrgImporter, RECORD_KINDS, type ImportItem, type ImportMeta, type ImportOptions, type ImportReport, type RecordKind } from "../domain/portability";
import { lookupChallenge } from "../domain/domains";
import type { TxtResolver } from "../domain/ports/dns";
import type { Store } from "../domain/ports/store";
import type { Domain } from "../domain/types";
import { groupInputOf, userInputOf } from "../scim/resource-inputs";
import { assertSafeKeys } from "../scim/quirks";
import { ORGSCIM_GROUP_SCHEMA, ORGSCIM_USER_SCHEMA } from "../scim/schemas";
import { orgRoleOf } from "../scim/user-resource";
import { FORMAT, FORMAT_VERSION, type ExportHeader } from "./export";
import { progressBar } from "./progress";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function metaOf(resource: Record<string, unknown>): ImportMeta {
  const meta = isObject(resource.meta) ? resource.meta : {};
  const out: ImportMeta = {};
  if (typeof meta.created === "string") out.created = meta.created;
  if (typeof meta.lastModified === "string") out.lastModified = meta.lastModified;
  const v = typeof meta.version === "string" ? /^W\/"(\d{1,15})"$/.exec(meta.version) : null;
  if (v) out.version = Number(v[1]);
  return out;
}

const extension = (resource: Record<string, unknown>, urn: string): Record<string, unknown> =>
  (isObject(resource[urn]) ? resource[urn] : {}) as Record<string, unknown>;

function resourceOf(line: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(line.resource)) throw Errors.importFormat(`A ${String(line.type)} line needs "resource": the SCIM resource.`);
  return line.resource;
}

const idOf = (resource: Record<string, unknown>): string | null => (typeof resource.id === "string" && resource.id !== "" ? resource.id : null);

/** One parsed line as an import item. SCIM resources are coerced as the SCIM endpoints coerce them; the other records are checked by the import. */
export function decodeItem(line: Record<string, unknown>): ImportItem {
  const { type, ...record } = line;
  switch (type) {
    case "user": {
      const resource = resourceOf(line);
      const ext = extension(resource, ORGSCIM_USER_SCHEMA);
      // The file carries the user's own role and status (null: an independent user holds no role); SCIM coercion sees the rest.
      const { orgRole, status, ...rest } = ext;
      const input = userInputOf({ ...resource, [ORGSCIM_USER_SCHEMA]: rest });
      const user: ImportItem & { kind: "user" } = { kind: "user", user: { id: idOf(resource), data: input.data, meta: metaOf(resource) } };
      if (orgRole !== undefined) user.user.orgRole = orgRole === null ? null : orgRoleOf(orgRole);
      if (input.twoFactorRequired !== undefined) user.user.twoFactorRequired = input.twoFactorRequired;
      if (input.passwordResetRequired !== undefined) user.user.passwordResetRequired = input.passwordResetRequired;
      if (status !== undefined) {
        if (typeof status !== "string") throw Errors.importFormat(`user: status must be managed, pending or independent, got ${JSON.stringify(status)}.`);
        user.user.status = status;
      }
      return user;
    }
    case "group": {
      const resource = resourceOf(line);
      const { members, data, binding } = groupInputOf(resource);
      const builtin = extension(resource, ORGSCIM_GROUP_SCHEMA).builtin === true;
      const group: ImportItem & { kind: "group" } = { kind: "group", group: { id: idOf(resource), data, builtin, members, meta: metaOf(resource) } };
      if (binding !== undefined) group.group.binding = binding;
      return group;
    }
    default:
      if (typeof type === "string" && (RECORD_KINDS as readonly string[]).includes(type)) return { kind: type as RecordKind, record };
      throw Errors.importFormat(`Unknown line type ${JSON.stringify(type)}. This orgscim imports export, organization, domain, user, group, account, invitation, token and audit lines.`);
  }
}

/** What a line is counted as: its type when this orgscim knows it, else "unknown". */
const KNOWN_TYPES: ReadonlySet<string> = new Set(["user", "group", ...RECORD_KINDS]);
const typeOf = (v: unknown): string => (isObject(v) && typeof v.type === "string" && KNOWN_TYPES.has(v.type) ? v.type : "unknown");

export function parseHeader(text: string | undefined): ExportHeader {
  let h: unknown;
  try {
    h = text === undefined ? undefined : JSON.parse(text);
  } catch {
    h = undefined;
  }
  if (!isObject(h) || h.type !== "export" || h.format !== FORMAT || typeof h.orgId !== "string") {
    throw Errors.importFormat(`line 1: not an orgscim export (expected {"type":"export","format":"${FORMAT}",...} from \`orgscim export\`).`);
  }
  if (h.version !== FORMAT_VERSION) throw Errors.importFormat(`line 1: export format version ${String(h.version)} is not supported (this orgscim reads version ${FORMAT_VERSION}).`);
  return h as unknown as ExportHeader;
}

/**
 * `--verify-domains`: whether DNS publishes a domain's token now, through the server's resolver
 * (DNS_SERVERS). A failing lookup counts as not found: the domain then arrives pending, and the
 * periodic re-check verifies it once the token answers.
 */
export function domainVerifier(resolver: TxtResolver): (domain: Domain) => Promise<boolean> {
  return async (domain) => {
    try {
      return (await lookupChallenge(resolver, domain)).found;
    } catch {
      return false;
    }
  };
}

export interface ImportRun {
  header: ExportHeader;
  report: ImportReport;
  /** Lines read, the header included. */
  lines: number;
}

/** A line as read: its item, or why it could not be read (plain data, so a worker can send it). */
export type ReadLine =
  | { line: number; item: ImportItem }
  | { line: number; type: string; error: { kind: ErrorKind; code: number; message: string } };

function plainError(e: unknown): { kind: ErrorKind; code: number; message: string } {
  if (e instanceof DomainError) return { kind: e.kind, code: e.code, message: e.message };
  return { kind: "internal", code: 0, message: e instanceof Error ? e.message : String(e) };
}

/** Parses and decodes one line (n from 1); null for a blank line. */
export function readLine(n: number, text: string): ReadLine | null {
  if (text.trim() === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { line: n, type: "unknown", error: plainError(Errors.importFormat(`not JSON (${(e as Error).message.slice(0, 100)}).`)) };
  }
  const type = typeOf(parsed);
  try {
    if (!isObject(parsed)) throw Errors.importFormat("each line must be a JSON object with a type.");
    // The guard every request body passes: no __proto__, constructor or prototype key, no deep nesting.
    assertSafeKeys(parsed);
    return { line: n, item: decodeItem(parsed) };
  } catch (e) {
    return { line: n, type, error: plainError(e) };
  }
}

export interface ImportItemsOptions extends Pick<ImportOptions, "trust" | "tokens" | "verifyDomain"> {
  source?: string;
  actor?: string;
  batchSize?: number;
}

/**
 * Imports read lines into `orgId`, given the file's header line. The organization must exist,
 * unless the file is its own export, which then creates it.
 */
export async function importReadLines(
  store: Store, clock: Clock, orgId: string, headerText: string | undefined, reads: AsyncIterable<ReadLine>, options: ImportItemsOptions = {},
): Promise<{ header: ExportHeader; report: ImportReport }> {
  const header = parseHeader(headerText);
  if (header.orgId !== orgId && !(await store.orgs.get(orgId))) {
    throw Errors.orgNotFound(`${orgId}. Create it first (orgscim orgs create), or pass --org ${header.orgId} to restore the file's own organization`);
  }
  const { source, actor, batchSize, ...trust } = options;
  const importer = new OrgImporter({ store, clock }, orgId, {
    ...trust, fileOrgId: header.orgId, actor: actor ?? "cli import", batchSize: batchSize ?? 2000, ...(source ? { source } : {}),
  });
  for await (const r of reads) {
    if ("item" in r) await importer.add(r.line, r.item);
    else importer.fail(r.line, r.type, new DomainError(r.error.kind, r.error.code, r.error.message));
  }
  return { header, report: await importer.finish() };
}

/** Imports lines (header first) into `orgId`; `onLine` sees each line number as it is read. */
export async function importLines(
  store: Store,
  clock: Clock,
  orgId: string,
  lines: AsyncIterable<string>,
  options: ImportItemsOptions & { onLine?: (n: number) => void } = {},
): Promise<ImportRun> {
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  let n = 1;
  async function* reads(): AsyncGenerator<ReadLine> {
    for (let next = await it.next(); !next.done; next = await it.next()) {
      n += 1;
      options.onLine?.(n);
      const r = readLine(n, next.value);
      if (r) yield r;
    }
  }
  const { header, report } = await importReadLines(store, clock, orgId, first.done ? undefined : first.value, reads(), options);
  return { header, report, lines: n };
}

// ---------- reading in a worker thread ----------

/**
 * Reading, parsing and coercing lines costs about as much CPU as writing them: a worker thread
 * does it on the other core while this one writes. Chunks of 1,000 lines; at most 8 chunks
 * ahead of the writer, so memory stays bounded whatever the file's size.
 */
const CHUNK = 1000;
const AHEAD = 8;

type FromReader =
  | { header: string | undefined }
  | { reads: ReadLine[]; bytes: number; lines: number }
  | { done: true; lines: number }
  | { failed: string };

async function readerThread(file: string): Promise<void> {
  const port = parentPort!;
  const input = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
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
    port.postMessage({ reads: chunk, bytes: input.bytesRead, lines: n } satisfies FromReader);
    chunk = [];
    inFlight += 1;
    while (inFlight >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      n += 1;
      if (n === 1) {
        port.postMessage({ header: text } satisfies FromReader);
        continue;
      }
      const r = readLine(n, text);
      if (r) chunk.push(r);
      if (chunk.length >= CHUNK) await send();
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

/** The file's lines read by a worker thread: the header line, then the read lines. */
function readInWorker(file: string, onProgress: (bytes: number, lines: number) => void): { header: Promise<string | undefined>; reads: AsyncGenerator<ReadLine>; lines: () => number; stop: () => Promise<number> } {
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
        onProgress(m.bytes, m.lines);
        worker.postMessage("ack");
        yield* m.reads;
      }
    }
  }
  return { header, reads: reads(), lines: () => lines, stop: () => worker.terminate() };
}

const OUTCOMES = ["created", "updated", "unchanged", "skipped", "failed"] as const;

/** The summary a person reads: one line a type, then the totals. */
export function summarize(report: ImportReport, lines: number, seconds: number): string {
  const rows = Object.entries(report.counts).map(([type, c]) =>
    `  ${type.padEnd(13)} ${OUTCOMES.filter((o) => c[o] > 0).map((o) => `${c[o].toLocaleString("en")} ${o}`).join(", ") || "nothing"}`);
  const failed = report.errors.length;
  return [
    `${lines.toLocaleString("en")} lines in ${seconds.toFixed(1)} s${failed > 0 ? `, ${failed.toLocaleString("en")} failed (nothing of a failed line was applied)` : ""}:`,
    ...rows,
  ].join("\n");
}

export function printErrors(report: ImportReport, write: (s: string) => void, max = 100): void {
  for (const e of report.errors.slice(0, max)) write(`line ${e.line} (${e.type}): ${e.message}${e.code ? ` [${e.code}]` : ""}\n`);
  if (report.errors.length > max) write(`... and ${(report.errors.length - max).toLocaleString("en")} more failing lines\n`);
}

/**
 * The command: answers the exit code (0 all lines applied, 1 some failed). Compiled, it reads in
 * a worker thread; from the TypeScript sources (tests) it reads in this one.
 */
export async function importCommand(store: Store, clock: Clock, args: { org: string; file: string; batchSize?: number }): Promise<number> {
  const started = Date.now();
  const progress = progressBar("import", statSync(args.file).size);
  const options = { source: args.file, ...(args.batchSize ? { batchSize: args.batchSize } : {}) };
  let stop = async () => undefined as unknown;
  try {
    let run: { report: ImportReport; lines: number };
    if (__filename.endsWith(".js")) {
      const reader = readInWorker(args.file, (bytes, n) => progress.update(bytes, n));
      stop = reader.stop;
      const { report } = await importReadLines(store, clock, args.org, await reader.header, reader.reads, options);
      run = { report, lines: reader.lines() };
    } else {
      const input = createReadStream(args.file, { encoding: "utf8", highWaterMark: 1 << 20 });
      stop = async () => input.destroy();
      run = await importLines(store, clock, args.org, createInterface({ input, crlfDelay: Infinity }), { ...options, onLine: (n) => progress.update(input.bytesRead, n) });
    }
    progress.finish();
    printErrors(run.report, (s) => process.stderr.write(s));
    console.log(summarize(run.report, run.lines, (Date.now() - started) / 1000));
    return run.report.errors.length === 0 ? 0 : 1;
  } catch (e) {
    progress.finish();
    if (e instanceof DomainError) throw new Error(e.message);
    throw e;
  } finally {
    await stop();
  }
}
