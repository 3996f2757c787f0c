/**
 * A managed user's primary email is the domain rule's subject (docs/tenancy.md): with domain
 * enforcement on, it must be on a domain the organization verified, and a domain another
 * organization verified is that organization's alone. The store, /v1's `email`, the import and the
 * "managed by one organization at a time" check all take the primary email to be the email flagged
 * primary, else the first email. The rule must look at the same address: an email sent without a
 * primary flag, first in the list, is the user's primary email everywhere else.
 *
 * Attacked through every SCIM door that writes emails (POST, PUT, PATCH, /Bulk), as an
 * organization with enforcement on and as one with it off, with a victim organization that
 * verified its domain. Real HTTP, real SQLite store.
 */
import { importLines } from "../../src/cli/import";
import { systemClock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { linesOf } from "../cli/seed";
import { call, PATCH_SCHEMA, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(60_000);

let s: TestServer;
let enforcing: string;
let open: string;
let victim: string;
let victimOrg = "";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const tag = () => Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  s = await startTestServer();
  const e = await s.newOrg({ domainEnforcement: true });
  enforcing = e.token;
  await s.verifyDomain(e.org.id, "attacker.test");
  open = (await s.newOrg({ domainEnforcement: false })).token;
  const v = await s.newOrg({ domainEnforcement: true });
  victim = v.token;
  victimOrg = v.org.id;
  await s.verifyDomain(v.org.id, "victim.test");
});
afterAll(() => s.close());

const user = (userName: string, emails: unknown[]) => ({ schemas: [USER_SCHEMA], userName, emails });

describe("an email sent without a primary flag, first in the list", () => {
  it("on a domain another organization verified is refused on create (enforcement on and off)", async () => {
    for (const [token, userName] of [[enforcing, `m-${tag()}@attacker.test`], [open, `m-${tag()}`], [open, `m-${tag()}@attacker.test`]] as const) {
      const r = await call("POST", `${s.scim}/Users`, token, user(userName, [{ value: `ceo-${tag()}@victim.test`, type: "work" }]));
      expect([userName, r.status]).toEqual([userName, 400]);
      const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token);
      expect(found.body.totalResults).toBe(0);
    }
  });

  it("on a domain the organization has not verified is refused under enforcement", async () => {
    const userName = `m-${tag()}@attacker.test`;
    const r = await call("POST", `${s.scim}/Users`, enforcing, user(userName, [{ value: `x-${tag()}@unverified.test` }]));
    expect(r.status).toBe(400);
    expect(r.headers.get("x-orgscim-error-code")).toBe("4006");
  });

  it("is refused when PUT or PATCH makes it the first email of a user who has no flagged one", async () => {
    const made = await call("POST", `${s.scim}/Users`, enforcing, user(`m-${tag()}@attacker.test`, [{ value: `ok-${tag()}@attacker.test` }]));
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    const put = await call("PUT", `${s.scim}/Users/${id}`, enforcing, user(made.body.userName, [{ value: `ceo-${tag()}@victim.test` }]));
    expect(put.status).toBe(400);
    const patch = await call("PATCH", `${s.scim}/Users/${id}`, enforcing, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "emails", value: [{ value: `ceo-${tag()}@victim.test` }] }],
    });
    expect(patch.status).toBe(400);
    const now = await v1("GET", `${s.url}/v1/Users/${id}`, enforcing);
    expect(String(now.body.email)).toMatch(/@attacker\.test$/);
  });

  it("is refused in a /Bulk operation", async () => {
    const r = await call("POST", `${s.scim}/Bulk`, open, {
      schemas: [BULK], Operations: [{ method: "POST", path: "/Users", bulkId: "m", data: user(`m-${tag()}`, [{ value: `ceo-${tag()}@victim.test` }]) }],
    });
    expect(r.status).toBe(200);
    expect(r.body.Operations[0].status).toBe("400");
  });

  it("cannot make another organization's own user 'managed elsewhere': the victim still imports its user", async () => {
    const ceo = `ceo-${tag()}@victim.test`;
    // The attempt (refused now; before, it stored `ceo` as the attacker's user's primary email).
    await call("POST", `${s.scim}/Users`, open, user(`m-${tag()}`, [{ value: ceo }]));
    // The victim imports its own user with that address (a migration from another instance).
    const header = { type: "export", format: "orgscim-ndjson", version: 1, orgId: victimOrg, exported: new Date().toISOString(), store: "sqlite" };
    const line = { type: "user", resource: { id: newId("US"), ...user(ceo, [{ value: ceo, primary: true }]), active: true } };
    const { report } = await importLines(s.running.store, systemClock, victimOrg, linesOf([header, line].map((l) => JSON.stringify(l))), { source: "victim.ndjson" });
    expect(report.errors).toEqual([]);
    const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${ceo}"`)}`, victim);
    expect(found.body.totalResults).toBe(1);
  });
});

describe("the rule's own cases still hold (the check can fail)", () => {
  it("accepts a flagged primary on the organization's verified domain with a second email anywhere unflagged", async () => {
    const r = await call("POST", `${s.scim}/Users`, enforcing, user(`ok-${tag()}@attacker.test`, [{ value: `ok-${tag()}@attacker.test`, primary: true }, { value: `home-${tag()}@gmail.test`, type: "home" }]));
    expect(r.status).toBe(201);
  });

  it("accepts emails without a flag whose first is on the verified domain", async () => {
    const r = await call("POST", `${s.scim}/Users`, enforcing, user(`ok-${tag()}@attacker.test`, [{ value: `ok-${tag()}@attacker.test` }, { value: `home-${tag()}@gmail.test` }]));
    expect(r.status).toBe(201);
  });

  it("accepts an organization without enforcement giving an unverified domain", async () => {
    const r = await call("POST", `${s.scim}/Users`, open, user(`ok-${tag()}`, [{ value: `ok-${tag()}@nobody.test` }]));
    expect(r.status).toBe(201);
  });
});
