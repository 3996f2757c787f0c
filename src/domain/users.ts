/**
 * Managed users: the rules of docs/model.md, applied to every write whatever the
 * protocol. Each public function is one use case; each runs its writes in one store transaction
 * (all or nothing) and leaves one audit event. Refusals throw DomainError from ./errors.
 */
import type { Actor } from "./actor";
import { auditEvent, auditRefusal } from "./audit";
import { type Clock, isoNow } from "./clock";
import { DomainError, Errors } from "./errors";
import { newId } from "./ids";
import { withSealedCursor } from "./page-tokens";
import { sameJsonText } from "./same-json";
import { authorize, orgTarget, Refusal, userRef, userTarget } from "./policy";
import { type GroupRef, type ListQuery, type ListResult, type Repos, type Store, type TransactionOptions } from "./ports/store";
import type { StoredUser } from "./stored-data";
import type { OrgRole, UserRecord } from "./types";
import { changeChecks, checkDomains, checkRoleChange, roleChecks, shape, syncOrgRoleGroups, uniquenessError, userSummary as summary, type Shaped } from "./user-checks";
import { checkIfMatch, type IfMatch } from "./versions";

export interface UserDeps {
  store: Store;
  clock: Clock;
  /** PUBLIC_URL and INVITATION_TTL_HOURS: carried for the use cases that share these deps (invitations). */
  publicUrl?: string | undefined;
  invitationTtlHours?: number | undefined;
}

/** What a protocol hands the domain: the SCIM attributes plus the orgscim extension's fields. */
export interface UserInput {
  data: Record<string, unknown>;
  orgRole?: OrgRole;
  twoFactorRequired?: boolean;
  passwordResetRequired?: boolean;
}

export interface CreateOutcome {
  user: UserRecord;
  /** revived: a deactivated user with the same externalId was reactivated (Okta re-provisioning). */
  outcome: "created" | "revived";
  groups?: GroupRef[]; // a created user's, as groupsOfUser lists them: the org-role group the create put them in
}

const MAX_CAS_RETRIES = 20;
// ---------- use cases ----------

/**
 * POST /Users. Revives a deactivated user with the same externalId (Okta re-provisioning).
 * The answer never depends on what other organizations hold for the email (docs/tenancy.md: a
 * user provisioned on a domain nobody verified is this organization's own account). One
 * transaction: a refused create leaves nothing. What decides the create's writes (a user to revive
 * by externalId, the email's domain) is read in that transaction, on SQLite on the writer: nothing
 * changes between the check and the write, and the writer's pages are warm (the reader's are
 * dropped at every commit).
 */
export async function createUser(deps: UserDeps, actor: Actor, input: UserInput): Promise<CreateOutcome> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  await authorize(deps, actor, { action: "user.create", target: orgTarget(orgId) });
  const data = { ...input.data };
  const s = shape(data);
  const now = isoNow(clock);
  const user: UserRecord = {
    id: newId("US"),
    orgId,
    userName: s.userName,
    externalId: s.externalId,
    displayName: s.displayName,
    active: s.active,
    status: "managed",
    orgRole: checkRoleChange(null, input.orgRole) ?? "standard",
    twoFactorRequired: input.twoFactorRequired ?? false,
    passwordResetRequired: input.passwordResetRequired ?? false,
    emails: s.emails,
    data,
    version: 1,
    created: now,
    lastModified: now,
  };

  try {
    // A revive lost to a concurrent writer (another re-POST revived the user first, in the same
    // group commit) is decided again on the state it lost to: then it is a create of a user that exists.
    for (let attempt = 0; ; attempt++) {
      const out = await store.transaction(async (tx): Promise<Created> => {
        const previous = s.externalId ? await tx.users.findByExternalId(orgId, s.externalId) : null;
        if (previous && !previous.active) return { revive: previous }; // written below, by reviveWith
        try {
          await authorize({ store: tx, clock }, actor, roleChecks(null, input.orgRole, userRef("new user")), { action: "user.create", target: orgTarget(orgId) });
        } catch (e) {
          if (e instanceof Refusal) return { refused: e }; // its audit event commits with the transaction
          throw e;
        }
        await checkDomains(tx, actor, s.userName, s.emails);
        try {
          await tx.users.insert(user);
        } catch (e) {
          throw await uniquenessError(tx, orgId, e, s.userName);
        }
        const groups = await syncOrgRoleGroups(tx, clock, user, { fresh: true });
        await tx.audit.append(auditEvent(clock, actor, "user.create", { type: "User", id: user.id }, { after: summary(user) }));
        return { groups }; // no group could hold the new user before its id is answered
      });
      if ("groups" in out) return { user, outcome: "created", groups: out.groups };
      if ("refused" in out) throw out.refused;
      if (attempt === MAX_CAS_RETRIES) throw Errors.tooMany("The user is being changed by many writers at once; retry the request.");
      const previous = out.revive;
      const target = await userTarget(store, previous);
      await authorize(deps, actor, [{ action: "user.reactivate", target }, ...roleChecks(previous.orgRole, input.orgRole, target)],
        { action: "user.create", target: { type: "user", id: previous.id, role: null } });
      await checkDomains(store, actor, s.userName, s.emails);
      const revived = await reviveWith(deps, actor, previous, data, s, input);
      if (revived) return { user: revived, outcome: "revived" };
    }
  } catch (e) {
    if (e instanceof DomainError && e.kind === "forbidden" && !(e instanceof Refusal)) await auditRefusal(store, clock, actor, "user.create", { type: "User", id: null }, e.message);
    throw e;
  }
}

/** What createUser's transaction decided: created (the groups it joined), a user to revive, or refused (its audit event written). */
type Created = { groups: GroupRef[] } | { revive: UserRecord } | { refused: Refusal };

/**
 * The revive's write: a compare-and-set on the version read. null: a concurrent writer changed the
 * user first. The transaction resolves only once its group committed, so a read after it sees that writer.
 */
async function reviveWith(deps: UserDeps, actor: Actor, previous: UserRecord, data: Record<string, unknown>, s: Shaped, input: UserInput): Promise<UserRecord | null> {
  const next: UserRecord = {
    ...previous,
    userName: s.userName,
    displayName: s.displayName,
    active: true,
    emails: s.emails,
    data: { ...data, active: true },
    orgRole: checkRoleChange(previous.orgRole, input.orgRole),
    twoFactorRequired: input.twoFactorRequired ?? previous.twoFactorRequired,
    passwordResetRequired: input.passwordResetRequired ?? previous.passwordResetRequired,
    version: previous.version + 1,
    lastModified: isoNow(deps.clock),
  };
  return deps.store.transaction(async (tx) => {
    await checkDomains(tx, actor, s.userName, s.emails); // again where it is written: a domain verified since (case 84)
    let ok: boolean;
    try {
      ok = await tx.users.update(next, previous.version);
    } catch (e) {
      throw await uniquenessError(tx, previous.orgId, e, s.userName);
    }
    if (!ok) return null;
    if (next.orgRole !== previous.orgRole) await syncOrgRoleGroups(tx, deps.clock, next);
    await tx.audit.append(auditEvent(deps.clock, actor, "user.revive", { type: "User", id: next.id }, { before: summary(previous), after: summary(next) }));
    return next;
  });
}

/** The user `id` of the actor's organization, or notFound; no authorization (use cases authorize what they do with it). */
export async function findUser(deps: Pick<UserDeps, "store">, actor: Actor, id: string): Promise<UserRecord> {
  const user = await deps.store.users.get(actor.org.id, id);
  if (!user) throw Errors.userNotFound(id);
  return user;
}

/** GET /Users/{id}, GET /v1/Users/{sid}. */
export async function getUser(deps: UserDeps, actor: Actor, id: string): Promise<UserRecord> {
  const user = await findUser(deps, actor, id);
  await authorize(deps, actor, { action: "user.read", target: await userTarget(deps.store, user) });
  return user;
}

/**
 * getUser with the user's groups (groupsOfUser), for an answer that shows them (SCIM's GET
 * /Users/{id}): read once, for the policy's target and the answer alike.
 */
export async function getUserWithGroups(deps: UserDeps, actor: Actor, id: string): Promise<{ user: UserRecord; groups: GroupRef[] }> {
  const user = await findUser(deps, actor, id);
  const groups = await deps.store.groups.groupsOfUser(user.orgId, user.id);
  await authorize(deps, actor, { action: "user.read", target: await userTarget(deps.store, user, groups) });
  return { user, groups };
}

/**
 * GET /v1/Users/{sid}: any member of the organization, independent users (outside it, with access
 * to some of its accounts) included, so that the console can show what a contractor holds. SCIM
 * never sees independent users (getUser). Another organization's member answers 404 as nothing does.
 */
export async function getMember(deps: UserDeps, actor: Actor, id: string): Promise<UserRecord> {
  const user = await deps.store.users.get(actor.org.id, id, { includeIndependent: true });
  if (!user) throw Errors.userNotFound(id);
  await authorize(deps, actor, { action: "user.read", target: await userTarget(deps.store, user) });
  return user;
}

export async function listUsers(deps: UserDeps, actor: Actor, query: ListQuery): Promise<ListResult<UserRecord>> {
  return listWith(deps, actor, query, (q) => deps.store.users.list(actor.org.id, q));
}

/**
 * listUsers' page, each user as its attributes' stored JSON text where the store keeps them so
 * (UserRepo.listStored), for a page that copies the text into its answer: the same authorization,
 * cursors and users.
 */
export async function listStoredUsers(deps: UserDeps, actor: Actor, query: ListQuery): Promise<ListResult<UserRecord | StoredUser>> {
  const users = deps.store.users;
  if (!users.listStored) return listUsers(deps, actor, query);
  return listWith(deps, actor, query, (q) => users.listStored!(actor.org.id, q));
}

async function listWith<T>(deps: UserDeps, actor: Actor, query: ListQuery, read: (q: ListQuery) => Promise<ListResult<T>>): Promise<ListResult<T>> {
  await authorize(deps, actor, { action: "user.list", target: orgTarget(actor.org.id) });
  return withSealedCursor(deps.store, actor.org.id, "scim:Users", query, read);
}

/**
 * PUT and PATCH. `transform` turns the current state into the wanted one. Each attempt reads the
 * user, asks the policy and writes with a compare-and-set on version, all in one store transaction:
 * on SQLite (one writer, group commit) the read sees every write before it, those of the open
 * group too, so the compare-and-set cannot lose and nothing is re-tried; on MongoDB (snapshot
 * isolation) a writer that got there first makes it lose, and the attempt is re-run on the fresh
 * state, so no update is lost. With If-Match, a changed version answers 412 instead.
 * A refusal commits its audit event and nothing else; a write that changes nothing writes nothing.
 * `options` are its transaction's (a SCIM PUT's: ./events-capture.ts scimPut).
 */
export async function modifyUser(
  deps: UserDeps,
  actor: Actor,
  id: string,
  ifMatch: IfMatch,
  transform: (current: UserRecord) => UserInput,
  options?: TransactionOptions,
): Promise<UserRecord> {
  return (await modify(deps, actor, id, ifMatch, transform, false, options)).user;
}

/**
 * modifyUser, with the user's groups as its transaction left them, for an answer that shows them
 * (SCIM's PUT, a PATCH asking for the user back): read there once, for the policy's target and the
 * answer alike, and again only when the write changed the org-role groups, not after the commit.
 */
export async function modifyUserWithGroups(
  deps: UserDeps,
  actor: Actor,
  id: string,
  ifMatch: IfMatch,
  transform: (current: UserRecord) => UserInput,
  options?: TransactionOptions,
): Promise<{ user: UserRecord; groups: GroupRef[] }> {
  const { user, groups } = await modify(deps, actor, id, ifMatch, transform, true, options);
  return { user, groups: groups! };
}

type Modified = { next: UserRecord; groups?: GroupRef[] } | { refused: DomainError } | { lost: number };

async function modify(
  deps: UserDeps,
  actor: Actor,
  id: string,
  ifMatch: IfMatch,
  transform: (current: UserRecord) => UserInput,
  withGroups: boolean,
  options: TransactionOptions | undefined,
): Promise<{ user: UserRecord; groups?: GroupRef[] }> {
  const { store, clock } = deps;
  for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
    const out = await store.transaction(async (tx): Promise<Modified> => {
      const current = await tx.users.get(actor.org.id, id);
      if (!current) throw Errors.userNotFound(id);
      checkIfMatch(ifMatch, current.version);
      let groups = withGroups ? await tx.groups.groupsOfUser(current.orgId, id) : undefined;
      let next: UserRecord;
      try {
        next = nextState(deps, current, transform(current));
        await authorize({ store: tx, clock }, actor, await changeChecks(tx, current, next, groups), { action: "user.update", target: { type: "user", id, role: null } });
        checkOwnerKept(current, next);
        await checkNextDomains(tx, actor, current, next);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        // authorize wrote the refusal's audit event; the others are written here. Either is committed.
        if (e instanceof Refusal) return { refused: e };
        if (e.kind === "forbidden" || e.code === 4007) {
          await auditRefusal(tx, clock, actor, "user.update", { type: "User", id }, e.message);
          return { refused: e };
        }
        throw e;
      }
      // Changing nothing is answered with the user as it is: no write, no new version, no event.
      if (unchanged(current, next)) return { next: current, groups };
      let ok: boolean;
      try {
        ok = await tx.users.update(next, current.version);
      } catch (e) {
        throw await uniquenessError(tx, current.orgId, e, next.userName);
      }
      if (!ok) return { lost: current.version };
      if (next.orgRole !== current.orgRole || next.status !== current.status) {
        await syncOrgRoleGroups(tx, clock, next);
        if (withGroups) groups = await tx.groups.groupsOfUser(current.orgId, id);
      }
      const action = current.active && !next.active ? "user.deactivate" : !current.active && next.active ? "user.reactivate" : "user.update";
      await tx.audit.append(auditEvent(clock, actor, action, { type: "User", id }, { before: summary(current), after: summary(next) }));
      return { next, groups };
    }, options);
    if ("next" in out) return { user: out.next, groups: out.groups };
    if ("refused" in out) throw out.refused;
    if (ifMatch !== undefined) throw Errors.versionMismatch(`W/"${out.lost}"`, "newer");
  }
  throw Errors.tooMany("The user is being changed by many writers at once; retry the request.");
}

/** The user after a PUT or PATCH: shaped and checked against the invariants; rights are asked next, domains last. */
function nextState(deps: UserDeps, current: UserRecord, input: UserInput): UserRecord {
  const data = { ...input.data };
  const s = shape(data, current.data);
  return {
    ...current,
    userName: s.userName,
    externalId: s.externalId,
    displayName: s.displayName,
    active: s.active,
    emails: s.emails,
    data,
    orgRole: input.orgRole ?? current.orgRole,
    twoFactorRequired: input.twoFactorRequired ?? current.twoFactorRequired,
    passwordResetRequired: input.passwordResetRequired ?? current.passwordResetRequired,
    version: current.version + 1,
    lastModified: isoNow(deps.clock),
  };
}

/**
 * Whether a PUT or PATCH leaves the user as it is: every stored field the same (the attributes as
 * the same JSON text, so that the user is rendered with the same bytes). Such a write is answered
 * with the user as it is, version and lastModified included (RFC 7644 §3.14: the version changes
 * when the resource does), and writes nothing: no audit event, no SCIM event. The JSON texts are
 * compared without being written (./same-json.ts): a PUT that changes one attribute stops there.
 */
function unchanged(current: UserRecord, next: UserRecord): boolean {
  return next.userName === current.userName && next.externalId === current.externalId && next.displayName === current.displayName
    && next.active === current.active && next.status === current.status && next.orgRole === current.orgRole
    && next.twoFactorRequired === current.twoFactorRequired && next.passwordResetRequired === current.passwordResetRequired
    && sameJsonText(next.emails, current.emails) && sameJsonText(next.data, current.data);
}

/** The Owner stays an active Owner whoever asks (an invariant, checked once the policy allowed the change). */
function checkOwnerKept(current: UserRecord, next: UserRecord): void {
  if (current.orgRole !== "owner") return;
  if (!next.active) throw Errors.ownerProtected("deactivated");
  checkRoleChange(current.orgRole, next.orgRole ?? undefined);
}

/** A changed primary email or userName must be on a verified domain (under domain enforcement). */
async function checkNextDomains(repos: Repos, actor: Actor, current: UserRecord, next: UserRecord): Promise<void> {
  const primaryBefore = current.emails.find((e) => e.primary)?.value?.toLowerCase();
  const primaryAfter = next.emails.find((e) => e.primary)?.value?.toLowerCase();
  if (primaryAfter !== primaryBefore || next.userName.toLowerCase() !== current.userName.toLowerCase()) {
    await checkDomains(repos, actor, next.userName, next.emails);
  }
}
