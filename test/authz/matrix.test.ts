/**
 * The authorization matrix, generated from the policy table (src/domain/policy/table.ts): every
 * principal × every action × every kind of target the action has (themselves, a Standard User, an
 * Administrator, the Owner; accounts they administer, belong to, or not; ...) and another
 * organization's resource, through every SCIM, /Bulk and /v1 door the table lists, over real HTTP
 * against a real server on a temporary SQLite store. Each answer is compared with the table:
 *
 * - allowed: 2xx, the change made (each driver checks its own), the policy asked about this action
 *   with this kind of target, and the audit event naming the real actor;
 * - refused: 403 with the policy's reason, nothing changed, exactly one audit event (refused) by
 *   the real actor;
 * - a rule of state (the table's stateRules): its answer, nothing changed;
 * - /v1 with a token without the admin scope: 403, nothing changed, one audit event;
 * - another organization's resource: 404, nothing changed anywhere;
 * - authorization comes first: every refused read (and /v1 read without the admin scope) is sent
 *   again with a page token or cursor this server never issued, and still answers 403 (a token is
 *   opened only once the policy allowed).
 *
 * Refused cases share one organization (they change nothing); each allowed write gets fresh
 * fixtures (a new target, or a new organization when it changes the actor or the Owner).
 * Then, with decide() answering "allowed" to everything, one refused case of each action is sent
 * again and must succeed: the refusals are the policy's, and would turn 2xx without it. A route
 * that skipped the policy fails here (it would answer 2xx where the table refuses, and the policy
 * would not have been asked about the action).
 */
import * as decideModule from "../../src/domain/policy/decide";
import { RULES, POLICY } from "../../src/domain/policy/table";
import type { Door, TargetKind } from "../../src/domain/policy/kinds";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { call, startTestServer, type Reply, type TestServer } from "../helpers/server";
import { drivers, type Ctx, type Driver, type Req } from "./matrix/drivers";
import { buildElsewhere, buildWorld, digest, digestWorld, PRINCIPAL_SPECS, PRINCIPALS, type Elsewhere, type PrincipalName, type World } from "./matrix/world";

jest.setTimeout(600_000);

let s: TestServer;
let dns: TestDnsServer;
let shared: World;
let elsewhere: Elsewhere;

const realDecide = decideModule.decide;
let decided: { action: string; allowed: boolean; kind: string }[] = [];
let allowEverything = false;
const spy = jest.spyOn(decideModule, "decide").mockImplementation((p, action, target) => {
  const d = allowEverything ? { allowed: true as const, kind: decideModule.targetKind(p, target) } : realDecide(p, action, target);
  decided.push({ action, allowed: d.allowed, kind: d.kind });
  return d;
});

beforeAll(async () => {
  dns = await startDnsServer();
  s = await startTestServer({ DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: "10000" });
  shared = await buildWorld(s.running.store);
  elsewhere = await buildElsewhere(s.running.store);
  const doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
  pagedV1 = Object.entries(doc.paths).filter(([, ops]) => ops.get?.parameters?.some((p) => p.name === "PageToken")).map(([path]) => new RegExp(`^${path.replace(/\{\w+\}/g, "[^/?]+")}(\\?|$)`, "i"));
  if (pagedV1.length < 5) throw new Error(`found ${pagedV1.length} paged /v1 lists in /v1/openapi.json`);
});
afterAll(async () => {
  spy.mockRestore();
  await s.close();
  await dns.close();
});

const ALL = drivers();
type Expected = "allowed" | "refused" | "state" | "scope" | "notFound";

const sameDoor = (a: Door, b: Door) => a.api === b.api && a.method === b.method && a.path === b.path && (a.when ?? "") === (b.when ?? "");
const columnAllows = (p: PrincipalName, action: string, kind: TargetKind): boolean => {
  const rule = RULES.get(action)!;
  const sp = PRINCIPAL_SPECS[p];
  return (rule.allow[sp.level] ?? []).includes(kind) && (sp.admin || (rule.allow.idp ?? []).includes(kind));
};
const actorName = (w: World, p: PrincipalName) => {
  const user = PRINCIPAL_SPECS[p].user;
  return user ? `${w.principals[p].id}/${w.users[user]}` : w.principals[p].id;
};

/** Whose the state rule is: the Owner (themselves included), or the actor themself. */
function stateRuleFor(d: Driver, p: PrincipalName, kind: TargetKind) {
  const isOwner = kind === "owner" || (kind === "self" && PRINCIPAL_SPECS[p].user === "owner");
  return RULES.get(d.action)!.stateRules?.find((r) => (r.on === "self" ? kind === "self" : isOwner));
}

function expectation(d: Driver, p: PrincipalName, kind: TargetKind | "otherOrg"): Expected {
  if (d.door.api === "v1" && !PRINCIPAL_SPECS[p].admin) return "scope";
  if (kind === "otherOrg") return "notFound";
  const checks = [{ action: d.action, kind }, ...(d.also ?? []).map((a) => ({ action: a.action, kind: a.kind === "same" ? kind : a.kind }))];
  if (!checks.every((c) => columnAllows(p, c.action, c.kind))) return "refused";
  return stateRuleFor(d, p, kind) ? "state" : "allowed";
}

async function send(w: World, p: PrincipalName, req: Req): Promise<{ status: number; reason: string; reply: Reply }> {
  const base = req.api === "scim" ? `${s.url}/scim/v2` : `${s.url}/v1`;
  const headers: Record<string, string> = req.body !== undefined && req.api === "v1" ? { "content-type": "application/json" } : {};
  const reply = await call(req.method, `${base}${req.path}`, w.principals[p].plaintext, req.body, headers);
  if (req.path === "/Bulk") {
    if (reply.status !== 200) return { status: reply.status, reason: String(reply.body?.detail ?? ""), reply };
    const op = reply.body.Operations[0];
    return { status: Number(op.status), reason: String(op.response?.detail ?? ""), reply };
  }
  return { status: reply.status, reason: String(reply.body?.detail ?? reply.body?.message ?? ""), reply };
}

/** The audit events newer than `marker`, newest first. */
async function eventsSince(w: World, marker: string | undefined) {
  const out = [];
  for (const e of await w.store.audit.list(w.org.id, { limit: 100 })) {
    if (e.id === marker) break;
    out.push(e);
  }
  return out;
}

const ID = /\b(US|GP|GM|AC|IV|IY|TK|DM|OC)[0-9a-f]{32}(?:[0-9a-f]{32})?\b/g;
const hideIds = (text: string) => text.replace(ID, "<id>");
const randomHex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
/** The request with each of the other organization's ids replaced by one that exists nowhere. */
function withUnknownIds(req: Req): Req {
  const foreign = new Set(Object.values(elsewhere).filter((v): v is string => typeof v === "string"));
  const text = JSON.stringify(req).replace(ID, (id) => (foreign.has(id) ? id.slice(0, 2) + randomHex(id.length - 2) : id));
  return JSON.parse(text) as Req;
}

/**
 * The /v1 lists (the GET operations of /v1/openapi.json that take a PageToken), by path: another
 * /v1 read refuses a PageToken as a parameter it does not take (400 whoever asks: it is the
 * request's shape, and says nothing about the target), so only the lists are re-sent with one.
 */
let pagedV1: RegExp[] = [];

/** The request with a page token (/v1 lists) or cursor (SCIM) this server never issued; null for a write or a /v1 read that does not page. */
function withForeignPaging(req: Req): Req | null {
  if (req.method === "GET" && (req.api !== "v1" || pagedV1.some((re) => re.test(req.path)))) return { ...req, path: `${req.path}${req.path.includes("?") ? "&" : "?"}${req.api === "v1" ? "PageToken" : "cursor"}=${randomHex(40)}` };
  // The root /.search takes no cursor at all (a rule of the request's shape, answered 400 first).
  if (req.method === "POST" && req.path.endsWith("/.search") && req.path !== "/.search") return { ...req, body: { ...(req.body as object), cursor: randomHex(40) } };
  return null;
}
let pagingChecked = 0;

interface Outcome { ran: boolean; expected?: Expected; problem?: string }
const counts = { cases: 0, notApplicable: 0, byExpectation: {} as Record<string, number> };
/** For the second pass: one refused case per action (principal, driver, kind). */
const refusedSample = new Map<string, { d: Driver; p: PrincipalName; kind: TargetKind }>();

async function runCase(d: Driver, p: PrincipalName, kind: TargetKind | "otherOrg"): Promise<Outcome> {
  const expected = expectation(d, p, kind);
  const fresh = expected === "allowed" && d.write;
  const freshWorld = fresh && (d.freshWorld === "all" || (d.freshWorld ?? ["self", "owner"]).includes(kind as TargetKind));
  const w = freshWorld ? await buildWorld(s.running.store) : shared;
  const c: Ctx = { w, e: elsewhere, p, url: s.url, dns, fresh };
  let built: { req: Req; check?: () => Promise<void> } | null;
  if (kind === "otherOrg") built = d.otherOrg ? { req: d.otherOrg(c) } : null;
  else built = await d.build(c, kind);
  if (!built) return { ran: false };
  await d.around?.before(c);
  try {
    const watch = !(expected === "allowed" && !d.write);
    const before = watch ? await digestWorld(w) : "";
    const beforeElsewhere = kind === "otherOrg" ? await digest(w.store, elsewhere.org.id) : "";
    const marker = (await w.store.audit.list(w.org.id, { limit: 1 }))[0]?.id;
    decided = [];
    const { status, reason } = await send(w, p, built.req);
    // Another organization's id must answer as an id that exists nowhere: the same request with one.
    const unknown = expected === "notFound" ? await send(w, p, withUnknownIds(built.req)) : null;
    const problems: string[] = [];
    const fail = (what: string) => problems.push(what);
    const unchanged = async () => {
      if ((await digestWorld(w)) !== before) fail("the organization changed");
      if (kind === "otherOrg" && (await digest(w.store, elsewhere.org.id)) !== beforeElsewhere) fail("the other organization changed");
    };
    const mine = [d.action, ...(d.also ?? []).map((a) => a.action)];
    switch (expected) {
      case "allowed": {
        if (status < 200 || status > 299) fail(`answered ${status} (${reason.slice(0, 160)})`);
        const asked = decided.find((x) => x.action === d.action);
        if (!asked) fail(`the policy was not asked about ${d.action} (asked: ${decided.map((x) => x.action).join(", ") || "nothing"})`);
        else if (asked.kind !== kind) fail(`the policy saw the target as ${asked.kind}, the case is ${kind}`);
        if (problems.length === 0 && built.check) await built.check().catch((e: Error) => fail(e.message));
        if (d.write) {
          const events = await eventsSince(w, marker);
          if (events.some((e) => e.outcome === "refused")) fail("a refusal was audited");
          if (!events.some((e) => e.outcome === "success" && e.actor === actorName(w, p))) fail(`no audit event by ${actorName(w, p)} (got ${events.map((e) => `${e.action}:${e.actor}`).join(", ")})`);
        }
        break;
      }
      case "refused":
      case "scope": {
        if (status !== 403) fail(`answered ${status}, not 403 (${reason.slice(0, 160)})`);
        if (expected === "refused" && !/^Not allowed: /.test(reason)) fail(`reason: ${reason.slice(0, 160)}`);
        if (expected === "scope" && !/lacks the required scope/.test(reason)) fail(`reason: ${reason.slice(0, 160)}`);
        if (expected === "refused" && !decided.some((x) => !x.allowed && mine.includes(x.action))) fail(`not refused by the policy on ${mine.join(" or ")}`);
        await unchanged();
        const events = await eventsSince(w, marker);
        if (events.length !== 1 || events[0]!.outcome !== "refused") fail(`audit: ${events.map((e) => `${e.action}:${e.outcome}`).join(", ") || "no event"}`);
        else if (events[0]!.actor !== actorName(w, p)) fail(`audit actor ${events[0]!.actor}, not ${actorName(w, p)}`);
        if (expected === "refused" && !refusedSample.has(d.action) && kind !== "otherOrg") refusedSample.set(d.action, { d, p, kind });
        const paged = withForeignPaging(built.req);
        if (paged) {
          const again = await send(w, p, paged);
          if (again.status !== 403) fail(`with a page token or cursor it never issued: answered ${again.status}, not 403 (${again.reason.slice(0, 120)})`);
          pagingChecked += 1;
        }
        break;
      }
      case "state": {
        const rule = stateRuleFor(d, p, kind as TargetKind)!;
        if (status !== rule.status[d.door.api]) fail(`answered ${status}, the rule of state says ${rule.status[d.door.api]} (${reason.slice(0, 120)})`);
        await unchanged();
        break;
      }
      case "notFound": {
        const mayAtAll = d.kinds.some((k) => [{ action: d.action, kind: k }, ...(d.also ?? []).map((a) => ({ action: a.action, kind: a.kind === "same" ? k : a.kind }))]
          .every((x) => columnAllows(p, x.action, x.kind)));
        if (mayAtAll && status !== 404) fail(`answered ${status}, not 404 (${reason.slice(0, 120)})`);
        if (status !== unknown!.status || hideIds(reason) !== hideIds(unknown!.reason)) {
          fail(`another organization's id answered ${status} "${reason.slice(0, 100)}", an unknown id ${unknown!.status} "${unknown!.reason.slice(0, 100)}"`);
        }
        await unchanged();
        break;
      }
    }
    counts.cases += 1;
    counts.byExpectation[expected] = (counts.byExpectation[expected] ?? 0) + 1;
    return { ran: true, expected, ...(problems.length ? { problem: problems.join("; ") } : {}) };
  } finally {
    await d.around?.after(c);
  }
}

describe("the drivers cover the table", () => {
  it("drive only doors the table lists for their action", () => {
    const stray = ALL.filter((d) => !RULES.get(d.action)?.doors.some((x) => sameDoor(x, d.door))).map((d) => `${d.action} ${JSON.stringify(d.door)}`);
    expect(stray).toEqual([]);
    const strayKinds = ALL.filter((d) => d.kinds.some((k) => !RULES.get(d.action)!.targets.includes(k))).map((d) => d.action);
    expect(strayKinds).toEqual([]);
  });

  it("drive every SCIM, /Bulk and /v1 door of every action (the CLI's are the operator's, tested in-process)", () => {
    const undriven = POLICY.flatMap((r) => r.doors.filter((x) => x.api !== "cli" && !ALL.some((d) => d.action === r.id && sameDoor(d.door, x))).map((x) => `${r.id} ${x.api} ${x.method} ${x.path} ${x.when ?? ""}`));
    expect(undriven).toEqual([]);
  });
});

describe.each(POLICY.map((r) => [r.id] as const))("%s", (action) => {
  it("answers every principal on every door and kind of target as the table says", async () => {
    const problems: string[] = [];
    for (const d of ALL.filter((x) => x.action === action)) {
      for (const p of PRINCIPALS) {
        for (const kind of [...d.kinds, ...(d.otherOrg ? ["otherOrg" as const] : [])]) {
          const out = await runCase(d, p, kind);
          if (!out.ran) { counts.notApplicable += 1; continue; }
          if (out.problem) problems.push(`${p} ${d.door.api} ${d.door.method} ${d.door.path}${d.door.when ? ` (${d.door.when})` : ""} on ${kind}: expected ${out.expected}; ${out.problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("without the policy", () => {
  /** Actions no principal is refused by the policy over HTTP: everyone may, or only the scope door refuses. */
  // Everyone in the organization may read these (a scim-only token is stopped by its scope before the policy, at /v1).
  const NEVER_REFUSED = ["organization.read", "scim.discovery", "viewer.read"];

  it("would answer 2xx to a refused case of every action: the refusals are the policy's", async () => {
    const missing = POLICY.map((r) => r.id).filter((id) => !refusedSample.has(id)).sort();
    expect(missing).toEqual(NEVER_REFUSED);
    const problems: string[] = [];
    allowEverything = true;
    try {
      for (const [action, { d, p, kind }] of refusedSample) {
        const freshWorld = d.freshWorld === "all" || (d.freshWorld ?? ["self", "owner"]).includes(kind);
        const w = freshWorld ? await buildWorld(s.running.store) : shared;
        const c: Ctx = { w, e: elsewhere, p, url: s.url, dns, fresh: true };
        const built = await d.build(c, kind);
        if (!built) { problems.push(`${action}: no fixture`); continue; }
        await d.around?.before(c);
        try {
          const { status, reason } = await send(w, p, built.req);
          // A rule of state still answers for itself: the policy alone was not what refused.
          const rule = stateRuleFor(d, p, kind);
          if (rule ? status !== rule.status[d.door.api] : status < 200 || status > 299) problems.push(`${action} (${p}, ${kind}): ${status} ${reason.slice(0, 160)}`);
        } finally {
          await d.around?.after(c);
        }
      }
    } finally {
      allowEverything = false;
    }
    expect(problems).toEqual([]);
  });

  it("reports the matrix's size and the cases it ran", () => {
    const kinds = new Set(POLICY.flatMap((r) => r.targets));
    const doors = POLICY.reduce((n, r) => n + r.doors.filter((x) => x.api !== "cli").length, 0);
    console.log(`authorization matrix: ${PRINCIPALS.length} principals × ${POLICY.length} actions × ${kinds.size + 1} kinds of target (with another organization's) = ${PRINCIPALS.length * POLICY.length * (kinds.size + 1)} cells; ${doors} doors; `
      + `${counts.cases} cases run (${Object.entries(counts.byExpectation).map(([k, v]) => `${k} ${v}`).join(", ")}), ${counts.notApplicable} not applicable (no such target for that principal), `
      + `${pagingChecked} refused reads sent again with a foreign page token or cursor, ${refusedSample.size} re-run without the policy`);
    expect(counts.cases).toBeGreaterThan(1000);
    expect(pagingChecked).toBeGreaterThan(50);
  });
});
