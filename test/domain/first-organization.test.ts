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
import { MingoDb } from "../store/mingo-db";
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

/**
 * Several instances started together on one empty store (a rolling deployment's first start, a
 * replica count above one): each reads "no organization" in its own transaction, so the reads alone
 * cannot keep two of them from each creating a first organization. Exactly one may.
 */
// On SQLite the instances are processes (BEGIN IMMEDIATE orders them): test/process/first-start.test.ts.
describe.each([
  ["mongo store over the mingo double, one store per instance on one database", (): (() => Store) => {
    const db = new MingoDb();
    return () => mingoStore({ db });
  }],
])("the first start of several instances on %s", (_name, shared) => {
  it("creates exactly one first organization and one bootstrap token, whichever instances race", async () => {
    const instance = shared();
    const stores = [instance(), instance(), instance(), instance()];
    try {
      const results = await Promise.all(stores.map((s, i) => bootstrapIfEmpty(s, systemClock, { orgName: `Instance ${i}` })));
      const made = results.filter((r) => r !== null);
      expect(made).toHaveLength(1);
      const orgs = await stores[0]!.orgs.list();
      expect(orgs.map((o) => o.id)).toEqual([made[0]!.orgId]);
      expect((await stores[0]!.tokens.list(made[0]!.orgId)).map((t) => t.id)).toEqual([made[0]!.tokenId]);
      // A later start of any of them finds the organization and makes nothing.
      expect(await bootstrapIfEmpty(stores[3]!, systemClock, { orgName: "Late" })).toBeNull();
    } finally {
      for (const s of stores) await s.close();
    }
  }, 60_000);
});
