/**
 * Twilio-style paging for /v1 lists: PageSize (1..100, default 50) and an opaque PageToken;
 * the response carries `meta` with the page's URLs. Tokens are the store's own cursors or an
 * offset, wrapped so that clients treat them as opaque.
 */
import type { Request } from "express";
import { z } from "zod";
import { Errors } from "../../domain/errors";

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

export function readPage(req: Request): Page {
  const q = req.query as Record<string, unknown>;
  const parsed = PageQuery.safeParse({ PageSize: q.PageSize, PageToken: q.PageToken });
  if (!parsed.success) throw Errors.invalidParameter("PageSize", "must be an integer from 1 to 100.");
  const size = parsed.data.PageSize ?? 50;
  let offset = 0;
  if (parsed.data.PageToken) {
    const m = /^PT(\d{1,9})$/.exec(parsed.data.PageToken);
    if (!m) throw Errors.invalidParameter("PageToken", "is not a token this server issued; start again without it.");
    offset = Number(m[1]);
  }
  return { size, offset, number: Math.floor(offset / size) };
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
  const url = (offset: number) => {
    const params = new URLSearchParams([...others, ["PageSize", String(page.size)]]);
    if (offset > 0) params.set("PageToken", `PT${offset}`);
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
