import { newId } from "../../src/domain/ids";

describe("newId", () => {
  it("gives distinct ids of the prefix and 32 hex digits, across refills of its random pool", () => {
    const ids = Array.from({ length: 1_000 }, () => newId("US")); // about three pools
    expect(new Set(ids).size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^US[0-9a-f]{32}$/);
    // Every random digit position varies: no slice of the pool is reused or left unfilled.
    for (let i = 14; i < 34; i++) expect(new Set(ids.map((id) => id[i])).size).toBeGreaterThan(8);
  });

  it("starts with the time of its making (12 hex digits of milliseconds), so ids made later sort after, whatever their random part", () => {
    const before = Date.now();
    const first = newId("AE");
    const ids = [first];
    // Ids are made until the clock has passed the first id's own millisecond (not `before`'s: the
    // process may be descheduled between the two, and the loop then never ran), then one more.
    const firstMs = parseInt(first.slice(2, 14), 16);
    while (Date.now() <= firstMs + 1) ids.push(newId("AE"));
    ids.push(newId("AE"));
    const after = Date.now();
    for (const id of ids) {
      const ms = parseInt(id.slice(2, 14), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
    const last = ids[ids.length - 1]!;
    expect(parseInt(last.slice(2, 14), 16)).toBeGreaterThan(parseInt(first.slice(2, 14), 16));
    expect(last > first).toBe(true);
  });
});
