/**
 * Organizations own their domains: once one has verified a domain, no other organization creates
 * or invites managed users on it, whatever its domain-enforcement setting, through any door (SCIM
 * POST, /Bulk, PUT/PATCH of the primary email, CSV import, /v1/Invitations). Independent users
 * (account invitations) stay possible from any domain; unverified domains stay open to an
 * organization without enforcement.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli } from "../../src/cli/main";
import { call, ORG_EXT, userBody } from "../helpers/server";
import { captured } from "../cli/seed";
import {
  bulkCreate, inviteToAccount, inviteToOrg, newAccount, newOrg, PATCH_SCHEMA, scimCreate, startTestServer, uniqueDomain, uniqueLocal, type TestServer,
} from "./helpers";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const OWNED = 4011;
/** A SCIM error's stable numeric code travels in a response header (RFC 7644 §3.12 bodies have no `code`). */
const codeOf = (r: { headers: Headers }) => Number(r.headers.get("x-orgscim-error-code"));

/** A domain verified by a first organization, and a second organization with enforcement off. */
async function ownedByAnother() {
  const owner = await newOrg(s, true);
  const domain = uniqueDomain("owned");
  await s.verifyDomain(owner.id, domain);
  const other = await newOrg(s, false);
  return { owner, domain, other };
}

const usersOf = async (orgId: string) => (await s.running.store.users.listByStatus(orgId, { offset: 0, limit: 100 })).items;

describe("a domain verified by another organization", () => {
  it("refuses a SCIM create on it with 400 naming the domain, creates nothing, and the owner still creates the user", async () => {
    const { owner, domain, other } = await ownedByAnother();
    const email = `${uniqueLocal()}@${domain}`;
    const r = await scimCreate(s, other, email.toUpperCase());
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ scimType: "invalidValue" });
    expect(codeOf(r)).toBe(OWNED);
    expect(r.body.detail).toContain(domain);
    expect(r.body.detail).not.toContain(owner.id);
    expect(await usersOf(other.id)).toEqual([]);
    const mine = await scimCreate(s, owner, email);
    expect(mine.status).toBe(201);
    expect(mine.body[ORG_EXT].status).toBe("managed");
  });

  it("refuses it on a subdomain's parent only: a subdomain nobody verified stays open", async () => {
    const { domain, other } = await ownedByAnother();
    expect((await scimCreate(s, other, `${uniqueLocal()}@sub.${domain}`)).status).toBe(201);
  });

  it("refuses it through /Bulk, with the same error in the operation's result", async () => {
    const { domain, other } = await ownedByAnother();
    const { reply, op } = await bulkCreate(s, other, `${uniqueLocal()}@${domain}`);
    expect(reply.status).toBe(200);
    expect(op.status).toBe("400");
    // a /Bulk operation's error is the same RFC 7644 §3.12 body, identified by status and detail
    expect(op.response).toMatchObject({ scimType: "invalidValue", detail: expect.stringContaining(domain) });
    expect(await usersOf(other.id)).toEqual([]);
  });

  it("refuses moving an existing user's primary email onto it, by PATCH and by PUT", async () => {
    const { domain, other } = await ownedByAnother();
    const created = await scimCreate(s, other, `${uniqueLocal()}@${uniqueDomain("free")}`);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const moved = `${uniqueLocal()}@${domain}`;
    const patch = await call("PATCH", `${s.scim}/Users/${id}`, other.token, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "emails", value: [{ value: moved, type: "work", primary: true }] }],
    });
    expect([patch.status, codeOf(patch)]).toEqual([400, OWNED]);
    const put = await call("PUT", `${s.scim}/Users/${id}`, other.token, userBody(moved));
    expect([put.status, codeOf(put)]).toEqual([400, OWNED]);
    const after = await call("GET", `${s.scim}/Users/${id}`, other.token);
    expect(after.body.emails[0].value).toBe(created.body.emails[0].value);
  });

  it("refuses an invitation to the organization (POST /v1/Invitations) on it, and creates no member and no mail", async () => {
    const { domain, other } = await ownedByAnother();
    const r = await inviteToOrg(s, other, `${uniqueLocal()}@${domain}`);
    expect([r.status, r.body.code]).toEqual([400, OWNED]);
    expect(r.body.message).toContain(domain);
    expect(await usersOf(other.id)).toEqual([]);
    expect(await s.running.store.outbox.list({ orgId: other.id, limit: 10 })).toEqual([]);
  });

  it("still lets the other organization invite that person to one of its accounts, as an independent user (a contractor)", async () => {
    const { domain, other } = await ownedByAnother();
    const ownerOfAccount = await scimCreate(s, other, `${uniqueLocal()}@${uniqueDomain("free")}`);
    const account = await newAccount(s, other, ownerOfAccount.body.id);
    const r = await inviteToAccount(s, other, account, `${uniqueLocal()}@${domain}`);
    expect(r.status).toBe(201);
    expect(r.body.outcome).toBe("invited");
    const member = (await usersOf(other.id)).find((u) => u.id === r.body.user_sid);
    expect(member?.status).toBe("independent");
  });

  it("refuses it through the CSV import of the command line, naming the line", async () => {
    const { domain, other } = await ownedByAnother();
    const file = join(s.dir, "users.csv");
    writeFileSync(file, `userName,givenName,familyName,email\n${uniqueLocal()}@${domain},A,B,\n`);
    process.env.DATABASE_URL = `sqlite:${join(s.dir, "test.db")}`;
    try {
      const out = await captured(() => cli(["import-csv", "--org", other.id, file]));
      expect(out.result).toBe(1);
      expect(out.err).toMatch(/line 2: error/);
      expect(out.err).toContain(domain);
    } finally {
      delete process.env.DATABASE_URL;
    }
    expect(await usersOf(other.id)).toEqual([]);
  });
});

describe("a domain nobody verified", () => {
  it("is open to an organization without enforcement, at once and managed, as identity providers expect", async () => {
    const o = await newOrg(s, false);
    const r = await scimCreate(s, o, `${uniqueLocal()}@${uniqueDomain("open")}`);
    expect(r.status).toBe(201);
    expect(r.headers.get("x-orgscim-outcome")).toBeNull();
    expect(r.body[ORG_EXT].status).toBe("managed");
  });

  it("stays closed to an organization with enforcement on (400 4006, as before)", async () => {
    const o = await newOrg(s, true);
    const r = await scimCreate(s, o, `${uniqueLocal()}@${uniqueDomain("open")}`);
    expect([r.status, codeOf(r)]).toEqual([400, 4006]);
  });
});
