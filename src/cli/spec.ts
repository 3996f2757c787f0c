/**
 * A command as data: what it is called, what it takes, examples, whether it may create a store,
 * and what it does. src/cli/main.ts builds the commander program from the list, and the CLI test
 * (test/cli/commands.test.ts) generates its cases from the same list: help, misplaced options,
 * exit codes for every command.
 */
import type { Clock } from "../domain/clock";
import type { Store } from "../domain/ports/store";
import type { Io } from "./io";

export interface OptionSpec {
  /** commander's flags: "--org <sid>", "--tokens", "--scopes <list>". */
  flags: string;
  description: string;
  choices?: readonly string[];
  required?: boolean;
  /** May be given several times (the values are collected). */
  repeatable?: boolean;
  /** A well-formed value, for help texts and the tests. */
  example?: string;
}

export interface ArgSpec {
  name: string;
  description: string;
  example: string;
}

export type Options = Record<string, unknown>;

export interface RunContext {
  io: Io;
  clock: Clock;
  args: string[];
  opts: Options;
  /** The store of DATABASE_URL, opened on first use (created only when the command may create one) and closed after the command. */
  store(): Promise<Store>;
}

export interface CommandSpec {
  /** ["tokens", "create"]: the words that name it. */
  path: readonly string[];
  summary: string;
  /** More about what it does, shown in its help. */
  details?: string;
  args: readonly ArgSpec[];
  options: readonly OptionSpec[];
  /** Complete command lines, shown in its help. */
  examples: readonly string[];
  /**
   * How it uses DATABASE_URL: "create" may make a new store (a command that can work on an empty
   * one); "existing" needs one there (--create makes it anyway); "none": it names its stores itself.
   */
  store: "create" | "existing" | "none" | ((opts: Options) => "create" | "existing");
  /** Prints a result (--json; JSON also whenever stdout is not a terminal). */
  json: boolean;
  /** Has messages, progress or per-line output that --quiet silences. */
  quiet: boolean;
  /** Answers the exit code: 0 done, 1 failed (e.g. some lines refused). */
  run(ctx: RunContext): Promise<number>;
}
