/**
 * Calls to the public APIs (/v1 and /scim/v2) with the signed-in token. The token lives in this
 * module's variable only: never in localStorage, sessionStorage, a cookie or the URL, so a reload
 * (or closing the tab) forgets it.
 */
import type { PageMeta } from "./types.js";

let token: string | null = null;

/** Fired on window when the API answers 401 (the token was revoked, or its user suspended or removed). */
export const UNAUTHORIZED = "orgscim:unauthorized";

export function signIn(t: string): void {
  token = t;
}

export function signOut(): void {
  token = null;
}

export function signedIn(): boolean {
  return token !== null;
}

/** An API refusal or failure, with the server's own message ({code, message} of /v1; detail of SCIM). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function request<T>(method: string, path: string, body: unknown, contentType: string, bearer = true): Promise<T> {
  if (bearer && token === null) throw new ApiError(401, null, "You are signed out. Sign in again with your token.");
  const headers: Record<string, string> = { accept: "application/json, application/scim+json" };
  if (bearer) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers, credentials: "omit", cache: "no-store", redirect: "error", referrerPolicy: "no-referrer" };
  if (body !== undefined) {
    headers["content-type"] = contentType;
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, null, "The server did not answer. Check that orgscim is running, then try again.");
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const b = (parsed ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
    const message = typeof b.message === "string" ? b.message : typeof b.detail === "string" ? b.detail : `The server answered ${res.status} ${res.statusText}.`;
    if (res.status === 401 && bearer) window.dispatchEvent(new CustomEvent(UNAUTHORIZED, { detail: message }));
    const retry = res.headers.get("retry-after");
    // /v1 errors carry their code in the body; SCIM errors in a header (RFC 7644 §3.12 bodies have none).
    const scimCode = Number(res.headers.get("x-orgscim-error-code") ?? NaN);
    const code = typeof b.code === "number" ? b.code : Number.isInteger(scimCode) ? scimCode : null;
    throw new ApiError(res.status, code, retry && (res.status >= 500 || res.status === 429) ? `${message} (retry in ${retry} s)` : message);
  }
  return parsed as T;
}

/** A /v1 call: `path` is relative to /v1 (e.g. "/Accounts"). */
export function v1<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, `/v1${path}`, body, "application/json");
}

/**
 * A /v1 call without the bearer token, for the accept page (./accept.ts): the invitation's
 * emailed token goes in the body, the only credential those two routes take.
 */
export function v1Public<T>(path: "/Invitations/Preview" | "/Invitations/Accept", body: unknown): Promise<T> {
  return request<T>("POST", `/v1${path}`, body, "application/json", false);
}

/** A SCIM call: `path` is relative to /scim/v2. */
export function scim<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, `/scim/v2${path}`, body, "application/scim+json");
}

/** The PageToken of one of a page's URLs (next_page_url, previous_page_url), or null. */
export function pageTokenOf(url: string | null): string | null | undefined {
  if (url === null) return null;
  const t = new URL(url, location.origin).searchParams.get("PageToken");
  return t ?? undefined; // undefined: the first page
}

/**
 * Every item of a /v1 list, page after page (PageSize 100, following next_page_url), for the
 * short lists a page shows whole (tokens, an account's users, a user's accounts, role
 * assignments). Stops after `maxPages` pages.
 */
export async function v1All<T>(path: string, key: string, query: Query = {}, maxPages = 50): Promise<T[]> {
  const out: T[] = [];
  let token: string | null | undefined = undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await v1<{ meta: PageMeta } & Record<string, unknown>>("GET", withQuery(path, { ...query, PageSize: 100, PageToken: token }));
    out.push(...(page[key] as T[]));
    token = pageTokenOf(page.meta.next_page_url);
    if (!token) break;
  }
  return out;
}

/** A /v1 list page: its items and where the neighbouring pages are. */
export interface Paged<T> {
  items: T[];
  meta: PageMeta;
}
