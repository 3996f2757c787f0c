/**
 * /Bulk admission (issue 14 item 3): how many /Bulk requests run at once, in all
 * (SCIM_BULK_CONCURRENCY) and per organization (SCIM_BULK_PER_ORGANIZATION). A slot is taken
 * after the body has been read and parsed (its time is bounded by REQUEST_TIMEOUT_MS, and holding
 * a socket takes no slot), so a half-sent body holds nothing, and one organization cannot hold
 * the slots another needs: with the defaults (2 in all, 1 per organization) two organizations
 * always run side by side. A request over either limit is answered 429 with Retry-After: 1
 * (codes 9005 and 9008); the slot is given back when the response ends or the client goes away.
 * The operations of an admitted request count towards its organization's share of the writes
 * (./org-shares.ts), which write shedding reads.
 */
import type { Request, Response } from "express";
import "./refusal";
import { Errors } from "../domain/errors";
import type { OrgShares } from "./org-shares";

export interface BulkAdmission {
  /**
   * Takes a slot for `org` until `res` closes, or throws 429 (9005 all slots taken, 9008 the
   * organization's), marking `req` refused for bulk_concurrency (the metrics count it).
   */
  admit(org: string, operations: number, res: Response, req?: Request): void;
  /** Slots taken now, in all. */
  readonly inProgress: number;
}

/** `maxTotal` / `maxPerOrg` 0: no limit of that kind. */
export function bulkAdmission(maxTotal: number, maxPerOrg: number, shares?: OrgShares): BulkAdmission {
  const byOrg = new Map<string, number>();
  let total = 0;
  return {
    get inProgress() {
      return total;
    },
    admit(org, operations, res, req) {
      const mine = byOrg.get(org) ?? 0;
      const refused = maxPerOrg > 0 && mine >= maxPerOrg ? Errors.bulkBusyForOrganization(maxPerOrg)
        : maxTotal > 0 && total >= maxTotal ? Errors.bulkBusy(maxTotal) : null;
      if (refused) {
        if (req) req.refusal = "bulk_concurrency";
        throw refused;
      }
      byOrg.set(org, mine + 1);
      total++;
      shares?.add(org, Math.max(1, operations));
      res.once("close", () => {
        total--;
        const left = (byOrg.get(org) ?? 1) - 1;
        if (left > 0) byOrg.set(org, left);
        else byOrg.delete(org);
      });
    },
  };
}
