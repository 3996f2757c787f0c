/** Small helpers every SCIM route uses: the media type, ETags, base URL. */
import type { Request, Response } from "express";
import type { ListResult } from "../../domain/ports/store";
import type { IfMatch } from "../../domain/versions";
import { listResponse } from "../../scim/discovery";
import type { ListRequest } from "../../scim/list-request";
import { ifNoneMatchHolds, parseIfMatch } from "../../scim/preconditions";
import { wants, type Projection } from "../../scim/projection";
import type { ScimProfile } from "../../scim/quirks";
import { actorOf } from "../auth";
import { jsonArrayBody, JsonBody } from "./list-body";

const SCIM_MEDIA_TYPE = "application/scim+json; charset=utf-8";

/** The SCIM profile of the caller's organization (OrgSettings.scimProfile): how its requests are read. */
export const profileOf = (req: Request): ScimProfile => actorOf(req).org.settings.scimProfile;

export function sendScim(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader("Content-Type", SCIM_MEDIA_TYPE);
  res.end(JSON.stringify(body));
}

/**
 * Like sendScim, for a body with one long array (a group's members): the array's items come in
 * pages from `pages`, each rendered and written on its own, waiting for the socket to drain, so
 * neither the items nor the JSON ever exist whole in memory. The array goes last in the object;
 * JSON objects are unordered. A failure after the first byte can no longer become an error body:
 * the connection is destroyed, so the client sees a truncated body, never a complete wrong one.
 */
export async function sendScimStreamed<T>(res: Response, status: number, body: Record<string, unknown>, key: string, pages: AsyncIterable<readonly T[]>, render: (item: T) => unknown): Promise<void> {
  res.status(status).setHeader("Content-Type", SCIM_MEDIA_TYPE);
  const head = JSON.stringify(body).slice(0, -1);
  let pending = `${head}${head.length > 1 ? "," : ""}${JSON.stringify(key)}:[`;
  let first = true;
  try {
    for await (const items of pages) {
      if (items.length === 0) continue;
      pending += (first ? "" : ",") + JSON.stringify(items.map(render)).slice(1, -1);
      first = false;
      if (!res.write(pending)) await new Promise<void>((resolve) => {
        const done = () => { res.off("drain", done); res.off("close", done); resolve(); };
        res.once("drain", done);
        res.once("close", done);
      });
      pending = "";
      if (res.destroyed) return;
    }
  } catch (err) {
    if (!res.headersSent) throw err; // nothing written yet: the error handler answers
    res.req.log?.error({ err }, "a streamed response failed after its first byte; the connection was closed");
    res.destroy();
    return;
  }
  res.end(`${pending}]}`);
}

/** The SCIM base URL for meta.location: PUBLIC_URL when configured, otherwise from the request. */
export function baseUrlOf(req: Request, publicUrl: string | undefined): string {
  const root = publicUrl ? publicUrl.replace(/\/+$/, "") : `${req.protocol}://${req.get("host") ?? "localhost"}`;
  return `${root}/scim/v2`;
}

/** The request's If-Match precondition (src/scim/preconditions.ts). */
export const ifMatchOf = (req: Request): IfMatch => parseIfMatch(req.header("if-match"));

/** An attribute of an answer (its extension's URN, or null for the core schema, and its name). */
export type AnswerPart = readonly [schema: string | null, attr: string];

/** Whether an answer projected by `p` may hold `part` (the whole extension asked or left in counts). */
function mayHold(p: Projection, [schema, attr]: AnswerPart): boolean {
  if (schema === null) return wants(p, attr);
  if (p.include !== null) return p.include.some((r) => r.schema === schema && (r.attr === undefined || r.attr === attr));
  return !p.exclude.some((r) => r.schema === schema && (r.attr === undefined || (r.attr === attr && !r.sub)));
}

/**
 * Whether a GET answers 304: its If-None-Match names the current version, and the answer holds
 * nothing that changes without that version. A user's `groups` and a group's `members` (with each
 * member's display) are read from the other side of a membership, and a user's orgscim `orgRole` is
 * its effective role, what its groups grant included: all change without this resource's version
 * (a user added to a group or taken out of it, a group renamed or deleted, a member renamed or
 * deleted). While the answer holds one of `unversioned`, a matching version does not say the client
 * holds the current answer: a 304 kept a user in a group they had left, and an Administrator's
 * role on a user who had lost it (docs/security.md case 64).
 */
export const ifNoneMatches = (req: Request, version: number, projection: Projection, unversioned: readonly AnswerPart[]): boolean =>
  ifNoneMatchHolds(req.header("if-none-match"), version) && !unversioned.some((part) => mayHold(projection, part));

/**
 * A ListResponse of at most this many UTF-16 units is sent as one string: Node writes it in one
 * piece with the headers (a lookup's page of one user, ~1.5 KB). A Buffer is written as a second
 * piece (writev), which cost a lookup more than counting and encoding its text did.
 */
export const STRING_LIST_UNITS = 16 * 1024;

/**
 * Sends a ListResponse (RFC 7644 §3.4.2) from its items' JSON texts: the same bytes as
 * sendScim(res, 200, listResponse(items, extra)). Past STRING_LIST_UNITS, encoded once into a
 * Buffer (./list-body.ts), whose length Node sends as the Content-Length without counting the bytes
 * of a long string.
 */
export function sendList(res: Response, items: readonly string[], extra: Record<string, unknown>): void {
  // JSON.stringify(listResponse([], extra)) ends with `"Resources":[]}`: the items go between the brackets.
  const empty = JSON.stringify(listResponse([], extra));
  const head = empty.slice(0, -2);
  res.status(200).setHeader("Content-Type", SCIM_MEDIA_TYPE);
  let units = head.length + items.length + 2;
  for (let i = 0; i < items.length && units <= STRING_LIST_UNITS; i++) units += items[i]!.length;
  if (units <= STRING_LIST_UNITS) res.end(`${head}${items.join(",")}]}`);
  else jsonArrayBody(head, items, "]}").endWith(res);
}

/** Sends one page of a list as a ListResponse, each item's JSON text rendered with the request's projection. */
export async function sendPage<T>(
  req: Request,
  res: Response,
  lr: ListRequest,
  result: ListResult<T>,
  render: (req: Request, item: T, projection: Projection) => Promise<string>,
): Promise<void> {
  const items: string[] = [];
  for (const item of result.items) items.push(await render(req, item, lr.projection));
  sendList(res, items, pageExtra(lr, result));
}

/** A page's ListResponse members besides its Resources. */
function pageExtra(lr: ListRequest, result: ListResult<unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = {
    totalResults: result.total,
    itemsPerPage: result.items.length,
    startIndex: lr.query.cursor !== undefined ? 1 : lr.query.startIndex,
  };
  if (result.nextCursor) extra.nextCursor = result.nextCursor;
  return extra;
}

/**
 * sendPage's answer (the same bytes) for a page whose items are written straight into its body by
 * `write`, each after `before` ("" for the first item, else ","), in pieces (./list-body.ts): a
 * page of many items, which is never sent as one string. `units`: about how many UTF-16 units the
 * items take (the room taken at once).
 */
export function sendWrittenPage<T>(res: Response, lr: ListRequest, result: ListResult<T>, units: number, write: (body: JsonBody, before: string, item: T) => void): void {
  const head = JSON.stringify(listResponse([], pageExtra(lr, result))).slice(0, -2);
  const body = new JsonBody(head.length + units + 2);
  body.put(head);
  const { items } = result;
  for (let i = 0; i < items.length; i++) write(body, i === 0 ? "" : ",", items[i]!);
  body.put("]}");
  res.status(200).setHeader("Content-Type", SCIM_MEDIA_TYPE);
  body.endWith(res);
}

/** An item renderer as its JSON text. */
export const asJson = <T>(render: (req: Request, item: T, projection: Projection) => Promise<Record<string, unknown>>) =>
  async (req: Request, item: T, projection: Projection): Promise<string> => JSON.stringify(await render(req, item, projection));
