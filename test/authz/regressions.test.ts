/**
 * Issue 13, the authorization findings, each as it was found: tried from outside over real HTTP
 * with the tokens orgscim hands out. Every test here answered 2xx before the policy
 * (src/domain/policy); each now expects the refusal (403, nothing changed, one audit event
 * naming the real actor) or, where the seed allows it, the change.
 */
import { writeFileSync } from "node:fs";
import { cli } from "../../src/cli/main";
import { accountRoleGroupId } from "../../src/domain/account-roles";
import { orgRoleGroupId } from "../../src/domain/role-groups";
import { parseToken } from "../../src/domain/tokens";
import { call, ORG_EXT, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { captured, newOrg, tempStores } from "../cli/seed";
import { patchOp, people, unique, type People } from "./people";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const tokenSid = (plaintext: string) => parseToken(plaintext)!.id;

/** Runs `attempt` and expects one refusal: 403, exactly one new audit event with outcome refused, by `actor`. */
async function refusedOnce(p: People, attempt: () => Promise<Reply>, actor?: string): Promise<Reply> {
  const before = (await p.refusals()).length;
  const r = await attempt();
  expect(r.status).toBe(403);
  const after = await p.refusals();
  expect(after.length).toBe(before + 1);
  if (actor) expect(after[0]!.actor).toBe(actor);
  return r;
}

const role = async (p: People, id: string) => (await p.user(id)).body[ORG_EXT].orgRole as string;

describe("a Standard User's token", () => {
  it.each([["admin"], ["scim"]] as const)("cannot make itself Administrator with PATCH /Users/{own id} orgRole (%s scope)", async (scope) => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, [scope]);
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Users/${p.std}`, token, patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: "administrator" })),
      `${tokenSid(token)}/${p.std}`);
    expect(await role(p, p.std)).toBe("standard");
  });

  it("cannot join the Administrator group, nor become Owner through ownership transfer", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim", "admin"]);
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Groups/${orgRoleGroupId(p.orgId, "administrator")}`, token, patchOp({ op: "add", path: "members", value: [{ value: p.std }] })));
    await refusedOnce(p, () => v1("POST", `${s.url}/v1/Users/${p.std}`, token, { org_role: "owner" }));
    expect(await role(p, p.std)).toBe("standard");
  });

  it("cannot deactivate an Administrator (whose tokens keep working)", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim"]);
    const adminToken = await p.tokenFor(p.admin);
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Users/${p.admin}`, token, patchOp({ op: "replace", path: "active", value: false })));
    expect((await p.user(p.admin)).body.active).toBe(true);
    expect((await v1("GET", `${s.url}/v1/Organization`, adminToken)).status).toBe(200);
  });

  it("cannot delete a user", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim"]);
    const victim = await p.mkUser("victim");
    await refusedOnce(p, () => call("DELETE", `${s.scim}/Users/${victim}`, token));
    expect((await p.user(victim)).status).toBe(200);
  });

  it("cannot rewrite the Owner's primary email", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim"]);
    const before = (await p.user(p.owner)).body.emails;
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Users/${p.owner}`, token,
      patchOp({ op: "replace", path: "emails", value: [{ value: "attacker@evil.test", type: "work", primary: true }] })));
    expect((await p.user(p.owner)).body.emails).toEqual(before);
  });

  it("cannot create a group orgscim:account:<AC>:administrator with itself as member, on SCIM or through /Bulk", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim"]);
    const body = { schemas: [GROUP], displayName: `orgscim:account:${p.otherAccount}:administrator`, members: [{ value: p.std }] };
    await refusedOnce(p, () => call("POST", `${s.scim}/Groups`, token, body));
    const bulk = await call("POST", `${s.scim}/Bulk`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [{ method: "POST", path: "/Groups", bulkId: "g", data: body }],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations[0].status).toBe("403");
    const roles = await v1("GET", `${s.url}/v1/Users/${p.std}/Accounts`, p.operator);
    expect(roles.body.accounts.map((a: { account: { sid: string } }) => a.account.sid)).not.toContain(p.otherAccount);
    const groups = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`displayName eq "${body.displayName}"`)}`, p.operator);
    expect(groups.body.totalResults).toBe(0);
  });
});

describe("an Administrator", () => {
  it("cannot mint a token acting for the Owner, or for anyone but themselves", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.admin);
    for (const user of [p.owner, p.std]) {
      await refusedOnce(p, () => v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "x", scopes: ["admin"], user_sid: user }), `${tokenSid(token)}/${p.admin}`);
    }
    expect((await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "mine", scopes: ["admin"], user_sid: p.admin })).status).toBe(201);
  });

  it("mints service tokens no stronger than themselves: they transfer no ownership and remove no Owner", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.admin);
    const minted = await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "svc", scopes: ["scim", "admin"] });
    expect(minted.status).toBe(201);
    const svc = minted.body.token as string;
    await refusedOnce(p, () => v1("POST", `${s.url}/v1/Users/${p.admin}`, svc, { org_role: "owner" }), tokenSid(svc));
    await refusedOnce(p, () => v1("POST", `${s.url}/v1/Users/${p.owner}/Remove`, svc, { acknowledge: true, new_owner_sid: p.admin }));
    await refusedOnce(p, () => call("DELETE", `${s.scim}/Users/${p.owner}`, svc));
    expect(await role(p, p.owner)).toBe("owner");
    expect(await role(p, p.admin)).toBe("administrator");
  });
});

describe("service tokens are capped by whoever made them", () => {
  it("lets an Owner-made admin token, and the operator's, transfer ownership", async () => {
    const p = await people(s);
    const ownerToken = await p.tokenFor(p.owner);
    const svc = (await v1("POST", `${s.url}/v1/Tokens`, ownerToken, { friendly_name: "owner-svc", scopes: ["admin"] })).body.token as string;
    expect((await v1("POST", `${s.url}/v1/Users/${p.admin}`, svc, { org_role: "owner" })).status).toBe(200);
    expect(await role(p, p.admin)).toBe("owner");
    expect((await v1("POST", `${s.url}/v1/Users/${p.owner}`, p.operator, { org_role: "owner" })).status).toBe(200);
    expect(await role(p, p.owner)).toBe("owner");
  });

  it("lets a new organization's bootstrap token appoint its first Owner", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const u = (await call("POST", `${s.scim}/Users`, o.token, userBody(`${unique("first")}@acme.test`))).body.id as string;
    expect((await v1("POST", `${s.url}/v1/Users/${u}`, o.token, { org_role: "owner" })).status).toBe(200);
  });

  it("gives an Administrator's token the rights the Administrator has now: demoted, a Standard User's; removed, none", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.admin);
    const svc = (await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "svc", scopes: ["scim", "admin"] })).body.token as string;
    expect((await call("GET", `${s.scim}/Users`, svc)).status).toBe(200);
    expect((await v1("POST", `${s.url}/v1/Users/${p.admin}`, p.operator, { org_role: "standard" })).status).toBe(200);
    await refusedOnce(p, () => call("GET", `${s.scim}/Users`, svc));
    await refusedOnce(p, () => call("POST", `${s.scim}/Users`, svc, userBody(`${unique("late")}@acme.test`)));
    expect((await v1("POST", `${s.url}/v1/Users/${p.admin}/Remove`, p.operator, { acknowledge: true })).status).toBe(200);
    expect((await call("GET", `${s.scim}/Users`, svc)).status).toBe(401);
  });
});

describe("two doors, one answer: an identity provider's token and org roles", () => {
  it("may not demote an Administrator through PATCH /Users orgRole, as through PATCH /Groups", async () => {
    const p = await people(s);
    const idp = await p.serviceToken(["scim"]);
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Groups/${orgRoleGroupId(p.orgId, "administrator")}`, idp, patchOp({ op: "remove", path: `members[value eq "${p.admin}"]` })));
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Users/${p.admin}`, idp, patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: "standard" })));
    const current = (await p.user(p.admin)).body;
    await refusedOnce(p, () => call("PUT", `${s.scim}/Users/${p.admin}`, idp, { ...current, [ORG_EXT]: { orgRole: "standard" } }));
    expect(await role(p, p.admin)).toBe("administrator");
  });

  it("may not grant Administrator on either path, nor by binding or deleting a group", async () => {
    const p = await people(s);
    const idp = await p.serviceToken(["scim"]);
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Users/${p.std}`, idp, patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: "administrator" })));
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Groups/${orgRoleGroupId(p.orgId, "administrator")}`, idp, patchOp({ op: "add", path: "members", value: [{ value: p.std }] })));
    const bound = (await call("POST", `${s.scim}/Groups`, p.operator, { schemas: [GROUP], displayName: unique("Admins"), "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { orgRole: "administrator" }, members: [{ value: p.admin }] })).body.id as string;
    await refusedOnce(p, () => call("DELETE", `${s.scim}/Groups/${bound}`, idp));
    expect((await call("GET", `${s.scim}/Groups/${bound}`, p.operator)).status).toBe(200);
    expect(await role(p, p.std)).toBe("standard");
  });

  it("runs HR deprovisioning on Administrators (deactivate, delete) but never touches the Owner", async () => {
    const p = await people(s);
    const idp = await p.serviceToken(["scim"]);
    expect((await call("PATCH", `${s.scim}/Users/${p.admin}`, idp, patchOp({ op: "replace", path: "active", value: false }))).status).toBe(204);
    expect((await call("DELETE", `${s.scim}/Users/${p.admin}`, idp)).status).toBe(204);
    await refusedOnce(p, () => call("PATCH", `${s.scim}/Users/${p.owner}`, idp, patchOp({ op: "replace", path: "displayName", value: "Pwned" })));
    await refusedOnce(p, () => call("DELETE", `${s.scim}/Users/${p.owner}`, idp));
    expect((await p.user(p.owner)).body.active).toBe(true);
  });

  it("grants and revokes account roles through account-role groups", async () => {
    const p = await people(s);
    const idp = await p.serviceToken(["scim"]);
    const dev = accountRoleGroupId(p.otherAccount, "developer");
    expect((await call("PATCH", `${s.scim}/Groups/${dev}`, idp, patchOp({ op: "add", path: "members", value: [{ value: p.std }] }))).status).toBe(204);
    expect((await call("PATCH", `${s.scim}/Groups/${dev}`, idp, patchOp({ op: "remove", path: `members[value eq "${p.std}"]` }))).status).toBe(204);
  });
});

describe("account Administrators and Standard Users", () => {
  it("an account Administrator manages the account's roles but cannot make themselves its owner or close it", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.accAdmin);
    expect((await v1("POST", `${s.url}/v1/RoleAssignments`, token, { account_sid: p.account, user_sid: p.std, role: "support" })).status).toBe(201);
    await refusedOnce(p, () => v1("POST", `${s.url}/v1/Accounts/${p.account}`, token, { owner_sid: p.accAdmin }));
    await refusedOnce(p, () => v1("DELETE", `${s.url}/v1/Accounts/${p.account}`, token));
    const a = (await v1("GET", `${s.url}/v1/Accounts/${p.account}`, p.operator)).body;
    expect(a).toMatchObject({ owner_sid: p.std, status: "active" });
  });

  it("a Standard User creates accounts owned by themselves only", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std);
    await refusedOnce(p, () => v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Theirs", owner_sid: p.admin }));
    const mine = await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Mine" });
    expect(mine.status).toBe(201);
    expect(mine.body.owner_sid).toBe(p.std);
  });

  it("a Standard User reads their own user and accounts, and no other user, account or role assignment", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim", "admin"]);
    expect((await call("GET", `${s.scim}/Users/${p.std}`, token)).status).toBe(200);
    expect((await v1("GET", `${s.url}/v1/Users/${p.std}`, token)).status).toBe(200);
    expect((await v1("GET", `${s.url}/v1/Users/${p.std}/Accounts`, token)).status).toBe(200);
    expect((await v1("GET", `${s.url}/v1/Accounts/${p.account}`, token)).status).toBe(200);
    for (const attempt of [
      () => call("GET", `${s.scim}/Users/${p.admin}`, token),
      () => call("GET", `${s.scim}/Users`, token),
      () => call("POST", `${s.scim}/Users/.search`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] }),
      () => call("GET", `${s.scim}/Groups`, token),
      () => v1("GET", `${s.url}/v1/Users/${p.owner}`, token),
      () => v1("GET", `${s.url}/v1/Users/${p.owner}/Accounts`, token),
      () => v1("GET", `${s.url}/v1/Accounts`, token),
      () => v1("GET", `${s.url}/v1/Accounts/${p.otherAccount}`, token),
      () => v1("GET", `${s.url}/v1/Accounts/${p.otherAccount}/Users`, token),
      () => v1("GET", `${s.url}/v1/RoleAssignments?UserSid=${p.accAdmin}`, token),
      () => v1("GET", `${s.url}/v1/RoleAssignments?AccountSid=${p.account}`, token),
    ]) await refusedOnce(p, attempt);
  });
});

describe("authorization comes first", () => {
  it("answers 403, not 400, to whoever may not read a paged list and sends a page token or cursor it never got", async () => {
    const p = await people(s);
    const token = await p.tokenFor(p.std, ["scim", "admin"]);
    const garbage = "not-a-token-this-server-issued";
    for (const list of ["AuditEvents", "Accounts", "Invitations", "Users", "Domains"]) {
      await refusedOnce(p, () => v1("GET", `${s.url}/v1/${list}?PageToken=${garbage}`, token), `${tokenSid(token)}/${p.std}`);
    }
    await refusedOnce(p, () => call("GET", `${s.scim}/Users?cursor=${garbage}`, token));
    await refusedOnce(p, () => call("POST", `${s.scim}/Groups/.search`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], cursor: garbage }));
    // Who may read the list still learns the token is not one: 400 naming it.
    const admin = await p.tokenFor(p.admin);
    const bad = await v1("GET", `${s.url}/v1/AuditEvents?PageToken=${garbage}`, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/PageToken/);
  });
});

describe("the audit log names the operator for what the CLI does", () => {
  it("records tokens create and revoke, orgs settings and import-csv, each by operator:cli <command>", async () => {
    const t = tempStores();
    const store = t.open("cli.db");
    const org = await newOrg(store, "Acme", { domainEnforcement: false });
    process.env.DATABASE_URL = `sqlite:${t.path("cli.db")}`;
    try {
      const file = t.path("users.csv");
      writeFileSync(file, "userName,givenName,familyName,email\nada@acme.test,Ada,L,ada@acme.test\n");
      expect((await captured(() => cli(["import-csv", "--org", org.id, file]))).result).toBe(0);
      const ada = (await store.users.findByUserName(org.id, "ada@acme.test"))!.id;
      const made = await captured(() => cli(["tokens", "create", "--org", org.id, "--user", ada, "--scopes", "admin", "--quiet"]));
      expect(made.result).toBe(0);
      const tokenId = parseToken(made.out.trim())!.id;
      expect((await captured(() => cli(["tokens", "revoke", tokenId, "--org", org.id]))).result).toBe(0);
      expect((await captured(() => cli(["orgs", "settings", org.id, "--deprovision", "delete"]))).result).toBe(0);
      const events = (await store.audit.list(org.id, { limit: 100 })).filter((e) => e.action !== "organization.create").reverse()
        .map((e) => [e.action, e.actor, e.targetId]);
      expect(events).toEqual([
        ["user.create", "operator:cli import-csv", ada],
        ["token.create", "operator:cli tokens create", tokenId],
        ["token.revoke", "operator:cli tokens revoke", tokenId],
        ["organization.settings.update", "operator:cli orgs settings", org.id],
      ]);
    } finally {
      delete process.env.DATABASE_URL;
      await t.close();
    }
  });
});
