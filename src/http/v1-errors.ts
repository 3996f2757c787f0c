/**
 * The one place DomainErrors become /v1 (and non-SCIM) error bodies, in Twilio's style:
 * `{code, message, more_info, status}`. ./error-handler.ts renders with it in the /v1 router and
 * for everything outside the SCIM and /v1 routers.
 */
import type { Response } from "express";
import type { DomainError } from "../domain/errors";
import { statusOf } from "./scim-errors";

export function v1ErrorBody(e: DomainError): Record<string, unknown> {
  return {
    code: e.code,
    message: e.message,
    more_info: `https://github.com/orgscim/orgscim/blob/main/docs/errors.md#${e.code}`,
    status: statusOf(e),
  };
}

/** /v1's renderer for ./error-handler.ts. */
export function sendV1Error(res: Response, status: number, e: DomainError): void {
  res.status(status).json(v1ErrorBody(e));
}
