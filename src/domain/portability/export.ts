/**
 * Export: everything of one organization as a stream of records, in an order an import can
 * replay. The file format lives in src/cli/export.ts; this module knows records only.
 */
import { accountRoleGroupId } from "../account-roles";
import { Errors } from "../errors";
import type { ListQuery, ListResult, Store } from "../ports/store";
import { ACCOUNT_ROLES, type Account, type AuditEvent, type GroupRecord } from "../types";
import type { ExportItem, ExportOptions } from "./types";

export const PAGE = 1000;

async function* pages<T>(list: (q: ListQuery) => Promise<ListResult<T>>): AsyncGenerator<T> {
  let cursor: string | undefined = "";
  while (cursor !== undefined) {
    const page: ListResult<T> = await list({ startIndex: 1, count: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  }
}

/** Every item of a list the store pages by offset, in its order. */
async function* offsetPages<T>(list: (offset: number, limit: number) => Promise<{ items: T[] }>): AsyncGenerator<T> {
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await list(offset, PAGE);
    yield* items;
    if (items.length < PAGE) return;
  }
}

export const accountsOf = (store: Store, orgId: string): AsyncGenerator<Account> =>
  offsetPages((offset, limit) => store.accounts.list(orgId, { offset, limit }));

/** The audit log oldest first. The newest page is kept from the first pass, so events written during the export are not half-included. */
async function* auditOldestFirst(store: Store, orgId: string): AsyncGenerator<AuditEvent> {
  // Pages by position (AuditRepo.page): a store may find an event by its id only by a scan.
  const newest = await store.audit.page(orgId, { limit: PAGE });
  const boundaries: string[] = [];
  let last = newest.positions[newest.positions.length - 1];
  while (last !== undefined && boundaries.length < Number.MAX_SAFE_INTEGER) {
    const older = await store.audit.page(orgId, { limit: PAGE, after: last });
    if (older.events.length === 0) break;
    boundaries.push(last);
    last = older.positions[older.positions.length - 1];
  }
  for (let i = boundaries.length - 1; i >= 0; i--) {
    const events = await store.audit.list(orgId, { limit: PAGE, after: boundaries[i]! });
    for (let j = events.length - 1; j >= 0; j--) yield events[j]!;
  }
  for (let j = newest.events.length - 1; j >= 0; j--) yield newest.events[j]!;
}

/**
 * Everything of one organization, in an order an import can replay: the organization, its
 * domains, its built-in org-role groups, users (managed and pending, then independent), each
 * account followed by its built-in role groups (their members are the role assignments; a closed
 * account has none), the other groups with their member ids, then every invitation, and on
 * request tokens and the audit log. The order depends on the records only,
 * not on how they were interleaved when written, so an import reproduces the same export.
 */
export async function* exportOrganization(store: Store, orgId: string, options: ExportOptions = {}): AsyncGenerator<ExportItem> {
  const org = await store.orgs.get(orgId);
  if (!org) throw Errors.orgNotFound(orgId);
  yield { kind: "organization", org };
  for (const domain of await store.domains.list(orgId)) yield { kind: "domain", domain };
  const orgRoleGroup = (g: GroupRecord) => g.builtin && g.binding?.kind === "orgRole";
  for await (const group of pages((q) => store.groups.list(orgId, q))) if (orgRoleGroup(group)) yield { kind: "group", group, members: null };
  for await (const user of pages((q) => store.users.list(orgId, q))) yield { kind: "user", user };
  // Independent users (outside the organization, with roles on some of its accounts) after the others.
  for await (const user of offsetPages((offset, limit) => store.users.listByStatus(orgId, { status: "independent", offset, limit }))) yield { kind: "user", user };
  const withMembers = async (group: GroupRecord): Promise<ExportItem> => {
    const count = await store.groups.countMembers(orgId, group.id);
    // By id: the store's member order is its users' insertion order, which an import changes
    // (independent users come last in a file), and SCIM members have no order.
    const members = count === 0 ? [] : (await store.groups.listMembers(orgId, group.id, count)).map((m) => m.id).sort();
    return { kind: "group", group, members };
  };
  // Each account is followed by its built-in role groups, which an import creates with it.
  for await (const account of accountsOf(store, orgId)) {
    yield { kind: "account", account };
    for (const role of ACCOUNT_ROLES) {
      const group = await store.groups.get(orgId, accountRoleGroupId(account.id, role));
      if (group) yield await withMembers(group);
    }
  }
  for await (const group of pages((q) => store.groups.list(orgId, q))) if (!group.builtin) yield await withMembers(group);
  // Every invitation, in each state, including those whose user is gone (revoked, or removed with them).
  const now = new Date().toISOString();
  for await (const invitation of offsetPages((offset, limit) => store.invitations.list(orgId, { now, offset, limit }))) yield { kind: "invitation", invitation };
  // Static tokens only: OAuth clients and their short-lived access tokens are made again where the organization moves (docs/oauth.md).
  if (options.tokens) for (const token of await store.tokens.list(orgId)) if (!token.kind) yield { kind: "token", token };
  if (options.audit) for await (const event of auditOldestFirst(store, orgId)) yield { kind: "audit", event };
}
