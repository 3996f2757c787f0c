/**
 * Shared counters on MongoDB (the port's SharedCounters, for request budgets): one document per
 * window in `rate_limits`, `{_id: window, c: {<key>: n}, expireAt}`, incremented by one
 * findOneAndUpdate that answers the totals. Acknowledged by the primary alone (w: 1): a count lost
 * in a failover costs a few requests of budget, never data. A TTL index (migration 3) removes
 * windows once past `expireAt`. Keys are encoded as field names (./codec.ts).
 *
 * This is a global collection: windows are named by the caller (token or organization and time),
 * not sharded by organization; the limiter takes leases of many requests per call, so it stays
 * off the request path (src/http/rate-limit-shared.ts).
 */
import type { SharedCounters } from "../../domain/ports/store";
import { decodeKey, encodeKey } from "./codec";
import type { Coll } from "./ctx";
import { guard, isDuplicateKey } from "./errors";

/** Server-side limit on one counter call; the limiter gives up on it sooner still. */
const COUNTER_TIME_MS = 1_000;

export function mongoCounters(coll: () => Coll): SharedCounters {
  return {
    add: (window, add, expiresAt) => guard(async () => {
      const inc: Record<string, number> = {};
      for (const [k, n] of Object.entries(add)) inc[`c.${encodeKey(k)}`] = n;
      const update: Record<string, unknown> = { $inc: inc, $setOnInsert: { expireAt: expiresAt } };
      const options = { upsert: true, returnDocument: "after" as const, projection: { c: 1 }, writeConcern: { w: 1 }, maxTimeMS: COUNTER_TIME_MS };
      let doc;
      try {
        doc = await coll().findOneAndUpdate({ _id: { $eq: window } }, update, options);
      } catch (e) {
        // Two instances creating the same window at once: the second upsert meets the first's key.
        if (!isDuplicateKey(e)) throw e;
        doc = await coll().findOneAndUpdate({ _id: { $eq: window } }, update, options);
      }
      const out: Record<string, number> = {};
      const c = doc?.c;
      if (c && typeof c === "object") for (const [k, v] of Object.entries(c)) if (typeof v === "number") out[decodeKey(k)] = v;
      return out;
    }),
  };
}
