/**
 * A person becomes an organization's managed user when the organization provisions them anew, or
 * when they accept its invitation; nobody outside it (an independent user: a contractor with
 * access to some accounts, whose login is theirs or another organization's) and nobody invited
 * (pending) becomes managed without accepting. No API door makes them so: SCIM POST of their
 * userName answers 409 (6612 for an independent user, 4002 for a pending one), and neither SCIM
 * nor /v1 sets a status. `orgscim import` matched a file's user line to such a user (by id, or by
 * userName: an independent user's is their email) and wrote the file's status: a line saying
 * "managed" (the default) took the person's login into the organization, which may then delete
 * it (docs/security.md case 87). A file is trusted for nothing it could grant (README, Export).
 *
 * Now such a line is refused 8102, nothing of it written; the user keeps their status. The same
 * line for a user managed already, a line keeping the independent or pending status, and a
 * migration (`orgscim migrate`, trust "store": states as the source store has them, made there by
 * the API) are applied as before.
 */
import type { Clock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import { importLines } from "../../src/cli/import";
import { aUser } from "../helpers/fixtures";
import { ORG_EXT, userBody } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";
import { linesOf, newOrg, tempStores, type TempStores } from "../cli/seed";

const clock: Clock = { now: () => new Date("2026-12-07T12:00:00.000Z") };
const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR99999999999999999999999999999999", exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
const line = (userName: string, over: Record<string, unknown> = {}) => JSON.stringify({ type: "user", resource: userBody(userName, over) });

let opened = 0;
const STORES: Array<[string, (t: TempStores) => Store]> = [
  ["SQLite", (t) => t.open(`c${++opened}.db`)],
  ["MongoDB store over the driver double", () => mingoStore()],
];

describe.each(STORES)("importing a line that would make an independent or pending user managed (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => { t = tempStores(); });
  afterEach(() => t.close());

  async function seeded(store: Store) {
    const org = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    const carol = aUser(org.id, { userName: "carol@partner.test", status: "independent", orgRole: null });
    const pat = aUser(org.id, { userName: "pat@acme.test", status: "pending" });
    const ann = aUser(org.id, { userName: "ann@acme.test" });
    for (const u of [carol, pat, ann]) await store.users.insert(u);
    return { org, carol, pat, ann };
  }

  it.each([1, 1000])("refuses 8102 a line making them managed (matched by userName or by id), and applies the others, at batch size %i", async (batchSize) => {
    const store = open(t);
    const { org, carol, pat, ann } = await seeded(store);
    const ownFile = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: org.id, exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
    const lines = [
      ownFile, // the organization's own file: ids match
      line("carol@partner.test"), // 2: the independent user's address, managed by default
      line("PAT@acme.test", { [ORG_EXT]: { status: "managed", orgRole: "administrator" } }), // 3: the pending user, by userName in another case
      JSON.stringify({ type: "user", resource: { ...userBody("pat-renamed@acme.test"), id: pat.id } }), // 4: the pending user, by id
      line("ann@acme.test", { displayName: "Ann Managed" }), // 5: managed already
      line("carol@partner.test", { displayName: "Carol Outside", [ORG_EXT]: { status: "independent" } }), // 6: stays independent
      line("pat@acme.test", { displayName: "Pat Invited", [ORG_EXT]: { status: "pending" } }), // 7: stays pending
    ];
    const { report } = await importLines(store, clock, org.id, linesOf(lines), { batchSize });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102], [3, 8102], [4, 8102]]);
    // Into another organization, the same lines (ids are the other organization's there) are refused alike by userName.
    const other = await importLines(store, clock, org.id, linesOf([header, lines[1]!, lines[2]!]), { batchSize });
    expect(other.report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102], [3, 8102]]);
    const now = async (id: string) => {
      const u = await store.users.get(org.id, id, { includeIndependent: true });
      return `${u?.userName} ${u?.status} ${u?.orgRole} ${u?.displayName}`;
    };
    expect([await now(carol.id), await now(pat.id), await now(ann.id)]).toEqual([
      "carol@partner.test independent null Carol Outside",
      "pat@acme.test pending standard Pat Invited",
      "ann@acme.test managed standard Ann Managed",
    ]);
  });

  it("lets a migration carry the source store's status (trust store)", async () => {
    const store = open(t);
    const { org, carol, pat } = await seeded(store);
    const fromStore = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: org.id, exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
    const { report } = await importLines(store, clock, org.id, linesOf([
      fromStore,
      JSON.stringify({ type: "user", resource: { ...userBody("carol@partner.test"), id: carol.id } }),
      JSON.stringify({ type: "user", resource: { ...userBody("pat@acme.test"), id: pat.id } }),
    ]), { trust: "store" });
    expect(report.errors).toEqual([]);
    expect((await store.users.get(org.id, carol.id, { includeIndependent: true }))?.status).toBe("managed");
    expect((await store.users.get(org.id, pat.id))?.status).toBe("managed");
  });
});
