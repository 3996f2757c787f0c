/**
 * The accept page (/admin/accept), the invitee's side, in Chromium, from the mail a real SMTP
 * server on loopback received: the link is PUBLIC_URL/admin/accept#token=…, and the browser opens
 * exactly that link (PUBLIC_URL's host is mapped to the test server's port).
 *
 * It is an unauthenticated door, so most of this file attacks it: the token never leaves the
 * fragment (no request line, no Referer, gone from the address bar), a replayed, resent, revoked,
 * expired or guessed token gets its own clear page and grants nothing, and accepting acts for the
 * invited address only, whoever opens the link.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp-server";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, PUBLIC_URL, type Session } from "./browser";

jest.setTimeout(90_000);

let smtp: TestSmtpServer;
afterAll(async () => smtp?.close());

describeBrowser("Admin Center: the accept page", () => {
  const env = adminEnv(async () => {
    smtp = await startSmtpServer();
    return { SMTP_URL: smtp.url, MAIL_FROM: "no-reply@orgscim.test", OUTBOX_INTERVAL_MS: "100" };
  }, { publicHost: true });
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

  /** An organization, an Administrator (Ada Lovelace) with a token acting for her, and an account. */
  async function org() {
    const o = await env.server.newOrg();
    const domain = `${unique("corp")}.test`;
    await env.server.verifyDomain(o.org.id, domain);
    const r = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`ada@${domain}`, { name: { givenName: "Ada", familyName: "Lovelace" } }));
    const ada = r.body.id as string;
    const api = (method: string, path: string, body?: unknown, token = o.token) => v1(method, `${env.server.url}/v1${path}`, token, body);
    expect((await api("POST", `/Users/${ada}`, { org_role: "administrator" })).status).toBe(200);
    const adaToken = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "ada", scopes: ["admin"], userId: ada })).plaintext;
    const account = (await api("POST", "/Accounts", { friendly_name: "Mobile App", owner_sid: ada })).body.sid as string;
    return { ...o, domain, ada, adaToken, account, api };
  }

  const mailTo = (to: string, after = 0): Promise<ReceivedMail> => smtp.waitFor((m) => m.to.includes(to) && smtp.messages.indexOf(m) >= after && /invited/.test(m.subject));
  const linkIn = (m: ReceivedMail): string => {
    const link = /https?:\/\/\S+#token=oiv_[A-Za-z0-9_-]+/.exec(m.text)?.[0];
    if (!link) throw new Error(`no accept link in the mail:\n${m.text}`);
    return link;
  };
  const tokenOf = (link: string) => link.slice(link.indexOf("#token=") + 7);

  it("opens the mailed link, shows who invites to what and for which address, accepts with one button; the token never leaves the fragment", async () => {
    const o = await org();
    const email = `${unique("kim")}@contractor.example`;
    const inv = await o.api("POST", `/Accounts/${o.account}/Invitations`, { email, roles: ["developer", "support"] }, o.adaToken);
    expect(inv.status).toBe(201);

    const mail = await mailTo(email);
    const link = linkIn(mail);
    const token = tokenOf(link);
    expect(link).toBe(`${PUBLIC_URL}/admin/accept#token=${token}`);
    // The mail says what orgscim does: a link to a page, never a password, never an API call.
    expect(mail.text).toContain(`the account "Mobile App" of the organization "Test Org", with the roles Developer, Support`);
    expect(mail.text).not.toMatch(/password|POST |\{"token"/i);
    expect(mail.text).toContain(`Whoever has it can accept for ${email}: do not forward it.`);

    s = await openSession(env);
    const { page } = s;
    const referers: (string | undefined)[] = [];
    page.on("request", (r) => referers.push(r.headers().referer));
    await page.goto(link);
    const card = page.locator("main section.card[data-state=pending]");
    await card.waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("You are invited");
    expect(await card.locator("p.offer").textContent()).toBe(`Ada Lovelace (ada@${o.domain}), of Test Org, invites you to the account Mobile App with the roles Developer, Support.`);
    expect(await card.locator("p.for-whom").textContent()).toBe(`This invitation is for ${email}. Accepting gives that address this access; if it is not yours, do not accept.`);
    // Gone from the address bar and the history entry at once; never in a request line or a Referer.
    expect(page.url()).toBe(`${PUBLIC_URL}/admin/accept`);
    expect(await page.evaluate("location.href + '|' + history.length")).not.toContain(token);
    await s.shot("accept-offer");

    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.locator("main section.card[data-state=accepted]").waitFor();
    expect(await page.locator("main p.offer").textContent()).toBe("You now have access to the account Mobile App of Test Org: Developer, Support.");
    await s.shot("accept-done");

    expect(s.requests.filter((u) => u.includes(token) || u.includes("oiv_"))).toEqual([]);
    expect(s.requests.filter((u) => u.includes("/v1/")).map((u) => u.replace(PUBLIC_URL, ""))).toEqual(["/v1/Invitations/Preview", "/v1/Invitations/Accept"]);
    expect(referers.filter((r) => r)).toEqual([]);

    // The invited address got exactly what the mail offered: an independent user with those roles.
    const user = inv.body.user_sid as string;
    const roles = await o.api("GET", `/RoleAssignments?UserSid=${user}`);
    expect(roles.body.role_assignments.map((a: { role: string }) => a.role).sort()).toEqual(["developer", "support"]);
    expect((await o.api("GET", `/Users?Status=independent&Search=${encodeURIComponent(email)}`)).body.users.map((u: { sid: string }) => u.sid)).toEqual([user]);
  });

  it("answers a replayed link with 'already accepted' and grants nothing more; a resent invitation's old link is not valid", async () => {
    const o = await org();
    const email = `${unique("lee")}@contractor.example`;
    const inv = await o.api("POST", `/Accounts/${o.account}/Invitations`, { email, roles: ["developer"] });
    const first = linkIn(await mailTo(email));
    const before = smtp.messages.length;
    expect((await o.api("POST", `/Invitations/${inv.body.invitation.sid}/Resend`)).status).toBe(200);
    const second = linkIn(await mailTo(email, before));
    expect(tokenOf(second)).not.toBe(tokenOf(first));

    s = await openSession(env);
    const { page } = s;
    await page.goto(first);
    await page.locator("main section.card[data-state='6605']").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This invitation link is not valid");
    await s.shot("accept-invalid");

    await page.goto(second);
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.locator("main section.card[data-state=accepted]").waitFor();

    // The same link again (a replay, or someone who found it afterwards).
    await page.goto(second);
    await page.locator("main section.card[data-state='6607']").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This invitation was already accepted");
    expect(await page.getByRole("button", { name: "Accept invitation" }).count()).toBe(0);
    await s.shot("accept-used");
    const audit = await o.api("GET", `/AuditEvents?Action=invitation.accept`);
    expect(audit.body.audit_events).toHaveLength(1);
  });

  it("gives a revoked and an expired invitation each their clear page, with nothing to press", async () => {
    const o = await org();
    const revokedTo = `${unique("rev")}@contractor.example`;
    const revoked = await o.api("POST", `/Accounts/${o.account}/Invitations`, { email: revokedTo, roles: ["support"] });
    const revokedLink = linkIn(await mailTo(revokedTo));
    expect((await o.api("DELETE", `/Invitations/${revoked.body.invitation.sid}`)).status).toBe(200);

    const expiredTo = `${unique("exp")}@contractor.example`;
    const expired = await o.api("POST", `/Accounts/${o.account}/Invitations`, { email: expiredTo, roles: ["support"] });
    const expiredLink = linkIn(await mailTo(expiredTo));
    const store = env.server.running.store;
    const stored = (await store.invitations.get(o.org.id, expired.body.invitation.sid))!;
    expect(await store.invitations.update({ ...stored, expires: new Date(Date.now() - 60_000).toISOString() }, stored.tokenHash)).toBe(true);

    s = await openSession(env);
    const { page } = s;
    await page.goto(revokedLink);
    await page.locator("main section.card[data-state='6608']").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This invitation was withdrawn");
    await s.shot("accept-revoked");
    await page.goto(expiredLink);
    await page.locator("main section.card[data-state='6606']").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("This invitation has expired");
    expect(await page.getByRole("button").count()).toBe(0);
    await s.shot("accept-expired");
  });

  it("asks for the code when the link has none (opened by hand, or reloaded after the token was taken), and a guess gets 'not valid'", async () => {
    const o = await org();
    const email = `${unique("ana")}@contractor.example`;
    await o.api("POST", `/Accounts/${o.account}/Invitations`, { email, roles: ["billing_manager"] });
    const link = linkIn(await mailTo(email));

    s = await openSession(env);
    const { page } = s;
    await page.goto(link);
    await page.locator("main section.card[data-state=pending]").waitFor();
    await page.reload();
    await page.locator("main section.card[data-state=ask]").waitFor();
    await s.shot("accept-ask");

    await page.getByLabel("Code from the invitation mail").fill(`oiv_${"A".repeat(43)}`);
    await page.getByRole("button", { name: "Show the invitation" }).click();
    await page.locator("main section.card[data-state='6605']").waitFor();

    await page.goto(`${PUBLIC_URL}/admin/accept`);
    await page.getByLabel("Code from the invitation mail").fill(tokenOf(link));
    await page.getByRole("button", { name: "Show the invitation" }).click();
    await page.locator("main section.card[data-state=pending]").waitFor();
    expect(await page.locator("main p.offer").textContent()).toContain("with the role Billing Manager.");
  });
});
