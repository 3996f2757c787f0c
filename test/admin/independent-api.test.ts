/**
 * What the console's independent-user page reads, over real HTTP: /v1 shows a contractor
 * (independent user) to those who may read users, SCIM never does, another organization's
 * contractor is nothing, and ownership shows on both sides (a user's accounts, an account's users).
 */
import { startTestServer, call, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";
import { AccountUserList, UserAccountList } from "../../src/http/v1/accounts-routes";
import { UserBody } from "../../src/http/v1/users-routes";
import { issueToken } from "../../src/domain/tokens";
import { systemClock } from "../../src/domain/clock";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

async function setup() {
  const o = await s.newOrg();
  const api = (method: string, path: string, body?: unknown, token = o.token) => v1(method, `${s.url}/v1${path}`, token, body);
  const domain = `${unique("corp")}.test`;
  await s.verifyDomain(o.org.id, domain);
  const mk = async (local: string) => (await call("POST", `${s.scim}/Users`, o.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `${local}@${domain}`, emails: [{ value: `${local}@${domain}`, primary: true }] })).body.id as string;
  const owner = await mk("owner");
  const account = (await api("POST", "/Accounts", { friendly_name: "Billing", owner_sid: owner })).body.sid as string;
  const email = `${unique("kim")}@contractor.example`;
  const inv = await api("POST", `/Accounts/${account}/Invitations`, { email, roles: ["developer"] });
  const mails = await s.running.store.outbox.list({ orgId: o.org.id, status: "pending", limit: 20 });
  const token = /oiv_[A-Za-z0-9_-]{43}/.exec(mails.find((m) => m.to === email)?.text ?? "")?.[0];
  expect((await v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token })).status).toBe(200);
  return { o, api, mk, owner, account, contractor: inv.body.user_sid as string, email };
}

describe("independent users over /v1", () => {
  it("shows an independent user and their account roles to the organization's admins; SCIM still answers 404", async () => {
    const { o, api, account, contractor, email } = await setup();
    const u = conforms(UserBody, await api("GET", `/Users/${contractor}`));
    expect(u).toMatchObject({ sid: contractor, status: "independent", email, org_role: null, direct_org_role: null });
    const acc = conforms(UserAccountList, await api("GET", `/Users/${contractor}/Accounts`));
    expect(acc.accounts.map((a) => [a.account.sid, a.roles, a.owner])).toEqual([[account, ["developer"], false]]);
    expect((await call("GET", `${s.scim}/Users/${contractor}`, o.token)).status).toBe(404);
  });

  it("refuses a Standard User (403) and answers another organization's admin exactly as for an id that exists nowhere", async () => {
    const { o, mk, contractor } = await setup();
    const std = await mk("std");
    const stdToken = (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["admin"], userId: std })).plaintext;
    expect((await v1("GET", `${s.url}/v1/Users/${contractor}`, stdToken)).status).toBe(403);
    expect((await v1("GET", `${s.url}/v1/Users/${contractor}/Accounts`, stdToken)).status).toBe(403);
    const other = await s.newOrg();
    const nowhere = `US${"0".repeat(32)}`;
    for (const path of ["", "/Accounts"]) {
      const theirs = await v1("GET", `${s.url}/v1/Users/${contractor}${path}`, other.token);
      const none = await v1("GET", `${s.url}/v1/Users/${nowhere}${path}`, other.token);
      expect([theirs.status, theirs.text.replace(contractor, "<sid>")]).toEqual([none.status, none.text.replace(nowhere, "<sid>")]);
      expect(theirs.status).toBe(404);
    }
  });

  it("lists the owner among an account's users and the owned account among the owner's accounts, with or without a role", async () => {
    const { api, owner, account, contractor } = await setup();
    const users = conforms(AccountUserList, await api("GET", `/Accounts/${account}/Users`));
    expect(users.users.map((u) => [u.user_sid, u.roles, u.owner]).sort()).toEqual([[contractor, ["developer"], false], [owner, [], true]].sort());
    const mine = conforms(UserAccountList, await api("GET", `/Users/${owner}/Accounts`));
    expect(mine.accounts.map((a) => [a.account.sid, a.roles, a.owner])).toEqual([[account, [], true]]);
    // Role narrows to the accounts where the role is held: owning grants no role.
    expect(conforms(UserAccountList, await api("GET", `/Users/${owner}/Accounts?Role=developer`)).accounts).toEqual([]);
  });
});
