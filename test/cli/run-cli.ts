/** Runs the CLI in this process with its output captured: stdout a terminal (`tty`, tables and text) or a pipe (JSON). */
import { cli } from "../../src/cli/main";
import type { Io } from "../../src/cli/io";

export interface CliRun {
  result: number;
  out: string;
  err: string;
}

export async function runCli(argv: string[], o: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string) => ((out += s), true), isTTY: o.tty === true, columns: 200 },
    stderr: { write: (s: string) => ((err += s), true), isTTY: false },
    env: o.env ?? process.env,
  };
  const result = await cli(argv, io);
  return { result, out, err };
}
