/**
 * Each store's migrations are one ordered list whose versions follow one another: a migration added
 * out of order, twice, or with a number skipped would be run in the wrong order on some stores, or
 * make a later release think a store is newer than it is.
 */
import { MIGRATION_STEPS } from "../../src/store/mongo/migration-steps";
import { HISTORIC_GAPS, latestSchemaVersion, MIGRATIONS } from "../../src/store/sqlite/migrations";

/** What is wrong with a list of versions: out of order, repeated, or a gap not named. */
function problems(versions: readonly number[], namedGaps: readonly number[] = []): string[] {
  const out: string[] = [];
  if (versions[0] !== 1) out.push(`starts at ${versions[0]}, not 1`);
  for (let i = 1; i < versions.length; i++) {
    const [a, b] = [versions[i - 1]!, versions[i]!];
    if (b <= a) out.push(`${b} comes after ${a}`);
    for (let v = a + 1; v < b; v++) if (!namedGaps.includes(v)) out.push(`${v} is missing`);
  }
  for (const g of namedGaps) if (versions.includes(g)) out.push(`${g} is named a gap but used`);
  return out;
}

describe("migration lists", () => {
  it("SQLite: one list, versions 1, 2, 3 and on with no gap but the historic one (4, never released)", () => {
    expect(problems(MIGRATIONS.map((m) => m.version), HISTORIC_GAPS)).toEqual([]);
    expect(latestSchemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it("MongoDB: one list, versions 1, 2, 3 and on with no gap", () => {
    expect(problems(MIGRATION_STEPS.map((m) => m.version))).toEqual([]);
    expect(new Set(MIGRATION_STEPS.map((m) => m.name)).size).toBe(MIGRATION_STEPS.length);
  });

  it("sees a gap, a repeat and a step out of order (the check itself)", () => {
    expect(problems([1, 2, 4])).toEqual(["3 is missing"]);
    expect(problems([1, 2, 2, 3])).toEqual(["2 comes after 2"]);
    expect(problems([1, 3, 2], [2])).toEqual(["2 comes after 3", "2 is named a gap but used"]);
    expect(problems([1, 2, 3, 5], [4])).toEqual([]);
  });
});
