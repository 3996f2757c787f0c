/**
 * A list's total (SCIM totalResults, RFC 7644 §3.4.2.4) without counting, when its page says it.
 * Every store's page query asks for one row more than the page (a cursor page does so anyway, to
 * know whether another follows): when that row is not there, the matches end within the page.
 */

/**
 * The total a page query proves by itself: it skipped `skipped` matches and asked for at most
 * `limit` rows, and answered `rows`. Fewer rows than asked for and at least one: the skipped ones
 * exist and the matches end within the page, so there are skipped + rows. No row and nothing
 * skipped: there are none. Otherwise (as many rows as asked for: more may follow; or none past a
 * skip: the skip may have passed the end by any number) only a count says: undefined.
 * The page and the count must read the same state of the store (one statement after the other
 * on SQLite's one connection; the same snapshot, or moments apart as before, on MongoDB).
 */
export function totalShownByPage(skipped: number, limit: number, rows: number): number | undefined {
  if (!(skipped >= 0 && limit >= 0 && rows >= 0)) throw new Error(`page sizes are whole numbers: skipped ${skipped}, limit ${limit}, rows ${rows}`);
  if (rows > limit) throw new Error(`a page query answered ${rows} rows to a query that asked for at most ${limit}: pass the LIMIT the query was given`);
  if (rows === limit) return undefined;
  if (rows === 0 && skipped > 0) return undefined;
  return skipped + rows;
}
