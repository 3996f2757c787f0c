/**
 * Reading an export (see ./export.ts for the line format): each line parsed, guarded like a
 * request body (no prototype keys, bounded nesting) and decoded; SCIM lines coerced as POST /Users
 * and /Groups coerce them; then imported into an organization (src/domain/portability/ has the
 * rules). The command is ./import.ts; ./import-reader.ts reads a file on a worker thread.
 */
import type { Clock } from "../domain/clock";
import { lookupChallenge } from "../domain/domain-rules";
import { DomainError, Errors, type ErrorKind } from "../domain/errors";
import { OrgImporter, RECORD_KINDS, type ImportItem, type ImportMeta, type ImportOptions, type ImportReport, type RecordKind } from "../domain/portability";
import type { TxtResolver } from "../domain/ports/dns";
import type { Store } from "../domain/ports/store";
import type { Domain } from "../domain/types";
import { groupInputOf, userInputOf } from "../scim/resource-inputs";
import { assertSafeKeys } from "../scim/quirks";
import { ORGSCIM_GROUP_SCHEMA, ORGSCIM_USER_SCHEMA } from "../scim/schemas";
import { orgRoleOf } from "../scim/user-resource";
import { FORMAT, FORMAT_VERSION, type ExportHeader } from "./export";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function metaOf(resource: Record<string, unknown>): ImportMeta {
  const meta = isObject(resource.meta) ? resource.meta : {};
  const out: ImportMeta = {};
  if (typeof meta.created === "string") out.created = meta.created;
  if (typeof meta.lastModified === "string") out.lastModified = meta.lastModified;
  const v = typeof meta.version === "string" ? /^W\/"(\d{1,15})"$/.exec(meta.version) : null;
  if (v) out.version = Number(v[1]);
  return out;
}

const extension = (resource: Record<string, unknown>, urn: string): Record<string, unknown> =>
  (isObject(resource[urn]) ? resource[urn] : {}) as Record<string, unknown>;

function resourceOf(line: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(line.resource)) throw Errors.importFormat(`A ${String(line.type)} line needs "resource": the SCIM resource.`);
  return line.resource;
}

/** Whether one of the resource's keys names `urn` (schema URNs are matched without case). */
function namesUrn(resource: Record<string, unknown>, urn: string): boolean {
  const low = urn.toLowerCase();
  for (const k of Object.keys(resource)) if (k.length === urn.length && (k === urn || k.toLowerCase() === low)) return true;
  return false;
}

const idOf = (resource: Record<string, unknown>): string | null => (typeof resource.id === "string" && resource.id !== "" ? resource.id : null);

/**
 * One parsed line as an import item. SCIM resources are coerced as the SCIM endpoints coerce them;
 * the other records are checked by the import. `guarded`: the whole line passed assertSafeKeys
 * (readLine's guard), so the coercion does not walk the resource again.
 */
export function decodeItem(line: Record<string, unknown>, guarded?: "guarded"): ImportItem {
  const { type, ...record } = line;
  switch (type) {
    case "user": {
      const resource = resourceOf(line);
      const ext = extension(resource, ORGSCIM_USER_SCHEMA);
      // The file carries the user's own role and status (null: an independent user holds no role); SCIM coercion sees the rest.
      const { orgRole, status, ...rest } = ext;
      // orgscim's own export format, not an identity provider's request: the compatible profile. A
      // resource without the orgscim extension (in any spelling) is coerced as it is: the copy that
      // would add an empty one changes nothing coerced, and cost ~1.5 µs a line.
      const input = userInputOf(namesUrn(resource, ORGSCIM_USER_SCHEMA) ? { ...resource, [ORGSCIM_USER_SCHEMA]: rest } : resource, "compatible", guarded);
      const user: ImportItem & { kind: "user" } = { kind: "user", user: { id: idOf(resource), data: input.data, meta: metaOf(resource) } };
      if (orgRole !== undefined) user.user.orgRole = orgRole === null ? null : orgRoleOf(orgRole);
      if (input.twoFactorRequired !== undefined) user.user.twoFactorRequired = input.twoFactorRequired;
      if (input.passwordResetRequired !== undefined) user.user.passwordResetRequired = input.passwordResetRequired;
      if (status !== undefined) {
        if (typeof status !== "string") throw Errors.importFormat(`user: status must be managed, pending or independent, got ${JSON.stringify(status)}.`);
        user.user.status = status;
      }
      return user;
    }
    case "group": {
      const resource = resourceOf(line);
      const { members, data, binding } = groupInputOf(resource, "compatible", guarded);
      const builtin = extension(resource, ORGSCIM_GROUP_SCHEMA).builtin === true;
      const group: ImportItem & { kind: "group" } = { kind: "group", group: { id: idOf(resource), data, builtin, members, meta: metaOf(resource) } };
      if (binding !== undefined) group.group.binding = binding;
      return group;
    }
    default:
      if (typeof type === "string" && (RECORD_KINDS as readonly string[]).includes(type)) return { kind: type as RecordKind, record };
      throw Errors.importFormat(`Unknown line type ${JSON.stringify(type)}. This orgscim imports export, organization, domain, user, group, account, invitation, token and audit lines.`);
  }
}

/** What a line is counted as: its type when this orgscim knows it, else "unknown". */
const KNOWN_TYPES: ReadonlySet<string> = new Set(["user", "group", ...RECORD_KINDS]);
const typeOf = (v: unknown): string => (isObject(v) && typeof v.type === "string" && KNOWN_TYPES.has(v.type) ? v.type : "unknown");

export function parseHeader(text: string | undefined): ExportHeader {
  let h: unknown;
  try {
    h = text === undefined ? undefined : JSON.parse(text);
  } catch {
    h = undefined;
  }
  if (!isObject(h) || h.type !== "export" || h.format !== FORMAT || typeof h.orgId !== "string") {
    throw Errors.importFormat(`line 1: not an orgscim export (expected {"type":"export","format":"${FORMAT}",...} from \`orgscim export\`).`);
  }
  if (h.version !== FORMAT_VERSION) throw Errors.importFormat(`line 1: export format version ${String(h.version)} is not supported (this orgscim reads version ${FORMAT_VERSION}).`);
  return h as unknown as ExportHeader;
}

/**
 * `--verify-domains`: whether DNS publishes a domain's token now, through the server's resolver
 * (DNS_SERVERS). A failing lookup counts as not found: the domain then arrives pending, and the
 * periodic re-check verifies it once the token answers.
 */
export function domainVerifier(resolver: TxtResolver): (domain: Domain) => Promise<boolean> {
  return async (domain) => {
    try {
      return (await lookupChallenge(resolver, domain)).found;
    } catch {
      return false;
    }
  };
}

export interface ImportRun {
  header: ExportHeader;
  report: ImportReport;
  /** Lines read, the header included. */
  lines: number;
}

/** A line as read: its item, or why it could not be read (plain data, so a worker can send it). */
export type ReadLine =
  | { line: number; item: ImportItem }
  | { line: number; type: string; error: { kind: ErrorKind; code: number; message: string } };

function plainError(e: unknown): { kind: ErrorKind; code: number; message: string } {
  if (e instanceof DomainError) return { kind: e.kind, code: e.code, message: e.message };
  return { kind: "internal", code: 0, message: e instanceof Error ? e.message : String(e) };
}

/** Parses and decodes one line (n from 1); null for a blank line. */
export function readLine(n: number, text: string): ReadLine | null {
  if (text.trim() === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { line: n, type: "unknown", error: plainError(Errors.importFormat(`not JSON (${(e as Error).message.slice(0, 100)}).`)) };
  }
  const type = typeOf(parsed);
  try {
    if (!isObject(parsed)) throw Errors.importFormat("each line must be a JSON object with a type.");
    // The guard every request body passes: no __proto__, constructor or prototype key, no deep nesting.
    assertSafeKeys(parsed);
    return { line: n, item: decodeItem(parsed, "guarded") };
  } catch (e) {
    return { line: n, type, error: plainError(e) };
  }
}

export interface ImportItemsOptions extends Pick<ImportOptions, "trust" | "tokens" | "verifyDomain" | "onBatch"> {
  source?: string;
  actor?: string;
  batchSize?: number;
}

/**
 * Imports read lines into `orgId`, given the file's header line. The organization must exist,
 * unless the file is its own export, which then creates it.
 */
export async function importReadLines(
  store: Store, clock: Clock, orgId: string, headerText: string | undefined, reads: AsyncIterable<ReadLine>, options: ImportItemsOptions = {},
): Promise<{ header: ExportHeader; report: ImportReport }> {
  const header = parseHeader(headerText);
  if (header.orgId !== orgId && !(await store.orgs.get(orgId))) {
    throw Errors.orgNotFound(`${orgId}. Create it first (orgscim orgs create), or pass --org ${header.orgId} to restore the file's own organization`);
  }
  const { source, actor, batchSize, ...trust } = options;
  const importer = new OrgImporter({ store, clock }, orgId, {
    ...trust, fileOrgId: header.orgId, actor: actor ?? "cli import", batchSize: batchSize ?? 2000, ...(source ? { source } : {}),
  });
  try {
    for await (const r of reads) {
      if ("item" in r) await importer.add(r.line, r.item);
      else importer.fail(r.line, r.type, new DomainError(r.error.kind, r.error.code, r.error.message));
    }
  } catch (e) {
    await importer.drain(); // the batch in flight, acknowledged or refused, before the store is closed
    throw e;
  }
  return { header, report: await importer.finish() };
}

/** Imports lines (header first) into `orgId`. */
export async function importLines(store: Store, clock: Clock, orgId: string, lines: AsyncIterable<string>, options: ImportItemsOptions = {}): Promise<ImportRun> {
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  let n = 1;
  async function* reads(): AsyncGenerator<ReadLine> {
    for (let next = await it.next(); !next.done; next = await it.next()) {
      n += 1;
      const r = readLine(n, next.value);
      if (r) yield r;
    }
  }
  const { header, report } = await importReadLines(store, clock, orgId, first.done ? undefined : first.value, reads(), options);
  return { header, report, lines: n };
}

