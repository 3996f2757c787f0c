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

/** A text a writer puts again and again, with its UTF-8 bytes: a sink copies those instead of encoding the text each time. */
export interface Piece {
  readonly text: string;
  readonly bytes: Uint8Array;
}
const piece = (text: string): Piece => ({ text, bytes: Buffer.from(text) });

const ORGSCIM_MEMBER_AFTER = piece(`,${JSON.stringify(ORGSCIM_USER_SCHEMA)}:`);
/** A user's text up to its id's value, with and without the enterprise extension's URN in schemas. */
const SCHEMAS_HEAD = piece(`{"schemas":${SCHEMAS_JSON},"id":`);
const SCHEMAS_ENTERPRISE_HEAD = piece(`{"schemas":${SCHEMAS_ENTERPRISE_JSON},"id":`);
const META_HEAD = piece('{"resourceType":"User","created":');
const LOCATION_HEAD = piece(',"location":"');
/** Versions below this have their ETag's JSON text kept by a writer. */
const ETAGS_KEPT = 1024;

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
  /** put(text), for a short piece (the sink may copy it without a call into an encoder). */
  putShort(text: string): void;
  /** put(piece.text). */
  putPiece(piece: Piece): void;
  /** put(jsonString(text)), or its text between the quotes when `quoted` is false. */
  putJsonString(text: string, quoted?: boolean): void;
}

/**
 * Puts the stored members from `run` to `runEnd` with the comma before them: the stored text's own,
 * except before its first member (there, a "{").
 */
function putRun(out: TextSink, text: string, run: number, runEnd: number): void {
  if (run > 1) {
    out.put(text.slice(run - 1, runEnd));
  } else {
    out.putShort(",");
    out.put(text.slice(run, runEnd));
  }
}

/** A TextSink joining what is put into one string. */
class StringSink implements TextSink {
  text = "";
  put(text: string): void {
    this.text += text;
  }
  putShort(text: string): void {
    this.text += text;
  }
  putPiece(piece: Piece): void {
    this.text += piece.text;
  }
  putJsonString(text: string, quoted = true): void {
    const json = jsonString(text);
    this.text += quoted ? json : json.slice(1, -1);
  }
}

export class UserJsonWriter {
  /** A group's entry of `groups` by group id, with the display it was written with. */
  private readonly refs = new Map<string, { display: string | null; json: Piece }>();
  /** The orgscim extension's text by its values: role, status, then the two flags as a number. */
  private readonly orgscim = new Map<unknown, Map<unknown, Piece[]>>();

  /** jsonMembersInto's array, one for the page's users (its first numbers are the user's being written). */
  private readonly members: number[] = [];
  /** The kind (keyOf) of each of those members. */
  private readonly kinds: number[] = [];

  /** The text of `${baseUrl}/Users/` between quotes, unquoted. */
  private readonly usersUrl: Piece;
  /** etagJson's texts by version. */
  private readonly etags: Piece[] = [];

  constructor(private readonly baseUrl: string, private readonly showBuiltin: boolean) {
    this.usersUrl = piece(jsonString(`${baseUrl}/Users/`).slice(1, -1));
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
    const shown = this.refsShown(groups);
    // Every piece is put as it is reached (nothing joined first: a joined string is copied whole
    // again to be encoded); the runs of stored members as slices of their text.
    out.putShort(before);
    out.putPiece(hasEnterprise ? SCHEMAS_ENTERPRISE_HEAD : SCHEMAS_HEAD);
    out.putJsonString(u.id);
    if (u.externalId !== null) {
      out.putShort(',"externalId":');
      out.putJsonString(u.externalId);
    }
    let held = 0;
    // Members are copied in runs: from the key of member `run` to the end of the member before the current one.
    let run = -1;
    let runEnd = -1;
    for (let m = 0; m < count; m += 3) {
      const start = members[m]!;
      const valueStart = members[m + 1]!;
      let kind = kinds[m / 3];
      switch (kind) {
        case KIND_EXTERNAL_ID:
          break; // the column's, written before the attributes
        case KIND_ACTIVE:
          held |= ACTIVE;
          // The stored value is the one set: the member is copied with its run.
          if (text.startsWith(u.active ? "true" : "false", valueStart) && members[m + 2]! - valueStart === (u.active ? 4 : 5)) kind = KIND_OTHER;
          break;
        case KIND_GROUPS:
          if (shown) held |= GROUPS;
          else kind = KIND_OTHER;
          break;
        case KIND_ORGSCIM:
          held |= ORGSCIM;
          break;
        case KIND_META:
          held |= META;
          break;
        default:
          kind = KIND_OTHER;
      }
      if (kind === KIND_OTHER) {
        if (run < 0) run = start;
        runEnd = members[m + 2]!;
        continue;
      }
      if (run >= 0) {
        putRun(out, text, run, runEnd);
        run = -1;
      }
      if (kind === KIND_EXTERNAL_ID) continue;
      // The member's key as stored, then the value set in its place.
      out.putShort(",");
      out.putShort(text.slice(start, valueStart));
      this.putValue(out, kind, u, groups);
    }
    if (run >= 0) putRun(out, text, run, runEnd);
    if ((held & ACTIVE) === 0) out.putShort(u.active ? ',"active":true' : ',"active":false');
    if (shown && (held & GROUPS) === 0) {
      out.putShort(',"groups":');
      this.putRefs(out, groups);
    }
    if ((held & ORGSCIM) === 0) {
      out.putPiece(ORGSCIM_MEMBER_AFTER);
      out.putPiece(this.orgscimJson(u, groups));
    }
    if ((held & META) === 0) {
      out.putShort(',"meta":');
      this.putMeta(out, u);
    }
    out.putShort("}");
    return true;
  }

  /** The value renderUser sets for a member of `kind` (KIND_ACTIVE, KIND_GROUPS, KIND_ORGSCIM, KIND_META). */
  private putValue(out: TextSink, kind: number, u: StoredUser, groups: readonly GroupRef[]): void {
    if (kind === KIND_ACTIVE) out.putShort(u.active ? "true" : "false");
    else if (kind === KIND_GROUPS) this.putRefs(out, groups);
    else if (kind === KIND_ORGSCIM) out.putPiece(this.orgscimJson(u, groups));
    else this.putMeta(out, u);
  }

  /** Whether the user's `groups` attribute is set (groupRefsOf is not undefined): a group of theirs is shown. */
  private refsShown(groups: readonly GroupRef[]): boolean {
    for (const g of groups) if (this.showBuiltin || !g.builtin) return true;
    return false;
  }

  /** The user's `groups` attribute (groupRefsOf), each entry's text kept for the page. */
  private putRefs(out: TextSink, groups: readonly GroupRef[]): void {
    let first = true;
    for (const g of groups) {
      if (!this.showBuiltin && g.builtin) continue;
      let ref = this.refs.get(g.id);
      if (ref === undefined || ref.display !== g.display) {
        ref = { display: g.display, json: piece(flatJson(groupRefOf(g, this.baseUrl))) };
        this.refs.set(g.id, ref);
      }
      out.putShort(first ? "[" : ",");
      out.putPiece(ref.json);
      first = false;
    }
    out.putShort("]");
  }

  /**
   * flatJson(userMetaOf(u, baseUrl)), put piece by piece: it differs for every user. Its members are
   * userMetaOf's in its order; the location's text is that of the base URL's part (the same for
   * the page) and of the id's, as JSON escapes character by character (the "/" between them keeps a
   * surrogate on either side as alone as it was).
   */
  private putMeta(out: TextSink, u: StoredUser): void {
    out.putPiece(META_HEAD);
    out.putJsonString(u.created);
    out.putShort(',"lastModified":');
    out.putJsonString(u.lastModified);
    out.putPiece(LOCATION_HEAD);
    out.putPiece(this.usersUrl);
    out.putJsonString(u.id, false);
    out.putShort('","version":');
    out.putPiece(this.etagJson(u.version));
    out.putShort("}");
  }

  /** jsonString(etagOf(version)), kept for the page's small versions. */
  private etagJson(version: number): Piece {
    if (!Number.isSafeInteger(version) || version < 0 || version >= ETAGS_KEPT) return piece(jsonString(etagOf(version)));
    return (this.etags[version] ??= piece(jsonString(etagOf(version))));
  }

  private orgscimJson(u: StoredUser, groups: readonly GroupRef[]): Piece {
    const o = orgscimOf(u, groups);
    let byStatus = this.orgscim.get(o.orgRole);
    if (byStatus === undefined) this.orgscim.set(o.orgRole, (byStatus = new Map()));
    let texts = byStatus.get(o.status);
    if (texts === undefined) byStatus.set(o.status, (texts = []));
    // Both flags are booleans (UserColumns): four texts a role and status.
    const at = (o.twoFactorRequired === true ? 1 : 0) + (o.passwordResetRequired === true ? 2 : 0);
    return (texts[at] ??= piece(flatJson(o)));
  }
}

/** The text of JSON.stringify(renderUser(u, baseUrl, groups, showBuiltin)), `u` parsed if it is not yet (one user: a writer of its own). */
export const renderUserJson = (u: UserRecord | StoredUser, baseUrl: string, groups: readonly GroupRef[], showBuiltin: boolean): string =>
  new UserJsonWriter(baseUrl, showBuiltin).write(u, groups);
