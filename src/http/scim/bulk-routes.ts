/**
 * POST /Bulk (RFC 7644 §3.7). Mounted before the router-wide body parser: its body may be as large
 * as maxPayloadSize (413 past it), and it may carry at most maxOperations operations (413 tooMany).
 * Each operation calls the use case its single request calls (createUser, modifyUser,
 * deprovisionUser, createGroup, modifyGroup, deleteGroup, createMembership, deleteMembership) with the same coercion and PATCH
 * parsing, under the caller's token, so the same rules, authorization and audit apply.
 */
import { scimPut } from "../../domain/events-capture";
import { Router, type NextFunction, type Request, type Response } from "express";
import { DomainError, Errors } from "../../domain/errors";
import { createMembership, deleteMembership } from "../../domain/group-members";
import { createGroup, deleteGroup, modifyGroup } from "../../domain/groups";
import { GROUP_MEMBER } from "../../domain/resource-names";
import { membershipInputOf } from "../../scim/group-member-resource";
import { deprovisionUser } from "../../domain/user-removal";
import { authenticate } from "../../domain/tokens";
import { createUser, modifyUser } from "../../domain/users";
import { parseBulkRequest } from "../../scim/bulk/request";
import { groupInputOf, groupPatchOf, groupReplaceOf, userInputOf, userPatchOf } from "../../scim/resource-inputs";
import { runBulk, type BulkCall, type BulkDone } from "../../scim/bulk/run";
import { etagOf } from "../../scim/user-resource";
import { actorOf, bearerToken } from "../auth";
import type { BulkAdmission } from "../bulk-admission";
import { jsonBody } from "../body";
import { scimErrorBody, sendScimError, statusOf } from "../scim-errors";
import { toDomainError } from "../translate-error";
import { isContentRefusal, type RefusedRequest } from "../../domain/provisioning-errors";
import { keepRefusals, refusedRequest } from "./record-refusals";
import type { GroupRouteDeps } from "./groups-routes";
import { baseUrlOf, sendScim } from "./respond";

export interface BulkLimits {
  maxOperations: number;
  /** Bytes. */
  maxPayloadSize: number;
}

/** The defaults of SCIM_BULK_MAX_OPERATIONS and SCIM_BULK_MAX_PAYLOAD. */
export const DEFAULT_BULK_LIMITS: BulkLimits = { maxOperations: 1000, maxPayloadSize: 10 * 1024 * 1024 };

const TOO_MANY_OPERATIONS = Errors.bulkTooManyOperations(0, 0).code;
const MEMBERSHIPS = GROUP_MEMBER.endpoint.slice(1);

/** The JSON parser with the bulk limit; a body over it answers the bulk 413. */
function bulkBody(maxPayloadSize: number) {
  const parse = jsonBody(String(maxPayloadSize));
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => {
      const tooLarge = (err as { type?: string } | undefined)?.type === "entity.too.large";
      next(tooLarge ? Errors.bulkPayloadTooLarge(maxPayloadSize) : err);
    });
}

function renderError(e: unknown): { status: number; body: Record<string, unknown> } {
  const err = toDomainError(e);
  return { status: statusOf(err), body: scimErrorBody(err) };
}

/** `admission`: /Bulk slots (../bulk-admission.ts), taken once the body is read and parsed; none: no limit. */
export function bulkRoutes(deps: GroupRouteDeps, limits: BulkLimits, admission?: BulkAdmission, r: Router = Router()): Router {

  r.post("/Bulk", bulkBody(limits.maxPayloadSize), async (req, res) => {
    let request;
    try {
      request = parseBulkRequest(req.body, limits.maxOperations);
    } catch (e) {
      // RFC 7644 §3.7.4: 413 naming the limit; scimType tooMany says which one.
      if (e instanceof DomainError && e.code === TOO_MANY_OPERATIONS) {
        await keepRefusals(deps, req, [refusedRequest(e, { method: "POST", path: "/Bulk", bulk: false }, "tooMany")]);
        return void sendScimError(res, 413, e, "tooMany");
      }
      throw e;
    }
    const actor = actorOf(req);
    admission?.admit(actor.org.id, request.operations.length, res, req); // 429 when the organization's or every slot is taken
    const profile = actor.org.settings.scimProfile;
    const execute = async (call: BulkCall): Promise<BulkDone> => {
      const id = call.id ?? "";
      if (call.resource === "Users") {
        switch (call.method) {
          case "POST": {
            const { user } = await createUser(deps, actor, userInputOf(call.data, profile));
            return { status: 201, id: user.id, version: etagOf(user.version) };
          }
          case "PUT": {
            const input = userInputOf(call.data, profile);
            const u = await modifyUser(deps, actor, id, call.version, () => input, scimPut);
            return { status: 200, id, version: etagOf(u.version) };
          }
          case "PATCH": {
            const u = await modifyUser(deps, actor, id, call.version, userPatchOf(call.data, profile));
            return { status: 204, id, version: etagOf(u.version) };
          }
          case "DELETE":
            await deprovisionUser(deps, actor, id, call.version);
            return { status: 204, id };
        }
      }
      if (call.resource === MEMBERSHIPS) {
        switch (call.method) {
          case "POST": {
            const { groupId, userId } = membershipInputOf(call.data);
            return { status: 201, id: (await createMembership(deps, actor, groupId, userId)).id };
          }
          case "DELETE":
            await deleteMembership(deps, actor, id);
            return { status: 204, id };
          default: // a membership is made or ended, never changed (draft §6)
            throw Errors.methodNotAllowed(call.method, `${GROUP_MEMBER.endpoint}/${id}`, ["GET", "DELETE"]);
        }
      }
      switch (call.method) {
        case "POST": {
          const g = await createGroup(deps, actor, groupInputOf(call.data, profile));
          return { status: 201, id: g.id, version: etagOf(g.version) };
        }
        case "PUT": {
          const { transform, changes } = groupReplaceOf(call.data, profile);
          const g = await modifyGroup(deps, actor, id, call.version, transform, changes, {}, scimPut);
          return { status: 200, id, version: etagOf(g.version) };
        }
        case "PATCH": {
          const { transform, changes } = groupPatchOf(call.data, profile);
          const g = await modifyGroup(deps, actor, id, call.version, transform, changes);
          return { status: 204, id, version: etagOf(g.version) };
        }
        case "DELETE":
          await deleteGroup(deps, actor, id, call.version);
          return { status: 204, id };
      }
    };
    // One commit per slice of operations where the store can (each operation still stands or falls
    // alone); between slices other requests run, and a slice's fsync overlaps the next slice (src/scim/bulk/run.ts).
    const store = deps.store;
    const batch = store.commitBatch ? store.commitBatch.bind(store)
      : store.batch ? async <T>(fn: () => Promise<T>) => ({ result: await store.batch!(fn), durable: Promise.resolve() }) : undefined;
    // Each operation refused for its content is recorded once the request is done (one write).
    const refused: RefusedRequest[] = [];
    const renderAndKeep = (e: unknown, op: { method: string; path: string; data?: unknown }) => {
      const err = toDomainError(e);
      if (isContentRefusal(err)) refused.push(refusedRequest(err, { method: op.method, path: op.path, bulk: true, body: op.data }));
      return renderError(err);
    };
    // Before each slice after the first: the token as a new request would find it (case 90).
    const recheck = async (): Promise<void> => {
      const auth = await authenticate(deps.store, bearerToken(req), deps.clock.now());
      if (!auth || auth.org.id !== actor.org.id || auth.token.id !== actor.tokenId) {
        throw Errors.unauthorized("The bearer token was revoked, or the user it acts for (or who made it) suspended or removed, while this /Bulk ran: the operations left were not processed. Send them again with a token that is valid now (an administrator makes one with `orgscim tokens create` or POST /v1/Tokens).");
      }
      actor.org = auth.org;
      actor.scopes = auth.token.scopes;
      actor.principal = auth.principal;
    };
    const response = await runBulk(request, { baseUrl: baseUrlOf(req, deps.publicUrl), execute, renderError: renderAndKeep, recheck, ...(batch ? { slice: batch } : {}) });
    await keepRefusals(deps, req, refused);
    sendScim(res, 200, response);
  });

  return r;
}
