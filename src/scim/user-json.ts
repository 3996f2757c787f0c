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
import { jsonMembersInto } from "./json-members";
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

/** What a stored member's key is to the copy (keyOf); KIND_OTHER: copied as it is. */
const KIND_OTHER = 0;
const KIND_UNPLACEABLE = 1;
const KIND_EXTERNAL_ID = 2;
const KIND_ACTIVE = 3;
const KIND_GROUPS = 4;
const KIND_ORGSCIM = 5;
const KIND_META = 6;
const KIND_ENTERPRISE = 7;

/** Whether text[from, from + length) is `key`. */
const spells = (text: string, from: number, length: number, key: string): boolean => length === key.length && text.startsWith(key, from);

/**
 * The kind of the member whose key's text (between its quotes) is text[from, to), read in place
 * (no string is made of it unless it holds a backslash; `escapes`: whether the text holds one at
 * all). A key JSON.stringify wrote with an escape cannot spell a member renderUser sets, unless it
 * is a \u escape, which could spell any: such a key, like `schemas`, `id`, `__proto__` and a key
 * that may be an array index (JavaScript orders those first), cannot be placed.
 */
function keyOf(text: string, from: number, to: number, escapes: boolean): number {
  const length = to - from;
  if (length === 0) return KIND_OTHER;
  if (escapes) {
    const backslash = text.indexOf("\\", from);
    if (backslash >= 0 && backslash < to) return text.slice(from, to).includes("\\u") ? KIND_UNPLACEABLE : KIND_OTHER;
  }
  const first = text.charCodeAt(from);
  if (isDigit(first)) return KIND_UNPLACEABLE;
  switch (first) {
    case 101: // e
      return spells(text, from, length, "externalId") ? KIND_EXTERNAL_ID : KIND_OTHER;
    case 97: // a
      return spells(text, from, length, "active") ? KIND_ACTIVE : KIND_OTHER;
    case 103: // g
      return spells(text, from, length, "groups") ? KIND_GROUPS : KIND_OTHER;
    case 109: // m
      return spells(text, from, length, "meta") ? KIND_META : KIND_OTHER;
    case 115: // s
      return spells(text, from, length, "schemas") ? KIND_UNPLACEABLE : KIND_OTHER;
    case 105: // i
      return spells(text, from, length, "id") ? KIND_UNPLACEABLE : KIND_OTHER;
    case 95: // _
      return spells(text, from, length, "__proto__") ? KIND_UNPLACEABLE : KIND_OTHER;
    case 117: // u
      return spells(text, from, length, ORGSCIM_KEY) ? KIND_ORGSCIM : spells(text, from, length, ENTERPRISE_KEY) ? KIND_ENTERPRISE : KIND_OTHER;
    default:
      return KIND_OTHER;
  }
}

/** Where a user's text is put, piece by piece (a page's body: src/http/scim/list-body.ts). */
export interface TextSink {
  put(text: string): void;
}

/**
 * Puts `pending`, then the stored members from `run` to `runEnd` with the comma before them: the
 * stored text's own, except before its first member (there, a "{").
 */
function putRun(out: TextSink, pending: string, text: string, run: number, runEnd: number): void {
  if (run > 1) {
    out.put(pending);
    out.put(text.slice(run - 1, runEnd));
  } else {
    out.put(`${pending},`);
    out.put(text.slice(run, runEnd));
  }
}

/** A TextSink joining what is put into one string. */
class StringSink implements TextSink {
  text = "";
  put(text: string): void {
    this.text += text;
  }
}

export class UserJsonWriter {
  /** A group's entry of `groups` by group id, with the display it was written with. */
  private readonly refs = new Map<string, { display: string | null; json: string }>();
  /** The orgscim extension's text by its values: role, status, then the two flags as a number. */
  private readonly orgscim = new Map<unknown, Map<unknown, string[]>>();

  /** jsonMembersInto's array, one for the page's users (its first numbers are the user's being written). */
  private readonly members: number[] = [];
  /** The kind (keyOf) of each of those members. */
  private readonly kinds: number[] = [];

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

  /**
   * write's text after `before` (a page's "," between two users), put into `out` in pieces: the
   * stored attributes' text as slices of it (a run of members copied is one slice), never
   * concatenated into a string of the user's own, which V8 would copy whole into a flat string
   * again before `out` could encode it.
   */
  writeInto(out: TextSink, before: string, u: UserRecord | StoredUser, groups: readonly GroupRef[]): void {
    if (isStoredUser(u) && this.copyInto(out, before, u, groups)) return;
    out.put(`${before}${this.write(u, groups)}`);
  }

  /** The copy alone: undefined when the attributes hold a member it cannot place (write then renders the parsed user). */
  copied(u: StoredUser, groups: readonly GroupRef[]): string | undefined {
    const sink = new StringSink();
    return this.copyInto(sink, "", u, groups) ? sink.text : undefined;
  }

  /**
   * The copy put into `out` after `before`; false, with nothing put, when the attributes hold a
   * member it cannot place. The members' kinds are read first (whether the enterprise extension is
   * among them decides the head, which comes before them).
   */
  private copyInto(out: TextSink, before: string, u: StoredUser, groups: readonly GroupRef[]): boolean {
    const text = u.dataText;
    const members = this.members;
    const kinds = this.kinds;
    const count = jsonMembersInto(text, members);
    if (count < 0) return false;
    const escapes = text.includes("\\");
    let hasEnterprise = false;
    for (let m = 0; m < count; m += 3) {
      const kind = keyOf(text, members[m]! + 1, members[m + 1]! - 2, escapes);
      if (kind === KIND_UNPLACEABLE) return false;
      if (kind === KIND_ENTERPRISE) hasEnterprise = true;
      kinds[m / 3] = kind;
    }
    const refs = this.refsJson(groups);
    const head = `${before}{"schemas":${hasEnterprise ? SCHEMAS_ENTERPRISE_JSON : SCHEMAS_JSON},"id":${jsonString(u.id)}`;
    // What is written but not yet put: small texts are joined, the runs of stored members put as slices.
    let pending = u.externalId === null ? head : `${head},"externalId":${jsonString(u.externalId)}`;
    let held = 0;
    // Members are copied in runs: from the key of member `run` to the end of the member before the current one.
    let run = -1;
    let runEnd = -1;
    for (let m = 0; m < count; m += 3) {
      const start = members[m]!;
      const valueStart = members[m + 1]!;
      let value: string | undefined; // the value renderUser sets in this member's place
      switch (kinds[m / 3]) {
        case KIND_EXTERNAL_ID:
          value = ""; // the column's, written before the attributes
          break;
        case KIND_ACTIVE:
          held |= ACTIVE;
          value = u.active ? "true" : "false";
          // The stored value is the one set: the member is copied with its run.
          if (members[m + 2]! - valueStart === value.length && text.startsWith(value, valueStart)) value = undefined;
          break;
        case KIND_GROUPS:
          if (refs !== undefined) {
            held |= GROUPS;
            value = refs;
          }
          break;
        case KIND_ORGSCIM:
          held |= ORGSCIM;
          value = this.orgscimJson(u, groups);
          break;
        case KIND_META:
          held |= META;
          value = this.metaJson(u);
          break;
        default:
      }
      if (value === undefined) {
        if (run < 0) run = start;
        runEnd = members[m + 2]!;
        continue;
      }
      if (run >= 0) {
        putRun(out, pending, text, run, runEnd);
        pending = "";
        run = -1;
      }
      if (value !== "") pending += `,${text.slice(start, valueStart)}${value}`;
    }
    if (run >= 0) {
      putRun(out, pending, text, run, runEnd);
      pending = "";
    }
    if ((held & ACTIVE) === 0) pending += u.active ? ',"active":true' : ',"active":false';
    if (refs !== undefined && (held & GROUPS) === 0) pending += `,"groups":${refs}`;
    if ((held & ORGSCIM) === 0) pending += `,${ORGSCIM_MEMBER}${this.orgscimJson(u, groups)}`;
    if ((held & META) === 0) pending += `,"meta":${this.metaJson(u)}`;
    out.put(`${pending}}`);
    return true;
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
    let byStatus = this.orgscim.get(o.orgRole);
    if (byStatus === undefined) this.orgscim.set(o.orgRole, (byStatus = new Map()));
    let texts = byStatus.get(o.status);
    if (texts === undefined) byStatus.set(o.status, (texts = []));
    // Both flags are booleans (UserColumns): four texts a role and status.
    const at = (o.twoFactorRequired === true ? 1 : 0) + (o.passwordResetRequired === true ? 2 : 0);
    return (texts[at] ??= flatJson(o));
  }
}

/** The text of JSON.stringify(renderUser(u, baseUrl, groups, showBuiltin)), `u` parsed if it is not yet (one user: a writer of its own). */
export const renderUserJson = (u: UserRecord | StoredUser, baseUrl: string, groups: readonly GroupRef[], showBuiltin: boolean): string =>
  new UserJsonWriter(baseUrl, showBuiltin).write(u, groups);
