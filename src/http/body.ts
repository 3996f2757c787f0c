/**
 * Request bodies: JSON as application/scim+json or application/json, within the size limit.
 * Another content type on a request with a body answers 415-equivalent invalidSyntax.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { Errors } from "../domain/errors";

const JSON_TYPES = ["application/json", "application/scim+json", "application/*+json"];

export function jsonBody(limit: string) {
  const parse = express.json({ type: JSON_TYPES, limit, strict: true });
  return (req: Request, res: Response, next: NextFunction) => {
    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (hasBody && !req.is(JSON_TYPES)) {
      return next(Errors.unsupportedMediaType(String(req.headers["content-type"] ?? "none")));
    }
    parse(req, res, next);
  };
}
