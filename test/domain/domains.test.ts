/**
 * Domain verification as use cases (src/domain/domains.ts), on both stores (SQLite, and the MongoDB
 * repositories over the mingo double), with DNS answered by a real DNS server on loopback through
 * the production adapter (src/infra/dns.ts), and time moved by an injected clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/config";
import type { Actor } from "../../src/domain/actor";
import type { Clock } from "../../src/domain/clock";
import { challengeOf, lookupChallenge, MAX_DOMAINS_PER_ORG, normalizeDomainName, transition } from "../../src/domain/domain-rules";
import { addDomain, getDomain, listDomains, recheckDomains, removeDomain, verifyDomain } from "../../src/domain/domains";
import { DomainError } from "../../src/domain/errors";
import { createOrganization } from "../../src/domain/orgs";
import { DnsUnavailable, type TxtResolver } from "../../src/domain/ports/dns";
import type { Store } from "../../src/domain/ports/store";
import { isPublicMailDomain, PUBLIC_MAIL_DOMAINS } from "../../src/domain/public-mail-domains";
import type { Domain, OrgSettings } from "../../src/domain/types";
import { createTxtResolver, parseDnsServer } from "../../src/infra/dns";
import { startDomainRecheck } from "../../src/infra/domain-recheck";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { closedUdpPort, startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { mingoStore } from "../store/mingo-store";

const DAY = 24 * 3600_000;
const T0 = new Date("2026-03-01T00:00:00.000Z");

class TestClock implements Clock {
  t = T0.getTime();
  now(): Date { return new Date(this.t); }
  advance(ms: number): void { this.t += ms; }
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

let dns: TestDnsServer;
let resolver: TxtResolver;
const dir = mkdtempSync(join(tmpdir(), "orgscim-domains-"));
beforeAll(async () => {
  dns = await startDnsServer();
  // The double answers every query (records, NXDOMAIN, SERVFAIL): the wait only bounds a hang, so it
  // is generous. At 500 ms a loaded machine (load 17) missed an answer: "queryTxt ETIMEOUT".
  resolver = createTxtResolver({ servers: [dns.address], timeoutMs: 10_000, tries: 1 });
});
afterAll(async () => {
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("domain names", () => {
  it("lower-cases, drops a trailing dot, and turns an IDN into its xn-- form", () => {
    expect(normalizeDomainName(" Example.COM. ")).toBe("example.com");
    expect(normalizeDomainName("sub.example.co.uk")).toBe("sub.example.co.uk");
    expect(normalizeDomainName("bücher.example")).toBe("xn--bcher-kva.example");
  });

  it.each([
    ["192.168.0.1", /IP address/],
    ["::1", /IP address/],
    ["[2001:db8::1]", /IP address/],
    ["localhost", /single label/],
    ["com", /single label/],
    [`${["a", "b", "c", "d"].map((c) => c.repeat(62)).join(".")}.com`, /253/],
    [`${"a".repeat(64)}.com`, /63/],
    ["-bad.example.com", /letters, digits and inner hyphens/],
    ["under_score.example.com", /letters, digits and inner hyphens/],
    ["a..example.com", /empty label/],
    ["alice@example.com", /not an email address/],
    ["*.example.com", /wildcards/],
    ["printer.local", /not in public DNS/],
    ["example.123", /all digits/],
    ["", /empty/],
  ])("refuses %j", (name, why) => {
    let e: unknown;
    try { normalizeDomainName(name); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(6102);
    expect((e as DomainError).message).toMatch(why);
  });

  it("knows public mail domains, their subdomains and the gmx.* family, and nothing else", () => {
    for (const d of ["gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com", "icloud.com", "me.com",
      "aol.com", "proton.me", "protonmail.com", "mail.ru", "yandex.ru", "qq.com", "163.com"]) {
      expect(PUBLIC_MAIL_DOMAINS.has(d)).toBe(true);
      expect(isPublicMailDomain(d)).toBe(true);
    }
    for (const d of ["gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.co.uk", "yahoo.co.uk", "hotmail.fr", "mx.gmail.com"]) expect(isPublicMailDomain(d)).toBe(true);
    for (const d of ["acme.com", "gmx.acme.com", "mygmail.com", "gmail.com.acme.test", "live.example.de"]) expect(isPublicMailDomain(d)).toBe(false);
  });
});

describe("the DNS adapter against a real DNS server on loopback", () => {
  it("answers records, [] for NXDOMAIN and NODATA, and DnsUnavailable for SERVFAIL and a resolver that is down", async () => {
    dns.txt.set("rec.adapter.test", [["one"], ["two", "parts"]]);
    dns.txt.set("nodata.adapter.test", []);
    dns.failing.add("servfail.adapter.test");
    expect(await resolver.resolveTxt("rec.adapter.test")).toEqual([["one"], ["two", "parts"]]);
    expect(await resolver.resolveTxt("nodata.adapter.test")).toEqual([]);
    expect(await resolver.resolveTxt("nxdomain.adapter.test")).toEqual([]);
    await expect(resolver.resolveTxt("servfail.adapter.test")).rejects.toMatchObject({ name: "DnsUnavailable", code: "ESERVFAIL" });
    const down = createTxtResolver({ servers: [`127.0.0.1:${await closedUdpPort()}`], timeoutMs: 300, tries: 1 });
    const e = await down.resolveTxt("rec.adapter.test").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DnsUnavailable);
  });

  it("parses DNS_SERVERS entries, and config refuses a bad list naming the variable", () => {
    expect(parseDnsServer("1.1.1.1")).toBe("1.1.1.1");
    expect(parseDnsServer(" 10.0.0.2:5353 ")).toBe("10.0.0.2:5353");
    expect(parseDnsServer("::1")).toBe("::1");
    expect(parseDnsServer("[2001:db8::1]:53")).toBe("[2001:db8::1]:53");
    for (const bad of ["dns.google", "1.1.1.1:0", "1.1.1.1:99999", "[1.1.1.1]:53", "", "1.2.3"]) expect(parseDnsServer(bad)).toBeNull();
    expect(loadConfig({ DNS_SERVERS: "1.1.1.1, 127.0.0.1:5353" }).DNS_SERVERS).toEqual(["1.1.1.1", "127.0.0.1:5353"]);
    expect(loadConfig({}).DNS_SERVERS).toBeUndefined();
    expect(loadConfig({}).DOMAIN_RECHECK_INTERVAL_MS).toBe(86400000);
    expect(() => loadConfig({ DNS_SERVERS: "1.1.1.1,resolver.local" })).toThrow(/DNS_SERVERS/);
    expect(() => loadConfig({ DOMAIN_RECHECK_INTERVAL_MS: "10" })).toThrow(ConfigError);
  });
});

describe("looking for the challenge", () => {
  const d: Domain = { id: "DM0", orgId: "OR0", name: "look.test", state: "pending", challenge: "orgscim-domain-verification=0123456789abcdef0123456789abcdef", created: T0.toISOString(), verifiedAt: null, revalidatingSince: null };

  it("finds the token at _orgscim.<domain> or at the apex, split into strings, quoted, or in capitals", async () => {
    dns.txt.set("_orgscim.look.test", [["v=spf1 -all"], ["orgscim-domain-verification=0123456789abcdef", "0123456789abcdef"]]);
    expect(await lookupChallenge(resolver, d)).toEqual({ found: true, foundAt: "_orgscim.look.test", otherRecords: 0 });
    dns.txt.delete("_orgscim.look.test");
    dns.txt.set("look.test", [[`"${d.challenge.toUpperCase()}"`]]);
    expect(await lookupChallenge(resolver, d)).toMatchObject({ found: true, foundAt: "look.test" });
    dns.txt.delete("look.test");
  });

  it("counts other records at the challenge name, and finds the token even when the other lookup fails", async () => {
    dns.txt.set("_orgscim.look.test", [["orgscim-domain-verification=ffffffffffffffffffffffffffffffff"]]);
    expect(await lookupChallenge(resolver, d)).toEqual({ found: false, foundAt: null, otherRecords: 1 });
    dns.failing.add("_orgscim.look.test");
    await expect(lookupChallenge(resolver, d)).rejects.toBeInstanceOf(DnsUnavailable);
    dns.txt.set("look.test", [[d.challenge]]);
    expect(await lookupChallenge(resolver, d)).toMatchObject({ found: true, foundAt: "look.test" });
    dns.failing.delete("_orgscim.look.test");
    dns.txt.delete("_orgscim.look.test");
    dns.txt.delete("look.test");
  });
});

describe("state transitions", () => {
  const base: Domain = { id: "DM0", orgId: "OR0", name: "t.test", state: "pending", challenge: "c", created: T0.toISOString(), verifiedAt: null, revalidatingSince: null };
  const at = (days: number) => new Date(T0.getTime() + days * DAY);

  it("pending: found → verified; not found → unchanged, but removed by the re-check after 72 hours", () => {
    expect(transition(base, true, at(1), "verify")?.next).toMatchObject({ state: "verified", verifiedAt: at(1).toISOString() });
    expect(transition(base, false, at(1), "recheck")).toBeNull();
    expect(transition(base, false, at(4), "verify")).toBeNull();
    expect(transition(base, false, at(3), "recheck")?.next.state).toBe("removed");
  });

  it("verified → revalidating when the token is gone; back to verified when found; removed after 30 days", () => {
    const v: Domain = { ...base, state: "verified", verifiedAt: T0.toISOString() };
    expect(transition(v, true, at(1), "recheck")).toBeNull();
    const r = transition(v, false, at(1), "recheck");
    expect(r).toMatchObject({ action: "domain.revalidate", next: { state: "revalidating", revalidatingSince: at(1).toISOString() } });
    const rv = r!.next;
    expect(transition(rv, false, at(30), "recheck")).toBeNull();
    expect(transition(rv, true, at(30), "recheck")?.next).toMatchObject({ state: "verified", revalidatingSince: null, verifiedAt: at(30).toISOString() });
    expect(transition(rv, false, at(31), "recheck")).toMatchObject({ action: "domain.remove", next: { state: "removed" } });
  });
});

// ---------- use cases, on both stores ----------


describe.each([
  ["sqlite", () => openSqliteStore({ path: join(dir, `use-cases-${Math.random().toString(36).slice(2)}.db`) })],
  ["mongo store over the mingo double", (): Store => mingoStore()],
])("domain use cases on %s", (_name, open) => {
  let store: Store;
  let clock: TestClock;
  let n = 0;
  beforeEach(() => {
    store = open();
    clock = new TestClock();
  });
  afterEach(() => store.close());

  const deps = () => ({ store, clock, dns: resolver });
  async function newActor(settings: Partial<OrgSettings> = {}): Promise<Actor> {
    const org = await createOrganization(store, clock, { name: `Org ${++n}`, settings });
    return { org, tokenId: `TK${"0".repeat(31)}${n % 10}`, scopes: ["scim", "admin"], userId: null };
  }
  const unique = (label: string) => `${label}-${++n}-${Math.random().toString(36).slice(2, 8)}.test`;

  it("adds a pending domain with a TXT challenge, and audits it", async () => {
    const a = await newActor();
    const d = await addDomain(deps(), a, ` ${unique("Add").toUpperCase()} `);
    expect(d).toMatchObject({ state: "pending", verifiedAt: null, revalidatingSince: null, created: T0.toISOString() });
    expect(d.name).toBe(d.name.toLowerCase());
    expect(d.id).toMatch(/^DM[0-9a-f]{32}$/);
    expect(d.challenge).toMatch(/^orgscim-domain-verification=[0-9a-f]{32}$/);
    expect(challengeOf(d)).toEqual({ type: "TXT", name: `_orgscim.${d.name}`, apexName: d.name, value: d.challenge, ttl: 3600 });
    expect(await getDomain(deps(), a, d.id)).toEqual(d);
    expect((await store.audit.list(a.org.id, { limit: 1 }))[0]).toMatchObject({ action: "domain.create", targetId: d.id, outcome: "success" });
  });

  it("refuses public mail domains, a duplicate, another organization's verified domain (without naming it), and the 101st", async () => {
    const a = await newActor();
    const b = await newActor();
    expect((await refusal(addDomain(deps(), a, "GMail.com"))).code).toBe(6103);
    expect((await refusal(addDomain(deps(), a, "gmx.de"))).code).toBe(6103);
    const name = unique("owned");
    const d = await addDomain(deps(), a, name);
    const dup = await refusal(addDomain(deps(), a, name));
    expect([dup.code, dup.kind]).toEqual([6106, "uniqueness"]);
    expect(dup.message).toContain(d.id);
    // a pending claim blocks nobody; a verified domain is its organization's
    const claim = await addDomain(deps(), b, name.toUpperCase());
    await removeDomain(deps(), b, claim.id);
    await store.domains.update({ ...d, state: "verified", verifiedAt: T0.toISOString() });
    const taken = await refusal(addDomain(deps(), b, name.toUpperCase()));
    expect([taken.code, taken.kind]).toEqual([6105, "uniqueness"]);
    expect(taken.message).not.toContain(a.org.id);
    expect(taken.message).not.toContain(a.org.name);
    // subdomains are separate names
    await expect(addDomain(deps(), b, `sub.${name}`)).resolves.toMatchObject({ state: "pending" });
    for (let i = 1; i < MAX_DOMAINS_PER_ORG; i++) await addDomain(deps(), a, `d${i}.${name}`);
    expect((await listDomains(deps(), a))).toHaveLength(MAX_DOMAINS_PER_ORG);
    const tooMany = await refusal(addDomain(deps(), a, `d101.${name}`));
    expect([tooMany.code, tooMany.kind]).toEqual([6104, "tooMany"]);
    // removing one makes room
    await removeDomain(deps(), a, d.id);
    await expect(addDomain(deps(), a, `d101.${name}`)).resolves.toMatchObject({ state: "pending" });
    // and the removed name is free for the other organization
    await expect(addDomain(deps(), b, name)).resolves.toMatchObject({ orgId: b.org.id });
  });

  it("verifies when DNS holds the token, keeps it pending with a message naming the record otherwise", async () => {
    const a = await newActor();
    const d = await addDomain(deps(), a, unique("verify"));
    const first = await verifyDomain(deps(), a, d.id);
    expect(first.found).toBe(false);
    expect(first.domain.state).toBe("pending");
    expect(first.message).toContain(`_orgscim.${d.name}`);
    expect(first.message).toContain(d.challenge);
    dns.setTxt(`_orgscim.${d.name}`, d.challenge);
    clock.advance(3600_000);
    const second = await verifyDomain(deps(), a, d.id);
    expect(second).toMatchObject({ found: true, domain: { state: "verified", verifiedAt: clock.now().toISOString() } });
    expect((await getDomain(deps(), a, d.id)).state).toBe("verified");
    const events = await store.audit.list(a.org.id, { limit: 5 });
    expect(events.filter((e) => e.targetId === d.id).map((e) => e.action)).toEqual(["domain.verify", "domain.create"]);
  });

  it("leaves the state alone and answers unavailable when the resolver fails", async () => {
    const a = await newActor();
    const d = await addDomain(deps(), a, unique("down"));
    dns.failing.add(`_orgscim.${d.name}`);
    const e = await refusal(verifyDomain(deps(), a, d.id));
    expect([e.kind, e.code, e.retryAfter]).toEqual(["unavailable", 6107, 30]);
    expect((await getDomain(deps(), a, d.id)).state).toBe("pending");
    const noResolver = await refusal(verifyDomain({ store, clock }, a, d.id));
    expect(noResolver.kind).toBe("unavailable");
    dns.failing.delete(`_orgscim.${d.name}`);
  });

  it("hides another organization's domain: get, verify and remove answer not found", async () => {
    const a = await newActor();
    const b = await newActor();
    const d = await addDomain(deps(), a, unique("hidden"));
    for (const p of [getDomain(deps(), b, d.id), verifyDomain(deps(), b, d.id), removeDomain(deps(), b, d.id), getDomain(deps(), a, "DMnope")]) {
      expect((await refusal(p)).code).toBe(6101);
    }
    expect((await getDomain(deps(), a, d.id)).state).toBe("pending");
  });

  it("re-checks every organization's domains in batches: revalidating, back to verified, removed after 30 days; pending expire after 72 h", async () => {
    const a = await newActor();
    const b = await newActor();
    const kept = await addDomain(deps(), a, unique("kept"));
    const lost = await addDomain(deps(), a, unique("lost"));
    const other = await addDomain(deps(), b, unique("other"));
    for (const d of [kept, lost, other]) {
      dns.setTxt(`_orgscim.${d.name}`, d.challenge);
      await verifyDomain(deps(), d.orgId === a.org.id ? a : b, d.id);
    }
    const stale = await addDomain(deps(), b, unique("stale"));

    clock.advance(DAY);
    dns.txt.delete(`_orgscim.${lost.name}`);
    dns.txt.delete(`_orgscim.${other.name}`);
    let report = await recheckDomains(deps(), { batchSize: 2, concurrency: 2 });
    expect(report).toMatchObject({ revalidating: 2, verified: 0, removed: 0, unavailable: 0 });
    expect(report.checked).toBeGreaterThanOrEqual(4);
    expect(await getDomain(deps(), a, lost.id)).toMatchObject({ state: "revalidating", revalidatingSince: clock.now().toISOString() });
    expect((await getDomain(deps(), a, kept.id)).state).toBe("verified");
    const revalidated = (await store.audit.list(a.org.id, { limit: 1 }))[0];
    expect(revalidated).toMatchObject({ action: "domain.revalidate", actor: "system:domain-recheck", targetId: lost.id, outcome: "success" });

    // the token comes back for one of them
    clock.advance(2 * DAY);
    dns.setTxt(`_orgscim.${other.name}`, other.challenge);
    report = await recheckDomains(deps(), { batchSize: 2 });
    expect(report).toMatchObject({ verified: 1, removed: 1 }); // other → verified; stale (72 h, never verified) → removed
    expect((await getDomain(deps(), b, other.id)).state).toBe("verified");
    expect((await refusal(getDomain(deps(), b, stale.id))).code).toBe(6101);

    // a resolver failure during the re-check changes nothing
    clock.advance(28 * DAY);
    dns.failing.add(`_orgscim.${lost.name}`);
    report = await recheckDomains(deps());
    expect(report.unavailable).toBeGreaterThanOrEqual(1);
    expect((await getDomain(deps(), a, lost.id)).state).toBe("revalidating");
    dns.failing.delete(`_orgscim.${lost.name}`);

    // 30 days after re-validation started, still without the token: removed, and the name is free
    report = await recheckDomains(deps());
    expect(report.removed).toBe(1);
    expect((await refusal(getDomain(deps(), a, lost.id))).code).toBe(6101);
    expect((await store.audit.list(a.org.id, { limit: 1 }))[0]).toMatchObject({ action: "domain.remove", targetId: lost.id, reason: expect.stringMatching(/30 days/) });
    await expect(addDomain(deps(), b, lost.name)).resolves.toMatchObject({ state: "pending" });
    expect((await getDomain(deps(), a, kept.id)).state).toBe("verified");
  });

  it("refuses a Standard User, and audits the refusal", async () => {
    const a = await newActor({ domainEnforcement: false });
    const user = { ...a, userId: "US" + "1".repeat(32) };
    const e = await refusal(addDomain(deps(), user, unique("std")));
    expect(e.kind).toBe("forbidden");
    expect((await store.audit.list(a.org.id, { limit: 1 }))[0]).toMatchObject({ action: "domain.create", outcome: "refused" });
  });
});

describe("the re-check timer", () => {
  it("runs every interval, never overlapping, and stop() waits for the run in progress", async () => {
    const store = openSqliteStore({ path: join(dir, "timer.db") });
    const clock = new TestClock();
    const org = await createOrganization(store, clock, { name: "Timer" });
    const actor: Actor = { org, tokenId: "TK" + "2".repeat(32), scopes: ["admin"], userId: null };
    const d = await addDomain({ store, clock, dns: resolver }, actor, "timer-domain.test");
    dns.setTxt(`_orgscim.${d.name}`, d.challenge);
    const logs: string[] = [];
    const logger = { info: (_o: object, msg: string) => void logs.push(msg), error: (_o: object, msg: string) => void logs.push(msg) };
    const timer = startDomainRecheck({ store, clock, dns: resolver, logger, intervalMs: 30 });
    for (let i = 0; i < 100 && (await store.domains.get(org.id, d.id))?.state !== "verified"; i++) await new Promise((r) => setTimeout(r, 20));
    await timer.stop();
    expect((await store.domains.get(org.id, d.id))?.state).toBe("verified");
    expect(logs).toContain("domain re-check done");
    const after = logs.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.length).toBe(after);
    await store.close();
  });
});
