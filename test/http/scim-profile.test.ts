/**
 * Issue 16 item 2: the organization's SCIM profile. Generated from the list of quirks
 * (src/scim/quirks.ts QUIRKS): every quirk has an example request here, accepted (and applied) in an
 * organization whose profile is `compatible`, refused or not applied in one whose profile is
 * `strict`. A quirk added to the list without an example fails to compile (Record<QuirkId, ...>) and
 * fails "every quirk has an example". Real HTTP, real store.
 */
import { QUIRKS, type QuirkId } from "../../src/scim/quirks";
import { v1 } from "../helpers/v1";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, USER_SCHEMA, userBody, type Reply, type TestServer } from "../helpers/server";

const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ADSCIM = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

let s: TestServer;
const tokens: Record<"compatible" | "strict", string> = { compatible: "", strict: "" };

beforeAll(async () => {
  s = await startTestServer();
  tokens.compatible = (await s.newOrg({ domainEnforcement: false })).token;
  tokens.strict = (await s.newOrg({ domainEnforcement: false, scimProfile: "strict" })).token;
});
afterAll(() => s.close());

/** Fresh resources for one example: two users (a, b) and a group g whose members are a and b. */
interface Ctx {
  token: string;
  a: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SCIM JSON
  b: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SCIM JSON
  g: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SCIM JSON
  get(path: string): Promise<Reply>;
  patch(path: string, ...ops: unknown[]): Promise<Reply>;
  post(path: string, body: unknown): Promise<Reply>;
}

const uniq = () => Math.random().toString(36).slice(2, 10);

async function fixture(token: string): Promise<Ctx> {
  const post = (path: string, body: unknown) => call("POST", `${s.scim}${path}`, token, body);
  const a = await post("/Users", userBody(`a-${uniq()}@x.test`, { title: "Before" }));
  const b = await post("/Users", userBody(`b-${uniq()}@x.test`));
  const g = await post("/Groups", { schemas: [GROUP_SCHEMA], displayName: `g-${uniq()}`, members: [{ value: a.body.id }, { value: b.body.id }] });
  expect([a.status, b.status, g.status]).toEqual([201, 201, 201]);
  return {
    token, a: a.body, b: b.body, g: g.body, post,
    get: (path) => call("GET", `${s.scim}${path}`, token),
    patch: (path, ...ops) => call("PATCH", `${s.scim}${path}`, token, { schemas: [PATCH_SCHEMA], Operations: ops }),
  };
}

const memberIds = async (c: Ctx): Promise<string[]> =>
  ((await c.get(`/Groups/${c.g.id}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();

const countUsers = async (c: Ctx, userName: string): Promise<number> =>
  (await c.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults;

function refused(r: Reply, scimType: string): void {
  expect({ status: r.status, scimType: r.body?.scimType }).toEqual({ status: 400, scimType });
  expect(typeof r.body.detail).toBe("string");
}

interface Example {
  /** The request an identity provider sends. */
  act(c: Ctx): Promise<Reply>;
  /** Under compatible: accepted, and what it did. */
  compatible(r: Reply, c: Ctx): Promise<void>;
  /** Under strict: refused (and nothing changed), or read as the RFC says. */
  strict(r: Reply, c: Ctx): Promise<void>;
}

const titleIs = async (c: Ctx, title: string) => expect((await c.get(`/Users/${c.a.id}`)).body.title).toBe(title);

const EXAMPLES: Record<QuirkId, Example> = {
  "string-booleans": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "replace", path: "active", value: "False" }),
    async compatible(r, c) { expect(r.status).toBe(204); expect((await c.get(`/Users/${c.a.id}`)).body.active).toBe(false); },
    async strict(r, c) { refused(r, "invalidValue"); expect((await c.get(`/Users/${c.a.id}`)).body.active).toBe(true); },
  },
  "single-element-array": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "replace", path: "title", value: ["Sales"] }),
    async compatible(r, c) { expect(r.status).toBe(204); await titleIs(c, "Sales"); },
    async strict(r, c) { refused(r, "invalidValue"); await titleIs(c, "Before"); },
  },
  "bare-string-complex": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "replace", path: `${ENTERPRISE}:manager`, value: c.b.id }),
    async compatible(r, c) { expect(r.status).toBe(204); expect((await c.get(`/Users/${c.a.id}`)).body[ENTERPRISE]?.manager?.value).toBe(c.b.id); },
    async strict(r, c) { refused(r, "invalidValue"); expect((await c.get(`/Users/${c.a.id}`)).body[ENTERPRISE]?.manager).toBeUndefined(); },
  },
  "bare-string-elements": {
    async act(c) {
      const extra = await c.post("/Users", userBody(`m-${uniq()}@x.test`));
      c.a.extra = extra.body.id;
      return c.patch(`/Groups/${c.g.id}`, { op: "add", path: "members", value: extra.body.id });
    },
    async compatible(r, c) { expect(r.status).toBe(204); expect(await memberIds(c)).toContain(c.a.extra); },
    async strict(r, c) { refused(r, "invalidValue"); expect(await memberIds(c)).not.toContain(c.a.extra); },
  },
  "capitalized-ops": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "Replace", path: "title", value: "After" }),
    async compatible(r, c) { expect(r.status).toBe(204); await titleIs(c, "After"); },
    async strict(r, c) { refused(r, "invalidSyntax"); expect(r.body.detail).toContain("'replace'"); await titleIs(c, "Before"); },
  },
  "remove-with-value": {
    act: (c) => c.patch(`/Groups/${c.g.id}`, { op: "remove", path: "members", value: [{ value: c.a.id }] }),
    async compatible(r, c) { expect(r.status).toBe(204); expect(await memberIds(c)).toEqual([c.b.id]); },
    async strict(r, c) { refused(r, "invalidSyntax"); expect(await memberIds(c)).toEqual([c.a.id, c.b.id].sort()); },
  },
  "dotted-pathless-keys": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "replace", value: { "name.givenName": "Zed", [`${ENTERPRISE}:department`]: "Ops" } }),
    async compatible(r, c) {
      expect(r.status).toBe(204);
      const u = (await c.get(`/Users/${c.a.id}`)).body;
      expect([u.name.givenName, u[ENTERPRISE]?.department]).toEqual(["Zed", "Ops"]);
    },
    async strict(r, c) { refused(r, "invalidPath"); expect((await c.get(`/Users/${c.a.id}`)).body.name.givenName).toBe("Given"); },
  },
  "echoed-id": {
    act: (c) => c.patch(`/Groups/${c.g.id}`, { op: "replace", value: { id: c.g.id, displayName: `renamed-${c.g.displayName}` } }),
    async compatible(r, c) { expect(r.status).toBe(204); expect((await c.get(`/Groups/${c.g.id}`)).body.displayName).toBe(`renamed-${c.g.displayName}`); },
    async strict(r, c) { refused(r, "mutability"); expect((await c.get(`/Groups/${c.g.id}`)).body.displayName).toBe(c.g.displayName); },
  },
  "role-aliases": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "replace", path: `${ORG_EXT}:orgRole`, value: "admin" }),
    async compatible(r, c) { expect(r.status).toBe(204); expect((await c.get(`/Users/${c.a.id}`)).body[ORG_EXT].orgRole).toBe("administrator"); },
    async strict(r, c) { refused(r, "invalidValue"); expect((await c.get(`/Users/${c.a.id}`)).body[ORG_EXT].orgRole).toBe("standard"); },
  },
  "extra-password": {
    act: (c) => c.post("/Users", userBody(`p-${c.a.id}@x.test`, { password: "Initial-1234" })),
    async compatible(r) { expect(r.status).toBe(201); expect(r.body.password).toBeUndefined(); },
    async strict(r, c) { refused(r, "invalidSyntax"); expect(r.body.detail).toContain("password"); expect(await countUsers(c, `p-${c.a.id}@x.test`)).toBe(0); },
  },
  "extra-adscim-urn": {
    act: (c) => c.post("/Groups", { schemas: [GROUP_SCHEMA, ADSCIM], displayName: `ad-${c.a.id}` }),
    async compatible(r) { expect(r.status).toBe(201); expect(r.body.schemas.map((u: string) => u.toLowerCase())).not.toContain(ADSCIM.toLowerCase()); },
    async strict(r, c) {
      refused(r, "invalidSyntax");
      const found = await c.get(`/Groups?filter=${encodeURIComponent(`displayName eq "ad-${c.a.id}"`)}`);
      expect(found.body.totalResults).toBe(0);
    },
  },
  "complex-replace-merges": {
    act: (c) => c.patch(`/Users/${c.a.id}`, { op: "replace", path: "name", value: { givenName: "New" } }),
    async compatible(r, c) { expect(r.status).toBe(204); expect((await c.get(`/Users/${c.a.id}`)).body.name).toMatchObject({ givenName: "New", familyName: "Family" }); },
    async strict(r, c) {
      expect(r.status).toBe(204);
      const name = (await c.get(`/Users/${c.a.id}`)).body.name;
      expect(name.givenName).toBe("New");
      expect(name.familyName).toBeUndefined();
    },
  },
};

describe("the SCIM profile: every identity-provider quirk, both ways", () => {
  it("has an example for every quirk in src/scim/quirks.ts, and no example without a quirk", () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(QUIRKS.map((q) => q.id).sort());
  });

  it.each(QUIRKS.map((q) => [q.id, q.idp] as const))("compatible accepts %s (%s)", async (id) => {
    const c = await fixture(tokens.compatible);
    const ex = EXAMPLES[id];
    await ex.compatible(await ex.act(c), c);
  });

  it.each(QUIRKS.map((q) => [q.id, q.rfc] as const))("strict does not grant %s: %s", async (id) => {
    const c = await fixture(tokens.strict);
    const ex = EXAMPLES[id];
    await ex.strict(await ex.act(c), c);
  });
});

describe("strict reads what RFC 7643/7644 allow", () => {
  it("accepts a path-less replace of attribute names and an extension object, lower-case ops, a filtered remove", async () => {
    const c = await fixture(tokens.strict);
    const r = await c.patch(`/Users/${c.a.id}`,
      { op: "replace", value: { title: "Lead", name: { givenName: "G2", familyName: "F2" }, [ENTERPRISE]: { department: "Ops" } } },
      { op: "add", path: "emails", value: [{ value: `second-${uniq()}@x.test`, type: "home" }] });
    expect(r.status).toBe(204);
    const u = (await c.get(`/Users/${c.a.id}`)).body;
    expect([u.title, u.name.givenName, u.name.familyName, u[ENTERPRISE].department, u.emails.length]).toEqual(["Lead", "G2", "F2", "Ops", 2]);
    const m = await c.patch(`/Groups/${c.g.id}`, { op: "remove", path: `members[value eq "${c.a.id}"]` });
    expect(m.status).toBe(204);
    expect(await memberIds(c)).toEqual([c.b.id]);
  });

  it("replaces an extension whole on replace with the extension's URN as path", async () => {
    const c = await fixture(tokens.strict);
    expect((await c.patch(`/Users/${c.a.id}`, { op: "add", path: ENTERPRISE, value: { department: "Ops", costCenter: "C1" } })).status).toBe(204);
    expect((await c.patch(`/Users/${c.a.id}`, { op: "replace", path: ENTERPRISE, value: { department: "Sales" } })).status).toBe(204);
    expect((await c.get(`/Users/${c.a.id}`)).body[ENTERPRISE]).toEqual({ department: "Sales" });
    const k = await fixture(tokens.compatible);
    expect((await k.patch(`/Users/${k.a.id}`, { op: "add", path: ENTERPRISE, value: { department: "Ops", costCenter: "C1" } })).status).toBe(204);
    expect((await k.patch(`/Users/${k.a.id}`, { op: "replace", path: ENTERPRISE, value: { department: "Sales" } })).status).toBe(204);
    expect((await k.get(`/Users/${k.a.id}`)).body[ENTERPRISE]).toEqual({ department: "Sales", costCenter: "C1" });
  });

  it("refuses a quirk inside /Bulk as it refuses it alone, and applies nothing of that operation", async () => {
    const c = await fixture(tokens.strict);
    const r = await call("POST", `${s.scim}/Bulk`, c.token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [
        { method: "PATCH", path: `/Users/${c.a.id}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "title", value: "Bulk" }] } },
        { method: "POST", bulkId: "p", path: "/Users", data: userBody(`bulk-${c.a.id}@x.test`, { password: "x" }) },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(["400", "400"]);
    await titleIs(c, "Before");
    expect(await countUsers(c, `bulk-${c.a.id}@x.test`)).toBe(0);
  });

  it("refuses a remove with a value on any path", async () => {
    const c = await fixture(tokens.strict);
    refused(await c.patch(`/Users/${c.a.id}`, { op: "remove", path: "title", value: "Before" }), "invalidSyntax");
    await titleIs(c, "Before");
  });
});

describe("ServiceProviderConfig says which profile the organization is in", () => {
  it.each([["strict", true], ["compatible", false]] as const)("%s: interopProfileConformant %s", async (profile, conformant) => {
    const r = await call("GET", `${s.scim}/ServiceProviderConfig`, tokens[profile]);
    expect(r.status).toBe(200);
    expect(r.body.interopProfileConformant).toBe(conformant);
  });

  it("follows the organization's setting as /v1/Organization changes it, and an IdP's scim-only token cannot change it", async () => {
    const { org, token } = await s.newOrg({ domainEnforcement: false });
    const scimOnly = await s.newOrg({ domainEnforcement: false }, ["scim"]);
    const spc = async () => (await call("GET", `${s.scim}/ServiceProviderConfig`, token)).body.interopProfileConformant;
    expect(await spc()).toBe(false);
    const set = await v1("POST", `${s.url}/v1/Organization`, token, { scim_profile: "strict" });
    expect([set.status, set.body.scim_profile, set.body.sid]).toEqual([200, "strict", org.id]);
    expect(await spc()).toBe(true);
    refused(await call("PATCH", `${s.scim}/Users/${org.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "title", value: "x" }] }), "invalidSyntax");
    expect((await v1("POST", `${s.url}/v1/Organization`, token, { scim_profile: "lenient" })).status).toBe(400);
    expect((await v1("POST", `${s.url}/v1/Organization`, scimOnly.token, { scim_profile: "strict" })).status).toBe(403);
    expect((await call("GET", `${s.scim}/ServiceProviderConfig`, scimOnly.token)).body.interopProfileConformant).toBe(false);
  });

});

it("reads USER_SCHEMA requests in both profiles the same when they carry no quirk", async () => {
  for (const token of [tokens.compatible, tokens.strict]) {
    const r = await call("POST", `${s.scim}/Users`, token, userBody(`plain-${uniq()}@x.test`, { schemas: [USER_SCHEMA] }));
    expect(r.status).toBe(201);
  }
});
