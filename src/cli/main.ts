/**
 * `npx orgscim ...`: the command line, on commander. Each command is data (./spec.ts;
 * ./admin-commands.ts and ./data-commands.ts hold them); this file makes the program from them:
 * per-command help with examples, `help`, `--version`, unknown or misplaced options and arguments
 * refused with the command's usage, and one convention for exit codes and output:
 *
 *   0  done
 *   1  failed (a store missing, a record not found, lines or rows refused): the message says why
 *   2  used wrongly (an unknown command or option, a missing or malformed value): with the usage
 *
 * Results go to stdout, as a table or fields on a terminal and as JSON in /v1's field names
 * otherwise (or with --json); messages, progress and errors go to stderr; --quiet silences messages.
 */
import { Command, CommanderError, Option } from "commander";
import { systemClock, type Clock } from "../domain/clock";
import { DomainError } from "../domain/errors";
import type { Store } from "../domain/ports/store";
import { ADMIN_COMMANDS } from "./admin-commands";
import { DATA_COMMANDS } from "./data-commands";
import { CliFailure, processIo, UsageError, type Io } from "./io";
import type { CommandSpec, Options } from "./spec";
import { forTerminal } from "./terminal";
import { openCommandStore } from "./store-access";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION = (require("../../package.json") as { version: string }).version;

export const COMMANDS: readonly CommandSpec[] = [...ADMIN_COMMANDS, ...DATA_COMMANDS];

const GROUPS: Record<string, string> = {
  orgs: "organizations: create, list, change settings",
  tokens: "API tokens: create, list, revoke",
};

const FOOTER = `
The store is DATABASE_URL (default sqlite:./data/orgscim.db), the server's. Commands that only
read never create it. Output: a table on a terminal, JSON in /v1's field names otherwise (--json
forces it). Exit codes: 0 done, 1 failed, 2 used wrongly.
A new token is printed once; only its hash is stored.
Start the server with: npm start (node dist/main.js --help lists its environment).`;

/** How the command's store is opened: lazily, created only when the command may create one. */
function storeMode(spec: CommandSpec, opts: Options): "create" | "existing" | "none" {
  const mode = typeof spec.store === "function" ? spec.store(opts) : spec.store;
  return mode === "existing" && opts.create === true ? "create" : mode;
}

function addCommand(parent: Command, spec: CommandSpec, io: Io, clock: Clock, done: (code: number) => void): void {
  const name = spec.path[spec.path.length - 1]!;
  const cmd = parent.command(name).description(spec.summary);
  for (const a of spec.args) cmd.argument(`<${a.name}>`, a.description);
  for (const o of spec.options) {
    const option = new Option(o.flags, o.description);
    if (o.choices) option.choices(o.choices);
    if (o.required) option.makeOptionMandatory();
    if (o.repeatable) option.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(option);
  }
  if (spec.json) cmd.option("--json", "print the result as JSON (the default when stdout is not a terminal)");
  if (spec.quiet) cmd.option("-q, --quiet", "no messages or progress; errors only");
  if (spec.store === "existing") cmd.option("--create", "create the store when DATABASE_URL names none (an empty store)");
  const help = [spec.details ? `\n${wrap(spec.details)}` : "", "\nExamples:", ...spec.examples.map((e) => `  $ ${e}`)].join("\n");
  cmd.addHelpText("after", help);
  cmd.action(async (...params: unknown[]) => {
    const args = params.slice(0, spec.args.length).map(String);
    const opts = cmd.opts<Options>();
    let store: Store | null = null;
    const mode = storeMode(spec, opts);
    try {
      done(await spec.run({
        io, clock, args, opts,
        async store() {
          if (mode === "none") throw new Error(`${spec.path.join(" ")} names its stores itself`);
          store ??= await openCommandStore(io, { create: mode === "create" });
          return store;
        },
      }));
    } finally {
      await (store as Store | null)?.close();
    }
  });
}

function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** The program for one run: commander writes help and usage errors to `io`, and never exits the process. */
export function program(io: Io = processIo(), clock: Clock = systemClock, done: (code: number) => void = () => undefined): Command {
  const root = new Command("orgscim")
    .description("manage orgscim's organizations, tokens and data in the store the server uses (DATABASE_URL)")
    .version(VERSION, "-V, --version", "print the version")
    .helpCommand("help [command...]", "show the help of a command")
    .addHelpText("after", FOOTER);
  const configure = (c: Command): Command => c
    .exitOverride()
    .allowExcessArguments(false)
    .showHelpAfterError(`(run \`orgscim ${c === root ? "" : `${commandPath(c)} `}--help\` for its usage)`)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    });
  const groups = new Map<string, Command>();
  for (const spec of COMMANDS) {
    let parent = root;
    if (spec.path.length === 2) {
      const g = spec.path[0]!;
      if (!groups.has(g)) groups.set(g, root.command(g).description(GROUPS[g] ?? g));
      parent = groups.get(g)!;
    }
    addCommand(parent, spec, io, clock, done);
  }
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(root)) configure(c);
  return root;
}

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let at: Command | null = c; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/** Runs the command line; answers the exit code. */
export async function cli(argv: string[], io: Io = processIo(), clock: Clock = systemClock): Promise<number> {
  let code = 0;
  const root = program(io, clock, (c) => (code = c));
  if (argv.length === 0) {
    root.outputHelp();
    return 0;
  }
  try {
    await root.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version asked for answer 0; a group named without its command shows its help on stderr (exit 2).
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      if (e.code === "commander.help") return e.exitCode === 0 ? 0 : 2;
      return 2;
    }
    if (e instanceof UsageError) {
      io.stderr.write(`orgscim: ${forTerminal(e.message)}\n(run \`orgscim ${commandOf(argv)} --help\` for its usage)\n`);
      return 2;
    }
    if (e instanceof CliFailure || e instanceof DomainError) {
      io.stderr.write(`orgscim: ${forTerminal(e.message)}\n`);
      return 1;
    }
    io.stderr.write(`orgscim: ${forTerminal((e as Error).message ?? String(e))}\n`);
    return 1;
  }
}

/** The command words of argv (for the usage hint). */
function commandOf(argv: string[]): string {
  const [first, second] = argv;
  const spec = COMMANDS.find((s) => s.path[0] === first && (s.path.length === 1 || s.path[1] === second));
  return spec ? spec.path.join(" ") : "";
}

if (require.main === module) {
  cli(process.argv.slice(2)).then((code) => process.exit(code));
}
