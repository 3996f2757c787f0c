/**
 * Invitations (seed: "Invite a user", "Invite a user to an account", Pending Users). Each use case asks the policy (./policy), runs its writes in one transaction, leaves one
 * audit event, and queues its mail in the outbox (./outbox.ts) inside that same transaction.
 *
 * - To the organization (Owner/Administrator; the email's domain must be verified under domain
 *   enforcement, and never verified by another organization): a new email becomes a member in
 *   status `pending`; an independent member of this one becomes `pending` too. Accepting makes the
 *   member `managed` with the invitation's org role, unless another organization manages the
 *   person or owns their domain by then (the person is told; docs/tenancy.md).
 * - To an account (Owner/Administrator, or that account's Administrator; any email domain): a
 *   managed member gets the roles at once, with no invitation and no mail; anyone else becomes (or
 *   stays) a member of the organization in status `independent` (invisible over SCIM) or `pending`,
 *   and accepting grants the roles. Roles follow grantRole: Administrator clears the others.
 * - Nothing here answers differently for what other organizations hold: `newLogin` (`new_user`)
 *   says whether a member was created in this organization for the invitation.
 * - A token is single-use and expires after INVITATION_TTL_HOURS. The store keeps its SHA-256
 *   only; the plaintext is in the invitation mail, and nowhere else (see ./outbox.ts for the mail
 *   body at rest). Resend makes a new token (the old one stops working); Revoke ends the invitation
 *   and removes a member created only for it.
 * - Accepting needs nothing but the token: the endpoint is not behind an admin token.
 *
 * This file is the module's face; the rules live by concern: ./invitations-record.ts (tokens,
 * states, the member an address names), ./invitations-grants.ts (what sending asks of the policy
 * and accepting asks again; the roles granted; managed once), ./invitations-send.ts (the two ways
 * in, one create transaction), ./invitations-manage.ts (read, list, resend, revoke),
 * ./invitations-accept.ts, ./invitations-mail.ts. The members list and password reset are in
 * ./members.ts.
 */
export {
  DEFAULT_INVITATION_TTL_HOURS, hashInvitationToken, kindOf, newInvitationToken, stateOf, type InvitationDeps,
} from "./invitations-record";
export { inviteToAccount, inviteToOrganization, type AccountInvitationOutcome, type InvitationOutcome } from "./invitations-send";
export { getInvitation, listInvitations, resendInvitation, revokeInvitation } from "./invitations-manage";
export { acceptInvitation, type Acceptance } from "./invitations-accept";
export { listMembers, requirePasswordReset } from "./members";
