/**
 * The Outbox page in Chromium (GET /v1/Outbox): the organization's mail newest first with what
 * happened to each, from a real server sending to a real SMTP server on loopback: sent (it
 * arrived), queued with a failed try and the mail server's answer (451 once), failed (given up),
 * cancelled (superseded by a resend while it waited for a retry); a State filter; never a body (an unsent invitation's body
 * holds its token); another organization's mail is not there; a Standard User is refused.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { v1 } from "../helpers/v1";
import { call, userBody } from "../helpers/server";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(120_000);

const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
let smtp: TestSmtpServer;

describeBrowser("Admin Center: the outbox", () => {
  const env = adminEnv(async () => {
    smtp = await startSmtpServer();
    return { SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: "100" };
  });
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });
  afterAll(async () => {
    await smtp?.close();
  });

  async function org() {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const api = (method: string, path: string, body?: unknown) => v1(method, `${env.server.url}/v1${path}`, o.token, body);
    return { ...o, api };
  }
  const stateOf = async (api: (m: string, p: string) => Promise<{ body: { mail: { sid: string; status: string; attempts: number; to: string; last_error: string | null }[] } }>, to: string) =>
    (await api("GET", "/Outbox?PageSize=100")).body.mail.filter((m) => m.to === to);

  it("shows each mail's state from the outbox, filters by state, and never a body", async () => {
    const o = await org();
    const sent = `${unique("sent")}@example.test`;
    const retried = `${unique("retry")}@example.test`;
    const resent = `${unique("resent")}@example.test`;
    await o.api("POST", "/Invitations", { email: sent, org_role: "standard" });
    await smtp.waitFor((m) => m.to.includes(sent));
    smtp.failNext(1, retried);
    await o.api("POST", "/Invitations", { email: retried, org_role: "standard" });
    // The worker tried once and the mail server answered 451: queued again, with the answer.
    for (let i = 0; i < 150 && !(await stateOf(o.api, retried)).some((m) => m.status === "queued" && m.last_error !== null); i++) await new Promise((r) => setTimeout(r, 100));
    // Resent while its first mail waits for a retry: the first is cancelled, the new one sent.
    smtp.failNext(1, resent);
    const first = (await o.api("POST", "/Invitations", { email: resent, org_role: "standard" })).body as { sid: string };
    for (let i = 0; i < 150 && !(await stateOf(o.api, resent)).some((m) => m.status === "queued" && m.last_error !== null); i++) await new Promise((r) => setTimeout(r, 100));
    await o.api("POST", `/Invitations/${first.sid}/Resend`);
    await smtp.waitFor((m) => m.to.includes(resent));
    // A mail given up on: written as the worker leaves it after its last try (8 tries take hours).
    const gaveUp = `${unique("gaveup")}@example.test`;
    await env.server.running.store.outbox.insert({
      id: `EM${"f".repeat(32)}`.slice(0, 34), orgId: o.org.id, kind: "password_reset", ref: null, to: gaveUp, subject: "Reset your password",
      text: null, status: "failed", created: new Date().toISOString(), sentAt: null, attempts: 8, lastError: "550 5.1.1 mailbox unavailable", nextAttemptAt: new Date().toISOString(),
    });
    // Another organization's mail, which must not show.
    const other = await env.server.newOrg({ domainEnforcement: false });
    const elsewhere = `${unique("elsewhere")}@example.test`;
    await v1("POST", `${env.server.url}/v1/Invitations`, other.token, { email: elsewhere, org_role: "standard" });

    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await page.getByRole("link", { name: "Outbox" }).click();
    await page.getByRole("heading", { name: "Outbox", level: 1 }).waitFor();
    const row = (to: string) => page.locator("tr", { hasText: to });
    await row(gaveUp).waitFor();
    expect(await row(sent).locator("[data-mail]").getAttribute("data-mail")).toBe("sent");
    expect(await row(retried).locator("[data-mail]").textContent()).toMatch(/^queued, 1 failed try.*Mail server: .*451/);
    expect(await row(gaveUp).locator("[data-mail]").textContent()).toContain("Mail server: 550 5.1.1 mailbox unavailable");
    expect(await row(resent).locator("[data-mail=cancelled]").count()).toBe(1);
    expect(await row(resent).locator("[data-mail=sent]").count()).toBe(1);
    expect(await row(elsewhere).count()).toBe(0);
    expect(await page.locator("main").textContent()).not.toMatch(/oiv_/);
    await s.shot("outbox");
    await page.getByLabel("State").selectOption("failed");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator("tr[data-mail-sid]").first().waitFor();
    await page.waitForFunction("document.querySelectorAll('tr[data-mail-sid]').length === 1");
    expect(await page.locator("tr[data-mail-sid] [data-mail]").getAttribute("data-mail")).toBe("failed");
  });

  it("refuses a Standard User, with the policy's reason", async () => {
    const o = await org();
    const r = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${unique("std")}@example.test`));
    const token = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["admin"], userId: r.body.id as string })).plaintext;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(token);
    await s.go("#/outbox");
    await page.getByRole("heading", { name: "Outbox", level: 1 }).waitFor();
    const err = page.locator("nav.pager .error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/^Not allowed: a Standard User may not read the organization's outbox/);
  });
});
