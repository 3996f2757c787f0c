/**
 * Domains over real HTTP with a real DNS server on loopback: names no organization can own are
 * refused through the Public Suffix List and the documented public mail and relay list; an
 * unverified claim blocks nobody; the first organization to verify owns the name and the other
 * claims end, with an answer saying why.
 */
import { systemClock } from "../../src/domain/clock";
import { recheckDomains } from "../../src/domain/domains";
import { PUBLIC_MAIL_DOMAINS } from "../../src/domain/public-mail-domains";
import { createTxtResolver } from "../../src/infra/dns";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { v1 } from "../helpers/v1";
import { newOrg, scimCreate, startTestServer, uniqueDomain, uniqueLocal, type OrgHandle, type TestServer } from "./helpers";

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

const add = (o: OrgHandle, name: string) => v1("POST", `${s.url}/v1/Domains`, o.token, { domain_name: name });
const verify = (o: OrgHandle, sid: string) => v1("POST", `${s.url}/v1/Domains/${sid}/Verify`, o.token);
const publish = (name: string, challenge: string) => dns.setTxt(`_orgscim.${name}`, challenge);

describe("names no organization can own", () => {
  it.each([
    ["co.uk", 6108], ["github.io", 6108], ["blogspot.com", 6108], ["s3.amazonaws.com", 6108], ["com.au", 6108],
    ["duck.com", 6103], ["privaterelay.appleid.com", 6103], ["mozmail.com", 6103], ["gmail.com", 6103], ["mail.gmail.com", 6103],
    ["yahoo.co.uk", 6103], ["simplelogin.com", 6103], ["x.privaterelay.appleid.com", 6103],
  ])("refuses %s with 400 and code %d, saying why", async (name, code) => {
    const o = await newOrg(s, true);
    const r = await add(o, name);
    expect([r.status, r.body.code]).toEqual([400, code]);
    expect(r.body.message).toMatch(code === 6108 ? /public suffix/ : /public mail/);
  });

  it("accepts a registrable domain under a public suffix (acme.co.uk, someone.github.io) and a subdomain of one", async () => {
    const o = await newOrg(s, true);
    for (const name of [`${uniqueLocal("acme")}.co.uk`, `${uniqueLocal("me")}.github.io`, `eu.${uniqueLocal("acme")}.co.uk`]) {
      const r = await add(o, name);
      expect([r.status, r.body.state]).toEqual([201, "pending"]);
    }
  });

  it("refuses every name of the documented public mail and relay list", async () => {
    const o = await newOrg(s, true);
    for (const name of PUBLIC_MAIL_DOMAINS) {
      const r = await add(o, name);
      expect([name, r.status]).toEqual([name, 400]);
      expect([6103, 6108]).toContain(r.body.code);
    }
  }, 60_000);
});

describe("claims", () => {
  it("lets several organizations claim one name; the first to verify owns it and the other claims end, with a clear answer", async () => {
    const name = uniqueDomain("contested");
    const squatter = await newOrg(s, true);
    const owner = await newOrg(s, true);
    const third = await newOrg(s, true);
    const sq = await add(squatter, name);
    expect(sq.status).toBe(201);
    const mine = await add(owner, name.toUpperCase());
    expect([mine.status, mine.body.state]).toEqual([201, "pending"]);
    const th = await add(third, name);
    expect(th.status).toBe(201);
    // only the owner publishes its token
    publish(name, mine.body.verification.record_value);
    const ok = await verify(owner, mine.body.sid);
    expect([ok.status, ok.body.state]).toEqual([200, "verified"]);
    // the others' claims ended: listed no more, and their sid says why
    expect((await v1("GET", `${s.url}/v1/Domains`, squatter.token)).body.domains).toEqual([]);
    for (const [o, sid] of [[squatter, sq.body.sid], [third, th.body.sid]] as const) {
      for (const r of [await v1("GET", `${s.url}/v1/Domains/${sid}`, o.token), await verify(o, sid)]) {
        expect([r.status, r.body.code]).toEqual([404, 6109]);
        expect(r.body.message).toMatch(/another organization verified/);
        expect(r.text).not.toContain(owner.id);
      }
    }
    const ended = (await s.running.store.audit.list(squatter.id, { limit: 5, action: "domain.remove" }))[0];
    expect(ended).toMatchObject({ actor: "system:domain-ownership", targetId: sq.body.sid });
    expect(ended!.reason).toMatch(/verified this domain first/);
    // and a new claim on it is refused while it is owned
    const again = await add(squatter, name);
    expect([again.status, again.body.code]).toEqual([409, 6105]);
    // the owner provisions on it; the others cannot, even with enforcement off
    expect((await scimCreate(s, owner, `${uniqueLocal()}@${name}`)).status).toBe(201);
  });

  it("answers a claim that finds its token after another organization verified first: 409, and the claim ends", async () => {
    const name = uniqueDomain("late");
    const first = await newOrg(s, true);
    const second = await newOrg(s, true);
    const a = await add(first, name);
    const b = await add(second, name);
    // both tokens are published (say the DNS holds both); the second verifies after the first
    dns.setTxt(`_orgscim.${name}`, a.body.verification.record_value);
    expect((await verify(first, a.body.sid)).status).toBe(200);
    dns.setTxt(name, b.body.verification.record_value);
    const late = await verify(second, b.body.sid);
    expect([late.status, late.body.code]).toEqual([404, 6109]);
  });

  it("a squatter renewing its pending claim (remove and add again) never blocks the real owner", async () => {
    const name = uniqueDomain("squat");
    const squatter = await newOrg(s, true);
    const owner = await newOrg(s, true);
    let sq = await add(squatter, name);
    for (let i = 0; i < 3; i++) {
      expect((await v1("DELETE", `${s.url}/v1/Domains/${sq.body.sid}`, squatter.token)).status).toBe(204);
      sq = await add(squatter, name);
      expect(sq.status).toBe(201);
    }
    const mine = await add(owner, name);
    expect(mine.status).toBe(201);
    publish(name, mine.body.verification.record_value);
    expect((await verify(owner, mine.body.sid)).body.state).toBe("verified");
  });

  it("the periodic re-check verifies the first claim whose token it finds, and ends the others", async () => {
    const name = uniqueDomain("recheck");
    const a = await newOrg(s, true);
    const b = await newOrg(s, true);
    const ca = await add(a, name);
    const cb = await add(b, name);
    publish(name, cb.body.verification.record_value);
    const report = await recheckDomains({ store: s.running.store, clock: systemClock, dns: createTxtResolver({ servers: [dns.address], timeoutMs: 10_000, tries: 1 }) });
    expect(report.verified).toBeGreaterThanOrEqual(1);
    expect((await v1("GET", `${s.url}/v1/Domains/${cb.body.sid}`, b.token)).body.state).toBe("verified");
    expect((await v1("GET", `${s.url}/v1/Domains/${ca.body.sid}`, a.token)).body.code).toBe(6109);
  });
});
