/**
 * The one schema model of the SCIM layer. Built once per resource type from its RFC 7643 §7
 * schema documents (core schema plus extensions, src/scim/schemas.ts), it answers every question
 * validation, projection, filters, sorting and PATCH ask about an attribute: which attribute a
 * name or path means (without case, RFC 7643 §2.1; longest known URN prefix first), its type,
 * mutability, multiplicity, canonical values and limit, and the AttrRef (src/domain/filter.ts)
 * the stores compile.
 *
 * - The common attributes of RFC 7643 §3.1 (`id`, `externalId`, `meta.*`) belong to every type.
 * - Lookups are Maps keyed by lower-case name, never plain objects: `__proto__`, `constructor` or
 *   `$where` are simply unknown.
 * - `describe` (filters, sortBy, attributes) accepts RFC 7643 ATTRNAMEs only, so `$ref` is not
 *   addressable there; `attr`/`sub` (bodies, PATCH) know `$ref` as the schema does.
 */
import { Errors } from "../domain/errors";
import type { AttrRef, AttrType } from "../domain/filter";
import type { AttributeDoc, SchemaDoc } from "./schema-doc";
import { MAX_VALUES } from "./schemas";

export type AttributeType = AttrType | "complex";

/** One attribute (or sub-attribute) of the model: its RFC 7643 §7 characteristics, normalised. */
export interface AttributeDef {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  readonly returned: string;
  readonly uniqueness: string;
  readonly canonicalValues?: readonly string[];
  readonly subAttributes?: readonly AttributeDef[];
  /** The URN of the schema defining the attribute (the core schema's for the common attributes). */
  readonly schema: string;
  /** The attribute a sub-attribute belongs to. */
  readonly parent?: AttributeDef;
  /** For a multi-valued attribute a client writes: the most values orgscim keeps. */
  readonly maxValues?: number;
}

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
  def: AttributeDef;
  parentDef?: AttributeDef;
  complex: boolean;
}

/** The view the filter parser takes (src/scim/filter/parse.ts). */
export interface Resolver {
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
const COMMON_ATTRIBUTES: readonly AttributeDoc[] = [
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

const TYPES: ReadonlyMap<string, AttributeType> = new Map<string, AttributeType>([
  ["string", "string"], ["boolean", "boolean"], ["decimal", "decimal"], ["integer", "integer"],
  ["datetime", "dateTime"], ["reference", "reference"], ["binary", "binary"], ["complex", "complex"],
]);
const MUTABILITY = new Set(["readOnly", "readWrite", "immutable", "writeOnly"]);

const clip = (s: string): string => (s.length > 100 ? `${s.slice(0, 100)}...` : s);

interface Node {
  def: AttributeDef;
  /** Sub-attributes by lower-case name, and by their canonical spelling (what most bodies send: found without lowering it). */
  subs: ReadonlyMap<string, AttributeDef>;
  exact: ReadonlyMap<string, AttributeDef>;
}

function define(doc: AttributeDoc, schema: string, parent?: AttributeDef): Node {
  const type = TYPES.get(String(doc.type).toLowerCase()) ?? "string";
  const def: { -readonly [K in keyof AttributeDef]: AttributeDef[K] } = {
    name: doc.name,
    type,
    multiValued: doc.multiValued === true,
    required: doc.required === true,
    caseExact: doc.caseExact === true,
    mutability: (MUTABILITY.has(doc.mutability ?? "") ? doc.mutability : "readWrite") as AttributeDef["mutability"],
    returned: doc.returned ?? "default",
    uniqueness: doc.uniqueness ?? "none",
    schema,
  };
  if (doc.canonicalValues && doc.canonicalValues.length > 0) def.canonicalValues = [...doc.canonicalValues];
  if (parent) def.parent = parent;
  const max = parent ? undefined : MAX_VALUES[doc.name];
  if (max !== undefined && def.multiValued && def.mutability !== "readOnly") def.maxValues = max;
  const subs = new Map<string, AttributeDef>();
  const exact = new Map<string, AttributeDef>();
  if (type === "complex") {
    def.subAttributes = (doc.subAttributes ?? []).map((s) => {
      const n = define(s, schema, def as AttributeDef);
      subs.set(s.name.toLowerCase(), n.def);
      exact.set(s.name, n.def);
      return n.def;
    });
  }
  return { def: def as AttributeDef, subs, exact };
}

interface SchemaNodes {
  id: string;
  /** By lower-case name, and by the canonical spelling (found without lowering it). */
  attrs: Map<string, Node>;
  exact: Map<string, Node>;
}

export class ResourceSchema implements Resolver {
  readonly coreId: string;
  readonly extensionIds: readonly string[];
  /** Core and extension URNs, longest first (a URN prefix is matched against the longest). */
  private readonly urns: readonly SchemaNodes[];
  private readonly core: SchemaNodes;
  private readonly extensions = new Map<string, SchemaNodes>();
  /** The extensions by their canonical URN (what most bodies send: found without lowering it). */
  private readonly extensionsExact = new Map<string, SchemaNodes>();
  private readonly coreLow: string;
  private readonly nodes = new Map<AttributeDef, Node>();

  constructor(coreDoc: SchemaDoc, extensionDocs: readonly SchemaDoc[] = []) {
    this.coreId = coreDoc.id;
    this.core = this.build(coreDoc.id, [...COMMON_ATTRIBUTES, ...coreDoc.attributes]);
    this.coreLow = coreDoc.id.toLowerCase();
    for (const e of extensionDocs) {
      const nodes = this.build(e.id, e.attributes);
      this.extensions.set(e.id.toLowerCase(), nodes);
      this.extensionsExact.set(e.id, nodes);
    }
    this.extensionIds = extensionDocs.map((e) => e.id);
    this.urns = [this.core, ...this.extensions.values()].sort((a, b) => b.id.length - a.id.length);
  }

  private build(id: string, docs: readonly AttributeDoc[]): SchemaNodes {
    const attrs = new Map<string, Node>();
    const exact = new Map<string, Node>();
    for (const d of docs) {
      const node = define(d, id);
      attrs.set(d.name.toLowerCase(), node);
      exact.set(d.name, node);
      this.nodes.set(node.def, node);
    }
    return { id, attrs, exact };
  }

  // ---- lookups by name (bodies, PATCH) ----

  /** A core (or common) attribute by name, without case (its canonical spelling found without lowering it). */
  attr(name: string): AttributeDef | undefined {
    return this.core.exact.get(name)?.def ?? this.core.attrs.get(name.toLowerCase())?.def;
  }

  /** An extension's attribute by name, without case. */
  extAttr(urn: string, name: string): AttributeDef | undefined {
    const ext = this.extensionsExact.get(urn) ?? this.extensions.get(urn.toLowerCase());
    return ext?.exact.get(name)?.def ?? ext?.attrs.get(name.toLowerCase())?.def;
  }

  /** A sub-attribute of a complex attribute by name, without case. */
  sub(def: AttributeDef, name: string): AttributeDef | undefined {
    const top = def.parent ?? def;
    const node = this.nodes.get(top);
    if (node) return node.exact.get(name) ?? node.subs.get(name.toLowerCase());
    // A derived view of an attribute (one element of a multi-valued one): its few sub-attributes.
    const low = name.toLowerCase();
    return top.subAttributes?.find((s) => s.name.toLowerCase() === low);
  }

  /** The canonical URN of the core schema or of an extension, without case; undefined if unknown. */
  schemaId(urn: string): string | undefined {
    if (urn === this.coreId) return this.coreId;
    const ext = this.extensionsExact.get(urn);
    if (ext) return ext.id;
    const low = urn.toLowerCase();
    if (low === this.coreLow) return this.coreId;
    return this.extensions.get(low)?.id;
  }

  /** Whether a URN is one of this type's extensions (not the core schema). */
  isExtension(urn: string): boolean {
    return this.extensionsExact.has(urn) || this.extensions.has(urn.toLowerCase());
  }

  /** Every attribute of an extension, or of the core schema (common attributes included). */
  attributesOf(urn: string): AttributeDef[] {
    const s = urn.toLowerCase() === this.coreId.toLowerCase() ? this.core : this.extensions.get(urn.toLowerCase());
    return s ? [...s.attrs.values()].map((n) => n.def) : [];
  }

  /**
   * Splits a URN-qualified path (`urn:...:enterprise:2.0:User:manager.value`) into the canonical
   * schema URN and the rest ("" when the text is exactly the URN). Undefined when the text does
   * not start with a known schema URN.
   */
  splitUrn(text: string): { schema: string; rest: string } | undefined {
    if (text.length < 5 || text.slice(0, 4).toLowerCase() !== "urn:") return undefined;
    const low = text.toLowerCase();
    for (const s of this.urns) {
      const l = s.id.toLowerCase();
      if (low === l) return { schema: s.id, rest: "" };
      if (low.startsWith(`${l}:`)) return { schema: s.id, rest: text.slice(l.length + 1) };
    }
    return undefined;
  }

  // ---- paths as AttrRefs (filters, sortBy, attributes) ----

  /** The AttrRef of an attribute (`top`), or of one of its sub-attributes (`sub`). */
  ref(top: AttributeDef, sub?: AttributeDef): AttrRef {
    const leaf = sub ?? top;
    const ref: AttrRef = {
      attr: top.name,
      type: leaf.type === "complex" ? "string" : leaf.type,
      caseExact: leaf.caseExact,
      multiValued: top.multiValued,
    };
    if (top.schema !== this.coreId) ref.schema = top.schema;
    if (sub) ref.sub = sub.name;
    return ref;
  }

  private info(top: AttributeDef, sub?: AttributeDef): AttrInfo {
    const leaf = sub ?? top;
    const out: AttrInfo = { ref: this.ref(top, sub), def: leaf, complex: leaf.type === "complex" };
    if (sub) out.parentDef = top;
    return out;
  }

  describe(path: string, where = "filter"): AttrInfo {
    const unknown = () => Errors.unknownAttribute(clip(path), where);
    let rest = path;
    let attrs = this.core.attrs;
    const urn = this.splitUrn(path);
    if (urn !== undefined) {
      rest = urn.rest;
      attrs = urn.schema === this.coreId ? this.core.attrs : this.extensions.get(urn.schema.toLowerCase())!.attrs;
    }
    const dot = rest.indexOf(".");
    const name = dot < 0 ? rest : rest.slice(0, dot);
    const subName = dot < 0 ? undefined : rest.slice(dot + 1);
    if (!isAttrName(name)) throw unknown();
    const node = attrs.get(name.toLowerCase());
    if (!node) throw unknown();
    if (subName === undefined) return this.info(node.def);
    if (!isAttrName(subName)) throw unknown();
    const sub = node.subs.get(subName.toLowerCase());
    if (!sub) throw unknown();
    return this.info(node.def, sub);
  }

  describeSub(parent: AttrInfo, name: string, where = "filter"): AttrInfo {
    const top = parent.parentDef ?? parent.def;
    const sub = !parent.parentDef && isAttrName(name) ? this.nodes.get(top)?.subs.get(name.toLowerCase()) : undefined;
    if (!sub) throw Errors.unknownAttribute(clip(`${top.name}.${name}`), where);
    return this.info(top, sub);
  }

  resolve(path: string, where = "filter"): AttrRef {
    const i = this.describe(path, where);
    if (!i.complex) return i.ref;
    if (i.def.multiValued && this.nodes.get(i.def)?.subs.has("value")) return this.describeSub(i, "value", where).ref;
    throw Errors.invalidFilter(`'${clip(path)}' is a complex attribute; name one of its sub-attributes`);
  }
}
