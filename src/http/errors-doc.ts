/**
 * docs/errors.md, rendered from the error catalogue (src/domain/errors.ts), the notes beside it
 * (./error-notes.ts) and the two renderings (./scim-errors.ts, ./v1-errors.ts), so the status and
 * scimType it states are the ones the server sends. `npm run docs:errors` writes it;
 * test/docs/errors.test.ts fails when the committed file differs from this rendering.
 */
import { DomainError, Errors } from "../domain/errors";
import { ERROR_NOTES } from "./error-notes";
import { ERROR_CODE_HEADER, scimErrorBody, statusOf } from "./scim-errors";
import { v1ErrorBody } from "./v1-errors";

export interface CatalogueEntry {
  name: keyof typeof Errors;
  error: DomainError;
}

type Factory = (...args: unknown[]) => DomainError;

/** The names of a factory's parameters that have no default, read from its source; `value` when unreadable. */
function parameterNames(f: Factory): string[] {
  const m = /^\s*(?:\(([^)]*)\)|(\w+))\s*=>/.exec(f.toString()) ?? /^\s*\(([^)]*)\)/.exec(f.toString());
  const list = m?.[1] ?? m?.[2];
  if (list === undefined) return Array.from({ length: f.length }, () => "value");
  return list.split(",").map((p) => p.trim()).filter((p) => p !== "" && !p.includes("=")).map((p) => /^\w+/.exec(p)?.[0] ?? "value");
}

/** One error of each factory, built with `{parameter}` placeholders (lists get a one-element list). */
export function catalogue(): CatalogueEntry[] {
  const entries = (Object.keys(Errors) as Array<keyof typeof Errors>).map((name) => {
    const f = Errors[name] as unknown as Factory;
    const names = parameterNames(f);
    let error: DomainError;
    try {
      error = f(...names.map((p) => `{${p}}`));
    } catch {
      error = f(...names.map((p) => [`{${p}}`]));
    }
    return { name, error };
  });
  return entries.sort((a, b) => a.error.code - b.error.code);
}

const RANGES: Array<[number, string]> = [
  [1000, "Request shape"],
  [2000, "Filters, sorting, attributes and cursors"],
  [3000, "PATCH"],
  [4000, "Users"],
  [5000, "Groups and org roles"],
  [6100, "Domains"],
  [6500, "Accounts and account roles"],
  [6600, "Invitations, mail and password resets"],
  [7000, "Authentication and authorization"],
  [8000, "/Bulk"],
  [8100, "Export and import"],
  [8200, "CSV import"],
  [9000, "Service"],
];

/** scimTypes a route sets itself: /Bulk answers 8001 with `tooMany` (RFC 7644 §3.7.4; src/http/scim/bulk-routes.ts). */
const SCIM_TYPE_SET_BY_ROUTE: Record<number, string> = { 8001: "tooMany" };

const rangeOf = (code: number): string => [...RANGES].reverse().find(([start]) => code >= start)![1];

export function renderErrorsDoc(): string {
  const out: string[] = [
    "# Errors",
    "",
    "<!-- Generated from src/domain/errors.ts and src/http/error-notes.ts by `npm run docs:errors`; test/docs/errors.test.ts fails when this file is stale. Do not edit by hand. -->",
    "",
    "Every refusal orgscim makes carries a stable numeric `code`, listed below. A code is never reused",
    "for another rule. The message says what was wrong and what to do; text in `{braces}` below stands",
    "for what the message fills in. Nothing is half-applied: a refused request (or /Bulk operation) changed nothing.",
    "",
    `**SCIM** (\`/scim/v2\`) answers the body of RFC 7644 §3.12; the code is in the \`${ERROR_CODE_HEADER}\` header:`,
    "",
    "```json",
    JSON.stringify(scimErrorBody(Errors.userNameTaken("jane@example.com"))),
    "```",
    "",
    "**`/v1`** and every other route answer `{code, message, more_info, status}`; `more_info` links",
    "to the code's section here:",
    "",
    "```json",
    JSON.stringify(v1ErrorBody(Errors.userNotFound("US0123456789abcdef0123456789abcdef"))),
    "```",
    "",
    "A 401 also carries `WWW-Authenticate: Bearer`; a 429 or 503 carries `Retry-After` (seconds).",
    "A 5xx never carries internal detail.",
    "",
  ];
  let section = "";
  for (const { name, error } of catalogue()) {
    const heading = rangeOf(error.code);
    if (heading !== section) {
      section = heading;
      out.push(`## ${heading}`, "");
    }
    const scimType = SCIM_TYPE_SET_BY_ROUTE[error.code] ?? (scimErrorBody(error).scimType as string | undefined);
    const note = ERROR_NOTES[name];
    out.push(
      `### ${error.code}`,
      "",
      `\`${name}\` · HTTP ${statusOf(error)}${scimType === undefined ? "" : ` · scimType \`${scimType}\``}`,
      "",
      ...error.message.split("\n").map((l) => `> ${l}`),
      "",
      `**Means:** ${note.means}`,
      "",
      `**Do:** ${note.todo}`,
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}
