/**
 * A case-insensitive index over RFC 7643 §7 schema documents (the core schema of a resource type
 * plus its extensions), answering the questions PATCH and body normalisation ask: which attribute a
 * name means, whether it is multi-valued, complex, boolean, required, readOnly or immutable.
 * Lookups use Maps, never plain objects, so `__proto__` or `constructor` is simply unknown.
 */

import type { AttributeDoc, SchemaDoc } from "../schema-doc";

/** One attribute of a schema (the name the PATCH engine uses). */
export type AttributeDef = AttributeDoc;
export type { SchemaDoc };

/** Attributes every resource has (RFC 7643 §3.1) and that no request may set. */
export const COMMON_READONLY = ["id", "meta", "schemas"] as const;

const EXTERNAL_ID: AttributeDef = {
  name: "externalId", type: "string", multiValued: false, required: false, caseExact: true, mutability: "readWrite",
};

/** A resolved attribute: its definition and, for an extension attribute, the extension URN. */
export interface AttrHit {
  def: AttributeDef;
  schema?: string;
}

const byName = (defs: AttributeDef[] | undefined): Map<string, AttributeDef> =>
  new Map((defs ?? []).map((d) => [d.name.toLowerCase(), d]));

export class SchemaIndex {
  readonly coreId: string;
  private readonly core: Map<string, AttributeDef>;
  private readonly extensions: Map<string, { id: string; attrs: Map<string, AttributeDef> }>;
  private readonly subs = new Map<AttributeDef, Map<string, AttributeDef>>();

  constructor(coreDoc: SchemaDoc, extensionDocs: SchemaDoc[] = []) {
    // scimmy's describe() answers Attribute instances that only become plain data through toJSON.
    const core = JSON.parse(JSON.stringify(coreDoc)) as SchemaDoc;
    const extensions = JSON.parse(JSON.stringify(extensionDocs)) as SchemaDoc[];
    this.coreId = core.id;
    this.core = byName(core.attributes);
    // externalId is common to every resource (RFC 7643 §3.1) but not listed in the schema documents.
    if (!this.core.has("externalid")) this.core.set("externalid", EXTERNAL_ID);
    this.extensions = new Map(extensions.map((e) => [e.id.toLowerCase(), { id: e.id, attrs: byName(e.attributes) }]));
  }

  /** A core attribute by name, without case. */
  attr(name: string): AttributeDef | undefined {
    return this.core.get(name.toLowerCase());
  }

  /** The canonical URN of an extension (or of the core schema), without case. */
  schemaId(urn: string): string | undefined {
    const low = urn.toLowerCase();
    if (low === this.coreId.toLowerCase()) return this.coreId;
    return this.extensions.get(low)?.id;
  }

  /** An extension's attribute by name, without case. */
  extAttr(urn: string, name: string): AttributeDef | undefined {
    return this.extensions.get(urn.toLowerCase())?.attrs.get(name.toLowerCase());
  }

  /** All extension URNs, canonical case. */
  extensionIds(): string[] {
    return [...this.extensions.values()].map((e) => e.id);
  }

  /** A sub-attribute of a complex attribute by name, without case. */
  sub(def: AttributeDef, name: string): AttributeDef | undefined {
    let m = this.subs.get(def);
    if (!m) {
      m = byName(def.subAttributes);
      this.subs.set(def, m);
    }
    return m.get(name.toLowerCase());
  }

  /**
   * Splits a URN-qualified path (`urn:...:enterprise:2.0:User:manager.value`) into the schema URN
   * and the rest. Answers undefined when the text does not start with a known schema URN.
   * `rest` is "" when the text is exactly the URN.
   */
  splitUrn(text: string): { schema: string; rest: string } | undefined {
    const low = text.toLowerCase();
    const candidates = [this.coreId, ...this.extensionIds()].sort((a, b) => b.length - a.length);
    for (const id of candidates) {
      const l = id.toLowerCase();
      if (low === l) return { schema: id, rest: "" };
      if (low.startsWith(l + ":")) return { schema: id, rest: text.slice(l.length + 1) };
    }
    return undefined;
  }
}
