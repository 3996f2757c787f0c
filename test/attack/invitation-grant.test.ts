/**
 * Issue 13, attacked from outside: an invitation grants, when accepted, what its inviter could
 * grant then, not what they could grant when they sent it. Otherwise an Administrator about to be
 * demoted (or an account Administrator about to lose the account) sends invitations to addresses
 * they control and keeps every right the demotion was meant to take away.
 */
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp-server";
import { call, ORG_EXT, startTestServer, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { patchOp, people, unique, type People } from "../authz/people";

let smtp: TestSmtpServer;
let s: TestServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  s = await startTestServer({ SMTP_URL: smtp.url, MAIL_FROM: "orgscim <no-reply@orgscim.test>", OUTBOX_INTERVAL_MS: "50", PUBLIC_URL: "https://orgscim.example.com" });
});
afterAll(async () => {
  await s.close();
  await smtp.close();
});

const TOKEN = /oiv_[A-Za-z0-9_-]{43}/;
async function acceptanceToken(to: string): Promise<string> {
  const m: ReceivedMail = await smtp.waitFor((x) => x.to.includes(to) && TOKEN.test(x.text));
  return TOKEN.exec(m.text)![0];
}
const accept = (token: string) => v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token });
const orgRole = async (p: People, id: string) => (await p.user(id)).body[ORG_EXT].orgRole as string;
const demote = async (p: People, id: string) =>
  expect((await call("PATCH", `${s.scim}/Users/${id}`, p.operator, patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: "standard" }))).status).toBe(204);

describe("an invitation accepted after its inviter lost the right", () => {
  it("does not make the invitee Administrator when the inviting Administrator was demoted (409, still pending)", async () => {
    const p = await people(s);
    const adminToken = await p.tokenFor(p.admin);
    const email = `${unique("mallory")}@acme.test`;
    const inv = await v1("POST", `${s.url}/v1/Invitations`, adminToken, { email, org_role: "administrator" });
    expect(inv.status).toBe(201);
    const token = await acceptanceToken(email);
    await demote(p, p.admin);

    const r = await accept(token);
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/invit/i);
    const member = await p.user(inv.body.user_sid);
    expect(member.body[ORG_EXT].status).toBe("pending");
    expect((await v1("GET", `${s.url}/v1/Invitations/${inv.body.sid}`, p.operator)).body.status).toBe("pending");

    // An Owner who resends it vouches for it: accepting the new token grants Administrator.
    const ownerToken = await p.tokenFor(p.owner);
    expect((await v1("POST", `${s.url}/v1/Invitations/${inv.body.sid}/Resend`, ownerToken)).status).toBe(200);
    const fresh = await smtp.waitFor((x) => x.to.includes(email) && TOKEN.test(x.text) && TOKEN.exec(x.text)![0] !== token);
    expect((await accept(TOKEN.exec(fresh.text)![0])).status).toBe(200);
    expect(await orgRole(p, inv.body.user_sid)).toBe("administrator");
  });

  it("does not make the invitee Administrator when the inviting Administrator was suspended", async () => {
    const p = await people(s);
    const adminToken = await p.tokenFor(p.admin);
    const email = `${unique("trudy")}@acme.test`;
    const inv = await v1("POST", `${s.url}/v1/Invitations`, adminToken, { email, org_role: "administrator" });
    expect(inv.status).toBe(201);
    const token = await acceptanceToken(email);
    expect((await call("PATCH", `${s.scim}/Users/${p.admin}`, p.operator, patchOp({ op: "replace", path: "active", value: false }))).status).toBe(204);
    expect((await accept(token)).status).toBe(409);
    expect((await p.user(inv.body.user_sid)).body[ORG_EXT].status).toBe("pending");
  });

  it("does not grant account roles when the inviting account Administrator lost the account", async () => {
    const p = await people(s);
    const accAdminToken = await p.tokenFor(p.accAdmin);
    const email = `${unique("eve")}@elsewhere.test`;
    const inv = await v1("POST", `${s.url}/v1/Accounts/${p.account}/Invitations`, accAdminToken, { email, roles: ["administrator"] });
    expect(inv.status).toBe(201);
    expect(inv.body.outcome).toBe("invited");
    const token = await acceptanceToken(email);
    const assignments = await v1("GET", `${s.url}/v1/RoleAssignments?UserSid=${p.accAdmin}`, p.operator);
    for (const a of assignments.body.role_assignments as { sid: string }[]) {
      expect((await v1("DELETE", `${s.url}/v1/RoleAssignments/${a.sid}`, p.operator)).status).toBe(204);
    }
    expect((await accept(token)).status).toBe(409);
    const users = await v1("GET", `${s.url}/v1/Accounts/${p.account}/Users`, p.operator);
    expect((users.body.users as { user_sid: string }[]).map((u) => u.user_sid)).not.toContain(inv.body.user_sid);
  });

  it("still grants what the inviter holds when accepted (an Administrator's Administrator invitation)", async () => {
    const p = await people(s);
    const adminToken = await p.tokenFor(p.admin);
    const email = `${unique("grace")}@acme.test`;
    const inv = await v1("POST", `${s.url}/v1/Invitations`, adminToken, { email, org_role: "administrator" });
    expect(inv.status).toBe(201);
    expect((await accept(await acceptanceToken(email))).status).toBe(200);
    expect(await orgRole(p, inv.body.user_sid)).toBe("administrator");
  });
});
