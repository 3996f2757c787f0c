/**
 * Why a request was refused with 429, written on the request by the middleware that refuses it
 * (./rate-limit.ts, ./write-shedding.ts) and counted by the metrics (orgscim_http_refused_total).
 */
export type RefusalReason = "token_budget" | "org_budget" | "address_budget" | "writes_shed" | "overload" | "bulk_concurrency";

declare module "express-serve-static-core" {
  interface Request {
    refusal?: RefusalReason;
  }
}
