/**
 * /v1/Domains over real HTTP, with a real DNS server on loopback (DNS_SERVERS points the server
 * at it): add a domain → serve its TXT record → verify → provision by SCIM on it; the periodic
 * re-check (run directly, with a clock moved forward) takes it through revalidating and removed.
 */
import { systemClock, type Clock } from "../../src/domain/clock";
import { recheckDomains } from "../../src/domain/domains";
import { issueToken } from "../../src/domain/tokens";
import { ErrorBody } from "../../src/http/v1/openapi";
import { DomainBody, DomainPage, DomainVerifyBody } from "../../src/http/v1/domains-routes";
import { createTxtResolver } from "../../src/infra/dns";
import { closedUdpPort, startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

const DAY = 24 * 3600_000;

let dns: TestDnsServer;
let s: TestServer;
beforeAll(async () => {
  dns = await startDnsServer();
  s = await startTestServer({ DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: "10000" });
});
afterAll(async () => {
  await s.close();
  await dns.close();
});

/** The periodic re-check as the server's timer runs it, at `now + days`. */
async function recheckAt(days: number) {
  const at = Date.now() + days * DAY;
  const clock: Clock = { now: () => new Date(at) };
  return recheckDomains({ store: s.running.store, clock, dns: createTxtResolver({ servers: [dns.address], timeoutMs: 10_000, tries: 1 }) });
}

let seq = 0;
const unique = (label: string) => `${label}-${++seq}-${Math.random().toString(36).slice(2, 8)}.test`;

async function addDomain(token: string, name: string) {
  const r = await v1("POST", `${s.url}/v1/Domains`, token, { domain_name: name });
  expect(r.status).toBe(201);
  return conforms(DomainBody, r);
}

describe("/v1/Domains: add → TXT record on the loopback DNS server → verify → provision by SCIM", () => {
  it("takes a domain through pending, verified, revalidating, verified again and removed, with SCIM following each state", async () => {
    const { org, token } = await s.newOrg();
    const name = unique("e2e-corp");
    const provision = (local: string) => call("POST", `${s.scim}/Users`, token, userBody(`${local}@${name.toUpperCase()}`));

    // add: pending, with the record to create
    const d = await addDomain(token, ` ${name.toUpperCase()}. `);
    expect(d).toMatchObject({ domain_name: name, state: "pending", date_verified: null, date_revalidation_started: null });
    expect(d.sid).toMatch(/^DM[0-9a-f]{32}$/);
    expect(d.verification).toEqual({
      method: "dns_txt", record_type: "TXT", record_name: `_orgscim.${name}`, apex_record_name: name,
      record_value: expect.stringMatching(/^orgscim-domain-verification=[0-9a-f]{32}$/), ttl: 3600,
    });
    expect(Date.parse(d.date_expires!) - Date.parse(d.date_created)).toBe(72 * 3600_000);
    expect((await provision("early")).headers.get("x-orgscim-error-code")).toBe("4006");

    // verify before the record exists: still pending, told what to create
    let r = await v1("POST", `${s.url}/v1/Domains/${d.sid}/Verify`, token);
    expect(r.status).toBe(200);
    let v = conforms(DomainVerifyBody, r);
    expect(v).toMatchObject({ state: "pending", record_found: false });
    expect(v.message).toContain(`TXT record named _orgscim.${name}`);
    expect(v.message).toContain(d.verification.record_value);
    expect(dns.queries).toContain(`_orgscim.${name}`);

    // the record appears on the DNS server: verified, and SCIM provisions on the domain
    dns.setTxt(`_orgscim.${name}`, d.verification.record_value);
    r = await v1("POST", `${s.url}/v1/Domains/${d.sid}/Verify`, token);
    v = conforms(DomainVerifyBody, r);
    expect(v).toMatchObject({ state: "verified", record_found: true, date_expires: null });
    expect(v.date_verified).not.toBeNull();
    expect(v.message).toContain(`_orgscim.${name}`);
    const alice = await provision("alice");
    expect(alice.status).toBe(201);

    // the token disappears: the re-check moves it to revalidating, and SCIM refuses the domain by name
    dns.txt.delete(`_orgscim.${name}`);
    expect((await recheckAt(1)).revalidating).toBeGreaterThanOrEqual(1);
    const rv = conforms(DomainBody, await v1("GET", `${s.url}/v1/Domains/${d.sid}`, token));
    expect(rv.state).toBe("revalidating");
    expect(Date.parse(rv.date_expires!) - Date.parse(rv.date_revalidation_started!)).toBe(30 * DAY);
    const refused = await provision("bob");
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ scimType: "invalidValue" });
    expect(refused.headers.get("x-orgscim-error-code")).toBe("4006");
    expect(refused.body.detail).toContain(name);
    expect((await call("GET", `${s.scim}/Users/${alice.body.id}`, token)).status).toBe(200); // users already there stay

    // the token is back: verified again
    dns.setTxt(`_orgscim.${name}`, d.verification.record_value);
    await recheckAt(2);
    expect(conforms(DomainBody, await v1("GET", `${s.url}/v1/Domains/${d.sid}`, token))).toMatchObject({ state: "verified", date_revalidation_started: null });
    expect((await provision("carol")).status).toBe(201);

    // gone again, and still gone 30 days later: removed
    dns.txt.delete(`_orgscim.${name}`);
    await recheckAt(3);
    expect(conforms(DomainBody, await v1("GET", `${s.url}/v1/Domains/${d.sid}`, token)).state).toBe("revalidating");
    await recheckAt(32); // 29 days of grace so far
    expect(conforms(DomainBody, await v1("GET", `${s.url}/v1/Domains/${d.sid}`, token)).state).toBe("revalidating");
    await recheckAt(33.1); // past 30 days
    expect((await v1("GET", `${s.url}/v1/Domains/${d.sid}`, token)).status).toBe(404);
    const list = conforms(DomainPage, await v1("GET", `${s.url}/v1/Domains`, token));
    expect(list.domains.map((x) => x.sid)).not.toContain(d.sid);
    expect((await provision("dave")).status).toBe(400);

    const actions = (await s.running.store.audit.list(org.id, { limit: 50 })).filter((e) => e.targetId === d.sid).map((e) => e.action).reverse();
    expect(actions).toEqual(["domain.create", "domain.verify", "domain.revalidate", "domain.verify", "domain.revalidate", "domain.remove"]);
  });

  it("accepts the token at the domain's apex too", async () => {
    const { token } = await s.newOrg();
    const d = await addDomain(token, unique("apex"));
    dns.setTxt(d.domain_name, d.verification.record_value);
    const v = conforms(DomainVerifyBody, await v1("POST", `${s.url}/v1/Domains/${d.sid}/Verify`, token));
    expect(v).toMatchObject({ state: "verified", record_found: true });
  });
});

describe("/v1/Domains rules", () => {
  it("lists by pages of PageSize with an opaque PageToken", async () => {
    const { token } = await s.newOrg();
    const names = [unique("p-a"), unique("p-b"), unique("p-c")];
    for (const n of names) await addDomain(token, n);
    const first = conforms(DomainPage, await v1("GET", `${s.url}/v1/Domains?PageSize=2`, token));
    expect(first.domains).toHaveLength(2);
    expect(first.meta).toMatchObject({ key: "domains", page: 0, page_size: 2, previous_page_url: null });
    const second = conforms(DomainPage, await v1("GET", first.meta.next_page_url!, token));
    expect(second.domains).toHaveLength(1);
    expect(second.meta.next_page_url).toBeNull();
    expect([...first.domains, ...second.domains].map((d) => d.domain_name).sort()).toEqual([...names].sort());
    expect((await v1("GET", `${s.url}/v1/Domains?PageSize=500`, token)).status).toBe(400);
  });

  it("removes a domain with DELETE: 204, then 404, and audits it", async () => {
    const { org, token } = await s.newOrg();
    const d = await addDomain(token, unique("gone"));
    expect((await v1("DELETE", `${s.url}/v1/Domains/${d.sid}`, token)).status).toBe(204);
    expect((await v1("GET", `${s.url}/v1/Domains/${d.sid}`, token)).status).toBe(404);
    expect((await v1("DELETE", `${s.url}/v1/Domains/${d.sid}`, token)).status).toBe(404);
    expect((await s.running.store.audit.list(org.id, { limit: 1 }))[0]).toMatchObject({ action: "domain.remove", targetId: d.sid, outcome: "success" });
  });

  it("refuses invalid names and public mail domains with 400", async () => {
    const { token } = await s.newOrg();
    for (const [name, code] of [["10.0.0.1", 6102], ["intranet", 6102], ["bad_label.example.com", 6102], ["gmail.com", 6103], ["GMX.net", 6103], ["mail.ru", 6103]] as const) {
      const r = await v1("POST", `${s.url}/v1/Domains`, token, { domain_name: name });
      expect(r.status).toBe(400);
      expect(conforms(ErrorBody, r).code).toBe(code);
    }
    const bad = await v1("POST", `${s.url}/v1/Domains`, token, { name: "example.com" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/domain_name/);
  });

  it("refuses the 101st domain of an organization", async () => {
    const { token } = await s.newOrg();
    const base = unique("many");
    for (let i = 0; i < 100; i++) await addDomain(token, `d${i}.${base}`);
    const r = await v1("POST", `${s.url}/v1/Domains`, token, { domain_name: `d100.${base}` });
    expect(r.status).toBe(400);
    expect(conforms(ErrorBody, r).code).toBe(6104);
    expect(r.body.message).toMatch(/at most 100/);
  });

  it("refuses a domain another organization verified with 409, without naming that organization", async () => {
    const a = await s.newOrg();
    const b = await s.newOrg();
    const name = unique("claimed");
    const d = await addDomain(a.token, name);
    await s.running.store.domains.update({ ...(await s.running.store.domains.get(a.org.id, d.sid))!, state: "verified", verifiedAt: new Date().toISOString() });
    const r = await v1("POST", `${s.url}/v1/Domains`, b.token, { domain_name: name.toUpperCase() });
    expect(r.status).toBe(409);
    expect(conforms(ErrorBody, r).code).toBe(6105);
    expect(r.text).not.toContain(a.org.id);
    expect(r.text).not.toContain(d.sid);
    // the organization that holds it is told where it is
    const again = await v1("POST", `${s.url}/v1/Domains`, a.token, { domain_name: name });
    expect([again.status, again.body.code]).toEqual([409, 6106]);
  });

  it("answers another organization's sid exactly like an unknown sid: 404", async () => {
    const a = await s.newOrg();
    const b = await s.newOrg();
    const d = await addDomain(a.token, unique("private"));
    const unknown = `DM${"0".repeat(32)}`;
    for (const [method, suffix] of [["GET", ""], ["POST", "/Verify"], ["DELETE", ""]] as const) {
      const theirs = await v1(method, `${s.url}/v1/Domains/${d.sid}${suffix}`, b.token);
      const none = await v1(method, `${s.url}/v1/Domains/${unknown}${suffix}`, b.token);
      expect([theirs.status, none.status]).toEqual([404, 404]);
      expect(conforms(ErrorBody, theirs).code).toBe(conforms(ErrorBody, none).code);
      expect(theirs.body.message.replace(d.sid, "X")).toBe(none.body.message.replace(unknown, "X"));
    }
    expect(conforms(DomainBody, await v1("GET", `${s.url}/v1/Domains/${d.sid}`, a.token)).state).toBe("pending");
    expect((await v1("GET", `${s.url}/v1/Domains/not-a-sid`, a.token)).status).toBe(404);
  });

  it("refuses a Standard User's token with 403 and audits the refusal", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const d = await addDomain(o.token, unique("std"));
    const u = (await call("POST", `${s.scim}/Users`, o.token, userBody("std@acme.test"))).body.id;
    const { plaintext } = await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["admin"], userId: u });
    for (const [method, path, body] of [
      ["POST", "/v1/Domains", { domain_name: unique("std-add") }], ["GET", "/v1/Domains", undefined], ["GET", `/v1/Domains/${d.sid}`, undefined],
      ["POST", `/v1/Domains/${d.sid}/Verify`, undefined], ["DELETE", `/v1/Domains/${d.sid}`, undefined],
    ] as const) {
      const r = await v1(method, `${s.url}${path}`, plaintext, body);
      expect(r.status).toBe(403);
      expect(conforms(ErrorBody, r).message).toMatch(/Owner or Administrator/);
    }
    const refusals = (await s.running.store.audit.list(o.org.id, { limit: 5 })).map((e) => [e.action, e.outcome]);
    expect(refusals).toEqual([["domain.remove", "refused"], ["domain.verify", "refused"], ["domain.read", "refused"], ["domain.read", "refused"], ["domain.create", "refused"]]);
    expect(conforms(DomainBody, await v1("GET", `${s.url}/v1/Domains/${d.sid}`, o.token)).state).toBe("pending");
  });

  it("is declared in /v1/openapi.json", async () => {
    const r = await call("GET", `${s.url}/v1/openapi.json`, null);
    expect(r.body.paths["/Domains"].post.requestBody).toBeDefined();
    expect(r.body.paths["/Domains"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["PageSize", "PageToken"]);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(["/Domains", "/Domains/{sid}", "/Domains/{sid}/Verify"]));
    expect(r.body.paths["/Domains/{sid}"].delete.responses["204"]).toBeDefined();
  });
});

describe("/v1/Domains with the resolver down", () => {
  let down: TestServer;
  beforeAll(async () => {
    down = await startTestServer({ DNS_SERVERS: `127.0.0.1:${await closedUdpPort()}`, DNS_TIMEOUT_MS: "300" });
  });
  afterAll(() => down.close());

  it("answers Verify with 503 and Retry-After, never a false 'not found', and leaves the state unchanged", async () => {
    const org = await down.newOrg();
    const name = unique("no-resolver");
    const r0 = await v1("POST", `${down.url}/v1/Domains`, org.token, { domain_name: name });
    const d = conforms(DomainBody, r0);
    const r = await v1("POST", `${down.url}/v1/Domains/${d.sid}/Verify`, org.token);
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("30");
    expect(conforms(ErrorBody, r)).toMatchObject({ code: 6107, status: 503 });
    expect(r.body.message).toContain(`_orgscim.${name}`);
    expect(r.body.message).not.toMatch(/not found/i);
    expect(conforms(DomainBody, await v1("GET", `${down.url}/v1/Domains/${d.sid}`, org.token)).state).toBe("pending");
    const events = await down.running.store.audit.list(org.org.id, { limit: 1 });
    expect(events[0]).toMatchObject({ action: "domain.create" });
  });
});
