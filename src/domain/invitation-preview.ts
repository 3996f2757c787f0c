/**
 * What the invitee sees before accepting (the accept page, POST /v1/Invitations/Preview): who
 * invites them to what, with the emailed token and nothing else.
 *
 * The token is the only credential, so this answers exactly what acceptInvitation answers for a
 * token it would not accept (the same errors: not valid, expired, already accepted, revoked) and,
 * for a live one, only what the mail already told its reader: the organization, the account and
 * its roles or the org role, the invited address, when it expires, and who sent it. Nothing here
 * changes anything, and nothing is logged or audited beyond the request line (no token in it).
 */
import type { Clock } from "./clock";
import { Errors } from "./errors";
import { kindOf } from "./invitations";
import { openInvitation } from "./invitations-record";
import type { Store } from "./ports/store";
import type { AccountRole, InvitationKind, OrgRole, UserRecord } from "./types";

export interface InvitationPreview {
  kind: InvitationKind;
  organization: { sid: string; name: string };
  /** Account invitations: the account and the roles accepting grants. */
  account: { sid: string; name: string } | null;
  roles: AccountRole[];
  /** Organization invitations: the org role accepting gives. */
  orgRole: OrgRole | null;
  /** The invited address: accepting acts for this address, whoever presses the button. */
  email: string;
  expires: string;
  /** The person who sent (or last resent) it, when a token acting for a user did; null: the organization (a service token or the operator). */
  invitedBy: { name: string; email: string | null } | null;
}


const personName = (u: UserRecord): string => {
  const n = (u.data.name ?? {}) as { givenName?: unknown; familyName?: unknown };
  const full = [n.givenName, n.familyName].filter((x): x is string => typeof x === "string" && x.length > 0).join(" ");
  return u.displayName || full || u.userName;
};

export async function previewInvitation(deps: { store: Store; clock: Clock }, token: string): Promise<InvitationPreview> {
  const { store, clock } = deps;
  const { found, org } = await openInvitation(store, clock, token);
  const account = kindOf(found) === "account" && found.accountId ? await store.accounts.get(org.id, found.accountId) : null;
  if (kindOf(found) === "account" && account?.status !== "active") throw Errors.accountClosed(found.accountId ?? "");
  let invitedBy: InvitationPreview["invitedBy"] = null;
  if (found.invitedBy && found.invitedBy !== "operator") {
    const t = await store.tokens.get(found.invitedBy);
    const u = t?.orgId === org.id && t.userId ? await store.users.get(org.id, t.userId) : null;
    if (u) invitedBy = { name: personName(u), email: u.emails.find((e) => e.primary)?.value ?? u.emails[0]?.value ?? null };
  }
  return {
    kind: kindOf(found),
    organization: { sid: org.id, name: org.name },
    account: account ? { sid: account.id, name: account.name } : null,
    roles: kindOf(found) === "account" ? [...(found.accountRoles ?? [])] : [],
    orgRole: kindOf(found) === "organization" ? (found.orgRole ?? "standard") : null,
    email: found.email,
    expires: found.expires,
    invitedBy,
  };
}
