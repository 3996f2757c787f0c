/**
 * The store contract: the rules of src/domain/ports/store.ts as tests. Every adapter runs it
 * (contract.sqlite.test.ts; contract.mongo-mingo.test.ts over the driver double; contract.mongo.test.ts
 * against a real MongoDB where one is reachable). The cases live in ./contract/*.ts by subject.
 */
import type { Store } from "../../src/domain/ports/store";
import { auditSearch } from "./contract/audit-search";
import { basics } from "./contract/basics";
import { batchWrites } from "./contract/batch-writes";
import { controlChars } from "./contract/control-chars";
import { credentials } from "./contract/credentials";
import { domains } from "./contract/domains";
import { events } from "./contract/events";
import { filterMatrix } from "./contract/filter-matrix";
import { membershipFilters } from "./contract/membership-filters";
import { memberships } from "./contract/memberships";
import { outbox } from "./contract/outbox";
import { pageTotals } from "./contract/page-totals";
import { provisioningErrors } from "./contract/provisioning-errors";
import { races } from "./contract/races";
import { records } from "./contract/records";
import type { ContractIt } from "./contract/types";

export function runStoreContract(name: string, open: () => Promise<Store>, close: (s: Store) => Promise<void>, isAvailable: () => boolean = () => true): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      if (isAvailable()) store = await open();
    });
    afterAll(async () => {
      if (store) await close(store);
    });
    const it_: ContractIt = (title, fn, timeout) =>
      it(title, async () => {
        if (!isAvailable()) return; // the suite's own skip line says why
        await fn();
      }, timeout);
    const current = () => store;
    basics(it_, current);
    controlChars(it_, current);
    credentials(it_, current);
    outbox(it_, current);
    domains(it_, current);
    records(it_, current);
    filterMatrix(it_, current);
    pageTotals(it_, current);
    races(it_, current);
    membershipFilters(it_, current);
    memberships(it_, current);
    auditSearch(it_, current);
    events(it_, current);
    provisioningErrors(it_, current);
    batchWrites(it_, current);
  });
}
