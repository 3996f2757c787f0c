/**
 * A verified domain's addresses are its organization's alone, however the address spells the
 * domain (docs/security.md case 74). Domains are kept in one canonical form (lower case, ASCII with
 * IDNs as xn--, no trailing dot: src/domain/domain-rules.ts normalizeDomainName), and a create,
 * a change of primary email or an invitation asks which organization verified the address's
 * domain. The address's domain was only lower-cased before that question, so the same domain
 * spelt another way was "verified by nobody": `bob@acme.test.` (the absolute form, with its
 * trailing dot), `bob@ａｃｍｅ.test` (full-width letters, which IDNA maps to acme.test), and
 * `bob@bücher.test` when the owner verified bücher.test (kept as xn--bcher-kva.test): another
 * organization with enforcement off made a managed user there, and the owner itself, with
 * enforcement on, was refused its own domain's address in Unicode.
 *
 * Attacked with each spelling at every door that gives a user a primary email or invites one:
 * SCIM POST /Users (primary email, and an email userName without emails), PUT and PATCH moving an
 * existing user's primary email, a /Bulk POST, and /v1 POST /Invitations. Held when each is
 * refused 400 naming the domain as the owner verified it (4011), as the plain spelling is, and
 * nothing is created or changed; and the owner creates its own users in each spelling. And the
 * accept of an invitation made before the owner verified the domain (trailing dot, upper case,
 * Unicode IDN): refused 409 (6614), the invitee left pending.
 * Real HTTP, real SQLite store.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const run = Math.random().toString(36).slice(2, 8);
const ASCII_DOMAIN = `acme-${run}.test`;
const IDN = `bücher-${run}.test`;
const IDN_ASCII = new URL(`http://${IDN}`).hostname; // xn--bcher-...

/** Spellings of the two verified domains, and the canonical name each must be found under. */
const SPELLINGS: { label: string; domain: string; canonical: string }[] = [
  { label: "plain", domain: ASCII_DOMAIN, canonical: ASCII_DOMAIN },
  { label: "trailing dot", domain: `${ASCII_DOMAIN}.`, canonical: ASCII_DOMAIN },
  { label: "upper case, trailing dot", domain: `${ASCII_DOMAIN.toUpperCase()}.`, canonical: ASCII_DOMAIN },
  { label: "full-width letters", domain: ASCII_DOMAIN.replace("acme", "ａｃｍｅ"), canonical: ASCII_DOMAIN },
  { label: "IDN as xn--", domain: IDN_ASCII, canonical: IDN_ASCII },
  { label: "IDN in Unicode", domain: IDN, canonical: IDN_ASCII },
  { label: "IDN in Unicode, upper case", domain: IDN.toUpperCase(), canonical: IDN_ASCII },
  { label: "IDN in Unicode, trailing dot", domain: `${IDN}.`, canonical: IDN_ASCII },
];

let s: TestServer;
let owner = "";
let other = "";
let otherOrgId = "";
let n = 0;
const local = () => `p${++n}-${run}`;

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: true });
  owner = o.token;
  await s.verifyDomain(o.org.id, ASCII_DOMAIN);
  await s.verifyDomain(o.org.id, IDN_ASCII);
  const x = await s.newOrg({ domainEnforcement: false });
  other = x.token;
  otherOrgId = x.org.id;
});
afterAll(() => s.close());

/** Status, and whether the answer names the domain as verified by another organization (its canonical name). */
const refusal = (status: number, text: string, canonical: string) =>
  ({ status, owned: /verified by another organization/.test(text) && text.includes(`'${canonical}'`) });
const OWNED = (canonical: string) => ({ status: 400, owned: true, canonical });

const usersOfOther = async (): Promise<number> => {
  const r = await call("GET", `${s.scim}/Users?count=1`, other);
  return r.body.totalResults as number;
};

describe.each(SPELLINGS)("an address on another organization's verified domain, spelt $label", ({ domain, canonical }) => {
  it("is refused at SCIM POST /Users (primary email, and an email userName alone), PUT, PATCH, /Bulk and /v1 invitations", async () => {
    const free = `existing-${local()}@free-${run}.test`;
    const e = await call("POST", `${s.scim}/Users`, other, userBody(free));
    expect(e.status).toBe(201);
    const existing = e.body.id as string;
    const before = await usersOfOther();
    const seen: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    const expectOwned = (door: string, status: number, text: string) => {
      seen[door] = { ...refusal(status, text, canonical), canonical };
      want[door] = OWNED(canonical);
    };

    const address = `${local()}@${domain}`;
    let r = await call("POST", `${s.scim}/Users`, other, userBody(`u-${local()}`, { emails: [{ value: address, type: "work", primary: true }] }));
    expectOwned("POST primary email", r.status, r.text);
    const named: Record<string, unknown> = userBody(`${local()}@${domain}`);
    delete named.emails;
    r = await call("POST", `${s.scim}/Users`, other, named);
    expectOwned("POST userName alone", r.status, r.text);
    r = await call("PUT", `${s.scim}/Users/${existing}`, other, userBody(`${local()}@${domain}`));
    expectOwned("PUT", r.status, r.text);
    r = await call("PATCH", `${s.scim}/Users/${existing}`, other, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "emails", value: [{ value: `${local()}@${domain}`, type: "work", primary: true }] }] });
    expectOwned("PATCH", r.status, r.text);
    r = await call("POST", `${s.scim}/Bulk`, other, { schemas: [BULK], Operations: [{ method: "POST", path: "/Users", bulkId: "b", data: userBody(`${local()}@${domain}`) }] });
    const op = (r.body?.Operations as { status: string; response?: unknown }[] | undefined)?.[0];
    expectOwned("/Bulk POST", Number(op?.status ?? r.status), JSON.stringify(op?.response ?? r.body));
    r = await call("POST", `${s.url}/v1/Invitations`, other, { email: `${local()}@${domain}`, org_role: "standard" }, { "content-type": "application/json" });
    expectOwned("/v1 POST /Invitations", r.status, r.text);

    expect(seen).toEqual(want);
    expect(await usersOfOther()).toBe(before);
    const still = await call("GET", `${s.scim}/Users/${existing}`, other);
    expect({ userName: still.body.userName, email: still.body.emails[0].value }).toEqual({ userName: free, email: free });
    expect(await s.running.store.outbox.list({ orgId: otherOrgId, limit: 10 })).toEqual([]);
  });

  it("is the owner's own: it creates the user with enforcement on", async () => {
    const r = await call("POST", `${s.scim}/Users`, owner, userBody(`o-${local()}`, { emails: [{ value: `${local()}@${domain}`, type: "work", primary: true }] }));
    expect({ status: r.status, detail: r.body?.detail }).toEqual({ status: 201, detail: undefined });
  });
});

describe.each([
  { label: "trailing dot", spell: (d: string) => `${d}.` },
  { label: "upper case", spell: (d: string) => d.toUpperCase() },
  { label: "IDN in Unicode", spell: (d: string) => d },
])("accepting an invitation made before the owner verified the domain, the address spelt $label", ({ label, spell }) => {
  it("is refused 6614 once the domain is verified by another organization, and the invitee stays pending", async () => {
    const unicode = label === "IDN in Unicode";
    const base = unicode ? `später-${local()}.test` : `later-${local()}.test`;
    const canonical = new URL(`http://${base}`).hostname;
    const inviter = await s.newOrg({ domainEnforcement: false });
    const inv = await call("POST", `${s.url}/v1/Invitations`, inviter.token, { email: `${local()}@${spell(base)}`, org_role: "standard" }, { "content-type": "application/json" });
    expect(inv.status).toBe(201);
    const mails = await s.running.store.outbox.list({ ref: inv.body.sid as string, limit: 5 });
    const token = /oiv_[A-Za-z0-9_-]{43}/.exec(mails.find((m) => m.kind === "invitation")?.text ?? "")?.[0];
    expect(token).toBeDefined();
    const owner = await s.newOrg({ domainEnforcement: true });
    await s.verifyDomain(owner.org.id, canonical);
    const r = await call("POST", `${s.url}/v1/Invitations/Accept`, null, { token }, { "content-type": "application/json" });
    expect([r.status, r.body?.code]).toEqual([409, 6614]);
    expect((await s.running.store.users.get(inviter.org.id, inv.body.user_sid as string, { includeIndependent: true }))?.status).toBe("pending");
  });
});
