/**
 * The store contract: the repositories not covered elsewhere, method by method (accounts,
 * invitations, organizations, tokens, users' role and email lookups, groups bound to accounts),
 * each scoped to its organization.
 */
import { UniqueViolation, type ListQuery, type Store } from "../../../src/domain/ports/store";
import type { Account, Invitation } from "../../../src/domain/types";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const T0 = "2026-01-01T00:00:00.000Z";
const at = (day: number) => `2026-01-${String(day).padStart(2, "0")}T00:00:00.000Z`;
let n = 0;
const hex = () => (++n).toString(16).padStart(32, "0");
const anAccount = (orgId: string, ownerId: string, over: Partial<Account> = {}): Account =>
  ({ id: `AC${hex()}`, orgId, name: `Account ${n}`, ownerId, status: "active", created: T0, lastModified: T0, ...over });
const anInvitation = (orgId: string, userId: string, over: Partial<Invitation> = {}): Invitation =>
  ({ id: `IN${hex()}`, orgId, userId, email: "x@acme.test", tokenHash: `h${hex()}`, expires: at(10), created: at(1), acceptedAt: null, revokedAt: null, ...over });

export function records(it_: ContractIt, store: () => Store): void {
  it_("keeps accounts in insertion order, narrows by status, pages, updates, and finds those a user owns, in its own organization only", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const owner = aUser(a.id); await store().users.insert(owner);
    const accounts = [anAccount(a.id, owner.id), anAccount(a.id, "USother", { status: "closed" }), anAccount(a.id, owner.id)];
    for (const x of accounts) await store().accounts.insert(x);
    await store().accounts.insert(anAccount(b.id, owner.id));
    expect(await store().accounts.get(a.id, accounts[0]!.id)).toEqual(accounts[0]);
    expect(await store().accounts.get(b.id, accounts[0]!.id)).toBeNull();
    expect(await store().accounts.list(a.id, { offset: 1, limit: 5 })).toEqual({ total: 3, items: accounts.slice(1) });
    expect(await store().accounts.list(a.id, { offset: 0, limit: 5, status: "closed" })).toEqual({ total: 1, items: [accounts[1]] });
    expect((await store().accounts.listOwnedBy(a.id, owner.id)).map((x) => x.id)).toEqual([accounts[0]!.id, accounts[2]!.id]);
    const renamed = { ...accounts[0]!, name: "Renamed", status: "closed" as const, lastModified: at(2) };
    expect(await store().accounts.update(renamed)).toBe(true);
    expect(await store().accounts.update({ ...renamed, orgId: b.id })).toBe(false);
    expect(await store().accounts.get(a.id, renamed.id)).toEqual(renamed);
    expect((await store().accounts.listOwnedBy(a.id, owner.id)).map((x) => x.id)).toEqual([accounts[2]!.id]);
  });

  it_("keeps invitations: by id in its organization, by user, by token hash across organizations, by state, compare-and-set on the token", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const u = aUser(a.id); await store().users.insert(u);
    const pending = anInvitation(a.id, u.id, { kind: "account", accountId: "ACx", accountRoles: ["developer"], orgRole: null, createdMember: true, newLogin: false, priorStatus: "managed" });
    const expired = anInvitation(a.id, u.id, { expires: at(2), created: at(2) });
    const accepted = anInvitation(a.id, u.id, { acceptedAt: at(3), created: at(3) });
    const revoked = anInvitation(a.id, u.id, { revokedAt: at(4), created: at(4) });
    for (const i of [pending, expired, accepted, revoked]) await store().invitations.insert(i);
    await expect(store().invitations.insert({ ...anInvitation(b.id, "USb"), tokenHash: pending.tokenHash })).rejects.toBeInstanceOf(UniqueViolation);
    expect(await store().invitations.get(a.id, pending.id)).toEqual(pending);
    expect(await store().invitations.get(b.id, pending.id)).toBeNull();
    expect((await store().invitations.listForUser(a.id, u.id)).map((i) => i.id)).toEqual([pending.id, expired.id, accepted.id, revoked.id]);
    expect(await store().invitations.listForUser(b.id, u.id)).toEqual([]);
    expect(await store().invitations.findByTokenHash(pending.tokenHash)).toEqual(pending);
    const now = at(5);
    const ids = async (state?: "pending" | "expired" | "accepted" | "revoked") =>
      (await store().invitations.list(a.id, { now, offset: 0, limit: 10, ...(state ? { state } : {}) })).items.map((i) => i.id);
    expect(await ids()).toEqual([pending.id, expired.id, accepted.id, revoked.id]);
    expect(await ids("pending")).toEqual([pending.id]);
    expect(await ids("expired")).toEqual([expired.id]);
    expect(await ids("accepted")).toEqual([accepted.id]);
    expect(await ids("revoked")).toEqual([revoked.id]);
    const resent = { ...pending, tokenHash: `h${hex()}` };
    expect(await store().invitations.update(resent, "wrong")).toBe(false);
    expect(await store().invitations.update(resent, pending.tokenHash)).toBe(true);
    expect(await store().invitations.findByTokenHash(pending.tokenHash)).toBeNull();
    expect(await store().invitations.update({ ...resent, acceptedAt: now }, resent.tokenHash)).toBe(true);
    expect(await store().invitations.update({ ...resent, revokedAt: now }, resent.tokenHash)).toBe(false);
  });

  it_("lists organizations oldest first, updates one, and keeps each organization's tokens apart", async () => {
    const a = anOrg({ created: "2020-01-01T00:00:00.000Z" }); const b = anOrg({ created: "2020-01-02T00:00:00.000Z" });
    await store().orgs.insert(b); await store().orgs.insert(a);
    const listed = (await store().orgs.list()).map((o) => o.id);
    expect(listed.indexOf(a.id)).toBeLessThan(listed.indexOf(b.id));
    expect(await store().orgs.update({ ...a, name: "Renamed", lastModified: at(2) })).toBe(true);
    expect((await store().orgs.get(a.id))?.name).toBe("Renamed");
    expect(await store().orgs.update({ ...anOrg(), name: "x" })).toBe(false);
    const token = (orgId: string, created: string) => ({ id: `TK${hex()}`, orgId, name: "t", scopes: ["scim" as const], secretHash: "00", userId: null, created, revoked: null });
    const [t1, t2, t3] = [token(a.id, at(2)), token(a.id, at(1)), token(b.id, at(1))];
    for (const t of [t1!, t2!, t3!]) await store().tokens.insert(t);
    expect((await store().tokens.list(a.id)).map((t) => t.id)).toEqual([t2!.id, t1!.id]);
    expect(await store().tokens.revoke(b.id, t1!.id, at(3))).toBe(false);
    expect(await store().tokens.revoke(a.id, t1!.id, at(3))).toBe(true);
    expect(await store().tokens.revoke(a.id, t1!.id, at(4))).toBe(false);
  });

  it_("counts owners, finds a member by primary email whatever its status, and lists groups bound to an account", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const owners = [aUser(org.id, { orgRole: "owner" }), aUser(org.id, { orgRole: "owner" }), aUser(org.id)];
    for (const u of owners) await store().users.insert(u);
    expect(await store().users.countByRole(org.id, "owner")).toBe(2);
    const ind = aUser(org.id, { userName: "Ind@Acme.test", status: "independent", orgRole: null }); await store().users.insert(ind);
    expect((await store().users.findByPrimaryEmail(org.id, "ind@ACME.test"))?.id).toBe(ind.id);
    expect(await store().users.findByPrimaryEmail(anOrg().id, "ind@acme.test")).toBeNull();
    expect((await store().users.get(org.id, ind.id, { includeIndependent: true }))?.id).toBe(ind.id);
    expect(await store().groups.existingUserIds(org.id, [ind.id, owners[0]!.id], { includeIndependent: true })).toEqual(new Set([ind.id, owners[0]!.id]));
    const bound = aGroup(org.id, { binding: { kind: "accountRole", accountId: "ACbound", role: "developer" } });
    await store().groups.insert(bound); await store().groups.insert(aGroup(org.id));
    expect((await store().groups.listBoundToAccount(org.id, "ACbound")).map((g) => g.id)).toEqual([bound.id]);
    expect((await store().groups.list(org.id, { startIndex: 1, count: 10, excludeBuiltin: true })).total).toBe(2);
  });

  it_("lists as stored (listStored, where the store has it) what list lists: the same page, total and cursor, each user's attributes as JSON.stringify of what list reads, and its groups, when given, as groupsOfUser(s) reads them", async () => {
    const users = store().users;
    if (!users.listStored) return; // optional: a store without it is listed by list
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const odd = { userName: "odd@acme.test", title: 'q"\\\u2028é😀', "0": 1, active: false, nested: { a: [1, { b: null }] } };
    const all = [aUser(a.id), aUser(a.id, { data: odd }), aUser(a.id, { status: "pending", externalId: "e" }), aUser(a.id, { status: "independent", orgRole: null }), aUser(b.id), aUser(a.id)];
    for (const u of all) await users.insert(u);
    // Groups inserted in an order that is not their ids' (a user's groups are in group order), one bound to an account.
    const groups = [aGroup(a.id), aGroup(a.id, { binding: { kind: "orgRole", role: "administrator" } }), aGroup(a.id), aGroup(b.id)];
    for (const g of groups) await store().groups.insert(g);
    await store().groups.addMembers(a.id, groups[2]!.id, [all[0]!.id, all[1]!.id, all[5]!.id]);
    await store().groups.addMembers(a.id, groups[0]!.id, [all[1]!.id, all[2]!.id, all[3]!.id]);
    await store().groups.addMembers(a.id, groups[1]!.id, [all[1]!.id]);
    await store().groups.addMembers(b.id, groups[3]!.id, [all[4]!.id]);
    const userName = { attr: "userName", type: "string", caseExact: false, multiValued: false } as const;
    const queries: ListQuery[] = [
      { startIndex: 1, count: 10 }, { startIndex: 2, count: 1 }, { startIndex: 1, count: 2, cursor: "" }, { startIndex: 1, count: 0 },
      { startIndex: 2, count: 3 },
      { startIndex: 1, count: 10, filter: { kind: "cmp", attr: userName, op: "ne", value: "odd@acme.test" } },
      { startIndex: 1, count: 10, filter: { kind: "cmp", attr: userName, op: "eq", value: "ODD@ACME.TEST" } },
      { startIndex: 1, count: 10, sort: { attr: userName, descending: true } },
    ];
    for (const q of queries) {
      const listed = await users.list(a.id, q);
      const stored = await users.listStored(a.id, q);
      expect({ ...stored, items: stored.items.map(({ dataText, groups: _, ...columns }) => ({ ...columns, data: JSON.parse(dataText) as unknown })) })
        .toEqual({ ...listed, items: listed.items.map(({ emails: _, userName: _n, displayName: _d, ...rest }) => rest) }); // the answer's userName and displayName are its attributes'
      expect(stored.items.map((u) => u.dataText)).toEqual(listed.items.map((u) => JSON.stringify(u.data)));
      const withGroups = stored.items.filter((u) => u.groups !== undefined);
      const read = await store().groups.groupsOfUsers(a.id, withGroups.map((u) => u.id));
      expect(withGroups.map((u) => u.groups)).toEqual(withGroups.map((u) => read.get(u.id)));
      for (const u of withGroups) expect(u.groups).toEqual(await store().groups.groupsOfUser(a.id, u.id));
      // Each user's list and entries its own: no two users share an object.
      const refs = withGroups.flatMap((u) => u.groups ?? []);
      expect(new Set(refs).size).toBe(refs.length);
      expect(new Set(refs.map((g) => g.binding).filter((x) => x !== null)).size).toBe(refs.filter((g) => g.binding !== null).length);
    }
  });
}
