/**
 * The flood of `npm run bench -- --fairness` (bench/fairness.ts): a child process pinned to its
 * own core that sends one kind of load with autocannon for a number of seconds and answers its
 * counts over IPC.
 */
import autocannon from "autocannon";

export type FloodKind = "writes" | "bulk" | "openapi" | "bad-token";

export interface FloodJob {
  kind: FloodKind;
  url: string;
  /** The flooding organization's token (writes, bulk). */
  token: string;
  connections: number;
  seconds: number;
}

export interface FloodResult {
  kind: FloodKind;
  requests: number;
  rps: number;
  statuses: Record<string, number>;
}

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const STAMP = Date.now().toString(36);
let n = 0;
const user = () => {
  const name = `flood-${STAMP}-${process.pid}-${n++}@flood.test`;
  return { schemas: [USER], userName: name, emails: [{ value: name, primary: true }], active: true };
};

function requestOf(job: FloodJob): autocannon.Request {
  const scim = { authorization: `Bearer ${job.token}`, "content-type": "application/scim+json" };
  switch (job.kind) {
    case "writes":
      return { method: "POST", path: "/scim/v2/Users", headers: scim, setupRequest: (r) => ({ ...r, body: JSON.stringify(user()) }) };
    case "bulk":
      return {
        method: "POST", path: "/scim/v2/Bulk", headers: scim,
        setupRequest: (r) => ({ ...r, body: JSON.stringify({ schemas: [BULK], Operations: Array.from({ length: 100 }, (_, k) => ({ method: "POST", path: "/Users", bulkId: `b${k}`, data: user() })) }) }),
      };
    case "openapi":
      return { method: "GET", path: "/v1/openapi.json" };
    case "bad-token":
      return { method: "GET", path: "/scim/v2/Users?count=1", headers: { authorization: "Bearer osk_nothing_wrongwrongwrong" } };
  }
}

export async function flood(job: FloodJob): Promise<FloodResult> {
  const result = await autocannon({ url: job.url, connections: job.connections, duration: job.seconds, requests: [requestOf(job)] });
  const statuses: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (v as { count: number }).count;
  return { kind: job.kind, requests: result.requests.total, rps: result.requests.total / result.duration, statuses };
}

if (require.main === module) {
  process.on("message", (job: FloodJob) => {
    flood(job).then(
      (r) => process.send?.({ ok: true, result: r }),
      (e: unknown) => process.send?.({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}
