/**
 * The groups of a page of users, by user id, for its answer: those the store read with the page
 * (StoredUser.groups, src/store/sqlite/user-page.ts), else one read for the page (groupsOfUsers, not
 * one per user); undefined for a page of one user the store gave without them, whose groups are read
 * as GET /Users/{id} reads them (groupsOfUser, one statement).
 */
import type { GroupRef, Store } from "../../domain/ports/store";
import { isStoredUser, type StoredUser } from "../../domain/stored-data";
import type { UserRecord } from "../../domain/types";

const carried = (u: UserRecord | StoredUser): GroupRef[] | undefined => (isStoredUser(u) ? u.groups : undefined);

export async function pageGroups(store: Store, items: readonly (UserRecord | StoredUser)[]): Promise<Map<string, GroupRef[]> | undefined> {
  const first = items[0];
  if (first === undefined) return undefined;
  if (items.every((u) => carried(u) !== undefined)) return new Map(items.map((u) => [u.id, carried(u) as GroupRef[]]));
  return items.length > 1 ? store.groups.groupsOfUsers(first.orgId, items.map((u) => u.id)) : undefined;
}
