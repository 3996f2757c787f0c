/**
 * Importing users over HTTP with POST /Bulk (RFC 7644 §3.7) into an empty organization: requests
 * of bulk.maxOperations user POSTs (from /ServiceProviderConfig), two in flight, until all users
 * are in or the time limit passes (then the full time is projected from the rate reached).
 */
import http from "node:http";
import { userBody } from "./fixtures";

export interface ImportResult {
  users: number;
  imported: number;
  failed: number;
  /** Whole requests answered 429 and sent again after their Retry-After (a client's duty). */
  retried?: number;
  /** The first refusal's status and detail, when something failed. */
  firstFailure?: string;
  seconds: number;
  /** seconds, or the projection for all `users` when stopped at the limit. */
  projectedSeconds: number;
  complete: boolean;
  opsPerRequest: number;
}

const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

function post(url: URL, token: string, body: string): Promise<{ status: number; text: string; retryAfter: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), retryAfter: Number(res.headers["retry-after"] ?? 1) || 1 }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** bulk.maxOperations when the server supports /Bulk, else null. */
export async function bulkSupport(base: string, token: string): Promise<{ maxOperations: number; maxPayloadSize: number } | null> {
  const res = await fetch(`${base}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return null;
  const bulk = ((await res.json()) as { bulk?: { supported?: boolean; maxOperations?: number; maxPayloadSize?: number } }).bulk;
  return bulk?.supported ? { maxOperations: bulk.maxOperations ?? 1, maxPayloadSize: bulk.maxPayloadSize ?? 1_000_000 } : null;
}

export async function importOverBulk(base: string, token: string, users: number, limitSeconds: number, limits: { maxOperations: number; maxPayloadSize: number }): Promise<ImportResult> {
  const url = new URL(`${base}/scim/v2/Bulk`);
  // ~1.2 KB an operation: stay well inside the payload limit.
  const perRequest = Math.max(1, Math.min(limits.maxOperations, Math.floor(limits.maxPayloadSize / 2000), 1000));
  let nextUser = 0;
  let imported = 0;
  let failed = 0;
  let retried = 0;
  let firstFailure: string | undefined;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const worker = async () => {
    while (nextUser < users && elapsed() < limitSeconds) {
      const from = nextUser;
      const to = Math.min(users, from + perRequest);
      nextUser = to;
      const ops = [];
      for (let i = from; i < to; i++) ops.push({ method: "POST", path: "/Users", bulkId: `b${i}`, data: userBody(`imp${String(i).padStart(7, "0")}`, i) });
      const body = JSON.stringify({ schemas: [BULK_REQUEST], Operations: ops });
      let res = await post(url, token, body);
      // Refused whole (overload, bulk concurrency, rate budget): wait as told and send it again.
      while (res.status === 429 && elapsed() < limitSeconds) {
        retried += 1;
        await new Promise((r) => setTimeout(r, res.retryAfter * 1000));
        res = await post(url, token, body);
      }
      if (res.status !== 200) {
        failed += to - from;
        firstFailure ??= `${res.status} ${res.text.slice(0, 200)}`;
        continue;
      }
      for (const op of (JSON.parse(res.text) as { Operations: { status: string | number; response?: { detail?: string } }[] }).Operations) {
        if (String(op.status).startsWith("2")) imported += 1;
        else {
          failed += 1;
          firstFailure ??= `operation ${op.status} ${op.response?.detail ?? ""}`;
        }
      }
    }
  };
  await Promise.all([worker(), worker()]);
  const seconds = elapsed();
  const complete = imported + failed >= users;
  return {
    users, imported, failed, retried, ...(firstFailure === undefined ? {} : { firstFailure }), seconds, complete, opsPerRequest: perRequest,
    projectedSeconds: complete ? seconds : imported > 0 ? (seconds * users) / imported : Number.POSITIVE_INFINITY,
  };
}
