/**
 * Records the SCIM requests refused for their content (src/domain/provisioning-errors.ts): an
 * error handler placed before the SCIM renderer, which it then hands the error to unchanged. Only
 * an authenticated request is recorded (the organization is its token's); the answer the client
 * gets is the same whether the record is written or not.
 */
import type { ErrorRequestHandler, Request } from "express";
import { isContentRefusal, recordProvisioningErrors, type RefusedRequest } from "../../domain/provisioning-errors";
import type { DomainError } from "../../domain/errors";
import { scimErrorBody, statusOf } from "../scim-errors";
import { toDomainError } from "../translate-error";
import type { ScimDeps } from "./users-routes";

/** The record of one refused request or /Bulk operation, as SCIM answered it. */
export function refusedRequest(e: DomainError, at: { method: string; path: string; bulk: boolean; body?: unknown }, scimType?: string): RefusedRequest {
  const rendered = scimErrorBody(e, scimType);
  return {
    error: e, status: statusOf(e), scimType: typeof rendered.scimType === "string" ? rendered.scimType : null,
    method: at.method, path: at.path, bulk: at.bulk, ...(at.body !== undefined ? { body: at.body } : {}),
  };
}

/** Writes the records (never throwing: a failure is logged) once the response's fate no longer depends on them. */
export async function keepRefusals(deps: ScimDeps, req: Request, refused: RefusedRequest[]): Promise<void> {
  if (!req.actor || refused.length === 0) return;
  await recordProvisioningErrors({ store: deps.store, clock: deps.clock, ...(deps.provisioningErrors ? { retention: deps.provisioningErrors } : {}) }, req.actor, refused,
    (e) => req.log?.warn({ err: e }, "a provisioning error could not be recorded"));
}

export function recordRefusals(deps: ScimDeps): ErrorRequestHandler {
  return async (err, req, _res, next) => {
    const e = toDomainError(err);
    if (isContentRefusal(e)) await keepRefusals(deps, req, [refusedRequest(e, { method: req.method, path: req.path, bulk: false, body: req.body })]);
    next(e);
  };
}
