/**
 * /v1/Invitations (to the organization), /v1/Accounts/:sid/Invitations (to an account), the
 * public /v1/Invitations/Accept, the member lists by status (GET /v1/Users?Status=&Search=) and
 * /v1/Users/:sid/PasswordReset. The rules are in src/domain/invitations.ts.
 */
import type { Request } from "express";
import { z } from "zod";
import {
  acceptInvitation, getInvitation, inviteToAccount, inviteToOrganization, kindOf, listInvitations, listMembers, requirePasswordReset,
  resendInvitation, revokeInvitation, stateOf,
} from "../../domain/invitations";
import { previewInvitation } from "../../domain/invitation-preview";
import type { OutboxMessage } from "../../domain/types";
import { ACCOUNT_ROLES, type AccountRole, type Invitation, type InvitationState, type UserRecord } from "../../domain/types";
import { actorOf } from "../auth";
import { jsonBody } from "../body";
import { addressBudget } from "../rate-limit";
import { PageMeta, pageMeta, readPage } from "./paging";
import { route } from "./route";
import type { V1Deps, V1Module } from "./module";
import { named } from "./schemas";
import { USER_STATUSES, userFields, userFieldsOf } from "./user-fields";

const Role = z.enum(ACCOUNT_ROLES as [AccountRole, ...AccountRole[]]);
const Email = z.string().trim().min(3).max(254);
const STATES = ["pending", "accepted", "revoked", "expired"] as const;

/** The state of an invitation's newest mail, from the outbox: queued (not sent yet), sent, failed (given up), cancelled (superseded). */
export const MailState = named("MailState", z.object({
  sid: z.string(),
  status: z.enum(["queued", "sent", "failed", "cancelled"]),
  attempts: z.number().int(),
  date_sent: z.string().nullable(),
  date_next_attempt: z.string().nullable().describe("When a queued mail is tried next"),
  last_error: z.string().nullable().describe("The mail server's last answer when a try failed"),
}));
export const InvitationBody = named("Invitation", z.object({
  sid: z.string(),
  email: z.string(),
  kind: z.enum(["organization", "account"]),
  status: z.enum(STATES),
  user_sid: z.string(),
  org_role: z.enum(["owner", "administrator", "standard"]).nullable(),
  account_sid: z.string().nullable(),
  roles: z.array(Role),
  new_user: z.boolean().describe("A user was created in this organization for this invitation (else an independent user of this organization was invited). Says nothing about other organizations."),
  date_created: z.string(),
  date_expires: z.string(),
  date_accepted: z.string().nullable(),
  date_revoked: z.string().nullable(),
  mail: MailState.nullable().describe("The newest invitation mail for it, from the outbox (null: none recorded)"),
}));
export const InvitationPage = named("InvitationList", z.object({ invitations: z.array(InvitationBody), meta: PageMeta }));
export const OrgInvitationCreate = named("InvitationCreate", z.object({ email: Email, org_role: z.enum(["administrator", "standard"]) }).strict());
export const AccountInvitationCreate = named("AccountInvitationCreate", z.object({ email: Email, roles: z.array(Role).min(1).max(ACCOUNT_ROLES.length) }).strict());
export const AccountInvitationResult = named("AccountInvitationResult", z.object({
  outcome: z.enum(["invited", "granted"]),
  user_sid: z.string(),
  account_sid: z.string(),
  roles: z.array(Role),
  /** Null when the user was already a managed user: the roles are granted at once, no mail is sent. */
  invitation: InvitationBody.nullable(),
}));
export const RevokeResult = named("InvitationRevokeResult", z.object({ invitation: InvitationBody, member: z.enum(["kept", "removed", "independent"]) }));
export const AcceptBody = named("InvitationAccept", z.object({ token: z.string().min(1).max(200) }).strict());
export const AcceptResult = named("InvitationAcceptResult", z.object({
  invitation_sid: z.string(),
  kind: z.enum(["organization", "account"]),
  organization_sid: z.string(),
  user_sid: z.string(),
  status: z.enum(USER_STATUSES),
  org_role: z.enum(["owner", "administrator", "standard"]).nullable(),
  account_sid: z.string().nullable(),
  roles: z.array(Role),
}));
export const PreviewResult = named("InvitationPreview", z.object({
  kind: z.enum(["organization", "account"]),
  organization: z.object({ sid: z.string(), friendly_name: z.string() }),
  account: z.object({ sid: z.string(), friendly_name: z.string() }).nullable().describe("Account invitations: the account accepting gives access to"),
  roles: z.array(Role).describe("Account invitations: the roles accepting grants"),
  org_role: z.enum(["owner", "administrator", "standard"]).nullable().describe("Organization invitations: the org role accepting gives"),
  email: z.string().describe("The invited address: accepting acts for it, whoever presses the button"),
  date_expires: z.string(),
  invited_by: z.object({ name: z.string(), email: z.string().nullable() }).nullable()
    .describe("Who sent (or last resent) it, when that was a person; null when the organization's service token or operator did"),
}));
export const MemberBody = named("Member", z.object({
  ...userFields,
  /** The direct org role; null for independent users, who hold none. */
  org_role: z.enum(["owner", "administrator", "standard"]).nullable(),
}));
export const MemberPage = named("MemberList", z.object({ users: z.array(MemberBody), meta: PageMeta }));
export const MemberQuery = z.object({
  Status: z.enum(USER_STATUSES).optional(),
  Search: z.string().trim().min(1).max(256).optional()
    .describe("Only users whose user_name or one of whose emails starts with this text, without regard to case"),
});
export const PasswordResetResult = named("PasswordResetResult", z.object({ user_sid: z.string(), password_reset_required: z.literal(true), mail_sid: z.string() }));

const sid = (req: Request) => String(req.params.sid);

const MAIL_STATUS = { pending: "queued", sent: "sent", failed: "failed", cancelled: "cancelled" } as const;

/** The invitation's newest mail, as the outbox has it now. */
async function mailOf(deps: V1Deps, i: Invitation): Promise<z.infer<typeof MailState> | null> {
  const m = (await deps.store.outbox.list({ orgId: i.orgId, ref: i.id, limit: 5 })).find((x) => x.kind === "invitation");
  if (!m) return null;
  return {
    sid: m.id, status: MAIL_STATUS[m.status], attempts: m.attempts, date_sent: m.sentAt,
    date_next_attempt: m.status === "pending" ? m.nextAttemptAt : null, last_error: m.lastError,
  };
}

async function toInvitationBody(deps: V1Deps, i: Invitation): Promise<z.infer<typeof InvitationBody>> {
  return {
    sid: i.id, email: i.email, kind: kindOf(i), status: stateOf(i, deps.clock.now()), user_sid: i.userId,
    org_role: kindOf(i) === "organization" ? (i.orgRole ?? null) : null, account_sid: i.accountId ?? null, roles: i.accountRoles ?? [],
    new_user: i.createdMember === true, date_created: i.created, date_expires: i.expires, date_accepted: i.acceptedAt, date_revoked: i.revokedAt,
    mail: await mailOf(deps, i),
  };
}

const toMemberBody = (u: UserRecord): z.infer<typeof MemberBody> => ({ ...userFieldsOf(u), org_role: u.status === "independent" ? null : u.orgRole });

/** Where the mail went: the outbox id, never the body (it holds the token). */
const logQueued = (req: Request, mail: OutboxMessage) => req.log?.info({ outbox: mail.id, kind: mail.kind }, "mail queued in the outbox");

/**
 * POST /v1/Invitations/Accept needs no bearer token (the invitee has only the emailed token):
 * v1Router mounts it before requireToken.
 */
export const invitationAcceptRoute: V1Module = (r, registry, deps) => {
  // One budget for both: a guess at a token costs the same whichever of the two it is sent to.
  const budget = addressBudget(deps.acceptPerMinute ?? 0);
  r.post("/Invitations/Preview", budget, jsonBody(deps.bodyLimit));
  route(r, registry, {
    method: "post", operationId: "getInvitationPreview", path: "/Invitations/Preview", tag: "Invitations", status: 200, body: AcceptBody, response: PreviewResult, public: true,
    summary: "What an invitation offers, with the token from its email (no bearer token; changes nothing): the accept page shows it. A token Accept would refuse gets Accept's answer",
  }, async (_req, { body }) => {
    const p = await previewInvitation(deps, body.token);
    return {
      kind: p.kind, organization: { sid: p.organization.sid, friendly_name: p.organization.name },
      account: p.account ? { sid: p.account.sid, friendly_name: p.account.name } : null,
      roles: p.roles, org_role: p.orgRole, email: p.email, date_expires: p.expires, invited_by: p.invitedBy,
    };
  });
  r.post("/Invitations/Accept", budget, jsonBody(deps.bodyLimit));
  route(r, registry, {
    method: "post", operationId: "acceptInvitation", path: "/Invitations/Accept", tag: "Invitations", status: 200, body: AcceptBody, response: AcceptResult, public: true,
    summary: "Accept an invitation with the token from its email (no bearer token: the token is the credential; it works once)",
  }, async (req, { body }) => {
    const { invitation, user, roles } = await acceptInvitation(deps, body.token);
    req.log?.info({ invitation: invitation.id, org: invitation.orgId }, "invitation accepted");
    return {
      invitation_sid: invitation.id, kind: kindOf(invitation), organization_sid: invitation.orgId, user_sid: user.id, status: user.status,
      org_role: user.status === "independent" ? null : user.orgRole, account_sid: invitation.accountId ?? null, roles,
    };
  });
};

export const invitationRoutes: V1Module = (r, registry, deps) => {
  const tag = "Invitations";
  route(r, registry, { method: "post", operationId: "createInvitation", path: "/Invitations", summary: "Invite an email to the organization (Owner/Administrator; a verified domain under domain enforcement)", tag, status: 201, body: OrgInvitationCreate, response: InvitationBody, location: (i) => `/Invitations/${i.sid}` },
    async (req, { body }) => {
      const out = await inviteToOrganization(deps, actorOf(req), { email: body.email, orgRole: body.org_role });
      logQueued(req, out.mail);
      return await toInvitationBody(deps, out.invitation);
    });
  route(r, registry, { method: "get", operationId: "listInvitations", path: "/Invitations", summary: "The organization's invitations, optionally by Status", tag, status: 200, response: InvitationPage, paged: true,
    query: z.object({ Status: z.enum(STATES).optional() }) },
  async (req) => {
    const page = readPage(req);
    const state = (req.query as Record<string, string | undefined>).Status as InvitationState | undefined;
    const { total, items } = await listInvitations(deps, actorOf(req), { offset: page.offset, limit: page.size, ...(state ? { state } : {}) });
    const at = page.page();
    return { invitations: await Promise.all(items.map((i) => toInvitationBody(deps, i))), meta: pageMeta(req, "invitations", at, items.length, at.offset + items.length < total) };
  });
  route(r, registry, { method: "get", operationId: "getInvitation", path: "/Invitations/:sid", summary: "Fetch an invitation", tag, status: 200, response: InvitationBody },
    async (req) => await toInvitationBody(deps, await getInvitation(deps, actorOf(req), sid(req))));
  route(r, registry, { method: "post", operationId: "resendInvitation", path: "/Invitations/:sid/Resend", summary: "Send the invitation again with a new token (the old one stops working) and a new expiry", tag, status: 200, response: InvitationBody },
    async (req) => {
      const out = await resendInvitation(deps, actorOf(req), sid(req));
      logQueued(req, out.mail);
      return await toInvitationBody(deps, out.invitation);
    });
  route(r, registry, { method: "delete", operationId: "revokeInvitation", path: "/Invitations/:sid", summary: "Revoke an invitation; a user created only for it is removed", tag, status: 200, response: RevokeResult },
    async (req) => {
      const out = await revokeInvitation(deps, actorOf(req), sid(req));
      return { invitation: await toInvitationBody(deps, out.invitation), member: out.member };
    });
  route(r, registry, { method: "post", operationId: "createAccountInvitation", path: "/Accounts/:sid/Invitations", summary: "Invite an email (any domain) to an account; a managed user gets the roles at once", tag, status: 201, body: AccountInvitationCreate, response: AccountInvitationResult,
    statusOf: (out) => (out.invitation ? 201 : 200), location: (out) => (out.invitation ? `/Invitations/${out.invitation.sid}` : null) },
    async (req, { body }) => {
      const out = await inviteToAccount(deps, actorOf(req), sid(req), { email: body.email, roles: body.roles });
      if (out.outcome === "granted") return { outcome: "granted" as const, user_sid: out.user.id, account_sid: sid(req), roles: out.roles, invitation: null };
      logQueued(req, out.mail);
      return { outcome: "invited" as const, user_sid: out.user.id, account_sid: out.invitation.accountId ?? sid(req), roles: out.roles, invitation: await toInvitationBody(deps, out.invitation) };
    });

  route(r, registry, { method: "get", operationId: "listUsers", path: "/Users", summary: "The organization's users by Status: managed, pending (invited) or independent (account access only); Search narrows by a userName or email prefix", tag: "Users", status: 200, response: MemberPage, paged: true,
    query: MemberQuery },
  async (req, { query }) => {
    const page = readPage(req);
    const { total, items } = await listMembers(deps, actorOf(req), {
      offset: page.offset, limit: page.size, ...(query.Status ? { status: query.Status } : {}), ...(query.Search ? { search: query.Search } : {}),
    });
    const at = page.page();
    return { users: items.map(toMemberBody), meta: pageMeta(req, "users", at, items.length, at.offset + items.length < total) };
  });
  route(r, registry, { method: "post", operationId: "requirePasswordReset", path: "/Users/:sid/PasswordReset", summary: "Require a managed user to choose a new password at the next sign-in, and mail them", tag: "Users", status: 200, response: PasswordResetResult },
    async (req) => {
      const out = await requirePasswordReset(deps, actorOf(req), sid(req));
      logQueued(req, out.mail);
      return { user_sid: out.user.id, password_reset_required: true as const, mail_sid: out.mail.id };
    });
};
