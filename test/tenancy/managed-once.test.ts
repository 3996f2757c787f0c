/**
 * Nobody is managed by two organizations: accepting an organization's invitation is refused, and
 * the person told why, while another organization manages them or owns their domain; the
 * invitation stays usable once that is no longer so. Successors and account owners are the
 * organization's own managed users: another organization's user id answers exactly like an
 * unknown id, through every door that names one.
 */
import { call } from "../helpers/server";
import { v1 } from "../helpers/v1";
import {
  accept, inviteToOrg, invitationTokenFor, newAccount, newOrg, scimCreate, startTestServer, uniqueDomain, uniqueLocal,
  type OrgHandle, type TestServer,
} from "./helpers";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const memberOf = (orgId: string, id: string) => s.running.store.users.get(orgId, id, { includeIndependent: true });

async function invited(o: OrgHandle, email: string) {
  const r = await inviteToOrg(s, o, email);
  expect(r.status).toBe(201);
  return { sid: r.body.sid as string, userSid: r.body.user_sid as string, token: await invitationTokenFor(s, r.body.sid) };
}

describe("accepting an organization's invitation", () => {
  it("is refused while another organization manages the person (provisioned there), and works once it removed them", async () => {
    const home = await newOrg(s, false);
    const email = `${uniqueLocal()}@${uniqueDomain("p")}`;
    const provisioned = await scimCreate(s, home, email);
    const other = await newOrg(s, false);
    const inv = await invited(other, email.toUpperCase());
    const refused = await accept(s, inv.token);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe(6613);
    expect(refused.body.message).toMatch(/managed user of another organization/);
    expect(refused.body.message).not.toContain(home.id);
    expect((await memberOf(other.id, inv.userSid))?.status).toBe("pending");
    expect((await v1("GET", `${s.url}/v1/Invitations/${inv.sid}`, other.token)).body.status).toBe("pending");
    // the home organization removes them: the same token now works
    expect((await call("DELETE", `${s.scim}/Users/${provisioned.body.id}`, home.token)).status).toBe(204);
    const ok = await accept(s, inv.token);
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe("managed");
  });

  it("is refused while the person accepted another organization's invitation before", async () => {
    const email = `${uniqueLocal()}@${uniqueDomain("p")}`;
    const first = await newOrg(s, false);
    expect((await accept(s, (await invited(first, email)).token)).status).toBe(200);
    const second = await newOrg(s, false);
    const inv = await invited(second, email);
    const r = await accept(s, inv.token);
    expect([r.status, r.body.code]).toEqual([409, 6613]);
    expect((await memberOf(second.id, inv.userSid))?.status).toBe("pending");
  });

  it("is refused once another organization has verified the person's domain, since that organization owns its addresses", async () => {
    const domain = uniqueDomain("later");
    const email = `${uniqueLocal()}@${domain}`;
    const inviter = await newOrg(s, false);
    const inv = await invited(inviter, email);
    const owner = await newOrg(s, true);
    await s.verifyDomain(owner.id, domain);
    const r = await accept(s, inv.token);
    expect([r.status, r.body.code]).toEqual([409, 6614]);
    expect(r.body.message).toContain(domain);
    expect((await memberOf(inviter.id, inv.userSid))?.status).toBe("pending");
  });

  it("works for the organization that owns the person's domain", async () => {
    const owner = await newOrg(s, true);
    const domain = uniqueDomain("mine");
    await s.verifyDomain(owner.id, domain);
    const inv = await invited(owner, `${uniqueLocal()}@${domain}`);
    expect((await accept(s, inv.token)).status).toBe(200);
  });
});

/** Two answers are the same but for the id they name. */
function sameAnswer(a: { status: number; body: Record<string, unknown> }, aId: string, b: { status: number; body: Record<string, unknown> }, bId: string) {
  expect(a.status).toBe(b.status);
  expect(JSON.stringify(a.body).replaceAll(aId, "<id>")).toBe(JSON.stringify(b.body).replaceAll(bId, "<id>"));
}

describe("successors and account owners", () => {
  const UNKNOWN = `US${"7".repeat(32)}`;

  async function twoOrgs() {
    const mine = await newOrg(s, false);
    const theirs = await newOrg(s, false);
    const me = (await scimCreate(s, mine, `${uniqueLocal()}@${uniqueDomain("m")}`)).body.id as string;
    const them = (await scimCreate(s, theirs, `${uniqueLocal()}@${uniqueDomain("t")}`)).body.id as string;
    return { mine, theirs, me, them };
  }

  it("successor_user_sid refuses another organization's user exactly like an unknown id, and takes the organization's own", async () => {
    const { mine, me, them } = await twoOrgs();
    const foreign = await v1("POST", `${s.url}/v1/Organization`, mine.token, { successor_user_sid: them });
    const unknown = await v1("POST", `${s.url}/v1/Organization`, mine.token, { successor_user_sid: UNKNOWN });
    expect(foreign.status).toBe(400);
    sameAnswer(foreign, them, unknown, UNKNOWN);
    expect((await v1("GET", `${s.url}/v1/Organization`, mine.token)).body.successor_user_sid).toBeNull();
    const own = await v1("POST", `${s.url}/v1/Organization`, mine.token, { successor_user_sid: me });
    expect([own.status, own.body.successor_user_sid]).toEqual([200, me]);
  });

  it("successor_user_sid refuses a user who is not an active managed user of the organization (pending)", async () => {
    const mine = await newOrg(s, false);
    const inv = await invited(mine, `${uniqueLocal()}@${uniqueDomain("m")}`);
    const r = await v1("POST", `${s.url}/v1/Organization`, mine.token, { successor_user_sid: inv.userSid });
    expect(r.status).toBe(400);
  });

  it("new_owner_sid on remove and delete answers another organization's user exactly like an unknown id, with or without accounts to hand over", async () => {
    const { mine, me, them } = await twoOrgs();
    const leaver = (await scimCreate(s, mine, `${uniqueLocal()}@${uniqueDomain("m")}`)).body.id as string;
    for (const verb of ["Remove", "Delete"]) {
      const foreign = await v1("POST", `${s.url}/v1/Users/${leaver}/${verb}`, mine.token, { acknowledge: true, new_owner_sid: them });
      const unknown = await v1("POST", `${s.url}/v1/Users/${leaver}/${verb}`, mine.token, { acknowledge: true, new_owner_sid: UNKNOWN });
      expect(foreign.status).toBe(400);
      sameAnswer(foreign, them, unknown, UNKNOWN);
    }
    await newAccount(s, mine, leaver);
    const foreign = await v1("POST", `${s.url}/v1/Users/${leaver}/Remove`, mine.token, { acknowledge: true, new_owner_sid: them });
    const unknown = await v1("POST", `${s.url}/v1/Users/${leaver}/Remove`, mine.token, { acknowledge: true, new_owner_sid: UNKNOWN });
    expect(foreign.status).toBe(400);
    sameAnswer(foreign, them, unknown, UNKNOWN);
    expect(await memberOf(mine.id, leaver)).not.toBeNull();
    const done = await v1("POST", `${s.url}/v1/Users/${leaver}/Remove`, mine.token, { acknowledge: true, new_owner_sid: me });
    expect(done.status).toBe(200);
  });

  it("owner_sid of an account, on create and on update, answers another organization's user exactly like an unknown id", async () => {
    const { mine, me, them } = await twoOrgs();
    const create = (owner: string) => v1("POST", `${s.url}/v1/Accounts`, mine.token, { friendly_name: "A", owner_sid: owner });
    sameAnswer(await create(them), them, await create(UNKNOWN), UNKNOWN);
    expect((await create(them)).status).toBe(400);
    const acct = await newAccount(s, mine, me);
    const update = (owner: string) => v1("POST", `${s.url}/v1/Accounts/${acct}`, mine.token, { owner_sid: owner });
    const foreign = await update(them);
    expect(foreign.status).toBe(400);
    sameAnswer(foreign, them, await update(UNKNOWN), UNKNOWN);
  });
});
