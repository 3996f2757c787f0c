/**
 * Mongoose schemas: one collection per record kind, string `_id`s (SCIM ids are not ObjectIds),
 * `strict: "throw"` (an unknown field is a bug, never silently stored), no `__v`, empty objects kept.
 *
 * Schemas declare the stored shape (indexes are in ./indexes.ts, made by ./migrations.ts); the
 * repositories validate every document
 * through them (`checked`) and then talk to the driver collection directly, so the query and
 * update documents that reach MongoDB are exactly the ones ./filter-mongo.ts and ./updates.ts build
 * (and the ones the mingo tests run).
 *
 * Case-insensitive uniqueness uses lower-cased shadow fields with unique compound indexes
 * (userNameLower, displayNameLower, claimedName), not collations.
 */
import mongoose, { Schema, type SchemaDefinition } from "mongoose";
import type { Stored } from "./decode";

const str = { type: String, required: true } as const;
const nullableStr = { type: String, default: null } as const;
const bool = { type: Boolean, required: true } as const;
const num = { type: Number, required: true } as const;
const mixed = { type: Schema.Types.Mixed } as const;

declare module "mongoose" {
  // mongoose documents the instance method the required validator calls (SchemaString.prototype.
  // checkRequired, overridable per path); its type declarations have only the static setter.
  interface SchemaType {
    checkRequired(value: unknown, doc?: unknown): boolean;
  }
}

/**
 * A required string may be empty here (mongoose's default requires length > 0): the domain, not
 * the store, decides which strings may be empty. Set per path, not on mongoose's global String type.
 */
function allowEmptyStrings(s: Schema): Schema {
  s.eachPath((_name, type) => {
    if (type.instance === "String") type.checkRequired = (v) => typeof v === "string";
  });
  return s;
}

function sub(def: SchemaDefinition): Schema {
  return allowEmptyStrings(new Schema(def, { _id: false, strict: "throw" }));
}

function schema(def: SchemaDefinition): Schema {
  return allowEmptyStrings(new Schema({ _id: str, ...def }, { strict: "throw", versionKey: false, minimize: false, autoIndex: false }));
}

const emailSchema = sub({ value: { type: String }, type: { type: String }, primary: { type: Boolean }, display: { type: String } });
const orgscimSchema = sub({ orgRole: str, status: str, twoFactorRequired: bool, passwordResetRequired: bool });


export const SCHEMAS = {
  // settings and binding are small objects whose shape the domain evolves: kept as given (Mixed),
  // settings merged with DEFAULT_ORG_SETTINGS on read, as the SQLite store does.
  organizations: schema({ name: str, settings: { type: Schema.Types.Mixed, required: true }, created: str, lastModified: str }),
  tokens: schema({
    orgId: str, name: str, scopes: [String], secretHash: str, userId: nullableStr, created: str, revoked: nullableStr,
    createdBy: nullableStr, creatorUserId: nullableStr, ceiling: nullableStr,
    kind: nullableStr, expires: nullableStr, audience: nullableStr,
  }),
  users: schema({
    orgId: str, seq: num, userName: str, userNameLower: str, externalId: nullableStr, displayName: nullableStr,
    active: bool, status: str, orgRole: nullableStr, twoFactorRequired: bool, passwordResetRequired: bool,
    emails: [emailSchema], emailsLower: [String], primaryEmailLower: nullableStr,
    orgscim: { type: orgscimSchema, required: true }, data: mixed, version: num, created: str, lastModified: str,
    memberTick: { type: Number },
  }),
  groups: schema({
    orgId: str, seq: num, displayName: str, displayNameLower: str, externalId: nullableStr, builtin: bool,
    binding: { type: Schema.Types.Mixed, default: null }, data: mixed, version: num, created: str, lastModified: str,
    memberTick: { type: Number },
  }),
  // id and created since migration 7 (every membership the store makes has them).
  group_members: schema({ orgId: str, groupId: str, userId: str, userSeq: num, id: { type: String }, created: { type: String } }),
  accounts: schema({ orgId: str, seq: num, name: str, ownerId: str, status: str, created: str, lastModified: str }),
  domains: schema({
    orgId: str, name: str, nameLower: str, claimedName: { type: String }, orgName: { type: String }, state: str, challenge: str,
    created: str, verifiedAt: nullableStr, revalidatingSince: nullableStr,
  }),
  invitations: schema({
    orgId: str, userId: str, email: str, tokenHash: str, expires: str, created: str,
    acceptedAt: nullableStr, revokedAt: nullableStr,
    // absent in invitations written before /v1/Invitations (see Invitation in src/domain/types.ts)
    kind: { type: String }, orgRole: { type: String }, accountId: { type: String }, accountRoles: { type: [String], default: undefined },
    createdMember: { type: Boolean }, newLogin: { type: Boolean }, priorStatus: { type: String },
    // who sent (or last resent) it: a token id or `operator`; absent on invitations written before
    invitedBy: { type: String },
  }),
  /** Mail to send (src/domain/outbox.ts); `text` is null once sent, cancelled or given up on. */
  outbox: schema({
    orgId: nullableStr, kind: str, ref: nullableStr, to: str, subject: str, text: nullableStr, status: str, created: str,
    sentAt: nullableStr, attempts: num, lastError: nullableStr, nextAttemptAt: str,
  }),
  audit_events: schema({
    orgId: str, seq: num, time: str, actor: str, action: str, targetType: str, targetId: nullableStr,
    outcome: str, before: mixed, after: mixed, reason: { type: String },
    // the actor's halves (src/domain/audit.ts actorParts), for GET /v1/AuditEvents?Actor= (migration 8)
    actorCredential: str, actorUser: nullableStr,
    // events an import copied from elsewhere: { at, from } (AuditEvent.imported); absent on live events
    imported: { type: sub({ at: str, from: str }), default: undefined },
  }),
  /** SCIM event streams (src/domain/events.ts): unsharded, read by id before the organization is known. `leaseUntil`: the push worker holding it. */
  event_streams: schema({
    orgId: str, name: str, delivery: str, endpoint: nullableStr, pollSecretHash: nullableStr, created: str, createdBy: str, deleted: nullableStr,
    leaseUntil: nullableStr,
  }),
  /** One SET for one stream, `_id` its jti, until acknowledged (./events.ts); `seq` the organization's order of SETs. */
  security_events: schema({
    orgId: str, seq: num, streamId: str, subject: str, claims: str, status: str, attempts: num, nextAttemptAt: str, lastError: nullableStr, created: str,
  }),
  /** When and from where a token (`_id`) was last used (src/domain/tokens.ts noteTokenUse): apart from `tokens`, as on SQLite. */
  token_uses: schema({ orgId: str, lastUsed: str, lastAddress: str }),
  /** SCIM requests refused for their content (./provisioning-errors.ts), `_id` "<orgId>:<seq>"; never a body. */
  provisioning_errors: schema({
    orgId: str, seq: num, time: str, status: num, scimType: nullableStr, code: num, reason: str, method: str, path: str, bulk: bool,
    credential: str, targetName: nullableStr, externalId: nullableStr,
  }),
  /** Insertion order per organization and collection (./sequences.ts). */
  counters: schema({ orgId: str, name: str, seq: num }),
} as const;

export type CollectionName = keyof typeof SCHEMAS;
export type Model = mongoose.Model<Record<string, unknown>>;
export type Models = Record<CollectionName, Model>;

/**
 * Binds the schemas to a connection; collection names are the keys of SCHEMAS. Listed by name (no
 * cast): a collection added to SCHEMAS and not here is a compile error naming it.
 */
export function defineModels(conn: mongoose.Connection): Models {
  const bind = (name: CollectionName): Model => conn.models[name] ?? conn.model<Record<string, unknown>>(name, SCHEMAS[name], name);
  return {
    organizations: bind("organizations"), tokens: bind("tokens"), users: bind("users"), groups: bind("groups"),
    group_members: bind("group_members"), accounts: bind("accounts"), domains: bind("domains"),
    invitations: bind("invitations"), outbox: bind("outbox"), audit_events: bind("audit_events"),
    event_streams: bind("event_streams"), security_events: bind("security_events"), token_uses: bind("token_uses"), counters: bind("counters"),
    provisioning_errors: bind("provisioning_errors"),
  };
}

/**
 * Validates a document against its schema (types, required fields, no unknown keys) and answers
 * the plain object to send. Throws mongoose's ValidationError (or StrictModeError) on a bad document.
 */
export async function checked(model: Model, doc: Record<string, unknown>): Promise<Stored> {
  const d = new model(doc);
  await d.validate();
  const plain: Record<string, unknown> = d.toObject({ depopulate: true, versionKey: false, minimize: false, flattenMaps: true });
  const { _id } = plain;
  if (typeof _id !== "string") throw new TypeError(`a document for ${model.modelName} needs a string _id, not ${typeof _id}`);
  return { ...plain, _id };
}
