/**
 * The SCIM filter parser (RFC 7644 §3.4.2.2) and the `sortBy` / `attributes` /
 * `excludedAttributes` parameter parsers. Untrusted text in, a schema-checked Filter AST
 * (src/domain/filter.ts) out, or a DomainError that says what and where.
 *
 * Grammar (operators and keywords without case; precedence not > and > or):
 *   filter  = or
 *   or      = and *("or" and)
 *   and     = unary *("and" unary)
 *   unary   = "not" unary | "(" filter ")" | attrExp
 *   attrExp = path "pr" | path op value | path "[" valFilter "]" [ "." sub op value ]
 *   value   = JSON string | true | false | null | number | bare word (IdP quirk: a string)
 *
 * Tolerances for what IdPs send (docs/idp-quirks.md): bare unquoted values
 * (`externalId eq jyoung`, `meta.created gt 2015-10-10T14:38:21.8617979-07:00`), Entra's
 * `emails[type eq "work"].value eq "x"` (becomes `has` with an `and` of both conditions),
 * `"True"`/`"False"` strings compared with a boolean attribute, and `not` without parentheses.
 *
 * Safety: the input is capped at MAX_FILTER_LENGTH, nesting at MAX_FILTER_DEPTH (the recursion
 * never goes deeper), comparisons at MAX_FILTER_COMPARISONS; work is linear in the input, and
 * `and`/`or` are kept as written (no expansion into disjunctive normal form).
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, CompareOp, Filter, FilterValue } from "../../domain/filter";
import { parseDateTime } from "../../domain/filter-eval";
import type { AttrInfo, Resolver } from "../schema-model";
import { tokenize, type Token } from "./lexer";
import { withNfcValues } from "./nfc";

/** Longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting of `(`, `not` and `[` accepted. */
export const MAX_FILTER_DEPTH = 32;
/** Most comparisons (`eq`..`le`, `pr`) in one filter. */
export const MAX_FILTER_COMPARISONS = 64;

const OPS: ReadonlySet<string> = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const STRINGY: ReadonlySet<string> = new Set(["co", "sw", "ew"]);

const show = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}...` : s);

const describeToken = (t: Token): string =>
  t.kind === "end" ? "the end" : t.kind === "word" ? `'${show(t.value)}'` : t.kind === "string" ? "a string" : `'${t.kind}'`;

/** JSON number grammar, checked char by char. */
function isNumber(s: string): boolean {
  let i = 0;
  const digits = (): number => {
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    return i - start;
  };
  if (s.charAt(i) === "-") i++;
  const intStart = i;
  const n = digits();
  if (n === 0 || (n > 1 && s.charAt(intStart) === "0")) return false;
  if (s.charAt(i) === ".") {
    i++;
    if (digits() === 0) return false;
  }
  if (s.charAt(i) === "e" || s.charAt(i) === "E") {
    i++;
    if (s.charAt(i) === "+" || s.charAt(i) === "-") i++;
    if (digits() === 0) return false;
  }
  return i === s.length && s.length <= 32;
}

type RawValue = { value: FilterValue; text: string; quoted: boolean };

class Parser {
  private i = 0;
  private comparisons = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly resolver: Resolver,
  ) {}

  parse(): Filter {
    const f = this.or(0, undefined);
    const t = this.peek();
    if (t.kind !== "end") {
      throw Errors.invalidFilter(`unexpected ${describeToken(t)} at position ${t.pos}; expected 'and', 'or' or the end`);
    }
    return f;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === "word" && t.value.toLowerCase() === word;
  }

  private deeper(depth: number, at: Token): number {
    if (depth + 1 > MAX_FILTER_DEPTH) {
      throw Errors.filterTooComplex(`it nests deeper than ${MAX_FILTER_DEPTH} levels (at position ${at.pos})`);
    }
    return depth + 1;
  }

  private count(at: Token): void {
    this.comparisons++;
    if (this.comparisons > MAX_FILTER_COMPARISONS) {
      throw Errors.filterTooComplex(`it has more than ${MAX_FILTER_COMPARISONS} comparisons (at position ${at.pos})`);
    }
  }

  private or(depth: number, scope: AttrInfo | undefined): Filter {
    const items = [this.and(depth, scope)];
    while (this.isKeyword(this.peek(), "or")) {
      this.next();
      items.push(this.and(depth, scope));
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  private and(depth: number, scope: AttrInfo | undefined): Filter {
    const items = [this.unary(depth, scope)];
    while (this.isKeyword(this.peek(), "and")) {
      this.next();
      items.push(this.unary(depth, scope));
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private unary(depth: number, scope: AttrInfo | undefined): Filter {
    const t = this.peek();
    if (this.isKeyword(t, "not")) {
      const after = this.peek(1);
      const isOperator = after.kind === "word" && (OPS.has(after.value.toLowerCase()) || after.value.toLowerCase() === "pr");
      if (!isOperator) {
        this.next();
        if (after.kind === "end") throw Errors.invalidFilter(`expected '(' after 'not' at position ${after.pos}`);
        return { kind: "not", item: this.unary(this.deeper(depth, t), scope) };
      }
    }
    if (t.kind === "(") {
      this.next();
      const inner = this.or(this.deeper(depth, t), scope);
      const close = this.next();
      if (close.kind !== ")") {
        throw Errors.invalidFilter(`expected ')' to close the '(' at position ${t.pos}, found ${describeToken(close)} at position ${close.pos}`);
      }
      return inner;
    }
    if (t.kind === "word") return this.attrExp(depth, scope);
    throw Errors.invalidFilter(`expected an attribute name, 'not' or '(' at position ${t.pos}, found ${describeToken(t)}`);
  }

  private attrExp(depth: number, scope: AttrInfo | undefined): Filter {
    const t = this.next() as Extract<Token, { kind: "word" }>;
    const path = t.value;
    if (this.peek().kind === "[") {
      if (scope) throw Errors.invalidFilter(`a value filter '[' cannot nest inside another, at position ${this.peek().pos}`);
      return this.valuePath(depth, t);
    }
    const where = `filter at position ${t.pos}`;
    const info = scope ? this.resolver.describeSub(scope, path, where) : this.resolver.describe(path, where);
    return this.comparison(info, path);
  }

  /** `emails[type eq "work"]`, and Entra's `emails[type eq "work"].value eq "x"`. */
  private valuePath(depth: number, t: Extract<Token, { kind: "word" }>): Filter {
    const info = this.resolver.describe(t.value, `filter at position ${t.pos}`);
    if (!info.complex || !info.def.multiValued || info.ref.sub !== undefined) {
      throw Errors.invalidFilter(`'${show(t.value)}' is not a multi-valued complex attribute, so '[' cannot follow it (position ${this.peek().pos})`);
    }
    const open = this.next();
    let where = this.or(this.deeper(depth, open), info);
    const close = this.next();
    if (close.kind !== "]") {
      throw Errors.invalidFilter(`expected ']' to close the '[' at position ${open.pos}, found ${describeToken(close)} at position ${close.pos}`);
    }
    const after = this.peek();
    if (after.kind === "word" && after.value.startsWith(".")) {
      this.next();
      const sub = this.resolver.describeSub(info, after.value.slice(1), `filter at position ${after.pos}`);
      const extra = this.comparison(sub, `${t.value}${after.value}`);
      where = where.kind === "and" ? { kind: "and", items: [...where.items, extra] } : { kind: "and", items: [where, extra] };
    }
    return { kind: "has", attr: info.ref, where };
  }

  private comparison(info: AttrInfo, path: string): Filter {
    const opTok = this.next();
    const op = opTok.kind === "word" ? opTok.value.toLowerCase() : "";
    if (op !== "pr" && !OPS.has(op)) {
      throw Errors.invalidFilter(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '${show(path)}' at position ${opTok.pos}, found ${describeToken(opTok)}`);
    }
    this.count(opTok);
    if (op === "pr") return this.present(info);
    const raw = this.value(op);
    let ref = info.ref;
    if (info.complex) {
      if (!info.def.multiValued || info.parentDef) {
        throw Errors.invalidFilter(`'${show(path)}' is a complex attribute and cannot be compared with '${op}' (position ${opTok.pos}); name a sub-attribute such as '${show(path)}.${info.def.subAttributes?.[0]?.name ?? "value"}'`);
      }
      ref = this.resolver.describeSub(info, "value").ref;
    }
    if (raw.value === null) {
      if (op === "eq") return { kind: "not", item: { kind: "pr", attr: ref } };
      if (op === "ne") return { kind: "pr", attr: ref };
      throw Errors.invalidFilter(`'${op}' cannot compare with null (position ${opTok.pos}); use 'pr' or 'not (... pr)'`);
    }
    return { kind: "cmp", attr: ref, op: op as CompareOp, value: coerce(ref, op, raw, path, opTok.pos) };
  }

  /** `pr`; on a complex attribute: its `value` if multi-valued with one, else any sub-attribute. */
  private present(info: AttrInfo): Filter {
    if (!info.complex) return { kind: "pr", attr: info.ref };
    const subs = (info.def.subAttributes ?? []).flatMap((s) => {
      try {
        return [this.resolver.describeSub(info, s.name).ref];
      } catch {
        return [];
      }
    });
    if (info.def.multiValued) {
      const value = subs.find((s) => s.sub === "value");
      if (value) return { kind: "pr", attr: value };
    }
    const any: Filter = { kind: "or", items: subs.map((attr) => ({ kind: "pr", attr }) as Filter) };
    return info.def.multiValued ? { kind: "has", attr: info.ref, where: any } : any;
  }

  private value(op: string): RawValue {
    const t = this.peek();
    if (t.kind === "string") {
      this.next();
      return { value: t.value, text: t.value, quoted: true };
    }
    const low = t.kind === "word" ? t.value.toLowerCase() : "";
    if (t.kind !== "word" || low === "and" || low === "or") {
      throw Errors.invalidFilter(`expected a value after '${op}' at position ${t.pos}`);
    }
    this.next();
    if (low === "true" || low === "false") return { value: low === "true", text: t.value, quoted: false };
    if (low === "null") return { value: null, text: t.value, quoted: false };
    if (isNumber(t.value)) return { value: Number(t.value), text: t.value, quoted: false };
    return { value: t.value, text: t.value, quoted: false };
  }
}

/** Checks the value against the attribute's type and turns IdP-style values into the right type. */
function coerce(ref: AttrRef, op: string, raw: RawValue, path: string, pos: number): FilterValue {
  const name = show(path);
  const refuse = (why: string) => Errors.invalidFilter(`${why} (position ${pos})`);
  switch (ref.type) {
    case "boolean": {
      if (op !== "eq" && op !== "ne") throw refuse(`'${op}' cannot compare the boolean attribute '${name}'; use eq or ne`);
      if (typeof raw.value === "boolean") return raw.value;
      const low = typeof raw.value === "string" ? raw.value.toLowerCase() : "";
      if (low === "true" || low === "false") return low === "true"; // Entra: "True" / "False"
      throw refuse(`'${name}' is boolean; compare it with true or false`);
    }
    case "integer":
    case "decimal": {
      if (STRINGY.has(op)) throw refuse(`'${op}' cannot compare the numeric attribute '${name}'`);
      const n = typeof raw.value === "number" ? raw.value : typeof raw.value === "string" && isNumber(raw.value) ? Number(raw.value) : NaN;
      if (!Number.isFinite(n)) throw refuse(`'${name}' is a number; compare it with a number`);
      return n;
    }
    case "dateTime": {
      if (STRINGY.has(op)) throw refuse(`'${op}' cannot compare the dateTime attribute '${name}'; use eq, ne, gt, ge, lt or le`);
      const t = parseDateTime(raw.text);
      if (Number.isNaN(t)) throw refuse(`'${show(raw.text)}' is not a dateTime such as 2024-01-31T12:00:00Z`);
      return new Date(t).toISOString();
    }
    default:
      if (typeof raw.value === "string") return raw.value;
      return raw.text; // bare 42 or true against a string attribute: the text as written
  }
}

/** Parses a SCIM filter against a schema. Throws DomainError (invalidFilter, filterTooComplex, unknownAttribute). */
export function parseFilter(text: string, resolver: Resolver): Filter {
  if (typeof text !== "string") throw Errors.invalidFilter("the filter must be a string");
  if (text.length > MAX_FILTER_LENGTH) {
    throw Errors.filterTooComplex(`it is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`);
  }
  if (text.trim().length === 0) throw Errors.invalidFilter("the filter is empty");
  return withNfcValues(new Parser(tokenize(text), resolver).parse());
}

const describeParam = (resolver: Resolver, path: string, param: string): AttrInfo => {
  try {
    return resolver.describe(path, param);
  } catch {
    throw Errors.invalidParameter(param, `unknown attribute '${show(path)}'. See /Schemas for the attributes this server knows.`);
  }
};

/** Parses `sortBy`: one attribute path; a multi-valued complex attribute sorts by its `value`. */
export function parseSortBy(text: string, resolver: Resolver): AttrRef {
  const path = text.trim();
  if (path === "") throw Errors.invalidParameter("sortBy", "it is empty; name an attribute such as userName");
  if (path.length > 512) throw Errors.invalidParameter("sortBy", "it is too long");
  const info = describeParam(resolver, path, "sortBy");
  if (!info.complex) return info.ref;
  if (info.def.multiValued && info.ref.sub === undefined) {
    try {
      return resolver.describeSub(info, "value", "sortBy").ref;
    } catch {
      // no value sub-attribute: fall through
    }
  }
  throw Errors.invalidParameter("sortBy", `'${show(path)}' is a complex attribute; name one of its sub-attributes`);
}
