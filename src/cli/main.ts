/**
 * `npx orgscim ...`: manage organizations and tokens in the same store the server uses
 * (DATABASE_URL). Prints JSON for list commands so scripts can read it.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/config";
import { systemClock } from "../domain/clock";
import { createOrganization, updateOrgSettings } from "../domain/orgs";
import type { Store } from "../domain/ports/store";
import { actorName, operatorActor } from "../domain/actor";
import { createToken, revokeToken } from "../domain/tokens";
import { SCOPES, type OrgSettings, type Scope } from "../domain/types";
import { openStore } from "../store/open";
import { backupCommand } from "./backup";
import { importCsvCommand } from "./csv";
import { exportCommand } from "./export";
import { importCommand } from "./import";
import { describeChecks, migrateStores } from "./migrate";

const HELP = `orgscim: manage organizations and API tokens (store: DATABASE_URL, default sqlite:./data/orgscim.db)

  orgscim orgs create --name NAME [--domain-enforcement on|off] [--role-groups on|off] [--deprovision remove|delete]
  orgs list
  orgs settings ORG_ID [--domain-enforcement on|off] [--role-groups on|off] [--deprovision remove|delete]
  tokens create --org ORG_ID [--scopes scim,admin] [--name NAME] [--user USER_ID]
  tokens list --org ORG_ID
  tokens revoke --org ORG_ID TOKEN_ID
  export --org ORG_ID [--out FILE] [--tokens] [--audit]
                       the organization as NDJSON, one record a line (to stdout without --out);
                       --tokens and --audit add API token hashes and the audit log
  import --org ORG_ID FILE [--batch-size N]
                       replays an export, idempotently; creates ORG_ID when FILE is its own export
  import-csv --org ORG_ID FILE [--dry-run]
                       users from CSV (header: userName,givenName,familyName,email,externalId,active,
                       orgRole,... or SCIM paths); --dry-run shows what each row would do, changes nothing
  migrate --from URL --to URL [--org ORG_ID]
                       copies every organization (ids, tokens, audit log) to another store, e.g.
                       --from sqlite:./data/orgscim.db --to mongodb://host/orgscim, then verifies
  backup --out FILE [--force]
                       a consistent copy of the SQLite store, safe while the server runs (SQLite's
                       online backup API), checked before it is written; MongoDB: mongodump

A new token is printed once; only its hash is stored.
Start the server with: npm start (see node dist/main.js --help for its environment).`;

class UsageError extends Error {}

function onOff(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === "on" || v === "true") return true;
  if (v === "off" || v === "false") return false;
  throw new UsageError(`--${name} takes on or off, got '${v}'.`);
}

function settingsFrom(values: Record<string, string | boolean | undefined>): Partial<OrgSettings> {
  const s: Partial<OrgSettings> = {};
  const de = onOff("domain-enforcement", values["domain-enforcement"] as string | undefined);
  if (de !== undefined) s.domainEnforcement = de;
  const rg = onOff("role-groups", values["role-groups"] as string | undefined);
  if (rg !== undefined) s.exposeRoleGroups = rg;
  const dp = values.deprovision as string | undefined;
  if (dp !== undefined) {
    if (dp !== "remove" && dp !== "delete") throw new UsageError(`--deprovision takes remove or delete, got '${dp}'.`);
    s.deprovision = dp;
  }
  return s;
}

function parseScopes(text: string): Scope[] {
  const scopes = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new UsageError(`Unknown scope '${s}'. Scopes: ${SCOPES.join(", ")}.`);
  if (scopes.length === 0) throw new UsageError("--scopes needs at least one scope.");
  return scopes as Scope[];
}

async function run(store: Store, argv: string[]): Promise<number | void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" }, org: { type: "string" }, scopes: { type: "string" }, user: { type: "string" },
      "domain-enforcement": { type: "string" }, deprovision: { type: "string" }, "role-groups": { type: "string" },
      out: { type: "string" }, tokens: { type: "boolean" }, audit: { type: "boolean" }, "dry-run": { type: "boolean" }, "batch-size": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [noun, verb, arg] = positionals;
  const clock = systemClock;
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new UsageError(`Missing ${what}.`);
    return v;
  };
  const orgOf = async (id: string) => {
    const org = await store.orgs.get(id);
    if (!org) throw new UsageError(`No organization ${id}. List them with: orgscim orgs list`);
    return org;
  };

  switch (noun) {
    case "export": {
      if (verb) throw new UsageError(`export takes no positional argument (got '${verb}'); write to a file with --out FILE.`);
      const lines = await exportCommand(store, clock, { org: need(values.org, "--org"), out: values.out, tokens: values.tokens ?? false, audit: values.audit ?? false });
      if (values.out) console.error(`Wrote ${lines} lines to ${values.out}.`);
      return 0;
    }
    case "import": {
      const batch = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
      if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 100000)) throw new UsageError("--batch-size takes a whole number from 1 to 100000.");
      return importCommand(store, clock, { org: need(values.org, "--org"), file: need(verb, "FILE"), ...(batch ? { batchSize: batch } : {}) });
    }
    case "import-csv":
      return importCsvCommand(store, clock, { org: need(values.org, "--org"), file: need(verb, "FILE"), dryRun: values["dry-run"] ?? false });
  }

  switch (`${noun ?? ""} ${verb ?? ""}`) {
    case "orgs create": {
      const org = await createOrganization(store, clock, { name: need(values.name, "--name"), settings: settingsFrom(values) });
      console.log(JSON.stringify(org, null, 2));
      return;
    }
    case "orgs list":
      console.log(JSON.stringify(await store.orgs.list(), null, 2));
      return;
    case "orgs settings": {
      const org = await orgOf(need(arg, "ORG_ID"));
      const next = await updateOrgSettings(store, clock, org, settingsFrom(values), actorName(operatorActor(org, "cli orgs settings")));
      console.log(JSON.stringify(next, null, 2));
      return;
    }
    case "tokens create": {
      const org = await orgOf(need(values.org, "--org"));
      const issued = await createToken({ store, clock }, operatorActor(org, "cli tokens create"), {
        name: values.name ?? "cli token", scopes: parseScopes(values.scopes ?? "scim"), userId: values.user ?? null,
      });
      console.error(`Token ${issued.token.id} for ${org.id} (${issued.token.scopes.join(",")}). Shown once:`);
      console.log(issued.plaintext);
      return;
    }
    case "tokens list": {
      const org = await orgOf(need(values.org, "--org"));
      const tokens = (await store.tokens.list(org.id)).map(({ secretHash: _h, ...t }) => t);
      console.log(JSON.stringify(tokens, null, 2));
      return;
    }
    case "tokens revoke": {
      const org = await orgOf(need(values.org, "--org"));
      const id = need(arg, "TOKEN_ID");
      const token = await store.tokens.get(id);
      if (!token || token.orgId !== org.id || token.revoked) throw new UsageError(`No active token ${id} in ${org.id}.`);
      await revokeToken({ store, clock }, operatorActor(org, "cli tokens revoke"), id);
      console.log(`Revoked ${arg}.`);
      return;
    }
    default:
      throw new UsageError(noun || verb ? `Unknown command '${positionals.join(" ")}'.` : "");
  }
}

/** `migrate`: works on the two stores it names, not on DATABASE_URL. */
async function migrate(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { from: { type: "string" }, to: { type: "string" }, org: { type: "string", multiple: true } } });
  if (positionals.length > 0) throw new UsageError(`migrate takes no positional argument (got '${positionals.join(" ")}').`);
  const from = values.from;
  const to = values.to;
  if (!from || !to) throw new UsageError("migrate needs --from URL and --to URL (sqlite:<path> or mongodb://...).");
  if (from === to) throw new UsageError("--from and --to name the same store.");
  const sqlitePath = from.startsWith("sqlite:") ? from.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "") : null;
  if (sqlitePath && !existsSync(sqlitePath)) throw new UsageError(`--from ${from}: no such file.`);
  const source = await openStore(from);
  try {
    const target = await openStore(to);
    try {
      const result = await migrateStores(source, target, systemClock, { ...(values.org ? { orgs: values.org } : {}), log: (s) => process.stderr.write(s) });
      console.log(describeChecks(result.checks));
      const ok = result.checks.every((c) => c.ok) && result.failedLines === 0;
      console.log(ok ? `Migrated ${result.checks.length} organization(s) from ${source.kind} to ${target.kind}; every id verified.` : "Migration incomplete: see the failing lines and checks above; fix them and run migrate again (it is idempotent).");
      return ok ? 0 : 1;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

export async function cli(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  let store: Store | null = null;
  try {
    if (argv[0] === "migrate") return await migrate(argv.slice(1));
    if (argv[0] === "backup") return await backupCommand(argv.slice(1));
    const config = loadConfig();
    store = await openStore(config.DATABASE_URL);
    return (await run(store, argv)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    console.error(`orgscim: ${(e as Error).message}`);
    return 1;
  } finally {
    await store?.close();
  }
}

if (require.main === module) {
  cli(process.argv.slice(2)).then((code) => process.exit(code));
}
