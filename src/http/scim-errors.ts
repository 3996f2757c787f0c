/**
 * The one place DomainErrors become SCIM error responses (RFC 7644 §3.12): the standard body,
 * the status, the scimType where the RFC defines one, and our stable numeric `code`.
 * A 5xx never carries internal detail.
 */
import type { ErrorKind } from "../domain/errors";
import { DomainError } from "../domain/errors";

export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

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
  notFound: 404,
  conflict: 409,
  forbidden: 403,
  unauthorized: 401,
  payloadTooLarge: 413,
  rateLimited: 429,
  unavailable: 503,
  internal: 500,
};

/** RFC 7644 §3.12 Table 9: the scimType values, by kind. */
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
};

/** scimType values other RFCs define, by error code: RFC 9865 §3 `invalidCursor` for a cursor this server did not issue. */
const SCIM_TYPE_BY_CODE: Record<number, string> = { 2004: "invalidCursor" };

export const statusOf = (e: DomainError): number => STATUS[e.kind];

export function scimErrorBody(e: DomainError): Record<string, unknown> {
  const status = STATUS[e.kind];
  const body: Record<string, unknown> = {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(status),
    detail: e.message,
    code: e.code,
  };
  const scimType = SCIM_TYPE_BY_CODE[e.code] ?? SCIM_TYPE[e.kind];
  if (scimType) body.scimType = scimType;
  return body;
}
