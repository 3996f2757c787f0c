/**
 * Every read an organization's admin can make, made: each GET operation of /v1/openapi.json (so a
 * new route is surveyed without a change here), each of its enumerated query values, each
 * resource sid found in the answers for operations that take one, and SCIM's Users and Groups
 * (lists and each resource). Answers the requests that failed with a 5xx: reads are checked
 * against their declared schemas by the server itself (src/http/v1/route.ts), so a stored record
 * that does not fit answers 500.
 */
import { call, type Reply } from "./server";

interface OpenApiParam { name: string; in: string; schema?: { enum?: unknown[]; anyOf?: { enum?: unknown[] }[] } }
interface OpenApi { paths: Record<string, { get?: { parameters?: OpenApiParam[] } }> }

/** The sid prefix of a path's {sid}, by the resource named before it. */
const PREFIX_OF: Record<string, string> = { Users: "US", Accounts: "AC", Domains: "DM", Invitations: "IV", RoleAssignments: "IY", Tokens: "TK" };
const SID = /\b(US|AC|DM|IV|TK|GP|OR)[0-9a-f]{32}\b|\bIY[0-9a-f]{64}\b/g;
const MAX_PER_PREFIX = 25;

export interface Survey {
  requests: number;
  /** "GET <path>: <status> <body>" for every answer with a 5xx status. */
  failures: string[];
}

function enumOf(p: OpenApiParam): unknown[] {
  return p.schema?.enum ?? p.schema?.anyOf?.flatMap((s) => s.enum ?? []) ?? [];
}

export async function surveyApi(baseUrl: string, token: string): Promise<Survey> {
  const survey: Survey = { requests: 0, failures: [] };
  const sids = new Map<string, Set<string>>();
  const get = async (url: string): Promise<Reply> => {
    const r = await call("GET", url, token);
    survey.requests += 1;
    if (r.status >= 500) survey.failures.push(`GET ${url.slice(baseUrl.length)}: ${r.status} ${r.text.slice(0, 300)}`);
    for (const m of r.text.matchAll(SID)) {
      const prefix = m[0].slice(0, 2);
      const set = sids.get(prefix) ?? new Set<string>();
      sids.set(prefix, set);
      if (set.size < MAX_PER_PREFIX) set.add(m[0]);
    }
    return r;
  };
  const doc = (await call("GET", `${baseUrl}/v1/openapi.json`, token)).body as OpenApi;
  const scim = `${baseUrl}/scim/v2`;
  await get(`${scim}/Users?count=1000`);
  await get(`${scim}/Groups?count=1000`);

  const ops = Object.entries(doc.paths).filter(([, item]) => item.get).map(([path, item]) => ({ path, params: item.get!.parameters ?? [] }));
  /** The query strings to try: none, each enumerated value, and (withSids) each known sid for a UserSid or AccountSid parameter. */
  const queries = (params: OpenApiParam[], withSids = true): string[] => {
    const out = withSids ? [""] : [];
    for (const p of params.filter((x) => x.in === "query")) {
      if (!withSids) for (const v of enumOf(p)) out.push(`?${p.name}=${encodeURIComponent(String(v))}`);
      const prefix = /^(User|Account)Sid$/.exec(p.name)?.[1];
      if (prefix && withSids) for (const sid of sids.get(prefix === "User" ? "US" : "AC") ?? []) out.push(`?${p.name}=${sid}`);
    }
    return out;
  };
  // Lists first (their answers name the sids), then the lists filtered by a sid, then each operation on a sid.
  const lists = ops.filter((o) => !o.path.includes("{"));
  for (const { path, params } of lists) for (const q of ["", ...queries(params, false)]) await get(`${baseUrl}/v1${path}${q}`);
  for (const { path, params } of lists) for (const q of queries(params).slice(1)) await get(`${baseUrl}/v1${path}${q}`);
  for (const { path, params } of ops.filter((o) => o.path.includes("{"))) {
    const resource = /\/(\w+)\/\{sid\}/.exec(path)?.[1] ?? "";
    for (const sid of sids.get(PREFIX_OF[resource] ?? "") ?? []) {
      for (const q of ["", ...queries(params, false), ...queries(params).slice(1)]) await get(`${baseUrl}/v1${path.replace("{sid}", sid)}${q}`);
    }
  }
  for (const id of sids.get("US") ?? []) await get(`${scim}/Users/${id}`);
  for (const id of sids.get("GP") ?? []) await get(`${scim}/Groups/${id}`);
  return survey;
}
