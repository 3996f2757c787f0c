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

export const PageMeta = z.object({
  page: z.number().int(),
  page_size: z.number().int(),
  first_page_url: z.string(),
  previous_page_url: z.string().nullable(),
  url: z.string(),
  next_page_url: z.string().nullable(),
  key: z.string(),
});

/** The `meta` object of a page whose items are [offset, offset + returned). */
export function pageMeta(req: Request, key: string, page: Page, returned: number, hasMore: boolean): z.infer<typeof PageMeta> {
  const base = `${req.protocol}://${req.get("host") ?? "localhost"}${req.baseUrl}${req.path}`;
  const others = Object.entries(req.query as Record<string, string>).filter(([k]) => k !== "PageToken" && k !== "PageSize");
  const { tokens, orgId, purpose } = pageTokenScope(req);
  const url = (offset: number) => {
    const params = new URLSearchParams([...others, ["PageSize", String(page.size)]]);
    if (offset > 0) params.set("PageToken", tokens.seal(orgId, purpose, String(offset)));
    return `${base}?${params.toString()}`;
  };
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
