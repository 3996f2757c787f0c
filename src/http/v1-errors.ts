/**
 * The one place DomainErrors become /v1 (and non-SCIM) error bodies, in Twilio's style:
 * `{code, message, more_info, status}`.
 */
import type { DomainError } from "../domain/errors";
import { statusOf } from "./scim-errors";

export const v1Status = (e: DomainError): number => statusOf(e);

export function v1ErrorBody(e: DomainError): Record<string, unknown> {
  return {
    code: e.code,
    message: e.message,
    more_info: `https://github.com/orgscim/orgscim/blob/main/docs/errors.md#${e.code}`,
    status: statusOf(e),
  };
}
