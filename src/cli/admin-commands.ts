/**
 * `orgscim orgs ...` and `orgscim tokens ...`: organizations and API tokens, in the same store the
 * server uses. The command acts as the operator (it holds the store), as the first start does.
 * Results carry /v1's field names (the same mapping: src/http/v1/*-routes.ts).
 */
import { operatorActor } from "../domain/actor";
import { createOrganization, updateOrganization } from "../domain/orgs";
import { createToken, revokeToken } from "../domain/tokens";
import { SCIM_PROFILES, SCOPES, type OrgSettings, type Scope } from "../domain/types";
import { toOrganizationBody } from "../http/v1/organization-routes";
import { toTokenBody } from "../http/v1/tokens-routes";
import { CliFailure, fields, printResult, table, UsageError } from "./io";
import type { CommandSpec, OptionSpec, Options, RunContext } from "./spec";

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-f]{32}$`);

function sidOf(value: unknown, prefix: string, what: string): string {
  const v = String(value);
  if (!SID(prefix).test(v)) throw new UsageError(`${what} must be ${prefix} followed by 32 hex digits, got '${v}'.`);
  return v;
}

const onOff = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === "on");

const SETTINGS: readonly OptionSpec[] = [
  { flags: "--domain-enforcement <on|off>", description: "provision users only on the organization's verified domains (default on)", choices: ["on", "off"], example: "off" },
  { flags: "--role-groups <on|off>", description: "show the built-in org-role groups under /Groups (default on; Microsoft's suite wants off)", choices: ["on", "off"], example: "off" },
  { flags: "--deprovision <remove|delete>", description: "what SCIM DELETE does: end the membership, or erase the user (default remove)", choices: ["remove", "delete"], example: "delete" },
  { flags: "--scim-profile <compatible|strict>", description: "how SCIM requests are read: accept Okta's and Entra's quirks, or RFC 7643/7644 and the interop profile only (default compatible; docs/idp-quirks.md)", choices: [...SCIM_PROFILES], example: "strict" },
];

function settingsFrom(o: Options): Partial<OrgSettings> {
  const s: Partial<OrgSettings> = {};
  const de = onOff(o.domainEnforcement);
  if (de !== undefined) s.domainEnforcement = de;
  const rg = onOff(o.roleGroups);
  if (rg !== undefined) s.exposeRoleGroups = rg;
  if (o.deprovision !== undefined) s.deprovision = o.deprovision as OrgSettings["deprovision"];
  if (o.scimProfile !== undefined) s.scimProfile = o.scimProfile as OrgSettings["scimProfile"];
  return s;
}

function scopesOf(text: string): Scope[] {
  const scopes = text.split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) throw new UsageError(`Unknown scope '${s}'. Scopes: ${SCOPES.join(", ")}.`);
  if (scopes.length === 0) throw new UsageError("--scopes needs at least one scope.");
  return scopes as Scope[];
}

async function orgOf(ctx: RunContext, id: string) {
  const org = await (await ctx.store()).orgs.get(sidOf(id, "OR", "The organization"));
  if (!org) throw new CliFailure(`No organization ${id} in this store. List them with: orgscim orgs list`);
  return org;
}

const ORG_COLUMNS = ["sid", "friendly_name", "domain_enforcement", "deprovision", "expose_role_groups", "scim_profile", "date_created"];
const TOKEN_COLUMNS = ["sid", "friendly_name", "scopes", "user_sid", "ceiling", "date_created", "date_revoked"];
const org = { flags: "--org <sid>", description: "the organization (OR...)", required: true, example: "OR0123456789abcdef0123456789abcdef" } as const;

export const ADMIN_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["orgs", "create"],
    summary: "create an organization (with its built-in role groups)",
    args: [],
    options: [{ flags: "--name <name>", description: "its name", required: true, example: "Acme" }, ...SETTINGS],
    examples: ["orgscim orgs create --name Acme", "orgscim orgs create --name \"MS tests\" --domain-enforcement off --role-groups off"],
    store: "create", json: true, quiet: true,
    async run(ctx) {
      const name = String(ctx.opts.name).trim();
      if (name === "" || name.length > 200) throw new UsageError("--name takes 1 to 200 characters.");
      const created = toOrganizationBody(await createOrganization(await ctx.store(), ctx.clock, { name, settings: settingsFrom(ctx.opts) }));
      printResult(ctx.io, ctx.opts, created, () => fields(created));
      return 0;
    },
  },
  {
    path: ["orgs", "list"],
    summary: "list the store's organizations",
    args: [], options: [],
    examples: ["orgscim orgs list", "orgscim orgs list --json | jq -r '.[0].sid'"],
    store: "existing", json: true, quiet: false,
    async run(ctx) {
      const orgs = (await (await ctx.store()).orgs.list()).map(toOrganizationBody);
      printResult(ctx.io, ctx.opts, orgs, () => table(orgs, ORG_COLUMNS));
      return 0;
    },
  },
  {
    path: ["orgs", "settings"],
    summary: "change an organization's settings",
    args: [{ name: "org", description: "the organization (OR...)", example: "OR0123456789abcdef0123456789abcdef" }],
    options: SETTINGS,
    examples: ["orgscim orgs settings OR0123456789abcdef0123456789abcdef --domain-enforcement off"],
    store: "existing", json: true, quiet: true,
    async run(ctx) {
      const current = await orgOf(ctx, ctx.args[0]!);
      const settings = settingsFrom(ctx.opts);
      if (Object.keys(settings).length === 0) throw new UsageError("Say what to change: --domain-enforcement, --role-groups, --deprovision or --scim-profile.");
      const next = toOrganizationBody(await updateOrganization({ store: await ctx.store(), clock: ctx.clock }, operatorActor(current, "cli orgs settings"), settings));
      printResult(ctx.io, ctx.opts, next, () => fields(next));
      return 0;
    },
  },
  {
    path: ["tokens", "create"],
    summary: "create an API token; its secret is shown once (only its hash is stored)",
    details: "With --quiet it prints the secret alone (for scripts). Made by the operator, its ceiling is Owner. With --user it acts for that user, with exactly their rights (and stops working when they are suspended or removed); without, it needs the admin scope to administer.",
    args: [],
    options: [
      org,
      { flags: "--scopes <list>", description: `comma-separated: ${SCOPES.join(", ")} (default scim)`, example: "scim,admin" },
      { flags: "--name <name>", description: "what it is for (default 'cli token')", example: "okta" },
      { flags: "--user <sid>", description: "the user it acts for (US...)", example: "US0123456789abcdef0123456789abcdef" },
    ],
    examples: [
      "orgscim tokens create --org OR0123456789abcdef0123456789abcdef --scopes scim --name okta",
      "TOKEN=$(orgscim tokens create --org OR0123456789abcdef0123456789abcdef --scopes scim,admin --quiet)",
      "orgscim tokens create --org OR0123456789abcdef0123456789abcdef --user US0123456789abcdef0123456789abcdef --scopes admin --json",
    ],
    store: "existing", json: true, quiet: true,
    async run(ctx) {
      const o = await orgOf(ctx, String(ctx.opts.org));
      const userId = ctx.opts.user === undefined ? null : sidOf(ctx.opts.user, "US", "--user");
      const name = String(ctx.opts.name ?? "cli token").trim();
      if (name === "" || name.length > 100) throw new UsageError("--name takes 1 to 100 characters.");
      const scopes = scopesOf(String(ctx.opts.scopes ?? "scim"));
      const issued = await createToken({ store: await ctx.store(), clock: ctx.clock }, operatorActor(o, "cli tokens create"), { name, scopes, userId });
      // --quiet (without --json): the secret alone, for scripts (TOKEN=$(orgscim tokens create ... --quiet)).
      // It is the point of the command and never shown again, so --quiet never hides it.
      if (ctx.opts.quiet && !ctx.opts.json) {
        ctx.io.stdout.write(`${issued.plaintext}\n`);
        return 0;
      }
      const body = { ...toTokenBody(issued.token), token: issued.plaintext };
      printResult(ctx.io, ctx.opts, body, () => `${fields(toTokenBody(issued.token))}\n\nToken (shown once, stored only as a hash):\n\n  ${issued.plaintext}\n`);
      return 0;
    },
  },
  {
    path: ["tokens", "list"],
    summary: "list an organization's API tokens (never their secrets)",
    args: [], options: [org],
    examples: ["orgscim tokens list --org OR0123456789abcdef0123456789abcdef"],
    store: "existing", json: true, quiet: false,
    async run(ctx) {
      const o = await orgOf(ctx, String(ctx.opts.org));
      const tokens = (await (await ctx.store()).tokens.list(o.id)).filter((t) => !t.kind).map(toTokenBody); // OAuth clients: GET /v1/OAuthClients
      printResult(ctx.io, ctx.opts, tokens, () => table(tokens, TOKEN_COLUMNS));
      return 0;
    },
  },
  {
    path: ["tokens", "revoke"],
    summary: "revoke an API token: it stops working at once",
    args: [{ name: "token", description: "the token (TK...)", example: "TK0123456789abcdef0123456789abcdef" }],
    options: [org],
    examples: ["orgscim tokens revoke --org OR0123456789abcdef0123456789abcdef TK0123456789abcdef0123456789abcdef"],
    store: "existing", json: true, quiet: true,
    async run(ctx) {
      const o = await orgOf(ctx, String(ctx.opts.org));
      const id = sidOf(ctx.args[0], "TK", "The token");
      const store = await ctx.store();
      await revokeToken({ store, clock: ctx.clock }, operatorActor(o, "cli tokens revoke"), id);
      const body = toTokenBody((await store.tokens.get(id))!);
      printResult(ctx.io, ctx.opts, body, () => `Revoked ${id} (${body.friendly_name}).`);
      return 0;
    },
  },
];
