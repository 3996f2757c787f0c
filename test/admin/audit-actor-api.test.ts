/**
 * GET /v1/AuditEvents?Actor= over real HTTP: a user's sid lists what every credential acting for
 * them did (and nothing else); a token's or client's sid lists what that credential did; it pages
 * to the last match, combines with the other filters, tells another organization nothing, and is
 * for those who may read the trail only.
 */
import { systemClock } from "../../src/domain/clock";
import { operatorActor } from "../../src/domain/actor";
import { createToken, issueToken } from "../../src/domain/tokens";
import { AuditEventPage } from "../../src/http/v1/audit-routes";
import { ErrorBody } from "../../src/http/v1/openapi";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

async function setup() {
  const o = await s.newOrg({ domainEnforcement: false });
  const tag = Math.random().toString(36).slice(2, 8);
  const mk = async (name: string, orgRole = "standard") =>
    (await call("POST", `${s.scim}/Users`, o.token, userBody(`${name}-${tag}@acme.test`, { [ORG_EXT]: { orgRole } }))).body.id as string;
  const tokenFor = async (userId: string | null, scopes: ("admin" | "scim")[] = ["admin"]) => {
    const t = await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "t", scopes, userId, ...(userId ? {} : { ceiling: "administrator" as const }) });
    return { plaintext: t.plaintext, sid: t.token.id };
  };
  const list = async (query: string, token = o.token) => {
    const out: { sid: string; actor: string; action: string }[] = [];
    let url: string | null = `${s.url}/v1/AuditEvents?${query}`;
    for (let i = 0; i < 50 && url; i++) {
      const page: { audit_events: { sid: string; actor: string; action: string }[]; meta: { next_page_url: string | null } } = conforms(AuditEventPage, await v1("GET", url, token));
      out.push(...page.audit_events.map((e) => ({ sid: e.sid, actor: e.actor, action: e.action })));
      url = page.meta.next_page_url;
    }
    return out;
  };
  return { o, tag, mk, tokenFor, list };
}

describe("the audit log by actor", () => {
  it("lists, by a user's sid, what each token acting for them did and nothing else; by a token's sid, that token's only; paged to the last", async () => {
    const { o, mk, tokenFor, list } = await setup();
    const ada = await mk("ada", "administrator");
    const owner = await mk("owner");
    const [t1, t2] = [await tokenFor(ada), await tokenFor(ada)];
    const idp = await tokenFor(null, ["scim"]);
    const api = (token: string, method: string, path: string, body?: unknown) => v1(method, `${s.url}/v1${path}`, token, body);
    const acc = (await api(t1.plaintext, "POST", "/Accounts", { friendly_name: "One", owner_sid: owner })).body.sid as string;
    expect((await api(t2.plaintext, "POST", `/Accounts/${acc}`, { friendly_name: "Uno" })).status).toBe(200);
    expect((await api(t1.plaintext, "POST", "/Accounts", { friendly_name: "Two", owner_sid: owner })).status).toBe(201);
    expect((await call("POST", `${s.scim}/Users`, idp.plaintext, userBody(`pushed-${Math.random().toString(36).slice(2, 8)}@acme.test`))).status).toBe(201);
    // Someone else's token does things too (the org's own token): none of it is Ada's.
    expect((await api(o.token, "POST", `/Accounts/${acc}`, { friendly_name: "Eins" })).status).toBe(200);

    const byAda = await list(`Actor=${ada}&PageSize=1`);
    expect(byAda.map((e) => [e.actor, e.action])).toEqual([
      [`${t1.sid}/${ada}`, "account.create"], [`${t2.sid}/${ada}`, "account.update"], [`${t1.sid}/${ada}`, "account.create"],
    ]);
    expect(await list(`Actor=${t1.sid}`)).toEqual(byAda.filter((e) => e.actor.startsWith(t1.sid)));
    expect((await list(`Actor=${idp.sid}`)).map((e) => e.action)).toEqual(["user.create"]);
    expect((await list(`Actor=${ada}&Action=account.update`)).map((e) => e.actor)).toEqual([`${t2.sid}/${ada}`]);
    expect(await list(`Actor=${owner}`)).toEqual([]); // Owner of an account, never an actor here
  });

  it("tells another organization nothing: its admin's Actor filter on our user answers an empty list, as for a sid nobody has", async () => {
    const { mk, tokenFor, list } = await setup();
    const ada = await mk("ada", "administrator");
    const t = await tokenFor(ada);
    expect((await v1("POST", `${s.url}/v1/Accounts`, t.plaintext, { friendly_name: "Ours", owner_sid: ada })).status).toBe(201);
    const other = await s.newOrg();
    expect(await list(`Actor=${ada}`, other.token)).toEqual([]);
    expect(await list(`Actor=${t.sid}`, other.token)).toEqual([]);
    expect(await list(`Actor=US${"0".repeat(32)}`, other.token)).toEqual([]);
  });

  it("refuses a Standard User (403) and a filter that is not one (400, saying what is wrong)", async () => {
    const { mk, tokenFor } = await setup();
    const std = await tokenFor(await mk("std"));
    const refused = await v1("GET", `${s.url}/v1/AuditEvents?Actor=${std.sid}`, std.plaintext);
    expect(refused.status).toBe(403);
    const { o } = await setup();
    const long = conforms(ErrorBody, await v1("GET", `${s.url}/v1/AuditEvents?Actor=${"x".repeat(201)}`, o.token));
    expect([long.status, long.message]).toEqual([400, expect.stringContaining("Actor")]);
    const empty = conforms(ErrorBody, await v1("GET", `${s.url}/v1/AuditEvents?Actor=`, o.token));
    expect([empty.status, empty.message]).toEqual([400, expect.stringContaining("Actor")]);
  });

  it("finds the operator's commands by their name, and only theirs", async () => {
    const { o, list } = await setup();
    const made = await createToken({ store: s.running.store, clock: systemClock }, operatorActor(o.org, "cli tokens create"), { name: "by the CLI", scopes: ["scim"], userId: null });
    const events = await list(`Actor=${encodeURIComponent("operator:cli tokens create")}`);
    expect(events.map((e) => [e.actor, e.action])).toEqual([["operator:cli tokens create", "token.create"]]);
    expect((await list("Action=token.create")).length).toBeGreaterThan(0);
    expect(made.token.id).toMatch(/^TK/);
  });
});
