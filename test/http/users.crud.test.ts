/** /scim/v2/Users over real HTTP: CRUD, media types, ETags, errors (RFC 7644 §3). */
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

let s: TestServer;
let token: string;
let orgId: string;

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: false });
  token = o.token;
  orgId = o.org.id;
});
afterAll(() => s.close());

const users = () => `${s.scim}/Users`;

describe("POST /Users", () => {
  it("answers 201 with Location, ETag, meta and application/scim+json", async () => {
    const r = await call("POST", users(), token, userBody("create1@acme.test", { externalId: "ext-create1" }));
    expect(r.status).toBe(201);
    expect(r.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(r.headers.get("location")).toBe(`${users()}/${r.body.id}`);
    expect(r.headers.get("etag")).toBe(r.body.meta.version);
    expect(r.body.meta).toMatchObject({ resourceType: "User", location: `${users()}/${r.body.id}` });
    expect(r.body.id).toMatch(/^US[0-9a-f]{32}$/);
    expect(r.body[ORG_EXT]).toMatchObject({ orgRole: "standard", status: "managed" });
  });

  it("accepts application/json bodies", async () => {
    const r = await call("POST", users(), token, userBody("json1@acme.test"), { "content-type": "application/json" });
    expect(r.status).toBe(201);
  });

  it("answers 409 uniqueness when userName differs only in case", async () => {
    expect((await call("POST", users(), token, userBody("Alice@Acme.test"))).status).toBe(201);
    const r = await call("POST", users(), token, userBody("ALICE@ACME.TEST"));
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "409", scimType: "uniqueness", detail: expect.stringContaining("already in use") });
    expect(r.headers.get("x-orgscim-error-code")).toBe("4002");
    expect(r.body.detail).toMatch(/already in use/);
  });

  it("finds by filter, beyond ASCII case, the userName that uniqueness refuses (an IdP's lookup before its create)", async () => {
    const created = await call("POST", users(), token, userBody("zoë.ødegaard@acme.test"));
    expect(created.status).toBe(201);
    expect((await call("POST", users(), token, userBody("ZOË.ØDEGAARD@ACME.TEST"))).status).toBe(409);
    for (const filter of ['userName eq "ZOË.ØDEGAARD@ACME.TEST"', 'emails.value eq "ZOË.ØDEGAARD@ACME.TEST"', 'userName sw "ZOË.Ø"']) {
      const r = await call("GET", `${users()}?filter=${encodeURIComponent(filter)}`, token);
      expect({ filter, ids: r.body.Resources?.map((u: { id: string }) => u.id) }).toEqual({ filter, ids: [created.body.id] });
    }
  });

  it("answers 400 invalidValue without userName", async () => {
    const body = userBody("x@acme.test");
    delete body.userName;
    const r = await call("POST", users(), token, body);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
  });

  it("answers 400 invalidSyntax for a body that is not JSON", async () => {
    const r = await call("POST", users(), token, '{"userName": tre}');
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidSyntax");
    expect(r.headers.get("x-orgscim-error-code")).toBe("1001");
  });

  it("ignores readOnly id, meta and groups sent on create", async () => {
    const r = await call("POST", users(), token, userBody("ro@acme.test", { id: "US" + "0".repeat(32), meta: { created: "1999-01-01T00:00:00Z" }, groups: [{ value: "x" }] }));
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe("US" + "0".repeat(32));
    expect(r.body.meta.created).not.toBe("1999-01-01T00:00:00Z");
    expect(r.body.groups.map((g: { value: string }) => g.value)).not.toContain("x");
  });

  it("never returns or stores the password", async () => {
    const r = await call("POST", users(), token, userBody("pw@acme.test", { password: "Sup3r-Secret!" }));
    expect(r.status).toBe(201);
    expect(r.text).not.toContain("Sup3r-Secret!");
    const row = (await s.running.store.users.get(orgId, r.body.id))!;
    expect(JSON.stringify(row)).not.toContain("Sup3r-Secret!");
  });

  it("takes the string booleans Entra sends (\"active\": \"True\")", async () => {
    const r = await call("POST", users(), token, userBody("strbool@acme.test", { active: "True" }));
    expect(r.status).toBe(201);
    expect(r.body.active).toBe(true);
  });

  it("makes the first email primary when none is marked, and refuses two primaries", async () => {
    const one = await call("POST", users(), token, userBody("prim@acme.test", { emails: [{ value: "prim@acme.test" }, { value: "other@acme.test" }] }));
    expect(one.body.emails[0].primary).toBe(true);
    const two = await call("POST", users(), token, userBody("prim2@acme.test", { emails: [{ value: "a@acme.test", primary: true }, { value: "b@acme.test", primary: true }] }));
    expect(two.status).toBe(400);
    expect(two.body.detail).toMatch(/exactly one primary email/);
  });

  it("refuses a schemas list without the core User schema", async () => {
    const r = await call("POST", users(), token, userBody("schemas@acme.test", { schemas: ["urn:x"] }));
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidSyntax");
  });

  it("answers 415 for a body of another media type", async () => {
    const r = await call("POST", users(), token, "userName=x", { "content-type": "text/plain" });
    expect(r.status).toBe(415);
    expect(r.body.detail).toMatch(/Content-Type/);
  });
});

describe("GET /Users/{id}", () => {
  it("answers 404 with a SCIM error for an unknown id", async () => {
    const r = await call("GET", `${users()}/US${"f".repeat(32)}`, token);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ status: "404", schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"] });
  });

  it("answers 304 to If-None-Match with the current ETag when the answer leaves out its groups and its effective orgRole (they change without it: security case 64)", async () => {
    const c = await call("POST", users(), token, userBody("etag@acme.test"));
    const r = await call("GET", `${users()}/${c.body.id}?attributes=userName,emails`, token, undefined, { "if-none-match": c.headers.get("etag")! });
    expect(r.status).toBe(304);
    const full = await call("GET", `${users()}/${c.body.id}`, token, undefined, { "if-none-match": c.headers.get("etag")! });
    expect([full.status, full.headers.get("etag")]).toEqual([200, c.headers.get("etag")]);
  });

  it("returns only the requested attributes, plus id and schemas", async () => {
    const c = await call("POST", users(), token, userBody("attrs@acme.test"));
    const r = await call("GET", `${users()}/${c.body.id}?attributes=userName`, token);
    expect(Object.keys(r.body).sort()).toEqual(["id", "schemas", "userName"]);
  });

  it("drops excludedAttributes", async () => {
    const c = await call("POST", users(), token, userBody("excl@acme.test"));
    const r = await call("GET", `${users()}/${c.body.id}?excludedAttributes=emails,name`, token);
    expect(r.body.emails).toBeUndefined();
    expect(r.body.name).toBeUndefined();
    expect(r.body.userName).toBe("excl@acme.test");
  });
});

describe("PUT /Users/{id}", () => {
  it("replaces the resource and changes the version", async () => {
    const c = await call("POST", users(), token, userBody("put@acme.test", { displayName: "Before" }));
    const r = await call("PUT", `${users()}/${c.body.id}`, token, userBody("put@acme.test", { displayName: "After", id: c.body.id, meta: c.body.meta }));
    expect(r.status).toBe(200);
    expect(r.body.displayName).toBe("After");
    expect(r.body.meta.version).not.toBe(c.body.meta.version);
    expect(r.headers.get("etag")).toBe(r.body.meta.version);
  });

  it("answers 412 when If-Match does not match, and changes nothing", async () => {
    const c = await call("POST", users(), token, userBody("ifmatch@acme.test", { displayName: "Kept" }));
    const r = await call("PUT", `${users()}/${c.body.id}`, token, userBody("ifmatch@acme.test", { displayName: "Lost" }), { "if-match": 'W/"999"' });
    expect(r.status).toBe(412);
    expect(r.body.scimType).toBe("invalidVers");
    expect((await call("GET", `${users()}/${c.body.id}`, token)).body.displayName).toBe("Kept");
  });

  it("applies with a matching If-Match", async () => {
    const c = await call("POST", users(), token, userBody("ifmatch2@acme.test"));
    const r = await call("PUT", `${users()}/${c.body.id}`, token, userBody("ifmatch2@acme.test", { displayName: "New" }), { "if-match": c.headers.get("etag")! });
    expect(r.status).toBe(200);
  });

  it("answers 400 when userName is missing (Microsoft's 'Put a user no username')", async () => {
    const c = await call("POST", users(), token, userBody("putnoname@acme.test"));
    const body = userBody("x");
    delete body.userName;
    expect((await call("PUT", `${users()}/${c.body.id}`, token, body)).status).toBe(400);
  });
});

describe("PATCH /Users/{id}", () => {
  it("answers 204 with an ETag, and 200 with the resource when attributes are asked for", async () => {
    const c = await call("POST", users(), token, userBody("patch@acme.test"));
    const r = await call("PATCH", `${users()}/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "P" }] });
    expect(r.status).toBe(204);
    expect(r.headers.get("etag")).toBe('W/"2"');
    const r2 = await call("PATCH", `${users()}/${c.body.id}?attributes=displayName`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Q" }] });
    expect(r2.status).toBe(200);
    expect(r2.body.displayName).toBe("Q");
  });

  it("deactivates with Entra's {\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}", async () => {
    const c = await call("POST", users(), token, userBody("entra-off@acme.test"));
    const r = await call("PATCH", `${users()}/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(r.status).toBe(204);
    const g = await call("GET", `${users()}/${c.body.id}`, token);
    expect(g.status).toBe(200);
    expect(g.body.active).toBe(false);
  });

  it("deactivates with Okta's path-less {\"op\":\"replace\",\"value\":{\"active\":false}}", async () => {
    const c = await call("POST", users(), token, userBody("okta-off@acme.test"));
    await call("PATCH", `${users()}/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { active: false } }] });
    expect((await call("GET", `${users()}/${c.body.id}`, token)).body.active).toBe(false);
  });

  it("applies no operation when the last of three is invalid", async () => {
    const c = await call("POST", users(), token, userBody("atomic@acme.test", { displayName: "Same" }));
    const r = await call("PATCH", `${users()}/${c.body.id}`, token, {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: "replace", path: "displayName", value: "Changed" },
        { op: "replace", path: "title", value: "T" },
        { op: "replace", path: "id", value: "US" + "1".repeat(32) },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("mutability");
    const g = await call("GET", `${users()}/${c.body.id}`, token);
    expect(g.body.displayName).toBe("Same");
    expect(g.body.title).toBeUndefined();
    expect(g.body.meta.version).toBe(c.body.meta.version);
  });

  it("answers 409 uniqueness when a rename collides", async () => {
    await call("POST", users(), token, userBody("taken@acme.test"));
    const c = await call("POST", users(), token, userBody("renamer@acme.test"));
    const r = await call("PATCH", `${users()}/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "userName", value: "TAKEN@acme.test" }] });
    expect(r.status).toBe(409);
  });

  it("loses no update when 20 PATCHes race on one user", async () => {
    const c = await call("POST", users(), token, userBody("race@acme.test"));
    await Promise.all(Array.from({ length: 20 }, (_, i) => call("PATCH", `${users()}/${c.body.id}`, token, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "phoneNumbers", value: [{ value: `+1555000${String(i).padStart(4, "0")}`, type: "work" }] }],
    })));
    const g = await call("GET", `${users()}/${c.body.id}`, token);
    expect(g.body.phoneNumbers).toHaveLength(20);
    expect(g.body.meta.version).toBe('W/"21"');
  });
});

describe("DELETE /Users/{id}", () => {
  it("removes the user from the organization: 204, then GET answers 404", async () => {
    const c = await call("POST", users(), token, userBody("gone@acme.test"));
    expect((await call("DELETE", `${users()}/${c.body.id}`, token)).status).toBe(204);
    expect((await call("GET", `${users()}/${c.body.id}`, token)).status).toBe(404);
    expect((await call("DELETE", `${users()}/${c.body.id}`, token)).status).toBe(404);
  });
});
