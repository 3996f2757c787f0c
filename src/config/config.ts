/**
 * All configuration comes from environment variables, parsed once with zod into a frozen object.
 * A wrong value stops start-up with a message naming the variable and what it accepts.
 */
import { compile as compileTrust } from "proxy-addr";
import { z } from "zod";
import { parseDnsServer } from "../infra/dns";

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
  STORE_START_RETRY_MS: z.coerce.number().int().min(0).max(3600000).default(60000),
  DURABILITY: z.enum(["full", "normal"]).default("full"),
  SQLITE_GROUP_COMMIT: z.enum(["on", "off"]).default("on"),
  WORKERS: z.string().trim().default("1").transform((v, ctx): number | "auto" => {
    if (v === "auto") return "auto";
    if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 256) return Number(v);
    ctx.addIssue({ code: "custom", message: "must be a number of processes from 1 to 256, or auto (one per core)" });
    return z.NEVER;
  }),
  ORGSCIM_BOOTSTRAP_TOKEN: z
    .string()
    .regex(/^osk_[0-9a-f]{32}_[A-Za-z0-9_-]{32,}$/, "must be a token in the form printed by `orgscim tokens create` (osk_<32 hex>_<secret>)")
    .optional(),
  ORGSCIM_BOOTSTRAP_ORG_NAME: z.string().min(1).max(200).default("My Organization"),
  // At least 100: Okta imports with count=100 and startIndex += 100, so a smaller page silently skips users.
  SCIM_MAX_RESULTS: z.coerce.number().int().min(100, "must be at least 100 (Okta imports 100 users per page and skips the rest of a smaller page)").max(10000).default(1000),
  SCIM_GROUP_MEMBERS_RETURNED: z.coerce.number().int().min(0).max(100000).default(1000),
  SCIM_BULK_MAX_OPERATIONS: z.coerce.number().int().min(1).max(100000).default(1000),
  PROVISIONING_ERRORS_KEPT: z.coerce.number().int().min(0).max(100000).default(1000),
  PROVISIONING_ERRORS_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SCIM_BULK_MAX_PAYLOAD: z.string().regex(/^\d+(b|kb|mb)?$/i, "must be a size such as 10mb, 512kb or a number of bytes").default("10mb")
    .transform((v) => { const m = /^(\d+)(b|kb|mb)?$/i.exec(v)!; return Number(m[1]) * ({ kb: 1024, mb: 1024 * 1024 }[(m[2] ?? "b").toLowerCase()] ?? 1); }),
  TRUST_PROXY: z.string().trim().default("false").transform((v, ctx) => {
    const parsed = parseTrustProxy(v);
    if (typeof parsed === "object" && !Array.isArray(parsed) && parsed !== null) {
      ctx.addIssue({ code: "custom", message: parsed.problem });
      return z.NEVER;
    }
    return parsed;
  }),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  TLS_MIN_VERSION: z.enum(["TLSv1.2", "TLSv1.3"]).default("TLSv1.2"),
  TLS_RELOAD_INTERVAL_MS: z.coerce.number().int().min(0).max(86400000).default(60000),
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{24,}$/, "must be at least 24 printable characters without spaces (e.g. openssl rand -hex 24)").optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  METRICS_ORG_LIMIT: z.coerce.number().int().min(0).max(10000).default(50),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(200).default("orgscim"),
  DNS_SERVERS: z
    .string()
    .refine((v) => v.split(",").every((e) => parseDnsServer(e) !== null), "must be a comma-separated list of IP addresses with optional ports, e.g. 1.1.1.1,10.0.0.2:5353,[2001:db8::1]:53")
    .transform((v) => v.split(",").map((e) => parseDnsServer(e) as string))
    .optional(),
  DNS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(2000),
  DOMAIN_RECHECK_INTERVAL_MS: z.coerce.number().int().max(2147483647)
    .refine((v) => v === 0 || v >= 1000, "must be 0 (no periodic re-check) or at least 1000").default(86400000),
  RATE_LIMIT_TOKEN_RPS: z.coerce.number().int().min(0).max(1000000).default(20000),
  RATE_LIMIT_TOKEN_BURST: z.coerce.number().int().min(0).max(10000000).default(40000),
  RATE_LIMIT_ORG_RPS: z.coerce.number().int().min(0).max(1000000).default(40000),
  RATE_LIMIT_ORG_BURST: z.coerce.number().int().min(0).max(10000000).default(80000),
  INVITATION_ACCEPT_PER_MINUTE: z.coerce.number().int().min(0).max(100000).default(30),
  ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(0).max(1000000).default(600),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(1000000).default(120),
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(20000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3600000).default(120000),
  WRITES_SHED_LAG_MS: z.coerce.number().int().min(0).max(60000).default(40),
  OVERLOAD_QUEUE_DEPTH: z.coerce.number().int().min(0).max(100000).default(12),
  SCIM_BULK_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(2),
  SCIM_BULK_PER_ORGANIZATION: z.coerce.number().int().min(0).max(64).default(1),
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, "must be an SMTP URL such as smtp://user:pass@mail.example.com:587 or smtps://user:pass@mail.example.com:465").optional(),
  MAIL_FROM: z.string().min(3).max(320).default("orgscim <no-reply@localhost>"),
  INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(2160).default(168),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(50).max(2147483647).default(10000),
  TOKEN_TTL_DAYS: z.coerce.number().int().min(0).max(3650).default(365),
  OAUTH_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),
  OAUTH_TOKENS_PER_CLIENT_PER_MINUTE: z.coerce.number().int().min(0).max(100000).default(60),
  EVENTS_ALLOW_PRIVATE_RECEIVERS: z.enum(["true", "false"]).default("false"),
  EVENTS_PUSH_INTERVAL_MS: z.coerce.number().int().min(0).max(2147483647).default(1000),
  EVENTS_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3600000).default(5000),
  EVENTS_POLL_WAIT_MS: z.coerce.number().int().min(0).max(60000).default(10000),
});

/**
 * TRUST_PROXY: which X-Forwarded-For hops to believe, as Express's "trust proxy" takes it (a hop
 * count, or the proxies' addresses), so that req.ip is the client's address. `false`: none (the
 * socket's address). `true` (believe every hop) is refused: the leftmost address is whatever the
 * client wrote, so any client could choose its address, and with it its per-address budgets.
 */
export type TrustProxy = false | number | string[];

export function parseTrustProxy(v: string): TrustProxy | { problem: string } {
  const s = v.toLowerCase();
  if (s === "" || s === "false" || s === "0") return false;
  if (s === "true") {
    return { problem: "true would trust every X-Forwarded-For hop, so any client could choose its own address (and its per-address budgets); give the number of proxies in front of orgscim (e.g. 1) or their addresses (e.g. 10.0.0.0/8,loopback)" };
  }
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n <= 32 ? n : { problem: "a hop count is at most 32" };
  }
  const list = v.split(",").map((e) => e.trim()).filter((e) => e !== "");
  try {
    compileTrust(list);
  } catch (e) {
    return { problem: `${(e as Error).message}: give false, a number of proxies (e.g. 1), or a comma-separated list of proxy addresses and subnets (e.g. 10.0.0.0/8,192.168.1.4,loopback; names: loopback, linklocal, uniquelocal)` };
  }
  return list;
}

/** Variables whose values may hold credentials: never echoed in errors. */
const SECRET_VARIABLES = new Set(["DATABASE_URL", "ORGSCIM_BOOTSTRAP_TOKEN", "SMTP_URL", "METRICS_TOKEN", "OTEL_EXPORTER_OTLP_ENDPOINT"]);

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
        return `${name}=${SECRET_VARIABLES.has(name) ? "(value hidden: it may hold a secret)" : JSON.stringify(picked[name] ?? "")}: ${i.message}`;
      }),
    );
  }
  if ((parsed.data.TLS_CERT_FILE === undefined) !== (parsed.data.TLS_KEY_FILE === undefined)) {
    const [set, unset] = parsed.data.TLS_CERT_FILE === undefined ? ["TLS_KEY_FILE", "TLS_CERT_FILE"] : ["TLS_CERT_FILE", "TLS_KEY_FILE"];
    throw new ConfigError([`${set} is set but ${unset} is not: set both (PEM files of the certificate and its private key) or neither`]);
  }
  return Object.freeze(parsed.data);
}

/** The names and meanings of every variable, for --help and the README. */
export const CONFIG_HELP: ReadonlyArray<[string, string]> = [
  ["PORT", "port to listen on (default 8080)"],
  ["HOST", "address to bind (default 0.0.0.0)"],
  ["DATABASE_URL", "sqlite:<path> (default sqlite:./data/orgscim.db) or mongodb://..."],
  ["LOG_LEVEL", "fatal|error|warn|info|debug|trace|silent (default info)"],
  ["PUBLIC_URL", "base URL clients use (e.g. https://scim.example.com): SCIM meta.location, /v1 Location and page URLs, the OpenAPI server URL; set it in production so that no request header (Host, X-Forwarded-Host) shapes a link (default: from the request: its Host; on /v1 X-Forwarded-Host/-Proto too, from a proxy TRUST_PROXY trusts, the value that proxy wrote)"],
  ["BODY_LIMIT", "largest request body (default 1mb)"],
  ["SHUTDOWN_TIMEOUT_MS", "how long SIGTERM waits for in-flight requests (default 10000)"],
  ["STORE_START_RETRY_MS", "how long start-up keeps retrying a store that does not answer yet (a replica set still electing), logging each try; then it exits with the reason; 0 = one try (default 60000)"],
  ["WORKERS", "server processes on PORT, all on the same store: a number, or auto = one per core this process may use. With more than 1 a primary process starts them, replaces one that dies and drains them all on SIGTERM; request budgets are counted across them, background work (outbox, domain re-check, WAL checkpoints) runs in one of them (default 1)"],
  ["DURABILITY", "full|normal, SQLite: full = a write is acknowledged only once it survives an OS crash or power loss (the WAL is fsynced after every commit, off the event loop with group commit, inside COMMIT without; another connection may read a commit before that fsync completes: docs/stores.md, Durability); normal = it survives a crash of orgscim, and the last commits before a power loss may be lost, for more write throughput (default full). MongoDB always writes with w: majority, j: true"],
  ["SQLITE_GROUP_COMMIT", "on|off, SQLite: on = the transactions of the requests served in one turn of the event loop commit together, and the WAL is fsynced in a thread pool while the next groups commit, each request acknowledged only once an fsync that started after its commit completed, a failing one undone alone; off = every transaction commits alone, its fsync inside COMMIT on the event loop (default on)"],
  ["ORGSCIM_BOOTSTRAP_TOKEN", "admin token to create with the first organization instead of a random one"],
  ["ORGSCIM_BOOTSTRAP_ORG_NAME", "name of the first organization (default 'My Organization')"],
  ["SCIM_MAX_RESULTS", "largest page a list returns, 100 to 10000: Okta imports 100 users per page and a smaller page would make it skip users (default 1000)"],
  ["SCIM_GROUP_MEMBERS_RETURNED", "the most members returned with a group; a larger group comes without members, its membersMetadata says external and where to page them (default 1000)"],
  ["SCIM_BULK_MAX_OPERATIONS", "most operations one /Bulk request may carry, advertised as bulk.maxOperations (default 1000)"],
  ["SCIM_BULK_MAX_PAYLOAD", "largest /Bulk request body, advertised in bytes as bulk.maxPayloadSize (default 10mb)"],
  ["PROVISIONING_ERRORS_KEPT", "SCIM requests (and /Bulk operations) refused for their content (400, 409, 412, 413) each organization keeps for its provisioning-errors page (GET /v1/ProvisioningErrors): the newest this many; older ones are dropped and counted; 0 = none recorded (default 1000)"],
  ["PROVISIONING_ERRORS_DAYS", "days a recorded provisioning error is kept at most (default 30)"],
  ["TRUST_PROXY", "which X-Forwarded-For hops to believe behind a load balancer, as Express's trust proxy: the number of proxies in front of orgscim (e.g. 1), or their addresses and subnets, comma-separated (e.g. 10.0.0.0/8,loopback); true (every hop, so any client could choose its address) is refused (default false: the socket's address)"],
  ["TLS_CERT_FILE", "PEM certificate (with its chain) to serve HTTPS on PORT without a proxy; needs TLS_KEY_FILE; unset: plain HTTP"],
  ["TLS_KEY_FILE", "PEM private key of TLS_CERT_FILE"],
  ["TLS_MIN_VERSION", "TLSv1.2|TLSv1.3: oldest TLS version accepted; TLS 1.3 is always offered (default TLSv1.2)"],
  ["TLS_RELOAD_INTERVAL_MS", "how often the TLS files are checked for a change; a renewed pair is used for new connections, a bad one is logged and the previous pair kept; 0 = never (default 60000)"],
  ["METRICS_TOKEN", "serves Prometheus metrics at GET /metrics on PORT to Authorization: Bearer <this> (24+ characters); with METRICS_PORT, required there too; neither set: no metrics"],
  ["METRICS_PORT", "serves GET /metrics on a listener of its own, plain HTTP, instead of PORT (0: any free port)"],
  ["METRICS_HOST", "address the METRICS_PORT listener binds (default 127.0.0.1)"],
  ["METRICS_ORG_LIMIT", "organizations with their own orgscim_org_requests_total series; the rest count under org=\"other\" (default 50)"],
  ["OTEL_EXPORTER_OTLP_ENDPOINT", "OpenTelemetry collector base URL (e.g. http://otel-collector:4318): traces go to <it>/v1/traces over OTLP/HTTP; unset: no tracing"],
  ["OTEL_SERVICE_NAME", "service.name of the spans (default orgscim)"],
  ["DNS_SERVERS", "resolvers for domain verification, comma-separated ip[:port] (default: the system's)"],
  ["DNS_TIMEOUT_MS", "how long one DNS try waits for an answer; 2 tries per server (default 2000)"],
  ["DOMAIN_RECHECK_INTERVAL_MS", "how often every domain's DNS token is re-checked; 0 turns it off (default 86400000, 24 h)"],
  ["RATE_LIMIT_TOKEN_RPS", "requests per second one token may make under /scim/v2 and /v1; over it, 429 with Retry-After; 0 = no limit (default 20000: above what one instance serves; set a real budget when hosting many organizations)"],
  ["RATE_LIMIT_TOKEN_BURST", "most requests one token may make in one second; the part above RATE_LIMIT_TOKEN_RPS refills every 10 s (default 40000)"],
  ["RATE_LIMIT_ORG_RPS", "requests per second all tokens of one organization may make together, its event streams' polls and OAuth clients' token requests included; 0 = no limit (default 40000)"],
  ["RATE_LIMIT_ORG_BURST", "most requests one organization may make in one second, as for the token burst (default 80000)"],
  ["INVITATION_ACCEPT_PER_MINUTE", "POST /v1/Invitations/Accept and /Preview (the two routes without a bearer token, counted together) per client address per minute, per instance; 0 = no limit (default 30)"],
  ["ANONYMOUS_PER_MINUTE", "requests per client address per minute to routes that take no token (/v1/openapi.json, /admin, unknown paths), per instance; over it, 429; /healthz and /readyz are not counted; 0 = no limit (default 600)"],
  ["AUTH_FAILURES_PER_MINUTE", "failed authentications (missing, malformed, unknown or revoked token) per client address per minute, per instance; past it, requests from that address are refused with 429 before their token is looked up until the minute ends; 0 = no limit (default 120)"],
  ["HEADERS_TIMEOUT_MS", "most time a client may take to send a request's headers; a slower one is answered 408 and disconnected (default 20000)"],
  ["REQUEST_TIMEOUT_MS", "most time a client may take to send a whole request, headers and body; a slower one is answered 408 and disconnected, so a slow sender cannot hold a connection or a /Bulk slot (default 120000: a 10 MB /Bulk body at 85 KB/s)"],
  ["OVERLOAD_QUEUE_DEPTH", "while organizations hold more than this many requests (received and not yet answered, counted from their arrival once their token is known; requests without a token are not counted; per process), writes (POST, PUT, PATCH, DELETE) of the organizations sending at least their fair share are refused at once with 429, Retry-After: 1 and code 9009, before their body is read, instead of queueing; a write refused again on the same connection before the last refusal's Retry-After has passed is answered when it passes; reads and /Bulk are not refused; the server raises this bound while its writes wait for the disk rather than for its event loop (measured every 250 ms: an admitted write's shortest time in the server over the loop's busy time per write answered, at most twice the requests held), never below it; 0 = never (default 12: ten connections of writes, with room for a probe and a read, are never shed; one event loop at full CPU with ten requests held already queues them, and each request admitted beyond adds its work to every admitted request's wait)"],
  ["WRITES_SHED_LAG_MS", "while the event loop runs this many ms late and the server holds another request (it is saturated), writes (POST, PUT, PATCH, DELETE) are refused with 429 and Retry-After: 1 instead of queueing (paced as for OVERLOAD_QUEUE_DEPTH); reads and /Bulk are not; 0 = never (default 40)"],
  ["SCIM_BULK_CONCURRENCY", "most /Bulk requests processed at once, counted once each body is read; the next is refused with 429 (code 9005) and Retry-After: 1; 0 = no limit (default 2)"],
  ["SCIM_BULK_PER_ORGANIZATION", "most /Bulk requests one organization has processed at once, so it cannot hold the slots another needs; the next is refused with 429 (code 9008) and Retry-After: 1; 0 = no limit (default 1)"],
  ["SMTP_URL", "SMTP server for invitation, welcome and password-reset mail, smtp://user:pass@host:port or smtps://...; unset: mail stays in the outbox (store table/collection outbox)"],
  ["MAIL_FROM", "sender of that mail (default 'orgscim <no-reply@localhost>')"],
  ["INVITATION_TTL_HOURS", "how long an invitation token stays valid, 1-2160 (default 168, seven days)"],
  ["OUTBOX_INTERVAL_MS", "how often the outbox is sent when SMTP_URL is set (default 10000)"],
  ["TOKEN_TTL_DAYS", "a token made with POST /v1/Tokens without date_expires expires after this many days; tokens made before keep theirs (none); 0 = none (default 365)"],
  ["OAUTH_ACCESS_TOKEN_TTL_SECONDS", "how long an access token from POST /oauth/token (client credentials) stays valid, 60-86400 (default 3600)"],
  ["OAUTH_TOKENS_PER_CLIENT_PER_MINUTE", "access tokens one OAuth client may be issued per minute, per instance; over it, 429 with Retry-After; 0 = no limit (default 60)"],
  ["EVENTS_ALLOW_PRIVATE_RECEIVERS", "true|false: true lets a push event stream's endpoint_url be plain http and on a loopback, private or local address (tests, labs on one machine); false: https on public addresses only, checked when the stream is made and at every delivery (default false; docs/events.md)"],
  ["EVENTS_PUSH_INTERVAL_MS", "how often SETs are pushed to the event streams' receivers, besides at once after each change in this process; 0 = no push delivery in this process (default 1000)"],
  ["EVENTS_RETRY_BASE_MS", "the first wait before a SET whose receiver failed is pushed again; it doubles per attempt, at most 10 minutes, and a SET is never given up on (default 5000)"],
  ["EVENTS_POLL_WAIT_MS", "the longest POST /events/poll with returnImmediately false is held when no SET is waiting (RFC 8936 long poll); 0 = answer at once (default 10000)"],
];
