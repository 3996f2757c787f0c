/**
 * The rule that lets MongoDB be sharded by organization (docs/stores.md, "Sharding by
 * organization"): every query, update and pipeline the store sends to an organization-sharded
 * collection names one organization (`orgId` by equality), so a router sends it to one shard and a
 * transaction stays on one. The few cross-organization lookups are named here, each with why it
 * exists and why it is off the request path; anything else without an organization is a violation.
 */
import { SHARD_KEYS } from "../../src/store/mongo/sharding";
import type { RecordedOp } from "./mingo-db";

type Doc = Record<string, unknown>;

/**
 * The collections sharded on {orgId: 1} (src/store/mongo/sharding.ts, docs/stores.md), and
 * invitations: unsharded (its token hash is unique across organizations), but each invitation is one
 * organization's and every query of it but the token lookup names that organization.
 */
export const ORG_SCOPED = new Set([...Object.keys(SHARD_KEYS), "invitations"]);

/** Cross-organization lookups on sharded collections: by design, and each off the request path. */
export const CROSS_ORGANIZATION: { name: string; why: string; matches: (op: RecordedOp) => boolean }[] = [
  {
    name: "users.isManagedElsewhere",
    why: "whether another organization manages an email: asked when a member is created or invited (index {primaryEmailLower, status})",
    matches: (op) => op.collection === "users" && op.op === "find" && isObj(op.filter?.orgId) && "$ne" in op.filter.orgId && "primaryEmailLower" in (op.filter ?? {}),
  },
  {
    name: "invitations.findByTokenHash",
    why: "accepting an invitation knows only its token (POST /v1/Invitations/Accept, budgeted per address; index {tokenHash})",
    matches: (op) => op.collection === "invitations" && op.op === "find" && keys(op.filter).join() === "tokenHash",
  },
  {
    name: "outbox.listDue",
    why: "the mail worker, every OUTBOX_INTERVAL_MS, across organizations (index {status, nextAttemptAt})",
    matches: (op) => op.collection === "outbox" && op.op === "find" && keys(op.filter).join() === "status,nextAttemptAt",
  },
  {
    name: "outbox.countPending",
    why: "the metrics' mail backlog, all organizations, counted up to a cap (index {status, nextAttemptAt})",
    matches: (op) => op.collection === "outbox" && op.op === "countDocuments" && keys(op.filter).join() === "status",
  },
  {
    name: "outbox.list without an organization",
    why: "operators and tests reading the outbox of every organization",
    matches: (op) => op.collection === "outbox" && op.op === "find" && !("orgId" in (op.filter ?? {})) && ["ref", "status"].some((k) => k in (op.filter ?? {}) || keys(op.filter).length === 0),
  },
];

const isObj = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v);
const keys = (d: Doc | undefined): string[] => Object.keys(d ?? {}).sort();

/** The one organization a query document names (`orgId` equal to a string or null), or undefined. */
function organizationOf(filter: unknown): string | null | undefined {
  if (!isObj(filter)) return undefined;
  const org = filter.orgId;
  if (typeof org === "string" || org === null) return org;
  if (isObj(org) && Object.keys(org).length === 1 && (typeof org.$eq === "string" || org.$eq === null)) return org.$eq as string | null;
  if (Array.isArray(filter.$and)) for (const item of filter.$and) if (organizationOf(item) !== undefined) return organizationOf(item);
  // An $or whose every branch names the same organization: a router sends it to that shard alone.
  if (Array.isArray(filter.$or) && filter.$or.length > 0) {
    const orgs = new Set(filter.$or.map(organizationOf));
    if (orgs.size === 1 && !orgs.has(undefined)) return [...orgs][0];
  }
  return undefined;
}

/** Whether a query document names one organization: `orgId` by equality, at the top, in a top-level $and, or in every branch of an $or. */
export const namesOneOrganization = (filter: unknown): boolean => organizationOf(filter) !== undefined;

/** Every `$lookup` sub-pipeline into a sharded collection, anywhere in a pipeline. */
function lookups(stages: unknown): { from: string; pipeline: unknown[] }[] {
  if (!Array.isArray(stages)) return [];
  const out: { from: string; pipeline: unknown[] }[] = [];
  for (const s of stages) {
    if (!isObj(s) || !isObj(s.$lookup)) continue;
    const l = s.$lookup;
    if (typeof l.from === "string" && Array.isArray(l.pipeline)) out.push({ from: l.from, pipeline: l.pipeline }, ...lookups(l.pipeline));
  }
  return out;
}

const firstMatch = (pipeline: unknown[]): unknown => (isObj(pipeline[0]) ? pipeline[0].$match : undefined);

/** Why `op` breaks the rule, or null. */
export function violation(op: RecordedOp): string | null {
  if (op.op === "createIndex" || op.op === "dropIndex") return null;
  const problems: string[] = [];
  if (ORG_SCOPED.has(op.collection)) {
    let named: boolean;
    if (op.op === "insertOne" || op.op === "insertMany.insertOne") named = typeof op.doc?.orgId === "string" || op.doc?.orgId === null;
    else if (op.op === "aggregate") named = namesOneOrganization(firstMatch(op.pipeline ?? []));
    else if (op.op === "bulkWrite" || op.op === "insertMany") named = true; // each of its operations is recorded on its own (bulkWrite.updateOne, insertMany.insertOne)
    else named = namesOneOrganization(op.filter);
    if (!named && !CROSS_ORGANIZATION.some((c) => c.matches(op))) problems.push(`${op.collection}.${op.op} names no organization: ${JSON.stringify(op.filter ?? op.pipeline?.[0] ?? op.doc).slice(0, 200)}`);
  }
  for (const l of lookups(op.pipeline)) {
    if (ORG_SCOPED.has(l.from) && !namesOneOrganization(firstMatch(l.pipeline))) problems.push(`a $lookup into ${l.from} (from ${op.collection}.${op.op}) names no organization first`);
  }
  return problems.length === 0 ? null : problems.join("; ");
}
