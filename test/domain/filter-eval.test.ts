/**
 * In-memory filter evaluation (src/domain/filter-eval.ts): caseExact, types, multi-valued "any
 * element" semantics, pr, ne on missing attributes, value filters, extensions, and never crashing
 * on absent or malformed attributes.
 */
import SCIMMY from "scimmy";
import type { Filter } from "../../src/domain/filter";
import { isPresent, matches, parseDateTime } from "../../src/domain/filter-eval";
import type { SchemaDoc } from "../../src/scim/schema-doc";
import { ResourceSchema } from "../../src/scim/schema-model";
import { parseFilter } from "../../src/scim/filter/parse";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const doc = (d: unknown): SchemaDoc => JSON.parse(JSON.stringify(d)) as SchemaDoc;
const users = new ResourceSchema(doc(SCIMMY.Schemas.User.definition.describe()), [doc(SCIMMY.Schemas.EnterpriseUser.definition.describe())]);
const groups = new ResourceSchema(doc(SCIMMY.Schemas.Group.definition.describe()));

const alice = {
  id: "2819c223",
  externalId: "Ext-1",
  userName: "Alice@Example.com",
  active: true,
  name: { familyName: "Jensen", givenName: "Barbara" },
  emails: [
    { value: "alice@work.com", type: "work", primary: true },
    { value: "alice@home.org", type: "home" },
  ],
  addresses: [{ type: "work", country: "Bermuda" }],
  phoneNumbers: [{ value: "555-555-8377", type: "work" }],
  [ENT]: { employeeNumber: "701984", manager: { value: "26118915" } },
  meta: { resourceType: "User", created: "2020-01-01T00:00:00.000Z", lastModified: "2021-05-13T04:42:34.000Z" },
};
const bare = { id: "bare", userName: "bob", meta: { created: "2020-01-01T00:00:00Z" } };

const is = (resource: Record<string, unknown>, text: string): boolean => matches(resource, parseFilter(text, users));

describe("matches()", () => {
  it.each([
    ['userName eq "alice@example.com"', true],
    ['userName ne "alice@example.com"', false],
    ['userName co "EXAMPLE"', true],
    ['userName sw "alice@"', true],
    ['userName ew ".COM"', true],
    ['userName gt "a"', true],
    ['userName ge "alice@example.com"', true],
    ['userName lt "b"', true],
    ['userName le "alice"', false],
    ["userName pr", true],
  ])("evaluates every operator: %s → %s", (text, expected) => {
    expect(is(alice, text as string)).toBe(expected);
  });

  it("honours caseExact: externalId and id compare with case, userName without", () => {
    expect(is(alice, 'externalId eq "Ext-1"')).toBe(true);
    expect(is(alice, 'externalId eq "ext-1"')).toBe(false);
    expect(is(alice, 'id eq "2819C223"')).toBe(false);
    expect(is(alice, 'userName eq "ALICE@EXAMPLE.COM"')).toBe(true);
  });

  it("compares dateTime values as instants, whatever their offset", () => {
    expect(is(alice, 'meta.lastModified eq "2021-05-13T06:42:34+02:00"')).toBe(true);
    expect(is(alice, "meta.created gt 2019-12-31T23:00:00-02:00")).toBe(false);
    expect(is(bare, 'meta.created eq "2020-01-01T00:00:00.000Z"')).toBe(true);
  });

  it("compares booleans and refuses mismatched types quietly", () => {
    expect(is(alice, "active eq true")).toBe(true);
    expect(is({ ...alice, active: "true" }, "active eq true")).toBe(false);
  });

  it("matches a multi-valued attribute when any element matches", () => {
    expect(is(alice, 'emails.value ew "home.org"')).toBe(true);
    expect(is(alice, 'emails co "@work"')).toBe(true);
    expect(is(alice, 'emails.type eq "other"')).toBe(false);
  });

  it("evaluates value filters per element", () => {
    expect(is(alice, 'emails[type eq "work" and value co "@work.com"]')).toBe(true);
    expect(is(alice, 'emails[type eq "home" and value co "@work.com"]')).toBe(false);
    expect(is(alice, 'addresses[type eq "work" and country eq "Bermuda"]')).toBe(true);
    expect(is(alice, 'emails[type eq "work"].value eq "ALICE@work.com"')).toBe(true);
    expect(is(alice, "emails[not (primary eq true)]")).toBe(true);
  });

  it("treats ne as not eq: true when the attribute is missing, false when any element equals", () => {
    expect(is(bare, 'title ne "x"')).toBe(true);
    expect(is(bare, 'name.familyName ne "x"')).toBe(true);
    expect(is(alice, 'emails.type ne "home"')).toBe(false);
    expect(is(bare, 'emails.type ne "home"')).toBe(true);
  });

  it("answers pr: present unless null, empty string or empty array", () => {
    expect(is(alice, "name pr")).toBe(true);
    expect(is(bare, "name pr")).toBe(false);
    expect(is({ ...bare, title: "" }, "title pr")).toBe(false);
    expect(is({ ...bare, title: null }, "title pr")).toBe(false);
    expect(is({ ...bare, emails: [] }, "emails pr")).toBe(false);
    expect(is({ ...bare, active: false }, "active pr")).toBe(true);
    expect([null, undefined, "", [], {}].map(isPresent)).toEqual([false, false, false, false, false]);
  });

  it("reads extension attributes under their URN key", () => {
    expect(is(alice, `${ENT}:employeeNumber eq "701984"`)).toBe(true);
    expect(is(alice, `${ENT}:manager.value eq "26118915"`)).toBe(true);
    expect(is(bare, `${ENT}:manager.value eq "26118915"`)).toBe(false);
  });

  it("never crashes on absent or malformed complex attributes", () => {
    const odd = { id: "odd", userName: 5, name: "not an object", emails: "not an array", addresses: [null, 3, "x"], [ENT]: [], meta: null };
    for (const text of ['name.familyName eq "x"', 'emails.value co "x"', 'addresses[country eq "x"]', `${ENT}:manager.value pr`,
      'meta.created gt "2020-01-01T00:00:00Z"', 'userName eq "5"', "not (emails pr)"]) {
      expect(() => is(odd, text)).not.toThrow();
    }
    expect(is(odd, 'not (name.familyName eq "x")')).toBe(true);
  });

  it("does not read inherited properties", () => {
    const proto = Object.create({ title: "inherited" }) as Record<string, unknown>;
    expect(is(proto, "title pr")).toBe(false);
  });

  it("evaluates group members", () => {
    const g = { id: "g1", displayName: "Admins", members: [{ value: "u1" }, { value: "u2", display: "Ben" }] };
    const f: Filter = parseFilter('members[value eq "u2" and display eq "ben"] and displayName eq "ADMINS"', groups);
    expect(matches(g, f)).toBe(true);
    expect(matches(g, parseFilter('members.value eq "u3"', groups))).toBe(false);
  });
});

describe("parseDateTime", () => {
  it("parses RFC 3339 forms and answers NaN for anything else", () => {
    expect(parseDateTime("2015-10-10T14:38:21.8617979-07:00")).toBe(Date.parse("2015-10-10T21:38:21.862Z"));
    expect(parseDateTime("2020-02-29")).toBe(Date.UTC(2020, 1, 29));
    expect(parseDateTime("2020-01-01T10:00+0100")).toBe(Date.UTC(2020, 0, 1, 9));
    for (const bad of ["", "2020", "2021-02-29", "2020-13-01", "2020-01-01T25:00:00Z", "2020-01-01T10:00:00Zjunk", "1", "yesterday", "0999-01-01"]) {
      expect(parseDateTime(bad)).toBeNaN();
    }
  });
});
