/**
 * The SCIM filter parser (RFC 7644 §3.4.2.2) and the sortBy / attributes parameter parsers:
 * the grammar, the IdP tolerances, the bounds, and the hostile inputs of docs/security.md cases 12-16.
 */
import fc from "fast-check";
import SCIMMY from "scimmy";
import { DomainError, isDomainError } from "../../src/domain/errors";
import type { Filter } from "../../src/domain/filter";
import type { SchemaDoc } from "../../src/scim/schema-doc";
import { ResourceSchema } from "../../src/scim/schema-model";
import {
  MAX_FILTER_COMPARISONS,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  parseFilter,
  parseSortBy,
} from "../../src/scim/filter/parse";
import { cpuMs } from "../helpers/cpu-time";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const doc = (d: unknown): SchemaDoc => JSON.parse(JSON.stringify(d)) as SchemaDoc;
const users = new ResourceSchema(doc(SCIMMY.Schemas.User.definition.describe()), [doc(SCIMMY.Schemas.EnterpriseUser.definition.describe())]);

const parse = (text: string): Filter => parseFilter(text, users);

/** A compact rendering of the AST, to state expectations briefly. */
function show(f: Filter): string {
  const path = (a: { schema?: string; attr: string; sub?: string }) => `${a.schema ? "ent:" : ""}${a.attr}${a.sub ? `.${a.sub}` : ""}`;
  switch (f.kind) {
    case "and":
    case "or":
      return `(${f.items.map(show).join(` ${f.kind} `)})`;
    case "not":
      return `not ${show(f.item)}`;
    case "pr":
      return `${path(f.attr)} pr`;
    case "cmp":
      return `${path(f.attr)} ${f.op} ${JSON.stringify(f.value)}`;
    case "has":
      return `${path(f.attr)}[${show(f.where)}]`;
  }
}

const refusal = (text: string): DomainError => {
  try {
    parse(text);
  } catch (e) {
    if (isDomainError(e)) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
};

/**
 * The best of three runs, in CPU time (../helpers/cpu-time.ts): a pathological input (a ReDoS, a
 * quadratic loop) costs CPU every time, while a loaded machine stretches only the wall clock and a
 * collection hits one run, not all three.
 */
const timed = <T>(fn: () => T): { ms: number; result: T | unknown } => {
  let best = Infinity;
  let result: T | unknown;
  for (let i = 0; i < 3; i++) {
    const run = cpuMs(fn);
    result = run.result;
    best = Math.min(best, run.ms);
  }
  return { ms: best, result };
};

describe("RFC 7644 §3.4.2.2 operators", () => {
  it.each(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])("parses userName %s \"x\"", (op) => {
    expect(show(parse(`userName ${op} "x"`))).toBe(`userName ${op} "x"`);
  });

  it("parses pr", () => {
    expect(show(parse("title pr"))).toBe("title pr");
  });

  it("takes operators and keywords without case", () => {
    expect(show(parse('userName EQ "a" AND NOT (title Pr) oR title sW "b"'))).toBe('((userName eq "a" and not title pr) or title sw "b")');
  });

  it("parses true, false and numbers against attributes of those types", () => {
    expect(show(parse("active eq true"))).toBe("active eq true");
    expect(show(parse("active ne FALSE"))).toBe("active ne false");
  });

  it("canonicalises attribute names found without case", () => {
    expect(show(parse('USERNAME eq "a" and NAME.familyname eq "b"'))).toBe('(userName eq "a" and name.familyName eq "b")');
  });
});

describe("precedence and grouping", () => {
  it("binds and tighter than or", () => {
    expect(show(parse('title eq "a" or title eq "b" and title eq "c"'))).toBe('(title eq "a" or (title eq "b" and title eq "c"))');
  });

  it("binds not tighter than and", () => {
    expect(show(parse('not (title eq "a") and title eq "b"'))).toBe('(not title eq "a" and title eq "b")');
  });

  it("parses 'A and not (B or C)' without distributing not", () => {
    expect(show(parse('userName eq "a" and not (title eq "b" or title eq "c")'))).toBe(
      '(userName eq "a" and not (title eq "b" or title eq "c"))',
    );
  });

  it("keeps (a or b) and (c or d) as written instead of expanding it", () => {
    expect(show(parse('(title eq "a" or title eq "b") and (title eq "c" or title eq "d")'))).toBe(
      '((title eq "a" or title eq "b") and (title eq "c" or title eq "d"))',
    );
  });

  it("accepts parentheses nested 10 deep", () => {
    expect(show(parse(`${"(".repeat(10)}title pr${")".repeat(10)}`))).toBe("title pr");
  });

  it("refuses an unclosed parenthesis and a stray one, saying where", () => {
    expect(refusal("(title pr").message).toMatch(/expected '\)' to close the '\(' at position 0/);
    expect(refusal("title pr)").message).toMatch(/position 8/);
  });
});

describe("values", () => {
  it("decodes every JSON escape, \\\" and \\uXXXX included", () => {
    const f = parse(String.raw`title eq "q\"b\\s\/n\nt\tu\u00e9\uD83D\uDE00"`) as Extract<Filter, { kind: "cmp" }>;
    expect(f.value).toBe('q"b\\s/n\nt\tué😀');
  });

  it("refuses a bad escape and an unterminated string, saying where", () => {
    expect(refusal(String.raw`title eq "a\x"`).message).toMatch(/invalid escape '\\x' at position 11/);
    expect(refusal(String.raw`title eq "a\u12"`).message).toMatch(/\\u escape/);
    expect(refusal('title eq "abc').message).toMatch(/unterminated string starting at position 9/);
  });

  it("refuses 'userName eq' with no value: expected a value after 'eq' at position 11", () => {
    expect(refusal("userName eq").message).toBe("Invalid filter: expected a value after 'eq' at position 11");
    expect(refusal('userName eq and title pr').code).toBe(2001);
  });

  it("refuses a missing operator, saying where", () => {
    expect(refusal('userName "x"').message).toMatch(/expected an operator .* at position 9/);
    expect(refusal("userName").message).toMatch(/expected an operator/);
  });

  it("turns eq null into not pr and ne null into pr", () => {
    expect(show(parse("title eq null"))).toBe("not title pr");
    expect(show(parse("title ne null"))).toBe("title pr");
    expect(refusal("title gt null").code).toBe(2001);
  });

  it("normalises dateTime values to toISOString() and refuses unparseable ones", () => {
    expect(show(parse('meta.created ge "2020-01-01T01:00:00+01:00"'))).toBe('meta.created ge "2020-01-01T00:00:00.000Z"');
    expect(refusal('meta.created gt "yesterday"').message).toMatch(/not a dateTime/);
    expect(refusal('meta.created co "2020"').code).toBe(2001);
  });

  it("refuses comparing a complex attribute", () => {
    expect(refusal('name eq "x"').message).toMatch(/'name' is a complex attribute/);
    expect(refusal(`${ENT}:manager eq "x"`).code).toBe(2001);
  });

  it("compares a multi-valued complex attribute named alone by its value", () => {
    expect(show(parse('emails co "@x.com"'))).toBe('emails.value co "@x.com"');
  });

  it("refuses gt/ge/lt/le and co/sw/ew on booleans", () => {
    for (const op of ["gt", "ge", "lt", "le", "co", "sw", "ew"]) expect(refusal(`active ${op} true`).code).toBe(2001);
    expect(refusal('active eq "yes"').code).toBe(2001);
  });

  it("treats pr on a complex attribute as 'any sub-attribute present'", () => {
    expect(show(parse("name pr"))).toMatch(/^\(name\.formatted pr or name\.familyName pr/);
    expect(show(parse("emails pr"))).toBe("emails.value pr");
    expect(show(parse("addresses pr"))).toMatch(/^addresses\[\(addresses\.formatted pr or/);
  });
});

describe("value paths, sub-attributes and extension URNs", () => {
  it("parses emails[type eq \"work\" and value co \"@x.com\"] as has", () => {
    expect(show(parse('emails[type eq "work" and value co "@x.com"]'))).toBe('emails[(emails.type eq "work" and emails.value co "@x.com")]');
  });

  it("parses not, parentheses and or inside a value filter", () => {
    expect(show(parse('addresses[not (type eq "work") or (country eq "Bermuda")]'))).toBe(
      'addresses[(not addresses.type eq "work" or addresses.country eq "Bermuda")]',
    );
  });

  it("refuses a value filter on a single-valued or simple attribute, and nested value filters", () => {
    expect(refusal('name[givenName eq "x"]').code).toBe(2001);
    expect(refusal('userName[value eq "x"]').code).toBe(2001);
    expect(refusal('emails[value[type eq "x"] pr]').code).toBe(2001);
  });

  it("parses extension URN paths, with and without sub-attribute, without case", () => {
    expect(show(parse(`${ENT}:employeeNumber eq "7"`))).toBe('ent:employeeNumber eq "7"');
    expect(show(parse(`${ENT.toUpperCase()}:Manager.Value eq "u1"`))).toBe('ent:manager.value eq "u1"');
  });

  it("parses the core schema URN prefix", () => {
    expect(show(parse('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'))).toBe('userName sw "J"');
  });

  it("refuses unknown attributes with unknownAttribute, saying where", () => {
    expect(refusal('title pr and nope eq "x"').message).toMatch(/Unknown attribute 'nope' in filter at position 13/);
    expect(refusal('name.nope eq "x"').code).toBe(2003);
    expect(refusal('emails[nope eq "x"]').code).toBe(2003);
    expect(refusal(`${ENT}:nope eq "x"`).code).toBe(2003);
    expect(refusal('urn:example:unknown:attr eq "x"').code).toBe(2003);
  });
});

describe("what IdPs send (docs/idp-quirks.md)", () => {
  it("accepts Entra's unquoted value: externalId eq jyoung", () => {
    expect(show(parse("externalId eq jyoung"))).toBe('externalId eq "jyoung"');
  });

  it("accepts name.FamilyName eq Employee", () => {
    expect(show(parse("name.FamilyName eq Employee"))).toBe('name.familyName eq "Employee"');
  });

  it("accepts meta.Created gt 2015-10-10T14:38:21.8617979-07:00", () => {
    expect(show(parse("meta.Created gt 2015-10-10T14:38:21.8617979-07:00"))).toBe('meta.created gt "2015-10-10T21:38:21.862Z"');
  });

  it("accepts Entra's emails[type eq \"work\"].value eq \"x\" as has with both conditions", () => {
    expect(show(parse('emails[type eq "work"].value eq "x@y.com"'))).toBe('emails[(emails.type eq "work" and emails.value eq "x@y.com")]');
  });

  it("accepts Entra's \"True\"/\"False\" strings against a boolean", () => {
    expect(show(parse('active eq "False"'))).toBe("active eq false");
  });

  it("reads a bare number against a string attribute as its text", () => {
    expect(show(parse("externalId eq 00123"))).toBe('externalId eq "00123"');
    expect(show(parse("externalId eq 123"))).toBe('externalId eq "123"');
  });
});

describe("bounds (docs/security.md cases 14-16)", () => {
  it(`refuses a filter longer than ${MAX_FILTER_LENGTH} characters with filterTooComplex`, () => {
    expect(refusal(`title eq "${"a".repeat(MAX_FILTER_LENGTH)}"`).code).toBe(2002);
  });

  it(`refuses nesting deeper than ${MAX_FILTER_DEPTH} with filterTooComplex`, () => {
    expect(() => parse(`${"(".repeat(MAX_FILTER_DEPTH)}title pr${")".repeat(MAX_FILTER_DEPTH)}`)).not.toThrow();
    expect(refusal(`${"(".repeat(MAX_FILTER_DEPTH + 1)}title pr${")".repeat(MAX_FILTER_DEPTH + 1)}`).code).toBe(2002);
    expect(refusal(`${"not ".repeat(MAX_FILTER_DEPTH + 1)}title pr`).code).toBe(2002);
  });

  it("refuses 1,000 nested parentheses within 50 ms without overflowing the stack", () => {
    const { ms, result } = timed(() => parse(`${"(".repeat(1000)}title pr${")".repeat(1000)}`));
    expect(result).toBeInstanceOf(DomainError);
    expect((result as DomainError).code).toBe(2002);
    expect(ms).toBeLessThan(50);
  });

  it(`refuses more than ${MAX_FILTER_COMPARISONS} comparisons with filterTooComplex`, () => {
    const many = (n: number) => Array.from({ length: n }, () => 'title eq "a"').join(" or ");
    expect(() => parse(many(MAX_FILTER_COMPARISONS))).not.toThrow();
    expect(refusal(many(MAX_FILTER_COMPARISONS + 1)).code).toBe(2002);
  });

  it("answers 16 and-ed (a or b) clauses within 50 ms, with little memory and a linear AST", () => {
    const text = Array.from({ length: 16 }, () => '(userName eq "a" or title eq "b")').join(" and ");
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const { ms, result } = timed(() => parse(text));
    expect(ms).toBeLessThan(50);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
    expect((result as Extract<Filter, { kind: "and" }>).items).toHaveLength(16);
  });

  it("answers invalidFilter within 50 ms for userName eq followed by 64 backslashes", () => {
    const { ms, result } = timed(() => parse(`userName eq "${"\\".repeat(64)}`));
    expect(ms).toBeLessThan(50);
    expect((result as DomainError).code).toBe(2001);
  });

  it("answers within 50 ms for a 4,096-character filter of backslashes and quotes", () => {
    for (const text of [`userName eq "${"\\\\".repeat(2040)}"`, `title eq ${'"a" '.repeat(1000)}`, "(".repeat(4096)]) {
      const { ms, result } = timed(() => parse(text));
      expect(ms).toBeLessThan(50);
      expect(result === undefined || isDomainError(result) || typeof result === "object").toBe(true);
    }
  });
});

describe("hostile attribute names (docs/security.md cases 12-13)", () => {
  const protoNames = () => Object.getOwnPropertyNames(Object.prototype).sort();
  const before = protoNames();

  it.each([
    "__proto__.x eq 1",
    "__proto__ pr",
    "constructor.prototype.x pr",
    "constructor eq 1",
    "prototype.x eq 1",
    "hasOwnProperty eq 1",
    'emails[__proto__ eq "x"]',
    'members[__proto__.x eq 1]',
    `${ENT}:__proto__ eq 1`,
    "toString pr",
  ])("refuses %s and leaves Object.prototype unchanged", (text) => {
    expect(refusal(text).kind).toBe("invalidFilter");
    expect(protoNames()).toEqual(before);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each(['$where eq 1', 'emails[$regex eq "x"]', '$ne eq 1', 'emails.$ref eq "x"', "userName.$gt eq 1"])("refuses operator injection %s", (text) => {
    expect(refusal(text).kind).toBe("invalidFilter");
  });
});

describe("robustness properties", () => {
  it("never throws anything but a DomainError on random strings, and never takes more than 100 ms", () => {
    const alphabet = fc.constantFrom(..."()[]\"\\ .:$_-aeEqQnNoOrRtTpPsSwWlLgGuU01".split(""), " eq ", " and ", " or ", "not ", "userName", "emails", " pr", '"x"', "\\u00");
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(alphabet, { maxLength: 120 }).map((a) => a.join(""))), (text) => {
        const { ms, result } = timed(() => parse(text));
        if (result instanceof Error && !isDomainError(result)) throw result;
        expect(ms).toBeLessThan(100);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("sortBy", () => {
  it("resolves a path without case; a multi-valued complex attribute sorts by its value", () => {
    expect(parseSortBy("NAME.familyName", users)).toMatchObject({ attr: "name", sub: "familyName" });
    expect(parseSortBy("emails", users)).toMatchObject({ attr: "emails", sub: "value", multiValued: true });
    expect(parseSortBy("meta.lastModified", users)).toMatchObject({ attr: "meta", sub: "lastModified", type: "dateTime" });
  });

  it("refuses unknown, empty, complex and hostile paths with invalidParameter", () => {
    for (const p of ["nope", "", "name", "__proto__", "constructor.prototype", "$where"]) {
      expect(() => parseSortBy(p, users)).toThrow(expect.objectContaining({ code: 1003 }));
    }
  });
});
