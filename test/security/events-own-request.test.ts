/**
 * A write's SCIM events and audit event are its own, under concurrency (docs/security.md case 63,
 * held). The SQLite store finds the batch a store call belongs to through an AsyncLocalStorage
 * scope, disabled whenever no batch runs (src/store/sqlite/store.ts), and a SCIM PUT tells its
 * transaction that it is one, so that its SET is prov:put and not prov:patch
 * (src/domain/events-capture.ts scimPut). A scope lost between two requests, or carried into
 * another's, or a PUT's mark on another transaction, would give a PUT's change a PATCH's event (or the reverse), drop a SET,
 * put one request's change in another's transaction, or credit it to the other's token.
 *
 * Attacked with rounds of concurrent writes on users (PUTs with one token, PATCHes with another,
 * each changing an attribute of its own, some pairs on the same user), sent at once so that they
 * share group commits and their transactions follow each other with the scopes disabled and
 * enabled between them, and a /Bulk carrying both methods. Held: every write has exactly one SET,
 * about its own user, of its own kind (prov:put for a PUT, prov:patch for a PATCH) naming the
 * attribute it changed, and exactly one audit event naming its own token. Real HTTP, real SQLite
 * store.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { drainAll, makeStream, pollAll, poll, PROV, type Stream } from "../events/helpers";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(180_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const N = 40;

let s: TestServer;
let operator = "";
let stream: Stream;
const tokens = { put: "", patch: "", bulk: "" };
const tokenIds = { put: "", patch: "", bulk: "" };
const users: Array<{ id: string; userName: string }> = [];

beforeAll(async () => {
  s = await startTestServer({ EVENTS_POLL_WAIT_MS: "300" });
  const o = await s.newOrg({ domainEnforcement: false });
  operator = o.token;
  for (const k of ["put", "patch", "bulk"] as const) {
    const t = await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: k, scopes: ["scim", "admin"] });
    tokens[k] = t.plaintext;
    tokenIds[k] = t.token.id;
  }
  for (let i = 0; i < N; i++) {
    const r = await call("POST", `${s.scim}/Users`, operator, userBody(`own-${i}@acme.test`));
    expect(r.status).toBe(201);
    users.push({ id: r.body.id as string, userName: r.body.userName as string });
  }
  stream = await makeStream(s, operator, { delivery: "poll" });
});
afterAll(() => s.close());

interface Write { user: string; kind: "put" | "patch"; attribute: string; token: keyof typeof tokens; send: () => Promise<number> }

const putOf = (u: { id: string; userName: string }, round: number, token: keyof typeof tokens): Write => ({
  user: u.id, kind: "put", attribute: "nickName", token,
  send: async () => (await call("PUT", `${s.scim}/Users/${u.id}`, tokens[token], userBody(u.userName, { nickName: `put-${round}` }))).status,
});
const patchOf = (u: { id: string }, round: number, token: keyof typeof tokens): Write => ({
  user: u.id, kind: "patch", attribute: "title", token,
  send: async () => (await call("PATCH", `${s.scim}/Users/${u.id}`, tokens[token], { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "title", value: `patch-${round}` }] })).status,
});

/**
 * The SETs written, as "uri kind attributes" lines, sorted. A user both PUT and PATCHed in a round
 * (`twice`): the PUT replaces the whole user, so whether it also takes away the title a PATCH set
 * follows the order the two ran in; its SET's "title" is left out here, its kind and nickName kept.
 */
async function setsOf(count: number, twice: ReadonlySet<string> = new Set()): Promise<string[]> {
  const sets = await pollAll(s, stream, count, 60_000);
  // Every write was answered before the poll, and its SET committed with it: nothing more may come.
  const more = await poll(s, stream.credential!, { returnImmediately: true });
  expect(Object.keys(more.body.sets as object)).toEqual([]);
  return sets.map(({ payload }) => {
    const [uri, ev] = [payload.sub_id.uri as string, payload.events as Record<string, { attributes?: string[] }>];
    const kinds = Object.keys(ev).map((k) => k.slice(PROV.length));
    const attributes = (k: string) => (ev[`${PROV}${k}`]!.attributes ?? []).filter((a) => !(k === "put:notice" && a === "title" && twice.has(uri)));
    return `${uri} ${kinds.join("+")} ${kinds.map((k) => attributes(k).join(",")).join("|")}`;
  }).sort();
}
const expected = (writes: Write[]): string[] => writes.map((w) => `/Users/${w.user} ${w.kind}:notice ${w.attribute}`).sort();

async function actorsOf(user: string): Promise<string[]> {
  const r = await v1("GET", `${s.url}/v1/AuditEvents?TargetSid=${user}&Action=user.update&PageSize=100`, operator);
  expect(r.status).toBe(200);
  return (r.body.audit_events as Array<{ actor: string }>).map((e) => e.actor);
}

describe("a write's events, under concurrency", () => {
  it("each concurrent PUT and PATCH has one SET of its own kind about its own user, and one audit event naming its token", async () => {
    // Drain what setting up wrote (creates, the Standard User group's members).
    await drainAll(s, stream);
    const before = new Map<string, number>();
    for (const u of users) before.set(u.id, (await actorsOf(u.id)).length);
    const done: Write[] = [];
    for (let round = 1; round <= 3; round++) {
      // Even users PUT, odd users PATCHed; every fourth user both (two writes, two SETs: their
      // transactions are one after the other, whatever the order they run in).
      const writes: Write[] = [];
      users.forEach((u, i) => {
        if (i % 2 === 0) writes.push(putOf(u, round, "put"));
        else writes.push(patchOf(u, round, "patch"));
        if (i % 4 === 0) writes.push(patchOf(u, round, "patch"));
      });
      const statuses = await Promise.all(writes.map((w) => w.send()));
      expect(statuses.filter((st) => st >= 300)).toEqual([]);
      const twice = new Set(users.filter((_, i) => i % 4 === 0).map((u) => `/Users/${u.id}`));
      expect(await setsOf(writes.length, twice)).toEqual(expected(writes));
      done.push(...writes);
    }
    for (const u of users) {
      const mine = done.filter((w) => w.user === u.id);
      const actors = (await actorsOf(u.id)).slice(0, (await actorsOf(u.id)).length - before.get(u.id)!);
      expect({ user: u.id, actors: actors.sort() }).toEqual({ user: u.id, actors: mine.map((w) => tokenIds[w.token]).sort() });
    }
  });

  it("a /Bulk of PUTs and PATCHes, concurrent with single writes: each operation's SET is of its own kind", async () => {
    await drainAll(s, stream);
    const round = 9;
    const bulkOps = users.slice(0, 8).map((u, i) => i % 2 === 0
      ? { method: "PUT", path: `/Users/${u.id}`, data: userBody(u.userName, { nickName: `bulk-${round}` }) }
      : { method: "PATCH", path: `/Users/${u.id}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "title", value: `bulk-${round}` }] } });
    const singles: Write[] = users.slice(8).map((u, i) => (i % 2 === 0 ? putOf(u, round, "put") : patchOf(u, round, "patch")));
    const [bulk, ...statuses] = await Promise.all([
      call("POST", `${s.scim}/Bulk`, tokens.bulk, { schemas: [BULK], Operations: bulkOps }),
      ...singles.map((w) => w.send()),
    ]);
    expect(bulk.status).toBe(200);
    expect((bulk.body.Operations as Array<{ status: string }>).map((o) => o.status)).toEqual(bulkOps.map((o) => (o.method === "PUT" ? "200" : expect.stringMatching(/^20[04]$/))));
    expect(statuses.filter((st) => st >= 300)).toEqual([]);
    const bulkWrites: Write[] = users.slice(0, 8).map((u, i) => (i % 2 === 0
      ? { user: u.id, kind: "put", attribute: "nickName", token: "bulk", send: async () => 0 }
      : { user: u.id, kind: "patch", attribute: "title", token: "bulk", send: async () => 0 }));
    // The earlier rounds' PATCHes set titles: a PUT now takes them away too.
    const everyone = new Set(users.map((u) => `/Users/${u.id}`));
    expect(await setsOf(bulkOps.length + singles.length, everyone)).toEqual(expected([...bulkWrites, ...singles]));
  });

  it("one after another on a kept-alive connection, a PATCH after a PUT is a PATCH", async () => {
    await drainAll(s, stream);
    const writes: Write[] = [];
    for (let i = 0; i < 10; i++) {
      writes.push(putOf(users[2 * i]!, 20 + i, "put"), patchOf(users[2 * i + 1]!, 20 + i, "put"));
    }
    for (const w of writes) expect(await w.send()).toBeLessThan(300);
    expect(await setsOf(writes.length, new Set(users.map((u) => `/Users/${u.id}`)))).toEqual(expected(writes));
  });
});
