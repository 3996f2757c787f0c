/**
 * The console's Users tabs: members listed by status (managed, pending, independent) and searched,
 * and the password reset a managed member is sent.
 */
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { afterPolicy, authorize, orgTarget, userTarget, type AfterPolicy } from "./policy";
import { isoNow } from "./clock";
import { Errors } from "./errors";
import { queueMail, type MailToQueue } from "./outbox";
import type { MemberStatus, OutboxMessage, UserRecord } from "./types";
import { primaryEmailOf, retrying, type InvitationDeps } from "./invitations-record";

/**
 * GET /v1/Users?Status=&Search=: the console's Users tabs (managed, pending, independent) and
 * their search: members whose userName or an email starts with `search`, without regard to case.
 */
export async function listMembers(deps: InvitationDeps, actor: Actor, q: { status?: MemberStatus; search?: string; offset: AfterPolicy<number>; limit: number }) {
  await authorize(deps, actor, { action: "user.list", target: orgTarget(actor.org.id) });
  const { search, ...rest } = { ...q, offset: afterPolicy(q.offset) };
  const text = search?.trim();
  return deps.store.users.listByStatus(actor.org.id, text ? { ...rest, search: text } : rest);
}

function passwordResetMail(orgName: string, user: UserRecord, to: string): MailToQueue {
  return {
    orgId: user.orgId, kind: "password_reset", ref: user.id, to,
    subject: `${orgName}: choose a new password`,
    text: [
      "Hello,",
      "",
      `An administrator of "${orgName}" requires you to choose a new password for your user ${user.userName}.`,
      "You will be asked for a new password the next time you sign in.",
      "",
      "If you did not expect this, contact your organization's administrator.",
      "",
    ].join("\n"),
  };
}

/**
 * POST /v1/Users/:sid/PasswordReset: the user must choose a new password at the next sign-in
 * (passwordResetRequired, a compare-and-set update like modifyUser's) and gets a mail saying so.
 */
export async function requirePasswordReset(deps: InvitationDeps, actor: Actor, userId: string): Promise<{ user: UserRecord; mail: OutboxMessage }> {
  const { store, clock } = deps;
  const target = await store.users.get(actor.org.id, userId);
  if (!target) throw Errors.userNotFound(userId);
  await authorize(deps, actor, { action: "user.password_reset", target: await userTarget(store, target) });
  // The read and the compare-and-set in one transaction: on SQLite it sees the open group's writes
  // (it cannot lose); on MongoDB a writer that got there first makes it re-run on fresh state.
  return retrying(() => store.transaction(async (tx) => {
    const current = await tx.users.get(actor.org.id, userId);
    if (!current) throw Errors.userNotFound(userId);
    if (current.status !== "managed") throw Errors.notManaged(userId, current.status);
    if (!current.active) throw Errors.userSuspended();
    const to = primaryEmailOf(current);
    if (!to) throw Errors.noEmailAddress(userId);
    const next: UserRecord = current.passwordResetRequired
      ? current
      : { ...current, passwordResetRequired: true, version: current.version + 1, lastModified: isoNow(clock) };
    if (next !== current && !(await tx.users.update(next, current.version))) return null;
    const mail = await queueMail(tx, clock, passwordResetMail(actor.org.name, next, to));
    await tx.audit.append(auditEvent(clock, actor, "user.password_reset", { type: "User", id: userId }, {
      before: { passwordResetRequired: current.passwordResetRequired, version: current.version },
      after: { passwordResetRequired: true, version: next.version, mail: mail.id },
    }));
    return { user: next, mail };
  }));
}
