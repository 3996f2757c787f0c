/**
 * PATCH paths (RFC 7644 §3.5.2, the PATH rule of its ABNF):
 * `attr`, `attr.sub`, `urn:...:attr[.sub]`, `attr[filter]`, `attr[filter].sub`, and a bare
 * extension URN. Names are resolved without case against the schema; a value filter is parsed by the
 * shared filter parser into a `has` node. Refuses unknown attributes (invalidPath) and targets no
 * request may change: `id`, `meta`, `schemas` and readOnly attributes (mutability).
 */
import { Errors } from "../../domain/errors";
import type { Filter } from "../../domain/filter";
import { parseFilter } from "../filter/parse";
import type { AttributeDef, ResourceSchema } from "../schema-model";

/** A resolved path to one attribute, optionally narrowed by a value filter and/or a sub-attribute. */
export interface AttrPath {
  kind: "attr";
  /** The path as sent, for error messages. */
  text: string;
  /** The extension URN when the attribute belongs to one. */
  schema?: string;
  /** Canonical attribute name. */
  attr: string;
  def: AttributeDef;
  /** `emails[type eq "work"]`: a `has` filter over `attr`. */
  filter?: Extract<Filter, { kind: "has" }>;
  /** Canonical sub-attribute name. */
  sub?: string;
  subDef?: AttributeDef;
}

/** A path that is exactly an extension URN: the whole extension object. */
export interface ExtensionPath {
  kind: "extension";
  text: string;
  schema: string;
}

export type PatchPath = AttrPath | ExtensionPath;

/** The longest path accepted. */
const MAX_PATH_LENGTH = 1024;

const NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;
const COMMON = new Set(["id", "meta", "schemas"]);

/** Whether the attribute can never be written by a client. */
const isReadOnly = (def: AttributeDef | undefined): boolean => def?.mutability === "readOnly";

/** Parses and resolves one PATCH path. */
export function parsePath(text: string, index: ResourceSchema): PatchPath {
  if (text.length === 0) throw Errors.invalidPath(text, "it is empty. Omit `path` to target the resource itself.");
  if (text.length > MAX_PATH_LENGTH) throw Errors.invalidPath(text.slice(0, 64) + "…", `it is longer than ${MAX_PATH_LENGTH} characters.`);

  let schema: string | undefined;
  let rest = text;
  const urn = index.splitUrn(text);
  if (urn !== undefined) {
    if (urn.rest === "") {
      if (urn.schema === index.coreId) throw Errors.invalidPath(text, "name an attribute after the schema URN.");
      return { kind: "extension", text, schema: urn.schema };
    }
    if (urn.schema !== index.coreId) schema = urn.schema;
    rest = urn.rest;
  } else if (/^urn:/i.test(text)) {
    throw Errors.invalidPath(text, "the schema URN is not one this resource type has. See /Schemas.");
  }

  // attr, attr.sub, attr[filter], attr[filter].sub
  let attrName: string;
  let filterText: string | undefined;
  let subName: string | undefined;
  const open = rest.indexOf("[");
  if (open >= 0) {
    const close = rest.lastIndexOf("]");
    if (close < open) throw Errors.invalidPath(text, "a '[' has no matching ']'.");
    attrName = rest.slice(0, open);
    filterText = rest.slice(open + 1, close);
    const after = rest.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(".")) throw Errors.invalidPath(text, "only '.subAttribute' may follow ']'.");
      subName = after.slice(1);
    }
  } else {
    const dot = rest.indexOf(".");
    attrName = dot >= 0 ? rest.slice(0, dot) : rest;
    if (dot >= 0) subName = rest.slice(dot + 1);
  }
  if (!NAME.test(attrName) || (subName !== undefined && !NAME.test(subName))) {
    throw Errors.invalidPath(text, "attribute names are letters, digits, '_', '-' and '$', starting with a letter.");
  }

  if (schema === undefined && COMMON.has(attrName.toLowerCase())) throw Errors.mutability(attrName, "it is set by the server");
  const def = schema === undefined ? index.attr(attrName) : index.extAttr(schema, attrName);
  if (def === undefined) throw Errors.invalidPath(text, `the attribute '${attrName}' is not in the schema. See /Schemas.`);
  if (isReadOnly(def)) throw Errors.mutability(def.name);

  const path: AttrPath = { kind: "attr", text, attr: def.name, def };
  if (schema !== undefined) path.schema = schema;

  if (filterText !== undefined) {
    if (!def.multiValued) throw Errors.invalidPath(text, `a value filter needs a multi-valued attribute; '${def.name}' is single-valued.`);
    const prefix = schema === undefined ? def.name : `${schema}:${def.name}`;
    let f: Filter;
    try {
      f = parseFilter(`${prefix}[${filterText}]`, index);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      throw Errors.invalidPath(text, `its filter is invalid (${detail}).`);
    }
    if (f.kind !== "has") throw Errors.invalidPath(text, "the part in brackets must be a value filter.");
    path.filter = f;
  }

  if (subName !== undefined) {
    if (def.type !== "complex") throw Errors.invalidPath(text, `'${def.name}' has no sub-attributes.`);
    const subDef = index.sub(def, subName);
    if (subDef === undefined) throw Errors.invalidPath(text, `'${def.name}' has no sub-attribute '${subName}'.`);
    if (isReadOnly(subDef)) throw Errors.mutability(`${def.name}.${subDef.name}`);
    path.sub = subDef.name;
    path.subDef = subDef;
  }
  return path;
}
