/**
 * A SCIM create whose email belongs to a user managed by another organization invites that user,
 * exactly as POST /v1/Invitations does: the same mail over SMTP (a real server on loopback), the
 * same single-use token accepted by POST /v1/Invitations/Accept, all in the create's transaction.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import type { Actor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { hashInvitationToken } from "../../src/domain/invitations";
import { createOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { issueToken } from "../../src/domain/tokens";
import { createUser } from "../../src/domain/users";
import { AcceptResult, InvitationPage, MemberPage } from "../../src/http/v1/invitations-routes";
import { ErrorBody } from "../../src/http/v1/openapi";
import { userInputOf } from "../../src/scim/bulk/resource-inputs";
import { startServer, type RunningServer } from "../../src/server";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { call, ORG_EXT, PATCH_SCHEMA, userBody } from "../helpers/server";
import { settledOutbox } from "../helpers/outbox";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp-server";
import { conforms, v1 } from "../helpers/v1";

let smtp: TestSmtpServer;
let running: RunningServer;
let dir: string;
let url: string;
let scim: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  dir = mkdtempSync(join(tmpdir(), "orgscim-scim-invitations-"));
  running = await startServer(loadConfig({
    PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", DATABASE_URL: `sqlite:${join(dir, "test.db")}`,
    SMTP_URL: smtp.url, MAIL_FROM: "orgscim <no-reply@orgscim.test>", OUTBOX_INTERVAL_MS: "50",
    PUBLIC_URL: "https://orgscim.example.com", INVITATION_TTL_HOURS: "48", INVITATION_ACCEPT_PER_MINUTE: "0",
  }));
  url = running.url;
  scim = `${url}/scim/v2`;
});
afterAll(async () => {
  await running.stop();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = /oiv_[A-Za-z0-9_-]{43}/;
const tokenIn = (m: ReceivedMail): string => {
  const t = TOKEN.exec(m.text)?.[0];
  if (!t) throw new Error(`no token in the mail:\n${m.text}`);
  return t;
};
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const accept = (token: string) => v1("POST", `${url}/v1/Invitations/Accept`, null, { token });

async function org() {
  const o = await createOrganization(running.store, systemClock, { name: unique("Org"), settings: { domainEnforcement: false } });
  const token = (await issueToken(running.store, systemClock, { orgId: o.id, name: "idp", scopes: ["scim", "admin"] })).plaintext;
  return { org: o, token };
}

/** The email of a user managed by a first organization, and a second organization to provision it in. */
async function managedElsewhere() {
  const home = await org();
  const email = `${unique("henry")}@shared.test`;
  const r = await call("POST", `${scim}/Users`, home.token, userBody(email));
  expect(r.status).toBe(201);
  return { home, homeUserId: r.body.id as string, email, other: await org() };
}

describe("a SCIM create of a user managed by another organization", () => {
  it("mails the user an invitation whose token makes them a managed member of the organization", async () => {
    const { home, homeUserId, email, other } = await managedElsewhere();
    const r = await call("POST", `${scim}/Users`, other.token, userBody(email));
    expect(r.status).toBe(201);
    expect(r.headers.get("x-orgscim-outcome")).toBe("invited");
    expect(r.body[ORG_EXT].status).toBe("pending");

    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.from).toBe("no-reply@orgscim.test");
    expect(mail.subject).toBe(`You are invited to join ${other.org.name}`);
    expect(mail.text).toContain(`to join the organization "${other.org.name}" as Standard User`);
    expect(mail.text).toContain(`You keep your existing user (${email})`);
    expect(mail.text).toContain("https://orgscim.example.com/v1/Invitations/Accept");
    const token = tokenIn(mail);

    // The invitation the create left keeps the hash of the token that was mailed; the sent body is purged.
    const [invitation] = await running.store.invitations.listForUser(other.org.id, r.body.id);
    expect(invitation).toMatchObject({ email, kind: "organization", tokenHash: hashInvitationToken(token), newLogin: false });
    const [row] = await settledOutbox(running.store, invitation!.id);
    expect(row).toMatchObject({ kind: "invitation", status: "sent", text: null });
    const listed = conforms(InvitationPage, await v1("GET", `${url}/v1/Invitations?Status=pending`, other.token));
    expect(listed.invitations).toMatchObject([{ sid: invitation!.id, user_sid: r.body.id, new_user: false }]);
    // It expires after INVITATION_TTL_HOURS (48 here), as a /v1 invitation does.
    const { date_created, date_expires } = listed.invitations[0]!;
    expect(Date.parse(date_expires) - Date.parse(date_created)).toBe(48 * 3600_000);

    const accepted = await accept(token);
    expect(accepted.status).toBe(200);
    expect(conforms(AcceptResult, accepted)).toMatchObject({
      invitation_sid: invitation!.id, organization_sid: other.org.id, user_sid: r.body.id, status: "managed", org_role: "standard",
    });
    const member = await call("GET", `${scim}/Users/${r.body.id}`, other.token);
    expect(member.body[ORG_EXT]).toMatchObject({ status: "managed", orgRole: "standard" });
    expect(member.body.groups.map((g: { display: string }) => g.display)).toContain("Standard User");
    const managed = conforms(MemberPage, await v1("GET", `${url}/v1/Users?Status=managed&PageSize=100`, other.token)).users;
    expect(managed.map((u) => u.sid)).toContain(r.body.id);

    // The token works once; the other organization's user is untouched.
    expect(conforms(ErrorBody, await accept(token)).code).toBe(6607);
    expect((await call("GET", `${scim}/Users/${homeUserId}`, home.token)).body[ORG_EXT].status).toBe("managed");
    // One audit event for the create, naming the invitation and its mail.
    const invites = (await running.store.audit.list(other.org.id, { limit: 50 })).filter((e) => e.action === "user.invite");
    expect(invites).toHaveLength(1);
    expect(invites[0]!.after).toMatchObject({ status: "pending", invitation: invitation!.id, mail: row!.id });
  });

  it("gives on acceptance the org role the identity provider holds for the member at that moment", async () => {
    const { email, other } = await managedElsewhere();
    const r = await call("POST", `${scim}/Users`, other.token, userBody(email));
    expect(r.status).toBe(201);
    const token = tokenIn(await smtp.waitFor((m) => m.to.includes(email)));
    const patched = await call("PATCH", `${scim}/Users/${r.body.id}`, other.token, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: `${ORG_EXT}:orgRole`, value: "administrator" }],
    });
    expect(patched.status).toBe(204);
    expect(conforms(AcceptResult, await accept(token))).toMatchObject({ status: "managed", org_role: "administrator" });
  });

  it("queues nothing when the create is refused (409): no member, invitation or mail", async () => {
    const { email, other } = await managedElsewhere();
    const userName = `${unique("taken")}@other.test`;
    expect((await call("POST", `${scim}/Users`, other.token, userBody(userName))).status).toBe(201);
    const r = await call("POST", `${scim}/Users`, other.token, userBody(userName.toUpperCase(), { emails: [{ value: email, type: "work", primary: true }] }));
    expect(r.status).toBe(409);
    expect(r.body.scimType).toBe("uniqueness");

    expect((await running.store.invitations.list(other.org.id, { now: new Date().toISOString(), offset: 0, limit: 10 })).total).toBe(0);
    expect(await running.store.outbox.list({ orgId: other.org.id, limit: 10 })).toEqual([]);
    expect(await running.store.users.findByPrimaryEmail(other.org.id, email)).toBeNull();
    expect((await running.store.audit.list(other.org.id, { limit: 50 })).filter((e) => e.action === "user.invite")).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // six outbox intervals
    expect(smtp.messages.filter((m) => m.to.includes(email))).toEqual([]);
  });
});

describe("the create's transaction", () => {
  let store: Store;
  beforeAll(() => {
    store = openSqliteStore({ path: ":memory:" });
  });
  afterAll(() => store.close());

  it("leaves no member, invitation or audit event when the invitation mail cannot be queued", async () => {
    const home = await createOrganization(store, systemClock, { name: "Home", settings: { domainEnforcement: false } });
    const other = await createOrganization(store, systemClock, { name: "Other", settings: { domainEnforcement: false } });
    const actorOf = (o: typeof home): Actor => ({ org: o, tokenId: "TKtest", scopes: ["scim"], userId: null });
    const email = "ivy@shared.test";
    await createUser({ store, clock: systemClock }, actorOf(home), userInputOf(userBody(email)));

    const failingOutbox: Store = {
      ...store,
      transaction: (fn) => store.transaction((tx) => fn({ ...tx, outbox: { ...tx.outbox, insert: async () => { throw new Error("disk full"); } } })),
    };
    await expect(createUser({ store: failingOutbox, clock: systemClock }, actorOf(other), userInputOf(userBody(email)))).rejects.toThrow("disk full");

    expect(await store.users.findByUserName(other.id, email)).toBeNull();
    expect((await store.invitations.list(other.id, { now: new Date().toISOString(), offset: 0, limit: 10 })).total).toBe(0);
    expect(await store.outbox.list({ orgId: other.id, limit: 10 })).toEqual([]);
    expect(await store.audit.list(other.id, { limit: 10, action: "user.invite" })).toEqual([]);

    // The same create with a working outbox stores all three.
    const { user, outcome } = await createUser({ store, clock: systemClock }, actorOf(other), userInputOf(userBody(email)));
    expect(outcome).toBe("invited");
    const [invitation] = await store.invitations.listForUser(other.id, user.id);
    expect(await store.outbox.list({ ref: invitation!.id, limit: 10 })).toMatchObject([{ kind: "invitation", to: email, status: "pending" }]);
  });
});
