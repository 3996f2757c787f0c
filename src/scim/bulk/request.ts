/**
 * The BulkRequest (RFC 7644 §3.7), checked with zod. A bad envelope refuses the whole request
 * (400, or 413 tooMany past maxOperations); a bad operation fails alone, with its own status in the
 * BulkResponse, as the RFC's examples show. Keys are read without case, as for PATCH.
 */
import { z } from "zod";
import { type DomainError, Errors } from "../../domain/errors";
import type { IfMatch } from "../../domain/versions";
import { parseIfMatch } from "../preconditions";
import { assertSafeKeys, getCI } from "../quirks";

const BULK_REQUEST_URN = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const BULK_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

const BULK_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;
export type BulkMethod = (typeof BULK_METHODS)[number];

export interface BulkOperation {
  /** Position in the request, from 0. */
  index: number;
  method: BulkMethod;
  bulkId?: string;
  /** The `version` ETag as a precondition (W/"3" → [3]; a tag not of this server → [], never met). */
  version?: IfMatch;
  path: string;
  data?: unknown;
  /** Set when the operation itself is malformed: it fails with this error and never runs. */
  invalid?: DomainError;
}

export interface BulkRequest {
  /** Errors accepted before the rest is abandoned; null = go on whatever fails. */
  failOnErrors: number | null;
  operations: BulkOperation[];
}

const Envelope = z.object({
  schemas: z.array(z.string(), { error: "schemas must be an array of URNs" })
    .refine((s) => s.includes(BULK_REQUEST_URN), { message: `schemas must include ${BULK_REQUEST_URN}` }),
  failOnErrors: z.int({ error: "failOnErrors must be a whole number" }).min(1, "failOnErrors must be at least 1").optional(),
  Operations: z.array(z.unknown(), { error: "Operations must be an array" }).min(1, "Operations must not be empty"),
});

const Operation = z.object({
  method: z.string().transform((m) => m.toUpperCase()).pipe(z.enum(BULK_METHODS, { error: "method must be POST, PUT, PATCH or DELETE" })),
  bulkId: z.string().min(1).max(256).regex(/^[^\s"]+$/, "bulkId must not contain spaces or quotes").optional(),
  version: z.string({ error: 'version must be an ETag string, such as W/"3"' }).max(256).optional(),
  path: z.string().min(2).max(2048).startsWith("/", "path must start with /, e.g. /Users or /Groups/{id}"),
  data: z.unknown().optional(),
}).refine((o) => o.method !== "POST" || o.bulkId !== undefined, { message: "a POST needs a bulkId (RFC 7644 §3.7)", path: ["bulkId"] })
  .refine((o) => o.method === "DELETE" || (typeof o.data === "object" && o.data !== null && !Array.isArray(o.data)), {
    message: "POST, PUT and PATCH need data: the resource or the PatchOp body", path: ["data"],
  });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const firstIssue = (e: z.ZodError): string => {
  const i = e.issues[0];
  return i ? `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}` : "invalid";
};

function parseOperation(raw: unknown, index: number): BulkOperation {
  const folded = isObject(raw)
    ? { method: getCI(raw, "method"), bulkId: getCI(raw, "bulkId"), version: getCI(raw, "version") ?? undefined, path: getCI(raw, "path"), data: getCI(raw, "data") }
    : raw;
  const parsed = Operation.safeParse(folded);
  if (parsed.success) {
    const { method, bulkId, version, path, data } = parsed.data;
    const op: BulkOperation = { index, method, path };
    if (bulkId !== undefined) op.bulkId = bulkId;
    if (version !== undefined) op.version = parseIfMatch(version) ?? [];
    if (data !== undefined) op.data = data;
    return op;
  }
  // Keep what can be echoed back (method, bulkId, path) for the operation's own failure.
  const r = isObject(folded) ? folded : {};
  const op: BulkOperation = {
    index,
    method: (typeof r.method === "string" ? r.method.toUpperCase() : "POST") as BulkMethod,
    path: typeof r.path === "string" ? r.path : "",
    invalid: Errors.bulkOperationInvalid(`Operations[${index}] ${firstIssue(parsed.error)}.`),
  };
  if (typeof r.bulkId === "string") op.bulkId = r.bulkId;
  return op;
}

/** Parses a /Bulk body. Throws for the envelope; marks malformed operations `invalid`. */
export function parseBulkRequest(body: unknown, maxOperations: number): BulkRequest {
  assertSafeKeys(body);
  if (!isObject(body)) throw Errors.bulkRequestInvalid("the body must be a JSON object with schemas and Operations.");
  const ops = getCI(body, "Operations");
  if (Array.isArray(ops) && ops.length > maxOperations) throw Errors.bulkTooManyOperations(maxOperations, ops.length);
  const env = Envelope.safeParse({ schemas: getCI(body, "schemas"), failOnErrors: getCI(body, "failOnErrors") ?? undefined, Operations: ops });
  if (!env.success) throw Errors.bulkRequestInvalid(`${firstIssue(env.error)}.`);
  const operations = env.data.Operations.map(parseOperation);
  const seen = new Set<string>();
  for (const op of operations) {
    if (op.bulkId === undefined || op.invalid) continue;
    if (seen.has(op.bulkId)) throw Errors.bulkRequestInvalid(`bulkId '${op.bulkId}' is used by more than one operation; each bulkId must be unique in a request.`);
    seen.add(op.bulkId);
  }
  return { failOnErrors: env.data.failOnErrors ?? null, operations };
}
