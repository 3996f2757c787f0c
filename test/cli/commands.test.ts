/**
 * The command line as a person and a script meet it, generated from the command list
 * (src/cli/main.ts COMMANDS): every command's help, misplaced options and arguments, missing
 * required options, exit codes (0 done, 1 failed, 2 used wrongly), a missing store never created,
 * and output in /v1's field names (a table on a terminal).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMANDS } from "../../src/cli/main";
import type { CommandSpec } from "../../src/cli/spec";
import { runCli } from "./run-cli";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const name = (c: CommandSpec) => c.path.join(" ");
const flagOf = (flags: string) => /--[a-z0-9-]+/.exec(flags)![0];
/** Every option any command takes. */
const ALL_FLAGS = [...new Set([...COMMANDS.flatMap((c) => c.options.map((o) => flagOf(o.flags))), "--json", "--quiet", "--create"])];
const takes = (c: CommandSpec, flag: string) =>
  c.options.some((o) => flagOf(o.flags) === flag) || (flag === "--json" && c.json) || (flag === "--quiet" && c.quiet) || (flag === "--create" && c.store === "existing");

/** A complete, well-formed command line for `c`: its arguments and required options with their examples. */
function lineOf(c: CommandSpec): string[] {
  const out = [...c.path];
  for (const o of c.options.filter((x) => x.required)) out.push(flagOf(o.flags), o.example ?? "x");
  for (const a of c.args) out.push(a.example);
  return out;
}

const envFor = (file: string) => ({ ...process.env, DATABASE_URL: `sqlite:${file}` });

describe("the program", () => {
  it("prints its version with --version and -V (exit 0)", async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) expect(await runCli([flag])).toEqual({ result: 0, out: `${version}\n`, err: "" });
  });

  it("prints the list of commands with no argument, --help and help (exit 0)", async () => {
    for (const argv of [[], ["--help"], ["help"]]) {
      const r = await runCli(argv);
      expect(r.result).toBe(0);
      expect(r.out).toContain("Usage: orgscim [options] [command]");
      for (const c of COMMANDS) expect(r.out).toContain(`  ${c.path[0]}`);
      expect(r.out).toContain("Exit codes: 0 done, 1 failed, 2 used wrongly.");
    }
  });

  it("refuses an unknown command with exit 2 and a pointer to the help", async () => {
    const r = await runCli(["nope"]);
    expect(r).toMatchObject({ result: 2, out: "" });
    expect(r.err).toContain("unknown command 'nope'");
    expect(r.err).toContain("orgscim --help");
  });

  it("shows a group's commands when it is named alone (orgs: no longer 'Unknown command'), exit 2", async () => {
    for (const group of ["orgs", "tokens"]) {
      const r = await runCli([group]);
      expect(r.result).toBe(2);
      expect(r.err).toContain(`Usage: orgscim ${group} [options] [command]`);
      for (const c of COMMANDS.filter((x) => x.path[0] === group)) expect(r.err).toContain(`  ${c.path[1]}`);
    }
  });
});

describe.each(COMMANDS.map((c) => [name(c), c] as const))("orgscim %s", (_n, c) => {
  it("has its own help, with its options and examples (--help, -h and help <command>), exit 0", async () => {
    for (const argv of [[...c.path, "--help"], [...c.path, "-h"], ["help", ...c.path.slice(0, 1)], ...(c.path.length === 2 ? [[c.path[0]!, "help", c.path[1]!]] : [])]) {
      const r = await runCli(argv);
      expect([argv, r.result, r.err]).toEqual([argv, 0, ""]);
      if (argv.length === 2 && argv[0] === "help" && c.path.length === 2) continue; // help of the group
      expect(r.out).toContain(`Usage: orgscim ${name(c)}`);
      for (const o of c.options) expect(r.out).toContain(flagOf(o.flags));
      for (const e of c.examples) expect(r.out).toContain(`$ ${e}`);
    }
  });

  it("refuses every option that belongs to another command with exit 2, its usage pointer, and does nothing", async () => {
    const db = join(dir, `misplaced-${c.path.join("-")}.db`);
    for (const flag of ALL_FLAGS.filter((f) => !takes(c, f))) {
      const r = await runCli([...lineOf(c), flag, "1"], { env: envFor(db) });
      expect([flag, r.result]).toEqual([flag, 2]);
      expect(r.err).toContain(`unknown option '${flag}'`);
      expect(r.err).toContain(`orgscim ${name(c)} --help`);
      expect(r.out).toBe("");
    }
    expect(existsSync(db)).toBe(false);
  });

  it("refuses an argument too many and each missing required option or argument with exit 2", async () => {
    const db = join(dir, `missing-${c.path.join("-")}.db`);
    const extra = await runCli([...lineOf(c), "surplus"], { env: envFor(db) });
    expect(extra.result).toBe(2);
    expect(extra.err).toMatch(/too many arguments/);
    for (const o of c.options.filter((x) => x.required)) {
      const line = lineOf(c);
      const at = line.indexOf(flagOf(o.flags));
      line.splice(at, 2);
      const r = await runCli(line, { env: envFor(db) });
      expect([o.flags, r.result]).toEqual([o.flags, 2]);
      expect(r.err).toContain(`required option '${o.flags}' not specified`);
    }
    if (c.args.length > 0) {
      const r = await runCli(lineOf(c).slice(0, -1), { env: envFor(db) });
      expect(r.result).toBe(2);
      expect(r.err).toContain(`missing required argument '${c.args[c.args.length - 1]!.name}'`);
    }
    expect(existsSync(db)).toBe(false);
  });

  if (c.store === "existing") {
    it("fails on a missing store with exit 1, naming its path, and creates nothing (no folder either)", async () => {
      const folder = join(dir, `absent-${c.path.join("-")}`);
      const db = join(folder, "orgscim.db");
      const line = lineOf(c);
      // A command that must be told what to change gets something to change.
      if (name(c) === "orgs settings") line.push("--deprovision", "delete");
      const r = await runCli(line, { env: envFor(db) });
      expect(r.result).toBe(1);
      expect(r.err).toContain(`No orgscim store at ${db} (DATABASE_URL is sqlite:${db})`);
      expect(r.err).not.toContain("Usage:");
      expect(existsSync(folder)).toBe(false);
    });
  }
});

describe("output and exit codes", () => {
  const db = () => join(dir, "out.db");
  const env = () => envFor(db());

  it("orgs create makes the store (a command that writes); orgs list reads it: JSON in /v1's field names off a terminal, a table on one", async () => {
    const created = await runCli(["orgs", "create", "--name", "Acme", "--domain-enforcement", "off"], { env: env() });
    expect(created.result).toBe(0);
    const org = JSON.parse(created.out) as Record<string, unknown>;
    expect(org).toMatchObject({ sid: expect.stringMatching(/^OR[0-9a-f]{32}$/), friendly_name: "Acme", domain_enforcement: false });
    expect(Object.keys(org).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    const listed = await runCli(["orgs", "list"], { env: env() });
    expect(JSON.parse(listed.out)).toEqual([org]);
    const table = await runCli(["orgs", "list"], { env: env(), tty: true });
    expect(table.out.split("\n")[0]).toMatch(/^SID\s+FRIENDLY_NAME\s+DOMAIN_ENFORCEMENT/);
    expect(table.out).toContain(`${String(org.sid)}  Acme`);
    const forced = await runCli(["orgs", "list", "--json"], { env: env(), tty: true });
    expect(JSON.parse(forced.out)).toEqual([org]);
  });

  it("tokens create shows the secret once (JSON .token off a terminal); tokens list never shows it; revoke answers the revoked token", async () => {
    const [org] = JSON.parse((await runCli(["orgs", "list"], { env: env() })).out) as Array<{ sid: string }>;
    const made = await runCli(["tokens", "create", "--org", org!.sid, "--scopes", "scim,admin", "--name", "ci"], { env: env() });
    expect(made.result).toBe(0);
    const body = JSON.parse(made.out) as { sid: string; token: string; friendly_name: string; scopes: string[] };
    expect(body).toMatchObject({ friendly_name: "ci", scopes: ["scim", "admin"], token: expect.stringMatching(/^osk_[0-9a-f]{32}_/) });
    const human = await runCli(["tokens", "create", "--org", org!.sid], { env: env(), tty: true });
    expect(human.out).toMatch(/Token \(shown once, stored only as a hash\):\n\n {2}osk_/);
    for (const tty of [true, false]) {
      const quiet = await runCli(["tokens", "create", "--org", org!.sid, "--quiet"], { env: env(), tty });
      expect(quiet.out).toMatch(/^osk_[0-9a-f]{32}_\S+\n$/); // the secret alone, for TOKEN=$(...)
    }
    const list = await runCli(["tokens", "list", "--org", org!.sid], { env: env() });
    // The secret is all that follows "osk_<32 hex>_" (base64url: it may itself hold "_", or start with one).
    expect(list.out).not.toContain(body.token.slice("osk_".length + 32 + 1));
    expect(list.out).not.toMatch(/secret|hash/i);
    const revoked = await runCli(["tokens", "revoke", "--org", org!.sid, body.sid], { env: env() });
    expect(revoked.result).toBe(0);
    expect(JSON.parse(revoked.out)).toMatchObject({ sid: body.sid, date_revoked: expect.any(String) });
  });

  it("answers 1 without the usage for a failure (an organization the store does not have, a token already gone), 2 with it for a malformed value", async () => {
    const missing = await runCli(["tokens", "list", "--org", `OR${"0".repeat(32)}`], { env: env() });
    expect(missing.result).toBe(1);
    expect(missing.err).toContain("No organization");
    expect(missing.err).not.toContain("--help");
    const [org] = JSON.parse((await runCli(["orgs", "list"], { env: env() })).out) as Array<{ sid: string }>;
    const gone = await runCli(["tokens", "revoke", "--org", org!.sid, `TK${"0".repeat(32)}`], { env: env() });
    expect(gone.result).toBe(1);
    const malformed = await runCli(["tokens", "list", "--org", "acme"], { env: env() });
    expect(malformed.result).toBe(2);
    expect(malformed.err).toContain("OR followed by 32 hex digits, got 'acme'");
    expect(malformed.err).toContain("orgscim tokens list --help");
    const choice = await runCli(["orgs", "settings", org!.sid, "--deprovision", "erase"], { env: env() });
    expect(choice.result).toBe(2);
    expect(choice.err).toContain("Allowed choices are remove, delete");
    const scope = await runCli(["tokens", "create", "--org", org!.sid, "--scopes", "root"], { env: env() });
    expect([scope.result, scope.err.includes("Unknown scope 'root'")]).toEqual([2, true]);
  });

  it("sets the SCIM profile with --scim-profile on create and settings, and refuses another value with exit 2", async () => {
    const made = await runCli(["orgs", "create", "--name", "Strict", "--scim-profile", "strict", "--json"], { env: env() });
    expect(made.result).toBe(0);
    const org = JSON.parse(made.out) as { sid: string; scim_profile: string };
    expect(org.scim_profile).toBe("strict");
    const back = await runCli(["orgs", "settings", org.sid, "--scim-profile", "compatible", "--json"], { env: env() });
    expect([back.result, (JSON.parse(back.out) as { scim_profile: string }).scim_profile]).toEqual([0, "compatible"]);
    const bad = await runCli(["orgs", "settings", org.sid, "--scim-profile", "lenient"], { env: env() });
    expect(bad.result).toBe(2);
    expect(bad.err).toContain("Allowed choices are compatible, strict");
  });

  it("--create makes an empty store for a command that only reads", async () => {
    const file = join(dir, "new", "created.db");
    const r = await runCli(["orgs", "list", "--create"], { env: envFor(file) });
    expect([r.result, JSON.parse(r.out)]).toEqual([0, []]);
    expect(existsSync(file)).toBe(true);
  });

  it("import --batch-size takes a whole number from 1 to 100000 (exit 2 otherwise)", async () => {
    const file = join(dir, "x.ndjson");
    writeFileSync(file, "");
    for (const bad of ["0", "1.5", "lots", "100001"]) {
      const r = await runCli(["import", "--org", `OR${"0".repeat(32)}`, file, "--batch-size", bad], { env: env() });
      expect([bad, r.result]).toEqual([bad, 2]);
      expect(r.err).toContain("--batch-size takes a whole number from 1 to 100000");
    }
  });
});
