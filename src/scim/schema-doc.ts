/** RFC 7643 §7 schema representations as plain data: what /Schemas serves and what the SCIM layer reads. */

/** One attribute of a schema. */
export interface AttributeDoc {
  name: string;
  type: string;
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  uniqueness?: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  description?: string;
  subAttributes?: AttributeDoc[];
}

/** A schema. */
export interface SchemaDoc {
  id: string;
  name?: string;
  description?: string;
  attributes: AttributeDoc[];
  schemas?: string[];
  meta?: Record<string, unknown>;
}
