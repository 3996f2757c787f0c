/**
 * What a command writes and how: results on stdout, as JSON in /v1's field names when stdout is
 * not a terminal (a pipe, a file) or with --json, as a table for a person otherwise; messages,
 * progress and errors on stderr. Errors carry their exit code: 1 a failure, 2 a usage error.
 * Everything printed here from data is escaped for a terminal (./terminal.ts): a userName or a
 * display name cannot move the cursor, retitle the window or forge a line, as JSON or as a table.
 */
import { forTerminal, jsonForTerminal, lineForTerminal } from "./terminal";

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** A command used wrongly (a value an option does not take, a missing argument): exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A command that could not do its work: exit code 1, the message says why and what to do. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

/** JSON when asked, or when stdout is not a terminal. */
export const jsonOutput = (io: Io, o: OutputOptions): boolean => o.json === true || !io.stdout.isTTY;

const cell = (v: unknown): string => lineForTerminal(v === null || v === undefined ? "-" : Array.isArray(v) ? v.join(",") : typeof v === "object" ? JSON.stringify(v) : String(v));

/** Rows as an aligned table, one column per key of `columns`, cells cut to fit the terminal. */
export function table(rows: readonly Record<string, unknown>[], columns: readonly string[], width = 160): string {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd().slice(0, width);
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join("\n");
}

/** One record as "key  value" lines. */
export function fields(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return Object.entries(record).map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join("\n");
}

/** Writes a command's result: the value as JSON, or `text()` for a person (nothing with --quiet). */
export function printResult(io: Io, o: OutputOptions, value: unknown, text: () => string): void {
  if (jsonOutput(io, o)) io.stdout.write(`${jsonForTerminal(value)}\n`);
  else if (!o.quiet) io.stdout.write(`${forTerminal(text())}\n`);
}

/** A message for a person, on stderr (nothing with --quiet). */
export function say(io: Io, o: OutputOptions, text: string): void {
  if (!o.quiet) io.stderr.write(`${forTerminal(text)}\n`);
}
