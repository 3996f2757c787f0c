/**
 * The fixtures of the authorization matrix: an organization holding one person of each kind the
 * policy tells apart, the accounts, groups, invitations, domains and tokens they act on, and the
 * tokens the matrix's principals use. Built in-process through the domain's own use cases, as the
 * operator (fast: no HTTP), on the real store of a real server.
 */
import { createStream } from "../../../src/domain/events";
import { accountRoleGroupId, assignmentSid } from "../../../src/domain/account-roles";
import { createAccount, grantRole } from "../../../src/domain/accounts";
import { operatorActor, type Actor } from "../../../src/domain/actor";
import { systemClock } from "../../../src/domain/clock";
import { addDomain } from "../../../src/domain/domains";
import { createGroup } from "../../../src/domain/groups";
import { acceptInvitation, inviteToAccount, inviteToOrganization } from "../../../src/domain/invitations";
import { createClient } from "../../../src/domain/oauth";
import { createOrganization } from "../../../src/domain/orgs";
import type { Store } from "../../../src/domain/ports/store";
import { createToken, issueToken, parseToken } from "../../../src/domain/tokens";
import { allOrgRoleGroupIds } from "../../../src/domain/role-groups";
import { ACCOUNT_ROLES, type Organization, type OrgRole, type Scope } from "../../../src/domain/types";
import { updateUserSettings } from "../../../src/domain/user-admin";
import { createUser, modifyUser } from "../../../src/domain/users";

export const PRINCIPALS = [
  "owner", "administrator", "standard", "accountAdmin", "standardScim", "administratorScim", "idp", "serviceOwner", "serviceAdmin", "serviceDemoted",
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** What the matrix expects of each principal: the policy columns it must pass, and who it is. */
export const PRINCIPAL_SPECS: Record<PrincipalName, { level: OrgRole; admin: boolean; user: UserKey | null; what: string }> = {
  owner: { level: "owner", admin: true, user: "owner", what: "the Owner's token (scim, admin)" },
  administrator: { level: "administrator", admin: true, user: "admin", what: "an Administrator's token (scim, admin)" },
  standard: { level: "standard", admin: true, user: "std", what: "a Standard User's token (scim, admin)" },
  accountAdmin: { level: "standard", admin: true, user: "accAdmin", what: "an account Administrator's token (a Standard User; scim, admin)" },
  standardScim: { level: "standard", admin: false, user: "std", what: "a Standard User's token (scim only)" },
  administratorScim: { level: "administrator", admin: false, user: "admin", what: "an Administrator's token (scim only)" },
  idp: { level: "owner", admin: false, user: null, what: "an identity provider's token (no user, scim only, made by the operator)" },
  serviceOwner: { level: "owner", admin: true, user: null, what: "a service token made by the operator (no user; scim, admin), like the bootstrap token" },
  serviceAdmin: { level: "administrator", admin: true, user: null, what: "a service token an Administrator made (no user; scim, admin)" },
  serviceDemoted: { level: "standard", admin: true, user: null, what: "a service token made by an Administrator since demoted to Standard User" },
};

export type UserKey = "owner" | "admin" | "std" | "accAdmin" | "maker" | "std2" | "admin2" | "neutral" | "std2Off" | "admin2Off";

export interface Token { plaintext: string; id: string }

export interface World {
  store: Store;
  org: Organization;
  op: Actor;
  users: Record<UserKey, string>;
  accounts: { adm: string; mem: string; other: string };
  groups: { plain: string; boundAdmin: string; boundAcc: { adm: string; mem: string; other: string } };
  /** Pending invitations: to the organization, and to each account. */
  invitations: { org: string; adm: string; mem: string; other: string };
  /** Support held by std2 on each account (their assignment sids). */
  assignments: { adm: string; mem: string; other: string };
  /** Each principal user's own assignment sid. */
  ownAssignment: Partial<Record<UserKey, string>>;
  domain: { id: string; name: string };
  principals: Record<PrincipalName, Token>;
  /** Tokens to revoke, by what they can do. */
  tokens: { std2: Token; admin2: Token; ownerService: Token };
}

/** The other organization: its resources must be indistinguishable from nothing. */
export interface Elsewhere {
  org: Organization;
  user: string;
  /** An independent user of the other organization (a contractor with a role on its account): /v1 reads members, these too. */
  independent: string;
  group: string;
  account: string;
  invitation: string;
  assignment: string;
  token: string;
  /** An OAuth client (docs/oauth.md). */
  client: string;
  /** An event stream (poll) of the other organization. */
  stream: string;
  domain: string;
  /** The id of its user's membership of its group (a GroupMember). */
  membership: string;
}

let seq = 0;
export const uniq = (p: string): string => `${p}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 7)}`;

export async function userIn(store: Store, op: Actor, role: OrgRole | "standard" = "standard", over: Record<string, unknown> = {}): Promise<string> {
  const userName = `${uniq("u")}@acme.test`;
  const { user } = await createUser({ store, clock: systemClock }, op, {
    data: { userName, name: { givenName: "G", familyName: "F" }, emails: [{ value: userName, type: "work", primary: true }], active: true, ...over },
    ...(role === "owner" ? {} : { orgRole: role }),
  });
  if (role === "owner") await updateUserSettings({ store, clock: systemClock }, op, user.id, { orgRole: "owner" });
  return user.id;
}

const tok = (t: { plaintext: string }): Token => ({ plaintext: t.plaintext, id: parseToken(t.plaintext)!.id });

export async function buildWorld(store: Store): Promise<World> {
  const deps = { store, clock: systemClock };
  const org = await createOrganization(store, systemClock, { name: uniq("Matrix"), settings: { domainEnforcement: false } });
  const op = operatorActor(org, "matrix fixtures");
  const u = {} as Record<UserKey, string>;
  u.owner = await userIn(store, op, "owner");
  u.admin = await userIn(store, op, "administrator");
  u.std = await userIn(store, op);
  u.accAdmin = await userIn(store, op);
  u.maker = await userIn(store, op, "administrator");
  u.std2 = await userIn(store, op);
  u.admin2 = await userIn(store, op, "administrator");
  u.neutral = await userIn(store, op);
  u.std2Off = await userIn(store, op, "standard", { externalId: uniq("ext") });
  u.admin2Off = await userIn(store, op, "administrator", { externalId: uniq("ext") });
  for (const id of [u.std2Off, u.admin2Off]) await modifyUser(deps, op, id, undefined, (c) => ({ data: { ...c.data, active: false } }));

  const acct = async (owner: string) => (await createAccount(deps, op, { name: uniq("Acct"), ownerId: owner })).id;
  const accounts = { adm: await acct(u.neutral), mem: await acct(u.std), other: await acct(u.neutral) };
  await grantRole(deps, op, { accountId: accounts.adm, userId: u.accAdmin, role: "administrator" });
  await grantRole(deps, op, { accountId: accounts.mem, userId: u.accAdmin, role: "support" });
  const ownAssignment: Partial<Record<UserKey, string>> = { accAdmin: assignmentSid(accountRoleGroupId(accounts.adm, "administrator"), u.accAdmin) };
  for (const who of ["owner", "admin", "std"] as const) {
    await grantRole(deps, op, { accountId: accounts.mem, userId: u[who], role: "developer" });
    ownAssignment[who] = assignmentSid(accountRoleGroupId(accounts.mem, "developer"), u[who]);
  }
  const assignments = { adm: "", mem: "", other: "" };
  for (const k of ["adm", "mem", "other"] as const) {
    assignments[k] = (await grantRole(deps, op, { accountId: accounts[k], userId: u.std2, role: "support" })).sid;
  }

  const group = async (binding: Parameters<typeof createGroup>[2]["binding"], members: string[] = []) =>
    (await createGroup(deps, op, { data: { displayName: uniq("Group") }, binding: binding ?? null, members })).id;
  const groups = {
    plain: await group(null, [u.neutral]),
    boundAdmin: await group({ kind: "orgRole", role: "administrator" }, [u.admin2]),
    boundAcc: {
      adm: await group({ kind: "accountRole", accountId: accounts.adm, role: "developer" }, [u.std2]),
      mem: await group({ kind: "accountRole", accountId: accounts.mem, role: "developer" }, [u.std2]),
      other: await group({ kind: "accountRole", accountId: accounts.other, role: "developer" }, [u.std2]),
    },
  };

  const invitations = {
    org: (await inviteToOrganization(deps, op, { email: `${uniq("inv")}@acme.test`, orgRole: "standard" })).invitation.id,
    adm: "", mem: "", other: "",
  };
  for (const k of ["adm", "mem", "other"] as const) {
    const out = await inviteToAccount(deps, op, accounts[k], { email: `${uniq("inv")}@elsewhere.test`, roles: ["support"] });
    if (out.outcome !== "invited") throw new Error("fixture: expected an invitation");
    invitations[k] = out.invitation.id;
  }
  const domainName = `${uniq("acme")}.org`;
  const domain = { id: (await addDomain(deps, op, domainName)).id, name: domainName };

  const issue = async (scopes: Scope[], userId: string | null = null) =>
    tok(await issueToken(store, systemClock, { orgId: org.id, name: uniq("t"), scopes, userId }));
  const actorOf = (t: Token, scopes: Scope[], userId: string | null): Actor => ({ org, tokenId: t.id, scopes, userId });
  const both: Scope[] = ["scim", "admin"];
  const adminToken = await issue(both, u.admin);
  const makerToken = await issue(both, u.maker);
  const principals: Record<PrincipalName, Token> = {
    owner: await issue(both, u.owner),
    administrator: adminToken,
    standard: await issue(both, u.std),
    accountAdmin: await issue(both, u.accAdmin),
    standardScim: await issue(["scim"], u.std),
    administratorScim: await issue(["scim"], u.admin),
    idp: await issue(["scim"]),
    serviceOwner: await issue(both),
    serviceAdmin: tok(await createToken(deps, actorOf(adminToken, both, u.admin), { name: uniq("svc"), scopes: both, userId: null })),
    serviceDemoted: tok(await createToken(deps, actorOf(makerToken, both, u.maker), { name: uniq("svc"), scopes: both, userId: null })),
  };
  await updateUserSettings(deps, op, u.maker, { orgRole: "standard" });
  const tokens = { std2: await issue(both, u.std2), admin2: await issue(both, u.admin2), ownerService: await issue(["admin"]) };
  return { store, org, op, users: u, accounts, groups, invitations, assignments, ownAssignment, domain, principals, tokens };
}

export async function buildElsewhere(store: Store): Promise<Elsewhere> {
  const deps = { store, clock: systemClock };
  const org = await createOrganization(store, systemClock, { name: uniq("Elsewhere"), settings: { domainEnforcement: false } });
  const op = operatorActor(org, "matrix fixtures");
  const user = await userIn(store, op);
  const account = (await createAccount(deps, op, { name: uniq("B"), ownerId: user })).id;
  const assignment = (await grantRole(deps, op, { accountId: account, userId: user, role: "developer" })).sid;
  const group = (await createGroup(deps, op, { data: { displayName: uniq("B") }, members: [user] })).id;
  const invitation = (await inviteToOrganization(deps, op, { email: `${uniq("b")}@b.test`, orgRole: "standard" })).invitation.id;
  const token = tok(await issueToken(store, systemClock, { orgId: org.id, name: "b", scopes: ["scim", "admin"] })).id;
  const domain = (await addDomain(deps, op, `${uniq("b")}.org`)).id;
  const membership = (await store.groups.findMembership(org.id, group, user))!.id;
  const client = (await createClient(deps, op, { name: "b", scopes: ["scim"], userId: null })).client.id;
  const stream = (await createStream(deps, op, { name: "b", delivery: "poll" })).stream.id;
  const contractor = await inviteToAccount(deps, op, account, { email: `${uniq("c")}@contractor.test`, roles: ["developer"] });
  if (contractor.outcome !== "invited") throw new Error("the other organization's contractor was not invited");
  const plaintext = /oiv_[A-Za-z0-9_-]{43}/.exec(contractor.mail.text ?? "")?.[0] ?? "";
  const independent = (await acceptInvitation(deps, plaintext)).user.id;
  return { org, user, independent, group, account, invitation, assignment, token, client, domain, membership, stream };
}

/**
 * Everything of an organization that a request could change (not its audit log), as one
 * comparable text: every record, with members of every group. For small organizations.
 */
export async function digest(store: Store, orgId: string): Promise<string> {
  const groups = await store.groups.list(orgId, { startIndex: 1, count: 10_000 });
  return digestOf(store, orgId, groups.items.map((g) => g.id), null);
}

/**
 * The same for the matrix's shared organization, which grows as allowed cases add fresh targets:
 * its fixtures in full, and how many records of each kind it holds (a refused create would add one).
 */
export async function digestWorld(w: World): Promise<string> {
  const groups = [
    ...Object.values(w.groups).flatMap((g) => (typeof g === "string" ? [g] : Object.values(g))),
    ...allOrgRoleGroupIds(w.org.id),
    ...Object.values(w.accounts).flatMap((a) => ACCOUNT_ROLES.map((r) => accountRoleGroupId(a, r))),
  ];
  return digestOf(w.store, w.org.id, groups, new Set([...Object.values(w.users), ...Object.values(w.accounts), ...Object.values(w.invitations)]));
}

async function digestOf(store: Store, orgId: string, groupIds: string[], only: Set<string> | null): Promise<string> {
  const org = await store.orgs.get(orgId);
  const fixtureGroups = [];
  for (const id of groupIds) {
    const g = await store.groups.get(orgId, id);
    fixtureGroups.push(g ? [g.id, g.version, g.displayName, g.binding, (await store.groups.listMembers(orgId, id, 10_000)).map((m) => m.id).sort()] : [id, null]);
  }
  const limit = only ? 1 : 100_000;
  const users = await store.users.listByStatus(orgId, { offset: 0, limit });
  const groups = await store.groups.list(orgId, { startIndex: 1, count: 1 });
  const accounts = await store.accounts.list(orgId, { offset: 0, limit });
  const invitations = await store.invitations.list(orgId, { offset: 0, limit, now: new Date().toISOString() });
  const pick = async <T>(ids: string[], get: (id: string) => Promise<T | null>) => Promise.all(ids.map(get));
  const ids = [...(only ?? [])];
  const fixtureUsers = only ? await pick(ids.filter((i) => i.startsWith("US")), (id) => store.users.get(orgId, id, { includeIndependent: true })) : users.items;
  const fixtureAccounts = only ? await pick(ids.filter((i) => i.startsWith("AC")), (id) => store.accounts.get(orgId, id)) : accounts.items;
  const fixtureInvitations = only ? await pick(ids.filter((i) => i.startsWith("IV")), (id) => store.invitations.get(orgId, id)) : invitations.items;
  const tokens = await store.tokens.list(orgId);
  const domains = await store.domains.list(orgId);
  return JSON.stringify({
    settings: org?.settings,
    counts: [users.total, groups.total, accounts.total, tokens.length, invitations.total, domains.length],
    users: fixtureUsers.map((x) => x && [x.id, x.version, x.active, x.status, x.orgRole, x.passwordResetRequired, x.displayName]),
    groups: fixtureGroups,
    accounts: fixtureAccounts.map((a) => a && [a.id, a.name, a.ownerId, a.status]),
    tokens: tokens.map((t) => [t.id, t.revoked]),
    invitations: fixtureInvitations.map((i) => i && [i.id, i.tokenHash, i.revokedAt, i.expires]),
    domains: domains.map((d) => [d.id, d.state]),
  });
}
