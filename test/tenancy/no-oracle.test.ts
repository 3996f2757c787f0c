/**
 * No oracle: creating or inviting an email answers an organization the same, whatever other
 * organizations hold for that email. Generated cases: the other organization holds the email in
 * one of several states (nothing, a managed user it provisioned, a managed user who accepted its
 * invitation, a pending invitation, an independent user), and the caller creates or invites it
 * through one of the doors (SCIM POST, /Bulk, /v1/Invitations, an account invitation). Each
 * answer, with ids, times and the email blanked, and the mail it queued, must equal the answer to
 * the same request about an email nobody holds.
 */
import fc from "fast-check";
import { call } from "../helpers/server";
import { v1 } from "../helpers/v1";
import {
  accept, bulkCreate, inviteToAccount, inviteToOrg, invitationTokenFor, newAccount, newOrg, scimCreate, startTestServer,
  uniqueDomain, uniqueLocal, type OrgHandle, type TestServer,
} from "./helpers";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const HOLDS = ["nothing", "provisioned", "accepted", "pending", "independent"] as const;
const DOORS = ["scim", "bulk", "invite", "account-invite"] as const;
type Hold = (typeof HOLDS)[number];
type Door = (typeof DOORS)[number];

/** Makes `holder` hold `email` in the state `hold`. */
async function hold(holder: OrgHandle, email: string, how: Hold): Promise<void> {
  if (how === "nothing") return;
  if (how === "provisioned") {
    expect((await scimCreate(s, holder, email)).status).toBe(201);
    return;
  }
  if (how === "independent") {
    const owner = await scimCreate(s, holder, `${uniqueLocal("own")}@${uniqueDomain("h")}`);
    const acct = await newAccount(s, holder, owner.body.id);
    expect((await inviteToAccount(s, holder, acct, email)).status).toBe(201);
    return;
  }
  const inv = await inviteToOrg(s, holder, email);
  expect(inv.status).toBe(201);
  if (how === "accepted") expect((await accept(s, await invitationTokenFor(s, inv.body.sid))).status).toBe(200);
}

const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What the caller observes of one create or invitation: the answer with ids, times and the email blanked, and its mail. */
async function observe(caller: OrgHandle, email: string, door: Door, accountSid: string | null): Promise<string> {
  let status: number;
  let outcome: string | null = null;
  let body: unknown;
  if (door === "scim") {
    const r = await scimCreate(s, caller, email);
    [status, outcome, body] = [r.status, r.headers.get("x-orgscim-outcome"), r.body];
  } else if (door === "bulk") {
    const { reply, op } = await bulkCreate(s, caller, email);
    [status, body] = [reply.status, op];
  } else if (door === "invite") {
    const r = await inviteToOrg(s, caller, email);
    [status, body] = [r.status, r.body];
  } else {
    const r = await inviteToAccount(s, caller, accountSid!, email);
    [status, body] = [r.status, r.body];
  }
  const mails = (await s.running.store.outbox.list({ orgId: caller.id, limit: 50 }))
    .map((m) => ({ kind: m.kind, to: m.to, subject: m.subject, text: m.text }));
  const members = (await s.running.store.users.listByStatus(caller.id, { offset: 0, limit: 50 })).items
    .map((u) => ({ status: u.status, role: u.orgRole, userName: u.userName }));
  const domain = email.slice(email.indexOf("@") + 1);
  const local = email.slice(0, email.indexOf("@"));
  return JSON.stringify({ status, outcome, body, mails, members })
    .replace(/[A-Z]{2}[0-9a-f]{32}/g, "<id>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/oiv_[A-Za-z0-9_-]{43}/g, "<token>")
    .replace(/W\/\\"\d+\\"/g, "<etag>")
    .replace(new RegExp(escape(domain), "gi"), "<domain>")
    .replace(new RegExp(escape(local), "gi"), "<local>")
    .replace(/own[a-z0-9]+@<domain>|own[a-z0-9]+@[a-z0-9.-]+/g, "<owner>");
}

/** A caller organization with enforcement off, and an account it owns (for account invitations). */
async function caller(): Promise<{ org: OrgHandle; account: string }> {
  const org = await newOrg(s, false);
  const owner = await scimCreate(s, org, `own${uniqueLocal()}@caller-owner.test`);
  return { org, account: await newAccount(s, org, owner.body.id) };
}

describe("a create or an invitation answers the same whatever another organization holds", () => {
  it("for generated pairs of a state held elsewhere and a door", async () => {
    const runs = Number(process.env.TENANCY_RUNS ?? 24);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...HOLDS), fc.constantFrom(...DOORS), fc.constantFrom("lower", "upper"), async (how, door, kase) => {
        const domain = uniqueDomain("shared");
        const local = uniqueLocal("p");
        const held = `${local}@${domain}`;
        const asked = kase === "upper" ? held.toUpperCase() : held;
        // world 1: another organization holds the email; world 2: nobody holds an email just like it
        await hold(await newOrg(s, false), held, how);
        const c1 = await caller();
        const seen = await observe(c1.org, asked, door, c1.account);
        const domain2 = uniqueDomain("shared");
        const local2 = uniqueLocal("p");
        const fresh = `${local2}@${domain2}`;
        const c2 = await caller();
        const baseline = await observe(c2.org, kase === "upper" ? fresh.toUpperCase() : fresh, door, c2.account);
        expect(seen).toBe(baseline);
      }),
      { numRuns: runs },
    );
  }, 120_000);

  it("never answers a SCIM create with status pending and X-Orgscim-Outcome: invited for an email managed elsewhere", async () => {
    const holder = await newOrg(s, false);
    const email = `${uniqueLocal()}@${uniqueDomain("x")}`;
    await hold(holder, email, "accepted");
    const other = await newOrg(s, false);
    const r = await scimCreate(s, other, email);
    expect(r.status).toBe(201);
    expect(r.headers.get("x-orgscim-outcome")).toBeNull();
    expect(r.body["urn:ietf:params:scim:schemas:extension:orgscim:2.0:User"].status).toBe("managed");
    expect(await s.running.store.outbox.list({ orgId: other.id, limit: 5 })).toEqual([]);
  });

  it("answers new_user of an invitation from the caller's own data only", async () => {
    const holder = await newOrg(s, false);
    const email = `${uniqueLocal()}@${uniqueDomain("x")}`;
    await hold(holder, email, "provisioned");
    const other = await newOrg(s, false);
    const r = await inviteToOrg(s, other, email);
    expect(r.status).toBe(201);
    expect(r.body.new_user).toBe(true);
    const again = await v1("GET", `${s.url}/v1/Invitations/${r.body.sid}`, other.token);
    expect(again.body.new_user).toBe(true);
    const list = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`, other.token);
    expect(list.body.totalResults).toBe(1);
  });
});
