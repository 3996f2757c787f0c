/**
 * `orgscim export --org ORG [--out FILE] [--tokens] [--audit]`: one organization as NDJSON, one
 * JSON object a line, each with a `type`:
 *
 *   export        line 1: {"type":"export","format":"orgscim-ndjson","version":1,"orgId","exported","store"}
 *   organization  the organization: id, name, settings, created, lastModified
 *   domain        a domain record (id, name, state, challenge, created, verifiedAt, ...)
 *   group         {"type":"group","resource":{SCIM Group}}: first the built-in org-role groups
 *                 (no members: theirs are the users' org roles); each account's four built-in
 *                 role groups right after the account, their members being its role
 *                 assignments; then the other groups; members as "members":[{"value":"<user id>"}]
 *   user          {"type":"user","resource":{SCIM User}}; its orgscim extension carries the
 *                 user's own org role (null for an independent user) and status (managed,
 *                 pending or independent); independent users come after the others
 *   account       an account record (id, name, ownerId, status, created, lastModified); a closed
 *                 account has no role groups
 *   invitation    an invitation record in any state (its token only as a hash)
 *   token         with --tokens: an API token record (its secret only as a hash)
 *   audit         with --audit: an audit event, oldest first (an imported one keeps its mark)
 *
 * Records keep their ids; `orgId` is said once, in the header. SCIM resources carry no
 * meta.location (it depends on the server's URL). A type an importer does not know is reported
 * on its line, so new types (role assignments, ...) can be added without breaking old files.
 */
import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { isoNow, type Clock } from "../domain/clock";
import { exportOrganization, type ExportItem, type ExportOptions } from "../domain/portability";
import type { Store } from "../domain/ports/store";
import { renderGroup } from "../scim/group-resource";
import { ORGSCIM_USER_SCHEMA } from "../scim/schemas";
import { renderUser } from "../scim/user-resource";
import { CliFailure, type OutStream } from "./io";

export const FORMAT = "orgscim-ndjson";
export const FORMAT_VERSION = 1;

export interface ExportHeader {
  type: "export";
  format: typeof FORMAT;
  version: number;
  orgId: string;
  exported: string;
  store: string;
}

const withoutOrgId = <T extends { orgId: string }>(record: T): Omit<T, "orgId"> => {
  const { orgId: _orgId, ...rest } = record;
  return rest;
};

function withoutLocation(resource: Record<string, unknown>): Record<string, unknown> {
  const { location: _location, ...meta } = resource.meta as Record<string, unknown>;
  return { ...resource, meta };
}

/** One exported record as its line's object. */
export function encodeItem(item: ExportItem): Record<string, unknown> {
  switch (item.kind) {
    case "organization": return { type: "organization", ...item.org };
    case "domain": return { type: "domain", ...withoutOrgId(item.domain) };
    case "user": {
      // The orgscim extension carries the user's own role (null for an independent user) and status.
      const resource = withoutLocation(renderUser(item.user, "", [], false));
      resource[ORGSCIM_USER_SCHEMA] = { ...(resource[ORGSCIM_USER_SCHEMA] as object), orgRole: item.user.orgRole };
      return { type: "user", resource };
    }
    case "group": {
      const resource = withoutLocation(renderGroup(item.group, "", null));
      if (item.members !== null) resource.members = item.members.map((value) => ({ value }));
      return { type: "group", resource };
    }
    case "account": return { type: "account", ...withoutOrgId(item.account) };
    case "invitation": return { type: "invitation", ...withoutOrgId(item.invitation) };
    case "token": return { type: "token", ...withoutOrgId(item.token) };
    case "audit": return { type: "audit", ...withoutOrgId(item.event) };
  }
}

/** The lines of an export, header first, without newlines. */
export async function* exportLines(store: Store, clock: Clock, orgId: string, options: ExportOptions = {}): AsyncGenerator<string> {
  const header: ExportHeader = { type: "export", format: FORMAT, version: FORMAT_VERSION, orgId, exported: isoNow(clock), store: store.kind };
  const items = exportOrganization(store, orgId, options);
  const first = await items.next(); // fails before the header when the organization does not exist
  yield JSON.stringify(header);
  if (!first.done) yield JSON.stringify(encodeItem(first.value));
  for await (const item of items) yield JSON.stringify(encodeItem(item));
}

/**
 * Writes the export to `out` (a file, written next to it and renamed into place once complete,
 * so a failed export leaves no half file) or to `stdout`; answers the number of lines.
 */
export async function exportCommand(store: Store, clock: Clock, stdout: OutStream, args: { org: string; out?: string | undefined; force?: boolean } & ExportOptions): Promise<number> {
  if (args.out && existsSync(args.out) && !args.force) throw new CliFailure(`${args.out} exists; choose another file, or pass --force to replace it.`);
  const partial = args.out ? `${resolve(args.out)}.partial-${process.pid}` : null;
  const file = partial ? createWriteStream(partial, { encoding: "utf8" }) : null;
  const stream: OutStream & { once?: (event: "drain", fn: () => void) => unknown } = file ?? stdout;
  let lines = 0;
  let chunk: string[] = [];
  const drain = async () => {
    if (chunk.length === 0) return;
    const text = `${chunk.join("\n")}\n`;
    chunk = [];
    if (stream.write(text) === false && stream.once) await new Promise<void>((r) => stream.once!("drain", r));
  };
  try {
    for await (const line of exportLines(store, clock, args.org, args)) {
      chunk.push(line);
      lines += 1;
      if (chunk.length >= 500) await drain();
    }
    await drain();
    if (file) await new Promise<void>((res, rej) => file.end((e?: Error | null) => (e ? rej(e) : res())));
  } catch (e) {
    if (file) {
      file.destroy();
      rmSync(partial!, { force: true });
    }
    throw e;
  }
  if (partial) renameSync(partial, args.out!);
  return lines;
}
