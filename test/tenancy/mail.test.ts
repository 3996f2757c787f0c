/**
 * What reaches a mailbox, over a real SMTP server on loopback: a SCIM create never mails anyone
 * because another organization holds the email (it used to mail an invitation, which told the
 * caller); an invitation's mail reads the same whatever other organizations hold; and the token
 * from that mail is refused, with the reason, while another organization manages the person.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { createOrganization } from "../../src/domain/orgs";
import { issueToken } from "../../src/domain/tokens";
import { startServer, type RunningServer } from "../../src/server";
import { call, ORG_EXT, userBody } from "../helpers/server";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp-server";
import { v1 } from "../helpers/v1";
import { uniqueDomain, uniqueLocal } from "./helpers";

let smtp: TestSmtpServer;
let running: RunningServer;
let dir: string;
beforeAll(async () => {
  smtp = await startSmtpServer();
  dir = mkdtempSync(join(tmpdir(), "orgscim-tenancy-mail-"));
  running = await startServer(loadConfig({
    PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", DATABASE_URL: `sqlite:${join(dir, "test.db")}`, WRITES_SHED_LAG_MS: "0",
    SMTP_URL: smtp.url, MAIL_FROM: "orgscim <no-reply@orgscim.test>", OUTBOX_INTERVAL_MS: "50", INVITATION_ACCEPT_PER_MINUTE: "0",
    PUBLIC_URL: "https://orgscim.example.com",
  }));
});
afterAll(async () => {
  await running.stop();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

async function org(name: string) {
  const o = await createOrganization(running.store, systemClock, { name, settings: { domainEnforcement: false } });
  return { org: o, token: (await issueToken(running.store, systemClock, { orgId: o.id, name: "t", scopes: ["scim", "admin"] })).plaintext };
}
const tokenIn = (m: ReceivedMail) => /oiv_[A-Za-z0-9_-]{43}/.exec(m.text)?.[0] ?? "";
const scim = () => `${running.url}/scim/v2`;

it("a SCIM create of an email another organization manages mails nobody", async () => {
  const home = await org("Home");
  const email = `${uniqueLocal()}@${uniqueDomain("m")}`;
  expect((await call("POST", `${scim()}/Users`, home.token, userBody(email))).status).toBe(201);
  const other = await org("Other");
  const r = await call("POST", `${scim()}/Users`, other.token, userBody(email));
  expect([r.status, r.body[ORG_EXT].status]).toEqual([201, "managed"]);
  await new Promise((resolve) => setTimeout(resolve, 400)); // eight outbox intervals
  expect(smtp.messages.filter((m) => m.to.includes(email))).toEqual([]);
});

it("an invitation's mail reads the same whatever other organizations hold, and its token is refused while another organization manages the person", async () => {
  const home = await org("Home");
  const held = `${uniqueLocal()}@${uniqueDomain("m")}`;
  const free = `${uniqueLocal()}@${uniqueDomain("m")}`;
  expect((await call("POST", `${scim()}/Users`, home.token, userBody(held))).status).toBe(201);
  const inviter = await org("Inviter");
  for (const email of [held, free]) expect((await v1("POST", `${running.url}/v1/Invitations`, inviter.token, { email, org_role: "standard" })).status).toBe(201);
  const [toHeld, toFree] = await Promise.all([smtp.waitFor((m) => m.to.includes(held)), smtp.waitFor((m) => m.to.includes(free))]);
  const blank = (m: ReceivedMail, email: string) => m.text.replaceAll(email, "<email>").replace(/oiv_[A-Za-z0-9_-]{43}/, "<token>").replace(/expires at \S+/, "expires at <time>");
  expect(blank(toHeld, held)).toBe(blank(toFree, free));
  expect(toHeld.subject).toBe(toFree.subject);

  const refused = await v1("POST", `${running.url}/v1/Invitations/Accept`, null, { token: tokenIn(toHeld) });
  expect([refused.status, refused.body.code]).toEqual([409, 6613]);
  const ok = await v1("POST", `${running.url}/v1/Invitations/Accept`, null, { token: tokenIn(toFree) });
  expect([ok.status, ok.body.status]).toEqual([200, "managed"]);
});
