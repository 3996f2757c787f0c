/**
 * What every HTTP property test shares: a server with two organizations whose data look alike
 * (org B holds the same userNames, emails, externalIds and group names as org A, plus users only
 * B has), and `send`, which makes one request with org A's token and checks the invariants that
 * must hold for ANY request (docs/security.md, cases 5 and 12-16):
 *
 * - no 5xx;
 * - nothing of org B: every resource id in a response is org A's (or was in the request itself and
 *   the answer is an error), no 2xx answer names a B id, and B's own strings never appear;
 * - Object.prototype (and Array.prototype) unchanged, the server running in this process;
 * - answered within 100 ms, timed client-side: a slower request is sent again (up to 3 times, 50 ms
 *   apart); if every try is slow it is sent 3 more times, 250 ms apart, each after a trivial refused
 *   filter, and fails only if its fastest try is over 100 ms and over 3x the fastest of those trivial
 *   requests (`slowInItself`) and it spent over SLOW_CPU_MS of this process's CPU on every try: a
 *   shared 2-core machine stalls a process now and then, for seconds when the rest of the suite is
 *   busy, and a request that is slow in itself is slow, and busy, every time.
 *
 * Case counts: PROPERTY_RUNS (or NUM_RUNS) is the total for the whole test/property folder
 * (default 2,000); each property takes its share.
 */
import fc from "fast-check";
import { call, PATCH_SCHEMA, startTestServer, USER_SCHEMA, type Reply, type TestServer } from "../helpers/server";

export { PATCH_SCHEMA, USER_SCHEMA };
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

const TOTAL_RUNS = Number(process.env.PROPERTY_RUNS ?? process.env.NUM_RUNS ?? 2000);
/** This property's share of the total number of cases. */
export const runs = (share: number): number => Math.max(1, Math.round(TOTAL_RUNS * share));
/** A jest timeout that grows with the number of cases. */
export const timeoutFor = (n: number): number => 60_000 + n * 60;

export const SLOW_MS = 100;
/** How many times a request over SLOW_MS is sent again before the slowness counts. */
export const SLOW_RETRIES = Number(process.env.PROPERTY_SLOW_RETRIES ?? 3);
/** Then how many later tries, each after a trivial refused filter, decide whether it is slow in itself. */
export const LATER_TRIES = 3;
/** The CPU time (this process, ms) a try must spend, on every try, to be slow in itself. */
export const SLOW_CPU_MS = SLOW_MS / 2;

/**
 * The verdict on a request slow on its first tries: slow in itself when its fastest try (`tries`) is
 * over SLOW_MS and over 3x the fastest trivial request timed between its later tries (`controls`),
 * and (when given) every try spent over SLOW_CPU_MS of this process's CPU (`cpu`).
 * The fastest, not the last: a fresh-clone CI failed a 10-user root .search at 2,597 ms on its last
 * try against a 133 ms control, the machine busy with the rest of the suite (quiet: 6 ms).
 */
export function slowInItself(tries: readonly number[], controls: readonly number[], cpu: readonly number[] = []): boolean {
  const best = Math.min(...tries);
  if (best <= SLOW_MS) return false;
  // The server runs in this process, so a request slow in itself spends this process's CPU on every
  // try (a loop, a regex, a statement); one waiting on a busy machine, its scheduler or a slow disk
  // (an fsync under the rest of the suite's load) does not.
  if (cpu.length > 0 && Math.min(...cpu) <= SLOW_CPU_MS) return false;
  return controls.length === 0 || best > 3 * Math.min(...controls);
}


/** `call` timed: wall-clock ms and this process's CPU ms (user + system) while it ran. */
async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, ms, cpuMs: (c.user + c.system) / 1000 };
}

/** Names both organizations hold (as `${name}@acme.test`), chosen to collide with many filters. */
export const SHARED_NAMES = ["alice", "bob", "carol", "dave", "eve", "zoë", "o'brien", "ümit", "李", "shared"];
/** A marker only B's data carries: it must never appear in an answer to A. */
export const B_ONLY = "bonly";

export interface World {
  server: TestServer;
  a: string;
  b: string;
  /** Ids org A owns (grows as generated POSTs create users and groups). */
  aIds: Set<string>;
  bIds: Set<string>;
  /** Ordered views of the ids above, for index-based picks. */
  aUsers: string[];
  aGroups: string[];
  bUsers: string[];
  bGroups: string[];
  /** maxMs: the slowest answer that counted (the last try of a request). */
  stats: { requests: number; retriedSlow: number; slowWithMachine: number; maxMs: number; byStatus: Map<number, number> };
}

const ID_RE = /\b(?:US|GP)[0-9a-f]{32}\b/g;

function userOf(name: string, i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName: `${name}@acme.test`,
    externalId: `ext-${name}`,
    displayName: `${name} Shared`,
    title: i % 2 ? "Engineer" : "Manager",
    active: i % 3 !== 0,
    name: { givenName: name, familyName: "Shared" },
    emails: [{ value: `${name}@acme.test`, type: "work", primary: true }, { value: `${name}@home.test`, type: "home" }],
    phoneNumbers: [{ value: `+1555000${String(i).padStart(4, "0")}`, type: "work" }],
    [ENTERPRISE]: { department: "R&D", employeeNumber: String(1000 + i) },
    ...extra,
  };
}

async function seed(server: TestServer, token: string, onlyB: boolean): Promise<{ users: string[]; groups: string[] }> {
  const users: string[] = [];
  const names = onlyB ? [...SHARED_NAMES, ...Array.from({ length: 10 }, (_, i) => `${B_ONLY}-${i}`)] : SHARED_NAMES;
  for (const [i, n] of names.entries()) {
    const r = await call("POST", `${server.scim}/Users`, token, userOf(n, i, n.startsWith(B_ONLY) ? { title: `${B_ONLY} title` } : {}));
    if (r.status !== 201) throw new Error(`seeding ${n}: ${r.status} ${r.text}`);
    users.push(r.body.id);
  }
  for (const [i, g] of ["Engineering", "Sales", "Everyone", onlyB ? `${B_ONLY} group` : "A group"].entries()) {
    const r = await call("POST", `${server.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: g, members: users.slice(0, 3 + i).map((value) => ({ value })) });
    if (r.status !== 201) throw new Error(`seeding group ${g}: ${r.status} ${r.text}`);
  }
  const all = await call("GET", `${server.scim}/Groups?count=1000&excludedAttributes=members`, token);
  return { users, groups: all.body.Resources.map((g: { id: string }) => g.id) };
}

export async function startWorld(): Promise<World> {
  const server = await startTestServer();
  const a = (await server.newOrg({ domainEnforcement: false })).token;
  const b = (await server.newOrg({ domainEnforcement: false })).token;
  const sa = await seed(server, a, false);
  const sb = await seed(server, b, true);
  return {
    server, a, b,
    aIds: new Set([...sa.users, ...sa.groups]),
    bIds: new Set([...sb.users, ...sb.groups]),
    aUsers: sa.users, aGroups: sa.groups, bUsers: sb.users, bGroups: sb.groups,
    stats: { requests: 0, retriedSlow: 0, slowWithMachine: 0, maxMs: 0, byStatus: new Map() },
  };
}

/** Everything org B holds, as B sees it: compared before and after a property to prove B untouched. */
export async function snapshotB(w: World): Promise<unknown> {
  const users = await call("GET", `${w.server.scim}/Users?count=1000&sortBy=userName`, w.b);
  const groups = await call("GET", `${w.server.scim}/Groups?count=1000&sortBy=displayName`, w.b);
  return { users: users.body, groups: groups.body };
}

const prototypeState = (): string[] =>
  [Object.prototype, Array.prototype, Function.prototype].flatMap((p) =>
    Reflect.ownKeys(p).map((k) => `${String(k)}:${typeof (Object.getOwnPropertyDescriptor(p, k)?.value ?? "accessor")}`)).sort();
const PROTOTYPES = prototypeState();
const PROBES = ["polluted", "isAdmin", "x", "admin", "value", "$where", "0"];

export interface Sent {
  method: string;
  path: string;
  body?: unknown;
}

/** Attributes whose strings name resources: another organization's id in one of them is a leak. */
const REFERENCE_KEYS = new Set(["id", "members", "groups", "manager", "$ref", "location"]);

/** The paths in `body` of the strings that contain `text`. */
function pathsOf(body: unknown, text: string, at: (string | number)[] = []): (string | number)[][] {
  if (typeof body === "string") return body.includes(text) ? [at] : [];
  if (Array.isArray(body)) return body.flatMap((v, i) => pathsOf(v, text, [...at, i]));
  if (body !== null && typeof body === "object") return Object.entries(body).flatMap(([k, v]) => pathsOf(v, text, [...at, k]));
  return [];
}

/** One request with org A's token, checked against every invariant; answers the reply. */
export async function send(w: World, req: Sent): Promise<Reply> {
  const url = `${w.server.scim}${req.path}`;
  let { result: reply, ms, cpuMs } = await timed(() => call(req.method, url, w.a, req.body));
  const tries = [ms];
  const cpu = [cpuMs];
  // A slow answer is sent again (after a pause, up to SLOW_RETRIES times): a request that is slow
  // in itself is slow every time; a stall of this shared machine is not.
  for (let retry = 0; ms > SLOW_MS && retry < SLOW_RETRIES; retry++) {
    w.stats.retriedSlow++;
    await new Promise((r) => setTimeout(r, 50));
    ({ result: reply, ms, cpuMs } = await timed(() => call(req.method, url, w.a, req.body)));
    tries.push(ms);
    cpu.push(cpuMs);
  }
  w.stats.requests++;
  w.stats.maxMs = Math.max(w.stats.maxMs, ms);
  w.stats.byStatus.set(reply.status, (w.stats.byStatus.get(reply.status) ?? 0) + 1);
  const what = `${req.method} ${req.path}${req.body === undefined ? "" : ` ${typeof req.body === "string" ? req.body : JSON.stringify(req.body)}`}`.slice(0, 600);

  if (reply.status >= 500) throw new Error(`${reply.status} for ${what}: ${reply.text.slice(0, 300)}`);
  if (ms > SLOW_MS) {
    // Slow on every try. Slow in itself only if its fastest try, among later ones spread out and each
    // after a trivial refused filter (which also writes its provisioning-error record), is far slower
    // than the fastest trivial one: the machine or the store's writes being slow for a while is not
    // this request's slowness; a request slow in itself is slow on every try.
    const controls: number[] = [];
    for (let later = 0; later < LATER_TRIES && Math.min(...tries) > SLOW_MS; later++) {
      await new Promise((r) => setTimeout(r, 250));
      const c0 = performance.now();
      await call("GET", `${w.server.scim}/Users?filter=${encodeURIComponent("(")}`, w.a);
      controls.push(performance.now() - c0);
      ({ ms, cpuMs } = await timed(() => call(req.method, url, w.a, req.body)));
      tries.push(ms);
      cpu.push(cpuMs);
    }
    const seen = `tries ${tries.map((t) => t.toFixed(0)).join(", ")} ms, this process's CPU in each ${cpu.map((t) => t.toFixed(0)).join(", ")} ms; trivial refused filters between the later ones ${controls.map((t) => t.toFixed(0)).join(", ")} ms`;
    if (slowInItself(tries, controls, cpu)) {
      throw new Error(`${Math.min(...tries).toFixed(1)} ms on its fastest try (${seen}) for ${what}`);
    }
    if (Math.min(...tries) > SLOW_MS) {
      w.stats.slowWithMachine++;
      console.warn(`SLOW BUT NOT IN ITSELF (${seen}) for ${what.slice(0, 120)}`);
    }
  }

  if (reply.status === 201 && typeof reply.body?.id === "string") {
    w.aIds.add(reply.body.id);
    (req.path.startsWith("/Groups") ? w.aGroups : w.aUsers).push(reply.body.id);
  }
  const requestText = `${req.path} ${typeof req.body === "string" ? req.body : JSON.stringify(req.body) ?? ""}`;
  for (const id of reply.text.match(ID_RE) ?? []) {
    if (w.aIds.has(id)) continue;
    if (!requestText.includes(id) && !requestText.includes(encodeURIComponent(id))) throw new Error(`answer names ${id}, which is not org A's and was not in the request: ${what}`);
    if (w.bIds.has(id) && reply.status < 400) {
      // Accepted as a reference (an id, a member, a group, a manager, a location) it is a leak; a
      // client's own text echoed back in a free-text attribute (a phone number) is not.
      const where = pathsOf(reply.body, id);
      if (where.length === 0 || where.some((path) => path.some((k) => REFERENCE_KEYS.has(String(k))))) {
        throw new Error(`a ${reply.status} answer names org B's ${id} (at ${where.map((p) => p.join(".")).join(", ") || "outside the JSON"}): ${what}`);
      }
    }
  }
  if (reply.text.includes(B_ONLY) && !requestText.includes(B_ONLY)) throw new Error(`org B's data in the answer to ${what}: ${reply.text.slice(0, 300)}`);
  if (Array.isArray(reply.body?.Resources)) {
    for (const r of reply.body.Resources as { id?: unknown }[]) {
      if (typeof r.id === "string" && !w.aIds.has(r.id)) throw new Error(`listed ${r.id}, not org A's: ${what}`);
    }
  }
  const now = prototypeState();
  if (now.join() !== PROTOTYPES.join()) throw new Error(`prototypes changed after ${what}: ${now.filter((k) => !PROTOTYPES.includes(k)).join(", ")}`);
  const probe = {} as Record<string, unknown>;
  for (const p of PROBES) if (probe[p] !== undefined) throw new Error(`Object.prototype.${p} is set after ${what}`);
  return reply;
}

export function report(w: World, label: string): void {
  const statuses = [...w.stats.byStatus.entries()].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s}×${n}`).join(" ");
  console.log(`${label}: ${w.stats.requests} requests, statuses ${statuses}; slowest counted answer ${w.stats.maxMs.toFixed(1)} ms; ${w.stats.retriedSlow} tries resent after taking over ${SLOW_MS} ms; ${w.stats.slowWithMachine} slow on every try but no slower than a trivial refused filter`);
}

// ---------- shared generators ----------

/** Attribute paths: real ones in many spellings, hostile ones, and random text. */
export const USER_ATTRS = [
  "userName", "USERNAME", "name.givenName", "name.familyName", "Name.FamilyName", "displayName", "externalId", "title", "active",
  "emails", "emails.value", "Emails.Value", "emails.type", "emails.primary", "phoneNumbers.value", "addresses.country", "meta.created",
  "meta.lastModified", "meta.resourceType", "id", "groups.value", "groups.display", "nickName", "locale", "x509Certificates.value",
  `${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager.value`, `${ORG_EXT}:orgRole`, `${ORG_EXT}:status`,
  `${USER_SCHEMA}:userName`, `${USER_SCHEMA}:name.givenName`,
];
export const GROUP_ATTRS = ["displayName", "members", "members.value", "members.display", "externalId", "id", "meta.created", `${GROUP_SCHEMA}:displayName`];
export const HOSTILE_ATTRS = [
  "__proto__", "__proto__.polluted", "constructor", "constructor.prototype", "constructor.prototype.polluted", "prototype",
  "$where", "$ne", "$regex", "$gt", "emails.$regex", "emails.__proto__", "userName.__proto__", "toString", "hasOwnProperty",
  "valueOf", "a.b.c.d", "1abc", "-x", "", " ", ".", "..", "emails..value", "urn:", "urn:x:y", `${ENTERPRISE}:__proto__`,
  "members[value eq 1]", "$ref", "userName;DROP TABLE users", "json_extract(data,'$')", "userName\u0000", "𝒰serName",
];
export const attrPath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...USER_ATTRS, ...GROUP_ATTRS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_ATTRS) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
);

/** Strings that collide with the seeded data, break quoting, or are just odd. */
export const oddString = fc.oneof(
  fc.constantFrom(
    ...SHARED_NAMES, ...SHARED_NAMES.map((n) => `${n}@acme.test`), "acme.test", "@", "Shared", "R&D", "Engineer", "ext-alice", "+1555",
    "", " ", "%", "_", "*", ".*", "'", "\"", "\\", "\\\\", "\u0000", "\u202e", "ß", "İ", "ﬀ", "%00", "' OR 1=1 --", "{\"$ne\":1}",
    "__proto__", "$where", "1e999", "9".repeat(400),
  ),
  fc.string({ unit: "grapheme", maxLength: 16 }),
  fc.string({ unit: "binary", maxLength: 16 }),
);

/** Scalar JSON values, with edge numbers. */
export const scalar = fc.oneof(
  oddString,
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, 0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 5e-324, "True", "False", "false", "1", "0"),
);

/** An id: org A's, org B's, well-formed unknown, or malformed. Picked when the case runs. */
export type IdPick = { from: "aUser" | "aGroup" | "bUser" | "bGroup"; k: number } | { from: "literal"; id: string };
export const idPick: fc.Arbitrary<IdPick> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ from: fc.constantFrom("aUser" as const, "aGroup" as const, "bUser" as const, "bGroup" as const), k: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      from: fc.constant("literal" as const),
      id: fc.oneof(
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => `US${Buffer.from(b).toString("hex")}`),
        fc.constantFrom("__proto__", "constructor", "..", "%2e%2e", "1", "$where", "US", "null", "undefined", "x".repeat(300)),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
      ),
    }),
  },
);
export function resolveId(w: World, p: IdPick): string {
  if (p.from === "literal") return p.id;
  const list = p.from === "aUser" ? w.aUsers : p.from === "aGroup" ? w.aGroups : p.from === "bUser" ? w.bUsers : w.bGroups;
  return list[p.k % list.length] as string;
}
