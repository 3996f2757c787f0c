/**
 * Where SCIM events come from: one hook on the store, not a call in each use case. `withEvents`
 * wraps a store so that every transaction's writes to users and groups (inserts, updates, deletes,
 * membership changes) are noted as they happen, and, before the transaction commits, written as
 * SETs (RFC 9967) for each live event stream of the organization, in that same transaction. A
 * door (SCIM, /Bulk, /v1, the CLI, an import) or a use case written tomorrow therefore cannot
 * forget them: whatever changes a user or a group through the store makes its events, and a change
 * rolled back takes its events with it. A write made outside `transaction` runs in one of its own
 * for the same reason.
 *
 * What a change becomes (one SET per resource per transaction, its events merged; RFC 9967 §2.4):
 * - a user or group that appears (insert; a user becoming managed or pending: visible in /Users):
 *   prov:create:notice with the attributes it has;
 * - one that changes: prov:patch:notice (prov:put:notice in a SCIM PUT's transaction: see
 *   `scimPut`) with the attributes that changed, and prov:activate / prov:deactivate in the same SET
 *   when `active` turned; a group whose members changed: `members`;
 * - one that disappears (delete; a user leaving the organization, independent from then on):
 *   prov:delete. A resource created and deleted in one transaction makes none.
 * `version` is the resource's ETag after the change. Nothing is read, written or drawn at random
 * when the organization has no live stream but the list of its streams (one indexed read per
 * transaction that changes a user or group).
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { type Clock, systemClock } from "./clock";
import { EVENT, type EventStream, type ScimSubject, type SecurityEventRecord, type SetClaims } from "./events-model";
import type { EventRepo, GroupRepo, Repos, Store, TransactionOptions, UserRepo } from "./ports/store";
import type { GroupRecord, UserRecord } from "./types";

const ORGSCIM_USER = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
const ORGSCIM_GROUP = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";

/** Emits "written" (orgId) after a transaction that wrote SETs has committed: this process's push worker wakes up. */
export const setsWritten = new EventEmitter();
setsWritten.setMaxListeners(0);

const hex = (n: number) => randomBytes(n).toString("hex");

/** Users that SCIM shows (GET /Users): managed and pending members, not independent ones. */
const visible = (u: UserRecord | null): u is UserRecord => !!u && (u.status === "managed" || u.status === "pending");

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The SCIM attributes (RFC 7644 §3.5.2 paths) that differ between two states of a user. */
export function userAttributesChanged(before: UserRecord | null, after: UserRecord): string[] {
  const out = new Set<string>();
  const b = before;
  if (!b || b.userName !== after.userName) out.add("userName");
  if (!b || b.externalId !== after.externalId) { if (after.externalId !== null || b) out.add("externalId"); }
  if (!b || b.displayName !== after.displayName) { if (after.displayName !== null || b) out.add("displayName"); }
  if (!b || b.active !== after.active) out.add("active");
  if (!b || !same(b.emails, after.emails)) { if (after.emails.length > 0 || b) out.add("emails"); }
  const keys = new Set([...Object.keys(b?.data ?? {}), ...Object.keys(after.data)]);
  for (const k of keys) {
    if (["userName", "externalId", "displayName", "active", "emails", "schemas", "id", "meta", "groups", ORGSCIM_USER].includes(k)) continue;
    if (!same(b?.data[k], after.data[k])) out.add(k);
  }
  if (!b || b.orgRole !== after.orgRole) out.add(`${ORGSCIM_USER}:orgRole`);
  if (b && b.status !== after.status) out.add(`${ORGSCIM_USER}:status`);
  if (!b || b.twoFactorRequired !== after.twoFactorRequired) { if (after.twoFactorRequired || b) out.add(`${ORGSCIM_USER}:twoFactorRequired`); }
  if (!b || b.passwordResetRequired !== after.passwordResetRequired) { if (after.passwordResetRequired || b) out.add(`${ORGSCIM_USER}:passwordResetRequired`); }
  return [...out];
}

/** The group extension's attributes as a binding shows them (src/scim/group-resource.ts). */
const bindingAttributes = (g: GroupRecord): Record<string, string | null> => ({
  orgRole: g.binding?.kind === "orgRole" ? g.binding.role : null,
  accountSid: g.binding?.kind === "accountRole" ? g.binding.accountId : null,
  accountRole: g.binding?.kind === "accountRole" ? g.binding.role : null,
});

/** The same for a group (its members are noted apart). */
export function groupAttributesChanged(before: GroupRecord | null, after: GroupRecord): string[] {
  const out = new Set<string>();
  if (!before || before.displayName !== after.displayName) out.add("displayName");
  if (!before || before.externalId !== after.externalId) { if (after.externalId !== null || before) out.add("externalId"); }
  const keys = new Set([...Object.keys(before?.data ?? {}), ...Object.keys(after.data)]);
  for (const k of keys) {
    if (["displayName", "externalId", "members", "schemas", "id", "meta"].includes(k)) continue;
    if (!same(before?.data[k], after.data[k])) out.add(k);
  }
  if (before) {
    const [b, a] = [bindingAttributes(before), bindingAttributes(after)];
    for (const k of Object.keys(a)) if (b[k] !== a[k]) out.add(`${ORGSCIM_GROUP}:${k}`);
  }
  return [...out];
}

/** What one transaction did to one resource, merged. */
interface Noted {
  orgId: string;
  subject: ScimSubject;
  created: boolean;
  deleted: boolean;
  attributes: Set<string>;
  /** `active` before the transaction's first change and after its last (users). */
  activeBefore: boolean | null;
  activeAfter: boolean | null;
  version: number | null;
}

/**
 * A SCIM PUT's transaction options: its changes are prov:put, not prov:patch. The SCIM doors hand it
 * to the use case (./users.ts modifyUser, ./groups.ts modifyGroup), which hands it to its
 * transaction: said to the transaction itself, not carried by an async context (an enabled
 * AsyncLocalStorage costs every promise of the process a hook, Node 20).
 */
export const scimPut: Readonly<TransactionOptions> = Object.freeze({ put: true });

class Recorder {
  private readonly streams = new Map<string, Promise<EventStream[]>>();
  private readonly noted = new Map<string, Noted>();
  readonly orgsWritten = new Set<string>();

  constructor(private readonly tx: Repos, private readonly events: EventRepo, private readonly clock: Clock, private readonly put: boolean) {}

  /** The organization's live streams, read once per transaction. */
  live(orgId: string): Promise<EventStream[]> {
    let found = this.streams.get(orgId);
    if (!found) {
      found = this.events.listLiveStreams(orgId);
      this.streams.set(orgId, found);
    }
    return found;
  }

  private entry(orgId: string, kind: "Users" | "Groups", id: string, externalId: string | null): Noted {
    const key = `${orgId}/${kind}/${id}`;
    let n = this.noted.get(key);
    if (!n) {
      n = { orgId, subject: { format: "scim", uri: `/${kind}/${id}`, id }, created: false, deleted: false, attributes: new Set(), activeBefore: null, activeAfter: null, version: null };
      this.noted.set(key, n);
    }
    if (externalId !== null) n.subject.externalId = externalId;
    return n;
  }

  userChanged(before: UserRecord | null, after: UserRecord | null): void {
    const shownBefore = visible(before);
    const shownAfter = visible(after);
    if (!shownBefore && !shownAfter) return;
    const u = (after ?? before)!;
    const n = this.entry(u.orgId, "Users", u.id, u.externalId);
    if (n.activeBefore === null && shownBefore) n.activeBefore = before.active;
    if (!shownAfter) {
      n.deleted = true;
      return;
    }
    n.deleted = false;
    if (!shownBefore) n.created = true;
    for (const a of userAttributesChanged(shownBefore ? before : null, after)) n.attributes.add(a);
    n.activeAfter = after.active;
    n.version = after.version;
  }

  groupChanged(before: GroupRecord | null, after: GroupRecord | null, members = false, version?: number | null): void {
    const g = (after ?? before)!;
    const n = this.entry(g.orgId, "Groups", g.id, g.externalId);
    if (!after) {
      n.deleted = true;
      return;
    }
    if (!before && !members) n.created = true;
    for (const a of groupAttributesChanged(before, after)) n.attributes.add(a);
    if (members) n.attributes.add("members");
    n.version = version ?? after.version;
  }

  membersChanged(orgId: string, groupId: string): void {
    const n = this.entry(orgId, "Groups", groupId, null);
    n.attributes.add("members");
  }

  groupVersion(orgId: string, groupId: string, version: number | null): void {
    const n = this.noted.get(`${orgId}/Groups/${groupId}`);
    if (n && version !== null) n.version = version;
  }

  /** Writes the SETs, in the transaction, for each live stream; answers the organizations written for. */
  async flush(): Promise<void> {
    if (this.noted.size === 0) return;
    const now = this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const at = now.toISOString();
    const rows: SecurityEventRecord[] = [];
    let txn: string | undefined; // drawn with the first SET: nothing random where no stream listens
    for (const n of this.noted.values()) {
      if (n.created && n.deleted) continue;
      const events: SetClaims["events"] = {};
      const version = n.version === null ? {} : { version: `W/"${n.version}"` };
      if (n.deleted) events[EVENT.delete] = {};
      else if (n.created) events[EVENT.create] = { attributes: ["id", ...n.attributes].filter((a, i, all) => all.indexOf(a) === i), ...version };
      else {
        if (n.attributes.size === 0) continue; // written, nothing a receiver sees changed (a version bump)
        events[this.put ? EVENT.put : EVENT.patch] = { attributes: [...n.attributes], ...version };
        if (n.activeBefore === true && n.activeAfter === false) events[EVENT.deactivate] = {};
        if (n.activeBefore === false && n.activeAfter === true) events[EVENT.activate] = {};
      }
      const streams = await this.live(n.orgId);
      for (const stream of streams) {
        txn ??= hex(16);
        const claims: SetClaims = { jti: hex(16), iat, txn, sub_id: n.subject, events };
        rows.push({
          seq: 0, jti: claims.jti, orgId: n.orgId, streamId: stream.id, subject: n.subject.uri, claims: JSON.stringify(claims),
          status: "pending", attempts: 0, nextAttemptAt: at, lastError: null, created: at,
        });
        this.orgsWritten.add(n.orgId);
      }
    }
    if (rows.length > 0) await this.events.append(rows);
  }

  /** The transaction's repositories, with users' and groups' writes noted. */
  repos(): Repos {
    const tx = this.tx;
    const users: UserRepo = {
      ...tx.users,
      insert: async (user) => {
        await tx.users.insert(user);
        if ((await this.live(user.orgId)).length > 0) this.userChanged(null, user);
      },
      update: async (user, expected) => {
        if ((await this.live(user.orgId)).length === 0) return tx.users.update(user, expected);
        const before = await tx.users.get(user.orgId, user.id, { includeIndependent: true });
        const ok = await tx.users.update(user, expected);
        if (ok) this.userChanged(before, user);
        return ok;
      },
      delete: async (orgId, id) => {
        if ((await this.live(orgId)).length === 0) return tx.users.delete(orgId, id);
        const before = await tx.users.get(orgId, id, { includeIndependent: true });
        // The store drops the user's memberships with the user: those groups' members change too.
        const groupsOf = await tx.groups.groupsOfUser(orgId, id);
        const ok = await tx.users.delete(orgId, id);
        if (ok) {
          this.userChanged(before, null);
          for (const g of groupsOf) this.membersChanged(orgId, g.id);
        }
        return ok;
      },
    };
    const membersOf = (orgId: string, groupId: string, changed: number) => {
      if (changed > 0) this.membersChanged(orgId, groupId);
      return changed;
    };
    const groups: GroupRepo = {
      ...tx.groups,
      insert: async (group) => {
        await tx.groups.insert(group);
        if ((await this.live(group.orgId)).length > 0) this.groupChanged(null, group);
      },
      update: async (group, expected) => {
        if ((await this.live(group.orgId)).length === 0) return tx.groups.update(group, expected);
        const before = await tx.groups.get(group.orgId, group.id);
        const ok = await tx.groups.update(group, expected);
        if (ok) this.groupChanged(before, group);
        return ok;
      },
      delete: async (orgId, id) => {
        if ((await this.live(orgId)).length === 0) return tx.groups.delete(orgId, id);
        const before = await tx.groups.get(orgId, id);
        const ok = await tx.groups.delete(orgId, id);
        if (ok && before) this.groupChanged(before, null);
        return ok;
      },
      addMembers: async (orgId, groupId, userIds, created, options) => membersOf(orgId, groupId, await tx.groups.addMembers(orgId, groupId, userIds, created, options)),
      removeMembers: async (orgId, groupId, userIds) => membersOf(orgId, groupId, await tx.groups.removeMembers(orgId, groupId, userIds)),
      removeAllMembers: async (orgId, groupId) => membersOf(orgId, groupId, await tx.groups.removeAllMembers(orgId, groupId)),
      touch: async (orgId, groupId, lastModified) => {
        const version = await tx.groups.touch(orgId, groupId, lastModified);
        this.groupVersion(orgId, groupId, version);
        return version;
      },
    };
    return { ...tx, users, groups };
  }
}

/**
 * The store with SCIM events captured (see above); `setsWritten` is told, after the commit, which
 * organizations got new SETs. A store without an events repository is answered as it is.
 */
export function withEvents<S extends Store>(store: S, options: { clock?: Clock } = {}): S {
  const events = store.events;
  if (!events) return store;
  const clock = options.clock ?? systemClock;
  const transaction = <T>(fn: (tx: Repos) => Promise<T>, options?: TransactionOptions): Promise<T> => {
    let recorder: Recorder | null = null;
    return store.transaction(async (tx) => {
      recorder = new Recorder(tx, tx.events ?? events, clock, options?.put === true);
      const result = await fn(recorder.repos());
      await recorder.flush();
      return result;
    }).then((result) => {
      const r = recorder as Recorder | null;
      if (r) for (const orgId of r.orgsWritten) setsWritten.emit("written", orgId);
      return result;
    });
  };
  // Writes outside a transaction run in one of their own, so that their events are written with them.
  const alone = <K extends "users" | "groups">(repo: K, method: string) =>
    (...args: unknown[]) => transaction((tx) => (tx[repo] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args));
  const users = { ...store.users } as Record<string, unknown>;
  for (const m of ["insert", "update", "delete"]) users[m] = alone("users", m);
  const groups = { ...store.groups } as Record<string, unknown>;
  for (const m of ["insert", "update", "delete", "addMembers", "removeMembers", "removeAllMembers"]) groups[m] = alone("groups", m);
  return { ...store, users: users as unknown as UserRepo, groups: groups as unknown as GroupRepo, transaction };
}
