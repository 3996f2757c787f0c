/**
 * The storage port. Every store adapter (src/store/sqlite, src/store/mongo) implements it; the
 * domain and the protocols see nothing else. The contract suite (test/store/contract.test.ts)
 * runs against every adapter and is the executable form of this documentation.
 *
 * Rules every adapter keeps:
 * - Every read and write is scoped by orgId: a record of another organization is "not found".
 * - "Not found" is `null` (get/find) or `false` (update/delete), never an exception.
 * - Unique constraints are enforced by the store itself (indexes), and a violation throws
 *   `UniqueViolation` naming the field, so racing writers cannot both succeed.
 * - `update` is a compare-and-set on `version`: it writes only when the stored version equals
 *   `expectedVersion`, and answers false otherwise.
 * - A store that cannot be reached throws `StoreUnavailable`.
 */
import type { Filter, SortSpec } from "../filter";
import type { AuditRepo } from "./audit";
import type { EventRepo } from "./events";
import type { ProvisioningErrorRepo } from "./provisioning-errors";
import type { SharedCounters } from "./shared-counters";
import type {
  Account, ApiToken, Domain, GroupBinding, GroupRecord, Invitation, InvitationState, MemberStatus, Organization,
  OutboxMessage, UserRecord,
} from "../types";

export type { AuditListQuery, AuditPage, AuditRepo } from "./audit";
export type { EventRepo } from "./events";
export type { ProvisioningError, ProvisioningErrorRepo } from "./provisioning-errors";
export type { SharedCounters } from "./shared-counters";

export { StoreOutcomeUnknown, StoreUnavailable, UniqueViolation } from "./store-errors";

export interface ListQuery {
  filter?: Filter;
  sort?: SortSpec;
  /** 1-based, as in SCIM. Ignored when `cursor` is given. */
  startIndex: number;
  count: number;
  /** Opaque cursor from a previous page (RFC 9865). "" asks for the first page by cursor. */
  cursor?: string;
  /** Groups only: leave out the built-in org-role groups. */
  excludeBuiltin?: boolean;
}

export interface ListResult<T> {
  total: number;
  items: T[];
  /** Present when paging by cursor and more results follow. */
  nextCursor?: string;
}

export interface OrgRepo {
  insert(org: Organization): Promise<void>;
  get(id: string): Promise<Organization | null>;
  list(): Promise<Organization[]>;
  update(org: Organization): Promise<boolean>;
}

export interface TokenRepo {
  insert(token: ApiToken): Promise<void>;
  get(id: string): Promise<ApiToken | null>;
  list(orgId: string): Promise<ApiToken[]>;
  revoke(orgId: string, id: string, at: string): Promise<boolean>;
  /**
   * Deletes the access tokens (kind `access`) the client `clientId` of orgId was issued that
   * expired before `before`; answers how many. Nothing else is ever deleted from this repository.
   */
  purgeExpiredAccess(orgId: string, clientId: string, before: string): Promise<number>;
  /**
   * Makes a live token of orgId expire at `at`, unless it already expires earlier; answers whether
   * the token is live (not revoked) in orgId. Rotation's overlap (src/domain/tokens.ts rotateToken).
   */
  expireBy(orgId: string, id: string, at: string): Promise<boolean>;
  /**
   * Optional: records that the token (or OAuth client) `id` of orgId was used at `at` from `address`
   * (src/domain/tokens.ts noteTokenUse: at most once a minute per token and instance). Kept apart
   * from the token's row, so that it changes nothing a principal is resolved from.
   */
  recordUse?(orgId: string, id: string, at: string, address: string): Promise<void>;
  /** Optional: the last use of each of orgId's tokens that was recorded, by token id. */
  listUses?(orgId: string): Promise<Map<string, TokenUse>>;
}

export interface TokenUse {
  at: string;
  address: string;
}

export interface UserRepo {
  insert(user: UserRecord): Promise<void>;
  /**
   * Optional: inserts `users`, all of organization `orgId`, in their order (each as `insert` would,
   * emails and counts included), all or none as a `transaction` is: the first that cannot be
   * inserted throws (UniqueViolation) and leaves none of them. For imports: SQLite writes them in a
   * number of statements that does not grow with the list (src/store/sqlite/users-batch.ts says
   * why that matters), MongoDB takes their sequence numbers at once. A store without it gets
   * `insert` called once a user.
   */
  insertMany?(orgId: string, users: readonly UserRecord[]): Promise<void>;
  /** Independent members (outside the organization, with account access) only with `includeIndependent`. */
  get(orgId: string, id: string, options?: { includeIndependent?: boolean }): Promise<UserRecord | null>;
  /** Case-insensitive. */
  findByUserName(orgId: string, userName: string): Promise<UserRecord | null>;
  findByExternalId(orgId: string, externalId: string): Promise<UserRecord | null>;
  /** Compare-and-set on version; the record's own version is the new one. */
  update(user: UserRecord, expectedVersion: number): Promise<boolean>;
  delete(orgId: string, id: string): Promise<boolean>;
  /** Only SCIM-visible users (status managed or pending). listStored, optional: the same page, each user's attributes as stored JSON text, unparsed (../stored-data.ts). */
  list(orgId: string, query: ListQuery): Promise<ListResult<UserRecord>>;
  listStored?(orgId: string, query: ListQuery): Promise<ListResult<import("../stored-data").StoredUser>>;
  /** Whether a user at this address (user-address.ts: the primary email, else an email userName, case 85) is managed by an organization other than orgId: the same mailbox, its domain however spelt (domain-rules.ts mailboxKey, docs/security.md case 78). */
  isManagedElsewhere(orgId: string, email: string): Promise<boolean>;
  /**
   * Optional lookups of many at once (imports plan a batch of lines with them), each answering for
   * every string given exactly what the lookup of one answers (findByUserName, findByPrimaryEmail,
   * isManagedElsewhere), in a number of queries that does not grow with the list: a map from the
   * strings given to the users found (a string without an entry: null), or the set of the emails
   * given that another organization manages. Named as reads (find...): the SQLite store answers a
   * read called outside a transaction on its reader connection, and runs any other call as a
   * transaction of its own (src/store/sqlite/routing.ts), which commits and waits for an fsync.
   */
  findManyByUserName?(orgId: string, userNames: readonly string[]): Promise<Map<string, UserRecord>>;
  findManyByPrimaryEmail?(orgId: string, emails: readonly string[]): Promise<Map<string, UserRecord>>;
  findManagedElsewhere?(orgId: string, emails: readonly string[]): Promise<Set<string>>;
  countByRole(orgId: string, role: "owner"): Promise<number>;
  /** The member of orgId whose address is this one (user-address.ts: the primary email, else an email userName; case-insensitive), whatever its status (independent too). */
  findByPrimaryEmail(orgId: string, email: string): Promise<UserRecord | null>;
  /**
   * Members of every status (or of `status`), in insertion order. `search` keeps those whose
   * userName or one of whose email values starts with it, without regard to case (SQLite folds
   * ASCII case only in email values), answered from the userName and email indexes, so its cost
   * follows the matches, not the organization's size.
   */
  listByStatus(orgId: string, query: { status?: MemberStatus; search?: string; offset: number; limit: number }): Promise<{ total: number; items: UserRecord[] }>;
}

export interface MemberRef {
  id: string;
  display: string | null;
}

/** A member as a group lists it: `order` is its place in the group's stable order (the store's own). */
export interface MemberEntry extends MemberRef {
  order: number;
}

/** A group a user is in, with what it grants. */
export interface GroupRef extends MemberRef {
  builtin: boolean;
  binding: GroupBinding | null;
}

/**
 * A membership: one user in one group (the GroupMember resource, draft-zollner-scim-group-members).
 * `id` is given once, when the membership is made, and never to another membership: removing the
 * user and adding them again makes a new id. `created` is when it was made.
 */
export interface Membership {
  id: string;
  groupId: string;
  groupDisplay: string;
  userId: string;
  userDisplay: string | null;
  created: string;
}

/**
 * Which memberships to list: those of one group, of one user, or both (one membership at most);
 * paged like any list (`startIndex`/`count`, or `cursor`). `filter` and `sort` are not read:
 * memberships list in the order of their ids, which keeps every page one index range.
 * `excludeBuiltin` leaves out the memberships of the built-in org-role groups.
 */
export interface MembershipQuery extends ListQuery {
  groupId?: string;
  userId?: string;
}

export interface GroupRepo {
  insert(group: GroupRecord): Promise<void>;
  get(orgId: string, id: string): Promise<GroupRecord | null>;
  findByDisplayName(orgId: string, displayName: string): Promise<GroupRecord | null>;
  update(group: GroupRecord, expectedVersion: number): Promise<boolean>;
  delete(orgId: string, id: string): Promise<boolean>;
  list(orgId: string, query: ListQuery): Promise<ListResult<GroupRecord>>;
  /**
   * Inserts membership rows that do not exist yet, each with a new membership id and `created`
   * (default: now); answers how many were added. An id that names no user of orgId adds nothing,
   * nor, with `skipIndependent`, one that names an independent member (so what may be added is
   * what existingUserIds finds without includeIndependent). An existing membership keeps its id
   * and created time.
   */
  addMembers(orgId: string, groupId: string, userIds: string[], created?: string, options?: { skipIndependent?: boolean }): Promise<number>;
  removeMembers(orgId: string, groupId: string, userIds: string[]): Promise<number>;
  removeAllMembers(orgId: string, groupId: string): Promise<number>;
  /**
   * Members in a stable order, at most `limit`; with `after` (the `order` of the last member of
   * the previous page), those that follow it, so a long list is read in pages that each cost the
   * same, and a member removed meanwhile does not lose the place.
   */
  listMembers(orgId: string, groupId: string, limit: number, after?: number): Promise<MemberEntry[]>;
  countMembers(orgId: string, groupId: string): Promise<number>;
  /** The membership `id` of orgId (another organization's is null). */
  getMembership(orgId: string, id: string): Promise<Membership | null>;
  /** The membership of `userId` in `groupId`, or null. */
  findMembership(orgId: string, groupId: string, userId: string): Promise<Membership | null>;
  /**
   * Memberships by id order. Each page is one index range, whatever the group's or the
   * organization's size; `total` counts the matches.
   */
  listMemberships(orgId: string, query: MembershipQuery): Promise<ListResult<Membership>>;
  groupsOfUser(orgId: string, userId: string): Promise<GroupRef[]>;
  /**
   * groupsOfUser for several users at once (a page of users), by user id, in a number of reads that
   * does not grow with the page; a user in no group (or unknown, or of another organization) has an
   * empty list. Each list is in groupsOfUser's order.
   */
  groupsOfUsers(orgId: string, userIds: readonly string[]): Promise<Map<string, GroupRef[]>>;
  /**
   * Records that the group changed without a compare-and-set (membership changes): version + 1
   * and lastModified, atomically. Answers the new version, or null when the group does not exist.
   */
  touch(orgId: string, groupId: string, lastModified: string): Promise<number | null>;
  /** Groups (built-in or not) whose binding grants a role on this account. */
  listBoundToAccount(orgId: string, accountId: string): Promise<GroupRecord[]>;
  /** Of the given ids, those that are users of orgId. */
  /** Independent members count only with `includeIndependent` (they may hold account roles, never org roles). */
  existingUserIds(orgId: string, userIds: string[], options?: { includeIndependent?: boolean }): Promise<Set<string>>;
}

export interface AccountRepo {
  insert(account: Account): Promise<void>;
  get(orgId: string, id: string): Promise<Account | null>;
  /** Oldest first; `status` narrows. */
  list(orgId: string, query: { offset: number; limit: number; status?: Account["status"] }): Promise<{ total: number; items: Account[] }>;
  update(account: Account): Promise<boolean>;
  listOwnedBy(orgId: string, userId: string): Promise<Account[]>;
}

/**
 * Domains. An organization holds a name at most once (not counting removed ones: UniqueViolation("name")).
 */
export interface DomainRepo {
  insert(domain: Domain): Promise<void>;
  list(orgId: string): Promise<Domain[]>;
  /**
   * The owner of a name: its verified or revalidating domain (at most one across organizations,
   * which the store enforces: a second owner throws UniqueViolation("name")), or null.
   */
  findOwner(name: string): Promise<Domain | null>;
  /** Every organization's domains of that name that are not removed (pending claims and the owner), oldest first. */
  listByName(name: string): Promise<Domain[]>;
  /** The domain `id` of orgId in any state, removed too; null for another organization's. */
  get(orgId: string, id: string): Promise<Domain | null>;
  update(domain: Domain): Promise<boolean>;
  /**
   * For the periodic re-check, across organizations: pending, verified and revalidating domains
   * with an id greater than `after` (null: from the start), by id, at most `limit`.
   */
  listForRecheck(after: string | null, limit: number): Promise<Domain[]>;
}

export interface InvitationRepo {
  insert(invitation: Invitation): Promise<void>;
  get(orgId: string, id: string): Promise<Invitation | null>;
  listForUser(orgId: string, userId: string): Promise<Invitation[]>;
  /** Across organizations: the acceptance endpoint knows only the token. */
  findByTokenHash(tokenHash: string): Promise<Invitation | null>;
  /**
   * Compare-and-set: writes only while the stored invitation still has `expectedTokenHash` and is
   * neither accepted nor revoked, so a token is accepted once and a resend invalidates the old one.
   */
  update(invitation: Invitation, expectedTokenHash: string): Promise<boolean>;
  /** Oldest first; `state` narrows (pending and expired relative to `now`). */
  list(orgId: string, query: { state?: InvitationState; now: string; offset: number; limit: number }): Promise<{ total: number; items: Invitation[] }>;
}

/** Mail to send (src/domain/outbox.ts). The worker spans organizations, as the domain re-check does. */
export interface OutboxRepo {
  insert(message: OutboxMessage): Promise<void>;
  /** A message of the organization (null: mail of no organization). */
  get(orgId: string | null, id: string): Promise<OutboxMessage | null>;
  /** Pending messages whose nextAttemptAt is at or before `now`, earliest first, at most `limit`. */
  listDue(now: string, limit: number): Promise<OutboxMessage[]>;
  /**
   * Compare-and-set on `attempts` of a message still pending: a claim (attempts + 1) succeeds for one
   * worker only, and neither a claim nor the report of a send overwrites a message cancelled meanwhile.
   */
  update(message: OutboxMessage, expectedAttempts: number): Promise<boolean>;
  /** Newest first (`offset` of them skipped); for the Admin Center's outbox page, operators and tests. */
  list(query: { orgId?: string; ref?: string; status?: OutboxMessage["status"]; limit: number; offset?: number }): Promise<OutboxMessage[]>;
  /** Cancels the organization's pending messages about `ref` and purges their bodies; answers how many. */
  cancelPending(orgId: string, ref: string): Promise<number>;
  /** How many messages are pending, all organizations, counted up to `cap` (the metrics' backlog: an index count, no rows read). */
  countPending(cap: number): Promise<number>;
}

export interface Repos {
  orgs: OrgRepo;
  tokens: TokenRepo;
  users: UserRepo;
  groups: GroupRepo;
  accounts: AccountRepo;
  domains: DomainRepo;
  invitations: InvitationRepo;
  outbox: OutboxRepo;
  audit: AuditRepo;
  /** SCIM events (RFC 9967); optional: a store without it records none and configures no stream. */
  events?: EventRepo;
  /** Provisioning errors (src/domain/provisioning-errors.ts); both stores keep them, a store without them records none. */
  provisioningErrors?: ProvisioningErrorRepo;
}

/** How a transaction's changes are told: `put`, a SCIM PUT's, whose SCIM events are prov:put (src/domain/events-capture.ts). */
export interface TransactionOptions {
  put?: boolean;
}

export interface Store extends Repos {
  readonly kind: "sqlite" | "mongo";
  /** Counters shared by every instance on this store; absent where one process owns the store. */
  readonly counters?: SharedCounters;
  /**
   * Runs `fn` so that all of its writes happen or none do; `fn` calls `tx`, never the store (SQLite:
   * not the transaction's). SQLite: one IMMEDIATE transaction, serialized. MongoDB: a session
   * transaction with a replica set; otherwise each write is atomic on its own (documented in README).
   */
  transaction<T>(fn: (tx: Repos) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Optional: runs `fn`, a sequence of independent transactions (a /Bulk request), so that the
   * store commits them together once `fn` ends. Each `transaction` inside still applies entirely
   * or not at all on its own (SQLite: a savepoint), so one failing leaves the others; nothing is
   * visible to another caller, nor durable, before `batch` resolves. A store without it runs the
   * transactions one by one.
   */
  batch?<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Optional, beside `batch`: the same, answered once it has committed (readable by others) but before
   * it is durable, with `durable`, which resolves once it is or rejects as `batch` would have. Nothing
   * is acknowledged before `durable` resolves; meanwhile the caller may run its next batch (a /Bulk
   * slice), so that the flush of one overlaps the work of the next. Rejects when it did not commit.
   */
  commitBatch?<T>(fn: () => Promise<T>): Promise<{ result: T; durable: Promise<void> }>;
  /**
   * A server-wide secret kept in the store, shared by every instance and restart: the value
   * stored under `name`, or `make()`'s, stored first if none is (racing callers all get the one
   * stored). Never exported, never listed. Optional: a store without it gives the secrets that
   * need one (src/domain/page-tokens.ts) a key for the life of the process.
   */
  secret?(name: string, make: () => string): Promise<string>;
  /**
   * Optional: a number the store raises, in the writing transaction, whenever anything a token's
   * principal of this organization is resolved from changes (a token revoked or changed, the
   * organization, a user a token acts for or was made by: status, active, org role, role-group
   * memberships; a role group's binding). Equal answers mean every principal of the organization
   * resolved in between is still what resolving again would give (expiry aside: it is time, not
   * a write). A store without it gets no principal cache (src/http/principal-cache.ts).
   */
  principalVersion?(orgId: string): Promise<number>;
  /**
   * Optional: resolves once whatever a read could see before the call is durable (SQLite at
   * DURABILITY=full: an fsync of the WAL that started after the call; another connection can
   * read a commit before the fsync that acknowledges its writer: docs/stores.md, Durability; a
   * transaction reads the uncommitted work of its group commit too, so that group's commit comes
   * first). What sends stored data out of orgscim without a write of its own first (event push
   * and poll, a write refused for what it read: src/http/refusals-durable.ts) awaits it before
   * sending (never inside a transaction). A store without it: what is readable is durable.
   */
  durable?(): Promise<void>;
  /** Throws StoreUnavailable when the store cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
