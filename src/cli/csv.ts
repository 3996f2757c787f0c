/**
 * `orgscim import-csv --org ORG FILE [--dry-run]`: users from a spreadsheet. The header row names
 * a SCIM attribute a column; each row creates the user of its userName, or updates the user who
 * has it (without case). A cell sets its attribute as a PATCH `replace` would (an empty cell
 * leaves it alone), through the same use cases as SCIM (createUser, modifyUser), so every rule
 * applies: domain enforcement, unique userNames, role grants, audit. Each row is one transaction;
 * a failing row is reported with its line number and changes nothing. --dry-run is the same run
 * with every write rolled back: it reports what each row would do (create, revive, update and
 * what, unchanged) or why it would be refused, and changes nothing.
 *
 * Headers (without case): userName (required), givenName, familyName, middleName, displayName,
 * nickName, title, userType, locale, timezone, preferredLanguage, externalId, active, email
 * (the work email), phone (the work phone), orgRole (owner is never granted), department,
 * employeeNumber, costCenter, organization, division, manager (the manager's user id); or any
 * SCIM path: name.givenName, emails[type eq "home"].value,
 * urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department, ...
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { operatorActor, type Actor } from "../domain/actor";
import type { Clock } from "../domain/clock";
import { DomainError, Errors } from "../domain/errors";
import { canonical } from "../domain/portability";
import type { Store } from "../domain/ports/store";
import type { Organization, UserRecord } from "../domain/types";
import { createUser, modifyUser, type UserInput } from "../domain/users";
import { userInputOf, userPatchOf } from "../scim/resource-inputs";
import { applyPatch } from "../scim/patch/apply";
import { parsePatchRequest, PATCH_OP_URN } from "../scim/patch/parse-request";
import { parsePath } from "../scim/patch/path";
import { USERS } from "../scim/resource-types";
import { ENTERPRISE_SCHEMA, ORGSCIM_USER_SCHEMA, USER_SCHEMA } from "../scim/schemas";
import { patchableUser } from "../scim/user-resource";
import { rollingBack } from "./dry-run";
import { CliFailure, jsonOutput, printResult, type Io, type OutputOptions } from "./io";
import { progressBar } from "./progress";
import { lineForTerminal } from "./terminal";

/** Short headers and the SCIM paths they stand for. */
export const CSV_HEADERS: Readonly<Record<string, string>> = {
  username: "userName",
  givenname: "name.givenName",
  familyname: "name.familyName",
  middlename: "name.middleName",
  displayname: "displayName",
  nickname: "nickName",
  title: "title",
  usertype: "userType",
  locale: "locale",
  timezone: "timezone",
  preferredlanguage: "preferredLanguage",
  externalid: "externalId",
  active: "active",
  email: 'emails[type eq "work"].value',
  phone: 'phoneNumbers[type eq "work"].value',
  orgrole: `${ORGSCIM_USER_SCHEMA}:orgRole`,
  department: `${ENTERPRISE_SCHEMA}:department`,
  employeenumber: `${ENTERPRISE_SCHEMA}:employeeNumber`,
  costcenter: `${ENTERPRISE_SCHEMA}:costCenter`,
  organization: `${ENTERPRISE_SCHEMA}:organization`,
  division: `${ENTERPRISE_SCHEMA}:division`,
  manager: `${ENTERPRISE_SCHEMA}:manager.value`,
};

export type RowOutcome = "create" | "revive" | "update" | "unchanged" | "failed";

export interface RowResult {
  line: number;
  userName: string;
  outcome: RowOutcome;
  /** update: the attributes that change; failed: the reason. */
  detail: string;
}

/** The SCIM path of each column; throws naming the first header that is not a writable attribute. */
export function columnPaths(header: string[]): string[] {
  const paths = header.map((h) => CSV_HEADERS[h.trim().toLowerCase()] ?? h.trim());
  paths.forEach((path, i) => {
    try {
      const p = parsePath(path, USERS.schema);
      const def = p.kind === "attr" ? p.subDef ?? p.def : undefined;
      if (def?.mutability === "readOnly") throw Errors.mutability(path);
    } catch (e) {
      throw Errors.csvHeader(`Column ${i + 1} '${header[i]}' is not a SCIM attribute orgscim can set (${(e as Error).message}). Accepted: ${Object.keys(CSV_HEADERS).join(", ")}, or a SCIM path such as name.givenName.`);
    }
  });
  if (!paths.some((p) => p.toLowerCase() === "username")) throw Errors.csvHeader("The header row needs a userName column: it says which user a row is.");
  if (new Set(paths.map((p) => p.toLowerCase())).size !== paths.length) throw Errors.csvHeader("Two columns name the same attribute.");
  return paths;
}

const comparable = (i: UserInput) => ({ data: i.data, orgRole: i.orgRole, twoFactorRequired: i.twoFactorRequired, passwordResetRequired: i.passwordResetRequired });

/** The top-level attributes on which two inputs differ. */
function changedAttributes(before: UserInput, after: UserInput): string[] {
  const keys = new Set([...Object.keys(before.data), ...Object.keys(after.data)]);
  const changed = [...keys].filter((k) => canonical(before.data[k]) !== canonical(after.data[k]));
  for (const k of ["orgRole", "twoFactorRequired", "passwordResetRequired"] as const) {
    if (after[k] !== undefined && canonical(before[k]) !== canonical(after[k])) changed.push(k);
  }
  return changed;
}

/** The line a record starts on: csv-parse counts to its end, and a quoted cell may span lines. */
function firstLine(r: { info: { lines: number }; raw: string }): number {
  const body = r.raw.replace(/^(?:\r?\n)+/, "").replace(/\r?\n$/, "");
  return r.info.lines - (body.match(/\n/g)?.length ?? 0);
}

/**
 * Reads the file (RFC 4180; a header may hold SCIM paths with quotes unescaped, such as
 * emails[type eq "home"].value): the column paths and, a row each, its first line and cells.
 */
export function readCsv(text: string): { paths: string[]; rows: Array<{ line: number; cells: string[] }> } {
  let records: Array<{ info: { lines: number }; raw: string; record: string[] }>;
  try {
    records = parse(text, { info: true, raw: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, relax_quotes: true }) as unknown as typeof records;
  } catch (e) {
    const at = (e as { lines?: number }).lines;
    throw Errors.csvHeader(`${at ? `line ${at}: ` : ""}the file is not valid CSV (${(e as Error).message}).`);
  }
  const [head, ...rest] = records;
  if (!head) throw Errors.csvHeader("The file is empty: it needs a header row naming the columns.");
  return { paths: columnPaths(head.record), rows: rest.map((r) => ({ line: firstLine(r), cells: r.record })) };
}

/**
 * Applies each row through the SCIM use cases (createUser, modifyUser) as the operator; answers a
 * result a row, in file order. A dry run is the same run on a store whose writes are rolled back
 * (./dry-run.ts): it meets exactly the checks, refusals and outcomes of the real run.
 */
export async function importCsvRows(
  deps: { store: Store; clock: Clock },
  org: Organization,
  paths: string[],
  rows: Array<{ line: number; cells: string[] }>,
  options: { dryRun: boolean; onRow?: (done: number) => void },
): Promise<RowResult[]> {
  const run = { store: options.dryRun ? rollingBack(deps.store) : deps.store, clock: deps.clock };
  const actor = operatorActor(org, "cli import-csv");
  const userNameAt = paths.findIndex((p) => p.toLowerCase() === "username");
  const seen = new Map<string, number>();
  const results: RowResult[] = [];
  for (const [i, { line, cells }] of rows.entries()) {
    const userName = cells[userNameAt] ?? "";
    try {
      if (cells.length !== paths.length) throw Errors.invalidValue(`the row has ${cells.length} cells; the header names ${paths.length} columns.`);
      if (userName === "") throw Errors.userNameRequired();
      const before = seen.get(userName.toLowerCase());
      if (before !== undefined) throw Errors.invalidValue(`userName '${userName}' is on line ${before} already; a user is one row.`);
      seen.set(userName.toLowerCase(), line);
      const body = { schemas: [PATCH_OP_URN], Operations: paths.flatMap((path, c) => (cells[c] === "" ? [] : [{ op: "replace", path, value: cells[c] }])) };
      const current = await run.store.users.findByUserName(org.id, userName);
      results.push(current ? await updateRow(run, actor, current, body, line) : await createRow(run, actor, body, line, userName));
    } catch (e) {
      if (!(e instanceof DomainError) && !(e instanceof Error)) throw e;
      results.push({ line, userName, outcome: "failed", detail: `${e.message}${e instanceof DomainError ? ` [${e.code}]` : ""}` });
    }
    options.onRow?.(i + 1);
  }
  return results;
}

async function createRow(deps: { store: Store; clock: Clock }, actor: Actor, body: unknown, line: number, userName: string): Promise<RowResult> {
  // The CSV's own PATCH bodies are orgscim's, not an identity provider's: read in the compatible profile.
  const resource = applyPatch({ schemas: [USER_SCHEMA] }, parsePatchRequest(body, USERS.schema, "compatible"));
  const input = userInputOf(resource, "compatible");
  const { outcome } = await createUser(deps, actor, input);
  return { line, userName, outcome: outcome === "revived" ? "revive" : "create", detail: Object.keys(input.data).join(", ") };
}

async function updateRow(deps: { store: Store; clock: Clock }, actor: Actor, current: UserRecord, body: unknown, line: number): Promise<RowResult> {
  const transform = userPatchOf(body, "compatible");
  const same = userInputOf({ ...patchableUser(current), schemas: [USER_SCHEMA] }, "compatible");
  const next = transform(current);
  if (canonical(comparable(same)) === canonical(comparable(next))) return { line, userName: current.userName, outcome: "unchanged", detail: "" };
  const changed = changedAttributes(same, next).join(", ");
  await modifyUser(deps, actor, current.id, undefined, transform);
  return { line, userName: current.userName, outcome: "update", detail: changed };
}

const VERBS: Record<"dry" | "real", Record<RowOutcome, string>> = {
  dry: { create: "would create", revive: "would revive", update: "would update", unchanged: "unchanged", failed: "error" },
  real: { create: "created", revive: "revived", update: "updated", unchanged: "unchanged", failed: "error" },
};

/** The command: answers the exit code (0 every row applied, or would be; 1 some failed). */
export async function importCsvCommand(store: Store, clock: Clock, io: Io, args: { org: string; file: string; dryRun: boolean } & OutputOptions): Promise<number> {
  const org = await store.orgs.get(args.org);
  if (!org) throw new CliFailure(`No organization ${args.org} in this store. List them with: orgscim orgs list`);
  let parsed;
  try {
    parsed = readCsv(readFileSync(args.file, "utf8"));
  } catch (e) {
    throw new CliFailure(`${args.file}: ${(e as Error).message}`);
  }
  const progress = progressBar(io.stderr, { label: args.dryRun ? "dry run" : "import-csv", total: parsed.rows.length, unit: "rows", quiet: args.quiet === true || jsonOutput(io, args) });
  const results = await importCsvRows({ store, clock }, org, parsed.paths, parsed.rows, { dryRun: args.dryRun, onRow: (n) => progress.update(n) });
  progress.finish();
  const verb = VERBS[args.dryRun ? "dry" : "real"];
  const count = (o: RowOutcome) => results.filter((r) => r.outcome === o).length;
  const counts = Object.fromEntries((Object.keys(verb) as RowOutcome[]).map((o) => [o, count(o)]));
  const json = jsonOutput(io, args);
  for (const r of results) {
    const text = `line ${r.line}: ${verb[r.outcome]} ${lineForTerminal(r.userName)}${r.detail ? ` (${lineForTerminal(r.detail)})` : ""}`;
    if (r.outcome === "failed") io.stderr.write(`${text}\n`); // errors on stderr, also under --json and --quiet
    else if (!args.quiet && !json) io.stdout.write(`${text}\n`);
  }
  printResult(io, args, {
    file: args.file, dry_run: args.dryRun, counts,
    rows: results.map((r) => ({ line: r.line, user_name: r.userName, outcome: r.outcome, detail: r.detail })),
  }, () => `${results.length} rows${args.dryRun ? " (dry run: nothing was changed)" : ""}: ${(Object.keys(verb) as RowOutcome[]).filter((o) => o !== "failed").map((o) => `${count(o)} ${verb[o]}`).join(", ")}, ${count("failed")} failed.`);
  return count("failed") === 0 ? 0 : 1;
}
