/**
 * The create path under attack while it is made faster (docs/security.md case 65, held): POST
 * /Users decides uniqueness, revival and the built-in role group's membership, and writes the
 * user, its emails, its audit event and its SETs. Made faster (rows written at once, checks moved
 * or skipped, events and audit assembled in place), a create could be let through twice under a
 * name that differs only in case or Unicode form, revive another organization's user by its
 * externalId, or leave a user without its audit event, its SET or its role group.
 *
 * Attacked over HTTP, the real SQLite store, every create sent at once: one userName in ten
 * spellings (case, NFC and NFD), two organizations POSTing the same userName and externalId,
 * an organization POSTing the externalId of another organization's deactivated user, and a
 * crowd of creates of distinct users sharing group commits. Held: exactly one 201 per person in an
 * organization, the rest 409 uniqueness; the other organization's users untouched and unrevived;
 * each created user has exactly one user.create audit event naming its creator, one create SET
 * about itself, and is a member of the built-in Standard User group once.
 */
import { makeStream, pollAll, PROV } from "../events/helpers";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(180_000);

let s: TestServer;
const org = { a: { id: "", token: "" }, b: { id: "", token: "" } };
beforeAll(async () => {
  s = await startTestServer({ EVENTS_POLL_WAIT_MS: "300" });
  for (const k of ["a", "b"] as const) {
    const o = await s.newOrg({ domainEnforcement: false });
    org[k] = { id: o.org.id, token: o.token };
  }
});
afterAll(() => s.close());

const tag = () => Math.random().toString(36).slice(2, 8);
const statuses = (rs: Reply[]): number[] => rs.map((r) => r.status).sort((x, y) => x - y);
const post = (k: "a" | "b", body: unknown) => call("POST", `${s.scim}/Users`, org[k].token, body);
const byName = async (k: "a" | "b", name: string): Promise<Array<Record<string, unknown>>> => {
  const r = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`, org[k].token);
  expect(r.status).toBe(200);
  return (r.body.Resources ?? []) as Array<Record<string, unknown>>;
};

describe("POST /Users raced", () => {
  it("lets one userName in ten spellings (case, NFC, NFD) through once", async () => {
    const t = tag();
    const nfc = `zoë.${t}@acme.test`;
    const spellings = [nfc, nfc.toUpperCase(), nfc.normalize("NFD"), nfc.toUpperCase().normalize("NFD"), `Zoë.${t}@Acme.Test`,
      `ZOË.${t}@acme.test`, `zoë.${t.toUpperCase()}@acme.test`, nfc, `Zoe\u0308.${t}@acme.test`, `zOË.${t}@ACME.test`];
    const replies = await Promise.all(spellings.map((name, i) => post("a", userBody(name, { emails: [{ value: `z${i}.${t}@acme.test`, type: "work", primary: true }] }))));
    expect(statuses(replies)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.scimType).toBe("uniqueness");
    expect((await byName("a", nfc)).length).toBe(1);
  });

  it("keeps two organizations' creates of one userName and externalId apart, both created", async () => {
    const name = `both-${tag()}@acme.test`;
    const replies = await Promise.all([...Array(5).fill("a"), ...Array(5).fill("b")].map((k: "a" | "b") => post(k, userBody(name, { externalId: `ext-${name}` }))));
    const of = (k: number) => statuses(replies.slice(k * 5, k * 5 + 5));
    expect([of(0), of(1)]).toEqual([[201, 409, 409, 409, 409], [201, 409, 409, 409, 409]]);
    const [ua, ub] = [(await byName("a", name))[0]!, (await byName("b", name))[0]!];
    expect(ua.id).not.toBe(ub.id);
    expect((await call("GET", `${s.scim}/Users/${ua.id as string}`, org.b.token)).status).toBe(404);
  });

  it("never revives another organization's deactivated user by its externalId", async () => {
    const name = `revive-${tag()}@acme.test`;
    const c = await post("a", userBody(name, { externalId: `okta-${name}`, displayName: "A's" }));
    expect(c.status).toBe(201);
    const off = await call("PATCH", `${s.scim}/Users/${c.body.id as string}`, org.a.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    expect(off.status).toBeLessThan(300);
    const before = await call("GET", `${s.scim}/Users/${c.body.id as string}`, org.a.token);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => post("b", userBody(name, { externalId: `okta-${name}`, displayName: `B's ${i}` }))));
    expect(statuses(replies)).toEqual([201, 409, 409, 409, 409, 409]);
    const made = replies.find((r) => r.status === 201)!;
    expect(made.body.id).not.toBe(c.body.id);
    expect(made.headers.get("x-orgscim-outcome")).toBeNull();
    const after = await call("GET", `${s.scim}/Users/${c.body.id as string}`, org.a.token);
    expect(after.text).toBe(before.text);
  });

  it("gives each of a crowd of creates one audit event, one create SET and the Standard User group once", async () => {
    const stream = await makeStream(s, org.a.token, { delivery: "poll" });
    const t = tag();
    const n = 40;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => post("a", userBody(`crowd-${i}-${t}@acme.test`))));
    expect(statuses(replies)).toEqual(Array(n).fill(201));
    const ids = replies.map((r) => r.body.id as string).sort();
    // One create SET per user (the Standard User group's members SETs besides). Every create was
    // answered, its SETs committed with it, before the poll: its first answer holds them all (up to 500).
    const sets = await pollAll(s, stream, n + 1, 60_000);
    const creates = sets.filter((x) => Object.keys(x.payload.events as object).includes(`${PROV}create:notice`)).map((x) => (x.payload.sub_id as { id: string }).id).sort();
    expect(creates).toEqual(ids);
    const created = await v1("GET", `${s.url}/v1/AuditEvents?Action=user.create&PageSize=100`, org.a.token);
    expect(created.status).toBe(200);
    const audited = (created.body.audit_events as Array<{ target_sid: string; actor: string; outcome: string }>).filter((e) => ids.includes(e.target_sid));
    expect(audited.map((e) => e.target_sid).sort()).toEqual(ids);
    expect(new Set(audited.map((e) => `${e.actor.slice(0, 2)} ${e.outcome}`))).toEqual(new Set(["TK success"]));
    for (const r of replies) {
      const groups = ((r.body.groups ?? []) as Array<{ display: string }>).map((g) => g.display);
      expect({ id: r.body.id, groups }).toEqual({ id: r.body.id, groups: ["Standard User"] });
      const now = await call("GET", `${s.scim}/Users/${r.body.id as string}?attributes=groups`, org.a.token);
      expect(((now.body.groups ?? []) as Array<{ display: string }>).map((g) => g.display)).toEqual(["Standard User"]);
    }
  });
});
