/**
 * The accept page's two doors without a bearer token, over real HTTP: POST /v1/Invitations/Preview
 * shows what a token offers and changes nothing; for any token Accept would refuse (guessed,
 * malformed, resent, revoked, expired, used) it answers exactly what Accept answers (status, code
 * and message), so it tells a guesser nothing Accept does not; both share one budget per address;
 * and the mail without PUBLIC_URL names the page and the code instead of a link.
 */
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp-server";
import { startTestServer, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";
import { PreviewResult } from "../../src/http/v1/invitations-routes";

let s: TestServer;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
  s = await startTestServer({ SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "100" }); // no PUBLIC_URL
});
afterAll(async () => {
  await s?.close();
  await smtp?.close();
});

const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const tokenIn = (m: ReceivedMail): string => {
  const t = /oiv_[A-Za-z0-9_-]{43}/.exec(m.text)?.[0];
  if (!t) throw new Error(`no token in the mail:\n${m.text}`);
  return t;
};
const preview = (token: unknown) => v1("POST", `${s.url}/v1/Invitations/Preview`, null, { token });
const accept = (token: unknown) => v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token });

async function setup() {
  const o = await s.newOrg();
  const api = (method: string, path: string, body?: unknown) => v1(method, `${s.url}/v1${path}`, o.token, body);
  const domain = `${unique("corp")}.test`;
  await s.verifyDomain(o.org.id, domain);
  const u = await v1("POST", `${s.scim}/Users`, o.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `own@${domain}`, emails: [{ value: `own@${domain}`, primary: true }] });
  const account = (await api("POST", "/Accounts", { friendly_name: "Payments", owner_sid: u.body.id })).body.sid as string;
  const invite = async (roles: string[]) => {
    const email = `${unique("ext")}@elsewhere.example`;
    const r = await api("POST", `/Accounts/${account}/Invitations`, { email, roles });
    expect(r.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    return { email, sid: r.body.invitation.sid as string, user: r.body.user_sid as string, token: tokenIn(mail), mail };
  };
  return { o, api, account, invite };
}

describe("POST /v1/Invitations/Preview", () => {
  it("shows what a live token offers (organization, account, roles, the invited address, no sender person for a service token) and changes nothing", async () => {
    const { o, api, account, invite } = await setup();
    const inv = await invite(["developer"]);
    const events = (await api("GET", "/AuditEvents")).body.audit_events.length;
    const p = conforms(PreviewResult, await preview(inv.token));
    expect(p).toEqual({
      kind: "account", organization: { sid: o.org.id, friendly_name: "Test Org" }, account: { sid: account, friendly_name: "Payments" },
      roles: ["developer"], org_role: null, email: inv.email, date_expires: expect.any(String), invited_by: null,
    });
    expect(conforms(PreviewResult, await preview(inv.token))).toEqual(p); // again: nothing was used up
    expect((await api("GET", `/Invitations/${inv.sid}`)).body.status).toBe("pending");
    expect((await api("GET", "/AuditEvents")).body.audit_events.length).toBe(events);
  });

  it("answers every token Accept refuses exactly as Accept does: guessed, malformed, too long, resent, revoked, expired, used", async () => {
    const { o, api, invite } = await setup();
    const resent = await invite(["support"]);
    const before = smtp.messages.length;
    expect((await api("POST", `/Invitations/${resent.sid}/Resend`)).status).toBe(200);
    await smtp.waitFor((m) => m.to.includes(resent.email) && smtp.messages.indexOf(m) >= before);
    const revoked = await invite(["support"]);
    expect((await api("DELETE", `/Invitations/${revoked.sid}`)).status).toBe(200);
    const expired = await invite(["support"]);
    const stored = (await s.running.store.invitations.get(o.org.id, expired.sid))!;
    expect(await s.running.store.invitations.update({ ...stored, expires: new Date(Date.now() - 1000).toISOString() }, stored.tokenHash)).toBe(true);
    const used = await invite(["support"]);

    expect((await accept(used.token)).status).toBe(200);
    const cases: [string, unknown, number][] = [
      ["guessed", `oiv_${"A".repeat(43)}`, 6605],
      ["malformed", "hello", 6605],
      ["too long", `oiv_${"a".repeat(190)}`, 6605],
      ["resent (the old token)", resent.token, 6605],
      ["revoked", revoked.token, 6608],
      ["expired", expired.token, 6606],
      ["used", used.token, 6607],
    ];
    for (const [name, token, code] of cases) {
      const p = await preview(token);
      const a = await accept(token);
      expect([name, p.status, p.body]).toEqual([name, a.status, a.body]);
      expect([name, p.body.code]).toEqual([name, code]);
    }
    // Shape errors too: the same 400 for a body that is not {token} on both.
    const p = await v1("POST", `${s.url}/v1/Invitations/Preview`, null, { token: "x", extra: 1 });
    const a = await v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token: "x", extra: 1 });
    expect([p.status, p.body.code]).toEqual([a.status, a.body.code]);
  });

  it("ignores a bearer token: the emailed token is the only credential, and another organization's admin token changes nothing", async () => {
    const { invite } = await setup();
    const other = await s.newOrg();
    const inv = await invite(["developer"]);
    const withBearer = await v1("POST", `${s.url}/v1/Invitations/Preview`, other.token, { token: `oiv_${"B".repeat(43)}` });
    expect(withBearer.body.code).toBe(6605);
    const ok = await v1("POST", `${s.url}/v1/Invitations/Preview`, other.token, { token: inv.token });
    expect(ok.status).toBe(200);
    expect(ok.body.organization.sid).not.toBe(other.org.id);
  });

  it("mails, without PUBLIC_URL, the page's path and the code to paste (no link to a guessed host, no password, no API call)", async () => {
    const { invite } = await setup();
    const inv = await invite(["developer"]);
    expect(inv.mail.text).toContain("open the page /admin/accept of your organization's orgscim server and paste this code:");
    expect(inv.mail.text).not.toMatch(/https?:\/\/|password|POST |\{"token"/i);
  });
});

describe("the budget of the two token-only doors", () => {
  let b: TestServer;
  beforeAll(async () => {
    b = await startTestServer({ INVITATION_ACCEPT_PER_MINUTE: "3" });
  });
  afterAll(() => b?.close());

  it("counts Preview and Accept together per client address: 429 with Retry-After once spent, whichever door", async () => {
    const send = (path: string) => v1("POST", `${b.url}/v1/Invitations/${path}`, null, { token: `oiv_${"C".repeat(43)}` });
    expect((await send("Preview")).status).toBe(400);
    expect((await send("Accept")).status).toBe(400);
    expect((await send("Preview")).status).toBe(400);
    const over = await send("Accept");
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await send("Preview")).status).toBe(429);
  });
});
