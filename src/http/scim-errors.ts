/**
 * The one place DomainErrors become SCIM error responses (RFC 7644 §3.12): the status, and a body
 * with exactly the members §3.12 defines (`schemas`, `status`, `scimType` where the RFC or RFC 9865
 * defines one, `detail`), so strict client libraries accept it. Our stable numeric code travels in
 * the `X-Orgscim-Error-Code` response header (ERROR_CODE_HEADER), never in the body.
 * A 5xx never carries internal detail.
 */
import type { Response } from "express";
import type { ErrorKind } from "../domain/errors";
import { DomainError } from "../domain/errors";
import { sendScim } from "./scim/respond";

const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** The response header carrying the stable numeric code of src/domain/errors.ts. */
export const ERROR_CODE_HEADER = "X-Orgscim-Error-Code";

const STATUS: Record<ErrorKind, number> = {
  invalidFilter: 400,
  invalidSyntax: 400,
  invalidValue: 400,
  invalidPath: 400,
  noTarget: 400,
  mutability: 400,
  uniqueness: 409,
  tooMany: 400,
  invalidVersion: 412,
  invalidCursor: 400,
  notFound: 404,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  methodNotAllowed: 405,
  rateLimited: 429,
  unavailable: 503,
  internal: 500,
};

/** RFC 7644 §3.12 Table 9 and RFC 9865 §2.1: the scimType values, by kind. */
const SCIM_TYPE: Partial<Record<ErrorKind, string>> = {
  invalidFilter: "invalidFilter",
  invalidSyntax: "invalidSyntax",
  invalidValue: "invalidValue",
  invalidPath: "invalidPath",
  noTarget: "noTarget",
  mutability: "mutability",
  uniqueness: "uniqueness",
  tooMany: "tooMany",
  invalidVersion: "invalidVers",
  invalidCursor: "invalidCursor",
};

export const statusOf = (e: DomainError): number => STATUS[e.kind];

/** The RFC 7644 §3.12 body; `scimType` overrides the kind's own (a /Bulk 413 says tooMany). */
export function scimErrorBody(e: DomainError, scimType: string | undefined = SCIM_TYPE[e.kind]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(STATUS[e.kind]),
  };
  if (scimType) body.scimType = scimType;
  body.detail = e.message;
  return body;
}

/** SCIM's renderer for ./error-handler.ts (and /Bulk's own 413): the code header, then the body in SCIM's media type. */
export function sendScimError(res: Response, status: number, e: DomainError, scimType?: string): void {
  res.setHeader(ERROR_CODE_HEADER, String(e.code));
  sendScim(res, status, scimErrorBody(e, scimType));
}
