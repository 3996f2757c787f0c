/**
 * Fixtures for test/store/filter-mongo.test.ts: ~30 varied users and a few groups of one
 * organization, each kept twice — as the MongoDB store stores it (src/store/mongo/docs.ts, checked
 * by the mongoose schemas) and as SCIM renders it (src/scim/*-resource.ts), which is what
 * `matches()` evaluates. Plus mingo helpers that run documents the way the store sends them.
 */
import { Aggregator, find } from "mingo";
import mongoose from "mongoose";
import type { MemberRef } from "../../src/domain/ports/store";
import type { Email, GroupRecord, MemberStatus, OrgRole, UserRecord } from "../../src/domain/types";
import { renderGroup } from "../../src/scim/group-resource";
import { renderUser } from "../../src/scim/user-resource";
import { groupDoc, userDoc, type Doc } from "../../src/store/mongo/docs";
import { compileFilter } from "../../src/store/mongo/filter-mongo";
import type { ResourceMap } from "../../src/store/mongo/filter-mongo";
import type { Filter } from "../../src/domain/filter";
import { checked, defineModels } from "../../src/store/mongo/models";

export const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const ORGSCIM = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
export const ORG = "ORfixture";
const BASE = "https://scim.test/v2";

/** Models on a connection that never connects: validation only. */
export const models = defineModels(mongoose.createConnection());

export interface UserSpec {
  data: Record<string, unknown>;
  externalId?: string | null;
  active?: boolean;
  status?: MemberStatus;
  orgRole?: OrgRole | null;
  twoFactorRequired?: boolean;
  passwordResetRequired?: boolean;
  version?: number;
  created?: string;
  lastModified?: string;
}

export function userRecord(id: string, s: UserSpec, orgId = ORG): UserRecord {
  const data = JSON.parse(JSON.stringify(s.data)) as Record<string, unknown>;
  const created = s.created ?? "2024-01-01T00:00:00.000Z";
  return {
    id, orgId,
    userName: data.userName as string,
    externalId: s.externalId ?? null,
    displayName: typeof data.displayName === "string" ? data.displayName : null,
    active: s.active ?? true,
    status: s.status ?? "managed",
    orgRole: s.orgRole === undefined ? "standard" : s.orgRole,
    twoFactorRequired: s.twoFactorRequired ?? false,
    passwordResetRequired: s.passwordResetRequired ?? false,
    emails: Array.isArray(data.emails) ? (data.emails as Email[]) : [],
    data,
    version: s.version ?? 1,
    created,
    lastModified: s.lastModified ?? created,
  };
}

const mail = (value: string, type?: string, primary?: boolean, display?: string): Email => {
  const e: Email = { value };
  if (type !== undefined) e.type = type;
  if (primary !== undefined) e.primary = primary;
  if (display !== undefined) e.display = display;
  return e;
};

const HAND: [string, UserSpec][] = [
  ["US01", {
    data: {
      userName: "Alice@Acme.test", displayName: "Alice Smith", title: "Engineer", name: { givenName: "Alice", familyName: "Smith" },
      emails: [mail("alice@acme.test", "work", true, "Work mail"), mail("ALICE@home.test", "home", false)],
      [ENT]: { employeeNumber: "001", department: "R&D", manager: { value: "US02", displayName: "Bob" } },
    },
    externalId: "ext-1", orgRole: "owner", twoFactorRequired: true, version: 3,
  }],
  ["US02", { data: { userName: "bob@acme.test", emails: [] }, externalId: "EXT-1", active: false, orgRole: null, created: "2024-02-01T00:00:00.000Z" }],
  ["US03", { data: { userName: "carol@acme.test", title: "100%_sure", emails: [mail("carol@acme.test")] }, status: "pending", created: "2024-02-15T10:30:00.000Z" }],
  ["US04", {
    data: { userName: "dave@beta.test", title: "a\\b", emails: [mail("dave@beta.test", "work", true)], phoneNumbers: [{ value: "+1 555 0100", type: "mobile" }, { value: "+49 30 1234", type: "work" }] },
    orgRole: "administrator", created: "2024-03-01T00:00:00.000Z",
  }],
  ["US05", { data: { userName: "eve.*@x.test", title: ".*", emails: [mail("eve@x.test", "Work", true)] }, created: "2024-03-01T00:00:00.500Z" }],
  ["US06", { data: { userName: "frank@x.test", title: "end\n", displayName: "frank", emails: [mail("frank@x.test", "other")] }, passwordResetRequired: true }],
  ["US07", { data: { userName: "grace@x.test", title: "", name: {}, emails: [] }, created: "2024-04-01T12:00:00.000Z" }],
  ["US08", {
    data: { userName: "heidi@x.test", displayName: "Ärger", emails: [mail("heidi@x.test", "work", false, ""), mail("h2@x.test", "home", true)] },
    version: 12,
  }],
  ["US09", { data: { userName: "ivan@x.test", title: "$where", displayName: "ÄRGER", emails: [mail("ivan@x.test")], [ENT]: { employeeNumber: "002", manager: { displayName: "Nobody" } } } }],
  ["US10", {
    data: { userName: "judy@x.test", addresses: [{ country: "DE", type: "work", primary: true }, { country: "US", type: "home" }], emails: [mail("judy@x.test", "work", true)] },
    externalId: "ext-10", orgRole: "administrator",
  }],
  ["US11", { data: { userName: "mallory@x.test", title: "end", name: { familyName: "smith" }, emails: [mail("m@x.test", "home", true)] }, active: false }],
  ["US12", { data: { userName: "Zed@X.test", displayName: "zed", emails: [mail("zed@x.test", "work", true)], [ENT]: { department: "Sales" } }, lastModified: "2024-06-01T00:00:00.000Z" }],
];

const TITLES = ["Engineer", "engineer", "Manager", "Sales Rep", "CTO", "x", "Zulu", undefined];
const DOMAINS = ["acme.test", "beta.test", "x.test"];

/** 18 more users, varied by rule. */
const GENERATED: [string, UserSpec][] = Array.from({ length: 18 }, (_, k) => {
  const i = k + 13;
  const domain = DOMAINS[i % 3] as string;
  const title = TITLES[i % TITLES.length];
  const data: Record<string, unknown> = {
    userName: `${i % 4 === 0 ? "U" : "u"}ser${i}@${domain}`,
    emails: i % 5 === 0 ? [] : [mail(`user${i}@${domain}`, i % 2 ? "work" : "home", true), ...(i % 3 === 0 ? [mail(`alt${i}@other.test`, "other", false)] : [])],
  };
  if (title !== undefined) data.title = title;
  if (i % 4 === 1) data.displayName = `User ${i}`;
  if (i % 6 === 0) data.name = { givenName: `G${i}`, familyName: i % 12 === 0 ? "Smith" : "Jones" };
  if (i % 7 === 0) data[ENT] = { employeeNumber: String(100 + i), department: i % 2 ? "R&D" : "Ops" };
  return [`US${String(i).padStart(2, "0")}`, {
    data,
    externalId: i % 3 === 0 ? `ext-${i}` : null,
    active: i % 4 !== 2,
    status: i % 9 === 0 ? "pending" : "managed",
    orgRole: (["standard", "administrator", null] as const)[i % 3] ?? null,
    twoFactorRequired: i % 2 === 0,
    version: i,
    created: new Date(Date.UTC(2024, i % 12, 1 + (i % 27), i % 24)).toISOString(),
  }];
});

export const USER_RECORDS: UserRecord[] = [...HAND, ...GENERATED].map(([id, s]) => userRecord(id, s));

export const GROUP_RECORDS: GroupRecord[] = [
  { id: "GP1", orgId: ORG, displayName: "Admins", externalId: "g-ext-1", builtin: true, binding: { kind: "orgRole", role: "administrator" }, data: { displayName: "Admins" }, version: 1, created: "2024-01-01T00:00:00.000Z", lastModified: "2024-01-01T00:00:00.000Z" },
  { id: "GP2", orgId: ORG, displayName: "Sales", externalId: null, builtin: false, binding: null, data: { displayName: "Sales" }, version: 4, created: "2024-02-01T00:00:00.000Z", lastModified: "2024-05-01T00:00:00.000Z" },
  { id: "GP3", orgId: ORG, displayName: "Empty", externalId: null, builtin: false, binding: null, data: { displayName: "Empty" }, version: 1, created: "2024-03-01T00:00:00.000Z", lastModified: "2024-03-01T00:00:00.000Z" },
  { id: "GP4", orgId: ORG, displayName: "admins-eu", externalId: "G-EXT-1", builtin: false, binding: null, data: { displayName: "admins-eu" }, version: 2, created: "2024-04-01T00:00:00.000Z", lastModified: "2024-04-01T00:00:00.000Z" },
];

/** group id → member user ids, in insertion order. */
export const MEMBERSHIP: Record<string, string[]> = {
  GP1: ["US01", "US02", "US04"],
  GP2: ["US02", "US03", "US12", "US20"],
  GP3: [],
  GP4: ["US08"],
};

export const seqOf = (id: string): number => Number(id.slice(2));

/** Stored documents, validated by the mongoose schemas as the store validates them. */
export const storedUser = (u: UserRecord): Promise<Doc> => checked(models.users, userDoc(u, seqOf(u.id)));
export const storedGroup = (g: GroupRecord): Promise<Doc> => checked(models.groups, groupDoc(g, seqOf(g.id)));

export function membershipDocs(membership: Record<string, string[]>, orgId = ORG): Promise<Doc[]> {
  return Promise.all(Object.entries(membership).flatMap(([groupId, ids]) =>
    ids.map((userId) => checked(models.group_members, { _id: `${groupId}:${userId}`, orgId, groupId, userId, userSeq: seqOf(userId) }))));
}

const memberRef = (u: UserRecord): MemberRef => ({ id: u.id, display: u.displayName ?? u.userName });

/** SCIM resources as the server renders them, with groups and members from `membership`. */
export function renderUsers(users: UserRecord[], groups: GroupRecord[], membership: Record<string, string[]>): Record<string, unknown>[] {
  return users.map((u) => {
    // Filters on orgRole match the direct role (README: a group's grant raises the rendered,
    // effective role, which no store index holds), so render without the groups' bindings.
    const of = groups.filter((g) => membership[g.id]?.includes(u.id)).map((g) => ({ id: g.id, display: g.displayName, builtin: g.builtin, binding: null }));
    return renderUser(u, BASE, of, true);
  });
}

export function renderGroups(groups: GroupRecord[], users: UserRecord[], membership: Record<string, string[]>): Record<string, unknown>[] {
  return groups.map((g) => renderGroup(g, BASE, (membership[g.id] ?? []).map((id) => memberRef(users.find((u) => u.id === id) as UserRecord))));
}

/** Runs the compiled filter (its joins to group_members, then its query) with mingo; answers sorted ids. */
export function mingoSelect(
  filter: Filter, map: ResourceMap, docs: Doc[], collections: { users: Doc[]; groups: Doc[]; group_members: Doc[] },
): string[] {
  const { lookups, match } = compileFilter(filter, map, ORG);
  if (lookups.length === 0) return find(docs, match).all().map((d) => String((d as Doc)._id)).sort();
  const agg = new Aggregator([...lookups, { $match: match }], { collectionResolver: (name: string) => collections[name as keyof typeof collections] });
  return agg.run(docs).map((d) => String((d as Doc)._id)).sort();
}
