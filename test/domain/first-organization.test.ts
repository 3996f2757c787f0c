/**
 * Creating an organization and the first start's bootstrap are transactions a store may run again
 * (the MongoDB adapter retries a transaction that had to create the new organization's sequence
 * counters): every attempt names the same organization, so they finish, on every store.
 */
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { bootstrapIfEmpty } from "../../src/bootstrap";
import { systemClock } from "../../src/domain/clock";
import { createOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { mingoStore } from "../store/mingo-store";

const dir = mkdtempSync(join(tmpdir(), "orgscim-first-org-"));

describe.each([
  ["sqlite", (): Store => openSqliteStore({ path: join(dir, `s-${Math.random().toString(36).slice(2)}.db`) })],
  ["mongo store over the mingo double", (): Store => mingoStore()],
])("the first organization on %s", (_name, open) => {
  it("creates an organization with its built-in role groups in one transaction", async () => {
    const store = open();
    try {
      const org = await createOrganization(store, systemClock, { name: "Acme" });
      expect(await store.orgs.get(org.id)).toMatchObject({ id: org.id, name: "Acme" });
      expect((await store.groups.list(org.id, { startIndex: 1, count: 10 })).total).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 20_000);

  it("bootstraps an empty store once: the organization and its admin token", async () => {
    const store = open();
    try {
      const first = await bootstrapIfEmpty(store, systemClock, { orgName: "First" });
      expect(first).not.toBeNull();
      expect(await store.orgs.get(first!.orgId)).toMatchObject({ name: "First" });
      expect(await bootstrapIfEmpty(store, systemClock, { orgName: "Second" })).toBeNull();
      expect(await store.orgs.list()).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 20_000);
});
