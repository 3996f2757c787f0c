/**
 * `orgscim export`, `import`, `import-csv`, `migrate` and `backup`: moving an organization's data
 * in and out (./export.ts, ./import.ts, ./csv.ts, ./migrate.ts, ./backup.ts hold the work; this
 * file says how each is called). See ./spec.ts for what a command declares.
 */
import { loadConfig } from "../config/config";
import { createTxtResolver } from "../infra/dns";
import { backupSqlite, BackupError } from "./backup";
import { importCsvCommand } from "./csv";
import { exportCommand } from "./export";
import { importCommand } from "./import";
import { CliFailure, jsonOutput, printResult, say, UsageError } from "./io";
import { checksBody, describeChecks, migrateStores } from "./migrate";
import type { CommandSpec } from "./spec";
import { openUrl } from "./store-access";

const ORG = "OR0123456789abcdef0123456789abcdef";
const org = { flags: "--org <sid>", description: "the organization (OR...)", required: true, example: ORG } as const;

function batchSizeOf(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= 1 && n <= 100_000)) throw new UsageError(`--batch-size takes a whole number from 1 to 100000, got '${String(v)}'.`);
  return n;
}

const storeUrl = (v: unknown, flag: string): string => {
  const url = String(v);
  if (!/^(sqlite:|mongodb:\/\/|mongodb\+srv:\/\/)/.test(url)) throw new UsageError(`${flag} takes sqlite:<path> or mongodb://..., got '${url}'.`);
  return url;
};

export const DATA_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["export"],
    summary: "write one organization as NDJSON, one record a line (to stdout without --out)",
    details: "Every record in every state: users (managed, pending, suspended, independent), accounts (open and closed), role assignments, groups, domains, invitations, settings; with --tokens the API tokens' hashes, with --audit the audit log. The file is written next to --out and renamed into place once complete.",
    args: [],
    options: [
      org,
      { flags: "--out <file>", description: "write to this file instead of stdout", example: "acme.ndjson" },
      { flags: "--force", description: "replace --out when it exists" },
      { flags: "--tokens", description: "add the API tokens (their hashes only)" },
      { flags: "--audit", description: "add the audit log, oldest first" },
    ],
    examples: [`orgscim export --org ${ORG} --out acme.ndjson --tokens --audit`, `orgscim export --org ${ORG} | gzip > acme.ndjson.gz`],
    store: "existing", json: false, quiet: true,
    async run(ctx) {
      const o = ctx.opts;
      const out = o.out === undefined ? undefined : String(o.out);
      const lines = await exportCommand(await ctx.store(), ctx.clock, ctx.io.stdout, {
        org: String(o.org), out, force: o.force === true, tokens: o.tokens === true, audit: o.audit === true,
      });
      if (out) say(ctx.io, o, `Wrote ${lines.toLocaleString("en")} lines to ${out}.`);
      return 0;
    },
  },
  {
    path: ["import"],
    summary: "replay an export into an organization, idempotently (creates it when the file is its own export)",
    details: "Every line is checked as the API would check it; a refused line is printed with its number and reason and nothing of it is applied (exit 1). A file is trusted for nothing it could grant: its verified domains arrive pending (unless --verify-domains finds their DNS token now), its API tokens and pending invitations' tokens are left out (unless --tokens), its audit events are kept as imported history.",
    args: [{ name: "file", description: "the export (NDJSON)", example: "acme.ndjson" }],
    options: [
      org,
      { flags: "--batch-size <n>", description: "lines a transaction (default 2000)", example: "500" },
      { flags: "--tokens", description: "keep the file's API tokens and pending invitations' tokens (only for a file you made)" },
      { flags: "--verify-domains", description: "ask DNS (DNS_SERVERS) whether the file's verified domains still publish their token; those that do stay verified" },
    ],
    examples: [`orgscim import --org ${ORG} acme.ndjson`, `orgscim import --org ${ORG} acme.ndjson --tokens --verify-domains --json`],
    store: "create", json: true, quiet: true,
    async run(ctx) {
      const o = ctx.opts;
      const batchSize = batchSizeOf(o.batchSize);
      const config = loadConfig(ctx.io.env);
      return importCommand(await ctx.store(), ctx.clock, ctx.io, {
        org: String(o.org), file: ctx.args[0]!, json: o.json === true, quiet: o.quiet === true,
        ...(batchSize ? { batchSize } : {}), ...(o.tokens ? { tokens: true } : {}),
        ...(o.verifyDomains ? { resolver: createTxtResolver({ servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT_MS }) } : {}),
      });
    },
  },
  {
    path: ["import-csv"],
    summary: "create or update users from a CSV file, one row a user, through the same rules as SCIM",
    details: "The header row names a SCIM attribute a column: userName (required), givenName, familyName, middleName, displayName, nickName, title, userType, locale, timezone, preferredLanguage, externalId, active, email, phone, orgRole, department, employeeNumber, costCenter, organization, division, manager, or any SCIM path (name.givenName, emails[type eq \"home\"].value). Each row is one transaction; a refused row is printed with its line number. --dry-run is the real run rolled back: it reports exactly what the real run would do and refuse.",
    args: [{ name: "file", description: "the CSV file", example: "users.csv" }],
    options: [org, { flags: "--dry-run", description: "report what each row would do; change nothing" }],
    examples: [`orgscim import-csv --org ${ORG} users.csv --dry-run`, `orgscim import-csv --org ${ORG} users.csv --quiet`],
    store: "existing", json: true, quiet: true,
    async run(ctx) {
      const o = ctx.opts;
      return importCsvCommand(await ctx.store(), ctx.clock, ctx.io, { org: String(o.org), file: ctx.args[0]!, dryRun: o.dryRun === true, json: o.json === true, quiet: o.quiet === true });
    },
  },
  {
    path: ["migrate"],
    summary: "copy every organization (or those named) to another store, then verify each by its whole export",
    details: "Works on the two stores it names, not on DATABASE_URL. Ids, tokens and the audit log are kept; every line still passes the import's checks. The verdict of an organization is OK only when none of its lines was refused and the target's export equals the source's, line for line. Running it again is safe: the import is idempotent.",
    args: [],
    options: [
      { flags: "--from <url>", description: "the source store (it must exist)", required: true, example: "sqlite:./data/orgscim.db" },
      { flags: "--to <url>", description: "the target store (created when missing)", required: true, example: "mongodb://db:27017/orgscim" },
      { flags: "--org <sid>", description: "only this organization (repeatable)", repeatable: true, example: ORG },
    ],
    examples: ["orgscim migrate --from sqlite:./data/orgscim.db --to mongodb://db:27017/orgscim", `orgscim migrate --from sqlite:./a.db --to sqlite:./b.db --org ${ORG} --json`],
    store: "none", json: true, quiet: true,
    async run(ctx) {
      const o = ctx.opts;
      const from = storeUrl(o.from, "--from");
      const to = storeUrl(o.to, "--to");
      if (from === to) throw new UsageError("--from and --to name the same store.");
      const source = await openUrl(from, { create: false, what: "--from", offerCreate: false });
      try {
        const target = await openUrl(to, { create: true, what: "--to" });
        try {
          const json = jsonOutput(ctx.io, o);
          const orgs = o.org as string[] | undefined;
          const result = await migrateStores(source, target, ctx.clock, {
            ...(orgs ? { orgs } : {}),
            ...(o.quiet || json ? {} : { log: (s: string) => ctx.io.stderr.write(s), progress: ctx.io.stderr }),
          }).catch((e: unknown) => {
            throw e instanceof Error && /^No organization/.test(e.message) ? new CliFailure(e.message) : e;
          });
          const ok = result.checks.every((c) => c.ok) && result.failedLines === 0;
          printResult(ctx.io, { json: o.json === true }, checksBody(result.checks), () => [
            describeChecks(result.checks),
            ok ? `Migrated ${result.checks.length} organization(s) from ${source.kind} to ${target.kind}; each verified by its whole export.`
              : "Migration incomplete: see the failing lines and checks above; fix them and run migrate again (it is idempotent).",
          ].join("\n"));
          return ok ? 0 : 1;
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    },
  },
  {
    path: ["backup"],
    summary: "a consistent copy of the SQLite store (DATABASE_URL), safe while the server runs",
    details: "SQLite's online backup API, checked (quick_check) before the copy is renamed into place. Restore: stop the server and put the file at the DATABASE_URL path. MongoDB: use mongodump and mongorestore.",
    args: [],
    options: [
      { flags: "--out <file>", description: "the copy", required: true, example: "backup.db" },
      { flags: "--force", description: "replace --out when it exists" },
    ],
    examples: ["orgscim backup --out /backups/orgscim-$(date +%F).db"],
    store: "none", json: true, quiet: true,
    async run(ctx) {
      const o = ctx.opts;
      let r;
      try {
        r = await backupSqlite(loadConfig(ctx.io.env).DATABASE_URL, String(o.out), { force: o.force === true });
      } catch (e) {
        throw e instanceof BackupError ? new CliFailure(e.message) : e;
      }
      printResult(ctx.io, o, {
        source: r.source, out: r.out, schema_version: r.schemaVersion, users: r.users, groups: r.groups, bytes: r.bytes, ms: r.ms, quick_check: "ok",
      }, () => `Backed up ${r.source} to ${r.out}: schema version ${r.schemaVersion ?? "none"}, ${r.users} users, ${r.groups} groups, ` +
        `${(r.bytes / 1048576).toFixed(1)} MB in ${r.ms} ms; quick_check ok. Restore: stop the server and put this file at the DATABASE_URL path (README: Backups).`);
      return 0;
    },
  },
];
