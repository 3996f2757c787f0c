/**
 * `orgscim import --org ORG FILE`: replays an export (see ./export.ts for the line format) into an
 * organization, idempotently (src/domain/portability/ has the rules; ./import-lines.ts reads the
 * lines). Prints each failing line with its number and reason on stderr, what was applied
 * differently from the file (domains left pending, tokens left out), and a summary; a progress bar
 * on stderr when it is a terminal, counting the lines written out of the lines the file has.
 */
import { existsSync } from "node:fs";
import type { Clock } from "../domain/clock";
import { DomainError } from "../domain/errors";
import type { ImportReport } from "../domain/portability";
import type { TxtResolver } from "../domain/ports/dns";
import type { Store } from "../domain/ports/store";
import { domainVerifier, importReadLines } from "./import-lines";
import { countLines, readFile } from "./import-reader";
import { CliFailure, jsonOutput, printResult, type Io, type OutputOptions } from "./io";
import { progressBar } from "./progress";
import { lineForTerminal } from "./terminal";

export { decodeItem, domainVerifier, importLines, importReadLines, parseHeader, readLine, type ImportRun, type ReadLine } from "./import-lines";

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
  for (const e of report.errors.slice(0, max)) write(`line ${e.line} (${lineForTerminal(e.type)}): ${lineForTerminal(e.message)}${e.code ? ` [${e.code}]` : ""}\n`);
  if (report.errors.length > max) write(`... and ${(report.errors.length - max).toLocaleString("en")} more failing lines\n`);
}

export interface ImportArgs extends OutputOptions {
  org: string;
  file: string;
  batchSize?: number;
  /** Keep the file's API tokens and pending invitations' tokens. */
  tokens?: boolean;
  /** Ask DNS (through this resolver) whether the file's verified domains still publish their token. */
  resolver?: TxtResolver;
}

/** The command: answers the exit code (0 every line applied, 1 some failed). */
export async function importCommand(store: Store, clock: Clock, io: Io, args: ImportArgs): Promise<number> {
  if (!existsSync(args.file)) throw new CliFailure(`${args.file}: no such file.`);
  const started = Date.now();
  const json = jsonOutput(io, args);
  const progress = progressBar(io.stderr, { label: "import", total: await countLines(args.file), unit: "lines", quiet: args.quiet === true || json });
  const reader = readFile(args.file);
  let report: ImportReport;
  try {
    ({ report } = await importReadLines(store, clock, args.org, await reader.header, reader.reads, {
      source: args.file,
      ...(args.batchSize ? { batchSize: args.batchSize } : {}),
      ...(args.tokens ? { tokens: true } : {}),
      ...(args.resolver ? { verifyDomain: domainVerifier(args.resolver) } : {}),
      onBatch: (line) => progress.update(line),
    }));
  } catch (e) {
    progress.finish(false);
    throw e instanceof DomainError ? new CliFailure(e.message) : e;
  } finally {
    await reader.stop();
  }
  progress.finish();
  const lines = reader.lines();
  const seconds = (Date.now() - started) / 1000;
  // Refused lines on stderr always (also under --json and --quiet); notes unless --quiet or --json.
  printErrors(report, (s) => io.stderr.write(s));
  if (!json && !args.quiet) for (const note of report.notes) io.stderr.write(`note: ${lineForTerminal(note)}\n`);
  printResult(io, args, {
    file: args.file, lines, seconds, ok: report.errors.length === 0, counts: report.counts, errors: report.errors, notes: report.notes,
  }, () => summarize(report, lines, seconds));
  return report.errors.length === 0 ? 0 : 1;
}
