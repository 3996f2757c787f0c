/**
 * Truthful mail states: an invitation says what happened to its mail, from the outbox (queued,
 * sent, failed, cancelled), over /v1 and in the Admin Center; a server without SMTP_URL says so
 * (GET /v1/Organization mail_delivery, and a banner where invitations are made); Resend answers
 * the new mail's state and the superseded one shows cancelled.
 */
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { startTestServer, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";
import { InvitationBody } from "../../src/http/v1/invitations-routes";
import { OrganizationBody } from "../../src/http/v1/organization-routes";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

async function orgOn(s: TestServer) {
  const o = await s.newOrg();
  const domain = `${unique("corp")}.test`;
  await s.verifyDomain(o.org.id, domain);
  const api = (method: string, path: string, body?: unknown) => v1(method, `${s.url}/v1${path}`, o.token, body);
  return { ...o, domain, api };
}

describe("invitation mail states over /v1", () => {
  let smtp: TestSmtpServer;
  let withSmtp: TestServer;
  let without: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    withSmtp = await startTestServer({ SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "100" });
    without = await startTestServer();
  });
  afterAll(async () => {
    await withSmtp?.close();
    await without?.close();
    await smtp?.close();
  });

  it("says whether this server sends mail: mail_delivery smtp with SMTP_URL, none without", async () => {
    const a = await orgOn(withSmtp);
    const b = await orgOn(without);
    expect(conforms(OrganizationBody, await a.api("GET", "/Organization")).mail_delivery).toBe("smtp");
    expect(conforms(OrganizationBody, await b.api("GET", "/Organization")).mail_delivery).toBe("none");
  });

  it("answers queued until the mail server took it, then sent with its date", async () => {
    const o = await orgOn(withSmtp);
    const email = `${unique("a")}@${o.domain}`;
    const created = conforms(InvitationBody, await o.api("POST", "/Invitations", { email, org_role: "standard" }));
    expect(created.mail).toMatchObject({ status: "queued", attempts: 0, date_sent: null, last_error: null });
    await smtp.waitFor((m) => m.to.includes(email));
    const deadline = Date.now() + 10_000;
    let inv = conforms(InvitationBody, await o.api("GET", `/Invitations/${created.sid}`));
    while (inv.mail?.status !== "sent" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50)); // the worker records "sent" just after the server took it
      inv = conforms(InvitationBody, await o.api("GET", `/Invitations/${created.sid}`));
    }
    expect(inv.mail).toMatchObject({ sid: created.mail!.sid, status: "sent", attempts: 1, last_error: null });
    expect(inv.mail!.date_sent).not.toBeNull();
  });

  it("answers queued with the mail server's refusal after a failed try", async () => {
    const o = await orgOn(withSmtp);
    const email = `${unique("b")}@${o.domain}`;
    smtp.failNext(1, email);
    const created = conforms(InvitationBody, await o.api("POST", "/Invitations", { email, org_role: "standard" }));
    const deadline = Date.now() + 15_000;
    let inv = created;
    while (!inv.mail?.last_error && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      inv = conforms(InvitationBody, await o.api("GET", `/Invitations/${created.sid}`));
    }
    expect(inv.mail).toMatchObject({ status: "queued", attempts: 1 });
    expect(inv.mail!.last_error).toMatch(/451|temporarily unavailable/);
    expect(inv.mail!.date_next_attempt).not.toBeNull();
  });

  it("without SMTP: stays queued; Resend answers the new mail, queued, and the old one is cancelled", async () => {
    const o = await orgOn(without);
    const email = `${unique("c")}@${o.domain}`;
    const created = conforms(InvitationBody, await o.api("POST", "/Invitations", { email, org_role: "standard" }));
    expect(created.mail?.status).toBe("queued");
    const resent = conforms(InvitationBody, await o.api("POST", `/Invitations/${created.sid}/Resend`));
    expect(resent.mail).toMatchObject({ status: "queued", attempts: 0 });
    expect(resent.mail!.sid).not.toBe(created.mail!.sid);
    expect((await without.running.store.outbox.get(o.org.id, created.mail!.sid))?.status).toBe("cancelled");
    const listed = (await o.api("GET", "/Invitations?Status=pending")).body.invitations as { sid: string; mail: { sid: string } }[];
    expect(listed.find((i) => i.sid === created.sid)?.mail.sid).toBe(resent.mail!.sid);
  });
});

describeBrowser("Admin Center: mail states and the no-SMTP banner", () => {
  const env = adminEnv(); // no SMTP_URL: mail stays in the outbox
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  it("warns that mail is not sent, shows the invitation's mail as queued, and Resend says the new mail is queued", async () => {
    const o = await orgOn(env.server);
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    const banner = page.locator(".banner.warn");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("Mail is not sent.");
    const email = `${unique("new")}@${o.domain}`;
    await page.getByRole("button", { name: "Invite User", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Invite User to Organization" });
    await dialog.getByLabel("Email address").fill(email);
    await dialog.getByRole("button", { name: "Invite User" }).click();
    await page.getByText(`Invitation to ${email} queued in the outbox`).waitFor();
    const row = page.locator("tr", { hasText: email });
    await row.locator("[data-mail=queued]").waitFor();
    expect(await row.locator(".mail-state").textContent()).toBe("mail queued, not sent yet");
    await s.shot("users-pending-mail-queued");
    await row.getByRole("button", { name: `Resend the invitation to ${email}` }).click();
    await page.getByText(`The invitation to ${email} was renewed: its new mail is queued in the outbox`).waitFor();
  });
});
