import { newId } from "../../src/domain/ids";

describe("newId", () => {
  it("gives distinct ids of the prefix and 32 hex digits, across refills of its random pool", () => {
    const ids = Array.from({ length: 1_000 }, () => newId("US")); // about four pools
    expect(new Set(ids).size).toBe(1_000);
    for (const id of ids) expect(id).toMatch(/^US[0-9a-f]{32}$/);
    // Every hex digit position varies: no slice of the pool is reused or left unfilled.
    for (let i = 2; i < 34; i++) expect(new Set(ids.map((id) => id[i])).size).toBeGreaterThan(8);
  });
});
