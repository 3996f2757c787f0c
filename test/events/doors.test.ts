/**
 * No door forgets its events: generated from the authorization matrix's drivers, which the matrix
 * test keeps in step with the policy table (every SCIM, /Bulk and /v1 door of every action has
 * one). For every writing door and every kind of target some principal may change, the change is
 * made over real HTTP with a poll stream configured, and the SCIM resources that changed (users
 * SCIM shows, groups with their members, compared before and after) must be exactly the subjects
 * of the SETs written, each with the event its change calls for. A new door, or a new use case
 * behind one, that changes a user or a group without its SET fails here, whoever wrote it.
 * (The CLI reaches the store through the same openStore: test/events/cli.test.ts.)
 */
import { RULES } from "../../src/domain/policy/table";
import type { TargetKind } from "../../src/domain/policy/kinds";
import type { Store } from "../../src/domain/ports/store";
import { createStream } from "../../src/domain/events";
import { drivers, type Ctx, type Driver, type Req } from "../authz/matrix/drivers";
import { buildElsewhere, buildWorld, PRINCIPAL_SPECS, PRINCIPALS, type Elsewhere, type PrincipalName, type World } from "../authz/matrix/world";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { call, startTestServer, type TestServer } from "../helpers/server";
import { PROV } from "./helpers";

jest.setTimeout(900_000);

let s: TestServer;
let dns: TestDnsServer;
let elsewhere: Elsewhere;
beforeAll(async () => {
  dns = await startDnsServer();
  s = await startTestServer({ DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: "10000" });
  elsewhere = await buildElsewhere(s.running.store);
});
afterAll(async () => {
  await s?.close();
  await dns?.close();
});

/** A principal the policy lets make this change (the matrix's rule for an allowed case), or null. */
function allowedPrincipal(d: Driver, kind: TargetKind): PrincipalName | null {
  const rule = RULES.get(d.action)!;
  const api = d.door.api;
  for (const p of PRINCIPALS) {
    const sp = PRINCIPAL_SPECS[p];
    if (api === "v1" && !sp.admin) continue;
    if (!(rule.allow[sp.level] ?? []).includes(kind)) continue;
    if (!sp.admin && !(rule.allow.idp ?? []).includes(kind)) continue;
    if ((d.also ?? []).some((a) => !(RULES.get(a.action)!.allow[sp.level] ?? []).includes(a.kind === "same" ? kind : a.kind))) continue;
    return p;
  }
  return null;
}

/** Every SCIM resource of the organization as SCIM shows it: users (managed, pending) and groups with their members. */
async function resources(store: Store, orgId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const users = await store.users.listByStatus(orgId, { offset: 0, limit: 100_000 });
  for (const u of users.items) if (u.status === "managed" || u.status === "pending") out.set(`/Users/${u.id}`, `${u.version}`);
  const groups = await store.groups.list(orgId, { startIndex: 1, count: 100_000 });
  for (const g of groups.items) out.set(`/Groups/${g.id}`, `${g.version} ${(await store.groups.listMembers(orgId, g.id, 100_000)).map((m) => m.id).sort().join(",")}`);
  return out;
}

async function send(w: World, p: PrincipalName, req: Req): Promise<number> {
  const base = req.api === "scim" ? `${s.url}/scim/v2` : `${s.url}/v1`;
  const headers: Record<string, string> = req.body !== undefined && req.api === "v1" ? { "content-type": "application/json" } : {};
  const reply = await call(req.method, `${base}${req.path}`, w.principals[p].plaintext, req.body, headers);
  if (req.path === "/Bulk") return reply.status === 200 ? Number(reply.body.Operations[0].status) : reply.status;
  return reply.status;
}

/** The SETs written for the stream since the last call (then acknowledged), as subject → event URIs. */
async function drain(store: Store, orgId: string, streamId: string, problems: string[] | null = null, where = ""): Promise<Map<string, string[]>> {
  const rows = await store.events!.listEvents(orgId, streamId, 10_000);
  await store.events!.ack(orgId, streamId, rows.map((r) => r.jti));
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const claims = JSON.parse(r.claims) as { sub_id: { uri: string }; events: Record<string, unknown> };
    if (out.has(claims.sub_id.uri)) problems?.push(`${where}: two SETs for ${claims.sub_id.uri} (${out.get(claims.sub_id.uri)!.join(" + ")}; ${Object.keys(claims.events).join(" + ")})`);
    out.set(claims.sub_id.uri, Object.keys(claims.events).sort());
  }
  return out;
}

const worlds = new Map<World, string>();
async function withStream(w: World): Promise<string> {
  let id = worlds.get(w);
  if (!id) {
    id = (await createStream({ store: w.store, clock: { now: () => new Date() } }, w.op, { name: "doors", delivery: "poll" })).stream.id;
    worlds.set(w, id);
  }
  return id;
}

it("writes exactly one SET per changed user or group, with the right event, through every writing door", async () => {
  const shared = await buildWorld(s.running.store);
  const problems: string[] = [];
  const covered = { cases: 0, changing: 0, stateRefusals: 0, byApi: {} as Record<string, number> };
  for (const d of drivers().filter((x) => x.write && x.door.api !== "cli")) {
    for (const kind of d.kinds) {
      const p = allowedPrincipal(d, kind);
      if (!p) continue;
      const freshWorld = d.freshWorld === "all" || (d.freshWorld ?? ["self", "owner"]).includes(kind);
      const w = freshWorld ? await buildWorld(s.running.store) : shared;
      const streamId = await withStream(w);
      const c: Ctx = { w, e: elsewhere, p, url: s.url, dns, fresh: true };
      const built = await d.build(c, kind);
      if (!built) continue;
      await d.around?.before(c);
      const where = `${d.action} ${d.door.api} ${d.door.method} ${d.door.path}${d.door.when ? ` (${d.door.when})` : ""} on ${kind} as ${p}`;
      try {
        await drain(w.store, w.org.id, streamId); // what the fixtures wrote
        const before = await resources(w.store, w.org.id);
        const status = await send(w, p, built.req);
        const after = await resources(w.store, w.org.id);
        const sets = await drain(w.store, w.org.id, streamId, problems, where);
        covered.cases++;
        if (status < 200 || status > 299) {
          // A rule of state (nobody removes themselves, the Owner stays): refused whoever asks, nothing changed.
          if (RULES.get(d.action)!.stateRules && status === 400 && sets.size === 0) { covered.stateRefusals++; continue; }
          problems.push(`${where}: answered ${status}`);
          continue;
        }
        const changed = new Map<string, string[]>();
        for (const [uri, v] of after) {
          if (!before.has(uri)) changed.set(uri, [`${PROV}create:notice`]);
          else if (before.get(uri) !== v) changed.set(uri, ["change"]);
        }
        for (const uri of before.keys()) if (!after.has(uri)) changed.set(uri, [`${PROV}delete`]);
        if (changed.size > 0) {
          covered.changing++;
          covered.byApi[d.door.api] = (covered.byApi[d.door.api] ?? 0) + 1;
        }
        for (const [uri, want] of changed) {
          const got = sets.get(uri);
          if (!got) { problems.push(`${where}: ${uri} changed, no SET`); continue; }
          const ok = want[0] === "change" ? got.some((e) => e === `${PROV}patch:notice` || e === `${PROV}put:notice`) : got.includes(want[0]!);
          if (!ok) problems.push(`${where}: ${uri} ${want[0]} but SET ${got.join(" + ")}`);
        }
        for (const uri of sets.keys()) if (!changed.has(uri)) problems.push(`${where}: SET for ${uri}, which did not change`);
      } finally {
        await d.around?.after(c);
      }
    }
  }
  expect(problems).toEqual([]);
  // The doors that change users and groups were all reached (a driver list that lost them would pass vacuously).
  expect(covered.byApi.scim).toBeGreaterThan(10);
  expect(covered.byApi.bulk).toBeGreaterThan(10);
  expect(covered.byApi.v1).toBeGreaterThan(5);
  console.log(`events through the doors: ${covered.cases} writes, ${covered.changing} changed users or groups (${JSON.stringify(covered.byApi)}), ${covered.stateRefusals} refused by a rule of state`);
});
