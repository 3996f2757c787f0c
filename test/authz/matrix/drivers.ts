/**
 * How the matrix drives each door of the policy table over HTTP: for an action, a door and a kind
 * of target, the request a principal sends, on which fixture, and how to tell that the change was
 * made. A driver's door must be a door of the table (test/authz/matrix.test.ts checks it, and that
 * every SCIM, /Bulk and /v1 door of the table has a driver); /Bulk drivers are made from the SCIM
 * ones, the same request as one bulk operation.
 */
import { accountRoleGroupId, assignmentSid } from "../../../src/domain/account-roles";
import { closeAccount, createAccount, grantRole } from "../../../src/domain/accounts";
import { systemClock } from "../../../src/domain/clock";
import { challengeOf } from "../../../src/domain/domain-rules";
import { addDomain } from "../../../src/domain/domains";
import { createGroup } from "../../../src/domain/groups";
import { inviteToAccount, inviteToOrganization } from "../../../src/domain/invitations";
import type { Door, TargetKind } from "../../../src/domain/policy/kinds";
import { GROUP_MEMBER } from "../../../src/domain/resource-names";
import { orgRoleGroupId } from "../../../src/domain/role-groups";
import { issueToken, parseToken } from "../../../src/domain/tokens";
import { createStream } from "../../../src/domain/events";
import { createClient } from "../../../src/domain/oauth";
import { modifyUser } from "../../../src/domain/users";
import type { TestDnsServer } from "../../helpers/dns-server";
import { call } from "../../helpers/server";
import { PRINCIPAL_SPECS, uniq, userIn, type Elsewhere, type PrincipalName, type World } from "./world";

export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
export const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

export interface Ctx {
  w: World;
  e: Elsewhere;
  p: PrincipalName;
  url: string;
  dns: TestDnsServer;
  /** True when the case expects the change to be made: build fresh fixtures. */
  fresh: boolean;
}

export interface Req { api: "scim" | "v1"; method: string; path: string; body?: unknown }
export interface Built { req: Req; check?: () => Promise<void> }

export interface Driver {
  action: string;
  door: Door;
  kinds: readonly TargetKind[];
  write: boolean;
  /** Other checks the same request makes, each with its kind of target (the case expects all allowed). */
  also?: readonly { action: string; kind: TargetKind | "same" }[];
  /** An allowed write needs a fresh organization for these kinds ("all": always); else a fresh target in the shared one. */
  freshWorld?: readonly TargetKind[] | "all";
  /** The request on another organization's resource: it must answer 404 (when the door lets the token in). */
  otherOrg?: (c: Ctx) => Req;
  /** Around the case (setup before, teardown after): e.g. the deprovision setting a door depends on. */
  around?: { before(c: Ctx): Promise<void>; after(c: Ctx): Promise<void> };
  build(c: Ctx, kind: TargetKind): Promise<Built | null>;
}

const deps = (c: Ctx) => ({ store: c.w.store, clock: systemClock });
const spec = (c: Ctx) => PRINCIPAL_SPECS[c.p];
const me = (c: Ctx): string | null => (spec(c).user ? c.w.users[spec(c).user!] : null);
const fail = (what: string): never => { throw new Error(`change not made: ${what}`); };
const scimReq = (method: string, path: string, body?: unknown): Req => ({ api: "scim", method, path, ...(body === undefined ? {} : { body }) });
const v1Req = (method: string, path: string, body?: unknown): Req => ({ api: "v1", method, path, ...(body === undefined ? {} : { body }) });
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });
const door = (api: Door["api"], method: Door["method"], path: string, when?: string): Door => ({ api, method, path, ...(when ? { when } : {}) });
const GM = GROUP_MEMBER.endpoint;
/** A POST of a GroupMember: `userId` joins `groupId`. */
const membershipReq = (groupId: string, userId: string): Req => scimReq("POST", GM, { schemas: [GROUP_MEMBER.schema], group: { value: groupId }, member: { value: userId } });
/** The id of `userId`'s membership of `groupId` (null: none). */
const membershipOf = async (c: Ctx, groupId: string, userId: string): Promise<string | null> => (await c.w.store.groups.findMembership(c.w.org.id, groupId, userId))?.id ?? null;

// ---------- targets ----------

const U_KINDS: readonly TargetKind[] = ["self", "standard", "administrator", "owner"];
const A_KINDS: readonly TargetKind[] = ["administered", "member", "other"];

/** A user of `kind` for this principal: fresh when the case changes it. */
async function userOf(c: Ctx, kind: TargetKind, opts: { deactivated?: boolean } = {}): Promise<string | null> {
  const op = c.w.op;
  switch (kind) {
    case "self": return me(c);
    case "owner": return spec(c).user === "owner" ? null : c.w.users.owner;
    case "standard":
    case "administrator": {
      const role = kind === "standard" ? "standard" : "administrator";
      if (opts.deactivated) {
        if (!c.fresh) return kind === "standard" ? c.w.users.std2Off : c.w.users.admin2Off;
        const id = await userIn(c.w.store, op, role, { externalId: uniq("ext") });
        await modifyUser(deps(c), op, id, undefined, (u) => ({ data: { ...u.data, active: false } }));
        return id;
      }
      if (!c.fresh) return kind === "standard" ? c.w.users.std2 : c.w.users.admin2;
      return userIn(c.w.store, op, role);
    }
    default: return null;
  }
}

/** An account that stands to this principal as `kind`. */
async function accountOf(c: Ctx, kind: TargetKind): Promise<string | null> {
  const user = spec(c).user;
  const mk = async (owner: string) => (await createAccount(deps(c), c.w.op, { name: uniq("Acct"), ownerId: owner })).id;
  switch (kind) {
    case "administered":
      if (user !== "accAdmin") return null;
      if (!c.fresh) return c.w.accounts.adm;
      {
        const a = await mk(c.w.users.neutral);
        await grantRole(deps(c), c.w.op, { accountId: a, userId: c.w.users.accAdmin, role: "administrator" });
        await grantRole(deps(c), c.w.op, { accountId: a, userId: c.w.users.std2, role: "support" });
        return a;
      }
    case "member":
      if (!user || !["owner", "admin", "std", "accAdmin"].includes(user)) return null;
      if (!c.fresh) return c.w.accounts.mem;
      {
        const a = await mk(c.w.users.neutral);
        await grantRole(deps(c), c.w.op, { accountId: a, userId: c.w.users[user], role: "developer" });
        await grantRole(deps(c), c.w.op, { accountId: a, userId: c.w.users.std2, role: "support" });
        return a;
      }
    case "other":
      if (!c.fresh) return c.w.accounts.other;
      {
        const a = await mk(c.w.users.neutral);
        await grantRole(deps(c), c.w.op, { accountId: a, userId: c.w.users.std2, role: "support" });
        return a;
      }
    default: return null;
  }
}

const accountKey = (kind: TargetKind): "adm" | "mem" | "other" => (kind === "administered" ? "adm" : kind === "member" ? "mem" : "other");

async function invitationOf(c: Ctx, kind: TargetKind): Promise<string | null> {
  if (kind === "orgInvitation") {
    if (!c.fresh) return c.w.invitations.org;
    return (await inviteToOrganization(deps(c), c.w.op, { email: `${uniq("inv")}@acme.test`, orgRole: "standard" })).invitation.id;
  }
  const account = await accountOf(c, kind);
  if (!account) return null;
  if (!c.fresh) return c.w.invitations[accountKey(kind)];
  const out = await inviteToAccount(deps(c), c.w.op, account, { email: `${uniq("inv")}@elsewhere.test`, roles: ["support"] });
  return out.outcome === "invited" ? out.invitation.id : null;
}

async function groupOf(c: Ctx, members: string[] = [c.w.users.neutral]): Promise<string> {
  if (!c.fresh) return c.w.groups.plain;
  return (await createGroup(deps(c), c.w.op, { data: { displayName: uniq("Group") }, members })).id;
}

/** A group bound to Administrator whose member holds Administrator through it. */
async function boundAdminGroup(c: Ctx): Promise<{ group: string; member: string }> {
  if (!c.fresh) return { group: c.w.groups.boundAdmin, member: c.w.users.admin2 };
  const member = await userIn(c.w.store, c.w.op);
  return { group: (await createGroup(deps(c), c.w.op, { data: { displayName: uniq("Admins") }, binding: { kind: "orgRole", role: "administrator" }, members: [member] })).id, member };
}

async function boundAccGroup(c: Ctx, kind: TargetKind): Promise<string | null> {
  const account = await accountOf(c, kind);
  if (!account) return null;
  if (!c.fresh) return c.w.groups.boundAcc[accountKey(kind)];
  return (await createGroup(deps(c), c.w.op, { data: { displayName: uniq("Devs") }, binding: { kind: "accountRole", accountId: account, role: "developer" }, members: [c.w.users.std2] })).id;
}

// ---------- checks of the change ----------

const user = (c: Ctx, id: string) => c.w.store.users.get(c.w.org.id, id);
const effectiveRole = async (c: Ctx, id: string): Promise<string> => {
  const u = await user(c, id);
  const groups = await c.w.store.groups.groupsOfUser(c.w.org.id, id);
  if (u?.orgRole === "owner") return "owner";
  return u?.orgRole === "administrator" || groups.some((g) => g.binding?.kind === "orgRole" && g.binding.role === "administrator") ? "administrator" : "standard";
};
const expectRole = (c: Ctx, id: string, role: string) => async () => { if ((await effectiveRole(c, id)) !== role) fail(`${id} is not ${role}`); };
const memberOf = async (c: Ctx, group: string, id: string) => (await c.w.store.groups.groupsOfUser(c.w.org.id, id)).some((g) => g.id === group);

/** The SCIM representation a PUT sends back, with `over` applied. */
async function fullUser(c: Ctx, id: string, over: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call("GET", `${c.url}/scim/v2/Users/${id}`, c.w.principals.serviceOwner.plaintext);
  const { meta: _m, groups: _g, id: _i, ...rest } = r.body as Record<string, unknown>;
  const ext = { ...(rest[ORG_EXT] as Record<string, unknown>) };
  delete ext.status;
  const u = await user(c, id);
  ext.orgRole = u?.orgRole ?? "standard"; // the direct role: a PUT that changes nothing changes no role
  return { ...rest, [ORG_EXT]: ext, ...over };
}
const withRole = (role: string) => ({ [ORG_EXT]: { orgRole: role } });
const newUserBody = (over: Record<string, unknown> = {}) => {
  const userName = `${uniq("new")}@acme.test`;
  return { schemas: [USER], userName, emails: [{ value: userName, type: "work", primary: true }], name: { givenName: "N", familyName: "U" }, ...over };
};

// ---------- the drivers ----------

export function drivers(): Driver[] {
  const d: Driver[] = [];
  const add = (x: Driver) => d.push(x);

  // ----- users -----
  add({
    action: "user.read", door: door("scim", "GET", "/Users/:id"), kinds: U_KINDS, write: false,
    otherOrg: (c) => scimReq("GET", `/Users/${c.e.user}`),
    build: async (c, k) => { const id = await userOf(c, k); return id ? { req: scimReq("GET", `/Users/${id}`) } : null; },
  });
  add({
    action: "user.read", door: door("v1", "GET", "/Users/:sid"), kinds: U_KINDS, write: false,
    // /v1 reads independent users too (SCIM never does): the other organization's contractor must be nothing here.
    otherOrg: (c) => v1Req("GET", `/Users/${c.e.independent}`),
    build: async (c, k) => { const id = await userOf(c, k); return id ? { req: v1Req("GET", `/Users/${id}`) } : null; },
  });
  const list = (action: string, dr: Door, req: Req) => add({ action, door: dr, kinds: ["organization"], write: false, build: async () => ({ req }) });
  list("user.list", door("scim", "GET", "/Users"), scimReq("GET", "/Users?count=5"));
  list("user.list", door("scim", "POST", "/Users/.search"), scimReq("POST", "/Users/.search", { schemas: [SEARCH], count: 5 }));
  add({ action: "user.list", door: door("scim", "POST", "/.search", "its users"), kinds: ["organization"], write: false, also: [{ action: "group.list", kind: "organization" }],
    build: async () => ({ req: scimReq("POST", "/.search", { schemas: [SEARCH], count: 5 }) }) });
  list("user.list", door("v1", "GET", "/Users"), v1Req("GET", "/Users?PageSize=5"));
  add({
    action: "user.create", door: door("scim", "POST", "/Users"), kinds: ["organization"], write: true,
    build: async (c) => {
      const body = newUserBody();
      return { req: scimReq("POST", "/Users", body), check: async () => { if (!(await c.w.store.users.findByUserName(c.w.org.id, body.userName))) fail("no user"); } };
    },
  });
  const profileCheck = (c: Ctx, id: string, name: string) => async () => { if ((await user(c, id))?.displayName !== name) fail("displayName"); };
  add({
    action: "user.update", door: door("scim", "PATCH", "/Users/:id", "any attribute but active and orgRole, or no change at all"), kinds: U_KINDS, write: true, freshWorld: [],
    otherOrg: (c) => scimReq("PATCH", `/Users/${c.e.user}`, patch({ op: "replace", path: "displayName", value: "X" })),
    build: async (c, k) => {
      const id = await userOf(c, k);
      const name = uniq("Name");
      return id ? { req: scimReq("PATCH", `/Users/${id}`, patch({ op: "replace", path: "displayName", value: name })), check: profileCheck(c, id, name) } : null;
    },
  });
  add({
    action: "user.update", door: door("scim", "PUT", "/Users/:id", "any attribute but active and orgRole, or no change at all"), kinds: U_KINDS, write: true, freshWorld: [],
    otherOrg: (c) => scimReq("PUT", `/Users/${c.e.user}`, newUserBody()),
    build: async (c, k) => {
      const id = await userOf(c, k);
      const name = uniq("Name");
      return id ? { req: scimReq("PUT", `/Users/${id}`, await fullUser(c, id, { displayName: name })), check: profileCheck(c, id, name) } : null;
    },
  });
  add({
    action: "user.update", door: door("v1", "POST", "/Users/:sid", "display_name, given_name, family_name, two_factor_required"), kinds: U_KINDS, write: true, freshWorld: [],
    otherOrg: (c) => v1Req("POST", `/Users/${c.e.user}`, { display_name: "X" }),
    build: async (c, k) => {
      const id = await userOf(c, k);
      const name = uniq("Name");
      return id ? { req: v1Req("POST", `/Users/${id}`, { display_name: name }), check: profileCheck(c, id, name) } : null;
    },
  });
  for (const [action, active, when] of [["user.deactivate", false, "active true → false"], ["user.reactivate", true, "active false → true"]] as const) {
    const kinds: readonly TargetKind[] = active ? ["standard", "administrator"] : U_KINDS;
    const check = (c: Ctx, id: string) => async () => { if ((await user(c, id))?.active !== active) fail(`active ${active}`); };
    add({
      action, door: door("scim", "PATCH", "/Users/:id", when), kinds, write: true,
      otherOrg: (c) => scimReq("PATCH", `/Users/${c.e.user}`, patch({ op: "replace", path: "active", value: active })),
      build: async (c, k) => {
        const id = await userOf(c, k, { deactivated: active });
        return id ? { req: scimReq("PATCH", `/Users/${id}`, patch({ op: "replace", path: "active", value: active })), check: check(c, id) } : null;
      },
    });
    add({
      action, door: door("scim", "PUT", "/Users/:id", when), kinds, write: true,
      build: async (c, k) => {
        const id = await userOf(c, k, { deactivated: active });
        return id ? { req: scimReq("PUT", `/Users/${id}`, await fullUser(c, id, { active })), check: check(c, id) } : null;
      },
    });
  }
  add({
    action: "user.reactivate", door: door("scim", "POST", "/Users", "the externalId of a deactivated user"), kinds: ["standard", "administrator"], write: true,
    also: [{ action: "user.create", kind: "organization" }],
    build: async (c, k) => {
      const id = await userOf(c, k, { deactivated: true });
      if (!id) return null;
      const u = (await user(c, id))!;
      return { req: scimReq("POST", "/Users", newUserBody({ userName: u.userName, emails: u.emails, externalId: u.externalId })), check: async () => { if (!(await user(c, id))?.active) fail("revived"); } };
    },
  });
  for (const [action, mode] of [["user.remove", "remove"], ["user.delete", "delete"]] as const) {
    const gone = (c: Ctx, id: string) => async () => { if (await user(c, id)) fail("still a member"); };
    const setting = {
      before: async (c: Ctx) => { await c.w.store.orgs.update({ ...c.w.org, settings: { ...c.w.org.settings, deprovision: "delete" } }); },
      after: async (c: Ctx) => { await c.w.store.orgs.update(c.w.org); },
    };
    add({
      action, door: door("scim", "DELETE", "/Users/:id", `deprovision: ${mode}`), kinds: U_KINDS, write: true,
      ...(mode === "delete" ? { around: setting } : {}),
      otherOrg: (c) => scimReq("DELETE", `/Users/${c.e.user}`),
      build: async (c, k) => { const id = await userOf(c, k); return id ? { req: scimReq("DELETE", `/Users/${id}`), check: gone(c, id) } : null; },
    });
    add({
      action, door: door("v1", "POST", `/Users/:sid/${mode === "remove" ? "Remove" : "Delete"}`), kinds: U_KINDS, write: true,
      otherOrg: (c) => v1Req("POST", `/Users/${c.e.user}/${mode === "remove" ? "Remove" : "Delete"}`, { acknowledge: true }),
      build: async (c, k) => {
        const id = await userOf(c, k);
        return id ? { req: v1Req("POST", `/Users/${id}/${mode === "remove" ? "Remove" : "Delete"}`, { acknowledge: true }), check: gone(c, id) } : null;
      },
    });
  }
  add({
    action: "user.password_reset", door: door("v1", "POST", "/Users/:sid/PasswordReset"), kinds: U_KINDS, write: true, freshWorld: [],
    otherOrg: (c) => v1Req("POST", `/Users/${c.e.user}/PasswordReset`),
    build: async (c, k) => {
      const id = await userOf(c, k);
      return id ? { req: v1Req("POST", `/Users/${id}/PasswordReset`), check: async () => { if (!(await user(c, id))?.passwordResetRequired) fail("flag"); } } : null;
    },
  });
  add({
    action: "user.accounts.read", door: door("v1", "GET", "/Users/:sid/Accounts"), kinds: U_KINDS, write: false,
    otherOrg: (c) => v1Req("GET", `/Users/${c.e.independent}/Accounts`),
    build: async (c, k) => { const id = await userOf(c, k); return id ? { req: v1Req("GET", `/Users/${id}/Accounts`) } : null; },
  });
  add({
    action: "user.accounts.read", door: door("v1", "GET", "/RoleAssignments", "UserSid"), kinds: U_KINDS, write: false,
    build: async (c, k) => { const id = await userOf(c, k); return id ? { req: v1Req("GET", `/RoleAssignments?UserSid=${id}`) } : null; },
  });
  add({
    action: "user.accounts.read", door: door("v1", "GET", "/RoleAssignments/:sid", "an assignment of their own"), kinds: ["self"], write: false,
    build: async (c) => { const sid = spec(c).user ? c.w.ownAssignment[spec(c).user!] : undefined; return sid ? { req: v1Req("GET", `/RoleAssignments/${sid}`) } : null; },
  });

  // ----- org roles -----
  // The self of a grant holds Standard User; of a revocation, Administrator (directly).
  const selfIf = (c: Ctx, k: TargetKind, role: "standard" | "administrator"): boolean =>
    k !== "self" || (role === "administrator" ? spec(c).user === "admin" : ["std", "accAdmin"].includes(spec(c).user ?? ""));
  for (const [action, to, grantKinds] of [
    ["org_role.administrator.grant", "administrator", ["self", "standard"]],
    ["org_role.administrator.revoke", "standard", ["self", "administrator"]],
    ["org_role.owner.grant", "owner", ["self", "standard", "administrator"]],
  ] as const) {
    const when = action === "org_role.administrator.grant" ? "orgRole → administrator" : action === "org_role.administrator.revoke" ? "orgRole administrator → standard" : "orgRole → owner";
    // The self of a grant is a Standard User; of a revocation, an Administrator; of an Owner grant, anyone but the Owner.
    const usable = (c: Ctx, k: TargetKind) => action === "org_role.owner.grant" ? !(k === "self" && spec(c).user === "owner") : selfIf(c, k, action === "org_role.administrator.grant" ? "standard" : "administrator");
    const targetUser = async (c: Ctx, k: TargetKind) => (usable(c, k) ? userOf(c, k) : null);
    for (const method of ["PATCH", "PUT"] as const) {
      add({
        action, door: door("scim", method, "/Users/:id", when), kinds: grantKinds, write: true,
        ...(method === "PATCH" ? { otherOrg: (c: Ctx) => scimReq("PATCH", `/Users/${c.e.user}`, patch({ op: "replace", path: `${ORG_EXT}:orgRole`, value: to })) } : {}),
        build: async (c, k) => {
          const id = await targetUser(c, k);
          if (!id) return null;
          const body = method === "PATCH" ? patch({ op: "replace", path: `${ORG_EXT}:orgRole`, value: to }) : await fullUser(c, id, withRole(to));
          return { req: scimReq(method, `/Users/${id}`, body), check: expectRole(c, id, to) };
        },
      });
    }
    if (action !== "org_role.administrator.revoke") {
      add({
        action, door: door("scim", "POST", "/Users", action === "org_role.owner.grant" ? "orgRole owner" : "orgRole administrator"), kinds: ["standard"], write: true,
        also: [{ action: "user.create", kind: "organization" }],
        build: async (c) => {
          const body = newUserBody(withRole(to));
          return { req: scimReq("POST", "/Users", body), check: async () => { const u = await c.w.store.users.findByUserName(c.w.org.id, body.userName); if (u?.orgRole !== to) fail(to); } };
        },
      });
    }
    // The built-in org-role groups.
    const builtin = action === "org_role.administrator.revoke" ? "administrator" : to;
    const groupWhen = action === "org_role.administrator.grant"
      ? "add members to Administrator or to a group bound to it; bind a group to it"
      : action === "org_role.administrator.revoke"
        ? "remove members from Administrator or a group bound to it, add an Administrator to Standard User; unbind such a group"
        : "add members to Owner, or bind a group to Owner";
    add({
      action, door: door("scim", "PATCH", "/Groups/:id", groupWhen), kinds: grantKinds, write: true,
      also: [{ action: "group.members.update", kind: "group" }],
      build: async (c, k) => {
        const id = await targetUser(c, k);
        if (!id) return null;
        const gid = orgRoleGroupId(c.w.org.id, builtin as "administrator" | "owner");
        const op = action === "org_role.administrator.revoke" ? { op: "remove", path: `members[value eq "${id}"]` } : { op: "add", path: "members", value: [{ value: id }] };
        return { req: scimReq("PATCH", `/Groups/${gid}`, patch(op)), check: expectRole(c, id, to) };
      },
    });
    // The same through the GroupMember resource: a membership of the built-in group made, or ended.
    if (action === "org_role.administrator.revoke") {
      add({
        action, door: door("scim", "DELETE", `${GM}/:id`, "a membership of Administrator or of a group bound to it"), kinds: grantKinds, write: true,
        also: [{ action: "group.members.update", kind: "group" }],
        build: async (c, k) => {
          const id = await targetUser(c, k);
          const m = id ? await membershipOf(c, orgRoleGroupId(c.w.org.id, "administrator"), id) : null;
          return id && m ? { req: scimReq("DELETE", `${GM}/${m}`), check: expectRole(c, id, to) } : null;
        },
      });
    } else {
      add({
        action, door: door("scim", "POST", GM, action === "org_role.owner.grant" ? "a member of Owner" : "a member of Administrator or of a group bound to it"), kinds: grantKinds, write: true,
        also: [{ action: "group.members.update", kind: "group" }],
        build: async (c, k) => {
          const id = await targetUser(c, k);
          return id ? { req: membershipReq(orgRoleGroupId(c.w.org.id, builtin as "administrator" | "owner"), id), check: expectRole(c, id, to) } : null;
        },
      });
    }
    if (action === "org_role.administrator.revoke") {
      // Unbinding: a PUT that empties a group bound to Administrator; and deleting such a group.
      add({
        action, door: door("scim", "PUT", "/Groups/:id", groupWhen), kinds: ["administrator"], write: true,
        also: [{ action: "group.members.update", kind: "group" }],
        build: async (c) => {
          const { group, member } = await boundAdminGroup(c);
          const g = (await c.w.store.groups.get(c.w.org.id, group))!;
          return { req: scimReq("PUT", `/Groups/${group}`, { schemas: [GROUP], displayName: g.displayName, members: [] }), check: expectRole(c, member, "standard") };
        },
      });
      add({
        action, door: door("scim", "DELETE", "/Groups/:id", "a group bound to Administrator"), kinds: ["administrator"], write: true,
        also: [{ action: "group.delete", kind: "group" }],
        build: async (c) => {
          const { group, member } = await boundAdminGroup(c);
          return { req: scimReq("DELETE", `/Groups/${group}`), check: expectRole(c, member, "standard") };
        },
      });
    } else {
      // Binding: a new group bound to the role, with a member; and a PUT that binds an existing group.
      add({
        action, door: door("scim", "POST", "/Groups", groupWhen), kinds: ["standard"], write: true,
        also: [{ action: "group.create", kind: "organization" }],
        build: async (c, k) => {
          const id = await userOf(c, k);
          return id ? { req: scimReq("POST", "/Groups", { schemas: [GROUP], displayName: uniq("Bound"), [GROUP_EXT]: { orgRole: to }, members: [{ value: id }] }), check: expectRole(c, id, to) } : null;
        },
      });
      add({
        action, door: door("scim", "PUT", "/Groups/:id", groupWhen), kinds: ["standard"], write: true,
        build: async (c, k) => {
          const id = await userOf(c, k);
          if (!id) return null;
          const group = c.fresh ? await groupOf(c, [id]) : c.w.groups.plain;
          const g = (await c.w.store.groups.get(c.w.org.id, group))!;
          const members = (await c.w.store.groups.listMembers(c.w.org.id, group, 100)).map((m) => ({ value: m.id }));
          return { req: scimReq("PUT", `/Groups/${group}`, { schemas: [GROUP], displayName: g.displayName, [GROUP_EXT]: { orgRole: to }, members }), check: expectRole(c, c.fresh ? id : c.w.users.neutral, to) };
        },
      });
    }
    if (action !== "org_role.owner.grant") {
      add({
        action, door: door("v1", "POST", "/Users/:sid", action === "org_role.administrator.grant" ? "org_role administrator" : "org_role standard"), kinds: grantKinds, write: true,
        otherOrg: (c) => v1Req("POST", `/Users/${c.e.user}`, { org_role: to }),
        build: async (c, k) => { const id = await targetUser(c, k); return id ? { req: v1Req("POST", `/Users/${id}`, { org_role: to }), check: expectRole(c, id, to) } : null; },
      });
    }
  }
  add({
    action: "org_role.administrator.grant", door: door("v1", "POST", "/Invitations", "org_role administrator"), kinds: ["standard"], write: true,
    also: [{ action: "invitation.create", kind: "orgInvitation" }],
    build: async (c) => {
      const email = `${uniq("adm")}@acme.test`;
      return { req: v1Req("POST", "/Invitations", { email, org_role: "administrator" }), check: async () => { if (!(await c.w.store.users.findByUserName(c.w.org.id, email))) fail("invited"); } };
    },
  });
  add({
    action: "organization.owner.transfer", door: door("v1", "POST", "/Users/:sid", "org_role owner"), kinds: ["self", "standard", "administrator"], write: true, freshWorld: "all",
    otherOrg: (c) => v1Req("POST", `/Users/${c.e.user}`, { org_role: "owner" }),
    // The Owner transferring to themselves changes nothing (and is not a transfer): not a case.
    build: async (c, k) => {
      const id = k === "self" && spec(c).user === "owner" ? null : await userOf(c, k);
      return id ? { req: v1Req("POST", `/Users/${id}`, { org_role: "owner" }), check: expectRole(c, id, "owner") } : null;
    },
  });

  // ----- groups -----
  add({
    action: "group.read", door: door("scim", "GET", "/Groups/:id"), kinds: ["group"], write: false,
    otherOrg: (c) => scimReq("GET", `/Groups/${c.e.group}`),
    build: async (c) => ({ req: scimReq("GET", `/Groups/${c.w.groups.plain}`) }),
  });
  list("group.list", door("scim", "GET", "/Groups"), scimReq("GET", "/Groups?count=5"));
  list("group.list", door("scim", "POST", "/Groups/.search"), scimReq("POST", "/Groups/.search", { schemas: [SEARCH], count: 5 }));
  add({ action: "group.list", door: door("scim", "POST", "/.search", "its groups"), kinds: ["organization"], write: false, also: [{ action: "user.list", kind: "organization" }],
    build: async () => ({ req: scimReq("POST", "/.search", { schemas: [SEARCH], count: 5 }) }) });
  // /v1 reads of groups (the Admin Center's Groups page)
  list("group.list", door("v1", "GET", "/Groups"), v1Req("GET", "/Groups?PageSize=5"));
  add({
    action: "group.read", door: door("v1", "GET", "/Groups/:sid"), kinds: ["group"], write: false,
    otherOrg: (c) => v1Req("GET", `/Groups/${c.e.group}`),
    build: async (c) => ({ req: v1Req("GET", `/Groups/${c.w.groups.plain}`) }),
  });
  add({
    action: "group.read", door: door("v1", "GET", "/Groups/:sid/Members"), kinds: ["group"], write: false,
    otherOrg: (c) => v1Req("GET", `/Groups/${c.e.group}/Members`),
    build: async (c) => ({ req: v1Req("GET", `/Groups/${c.w.groups.plain}/Members?PageSize=5`) }),
  });
  add({
    action: "group.create", door: door("scim", "POST", "/Groups"), kinds: ["organization"], write: true,
    build: async (c) => {
      const name = uniq("New");
      return { req: scimReq("POST", "/Groups", { schemas: [GROUP], displayName: name }), check: async () => { if (!(await c.w.store.groups.findByDisplayName(c.w.org.id, name))) fail("group"); } };
    },
  });
  const renamed = (c: Ctx, id: string, name: string) => async () => { if ((await c.w.store.groups.get(c.w.org.id, id))?.displayName !== name) fail("rename"); };
  add({
    action: "group.update", door: door("scim", "PATCH", "/Groups/:id"), kinds: ["group"], write: true,
    otherOrg: (c) => scimReq("PATCH", `/Groups/${c.e.group}`, patch({ op: "replace", path: "displayName", value: "X" })),
    build: async (c) => { const g = await groupOf(c); const name = uniq("Renamed"); return { req: scimReq("PATCH", `/Groups/${g}`, patch({ op: "replace", path: "displayName", value: name })), check: renamed(c, g, name) }; },
  });
  add({
    action: "group.update", door: door("scim", "PUT", "/Groups/:id"), kinds: ["group"], write: true,
    otherOrg: (c) => scimReq("PUT", `/Groups/${c.e.group}`, { schemas: [GROUP], displayName: "X" }),
    build: async (c) => {
      const g = await groupOf(c);
      const name = uniq("Renamed");
      const members = (await c.w.store.groups.listMembers(c.w.org.id, g, 100)).map((m) => ({ value: m.id }));
      return { req: scimReq("PUT", `/Groups/${g}`, { schemas: [GROUP], displayName: name, members }), check: renamed(c, g, name) };
    },
  });
  const hasMember = (c: Ctx, g: () => Promise<string | null> | string | null, id: string) => async () => { const gid = await g(); if (!gid || !(await memberOf(c, gid, id))) fail("member"); };
  const membersWhen = "members of a group that grants nothing";
  add({
    action: "group.members.update", door: door("scim", "POST", "/Groups", membersWhen), kinds: ["group"], write: true,
    also: [{ action: "group.create", kind: "organization" }],
    build: async (c) => {
      const name = uniq("WithMembers");
      return { req: scimReq("POST", "/Groups", { schemas: [GROUP], displayName: name, members: [{ value: c.w.users.std2 }] }), check: hasMember(c, async () => (await c.w.store.groups.findByDisplayName(c.w.org.id, name))?.id ?? null, c.w.users.std2) };
    },
  });
  add({
    action: "group.members.update", door: door("scim", "PATCH", "/Groups/:id", membersWhen), kinds: ["group"], write: true,
    otherOrg: (c) => scimReq("PATCH", `/Groups/${c.e.group}`, patch({ op: "add", path: "members", value: [{ value: c.w.users.std2 }] })),
    build: async (c) => { const g = await groupOf(c); return { req: scimReq("PATCH", `/Groups/${g}`, patch({ op: "add", path: "members", value: [{ value: c.w.users.std2 }] })), check: hasMember(c, () => g, c.w.users.std2) }; },
  });
  add({
    action: "group.members.update", door: door("scim", "PUT", "/Groups/:id", membersWhen), kinds: ["group"], write: true,
    build: async (c) => {
      const g = await groupOf(c);
      const cur = (await c.w.store.groups.get(c.w.org.id, g))!;
      return { req: scimReq("PUT", `/Groups/${g}`, { schemas: [GROUP], displayName: cur.displayName, members: [{ value: c.w.users.std2 }] }), check: hasMember(c, () => g, c.w.users.std2) };
    },
  });
  // The GroupMember resource: reading and listing memberships, making and ending them.
  add({
    action: "group.read", door: door("scim", "GET", `${GM}/:id`, "one of its memberships"), kinds: ["group"], write: false,
    otherOrg: (c) => scimReq("GET", `${GM}/${c.e.membership}`),
    build: async (c) => { const m = await membershipOf(c, c.w.groups.plain, c.w.users.neutral); return m ? { req: scimReq("GET", `${GM}/${m}`) } : null; },
  });
  list("group.list", door("scim", "GET", GM, "their memberships"), scimReq("GET", `${GM}?count=5`));
  add({
    action: "group.members.update", door: door("scim", "POST", GM, "a member of a group that grants nothing"), kinds: ["group"], write: true,
    build: async (c) => { const g = await groupOf(c); return { req: membershipReq(g, c.w.users.std2), check: hasMember(c, () => g, c.w.users.std2) }; },
  });
  add({
    action: "group.members.update", door: door("scim", "DELETE", `${GM}/:id`, "a membership of a group that grants nothing"), kinds: ["group"], write: true,
    otherOrg: (c) => scimReq("DELETE", `${GM}/${c.e.membership}`),
    build: async (c) => {
      const g = await groupOf(c);
      const m = await membershipOf(c, g, c.w.users.neutral);
      return m ? { req: scimReq("DELETE", `${GM}/${m}`), check: async () => { if (await memberOf(c, g, c.w.users.neutral)) fail("still a member"); } } : null;
    },
  });
  add({
    action: "group.delete", door: door("scim", "DELETE", "/Groups/:id"), kinds: ["group"], write: true,
    otherOrg: (c) => scimReq("DELETE", `/Groups/${c.e.group}`),
    build: async (c) => { const g = await groupOf(c); return { req: scimReq("DELETE", `/Groups/${g}`), check: async () => { if (await c.w.store.groups.get(c.w.org.id, g)) fail("deleted"); } }; },
  });

  // ----- accounts -----
  add({
    action: "account.create", door: door("v1", "POST", "/Accounts"), kinds: U_KINDS, write: true, freshWorld: [],
    build: async (c, k) => {
      const owner = k === "self" ? me(c) : k === "owner" ? (spec(c).user === "owner" ? null : c.w.users.owner) : k === "standard" ? c.w.users.std2 : k === "administrator" ? c.w.users.admin2 : null;
      if (!owner) return null;
      const name = uniq("Created");
      return {
        req: v1Req("POST", "/Accounts", { friendly_name: name, owner_sid: owner }),
        check: async () => { if (!(await c.w.store.accounts.listOwnedBy(c.w.org.id, owner)).some((a) => a.name === name)) fail("account"); },
      };
    },
  });
  const acctRead = (action: string, dr: Door, path: (a: string) => string, other: (c: Ctx) => string) => add({
    action, door: dr, kinds: A_KINDS, write: false,
    otherOrg: (c) => v1Req("GET", path(other(c))),
    build: async (c, k) => { const a = await accountOf(c, k); return a ? { req: v1Req("GET", path(a)) } : null; },
  });
  acctRead("account.read", door("v1", "GET", "/Accounts/:sid"), (a) => `/Accounts/${a}`, (c) => c.e.account);
  acctRead("account.users.read", door("v1", "GET", "/Accounts/:sid/Users"), (a) => `/Accounts/${a}/Users`, (c) => c.e.account);
  acctRead("role_assignment.read", door("v1", "GET", "/RoleAssignments", "AccountSid"), (a) => `/RoleAssignments?AccountSid=${a}`, (c) => c.e.account);
  list("account.list", door("v1", "GET", "/Accounts"), v1Req("GET", "/Accounts?PageSize=5"));
  const account = (c: Ctx, id: string) => c.w.store.accounts.get(c.w.org.id, id);
  add({
    action: "account.update", door: door("v1", "POST", "/Accounts/:sid", "friendly_name"), kinds: A_KINDS, write: true,
    otherOrg: (c) => v1Req("POST", `/Accounts/${c.e.account}`, { friendly_name: "X" }),
    build: async (c, k) => {
      const a = await accountOf(c, k);
      const name = uniq("Renamed");
      return a ? { req: v1Req("POST", `/Accounts/${a}`, { friendly_name: name }), check: async () => { if ((await account(c, a))?.name !== name) fail("rename"); } } : null;
    },
  });
  add({
    action: "account.owner.change", door: door("v1", "POST", "/Accounts/:sid", "owner_sid"), kinds: A_KINDS, write: true,
    otherOrg: (c) => v1Req("POST", `/Accounts/${c.e.account}`, { owner_sid: c.w.users.std2 }),
    build: async (c, k) => {
      const a = await accountOf(c, k);
      return a ? { req: v1Req("POST", `/Accounts/${a}`, { owner_sid: c.w.users.admin2 }), check: async () => { if ((await account(c, a))?.ownerId !== c.w.users.admin2) fail("owner"); } } : null;
    },
  });
  add({
    action: "account.close", door: door("v1", "DELETE", "/Accounts/:sid"), kinds: A_KINDS, write: true,
    otherOrg: (c) => v1Req("DELETE", `/Accounts/${c.e.account}`),
    build: async (c, k) => {
      const a = await accountOf(c, k);
      return a ? { req: v1Req("DELETE", `/Accounts/${a}`), check: async () => { if ((await account(c, a))?.status !== "closed") fail("closed"); } } : null;
    },
  });
  add({
    // "other" first: the refused case the matrix re-runs without the policy is then one a closed
    // account can be built for (nobody administers or is a member of a closed account).
    action: "account.reopen", door: door("v1", "POST", "/Accounts/:sid/Reopen"), kinds: ["other", "administered", "member"], write: true,
    otherOrg: (c) => v1Req("POST", `/Accounts/${c.e.account}/Reopen`, {}),
    build: async (c, k) => {
      // Refused cases send it on the shared (open) accounts: the policy answers before the state.
      if (!c.fresh) { const a = await accountOf(c, k); return a ? { req: v1Req("POST", `/Accounts/${a}/Reopen`, {}) } : null; }
      // A closed account grants nothing until reopened: it is "other" to everyone, its owner too
      // (the actor owns it when it has a user: test/authz/closed-account.test.ts covers the rest).
      const owner = k === "other" ? me(c) ?? c.w.users.neutral : null;
      if (!owner) return null;
      const a = (await createAccount(deps(c), c.w.op, { name: uniq("Closed"), ownerId: owner })).id;
      await closeAccount(deps(c), c.w.op, a);
      return {
        req: v1Req("POST", `/Accounts/${a}/Reopen`, {}),
        check: async () => {
          if ((await account(c, a))?.status !== "active") fail("reopened");
          if (!(await c.w.store.groups.get(c.w.org.id, accountRoleGroupId(a, "administrator")))) fail("role groups made again");
        },
      };
    },
  });
  const holds = (c: Ctx, a: string, role: "billing_manager" | "support" | "developer", want: boolean) => async () => {
    if ((await memberOf(c, accountRoleGroupId(a, role), c.w.users.std2)) !== want) fail(`${role} ${want ? "granted" : "revoked"}`);
  };
  const grantWhen = "add members to an account-role group or a group bound to an account role; bind a group to one";
  const revokeWhen = "remove members from an account-role group or a group bound to an account role; unbind one";
  add({
    action: "role_assignment.create", door: door("v1", "POST", "/RoleAssignments"), kinds: A_KINDS, write: true,
    otherOrg: (c) => v1Req("POST", "/RoleAssignments", { account_sid: c.e.account, user_sid: c.w.users.std2, role: "billing_manager" }),
    build: async (c, k) => {
      const a = await accountOf(c, k);
      return a ? { req: v1Req("POST", "/RoleAssignments", { account_sid: a, user_sid: c.w.users.std2, role: "billing_manager" }), check: holds(c, a, "billing_manager", true) } : null;
    },
  });
  add({
    action: "role_assignment.create", door: door("v1", "POST", "/Accounts/:sid/Invitations", "a managed user gets the roles at once"), kinds: A_KINDS, write: true,
    also: [{ action: "invitation.create", kind: "same" }],
    build: async (c, k) => {
      const a = await accountOf(c, k);
      const std2 = (await user(c, c.w.users.std2))!;
      return a ? { req: v1Req("POST", `/Accounts/${a}/Invitations`, { email: std2.userName, roles: ["billing_manager"] }), check: holds(c, a, "billing_manager", true) } : null;
    },
  });
  add({
    action: "role_assignment.create", door: door("scim", "PATCH", "/Groups/:id", grantWhen), kinds: A_KINDS, write: true,
    build: async (c, k) => {
      const a = await accountOf(c, k);
      return a ? { req: scimReq("PATCH", `/Groups/${accountRoleGroupId(a, "billing_manager")}`, patch({ op: "add", path: "members", value: [{ value: c.w.users.std2 }] })), check: holds(c, a, "billing_manager", true) } : null;
    },
  });
  add({
    action: "role_assignment.create", door: door("scim", "POST", GM, "a member of an account-role group or of a group bound to an account role"), kinds: A_KINDS, write: true,
    build: async (c, k) => {
      const a = await accountOf(c, k);
      return a ? { req: membershipReq(accountRoleGroupId(a, "billing_manager"), c.w.users.std2), check: holds(c, a, "billing_manager", true) } : null;
    },
  });
  add({
    action: "role_assignment.create", door: door("scim", "PUT", "/Groups/:id", grantWhen), kinds: A_KINDS, write: true,
    also: [{ action: "role_assignment.delete", kind: "same" }],
    build: async (c, k) => {
      const a = await accountOf(c, k);
      if (!a) return null;
      const g = (await c.w.store.groups.get(c.w.org.id, accountRoleGroupId(a, "billing_manager")))!;
      return { req: scimReq("PUT", `/Groups/${g.id}`, { schemas: [GROUP], displayName: g.displayName, members: [{ value: c.w.users.std2 }] }), check: holds(c, a, "billing_manager", true) };
    },
  });
  add({
    action: "role_assignment.create", door: door("scim", "POST", "/Groups", grantWhen), kinds: A_KINDS, write: true,
    also: [{ action: "group.create", kind: "organization" }],
    build: async (c, k) => {
      const a = await accountOf(c, k);
      if (!a) return null;
      const name = uniq("Billing");
      return {
        req: scimReq("POST", "/Groups", { schemas: [GROUP], displayName: name, [GROUP_EXT]: { accountSid: a, accountRole: "billing_manager" }, members: [{ value: c.w.users.std2 }] }),
        check: async () => { const g = await c.w.store.groups.findByDisplayName(c.w.org.id, name); if (!g || !(await memberOf(c, g.id, c.w.users.std2))) fail("bound group"); },
      };
    },
  });
  add({
    action: "role_assignment.delete", door: door("v1", "DELETE", "/RoleAssignments/:sid"), kinds: A_KINDS, write: true,
    otherOrg: (c) => v1Req("DELETE", `/RoleAssignments/${c.e.assignment}`),
    build: async (c, k) => {
      const a = await accountOf(c, k);
      if (!a) return null;
      const sid = c.fresh ? assignmentSid(accountRoleGroupId(a, "support"), c.w.users.std2) : c.w.assignments[accountKey(k)];
      return { req: v1Req("DELETE", `/RoleAssignments/${sid}`), check: holds(c, a, "support", false) };
    },
  });
  add({
    action: "role_assignment.delete", door: door("scim", "PATCH", "/Groups/:id", revokeWhen), kinds: A_KINDS, write: true,
    build: async (c, k) => {
      const a = await accountOf(c, k);
      return a ? { req: scimReq("PATCH", `/Groups/${accountRoleGroupId(a, "support")}`, patch({ op: "remove", path: `members[value eq "${c.w.users.std2}"]` })), check: holds(c, a, "support", false) } : null;
    },
  });
  add({
    action: "role_assignment.delete", door: door("scim", "DELETE", `${GM}/:id`, "a membership of an account-role group or of a group bound to an account role"), kinds: A_KINDS, write: true,
    build: async (c, k) => {
      const a = await accountOf(c, k);
      const m = a ? await membershipOf(c, accountRoleGroupId(a, "support"), c.w.users.std2) : null;
      return a && m ? { req: scimReq("DELETE", `${GM}/${m}`), check: holds(c, a, "support", false) } : null;
    },
  });
  add({
    action: "role_assignment.delete", door: door("scim", "PUT", "/Groups/:id", revokeWhen), kinds: A_KINDS, write: true,
    also: [{ action: "role_assignment.create", kind: "same" }],
    build: async (c, k) => {
      const a = await accountOf(c, k);
      if (!a) return null;
      const g = (await c.w.store.groups.get(c.w.org.id, accountRoleGroupId(a, "support")))!;
      return { req: scimReq("PUT", `/Groups/${g.id}`, { schemas: [GROUP], displayName: g.displayName, members: [] }), check: holds(c, a, "support", false) };
    },
  });
  add({
    action: "role_assignment.delete", door: door("scim", "DELETE", "/Groups/:id", "a group bound to an account role"), kinds: A_KINDS, write: true,
    also: [{ action: "group.delete", kind: "group" }],
    build: async (c, k) => {
      const g = await boundAccGroup(c, k);
      return g ? { req: scimReq("DELETE", `/Groups/${g}`), check: async () => { if (await c.w.store.groups.get(c.w.org.id, g)) fail("deleted"); } } : null;
    },
  });
  add({
    action: "role_assignment.read", door: door("v1", "GET", "/RoleAssignments/:sid", "someone else's assignment"), kinds: A_KINDS, write: false,
    otherOrg: (c) => v1Req("GET", `/RoleAssignments/${c.e.assignment}`),
    build: async (c, k) => { const a = await accountOf(c, k); return a ? { req: v1Req("GET", `/RoleAssignments/${c.w.assignments[accountKey(k)]}`) } : null; },
  });

  // ----- invitations -----
  add({
    action: "invitation.create", door: door("v1", "POST", "/Invitations"), kinds: ["orgInvitation"], write: true,
    build: async (c) => {
      const email = `${uniq("inv")}@acme.test`;
      return { req: v1Req("POST", "/Invitations", { email, org_role: "standard" }), check: async () => { if (!(await c.w.store.users.findByUserName(c.w.org.id, email))) fail("invited"); } };
    },
  });
  add({
    action: "invitation.create", door: door("v1", "POST", "/Accounts/:sid/Invitations"), kinds: A_KINDS, write: true,
    also: [{ action: "role_assignment.create", kind: "same" }],
    otherOrg: (c) => v1Req("POST", `/Accounts/${c.e.account}/Invitations`, { email: `${uniq("x")}@x.test`, roles: ["support"] }),
    build: async (c, k) => {
      const a = await accountOf(c, k);
      const email = `${uniq("inv")}@elsewhere.test`;
      return a ? { req: v1Req("POST", `/Accounts/${a}/Invitations`, { email, roles: ["support"] }), check: async () => { if (!(await c.w.store.users.findByPrimaryEmail(c.w.org.id, email))) fail("invited"); } } : null;
    },
  });
  const INV_KINDS: readonly TargetKind[] = ["orgInvitation", ...A_KINDS];
  add({
    action: "invitation.read", door: door("v1", "GET", "/Invitations/:sid"), kinds: INV_KINDS, write: false,
    otherOrg: (c) => v1Req("GET", `/Invitations/${c.e.invitation}`),
    build: async (c, k) => { const i = await invitationOf(c, k); return i ? { req: v1Req("GET", `/Invitations/${i}`) } : null; },
  });
  list("invitation.list", door("v1", "GET", "/Invitations"), v1Req("GET", "/Invitations?PageSize=5"));
  const invitation = (c: Ctx, id: string) => c.w.store.invitations.get(c.w.org.id, id);
  add({
    action: "invitation.resend", door: door("v1", "POST", "/Invitations/:sid/Resend"), kinds: INV_KINDS, write: true,
    otherOrg: (c) => v1Req("POST", `/Invitations/${c.e.invitation}/Resend`),
    build: async (c, k) => {
      const i = await invitationOf(c, k);
      if (!i) return null;
      const before = (await invitation(c, i))!.tokenHash;
      return { req: v1Req("POST", `/Invitations/${i}/Resend`), check: async () => { if ((await invitation(c, i))?.tokenHash === before) fail("resent"); } };
    },
  });
  add({
    action: "invitation.revoke", door: door("v1", "DELETE", "/Invitations/:sid"), kinds: INV_KINDS, write: true,
    otherOrg: (c) => v1Req("DELETE", `/Invitations/${c.e.invitation}`),
    build: async (c, k) => {
      const i = await invitationOf(c, k);
      return i ? { req: v1Req("DELETE", `/Invitations/${i}`), check: async () => { if (!(await invitation(c, i))?.revokedAt) fail("revoked"); } } : null;
    },
  });

  // ----- the organization, domains, audit -----
  list("organization.read", door("v1", "GET", "/Organization"), v1Req("GET", "/Organization"));
  add({
    action: "organization.settings.update", door: door("v1", "POST", "/Organization"), kinds: ["organization"], write: true, freshWorld: "all",
    build: async (c) => ({ req: v1Req("POST", "/Organization", { deprovision: "delete" }), check: async () => { if ((await c.w.store.orgs.get(c.w.org.id))?.settings.deprovision !== "delete") fail("setting"); } }),
  });
  add({
    action: "domain.create", door: door("v1", "POST", "/Domains"), kinds: ["organization"], write: true,
    build: async (c) => {
      const name = `${uniq("new")}.org`;
      return { req: v1Req("POST", "/Domains", { domain_name: name }), check: async () => { if (!(await c.w.store.domains.list(c.w.org.id)).some((x) => x.name === name)) fail("domain"); } };
    },
  });
  list("domain.read", door("v1", "GET", "/Domains"), v1Req("GET", "/Domains"));
  add({
    action: "domain.read", door: door("v1", "GET", "/Domains/:sid"), kinds: ["organization"], write: false,
    otherOrg: (c) => v1Req("GET", `/Domains/${c.e.domain}`),
    build: async (c) => ({ req: v1Req("GET", `/Domains/${c.w.domain.id}`) }),
  });
  const domainOf = async (c: Ctx) => (c.fresh ? await addDomain(deps(c), c.w.op, `${uniq("d")}.org`) : (await c.w.store.domains.list(c.w.org.id)).find((x) => x.id === c.w.domain.id)!);
  const domainState = async (c: Ctx, id: string) => (await c.w.store.domains.list(c.w.org.id)).find((x) => x.id === id)?.state ?? "removed";
  add({
    action: "domain.verify", door: door("v1", "POST", "/Domains/:sid/Verify"), kinds: ["organization"], write: true,
    otherOrg: (c) => v1Req("POST", `/Domains/${c.e.domain}/Verify`),
    build: async (c) => {
      const dm = await domainOf(c);
      if (c.fresh) c.dns.setTxt(challengeOf(dm).name, challengeOf(dm).value);
      return { req: v1Req("POST", `/Domains/${dm.id}/Verify`), check: async () => { if ((await domainState(c, dm.id)) !== "verified") fail("verified"); } };
    },
  });
  add({
    action: "domain.remove", door: door("v1", "DELETE", "/Domains/:sid"), kinds: ["organization"], write: true,
    otherOrg: (c) => v1Req("DELETE", `/Domains/${c.e.domain}`),
    build: async (c) => {
      const dm = await domainOf(c);
      return { req: v1Req("DELETE", `/Domains/${dm.id}`), check: async () => { if ((await domainState(c, dm.id)) !== "removed") fail("removed"); } };
    },
  });
  list("audit.read", door("v1", "GET", "/AuditEvents"), v1Req("GET", "/AuditEvents?PageSize=5"));
  list("outbox.read", door("v1", "GET", "/Outbox"), v1Req("GET", "/Outbox?PageSize=5"));
  list("provisioning_errors.read", door("v1", "GET", "/ProvisioningErrors"), v1Req("GET", "/ProvisioningErrors?PageSize=5"));
  list("provisioning_errors.read", door("v1", "GET", "/ProvisioningErrors/Counts"), v1Req("GET", "/ProvisioningErrors/Counts"));
  list("viewer.read", door("v1", "GET", "/Me"), v1Req("GET", "/Me"));

  // ----- tokens -----
  add({
    action: "token.create", door: door("v1", "POST", "/Tokens"), kinds: ["newService", "newSelf", "newOtherUser"], write: true,
    build: async (c, k) => {
      const userSid = k === "newService" ? null : k === "newSelf" ? me(c) : c.w.users.std2;
      if (k === "newSelf" && !userSid) return null;
      const name = uniq("tok");
      return {
        req: v1Req("POST", "/Tokens", { friendly_name: name, scopes: ["scim"], ...(userSid ? { user_sid: userSid } : {}) }),
        check: async () => { if (!(await c.w.store.tokens.list(c.w.org.id)).some((t) => t.name === name)) fail("token"); },
      };
    },
  });
  list("token.list", door("v1", "GET", "/Tokens"), v1Req("GET", "/Tokens"));
  add({
    action: "token.read", door: door("v1", "GET", "/Tokens/:sid"), kinds: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], write: false,
    otherOrg: (c) => v1Req("GET", `/Tokens/${c.e.token}`),
    build: async (c, k) => {
      const id = k === "ownToken" ? c.w.principals[c.p].id
        : k === "tokenStandard" ? c.w.tokens.std2.id : k === "tokenAdministrator" ? c.w.tokens.admin2.id : c.w.tokens.ownerService.id;
      return { req: v1Req("GET", `/Tokens/${id}`) };
    },
  });
  add({
    action: "token.revoke", door: door("v1", "DELETE", "/Tokens/:sid"), kinds: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], write: true, freshWorld: ["ownToken"],
    otherOrg: (c) => v1Req("DELETE", `/Tokens/${c.e.token}`),
    build: async (c, k) => {
      const issue = async (userId: string | null, scopes: ("scim" | "admin")[]) =>
        parseToken((await issueToken(c.w.store, systemClock, { orgId: c.w.org.id, name: uniq("victim"), scopes, userId })).plaintext)!.id;
      const id = k === "ownToken" ? c.w.principals[c.p].id
        : k === "tokenStandard" ? (c.fresh ? await issue(c.w.users.std2, ["admin"]) : c.w.tokens.std2.id)
          : k === "tokenAdministrator" ? (c.fresh ? await issue(c.w.users.admin2, ["admin"]) : c.w.tokens.admin2.id)
            : (c.fresh ? await issue(null, ["admin"]) : c.w.tokens.ownerService.id);
      return { req: v1Req("DELETE", `/Tokens/${id}`), check: async () => { if (!(await c.w.store.tokens.get(id))?.revoked) fail("revoked"); } };
    },
  });

  add({
    action: "token.rotate", door: door("v1", "POST", "/Tokens/:sid/Rotate"), kinds: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], write: true, freshWorld: ["ownToken"],
    otherOrg: (c) => v1Req("POST", `/Tokens/${c.e.token}/Rotate`, {}),
    build: async (c, k) => {
      // Service tokens at each level: a token acting for someone else is rotated only by that user
      // or the operator (rotating makes a token: token.create's rule, test/security/token-rotation.test.ts).
      const issue = async (ceiling: "standard" | "administrator" | "owner") =>
        parseToken((await issueToken(c.w.store, systemClock, { orgId: c.w.org.id, name: uniq("rotated"), scopes: ["admin"], userId: null, ceiling })).plaintext)!.id;
      const id = k === "ownToken" ? c.w.principals[c.p].id
        : await issue(k === "tokenStandard" ? "standard" : k === "tokenAdministrator" ? "administrator" : "owner");
      return { req: v1Req("POST", `/Tokens/${id}/Rotate`, { overlap_seconds: 600 }), check: async () => { if (!(await c.w.store.tokens.get(id))?.expires) fail("old token given an expiry"); } };
    },
  });

  // ----- OAuth clients: made, listed and deleted under the rules of tokens -----
  add({
    action: "oauth_client.create", door: door("v1", "POST", "/OAuthClients"), kinds: ["newService", "newSelf", "newOtherUser"], write: true,
    build: async (c, k) => {
      const userSid = k === "newService" ? null : k === "newSelf" ? me(c) : c.w.users.std2;
      if (k === "newSelf" && !userSid) return null;
      const name = uniq("client");
      return {
        req: v1Req("POST", "/OAuthClients", { friendly_name: name, scopes: ["scim"], ...(userSid ? { user_sid: userSid } : {}) }),
        check: async () => { if (!(await c.w.store.tokens.list(c.w.org.id)).some((t) => t.name === name && t.kind === "client")) fail("client"); },
      };
    },
  });
  list("oauth_client.list", door("v1", "GET", "/OAuthClients"), v1Req("GET", "/OAuthClients"));
  add({
    action: "oauth_client.read", door: door("v1", "GET", "/OAuthClients/:sid"), kinds: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], write: false,
    otherOrg: (c) => v1Req("GET", `/OAuthClients/${c.e.client}`),
    build: async (c, k) => {
      // ownToken: a client acting for the principal's own user (a principal acting for no user has none).
      const userId = k === "ownToken" ? me(c) : k === "tokenStandard" ? c.w.users.std2 : k === "tokenAdministrator" ? c.w.users.admin2 : null;
      if (k === "ownToken" && !userId) return null;
      const id = (await createClient(deps(c), c.w.op, { name: uniq("read-client"), scopes: ["scim", "admin"], userId })).client.id;
      return { req: v1Req("GET", `/OAuthClients/${id}`) };
    },
  });
  add({
    action: "oauth_client.delete", door: door("v1", "DELETE", "/OAuthClients/:sid"), kinds: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], write: true,
    otherOrg: (c) => v1Req("DELETE", `/OAuthClients/${c.e.client}`),
    build: async (c, k) => {
      // ownToken: a client acting for the principal's own user (a principal acting for no user has none).
      const userId = k === "ownToken" ? me(c) : k === "tokenStandard" ? c.w.users.std2 : k === "tokenAdministrator" ? c.w.users.admin2 : null;
      if (k === "ownToken" && !userId) return null;
      const id = (await createClient(deps(c), c.w.op, { name: uniq("victim-client"), scopes: ["scim", "admin"], userId })).client.id;
      return { req: v1Req("DELETE", `/OAuthClients/${id}`), check: async () => { if (!(await c.w.store.tokens.get(id))?.revoked) fail("deleted"); } };
    },
  });

  // ----- SCIM event streams -----
  add({
    action: "event_stream.create", door: door("v1", "POST", "/EventStreams"), kinds: ["organization"], write: true,
    build: async (c) => {
      const name = uniq("stream");
      return {
        req: v1Req("POST", "/EventStreams", { friendly_name: name, delivery: "poll" }),
        check: async () => { if (!(await c.w.store.events!.listStreams(c.w.org.id)).some((x) => x.name === name && !x.deleted)) fail("stream"); },
      };
    },
  });
  list("event_stream.list", door("v1", "GET", "/EventStreams"), v1Req("GET", "/EventStreams"));
  const streamIn = async (c: Ctx) => (await createStream(deps(c), c.w.op, { name: uniq("s"), delivery: "poll" })).stream.id;
  add({
    action: "event_stream.read", door: door("v1", "GET", "/EventStreams/:sid"), kinds: ["organization"], write: false,
    otherOrg: (c) => v1Req("GET", `/EventStreams/${c.e.stream}`),
    build: async (c) => ({ req: v1Req("GET", `/EventStreams/${await streamIn(c)}`) }),
  });
  add({
    action: "event_stream.delete", door: door("v1", "DELETE", "/EventStreams/:sid"), kinds: ["organization"], write: true,
    otherOrg: (c) => v1Req("DELETE", `/EventStreams/${c.e.stream}`),
    build: async (c) => {
      const id = await streamIn(c);
      return { req: v1Req("DELETE", `/EventStreams/${id}`), check: async () => { if (!(await c.w.store.events!.getStream(id))?.deleted) fail("stream deleted"); } };
    },
  });

  // ----- discovery -----
  for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas", `/Schemas/${USER}`]) {
    const dpath = path.replace(/\/(User|urn:.*)$/, "/:id");
    list("scim.discovery", door("scim", "GET", dpath), scimReq("GET", path));
  }

  return [...d, ...bulkVariants(d)];
}

/** The /Bulk version of each SCIM write driver: the same request as one bulk operation. */
function bulkVariants(all: Driver[]): Driver[] {
  const paths = new Set(["/Users", "/Users/:id", "/Groups", "/Groups/:id", GM, `${GM}/:id`]);
  return all.filter((x) => x.door.api === "scim" && ["POST", "PUT", "PATCH", "DELETE"].includes(x.door.method) && paths.has(x.door.path))
    .map((x): Driver => ({
      ...x,
      door: { ...x.door, api: "bulk" as const },
      ...(x.otherOrg ? { otherOrg: (c: Ctx) => toBulk(x.otherOrg!(c)) } : {}),
      build: async (c: Ctx, k: TargetKind) => {
        const b = await x.build(c, k);
        return b ? { ...b, req: toBulk(b.req) } : null;
      },
    }));
}

export const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
function toBulk(r: Req): Req {
  const op: Record<string, unknown> = { method: r.method, path: r.path, ...(r.body === undefined ? {} : { data: r.body }) };
  if (r.method === "POST") op.bulkId = "one";
  return { api: "scim", method: "POST", path: "/Bulk", body: { schemas: [BULK_REQUEST], Operations: [op] } };
}
