/**
 * What an import knows while it plans: the overlay of the batch being planned (later lines of a
 * batch see what earlier ones planned before it is written), and the state committed batches
 * established (file ids → target ids, groups this import created, users it wrote).
 */
import type { Clock } from "../clock";
import { Errors } from "../errors";
import type { Repos, Store } from "../ports/store";
import type { Account, GroupRecord, UserRecord } from "../types";
import { emailDomain } from "../domain-rules";
import { orgRoleGroupId } from "../role-groups";
import { looksLikeEmail } from "../user-checks";
import { accountsOf } from "./export";
import { lower, primaryOf, userFields, type UserFields } from "./format";
import type { ImportedUser, ImportOptions, ImportOutcome } from "./types";

export interface WriteCtx {
  /** Groups whose membership changed without a record update: touched once, at the end. */
  touch: Set<string>;
  /** New users, inserted together (UserRepo.insertMany) before the next other step. */
  newUsers: UserRecord[];
  /** New users' org-role memberships, added a group at a time (one addMembers call) after them. */
  roleMembers: Map<string, string[]>;
  created: number;
  updated: number;
}

export interface Step {
  outcome: ImportOutcome;
  /** Queues its own new user (and the user's role membership): written with the run of new users it is in, before the next other step. */
  newUser?: boolean;
  apply?: (tx: Repos, w: WriteCtx) => Promise<void>;
}

/**
 * What the store answered, before the batch, to the lookups its user lines make, asked for all of
 * them at once (ImportState.prefetch); a lookup not in here is asked when the line is planned.
 */
export interface KnownUsers {
  byName: Map<string, UserRecord | null>;
  byPrimaryEmail: Map<string, UserRecord | null>;
  managedElsewhere: Map<string, boolean>;
}

/** What lines of one batch have planned: later lines of the batch see it before it is written. */
export class Overlay {
  readonly known: KnownUsers = { byName: new Map(), byPrimaryEmail: new Map(), managedElsewhere: new Map() };
  /** Each user line's fields (or why it has none), checked once for the prefetch and the plan. */
  readonly fields = new Map<ImportedUser, { fields: UserFields } | { error: unknown }>();
  /**
   * Primary emails this batch makes managed, found managed nowhere else while planning: asked again
   * inside the batch's transaction (ImportState.recheckManagedClaims), where no accept can slip in.
   */
  readonly managedClaims = new Set<string>();

  forgetKnown(): void {
    this.known.byName.clear();
    this.known.byPrimaryEmail.clear();
    this.known.managedElsewhere.clear();
  }
  readonly ids = new Map<string, string>();
  readonly users = new Map<string, UserRecord>();
  readonly userNames = new Map<string, string>();
  readonly groups = new Map<string, GroupRecord>();
  readonly groupNames = new Map<string, string>();
  readonly members = new Map<string, Set<string>>();
  readonly accounts = new Map<string, Account>();
  readonly createdGroups = new Set<string>();
  readonly audit = new Set<string>();
  orgCreated = false;
  /** The user this batch made Owner, if any. */
  owner: string | null = null;
  /** Domains this batch adds. */
  domains = 0;

  putUser(u: UserRecord, fileId: string | null): void {
    this.users.set(u.id, u);
    this.userNames.set(u.userName.toLowerCase(), u.id);
    if (fileId) this.ids.set(fileId, u.id);
  }

  putGroup(g: GroupRecord, fileId: string | null, members?: Set<string>): void {
    this.groups.set(g.id, g);
    this.groupNames.set(g.displayName.toLowerCase(), g.id);
    if (members) this.members.set(g.id, members);
    if (fileId) this.ids.set(fileId, g.id);
  }
}

/** The import's state across batches, and the lookups that consult the overlay before the store. */
export class ImportState {
  readonly sameOrg: boolean;
  /** What committed batches established: file ids → target ids, groups this import created. */
  readonly ids = new Map<string, string>();
  readonly createdGroups = new Set<string>();
  orgExists: boolean | null = null;
  /**
   * The organization was created by this import: every user it has, this import wrote, so a
   * lookup for an id or userName it did not write needs no query (the 100,000-user restore).
   */
  freshOrg = false;
  readonly runUserIds = new Set<string>();
  readonly runUserNames = new Set<string>();
  /** The time of the batch being written: what created and updated records get as lastModified. */
  now = "";
  auditIds: Set<string> | null = null;
  accountNames: Map<string, string> | null = null;
  readonly notes = new Map<string, { count: number; text: (count: number) => string }>();
  private domainTotal: number | null = null;
  /** Which organization owns each domain the managed users planned are on (asked again in each batch's transaction). */
  private readonly domainOwners = new Map<string, string | null>();
  /** Whether the lines come from a store the operator names (a migration), not from a file. */
  readonly fromStore: boolean;

  constructor(readonly deps: { store: Store; clock: Clock }, readonly orgId: string, readonly options: ImportOptions) {
    this.sameOrg = options.fileOrgId === orgId;
    this.fromStore = options.trust === "store";
  }

  get store(): Store {
    return this.deps.store;
  }

  /** Folds a committed batch's overlay into the state. */
  merge(overlay: Overlay): void {
    for (const [k, v] of overlay.ids) this.ids.set(k, v);
    for (const id of overlay.createdGroups) this.createdGroups.add(id);
    for (const [id, a] of overlay.accounts) this.accountNames?.set(lower(a.name), id);
    for (const id of overlay.audit) this.auditIds?.add(id);
    if (overlay.orgCreated) this.orgExists = this.freshOrg = true;
    if (this.domainTotal !== null) this.domainTotal += overlay.domains;
    if (this.freshOrg) {
      for (const u of overlay.users.values()) {
        this.runUserIds.add(u.id);
        this.runUserNames.add(lower(u.userName));
      }
    }
  }

  /** The domains the organization had before this batch (the API caps them: MAX_DOMAINS_PER_ORG). */
  async domainCount(): Promise<number> {
    this.domainTotal ??= (await this.store.domains.list(this.orgId)).length;
    return this.domainTotal;
  }

  mapped(ov: Overlay, fileId: string | null): string | null {
    if (!fileId) return null;
    return ov.ids.get(fileId) ?? this.ids.get(fileId) ?? (this.sameOrg ? fileId : null);
  }

  async requireOrg(ov: Overlay): Promise<void> {
    if (ov.orgCreated) return;
    this.orgExists ??= (await this.store.orgs.get(this.orgId)) !== null;
    if (!this.orgExists) throw Errors.orgNotFound(this.orgId);
  }

  /** Whether this import created the group (its meta and members are the file's to restore). */
  created(ov: Overlay, groupId: string): boolean {
    return ov.createdGroups.has(groupId) || this.createdGroups.has(groupId);
  }

  /**
   * A user (independent ones too) this batch wrote, or one the store may have (null: none, known
   * without a query when the import made the organization).
   */
  async findUser(ov: Overlay, id: string): Promise<UserRecord | null> {
    const mine = ov.users.get(id);
    if (mine || ((this.freshOrg || ov.orgCreated) && !this.runUserIds.has(id))) return mine ?? null;
    return this.store.users.get(this.orgId, id, { includeIndependent: true });
  }

  /** Whether the store may hold a user with this userName (false: known without a query). */
  mayHoldName(ov: Overlay, userName: string): boolean {
    return !(this.freshOrg || ov.orgCreated) || this.runUserNames.has(lower(userName));
  }

  /** A user line's fields (format.ts userFields), checked once a batch; throws what the check throws. */
  fieldsOf(ov: Overlay, u: ImportedUser): UserFields {
    let known = ov.fields.get(u);
    if (!known) {
      try {
        known = { fields: userFields(u) };
      } catch (error) {
        known = { error };
      }
      ov.fields.set(u, known);
    }
    if ("error" in known) throw known.error;
    return known.fields;
  }

  /**
   * Asks the store, at once, what planning `users` would ask it one line at a time (by userName,
   * by primary email, managed elsewhere), where the store can (UserRepo's optional *Many lookups);
   * planning then reads the answers from `ov.known`. The answers are the store's before the batch,
   * which is what planning reads anyway: a batch's writes come after all its lines are planned.
   */
  async prefetch(ov: Overlay, users: readonly ImportedUser[]): Promise<void> {
    const repo = this.store.users;
    const names = new Set<string>();
    const managed = new Set<string>();
    for (const u of users) {
      let f: UserFields;
      try {
        f = this.fieldsOf(ov, u);
      } catch {
        continue; // refused when planned
      }
      if (this.mayHoldName(ov, f.userName)) names.add(f.userName);
      const primary = primaryOf(f);
      if (f.status === "managed" && primary) managed.add(primary);
    }
    if (repo.findManyByUserName && names.size > 0) {
      const asked = [...names];
      const found = await repo.findManyByUserName(this.orgId, asked);
      for (const n of asked) ov.known.byName.set(n, found.get(n) ?? null);
      const unheld = asked.filter((n) => !found.has(n));
      if (repo.findManyByPrimaryEmail && unheld.length > 0) {
        const byEmail = await repo.findManyByPrimaryEmail(this.orgId, unheld);
        for (const n of unheld) ov.known.byPrimaryEmail.set(n, byEmail.get(n) ?? null);
      }
    }
    if (repo.findManagedElsewhere && managed.size > 0) {
      const asked = [...managed];
      const elsewhere = await repo.findManagedElsewhere(this.orgId, asked);
      for (const e of asked) ov.known.managedElsewhere.set(e, elsewhere.has(e));
    }
  }

  /** The user holding this userName (without case), independent users included. */
  async findUserByName(ov: Overlay, userName: string): Promise<UserRecord | null> {
    const id = ov.userNames.get(lower(userName));
    if (id !== undefined) return ov.users.get(id)!;
    if (!this.mayHoldName(ov, userName)) return null;
    const known = ov.known.byName.get(userName);
    const found = known !== undefined ? known : await this.store.users.findByUserName(this.orgId, userName);
    if (found) return found;
    // Independent users are not found by userName (SCIM does not see them); theirs is their email.
    const knownIndependent = ov.known.byPrimaryEmail.get(userName);
    const independent = knownIndependent !== undefined ? knownIndependent : await this.store.users.findByPrimaryEmail(this.orgId, userName);
    return independent?.status === "independent" && lower(independent.userName) === lower(userName) ? independent : null;
  }

  /** The Owner this batch planned or the store has, other than `userId`; null when there is none. */
  async otherOwner(ov: Overlay, userId: string): Promise<string | null> {
    if (ov.owner !== null && ov.owner !== userId) return ov.owner;
    if (ov.orgCreated) return null;
    const owners = await this.store.groups.listMembers(this.orgId, orgRoleGroupId(this.orgId, "owner"), 2);
    return owners.map((o) => o.id).find((id) => id !== userId) ?? null;
  }

  /** Counts something the report tells the operator once, at the end (see ImportReport.notes). */
  note(key: string, text: (count: number) => string): void {
    const n = this.notes.get(key);
    this.notes.set(key, { count: (n?.count ?? 0) + 1, text });
  }

  /**
   * A managed user's primary email: not on a domain another organization verified (its owner alone
   * makes managed users there, docs/security.md case 79), nor managed by another organization.
   */
  async checkNotManagedElsewhere(ov: Overlay, u: Pick<UserRecord, "status" | "emails" | "userName">): Promise<void> {
    const primary = primaryOf(u);
    if (u.status !== "managed" || !primary) return;
    if (looksLikeEmail(primary)) {
      const domain = emailDomain(primary);
      let owner = this.domainOwners.get(domain);
      if (owner === undefined) this.domainOwners.set(domain, (owner = (await this.store.domains.findOwner(domain))?.orgId ?? null));
      if (owner !== null && owner !== this.orgId) throw domainOwnedElsewhere(primary, domain);
    }
    const known = ov.known.managedElsewhere.get(primary);
    if (known ?? (await this.store.users.isManagedElsewhere(this.orgId, primary))) throw managedElsewhere(primary);
    ov.managedClaims.add(primary);
  }

  /**
   * The batch's managed claims asked again inside its transaction: planning asked outside it, and an
   * invitee's accept in another organization may have committed since. Throws for the first taken,
   * which fails the batch; its lines are then planned and written alone, and the claimed line refused.
   */
  async recheckManagedClaims(tx: Repos, claims: ReadonlySet<string>): Promise<void> {
    if (claims.size === 0) return;
    const asked = [...claims];
    for (const domain of new Set(asked.filter(looksLikeEmail).map(emailDomain))) {
      const owner = (await tx.domains.findOwner(domain))?.orgId ?? null;
      this.domainOwners.set(domain, owner);
      if (owner !== null && owner !== this.orgId) throw domainOwnedElsewhere(asked.find((e) => emailDomain(e) === domain)!, domain);
    }
    const taken = tx.users.findManagedElsewhere
      ? await tx.users.findManagedElsewhere(this.orgId, asked)
      : new Set((await Promise.all(asked.map(async (e) => ((await tx.users.isManagedElsewhere(this.orgId, e)) ? e : null)))).filter((e): e is string => e !== null));
    const first = asked.find((e) => taken.has(e));
    if (first !== undefined) throw managedElsewhere(first);
  }

  async findGroup(ov: Overlay, id: string): Promise<GroupRecord | null> {
    return ov.groups.get(id) ?? (await this.store.groups.get(this.orgId, id));
  }

  async accountByName(ov: Overlay, name: string): Promise<Account | null> {
    if (!this.accountNames) {
      this.accountNames = new Map();
      for await (const a of accountsOf(this.store, this.orgId)) this.accountNames.set(lower(a.name), a.id);
    }
    const fromBatch = [...ov.accounts.values()].find((a) => lower(a.name) === lower(name));
    const id = this.accountNames.get(lower(name));
    return fromBatch ?? (id ? await this.store.accounts.get(this.orgId, id) : null);
  }
}

const domainOwnedElsewhere = (primary: string, domain: string) =>
  Errors.importConflict(`The email domain '${domain}' of ${primary} is verified by another organization, which alone makes managed users on it. Give this user an address on one of your own domains, or import them with status pending or independent (an outside user with account roles), which makes no login there.`);
const managedElsewhere = (primary: string) =>
  Errors.importConflict(`${primary} is managed by another organization: a person is managed by one organization only. Import this user with status pending, or release them there first.`);
