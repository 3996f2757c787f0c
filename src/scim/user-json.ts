/**
 * A user's JSON text, exactly JSON.stringify(renderUser(...)), written from the store's JSON text of
 * its attributes (a StoredUser, src/domain/stored-data.ts) without parsing it: the attributes' members
 * are copied as they are stored instead of being parsed and serialised again (a page of 100 users
 * is mostly these). Only the members renderUser sets itself are written here; a stored attribute
 * named like one of them keeps its place and takes the value set, as in renderUser. Attributes the
 * copy cannot place as renderUser's object would (`schemas`, `id`, `__proto__`, a key that may be an
 * array index, which JavaScript orders first, or a key holding a \u escape, which could spell any
 * of them) send the user through renderUser and JSON.stringify instead, as does a parsed record.
 * A writer serves one page: what repeats from user to user (a group's entry, the orgscim extension
 * of a role) is written once.
 */
import type { GroupRef } from "../domain/ports/store";
import { isStoredUser, parsedUser, type StoredUser } from "../domain/stored-data";
import type { UserRecord } from "../domain/types";
import { flatJson, jsonString } from "./flat-json";
import { jsonMembers } from "./json-members";
import { ENTERPRISE_SCHEMA, ORGSCIM_USER_SCHEMA } from "./schemas";
import { etagOf, groupRefOf, orgscimOf, renderUser, userSchemas } from "./user-resource";

const SCHEMAS_JSON = JSON.stringify(userSchemas(false));
const SCHEMAS_ENTERPRISE_JSON = JSON.stringify(userSchemas(true));
const ENTERPRISE_KEY = JSON.stringify(ENTERPRISE_SCHEMA).slice(1, -1);
const ORGSCIM_KEY = JSON.stringify(ORGSCIM_USER_SCHEMA).slice(1, -1);
const ORGSCIM_MEMBER = `${JSON.stringify(ORGSCIM_USER_SCHEMA)}:`;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The members renderUser sets after the attributes; a bit each for "the attributes hold it". */
const ACTIVE = 1;
const GROUPS = 2;
const ORGSCIM = 4;
const META = 8;

export class UserJsonWriter {
  /** A group's entry of `groups` by group id, with the display it was written with. */
  private readonly refs = new Map<string, { display: string | null; json: string }>();
  /** The orgscim extension's text by its values. */
  private readonly orgscim = new Map<string, string>();

  /** The text of `${baseUrl}/Users/` between quotes, unquoted. */
  private readonly usersUrl: string;

  constructor(private readonly baseUrl: string, private readonly showBuiltin: boolean) {
    this.usersUrl = jsonString(`${baseUrl}/Users/`).slice(1, -1);
  }

  /** The text of JSON.stringify(renderUser(u, baseUrl, groups, showBuiltin)), `u` parsed if it is not yet. */
  write(u: UserRecord | StoredUser, groups: readonly GroupRef[]): string {
    if (!isStoredUser(u)) return JSON.stringify(renderUser(u, this.baseUrl, groups, this.showBuiltin));
    return this.copied(u, groups) ?? JSON.stringify(renderUser(parsedUser(u), this.baseUrl, groups, this.showBuiltin));
  }

  /** The copy alone: undefined when the attributes hold a member it cannot place (write then renders the parsed user). */
  copied(u: StoredUser, groups: readonly GroupRef[]): string | undefined {
    const text = u.dataText;
    const members = jsonMembers(text);
    if (members === undefined) return undefined;
    const refs = this.refsJson(groups);
    let held = 0;
    let hasEnterprise = false;
    const parts: string[] = [];
    // Members are copied in runs: from `run` to the end of the member before the current one.
    let run = -1;
    let runEnd = -1;
    for (let m = 0; m < members.length; m += 3) {
      const start = members[m]!;
      const valueStart = members[m + 1]!;
      const key = text.slice(start + 1, valueStart - 2);
      let value: string | undefined; // the value renderUser sets in this member's place
      switch (key) {
        case "schemas":
        case "id":
        case "__proto__":
          return undefined;
        case "externalId":
          value = ""; // the column's, written before the attributes
          break;
        case "active":
          held |= ACTIVE;
          value = u.active ? "true" : "false";
          break;
        case "groups":
          if (refs !== undefined) {
            held |= GROUPS;
            value = refs;
          }
          break;
        case ORGSCIM_KEY:
          held |= ORGSCIM;
          value = this.orgscimJson(u, groups);
          break;
        case "meta":
          held |= META;
          value = this.metaJson(u);
          break;
        case ENTERPRISE_KEY:
          hasEnterprise = true;
          break;
        default:
          if (isDigit(key.charCodeAt(0)) || key.includes("\\u")) return undefined;
      }
      if (value === undefined) {
        if (run < 0) run = start;
        runEnd = members[m + 2]!;
        continue;
      }
      if (run >= 0) parts.push(",", text.slice(run, runEnd));
      run = -1;
      if (value !== "") parts.push(",", text.slice(start, valueStart), value);
    }
    if (run >= 0) parts.push(",", text.slice(run, runEnd));
    if ((held & ACTIVE) === 0) parts.push(u.active ? ',"active":true' : ',"active":false');
    if (refs !== undefined && (held & GROUPS) === 0) parts.push(',"groups":', refs);
    if ((held & ORGSCIM) === 0) parts.push(",", ORGSCIM_MEMBER, this.orgscimJson(u, groups));
    if ((held & META) === 0) parts.push(',"meta":', this.metaJson(u));
    parts.push("}");
    const head = `{"schemas":${hasEnterprise ? SCHEMAS_ENTERPRISE_JSON : SCHEMAS_JSON},"id":${jsonString(u.id)}`;
    return (u.externalId === null ? head : `${head},"externalId":${jsonString(u.externalId)}`) + parts.join("");
  }

  /** The text of the user's `groups` attribute (groupRefsOf), undefined when it has none. */
  private refsJson(groups: readonly GroupRef[]): string | undefined {
    let out: string | undefined;
    for (const g of groups) {
      if (!this.showBuiltin && g.builtin) continue;
      let ref = this.refs.get(g.id);
      if (ref === undefined || ref.display !== g.display) {
        ref = { display: g.display, json: flatJson(groupRefOf(g, this.baseUrl)) };
        this.refs.set(g.id, ref);
      }
      out = out === undefined ? `[${ref.json}` : `${out},${ref.json}`;
    }
    return out === undefined ? undefined : `${out}]`;
  }

  /**
   * flatJson(userMetaOf(u, baseUrl)), written out: it differs for every user. Its members are
   * userMetaOf's in its order; the location's text is that of the base URL's part (the same for
   * the page) and of the id's, as JSON escapes character by character (the "/" between them keeps a
   * surrogate on either side as alone as it was).
   */
  private metaJson(u: StoredUser): string {
    return `{"resourceType":"User","created":${jsonString(u.created)},"lastModified":${jsonString(u.lastModified)},"location":"${this.usersUrl}${jsonString(u.id).slice(1, -1)}","version":${jsonString(etagOf(u.version))}}`;
  }

  private orgscimJson(u: StoredUser, groups: readonly GroupRef[]): string {
    const o = orgscimOf(u, groups);
    const role = String(o.orgRole);
    const key = `${role.length} ${role} ${String(o.status)} ${String(o.twoFactorRequired)} ${String(o.passwordResetRequired)}`;
    let json = this.orgscim.get(key);
    if (json === undefined) this.orgscim.set(key, (json = flatJson(o)));
    return json;
  }
}

/** The text of JSON.stringify(renderUser(u, baseUrl, groups, showBuiltin)), `u` parsed if it is not yet (one user: a writer of its own). */
export const renderUserJson = (u: UserRecord | StoredUser, baseUrl: string, groups: readonly GroupRef[], showBuiltin: boolean): string =>
  new UserJsonWriter(baseUrl, showBuiltin).write(u, groups);
