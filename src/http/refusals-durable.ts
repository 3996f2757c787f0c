/**
 * A write refused for what the store holds is answered once what it read is on disk
 * (docs/security.md case 49). A write is acknowledged only after the fsync covering its commit
 * (src/store/sqlite/wal-sync.ts), but another request can read that commit before the fsync: a
 * DELETE sent again reads the user gone and answers 404, a create sent again 409, a PATCH with
 * the old version 412, while the first write is not yet durable. An identity provider takes such
 * a 404 as "deprovisioned"; a power cut before the fsync would bring the user back. So an
 * authenticated write's refusal (4xx but 429, which sheds load and reads nothing) waits for
 * Store.durable(); should that fail (the fsync failed: what it read may be lost), the request is
 * answered with that failure (503) instead of the refusal. A write that committed was acknowledged
 * after its own fsync already; reads are not held (docs/stores.md, Durability).
 * `tokenless` names the writes that take no bearer token (POST /v1/Invitations/Accept: the emailed
 * token is the credential) yet read what they refuse from the store: an accept sent again reads the
 * first one's commit and answers "already accepted" (docs/security.md case 54).
 */
import type { ErrorRequestHandler } from "express";
import type { Store } from "../domain/ports/store";
import { statusOf } from "./scim-errors";
import { toDomainError } from "./translate-error";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** An error handler placed before a protocol's renderer: hands the error on once what it was decided from is durable. */
export function refusalsDurable(store: Store, tokenless: readonly string[] = []): ErrorRequestHandler {
  const paths = new Set(tokenless.map((p) => p.toLowerCase()));
  return (err, req, _res, next) => {
    const durable = store.durable?.bind(store);
    if (!durable || (!req.actor && !paths.has(req.path.toLowerCase().replace(/\/+$/, ""))) || READS.has(req.method) || req.path.endsWith("/.search")) return next(err);
    const e = toDomainError(err);
    const status = statusOf(e);
    if (status < 400 || status >= 500 || status === 429) return next(e);
    durable().then(() => next(e), (failure: unknown) => next(failure));
  };
}
