/**
 * The store contract: every comparison operator and `pr` on every kind of attribute a filter can
 * reach (case-insensitive strings with and without a folded shadow, caseExact strings, strings kept
 * in `data` and in an extension, booleans, dateTimes, multi-valued sub-attributes), with ordering
 * comparisons across case and date-times written in several forms; sorting on each of those
 * attributes both ways; and both paging modes over a filter. The expected answers come from the
 * domain's own evaluator (`matches()`) and from the sort order RFC 7644 §3.4.2.3 and
 * docs/stores.md state, so every store is held to one meaning, and a store that answers differently
 * lists each case it got wrong. Values are ASCII: Unicode case folding outside userName and emails
 * differs between the stores by design (README, "Case").
 */
import type { AttrRef, CompareOp, Filter, FilterValue } from "../../../src/domain/filter";
import { matches, valuesOf } from "../../../src/domain/filter-eval";
import type { Store } from "../../../src/domain/ports/store";
import type { UserRecord } from "../../../src/domain/types";
import { ENTERPRISE_SCHEMA } from "../../../src/scim/schemas";
import { GROUPS, USERS } from "../../../src/scim/resource-types";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const OPS: CompareOp[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

interface Spec {
  userName: string; displayName?: string; externalId?: string; familyName?: string; title?: string;
  employeeNumber?: string; active: boolean; created: string; lastModified: string;
  emails: { value: string; type?: string; primary?: boolean }[];
}

const SPECS: Spec[] = [
  { userName: "alice@x.test", displayName: "alice", externalId: "Ext-b", familyName: "Apple", title: "Lead", employeeNumber: "0042", active: true,
    created: "2026-01-01T00:00:00.000Z", lastModified: "2026-01-05T12:00:00.000Z",
    emails: [{ value: "Work-A@x.test", type: "work", primary: true }, { value: "home-z@x.test", type: "home" }] },
  { userName: "Bob@x.test", displayName: "Bob", externalId: "ext-a", familyName: "banana", title: "lead", active: false,
    created: "2026-01-02T00:00:00.000Z", lastModified: "2026-01-03T00:00:00.000Z",
    emails: [{ value: "b-home@x.test", type: "home" }, { value: "B-work@x.test", type: "work", primary: true }] },
  { userName: "carol@x.test", externalId: "EXT-C", familyName: "Banana", employeeNumber: "0100", active: true,
    created: "2026-01-02T10:30:00.000Z", lastModified: "2026-01-02T10:30:00.000Z",
    emails: [{ value: "carol@x.test" }] },
  { userName: "DAVE@x.test", displayName: "dave", familyName: "cherry", title: "Engineer", employeeNumber: "7", active: true,
    created: "2026-01-03T00:00:00.000Z", lastModified: "2026-01-04T00:00:00.000Z",
    emails: [{ value: "z-first@x.test", type: "other" }, { value: "a-second@x.test", type: "work" }] },
  { userName: "eve@x.test", displayName: "Eve", externalId: "ext-b", title: "engineer", active: false,
    created: "2025-12-31T23:59:59.999Z", lastModified: "2026-01-06T00:00:00.000Z",
    emails: [] },
];

/** Attributes and the values each is compared with (the stored ones in other cases, between them, and around them). */
const USER_CASES: [string, FilterValue[]][] = [
  ["userName", ["bob@x.test", "BOB@X.TEST", "c", "C", "dave", "x.test", "@X.TEST", "b"]],
  ["displayName", ["bob", "BOB", "c", "Dave", "e", "A"]],
  ["externalId", ["ext-a", "EXT-A", "ext-b", "Ext", "ext", "E", "f"]],
  ["name.familyName", ["banana", "BANANA", "b", "Banana", "c", "APP", "rry"]],
  ["title", ["lead", "LEAD", "eng", "f", "Lead", "E"]],
  [`${ENTERPRISE_SCHEMA}:employeeNumber`, ["0042", "01", "7", "1", "00"]],
  ["emails.value", ["b-work@x.test", "B-WORK@X.TEST", "a", "home", "Z", "c"]],
  ["emails.type", ["work", "WORK", "home", "o", "h"]],
  ["meta.created", ["2026-01-02T00:00:00Z", "2026-01-02T00:00:00.000Z", "2026-01-02T10:30:00+00:00", "2026-01-02T05:30:00-05:00", "2026-01-01T23:59:59.999Z", "2026-01-02"]],
  ["meta.lastModified", ["2026-01-04T00:00:00Z", "2026-01-03T01:00:00+01:00", "2026-01-05"]],
  ["active", [true, false]],
  ["emails.primary", [true, false]],
];

const SORTED = ["userName", "displayName", "externalId", "name.familyName", "title", `${ENTERPRISE_SCHEMA}:employeeNumber`,
  "emails.value", "emails.type", "meta.created", "meta.lastModified", "active"];

const BOOLEAN_OPS: CompareOp[] = ["eq", "ne"];
const DATE_OPS: CompareOp[] = ["eq", "ne", "gt", "ge", "lt", "le"];

function resourceOf(s: Spec, u: UserRecord): Record<string, unknown> {
  return { ...u.data, id: u.id, ...(s.externalId !== undefined ? { externalId: s.externalId } : {}), meta: { resourceType: "User", created: s.created, lastModified: s.lastModified } };
}

function userOf(orgId: string, s: Spec): UserRecord {
  const data: Record<string, unknown> = { userName: s.userName, emails: s.emails, active: s.active };
  if (s.displayName !== undefined) data.displayName = s.displayName;
  if (s.familyName !== undefined) data.name = { familyName: s.familyName };
  if (s.title !== undefined) data.title = s.title;
  if (s.employeeNumber !== undefined) data[ENTERPRISE_SCHEMA] = { employeeNumber: s.employeeNumber };
  return aUser(orgId, {
    userName: s.userName, displayName: s.displayName ?? null, externalId: s.externalId ?? null, active: s.active,
    emails: s.emails, data, created: s.created, lastModified: s.lastModified,
  });
}

/** The value a resource sorts by (RFC 7644 §3.4.2.3): the single value, or the primary element's, else the first present. */
function sortValue(resource: Record<string, unknown>, ref: AttrRef): unknown {
  if (!ref.multiValued) {
    const v = valuesOf(resource, ref)[0];
    return v === undefined || v === null || v === "" ? undefined : v;
  }
  const elements = valuesOf(resource, { ...ref, sub: undefined }) as Record<string, unknown>[];
  const withValue = elements.filter((e) => e?.[ref.sub!] !== undefined && e?.[ref.sub!] !== null);
  return (withValue.find((e) => e.primary === true) ?? withValue[0])?.[ref.sub!];
}

/** Missing values last ascending and first descending; case-insensitive strings compared lower-cased; ties in insertion order. */
function expectedOrder(resources: Record<string, unknown>[], ref: AttrRef, descending: boolean): string[] {
  const key = (r: Record<string, unknown>) => {
    const v = sortValue(r, ref);
    return typeof v === "string" && !ref.caseExact ? v.toLowerCase() : v;
  };
  const indexed = resources.map((r, i) => ({ id: r.id as string, k: key(r), i }));
  const cmp = (a: unknown, b: unknown) => (a === b ? 0 : (a as string) < (b as string) ? -1 : 1);
  indexed.sort((a, b) => {
    const am = a.k === undefined, bm = b.k === undefined;
    if (am !== bm) return (am ? 1 : -1) * (descending ? -1 : 1);
    const c = am ? 0 : cmp(a.k, b.k) * (descending ? -1 : 1);
    return c !== 0 ? c : a.i - b.i;
  });
  return indexed.map((x) => x.id);
}

export function filterMatrix(it_: ContractIt, store: () => Store): void {
  it_("answers every operator on every kind of attribute as matches() does, ordering across case and date-time forms included", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const resources: Record<string, unknown>[] = [];
    for (const s of SPECS) {
      const u = userOf(org.id, s);
      await store().users.insert(u);
      resources.push(resourceOf(s, u));
    }
    const failures: string[] = [];
    let cases = 0;
    for (const [path, values] of USER_CASES) {
      const attr = USERS.resolver.resolve(path);
      const ops = attr.type === "boolean" ? BOOLEAN_OPS : attr.type === "dateTime" ? DATE_OPS : OPS;
      const filters: Filter[] = [{ kind: "pr", attr }, { kind: "not", item: { kind: "pr", attr } }];
      for (const op of ops) for (const value of values) filters.push({ kind: "cmp", attr, op, value });
      for (const filter of filters) {
        cases++;
        const want = resources.filter((r) => matches(r, filter)).map((r) => r.id as string).sort();
        let got: string[] | string;
        try {
          got = (await store().users.list(org.id, { filter, startIndex: 1, count: 50 })).items.map((u) => u.id).sort();
        } catch (e) {
          got = `threw ${String((e as Error).message)}`;
        }
        const label = filter.kind === "cmp" ? `${path} ${filter.op} ${JSON.stringify(filter.value)}` : filter.kind === "pr" ? `${path} pr` : `not (${path} pr)`;
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }
    expect(cases).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 120_000);

  it_("sorts on each sortable attribute both ways: missing values last ascending and first descending, case folded, ties in insertion order", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const resources: Record<string, unknown>[] = [];
    for (const s of SPECS) {
      const u = userOf(org.id, s);
      await store().users.insert(u);
      resources.push(resourceOf(s, u));
    }
    const failures: string[] = [];
    for (const path of SORTED) {
      const attr = USERS.resolver.resolve(path);
      for (const descending of [false, true]) {
        const want = expectedOrder(resources, attr, descending);
        const got = (await store().users.list(org.id, { sort: { attr, descending }, startIndex: 1, count: 50 })).items.map((u) => u.id);
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${path} ${descending ? "descending" : "ascending"}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        // A page of a sorted list is that part of the whole order.
        const page = (await store().users.list(org.id, { sort: { attr, descending }, startIndex: 2, count: 2 })).items.map((u) => u.id);
        if (JSON.stringify(page) !== JSON.stringify(want.slice(1, 3))) failures.push(`${path} ${descending ? "descending" : "ascending"} page 2-3: got ${JSON.stringify(page)}, want ${JSON.stringify(want.slice(1, 3))}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it_("sorts groups by displayName, externalId and meta.created, and filters them by ordering on displayName", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const specs = [
      { displayName: "beta", externalId: "X2", created: "2026-01-03T00:00:00.000Z" },
      { displayName: "Alpha", externalId: null, created: "2026-01-01T00:00:00.000Z" },
      { displayName: "ALPHA2", externalId: "x1", created: "2026-01-02T00:00:00.000Z" },
      { displayName: "Gamma", externalId: "X1", created: "2026-01-02T00:00:00.000Z" },
    ];
    const resources: Record<string, unknown>[] = [];
    for (const s of specs) {
      const g = aGroup(org.id, { displayName: s.displayName, externalId: s.externalId, created: s.created, lastModified: s.created, data: { displayName: s.displayName } });
      await store().groups.insert(g);
      resources.push({ displayName: s.displayName, id: g.id, ...(s.externalId !== null ? { externalId: s.externalId } : {}), meta: { resourceType: "Group", created: s.created, lastModified: s.created } });
    }
    const failures: string[] = [];
    for (const path of ["displayName", "externalId", "meta.created"]) {
      const attr = GROUPS.resolver.resolve(path);
      for (const descending of [false, true]) {
        const want = expectedOrder(resources, attr, descending);
        const got = (await store().groups.list(org.id, { sort: { attr, descending }, startIndex: 1, count: 50, excludeBuiltin: true })).items.map((g) => g.id);
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${path} ${descending ? "descending" : "ascending"}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }
    const attr = GROUPS.resolver.resolve("displayName");
    for (const op of OPS) {
      for (const value of ["alpha", "ALPHA", "b", "Gamma", "a"]) {
        const filter: Filter = { kind: "cmp", attr, op, value };
        const want = resources.filter((r) => matches(r, filter)).map((r) => r.id as string).sort();
        const got = (await store().groups.list(org.id, { filter, startIndex: 1, count: 50, excludeBuiltin: true })).items.map((g) => g.id).sort();
        if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`displayName ${op} ${JSON.stringify(value)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it_("pages a filtered list by index and by cursor alike: each match once, in insertion order, the total the same on every page", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const resources: Record<string, unknown>[] = [];
    for (let round = 0; round < 3; round++) {
      for (const s of SPECS) {
        const u = userOf(org.id, { ...s, userName: `${round}-${s.userName}`, emails: s.emails.map((e) => ({ ...e, value: `${round}-${e.value}` })) });
        await store().users.insert(u);
        resources.push(resourceOf(s, u));
      }
    }
    const filters: Filter[] = [
      { kind: "cmp", attr: USERS.resolver.resolve("name.familyName"), op: "ge", value: "B" },
      { kind: "cmp", attr: USERS.resolver.resolve("active"), op: "eq", value: true },
      { kind: "or", items: [{ kind: "cmp", attr: USERS.resolver.resolve("title"), op: "sw", value: "LE" }, { kind: "cmp", attr: USERS.resolver.resolve("meta.created"), op: "lt", value: "2026-01-01" }] },
    ];
    for (const filter of filters) {
      const want = resources.filter((r) => matches(r, filter)).map((r) => r.id as string);
      expect(want.length).toBeGreaterThan(3);
      const byIndex: string[] = [];
      for (let start = 1; start <= want.length; start += 2) {
        const page = await store().users.list(org.id, { filter, startIndex: start, count: 2 });
        expect(page.total).toBe(want.length);
        byIndex.push(...page.items.map((u) => u.id));
      }
      expect(byIndex).toEqual(want);
      const byCursor: string[] = [];
      let cursor: string | undefined = "";
      while (cursor !== undefined) {
        const page: Awaited<ReturnType<Store["users"]["list"]>> = await store().users.list(org.id, { filter, startIndex: 1, count: 2, cursor });
        expect(page.total).toBe(want.length);
        byCursor.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor;
      }
      expect(byCursor).toEqual(want);
    }
  });
}
