/**
 * Sharding MongoDB by organization, checked on the store's own data (src/store/mongo/sharding.ts,
 * indexes.ts): every collection is placed, every index of a sharded collection leads with the
 * organization or is a named cross-organization one, every unique index starts with its shard key
 * (MongoDB refuses to shard a collection otherwise), and docs/stores.md gives the commands. What the
 * store actually sends is checked by test/store/contract.mongo-mingo.test.ts (org-routing.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { INDEXES, INDEXES_V1, indexName } from "../../src/store/mongo/indexes";
import { CROSS_ORGANIZATION_INDEXES, indexesNotLedByOrganization, SHARD_KEYS, shardCommands, UNSHARDED } from "../../src/store/mongo/sharding";

describe("MongoDB sharded by organization", () => {
  it("places every collection the store has: sharded with a key, or unsharded with a reason, never both", () => {
    const collections = new Set([...Object.keys(INDEXES), "migrations"]);
    for (const name of collections) expect([name, name in SHARD_KEYS !== name in UNSHARDED]).toEqual([name, true]);
    expect(new Set([...Object.keys(SHARD_KEYS), ...Object.keys(UNSHARDED)])).toEqual(collections);
  });

  it("leads every index of a sharded collection with orgId, but for the named cross-organization ones", () => {
    expect(indexesNotLedByOrganization()).toEqual([]);
    for (const named of Object.keys(CROSS_ORGANIZATION_INDEXES)) {
      const [coll, index] = named.split(".") as [string, string];
      expect([named, (INDEXES[coll] ?? []).some((s) => indexName(s.key) === index)]).toEqual([named, true]);
    }
  });

  it("would catch an index that does not lead with orgId (the outbox's before migration 5)", () => {
    expect(indexesNotLedByOrganization(INDEXES_V1)).toEqual(["outbox.ref_1_status_1"]);
  });

  it("gives every sharded collection an index starting with its shard key, which sharding a collection that has documents needs", () => {
    for (const [name, key] of Object.entries(SHARD_KEYS)) {
      const shardFields = Object.keys(key);
      expect([name, (INDEXES[name] ?? []).some((s) => Object.keys(s.key).slice(0, shardFields.length).join() === shardFields.join())]).toEqual([name, true]);
    }
  });

  it("starts every unique index of a sharded collection with its shard key, as MongoDB requires", () => {
    for (const [name, key] of Object.entries(SHARD_KEYS)) {
      const shardFields = Object.keys(key);
      for (const s of (INDEXES[name] ?? []).filter((x) => x.unique)) {
        expect([name, indexName(s.key), Object.keys(s.key).slice(0, shardFields.length)]).toEqual([name, indexName(s.key), shardFields]);
      }
    }
  });

  it.each([["docs/stores.md"], ["README.md"]])("gives the shard commands and the unsharded collections in %s, as sharding.ts has them", (file) => {
    const doc = readFileSync(join(__dirname, "..", "..", file), "utf8");
    for (const line of shardCommands("orgscim")) expect(doc).toContain(line);
    for (const name of Object.keys(UNSHARDED)) expect(doc).toContain(`\`${name}\``);
  });
});
