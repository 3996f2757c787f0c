/**
 * `npx orgscim ...`: manage organizations and tokens in the same store the server uses
 * (DATABASE_URL). Prints JSON for list commands so scripts can read it.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config/config";
import { systemClock } from "../domain/clock";
import { createOrganization, updateOrgSettings } from "../domain/orgs";
import type { Store } from "../domain/ports/store";
import { issueToken } from "../domain/tokens";
import { SCOPES, type OrgSettings, type Scope } from "../domain/types";
import { openStore } from "../store/open";

const HELP = `orgscim: manage organizations and API tokens (store: DATABASE_URL, default sqlite:./data/orgscim.db)

  orgscim orgs create --name NAME [--domain-enforcement on|off] [--role-groups on|off] [--deprovision remove|delete]
  orgs list
  orgs settings ORG_ID [--domain-enforcement on|off] [--role-groups on|off] [--deprovision remove|delete]
  tokens create --org ORG_ID [--scopes scim,admin] [--name NAME] [--user USER_ID]
  tokens list --org ORG_ID
  tokens revoke --org ORG_ID TOKEN_ID

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

async function run(store: Store, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" }, org: { type: "string" }, scopes: { type: "string" }, user: { type: "string" },
      "domain-enforcement": { type: "string" }, deprovision: { type: "string" }, "role-groups": { type: "string" },
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
      const next = await updateOrgSettings(store, clock, org, settingsFrom(values), "cli");
      console.log(JSON.stringify(next, null, 2));
      return;
    }
    case "tokens create": {
      const org = await orgOf(need(values.org, "--org"));
      const issued = await issueToken(store, clock, {
        orgId: org.id, name: values.name ?? "cli token", scopes: parseScopes(values.scopes ?? "scim"), userId: values.user ?? null,
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
      const ok = await store.tokens.revoke(org.id, need(arg, "TOKEN_ID"), clock.now().toISOString());
      if (!ok) throw new UsageError(`No active token ${arg} in ${org.id}.`);
      console.log(`Revoked ${arg}.`);
      return;
    }
    default:
      throw new UsageError(noun || verb ? `Unknown command '${positionals.join(" ")}'.` : "");
  }
}

export async function cli(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  let store: Store | null = null;
  try {
    const config = loadConfig();
    store = await openStore(config.DATABASE_URL);
    await run(store, argv);
    return 0;
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
