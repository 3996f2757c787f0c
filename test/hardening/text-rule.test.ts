/**
 * One rule for identifiers and names (src/domain/text.ts): NFC, and no control, zero-width or
 * bidirectional-control character, with a 400 naming the character (U+XXXX), the attribute and
 * the position. The cases are generated: every refused character × every kind of text; then every
 * door (SCIM POST/PUT/PATCH, /Bulk, /v1, invitations, CSV import) × every attribute.
 */
import { importCsvRows, readCsv } from "../../src/cli/csv";
import { systemClock } from "../../src/domain/clock";
import { DomainError } from "../../src/domain/errors";
import { cleanText } from "../../src/domain/text";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

/** Characters refused in every kind of text, with what the message must call them. */
const REFUSED: Array<[string, string]> = [
  ["\u0000", "U+0000 (NULL)"], ["\u0007", "U+0007 (BELL)"], ["\u001b", "U+001B (ESCAPE)"], ["\u007f", "U+007F (DELETE)"],
  ["\u009b", "U+009B (CONTROL SEQUENCE INTRODUCER)"], ["\u0085", "U+0085 (NEXT LINE)"], ["\t", "U+0009"], ["\n", "U+000A"],
  ["\u200b", "U+200B (ZERO WIDTH SPACE)"], ["\u2060", "U+2060 (WORD JOINER)"], ["\ufeff", "U+FEFF"], ["\u00ad", "U+00AD (SOFT HYPHEN)"],
  ["\u200e", "U+200E (LEFT-TO-RIGHT MARK)"], ["\u200f", "U+200F (RIGHT-TO-LEFT MARK)"], ["\u061c", "U+061C (ARABIC LETTER MARK)"],
  ["\u202a", "U+202A"], ["\u202b", "U+202B"], ["\u202c", "U+202C"], ["\u202d", "U+202D (LEFT-TO-RIGHT OVERRIDE)"], ["\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"],
  ["\u2066", "U+2066"], ["\u2067", "U+2067"], ["\u2068", "U+2068"], ["\u2069", "U+2069 (POP DIRECTIONAL ISOLATE)"],
  ["\u2028", "U+2028 (LINE SEPARATOR)"], ["\u2029", "U+2029 (PARAGRAPH SEPARATOR)"], ["\u3164", "U+3164 (HANGUL FILLER)"],
  ["\u{e0041}", "U+E0041"], ["\ud800", "U+D800"], ["\u180e", "U+180E"],
];

const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
};

describe("the rule (src/domain/text.ts)", () => {
  it.each(REFUSED)("refuses %j in an identifier and in a name, naming it, the field and the position", (ch, named) => {
    for (const kind of ["identifier", "name"] as const) {
      const e = refusal(() => cleanText("userName", `adm${ch}in@a-corp.com`, kind));
      expect(e.code).toBe(1020);
      expect(e.kind).toBe("invalidValue");
      expect(e.message).toContain(named);
      expect(e.message).toMatch(/^userName holds U\+[0-9A-F]{4,5} .* at character 4:/);
    }
  });

  it("normalises to NFC: a decomposed name becomes the composed one", () => {
    expect(cleanText("displayName", "Rene\u0301e", "name")).toBe("Ren\u00e9e");
    expect(cleanText("userName", "jose\u0301@acme.test", "identifier")).toBe("jos\u00e9@acme.test");
  });

  it("keeps what writing systems and emoji need in names: joiners between letters or pictographs, variation selectors", () => {
    for (const name of ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0915\u094d\u200d\u0937", "\u{1f469}\u200d\u{1f4bb} Ada", "\u2764\ufe0f Bo"]) {
      expect(cleanText("displayName", name, "name")).toBe(name.normalize("NFC"));
    }
  });

  it("refuses a joiner in an identifier, and in a name where it joins nothing", () => {
    expect(refusal(() => cleanText("userName", "a\u200db@acme.test", "identifier")).message).toContain("U+200D (ZERO WIDTH JOINER)");
    expect(refusal(() => cleanText("displayName", "\u200cAda", "name")).message).toContain("at character 1");
    expect(refusal(() => cleanText("displayName", "Ada \u200d Lovelace", "name")).message).toContain("U+200D");
    expect(refusal(() => cleanText("displayName", "Ada\u200c", "name")).message).toContain("at character 4");
  });

  it("accepts ordinary text in any script unchanged", () => {
    for (const t of ["ada@acme.test", "Zoë Ångström", "李小龙", "Œdipe O'Brien-Smith", "Ørsted Þór"]) {
      expect(cleanText("x", t, "name")).toBe(t);
    }
  });
});

// ---------- every door ----------

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

let n = 0;
const fresh = () => `u${++n}-${Date.now().toString(36)}@acme.test`;
const ZWSP = "\u200b";
const RLO = "\u202e";

/** A user attribute, where the text goes in a SCIM user body, and what the error must name. */
const USER_FIELDS: Array<{ field: string; put(body: Record<string, unknown>, bad: string): void }> = [
  { field: "userName", put: (b, bad) => { b.userName = `ad${bad}min@a-corp.com`; } },
  { field: "emails[0].value", put: (b, bad) => { b.emails = [{ value: `ad${bad}min@a-corp.com`, type: "work", primary: true }]; } },
  { field: "displayName", put: (b, bad) => { b.displayName = `Ada ${bad}Lovelace`; } },
  { field: "name.givenName", put: (b, bad) => { b.name = { givenName: `A${bad}da`, familyName: "L" }; } },
  { field: "name.familyName", put: (b, bad) => { b.name = { givenName: "Ada", familyName: `Love${bad}lace` }; } },
  { field: "name.formatted", put: (b, bad) => { b.name = { formatted: `Ada${bad}` }; } },
];

const expectRefusal = (r: { status: number; body: Record<string, unknown> }, field: string, character: string) => {
  expect(r.status).toBe(400);
  const text = String(r.body.detail ?? r.body.message);
  expect(text).toContain(`${field} holds ${character}`);
  expect(text).toMatch(/at character \d+/);
};

describe("every SCIM door refuses the characters in every user attribute, and stores nothing", () => {
  const cases = USER_FIELDS.flatMap((f) => [[f.field, ZWSP, "U+200B"], [f.field, RLO, "U+202E"], [f.field, "\u001b", "U+001B"]] as const);

  it.each(cases)("POST /Users with %s holding %j", async (field, bad, code) => {
    const body = userBody(fresh());
    USER_FIELDS.find((f) => f.field === field)!.put(body, bad);
    const before = (await s.running.store.users.list(orgId, { startIndex: 1, count: 1 })).total;
    const r = await call("POST", `${s.scim}/Users`, token, body);
    expectRefusal(r, field, code);
    expect(r.body.scimType).toBe("invalidValue");
    expect((await s.running.store.users.list(orgId, { startIndex: 1, count: 1 })).total).toBe(before);
  });

  it.each(cases)("PUT /Users/{id} with %s holding %j", async (field, bad, code) => {
    const userName = fresh();
    const id = (await call("POST", `${s.scim}/Users`, token, userBody(userName))).body.id as string;
    const body = userBody(userName);
    USER_FIELDS.find((f) => f.field === field)!.put(body, bad);
    expectRefusal(await call("PUT", `${s.scim}/Users/${id}`, token, body), field, code);
    expect((await call("GET", `${s.scim}/Users/${id}`, token)).body.userName).toBe(userName);
  });

  it.each(cases)("/Bulk POST with %s holding %j answers that operation 400", async (field, bad, code) => {
    const body = userBody(fresh());
    USER_FIELDS.find((f) => f.field === field)!.put(body, bad);
    const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [{ method: "POST", path: "/Users", bulkId: "b1", data: body }] });
    expect(r.status).toBe(200);
    const op = r.body.Operations[0];
    expect(op.status).toBe("400");
    expectRefusal({ status: 400, body: op.response }, field, code);
  });

  it("PATCH replacing userName, displayName or an email with a look-alike", async () => {
    const id = (await call("POST", `${s.scim}/Users`, token, userBody(fresh()))).body.id as string;
    const patch = (ops: unknown[]) => call("PATCH", `${s.scim}/Users/${id}`, token, { schemas: [PATCH_SCHEMA], Operations: ops });
    expectRefusal(await patch([{ op: "replace", path: "userName", value: `admin${ZWSP}@a-corp.com` }]), "userName", "U+200B");
    expectRefusal(await patch([{ op: "replace", path: "displayName", value: `x${RLO}gpj.exe` }]), "displayName", "U+202E");
    expectRefusal(await patch([{ op: "add", path: "emails", value: [{ value: `a${ZWSP}@acme.test`, type: "home" }] }]), "emails[1].value", "U+200B");
    expectRefusal(await patch([{ op: "replace", path: "name.givenName", value: "A\u0000" }]), "name.givenName", "U+0000");
  });

  it("groups: POST, PUT and PATCH of displayName", async () => {
    expectRefusal(await call("POST", `${s.scim}/Groups`, token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `Ad${ZWSP}mins` }), "displayName", "U+200B");
    const g = await call("POST", `${s.scim}/Groups`, token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `Team ${n++}` });
    expect(g.status).toBe(201);
    expectRefusal(await call("PUT", `${s.scim}/Groups/${g.body.id}`, token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `Team${RLO}` }), "displayName", "U+202E");
    expectRefusal(await call("PATCH", `${s.scim}/Groups/${g.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "T\u001b[31m" }] }), "displayName", "U+001B");
  });
});

describe("the rule on the other doors", () => {
  it("/v1 POST /Users/{sid}: display_name, given_name, family_name", async () => {
    const id = (await call("POST", `${s.scim}/Users`, token, userBody(fresh()))).body.id as string;
    const v1 = (body: unknown) => call("POST", `${s.url}/v1/Users/${id}`, token, body, { "content-type": "application/json" });
    expectRefusal(await v1({ display_name: `Ada${ZWSP}` }), "displayName", "U+200B");
    expectRefusal(await v1({ given_name: `A${RLO}` }), "name.givenName", "U+202E");
    expectRefusal(await v1({ family_name: "L\u0085" }), "name.familyName", "U+0085");
    expect((await v1({ display_name: "Rene\u0301e" })).body.display_name).toBe("Ren\u00e9e");
  });

  it("/v1 invitations: the email", async () => {
    const r = await call("POST", `${s.url}/v1/Invitations`, token, { email: `admin${ZWSP}@a-corp.com`, org_role: "standard" }, { "content-type": "application/json" });
    expectRefusal(r, "email", "U+200B");
    expect(r.body.code).toBe(1020);
  });

  it("CSV import: the row fails with the same message, naming its line", async () => {
    const org = (await s.running.store.orgs.get(orgId))!;
    const { paths, rows } = readCsv(`userName,givenName\nok-${n++}@acme.test,Ada\nbad${ZWSP}@acme.test,Bo\nfine-${n++}@acme.test,Cy${RLO}`);
    const results = await importCsvRows({ store: s.running.store, clock: systemClock }, org, paths, rows, { dryRun: false });
    expect(results.map((r) => r.outcome)).toEqual(["create", "failed", "failed"]);
    expect(results[1]!.detail).toContain("userName holds U+200B (ZERO WIDTH SPACE) at character 4");
    expect(results[2]!.detail).toContain("name.givenName holds U+202E (RIGHT-TO-LEFT OVERRIDE) at character 3");
  });
});

describe("NFC makes one identity of the two spellings", () => {
  it("stores the composed form, finds it by either spelling, and answers 409 to the other spelling", async () => {
    const decomposed = `jose\u0301-${n++}@acme.test`;
    const composed = decomposed.normalize("NFC");
    const created = await call("POST", `${s.scim}/Users`, token, userBody(decomposed, { displayName: "Jose\u0301" }));
    expect(created.status).toBe(201);
    expect(created.body.userName).toBe(composed);
    expect(created.body.displayName).toBe("Jos\u00e9");
    const again = await call("POST", `${s.scim}/Users`, token, userBody(composed));
    expect(again.status).toBe(409);
  });

  it("leaves a value stored before the rule alone: a user holding one can still be deactivated", async () => {
    const id = (await call("POST", `${s.scim}/Users`, token, userBody(fresh()))).body.id as string;
    const u = (await s.running.store.users.get(orgId, id))!;
    const legacy = `legacy${ZWSP}-${n++}@acme.test`;
    await s.running.store.users.update({ ...u, userName: legacy, data: { ...u.data, userName: legacy }, version: u.version + 1 }, u.version);
    const r = await call("PATCH", `${s.scim}/Users/${id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    expect(r.status).toBeLessThan(300);
    expect((await s.running.store.users.get(orgId, id))!.active).toBe(false);
  });
});
