/**
 * A person is managed by one organization only, whichever door makes them managed. An import checks
 * "managed by another organization" while it plans a batch, outside the batch's transaction; an
 * invitee accepting elsewhere (or another import) may commit in between. The claim is asked again
 * inside the transaction that writes it: the line is refused (8102) as it would have been a moment
 * later, nothing of it is written, and the store never holds two managed users with one email.
 */
import type { Clock } from "../../src/domain/clock";
import type { Repos, Store } from "../../src/domain/ports/store";
import { importLines } from "../../src/cli/import";
import { aUser } from "../helpers/fixtures";
import { userBody } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";
import { linesOf, newOrg, tempStores, type TempStores } from "../cli/seed";

const clock: Clock = { now: () => new Date("2026-03-01T12:00:00.000Z") };
const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR99999999999999999999999999999999", exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
const user = (userName: string) => JSON.stringify({ type: "user", resource: userBody(userName) });

/** The store, with another organization's write committed just before the import's first transaction. */
function racedBy(store: Store, competing: () => Promise<void>): Store {
  let raced = false;
  return {
    ...store,
    transaction: async <T>(fn: (tx: Repos) => Promise<T>) => {
      if (!raced) {
        raced = true;
        await competing();
      }
      return store.transaction(fn);
    },
  };
}

let opened = 0;
const STORES: Array<[string, (t: TempStores) => Store]> = [
  ["SQLite", (t) => t.open(`r${++opened}.db`)],
  ["MongoDB store over the driver double", () => mingoStore()],
];

describe.each(STORES)("an import's managed user claimed elsewhere while the batch was planned (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => { t = tempStores(); });
  afterEach(() => t.close());

  it.each([1, 1000])("is refused 8102 inside the transaction, at batch size %i, and the other organization keeps the person", async (batchSize) => {
    const store = open(t);
    const elsewhere = await newOrg(store, "Elsewhere", { domainEnforcement: false }, clock);
    const target = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    const raced = racedBy(store, async () => void (await store.users.insert(aUser(elsewhere.id, { userName: "race@e.test" }))));
    const { report } = await importLines(raced, clock, target.id, linesOf([header, user("race@e.test"), user("calm@t.test")]), { batchSize });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102]]);
    expect(report.errors[0]!.message).toMatch(/race@e\.test is managed by another organization/);
    const managedHere = (await store.users.listByStatus(target.id, { offset: 0, limit: 10 })).items.map((u) => u.userName);
    expect(managedHere).toEqual(["calm@t.test"]);
    expect(await store.users.isManagedElsewhere(target.id, "race@e.test")).toBe(true);
    expect(await store.users.isManagedElsewhere(elsewhere.id, "race@e.test")).toBe(false);
  });
});
