/**
 * All configuration comes from environment variables, parsed once with zod into a frozen object.
 * A wrong value stops start-up with a message naming the variable and what it accepts.
 */
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|mongodb(\+srv)?:\/\/)/, "must start with sqlite: (e.g. sqlite:./data/orgscim.db) or mongodb:// / mongodb+srv://")
    .default("sqlite:./data/orgscim.db"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PUBLIC_URL: z.string().url().optional(),
  BODY_LIMIT: z.string().regex(/^\d+(kb|mb)$/i, "must be a size such as 1mb or 512kb").default("1mb"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120000).default(10000),
  ORGSCIM_BOOTSTRAP_TOKEN: z
    .string()
    .regex(/^osk_[0-9a-f]{32}_[A-Za-z0-9_-]{32,}$/, "must be a token in the form printed by `orgscim tokens create` (osk_<32 hex>_<secret>)")
    .optional(),
  ORGSCIM_BOOTSTRAP_ORG_NAME: z.string().min(1).max(200).default("My Organization"),
  SCIM_MAX_RESULTS: z.coerce.number().int().min(1).max(10000).default(1000),
  SCIM_GROUP_MEMBERS_RETURNED: z.coerce.number().int().min(0).max(100000).default(1000),
  TRUST_PROXY: bool.default(false),
});

export type Config = Readonly<z.infer<typeof schema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") picked[key] = v;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? "?");
        return `${name}=${JSON.stringify(picked[name] ?? "")}: ${i.message}`;
      }),
    );
  }
  return Object.freeze(parsed.data);
}

/** The names and meanings of every variable, for --help and the README. */
export const CONFIG_HELP: ReadonlyArray<[string, string]> = [
  ["PORT", "port to listen on (default 8080)"],
  ["HOST", "address to bind (default 0.0.0.0)"],
  ["DATABASE_URL", "sqlite:<path> (default sqlite:./data/orgscim.db) or mongodb://..."],
  ["LOG_LEVEL", "fatal|error|warn|info|debug|trace|silent (default info)"],
  ["PUBLIC_URL", "base URL clients use, for meta.location (default: from the request)"],
  ["BODY_LIMIT", "largest request body (default 1mb)"],
  ["SHUTDOWN_TIMEOUT_MS", "how long SIGTERM waits for in-flight requests (default 10000)"],
  ["ORGSCIM_BOOTSTRAP_TOKEN", "admin token to create with the first organization instead of a random one"],
  ["ORGSCIM_BOOTSTRAP_ORG_NAME", "name of the first organization (default 'My Organization')"],
  ["SCIM_MAX_RESULTS", "largest page a list returns (default 1000)"],
  ["SCIM_GROUP_MEMBERS_RETURNED", "members returned with a group before clients must page via Users filter (default 1000)"],
  ["TRUST_PROXY", "true when behind a load balancer that sets X-Forwarded-* (default false)"],
];
