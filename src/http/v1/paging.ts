/**
 * Twilio-style paging for /v1 lists: PageSize (1..100, default 50) and an opaque PageToken;
 * the response carries `meta` with the page's URLs. A token seals the page's offset for the
 * caller's organization and the list's path (src/domain/page-tokens.ts): it shows nothing, a
 * changed one or another organization's answers 400, and it works on every instance.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { z } from "zod";
import { Errors } from "../../domain/errors";
import { pageTokensOf, type PageTokens } from "../../domain/page-tokens";
import type { Store } from "../../domain/ports/store";
import { actorOf } from "../auth";
import { originOf } from "./links";
import { named } from "./schemas";

/** Loads the store's page-token key (once per store) for the GET routes that page. */
export function pageTokenKeys(store: Store): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (_req.method !== "GET") return next();
    pageTokensOf(store).then((t) => { res.locals.pageTokens = t; next(); }, next);
  };
}

/** The sealer of this request, and the organization and list a token of it is bound to. */
export function pageTokenScope(req: Request): { tokens: PageTokens; orgId: string; purpose: string } {
  const tokens = req.res?.locals.pageTokens as PageTokens | undefined;
  if (!tokens) throw new Error("page tokens not loaded: pageTokenKeys must run before a paged route");
  return { tokens, orgId: actorOf(req).org.id, purpose: `v1 ${(req.baseUrl + req.path).toLowerCase()}` };
}

export const PAGE_TOKEN_INVALID = "is not a page token this server issued for this list and organization (it may have been changed, or belong to another list); start again without it.";

export const PageQuery = z.object({
  PageSize: z.coerce.number().int().min(1).max(100).optional(),
  PageToken: z.string().max(200).optional(),
});

export interface Page {
  size: number;
  /** Offset of the first item. */
  offset: number;
  number: number;
}

/**
 * The page a request asks for. PageSize is read at once (its syntax is public); the PageToken is
 * opened only when `offset()` is first called, which the list's use case does after the policy
 * allowed (src/domain/policy: AfterPolicy): a caller who may not read the list gets 403 whatever
 * token it sends. `page()` is the page, once the offset was opened.
 */
export interface PageRequest {
  size: number;
  offset: () => number;
  page: () => Page;
}

export function readPage(req: Request): PageRequest {
  const q = req.query as Record<string, unknown>;
  const parsed = PageQuery.safeParse({ PageSize: q.PageSize, PageToken: q.PageToken });
  if (!parsed.success) throw Errors.invalidParameter("PageSize", "must be an integer from 1 to 100.");
  const size = parsed.data.PageSize ?? 50;
  const token = parsed.data.PageToken;
  let offset: number | undefined;
  const open = (): number => {
    if (offset !== undefined) return offset;
    offset = 0;
    if (token) {
      const { tokens, orgId, purpose } = pageTokenScope(req);
      const m = /^(\d{1,9})$/.exec(tokens.open(orgId, purpose, token) ?? "");
      if (!m) { offset = undefined; throw Errors.invalidParameter("PageToken", PAGE_TOKEN_INVALID); }
      offset = Number(m[1]);
    }
    return offset;
  };
  return { size, offset: open, page: () => { const o = open(); return { size, offset: o, number: Math.floor(o / size) }; } };
}

export const PageMeta = named("PageMeta", z.object({
  page: z.number().int().describe("The page's number, from 0"),
  page_size: z.number().int(),
  first_page_url: z.string(),
  previous_page_url: z.string().nullable()
    .describe("null on the first page; on a list read by a forward-only cursor (AuditEvents) also from the third page on: go back to first_page_url"),
  url: z.string(),
  next_page_url: z.string().nullable().describe("null on the last page"),
  key: z.string().describe("The name of the list's array in this body"),
}));

/** The list's URL without its paging, and a builder of its page URLs (a PageToken, or none for the first page). */
function pageUrls(req: Request, size: number): (token: string | null) => string {
  const base = `${originOf(req)}${req.baseUrl}${req.path}`;
  const others = Object.entries(req.query as Record<string, string>).filter(([k]) => k !== "PageToken" && k !== "PageSize");
  return (token) => {
    const params = new URLSearchParams([...others, ["PageSize", String(size)]]);
    if (token !== null) params.set("PageToken", token);
    return `${base}?${params.toString()}`;
  };
}

/** The `meta` object of a page whose items are [offset, offset + returned). */
export function pageMeta(req: Request, key: string, page: Page, returned: number, hasMore: boolean): z.infer<typeof PageMeta> {
  const { tokens, orgId, purpose } = pageTokenScope(req);
  const urls = pageUrls(req, page.size);
  const url = (offset: number) => urls(offset > 0 ? tokens.seal(orgId, purpose, String(offset)) : null);
  return {
    page: page.number,
    page_size: page.size,
    first_page_url: url(0),
    previous_page_url: page.offset > 0 ? url(Math.max(0, page.offset - page.size)) : null,
    url: url(page.offset),
    next_page_url: hasMore ? url(page.offset + returned) : null,
    key,
  };
}

/**
 * The `meta` object of a page of a list read by a forward-only cursor (AuditEvents, newest first
 * by keyset): `current` and `next` are the sealed PageTokens of this page and the next (null: the
 * first page, the last page). The previous page is known only from the second page (the first).
 */
export function cursorMeta(req: Request, key: string, size: number, page: number, current: string | null, next: string | null): z.infer<typeof PageMeta> {
  const urls = pageUrls(req, size);
  return {
    page,
    page_size: size,
    first_page_url: urls(null),
    previous_page_url: page === 1 ? urls(null) : null,
    url: urls(current),
    next_page_url: next === null ? null : urls(next),
    key,
  };
}

/**
 * One page of a list the use case answered whole (bounded lists: tokens, an account's users, a
 * user's accounts, role assignments, domains), in the order `order` gives (a stable one, so
 * offsets mean the same thing from one request to the next). Call it after the use case: the
 * PageToken is opened only then (authorization first).
 */
export function pageOf<T>(req: Request, request: PageRequest, key: string, all: T[], order: (item: T) => string): { items: T[]; meta: z.infer<typeof PageMeta> } {
  const sorted = [...all].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const page = request.page();
  const items = sorted.slice(page.offset, page.offset + page.size);
  return { items, meta: pageMeta(req, key, page, items.length, page.offset + items.length < sorted.length) };
}
