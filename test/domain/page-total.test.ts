/**
 * The total a page query proves by itself (src/domain/ports/page-total.ts): a list counts its matches
 * only when its page cannot say how many there are. Rules as data: each row is a page query (matches
 * skipped, rows asked for, rows answered) and what it proves; every row is also checked against the
 * list it stands for, so that a row cannot claim a total the list does not have.
 */
import { totalShownByPage } from "../../src/domain/ports/page-total";

// [skipped, limit, rows, proven total or undefined (a count is needed), why]
const RULES: [number, number, number, number | undefined, string][] = [
  [0, 11, 0, 0, "an empty first page: there are none"],
  [0, 11, 1, 1, "one row of eleven asked for, nothing skipped"],
  [0, 11, 10, 10, "ten of eleven: the matches end on this page"],
  [0, 11, 11, undefined, "as many rows as asked for: more may follow"],
  [20, 11, 3, 23, "three past twenty skipped: the twenty exist, and three more"],
  [20, 11, 10, 30, "one short of the limit past a skip"],
  [20, 11, 11, undefined, "a full page past a skip"],
  [20, 11, 0, undefined, "an empty page past a skip: the skip may have passed the end by any number"],
  [1, 2, 1, 2, "the smallest page that ends the results past a skip"],
  [0, 0, 0, undefined, "a query that asked for no rows proves nothing"],
  [5, 0, 0, undefined, "nor past a skip"],
];

describe("the total a page proves by itself", () => {
  it.each(RULES)("skipped %i, asked for %i, answered %i: total %s (%s)", (skipped, limit, rows, total) => {
    expect(totalShownByPage(skipped, limit, rows)).toBe(total);
  });

  it("never claims a total that differs from the list's: every page of lists of 0 to 12 matches, every skip and limit", () => {
    for (let matches = 0; matches <= 12; matches++) {
      for (let skipped = 0; skipped <= 14; skipped++) {
        for (let limit = 0; limit <= 14; limit++) {
          const rows = Math.max(0, Math.min(limit, matches - skipped));
          const proven = totalShownByPage(skipped, limit, rows);
          if (proven !== undefined) expect({ matches, skipped, limit, rows, proven }).toEqual({ matches, skipped, limit, rows, proven: matches });
        }
      }
    }
  });

  it("refuses a page it cannot have been answered: more rows than asked for, or a negative number", () => {
    expect(() => totalShownByPage(0, 10, 11)).toThrow(/11 rows to a query that asked for at most 10/);
    expect(() => totalShownByPage(-1, 10, 1)).toThrow(/whole numbers/);
  });
});
