/**
 * Runs a parsed BulkRequest (RFC 7644 §3.7.3): each operation in the planned order, each on its
 * own (an operation that fails leaves the others standing), until `failOnErrors` errors have
 * occurred. Each operation's answer is the status, and on failure the error body, its single
 * request would have had. The operations themselves are run by the caller's `execute`, which
 * calls the same use cases as /Users and /Groups.
 *
 * A large /Bulk shares the process with other requests: the operations run in slices of at most
 * SLICE_MS, each slice inside `h.slice` (the store's batch: one SQLite transaction, committed when
 * the slice ends), and the run yields to the event loop between slices. With a synchronous store
 * every await of an operation resolves in the same turn, so 1,000 operations would otherwise run
 * as one task; and yielding inside an open transaction would let other requests read its
 * uncommitted rows on the same connection, which is why the slice commits before it yields.
 * The next slice runs once the last one committed, not once it is durable: its flush to disk (an
 * fsync) overlaps the next slice's work, and the answer waits until every slice is durable.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { Errors } from "../../domain/errors";
import { GROUP_MEMBER } from "../../domain/resource-names";
import type { IfMatch } from "../../domain/versions";
import { planBulk, substitute, substitutePath } from "./bulk-ids";
import { BULK_RESPONSE_URN, type BulkMethod, type BulkOperation, type BulkRequest } from "./request";

/** The collections a bulk operation may address: their endpoints without the slash. */
const RESOURCES = ["Users", "Groups", GROUP_MEMBER.endpoint.slice(1)] as const;
export type BulkResource = (typeof RESOURCES)[number];

/** One operation, its references resolved: what the caller executes. */
export interface BulkCall {
  method: BulkMethod;
  resource: BulkResource;
  /** The resource id (PUT, PATCH, DELETE). */
  id?: string;
  /** The operation's `version`, as an If-Match precondition. */
  version?: IfMatch;
  data?: unknown;
}

export interface BulkDone {
  status: number;
  /** The id of the resource the operation wrote. */
  id: string;
  /** Its ETag after the write (absent after DELETE). */
  version?: string;
}

/** The longest a slice of operations runs before the run commits it and yields to other requests. */
export const SLICE_MS = 10;

export interface BulkHandlers {
  baseUrl: string;
  /**
   * Runs one slice of operations as a unit of the store (its batch), answered once it committed,
   * with `durable`: resolves once it is on disk (Store.commitBatch); without it, directly.
   */
  slice?<T>(fn: () => Promise<T>): Promise<{ result: T; durable: Promise<void> }>;
  execute(call: BulkCall): Promise<BulkDone>;
  /** Status and SCIM error body (RFC 7644 §3.12) for anything `execute` threw. */
  /** `op`: the failed operation as sent (its path after bulkId references were replaced), for the provisioning-errors record. */
  renderError(e: unknown, op: { method: string; path: string; data?: unknown }): { status: number; body: Record<string, unknown> };
  /**
   * Asked at the start of every slice after the first, in the slice (the store state its writes
   * follow): whether the caller may still act, as a new request of theirs would be asked. Other
   * requests ran since the last slice; one may have revoked the token, suspended or demoted its
   * user (docs/security.md case 90). It throws the refusal (each operation left then answers it),
   * or updates what the caller may do.
   */
  recheck?(): Promise<void>;
}

interface Routed { resource: BulkResource; id?: string }

const ROUTE = new RegExp(`^/(${RESOURCES.join("|")})(?:/([^/?#]+))?/?$`, "i");
const resourceOf = (name: string): BulkResource | undefined => RESOURCES.find((r) => r.toLowerCase() === name.toLowerCase());

/** A path segment decoded, or refused as its single request's path is (400, 1021: case 92), never a URIError (500). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw Errors.badPathEncoding(segment);
  }
}

/** The endpoint a bulk path names, as its single request would be routed; 404 otherwise. */
function route(method: BulkMethod, path: string): Routed {
  const m = ROUTE.exec(path);
  const resource = m ? resourceOf(m[1]!) : undefined;
  const id = m?.[2] === undefined ? undefined : decodeSegment(m[2]);
  if (!resource || (method === "POST") !== (id === undefined) || id?.startsWith(".")) {
    throw Errors.routeNotFound(method, path, `Bulk operations act on POST /Users, /Groups or ${GROUP_MEMBER.endpoint}, PUT, PATCH or DELETE /Users/{id} or /Groups/{id}, and DELETE ${GROUP_MEMBER.endpoint}/{id}.`);
  }
  return id === undefined ? { resource } : { resource, id };
}

export async function runBulk(request: BulkRequest, h: BulkHandlers): Promise<Record<string, unknown>> {
  const ops = request.operations;
  const plan = planBulk(ops);
  const results = new Map<number, Record<string, unknown>>();
  const created = new Map<string, string>();
  const failed = new Set<number>();
  let errors = 0;

  const answer = (op: BulkOperation, status: number, extra: { location?: string; version?: string; response?: unknown }) => {
    const r: Record<string, unknown> = {};
    if (extra.location !== undefined) r.location = extra.location;
    r.method = op.method;
    if (op.bulkId !== undefined) r.bulkId = op.bulkId;
    if (extra.version !== undefined) r.version = extra.version;
    r.status = String(status);
    if (extra.response !== undefined) r.response = extra.response;
    results.set(op.index, r);
  };

  /** Operation i ran in a slice the store then failed: whatever it answered, nothing of it was applied. */
  const failSlice = (i: number, e: unknown) => {
    const op = ops[i]!;
    const prior = results.get(i);
    if (prior && Number(prior.status) >= 300) return; // refused by itself: that answer stays true
    const { status, body } = h.renderError(e, { method: op.method, path: op.path, ...(op.data !== undefined ? { data: op.data } : {}) });
    const location = op.method === "POST" ? undefined : (prior?.location as string | undefined);
    answer(op, status, { ...(location ? { location } : {}), response: body });
  };

  /** Runs operation i; answers true when failOnErrors says to stop. */
  const runOne = async (i: number): Promise<boolean> => {
    const op = ops[i]!;
    let path = op.path;
    try {
      if (op.invalid) throw op.invalid;
      if (plan.unknown.has(i)) throw Errors.bulkIdUnknown(plan.unknown.get(i)!);
      if (plan.circular.has(i)) throw Errors.bulkCircular(plan.circular.get(i)!);
      const failedDep = plan.dependsOn[i]!.find((d) => failed.has(d));
      if (failedDep !== undefined) throw Errors.bulkIdFailed(ops[failedDep]!.bulkId ?? `#${failedDep}`);
      const references = plan.dependsOn[i]!.length > 0;
      if (references) path = substitutePath(op.path, created);
      const target = route(op.method, path);
      const call: BulkCall = { method: op.method, ...target };
      if (op.version !== undefined) call.version = op.version;
      if (op.data !== undefined) call.data = references ? substitute(op.data, created) : op.data;
      const done = await h.execute(call);
      if (op.bulkId !== undefined) created.set(op.bulkId, done.id);
      answer(op, done.status, { location: `${h.baseUrl}/${target.resource}/${done.id}`, ...(done.version ? { version: done.version } : {}) });
      return false;
    } catch (e) {
      failed.add(i);
      errors += 1;
      const { status, body } = h.renderError(e, { method: op.method, path, ...(op.data !== undefined ? { data: op.data } : {}) });
      // A failed POST has no location (§3.7.3); others name the resource they addressed.
      const routed = op.method === "POST" ? null : ROUTE.exec(path);
      const location = routed?.[2] ? `${h.baseUrl}/${resourceOf(routed[1]!)}/${routed[2]}` : undefined;
      answer(op, status, { ...(location ? { location } : {}), response: body });
      return request.failOnErrors !== null && errors >= request.failOnErrors;
    }
  };

  const slice = h.slice ?? (async <T>(fn: () => Promise<T>) => ({ result: await fn(), durable: Promise.resolve() }));
  const durables: Promise<void>[] = [];
  let next = 0;
  let stop = false;
  /** The caller's refusal a slice's recheck answered: every operation left answers it. */
  let refusal = null as { error: unknown } | null;
  while (next < plan.order.length && !stop) {
    if (next > 0) await nextTurn();
    const first = next;
    try {
      const { durable } = await slice(async () => {
        if (first > 0 && h.recheck) {
          try {
            await h.recheck();
          } catch (e) {
            refusal = { error: e };
            stop = true;
            return;
          }
        }
        const start = performance.now();
        do stop = await runOne(plan.order[next++]!);
        while (!stop && next < plan.order.length && performance.now() - start < SLICE_MS);
      });
      durables.push(durable);
    } catch (e) {
      // A slice that did not commit after others did: a failure of theirs to reach the disk says more (9010, may be in place).
      await Promise.all(durables);
      // Nothing applied yet: the request fails as a whole. Otherwise the slices before stand (committed and
      // durable): each of this slice's operations answers the store's error (its work was rolled back), and
      // the rest are not processed, as after failOnErrors (RFC 7644 §3.7.3).
      if (first === 0) throw e;
      for (let k = first; k < next; k++) failSlice(plan.order[k]!, e);
      break;
    }
  }
  if (refusal !== null) {
    // As each operation's own request would now be answered; failOnErrors counts them as any error.
    const { error } = refusal;
    for (let k = next; k < plan.order.length; k++) {
      const op = ops[plan.order[k]!]!;
      const { status, body } = h.renderError(error, { method: op.method, path: op.path, ...(op.data !== undefined ? { data: op.data } : {}) });
      answer(op, status, { response: body });
      errors += 1;
      if (request.failOnErrors !== null && errors >= request.failOnErrors) break;
    }
  }
  await Promise.all(durables); // nothing is answered before every slice is on disk
  const Operations = [...results.keys()].sort((a, b) => a - b).map((k) => results.get(k)!);
  return { schemas: [BULK_RESPONSE_URN], Operations };
}
