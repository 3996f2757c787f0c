/**
 * The attribute resolver: turns an attribute path from a filter, `sortBy`, `attributes` or a PATCH
 * path (`userName`, `name.FamilyName`, `urn:...:enterprise:2.0:User:manager.value`, `meta.created`)
 * into a canonical `AttrRef` (src/domain/filter.ts), using RFC 7643 §7 schema documents given as
 * plain JSON (what scimmy's `definition.describe()` returns; scimmy itself is not imported).
 *
 * Rules:
 * - names match without case (RFC 7643 §2.1) and come back in canonical case;
 * - a full URN prefix selects the core schema or an extension (longest known URN wins);
 * - the common attributes of RFC 7643 §3.1 (`id`, `externalId`, `meta.*`) are always known;
 * - every lookup is a Map keyed by lower-case name, and a name must look like an RFC 7643 ATTRNAME
 *   (letter, then letters, digits, `_`, `-`), so `__proto__`, `constructor`, `$where` or `$ref`
 *   are simply unknown: nothing reaches a plain-object lookup or a store query.
 */
import { Errors } from "../domain/errors";
import type { AttrRef, AttrType } from "../domain/filter";

import type { AttributeDoc, SchemaDoc } from "./schema-doc";

export type { AttributeDoc, SchemaDoc };

/**
 * What `describe()` answers for a path.
 * - `ref`: the AttrRef. For a complex attribute named without sub-attribute (`name`, `emails`),
 *   `ref.sub` is undefined and `ref.type` is "string" only because AttrType has no "complex":
 *   look at `complex` (or `def.type`) instead.
 * - `def`: the definition of the last name in the path (the sub-attribute when there is one).
 * - `parentDef`: the definition of the top-level attribute when the path names a sub-attribute.
 */
export interface AttrInfo {
  ref: AttrRef;
  def: AttributeDoc;
  parentDef?: AttributeDoc;
  complex: boolean;
}

export interface Resolver {
  readonly coreSchemaId: string;
  readonly extensionIds: readonly string[];
  /** Filter semantics: a multi-valued complex attribute without sub-attribute means its `value`
   * (RFC 7644 §3.4.2.2); any other complex attribute is refused (Errors.invalidFilter). */
  resolve(path: string, where?: string): AttrRef;
  /** The attribute a path names, exactly (no `value` defaulting). Throws Errors.unknownAttribute. */
  describe(path: string, where?: string): AttrInfo;
  /** A sub-attribute of a complex attribute described before, e.g. `type` inside `emails[...]`. */
  describeSub(parent: AttrInfo, name: string, where?: string): AttrInfo;
}

/** RFC 7643 ATTRNAME: ALPHA *(ALPHA / DIGIT / "-" / "_"). Checked char by char (no regex over input). */
export function isAttrName(s: string): boolean {
  if (s.length === 0 || s.length > 128) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (i === 0 ? !alpha : !(alpha || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** RFC 7643 §3.1 common attributes, known on every resource type. */
export const COMMON_ATTRIBUTES: readonly AttributeDoc[] = [
  { name: "id", type: "string", multiValued: false, caseExact: true, mutability: "readOnly", returned: "always", uniqueness: "server" },
  { name: "externalId", type: "string", multiValued: false, caseExact: true, mutability: "readWrite", returned: "default", uniqueness: "none" },
  {
    name: "meta",
    type: "complex",
    multiValued: false,
    mutability: "readOnly",
    returned: "default",
    subAttributes: [
      { name: "resourceType", type: "string", multiValued: false, caseExact: true, mutability: "readOnly" },
      { name: "created", type: "dateTime", multiValued: false, mutability: "readOnly" },
      { name: "lastModified", type: "dateTime", multiValued: false, mutability: "readOnly" },
      { name: "version", type: "string", multiValued: false, caseExact: true, mutability: "readOnly" },
    ],
  },
];

const TYPES: ReadonlyMap<string, AttrType> = new Map<string, AttrType>([
  ["string", "string"], ["boolean", "boolean"], ["decimal", "decimal"], ["integer", "integer"],
  ["datetime", "dateTime"], ["reference", "reference"], ["binary", "binary"],
]);

interface Node {
  def: AttributeDoc;
  subs: Map<string, AttributeDoc>;
}

const index = (defs: readonly AttributeDoc[] | undefined): Map<string, Node> => {
  const m = new Map<string, Node>();
  for (const d of defs ?? []) {
    if (!isAttrName(d.name)) continue; // `$ref` and the like are never addressable here
    const subs = new Map<string, AttributeDoc>();
    for (const s of d.subAttributes ?? []) if (isAttrName(s.name)) subs.set(s.name.toLowerCase(), s);
    m.set(d.name.toLowerCase(), { def: d, subs });
  }
  return m;
};

const clip = (s: string): string => (s.length > 100 ? `${s.slice(0, 100)}...` : s);

/**
 * Builds a resolver. The documents are copied through JSON first, so scimmy's `describe()` output
 * (Attribute instances whose fields only appear through `toJSON`) works as well as plain objects.
 */
export function createResolver(coreDoc: SchemaDoc, extensionDocs: SchemaDoc[] = []): Resolver {
  const core = JSON.parse(JSON.stringify(coreDoc)) as SchemaDoc;
  const extensions = JSON.parse(JSON.stringify(extensionDocs)) as SchemaDoc[];
  const coreAttrs = index([...COMMON_ATTRIBUTES, ...core.attributes]);
  const schemas = new Map<string, { id: string; attrs: Map<string, Node> }>();
  schemas.set(core.id.toLowerCase(), { id: core.id, attrs: coreAttrs });
  for (const e of extensions) schemas.set(e.id.toLowerCase(), { id: e.id, attrs: index(e.attributes) });
  const urns = [...schemas.keys()].sort((a, b) => b.length - a.length);
  const nodes = new WeakMap<AttributeDoc, Node>();
  for (const s of schemas.values()) for (const n of s.attrs.values()) nodes.set(n.def, n);

  const info = (def: AttributeDoc, schema: string | undefined, top: AttributeDoc, sub?: AttributeDoc): AttrInfo => {
    const leaf = sub ?? def;
    const complex = leaf.type.toLowerCase() === "complex";
    const ref: AttrRef = {
      attr: top.name,
      type: TYPES.get(leaf.type.toLowerCase()) ?? "string",
      caseExact: leaf.caseExact === true,
      multiValued: top.multiValued === true,
    };
    if (schema !== undefined) ref.schema = schema;
    if (sub) ref.sub = sub.name;
    const out: AttrInfo = { ref, def: leaf, complex };
    if (sub) out.parentDef = top;
    return out;
  };

  const describe = (path: string, where = "filter"): AttrInfo => {
    const unknown = () => Errors.unknownAttribute(clip(path), where);
    let rest = path;
    let schemaId: string | undefined;
    let attrs = coreAttrs;
    if (path.length > 5 && path.slice(0, 4).toLowerCase() === "urn:") {
      const low = path.toLowerCase();
      const urn = urns.find((u) => low.startsWith(`${u}:`));
      const s = urn === undefined ? undefined : schemas.get(urn);
      if (!s || urn === undefined) throw unknown();
      rest = path.slice(urn.length + 1);
      attrs = s.attrs;
      if (s.id !== core.id) schemaId = s.id;
    }
    const dot = rest.indexOf(".");
    const name = dot < 0 ? rest : rest.slice(0, dot);
    const subName = dot < 0 ? undefined : rest.slice(dot + 1);
    if (!isAttrName(name)) throw unknown();
    const node = attrs.get(name.toLowerCase());
    if (!node) throw unknown();
    if (subName === undefined) return info(node.def, schemaId, node.def);
    if (!isAttrName(subName)) throw unknown();
    const sub = node.subs.get(subName.toLowerCase());
    if (!sub) throw unknown();
    return info(node.def, schemaId, node.def, sub);
  };

  const describeSub = (parent: AttrInfo, name: string, where = "filter"): AttrInfo => {
    const top = parent.parentDef ?? parent.def;
    const node = nodes.get(top);
    const sub = !parent.parentDef && node && isAttrName(name) ? node.subs.get(name.toLowerCase()) : undefined;
    if (!sub) throw Errors.unknownAttribute(clip(`${top.name}.${name}`), where);
    return info(top, parent.ref.schema, top, sub);
  };

  const resolve = (path: string, where = "filter"): AttrRef => {
    const i = describe(path, where);
    if (!i.complex) return i.ref;
    if (i.def.multiValued && nodes.get(i.def)?.subs.has("value")) return describeSub(i, "value", where).ref;
    throw Errors.invalidFilter(`'${clip(path)}' is a complex attribute; name one of its sub-attributes`);
  };

  return { coreSchemaId: core.id, extensionIds: extensions.map((e) => e.id), resolve, describe, describeSub };
}
