/**
 * The organization that verified a domain alone makes managed users on its addresses (docs/tenancy.md;
 * every API door answers 4011 to any other). `orgscim import` asked only whether another
 * organization managed the same address, never who verified its domain, so a file imported into
 * any organization made managed users on another organization's verified domain: logins of
 * another company's people, held by an organization that cannot prove them (docs/security.md
 * case 79). Now a line that makes a user managed on such an address (a new user, one made managed,
 * or one whose primary email moves there) is refused 8102 naming the domain (in its canonical
 * form, whatever the file's spelling) and the ways out; asked while planning and again inside the
 * batch's transaction, since the owner may verify the domain in between. A user the organization
 * already held there is left as it is (an unchanged line), pending and independent users are
 * imported (they are not the organization's logins), and the owner imports its own.
 */
import type { Clock } from "../../src/domain/clock";
import type { Repos, Store } from "../../src/domain/ports/store";
import { importLines } from "../../src/cli/import";
import { aUser } from "../helpers/fixtures";
import { ORG_EXT, userBody } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";
import { linesOf, newOrg, tempStores, verifyDomain, type TempStores } from "../cli/seed";

const clock: Clock = { now: () => new Date("2026-12-07T12:00:00.000Z") };
const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR99999999999999999999999999999999", exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
const user = (userName: string, over: Record<string, unknown> = {}) => JSON.stringify({ type: "user", resource: userBody(userName, over) });
const IDN_ASCII = new URL("http://bücher.test").hostname;

let opened = 0;
const STORES: Array<[string, (t: TempStores) => Store]> = [
  ["SQLite", (t) => t.open(`v${++opened}.db`)],
  ["MongoDB store over the driver double", () => mingoStore()],
];

describe.each(STORES)("importing users on another organization's verified domain (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => { t = tempStores(); });
  afterEach(() => t.close());

  it.each([1, 1000])("refuses 8102 every line that would make one managed there, naming the domain, at batch size %i", async (batchSize) => {
    const store = open(t);
    const owner = await newOrg(store, "Owner", { domainEnforcement: true }, clock);
    await verifyDomain(store, owner.id, "acme.test");
    await verifyDomain(store, owner.id, IDN_ASCII);
    const target = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    // Held before the owner verified: left alone by an unchanged line, refused a move onto the domain.
    const held = aUser(target.id, { userName: "held@acme.test" });
    await store.users.insert(held);
    const mover = aUser(target.id, { userName: "mover@free.test" });
    await store.users.insert(mover);
    const lines = [
      header,
      user("bob@acme.test"), // 2
      user("bob2@ACME.test."), // 3
      user(`bob3@bücher.test`), // 4
      user("pend@acme.test", { [ORG_EXT]: { status: "pending" } }), // 5
      user("free@free.test"), // 6
      JSON.stringify({ type: "user", resource: { ...userBody("held@acme.test"), id: held.id } }), // 7
      JSON.stringify({ type: "user", resource: { ...userBody("mover@free.test"), id: mover.id, emails: [{ value: "mover@acme.test", type: "work", primary: true }] } }), // 8
    ];
    const { report } = await importLines(store, clock, target.id, linesOf(lines), { batchSize });
    const refused = report.errors.map((e) => ({ line: e.line, code: e.code, domain: /'([^']+)'/.exec(e.message)?.[1], wayOut: /own domains/.test(e.message) && /independent/.test(e.message) }));
    const want = (line: number, domain: string) => ({ line, code: 8102, domain, wayOut: true });
    expect(refused).toEqual([want(2, "acme.test"), want(3, "acme.test"), want(4, IDN_ASCII), want(8, "acme.test")]);
    const here = (await store.users.listByStatus(target.id, { offset: 0, limit: 20 })).items.map((u) => `${u.userName} ${u.status} ${u.emails[0]?.value}`).sort();
    expect(here).toEqual(["free@free.test managed free@free.test", "held@acme.test managed held@acme.test", "mover@free.test managed mover@free.test", "pend@acme.test pending pend@acme.test"]);
  });

  it("refuses the line when the owner verified the domain after the batch was planned, before its transaction", async () => {
    const store = open(t);
    const owner = await newOrg(store, "Owner", { domainEnforcement: true }, clock);
    const target = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    let raced = false;
    const racing: Store = {
      ...store,
      transaction: async <T>(fn: (tx: Repos) => Promise<T>) => {
        if (!raced) {
          raced = true;
          await verifyDomain(store, owner.id, "late.test");
        }
        return store.transaction(fn);
      },
    };
    const { report } = await importLines(racing, clock, target.id, linesOf([header, user("ann@late.test"), user("calm@free.test")]), { batchSize: 1000 });
    expect(report.errors.map((e) => [e.line, e.code, /'late\.test'/.test(e.message)])).toEqual([[2, 8102, true]]);
    const here = (await store.users.listByStatus(target.id, { offset: 0, limit: 10 })).items.map((u) => u.userName);
    expect(here).toEqual(["calm@free.test"]);
  });

  it("imports the owner's own users on its domain", async () => {
    const store = open(t);
    const owner = await newOrg(store, "Owner", { domainEnforcement: true }, clock);
    await verifyDomain(store, owner.id, "acme.test");
    const { report } = await importLines(store, clock, owner.id, linesOf([header, user("own@acme.test"), user("own2@Acme.Test.")]), { batchSize: 1000 });
    expect(report.errors).toEqual([]);
  });
});
