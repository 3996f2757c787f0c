/**
 * The mails invitations queue in the outbox (./outbox.ts): the invitation with its token, and the
 * welcome once it is accepted. Their words are the same whatever other organizations hold for the
 * address (docs/tenancy.md: no oracle).
 */
import { ACCOUNT_ROLE_NAMES } from "./account-roles";
import type { MailToQueue } from "./outbox";
import { ORG_ROLE_GROUP_NAMES } from "./role-groups";
import type { Account, AccountRole, Invitation, UserRecord } from "./types";
import { kindOf, type InvitationDeps } from "./invitations-record";

/**
 * The accept page's address for this token: PUBLIC_URL + /admin/accept, the token in the fragment
 * (after #), which a browser never sends to a server: it is in no request line, access log, proxy
 * log or Referer. Without PUBLIC_URL the mail names the path and the page asks for the token.
 */
export const ACCEPT_PAGE_PATH = "/admin/accept";
function acceptSteps(deps: InvitationDeps, token: string): string[] {
  return deps.publicUrl
    ? ["To see the invitation and accept it, open this link:", "", `${deps.publicUrl.replace(/\/+$/, "")}${ACCEPT_PAGE_PATH}#token=${token}`]
    : [`To see the invitation and accept it, open the page ${ACCEPT_PAGE_PATH} of your organization's orgscim server and paste this code:`, "", token];
}

export const roleList = (roles: readonly AccountRole[]): string => roles.map((r) => ACCOUNT_ROLE_NAMES[r]).join(", ");

export function invitationMail(deps: InvitationDeps, orgName: string, i: Invitation, token: string, account: Account | null): MailToQueue {
  const what = kindOf(i) === "account" && account
    ? `to the account "${account.name}" of the organization "${orgName}", with the role${(i.accountRoles ?? []).length > 1 ? "s" : ""} ${roleList(i.accountRoles ?? [])}`
    : `to join the organization "${orgName}" as ${ORG_ROLE_GROUP_NAMES[i.orgRole ?? "standard"]}`;
  // The same words whatever other organizations hold for the address (docs/tenancy.md: no oracle).
  const login = kindOf(i) === "organization"
    ? `If you have no user for ${i.email} yet, one is created when you accept; if you have one, you keep it, and once you accept the organization manages it.`
    : `If you have no user for ${i.email} yet, one is created when you accept; if you have one, you keep it.`;
  return {
    orgId: i.orgId,
    kind: "invitation",
    ref: i.id,
    to: i.email,
    subject: kindOf(i) === "account" && account ? `You are invited to the account ${account.name} (${orgName})` : `You are invited to join ${orgName}`,
    text: [
      "Hello,",
      "",
      `You are invited ${what}.`,
      login,
      "",
      ...acceptSteps(deps, token),
      "",
      `The link works once and expires at ${i.expires}. Whoever has it can accept for ${i.email}: do not forward it. If you did not expect it, ignore this mail.`,
      "",
    ].join("\n"),
  };
}

export function welcomeMail(orgName: string, i: Invitation, user: UserRecord, account: Account | null, roles: AccountRole[]): MailToQueue {
  const what = kindOf(i) === "account" && account
    ? `You now have access to the account "${account.name}" of "${orgName}" (${roleList(roles)}).`
    : `You are now a member of "${orgName}" (${ORG_ROLE_GROUP_NAMES[user.orgRole ?? "standard"]}); the organization manages your user.`;
  return {
    orgId: i.orgId, kind: "welcome", ref: user.id, to: i.email,
    subject: `Welcome to ${orgName}`,
    text: ["Hello,", "", what, "", "Sign in as usual with your user, " + i.email + ".", ""].join("\n"),
  };
}
