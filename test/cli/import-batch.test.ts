/**
 * An import writes its lines in batches (one transaction a batch, lookups and inserts made for many
 * lines at once). Whatever the batch size, every line gets the outcome it gets imported alone: the
 * same refusals with the same codes, nothing of a refused line applied, the same records after.
 * The lines are data (CASES); each store runs every case at batch sizes 1 (one line a transaction:
 * the per-user import), 4 (cases split across batches) and 1,000 (all in one batch), in file order
 * and reversed; on SQLite (with and without its lookups of many) and on the MongoDB store over its
 * driver double.
 */
import type { Clock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import { orgRoleGroupId } from "../../src/domain/role-groups";
import { importLines } from "../../src/cli/import";
import { aUser } from "../helpers/fixtures";
import { ORG_EXT, userBody } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";
import { linesOf, newOrg, tempStores, verifyDomain, type TempStores } from "./seed";

const clock: Clock = { now: () => new Date("2026-03-01T12:00:00.000Z") };
const FILE_ORG = "OR99999999999999999999999999999999";
const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: FILE_ORG, exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
const user = (userName: string, over: Record<string, unknown> = {}) => JSON.stringify({ type: "user", resource: { ...userBody(userName), ...over } });

/** What a line is, and what importing it does (null: applied; a number: refused with that error code). */
interface Case {
  rule: string;
  lines: string[];
  /** The error code of each line, in order (null: applied). */
  codes: (number | null)[];
}

/**
 * The target organization has: a verified domain t.test, kept@t.test (managed), ind@p.test
 * (independent); another organization manages shared@e.test.
 */
const CASES: Case[] = [
  { rule: "a new managed user on the organization's verified domain is created", lines: [user("new1@t.test")], codes: [null] },
  {
    rule: "the same userName twice, differing in case: the second line matches the first (one user, updated)",
    lines: [user("twice@t.test"), user("TWICE@t.test")], codes: [null, null],
  },
  { rule: "a user on a domain the organization has not verified is restored (domain enforcement governs IdPs, not files)", lines: [user("x@unverified.test")], codes: [null] },
  { rule: "a managed user whose primary email another organization manages is refused (8102)", lines: [user("shared@e.test")], codes: [8102] },
  { rule: "... whatever the case of that email (8102)", lines: [user("Shared@E.TEST")], codes: [8102] },
  {
    rule: "that person as a pending user is created (an invitation, not a claim)",
    lines: [user("pend@t.test", { emails: [{ value: "shared@e.test", type: "work", primary: true }], [ORG_EXT]: { status: "pending" } })], codes: [null],
  },
  { rule: "a line without userName is refused (4004)", lines: [JSON.stringify({ type: "user", resource: { userName: "" } })], codes: [4004] },
  { rule: "a line that is not JSON is refused (8101)", lines: ["{not json"], codes: [8101] },
  {
    rule: "two primary emails are refused (4005)",
    lines: [user("two@t.test", { emails: [{ value: "a@t.test", primary: true }, { value: "b@t.test", primary: true }] })], codes: [4005],
  },
  { rule: "an existing user named in another case, one field changed, is updated", lines: [user("KEPT@t.test", { displayName: "Kept Again" })], codes: [null] },
  { rule: "a userName an independent member holds matches that member", lines: [user("IND@p.test", { [ORG_EXT]: { status: "independent", orgRole: null } })], codes: [null] },
  {
    rule: "a second Owner is refused (8102): the organization has one",
    lines: [user("own1@t.test", { [ORG_EXT]: { orgRole: "owner" } }), user("own2@t.test", { [ORG_EXT]: { orgRole: "owner" } })], codes: [null, 8102],
  },
  { rule: "a userName refused on one line and then given correctly on the next is created once", lines: [user("late@t.test", { emails: [{ value: "shared@e.test", primary: true }] }), user("late@t.test")], codes: [8102, null] },
  { rule: "a line equal to what the store now has is unchanged", lines: [user("same@t.test"), user("same@t.test")], codes: [null, null] },
];

interface Target {
  orgId: string;
  otherId: string;
}

async function prepare(store: Store): Promise<Target> {
  const other = await newOrg(store, "Elsewhere", { domainEnforcement: false }, clock);
  await store.users.insert(aUser(other.id, { userName: "shared@e.test" }));
  const org = await newOrg(store, "Target", { domainEnforcement: true }, clock);
  await verifyDomain(store, org.id, "t.test");
  await store.users.insert(aUser(org.id, { userName: "kept@t.test", displayName: "Kept" }));
  await store.users.insert(aUser(org.id, { userName: "ind@p.test", status: "independent", orgRole: null }));
  return { orgId: org.id, otherId: other.id };
}

/** The organization's users and role-group members by userName: ids are new on every import, so they are left out. */
async function stateOf(store: Store, t: Target): Promise<unknown> {
  const { items } = await store.users.listByStatus(t.orgId, { offset: 0, limit: 1000 });
  const byId = new Map(items.map((u) => [u.id, u.userName]));
  const users = items.map(({ id: _id, orgId: _o, created: _c, ...u }) => u).sort((a, b) => a.userName.localeCompare(b.userName));
  const roles: Record<string, string[]> = {};
  for (const role of ["owner", "administrator", "standard"] as const) {
    roles[role] = (await store.groups.listMembers(t.orgId, orgRoleGroupId(t.orgId, role), 1000)).map((m) => byId.get(m.id) ?? m.id).sort();
  }
  const elsewhere = (await store.users.listByStatus(t.otherId, { offset: 0, limit: 10 })).items.map((u) => [u.userName, u.status, u.version]);
  const members = (await store.users.list(t.orgId, { startIndex: 1, count: 0 })).total;
  return { users, roles, elsewhere, members };
}

/** The store without its lookups of many (UserRepo's optional *Many): planning asks one line at a time. */
function oneByOne(store: Store): Store {
  const { findManyByUserName: _n, findManyByPrimaryEmail: _e, findManagedElsewhere: _m, ...users } = store.users;
  return { ...store, users };
}

let opened = 0;
const STORES: Array<[string, (t: TempStores) => Store]> = [
  ["SQLite", (t) => t.open(`s${++opened}.db`)],
  ["SQLite, planning each line with lookups of one", (t) => oneByOne(t.open(`s${++opened}.db`))],
  ["MongoDB store over the driver double", () => mingoStore()],
];

describe.each(STORES)("a batch imports as its lines would one by one (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => {
    t = tempStores();
  });
  afterEach(() => t.close());

  async function run(lines: string[], batchSize: number) {
    const store = open(t);
    const target = await prepare(store);
    const { report } = await importLines(store, clock, target.orgId, linesOf([header, ...lines]), { batchSize });
    // Ids are new on every import: an error naming one (the Owner) is compared without it.
    for (const e of report.errors) e.message = e.message.replace(/US[0-9a-f]{32}/g, "US…");
    return { report, state: await stateOf(store, target) };
  }

  const fileOf = (cases: Case[]) => {
    const lines = cases.flatMap((c) => c.lines);
    const codes = cases.flatMap((c) => c.codes);
    return { lines, refused: codes.flatMap((code, i) => (code === null ? [] : [[i + 2, code]])) };
  };

  it.each(CASES.map((c) => [c.rule, c] as const))("%s", async (_rule, c) => {
    const { lines, refused } = fileOf([c]);
    const alone = await run(lines, 1);
    expect(alone.report.errors.map((e) => [e.line, e.code])).toEqual(refused);
    const batched = await run(lines, 1000);
    expect(batched.report.errors).toEqual(alone.report.errors);
    expect(batched.report.counts).toEqual(alone.report.counts);
    expect(batched.state).toEqual(alone.state);
  });

  it.each([["in file order", false], ["reversed", true]] as const)("every case in one file, %s: batches of 1, 4 and 1,000 give the same report and the same records", async (_order, reversed) => {
    const cases = reversed ? [...CASES].reverse() : CASES;
    const { lines, refused } = fileOf(cases);
    const alone = await run(lines, 1);
    expect(alone.report.errors.map((e) => [e.line, e.code])).toEqual(refused);
    for (const batchSize of [4, 1000]) {
      const batched = await run(lines, batchSize);
      expect([batchSize, batched.report.errors]).toEqual([batchSize, alone.report.errors]);
      expect([batchSize, batched.report.counts]).toEqual([batchSize, alone.report.counts]);
      expect([batchSize, batched.state]).toEqual([batchSize, alone.state]);
    }
  }, 60_000);
});
