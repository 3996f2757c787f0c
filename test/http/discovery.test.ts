/**
 * Discovery that tells the truth (interop profile §5.1, §5.4; RFC 9865 §4): what /Schemas and
 * /ServiceProviderConfig advertise is what the server does. Generated from /Schemas itself: every
 * writable multi-valued attribute with a `type` declares canonical values, and every declared
 * canonical value list is enforced on POST.
 */
import { call, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

interface Attr {
  name: string;
  type: string;
  multiValued: boolean;
  mutability: string;
  uniqueness?: string;
  caseExact?: boolean;
  canonicalValues?: string[];
  description?: string;
  subAttributes?: Attr[];
}
interface Schema { id: string; attributes: Attr[] }

let s: TestServer;
let token: string;
let schemas: Schema[];
let memberId: string;
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
  schemas = (await call("GET", `${s.scim}/Schemas`, token)).body.Resources;
  memberId = (await call("POST", `${s.scim}/Users`, token, { schemas: [USER_SCHEMA], userName: "discovery-member" })).body.id;
});
afterAll(() => s.close());

const schema = (id: string): Schema => schemas.find((x) => x.id === id)!;
const attr = (id: string, name: string): Attr => schema(id).attributes.find((a) => a.name === name)!;
const writable = (a: Attr) => a.mutability !== "readOnly";

describe("/Schemas", () => {
  it("declares canonical values for the type of every writable multi-valued attribute that has one (profile §5.4)", () => {
    const missing: string[] = [];
    for (const sc of schemas) {
      for (const a of sc.attributes) {
        const type = a.subAttributes?.find((x) => x.name === "type");
        if (a.multiValued && writable(a) && type && !(type.canonicalValues && type.canonicalValues.length > 0)) missing.push(`${sc.id}:${a.name}.type`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("advertises no password: orgscim never stores one", () => {
    expect(schema(USER_SCHEMA).attributes.map((a) => a.name)).not.toContain("password");
  });

  it("says Group displayName is unique (it is, without case) and members are users only", () => {
    expect(attr(GROUP, "displayName").uniqueness).toBe("server");
    expect(attr(GROUP, "members").subAttributes!.find((x) => x.name === "type")!.canonicalValues).toEqual(["User"]);
  });

  it("says member and group ids compare exactly (caseExact), as ids do", () => {
    expect(attr(GROUP, "members").subAttributes!.find((x) => x.name === "value")!.caseExact).toBe(true);
    expect(attr(USER_SCHEMA, "groups").subAttributes!.find((x) => x.name === "value")!.caseExact).toBe(true);
  });

  it("states each writable multi-valued attribute's limit in its description", () => {
    for (const name of ["emails", "phoneNumbers", "addresses", "roles", "entitlements", "x509Certificates"]) {
      expect([name, attr(USER_SCHEMA, name).description]).toEqual([name, expect.stringMatching(/orgscim keeps at most \d+ values/)]);
    }
  });

  it("lists every schema a resource type names, and each resource type's id equals its name (profile §5.1)", async () => {
    const types = (await call("GET", `${s.scim}/ResourceTypes`, token)).body.Resources as Array<{ id: string; name: string; schema: string; schemaExtensions: Array<{ schema: string }> }>;
    for (const t of types) {
      expect(t.id).toBe(t.name);
      for (const id of [t.schema, ...t.schemaExtensions.map((e) => e.schema)]) expect(schemas.map((x) => x.id)).toContain(id);
    }
  });
});

/** A body for `type` (User or Group) whose attribute `a` (maybe its sub-attribute `sub`) holds `value`. */
function bodyWith(sc: Schema, a: Attr, sub: Attr | undefined, value: string): { path: string; body: Record<string, unknown> } {
  const isGroup = sc.id.includes(":Group");
  const base: Record<string, unknown> = isGroup
    ? { schemas: [GROUP], displayName: `Canonical ${Math.random()}` }
    : { schemas: [USER_SCHEMA], userName: `canonical${Math.random()}` };
  let v: unknown = value;
  if (sub) {
    const element: Record<string, unknown> = { [sub.name]: value };
    if (a.subAttributes?.some((x) => x.name === "value")) element.value = a.name === "members" ? memberId : "x";
    v = a.multiValued ? [element] : element;
  } else if (a.multiValued) v = [value];
  const core = sc.id === USER_SCHEMA || sc.id === GROUP;
  if (core) base[a.name] = v;
  else {
    base.schemas = [...(base.schemas as string[]), sc.id];
    base[sc.id] = { [a.name]: v };
  }
  return { path: isGroup ? "/Groups" : "/Users", body: base };
}

describe("canonical values are enforced", () => {
  it("refuses a value outside every declared canonical value list with 400 invalidValue, and creates nothing", async () => {
    let checked = 0;
    for (const sc of schemas) {
      for (const a of sc.attributes.filter(writable)) {
        const targets: Array<[Attr | undefined, string[]]> = [];
        if (a.canonicalValues?.length) targets.push([undefined, a.canonicalValues]);
        for (const sub of a.subAttributes ?? []) if (writable(sub) && sub.canonicalValues?.length) targets.push([sub, sub.canonicalValues]);
        for (const [sub] of targets) {
          const { path, body } = bodyWith(sc, a, sub, "not-a-canonical-value");
          const r = await call("POST", `${s.scim}${path}`, token, body);
          expect([`${sc.id}:${a.name}${sub ? `.${sub.name}` : ""}`, r.status, r.body.scimType, r.headers.get("x-orgscim-error-code")])
            .toEqual([`${sc.id}:${a.name}${sub ? `.${sub.name}` : ""}`, 400, "invalidValue", "1015"]);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it("accepts a canonical value in any case and keeps its canonical spelling", async () => {
    const r = await call("POST", `${s.scim}/Users`, token, {
      schemas: [USER_SCHEMA], userName: "canonical-case",
      emails: [{ value: "c@x.test", type: "WORK" }], roles: [{ value: "admin", type: "windowsazureactivedirectoryrole" }],
    });
    expect(r.status).toBe(201);
    expect(r.body.emails[0].type).toBe("work");
    expect(r.body.roles[0].type).toBe("WindowsAzureActiveDirectoryRole");
  });

  it("refuses a Group as a member with a message that says members are users", async () => {
    const g = (await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Nested parent" })).body;
    const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Nested", members: [{ value: g.id, type: "Group" }] });
    expect([r.status, r.body.scimType]).toEqual([400, "invalidValue"]);
    expect(r.body.detail).toContain("'members.type' must be one of User");
  });
});

describe("ServiceProviderConfig", () => {
  it("advertises cursorTimeout as a positive integer (RFC 9865 §4) and the page sizes it applies", async () => {
    const spc = (await call("GET", `${s.scim}/ServiceProviderConfig`, token)).body;
    expect(Number.isInteger(spc.pagination.cursorTimeout) && spc.pagination.cursorTimeout > 0).toBe(true);
    expect(spc.pagination.maxPageSize).toBe(spc.filter.maxResults);
  });
});

describe("ids compare exactly in membership filters", () => {
  it("finds a group by members.value only with the member's id as issued, and a user by groups.value likewise", async () => {
    const g = (await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Exact ids", members: [{ value: memberId }] })).body;
    const groups = async (id: string) => (await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`members.value eq "${id}" and displayName eq "Exact ids"`)}`, token)).body.totalResults;
    const users = async (id: string) => (await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`groups.value eq "${id}"`)}`, token)).body.totalResults;
    expect(await groups(memberId)).toBe(1);
    expect(await groups(memberId.toUpperCase())).toBe(0);
    expect(await users(g.id)).toBe(1);
    expect(await users(g.id.toUpperCase())).toBe(0);
  });
});
