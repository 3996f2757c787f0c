/**
 * A lookup finds what a create would collide with, however the value is spelt (docs/security.md
 * case 70). Identity providers look a user up before they create one (Okta and Entra:
 * GET /Users?filter=userName eq "..."), and match groups by displayName. Writes keep userName,
 * emails, displayName and the name parts in Unicode NFC (src/domain/text.ts cleanText), and
 * uniqueness compares them so (case 65: one userName in NFC and NFD is one user). A lookup that
 * compared the value as sent would answer "no such user" for `Zoe` + U+0308 while the create
 * answers 409 for it: the provider can neither find nor make the user, and provisioning of that
 * person stops.
 *
 * Also the SCIM lookups themselves, while issue 18 dispatches them ever more directly: each of
 * ~30 spellings (case of the attribute, operator and value; escapes; spaces; parentheses; the
 * full URN; and/or; emails value filters; paging and projection parameters, repeated and
 * misspelt parameters) answers by GET the users it names, exactly as POST /Users/.search does,
 * and never another organization's user that matches it.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const NFD = (s: string) => s.normalize("NFD");

let s: TestServer;
let mine = "";
let theirs = "";
const ids: Record<string, string> = {};
const named = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? `another organization's ${id}`;

beforeAll(async () => {
  s = await startTestServer();
  mine = (await s.newOrg({ domainEnforcement: false })).token;
  theirs = (await s.newOrg({ domainEnforcement: false })).token;
  const make = async (token: string, key: string, userName: string, over: Record<string, unknown> = {}) => {
    const r = await call("POST", `${s.scim}/Users`, token, userBody(userName, over));
    if (r.status !== 201) throw new Error(`${key}: ${r.status} ${JSON.stringify(r.body)}`);
    ids[key] = r.body.id as string;
  };
  await make(mine, "alice", "Alice.Smith@acme.test", { externalId: "EXT-alice", emails: [{ value: "Alice.Smith@acme.test", type: "work", primary: true }, { value: "alice@home.test", type: "home" }] });
  await make(mine, "bob", "bob@acme.test", { externalId: "ext-bob" });
  await make(mine, "carol", "carol@acme.test", { active: false });
  await make(mine, "quote", 'q"uote@acme.test');
  await make(mine, "backslash", "back\\slash@acme.test");
  await make(mine, "zoe", "Zo\u00eb@acme.test", { displayName: "Zo\u00eb Kr\u00e4mer", emails: [{ value: "Zo\u00eb@acme.test", type: "work", primary: true }] });
  // Another organization's users spelt as mine: never an answer to my lookups.
  await make(theirs, "theirs", "alice.smith@acme.test", { externalId: "EXT-alice" });
  await make(theirs, "theirZoe", "zo\u00eb@acme.test");
});
afterAll(() => s.close());

const names = (r: Reply): string[] | string =>
  r.status !== 200 ? `${r.status} ${String(r.body.scimType ?? "")}` : ((r.body.Resources ?? []) as Array<{ id: string }>).map((u) => named(u.id)).sort();
const byGet = (filter: string, token = mine) => call("GET", `${s.scim}/Users?filter=${encodeURIComponent(filter)}`, token);
const bySearch = (filter: string, token = mine) => call("POST", `${s.scim}/Users/.search`, token, { schemas: [SEARCH], filter });

describe("a lookup's spellings", () => {
  const cases: Array<[string, string[] | string]> = [
    ['userName eq "Alice.Smith@acme.test"', ["alice"]],
    ['userName eq "alice.smith@ACME.TEST"', ["alice"]],
    ['USERNAME Eq "alice.smith@acme.test"', ["alice"]],
    ['userName eq "\\u0061lice.smith@acme.test"', ["alice"]],
    [' userName eq "bob@acme.test" ', ["bob"]],
    ['userName  eq  "bob@acme.test"\t', ["bob"]],
    ['(userName eq "bob@acme.test")', ["bob"]],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@acme.test"', ["bob"]],
    ['userName eq "bob@acme.test" or userName eq "carol@acme.test"', ["bob", "carol"]],
    ['userName eq "carol@acme.test" and active eq true', []],
    ['userName eq "bob@acme.test\\" or userName pr \\""', []],
    ['userName eq "q\\"uote@acme.test"', ["quote"]],
    ['userName eq "back\\\\slash@acme.test"', ["backslash"]],
    ['userName eq "back\\slash@acme.test"', "400 invalidFilter"],
    ["userName eq 'bob@acme.test'", []],
    ['externalId eq "EXT-alice"', ["alice"]],
    ['externalId eq "ext-alice"', []],
    ['externalId eq "EXT-alice" and userName eq "bob@acme.test"', []],
    ['emails[type eq "work" and value eq "alice.smith@acme.test"]', ["alice"]],
    ['emails[value eq "bob@acme.test" and type eq "WORK"]', ["bob"]],
    ['emails[type eq "home" and value eq "Alice.Smith@acme.test"]', []],
    ['emails.value eq "alice@home.test"', ["alice"]],
    ['emails[value eq "ALICE@HOME.TEST"]', ["alice"]],
    ['userName eq "nobody@acme.test"', []],
    ['userName ne "bob@acme.test"', ["alice", "backslash", "carol", "quote", "zoe"]],
    ['userName eq "ZO\u00cb@acme.test"', ["zoe"]],
  ];
  it.each(cases)("%s answers by GET what it names, as .search does", async (filter, want) => {
    const [get, search] = await Promise.all([byGet(filter), bySearch(filter)]);
    expect({ get: names(get), search: names(search) }).toEqual({ get: want, search: want });
    if (get.status === 200) expect(get.body.totalResults).toBe((want as string[]).length);
  });

  it("honours paging and projection at a lookup, and refuses repeated or unknown parameters", async () => {
    const q = `filter=${encodeURIComponent('userName eq "bob@acme.test"')}`;
    const get = (query: string) => call("GET", `${s.scim}/Users?${query}`, mine);
    const none = await get(`${q}&count=0`);
    expect({ status: none.status, total: none.body.totalResults, items: none.body.Resources }).toEqual({ status: 200, total: 1, items: [] });
    const past = await get(`${q}&startIndex=2`);
    expect({ status: past.status, total: past.body.totalResults, items: past.body.Resources, startIndex: past.body.startIndex }).toEqual({ status: 200, total: 1, items: [], startIndex: 2 });
    const projected = await get(`${q}&attributes=userName`);
    expect(Object.keys((projected.body.Resources as object[])[0]!).sort()).toEqual(["id", "schemas", "userName"]);
    const plus = await get('filter=userName+eq+"bob@acme.test"');
    expect(names(plus)).toEqual(["bob"]);
    const upper = await get(`Filter=${encodeURIComponent('userName eq "bob@acme.test"')}`);
    expect(names(upper)).toEqual(["bob"]);
    expect((await get(`${q}&filter=${encodeURIComponent('userName eq "carol@acme.test"')}`)).status).toBe(400);
    expect((await get(`${q}&filter=`)).status).toBe(400);
    expect((await get(`${q}&count=abc`)).status).toBe(400);
    expect((await get("filter[]=x")).status).toBe(400);
  });

  it("never answers another organization's user", async () => {
    for (const filter of ['userName eq "alice.smith@acme.test"', 'externalId eq "EXT-alice"', `userName eq "${NFD("zo\u00eb@acme.test")}"`]) {
      for (const r of await Promise.all([byGet(filter), bySearch(filter)])) {
        expect(names(r)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^another organization/)]));
      }
    }
  });
});

describe("a value spelt in another Unicode form (NFD) than the one writes keep (NFC)", () => {
  const zoeNfd = NFD("Zo\u00eb@acme.test");

  it("finds by userName the user a create of that spelling collides with", async () => {
    expect(zoeNfd).not.toBe("Zo\u00eb@acme.test");
    const create = await call("POST", `${s.scim}/Users`, mine, userBody(zoeNfd));
    expect(create.status).toBe(409);
    for (const filter of [`userName eq "${zoeNfd}"`, `userName eq "${zoeNfd.toUpperCase()}"`, `userName sw "${NFD("Zo\u00eb")}"`]) {
      const [get, search] = await Promise.all([byGet(filter), bySearch(filter)]);
      expect({ filter, get: names(get), search: names(search) }).toEqual({ filter, get: ["zoe"], search: ["zoe"] });
    }
    // ne is the complement of eq in either form.
    expect(names(await byGet(`userName ne "${zoeNfd}"`))).toEqual(["alice", "backslash", "bob", "carol", "quote"]);
  });

  it("finds by an email value, a displayName and a group's displayName", async () => {
    expect(names(await byGet(`emails[type eq "work" and value eq "${zoeNfd}"]`))).toEqual(["zoe"]);
    expect(names(await byGet(`displayName eq "${NFD("Zo\u00eb Kr\u00e4mer")}"`))).toEqual(["zoe"]);
    const g = await call("POST", `${s.scim}/Groups`, mine, { schemas: [GROUP], displayName: "Caf\u00e9 Team" });
    expect(g.status).toBe(201);
    const found = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`displayName eq "${NFD("Caf\u00e9 Team")}"`)}`, mine);
    expect(((found.body.Resources ?? []) as Array<{ id: string }>).map((x) => x.id)).toEqual([g.body.id]);
  });

  it("targets the email a PATCH path names in that form", async () => {
    const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: `emails[value eq "${zoeNfd}"].type`, value: "other" }] };
    const r = await call("PATCH", `${s.scim}/Users/${ids.zoe!}`, mine, patch);
    expect([200, 204]).toContain(r.status);
    const after = await call("GET", `${s.scim}/Users/${ids.zoe!}`, mine);
    expect(after.body.emails).toEqual([expect.objectContaining({ value: "Zo\u00eb@acme.test", type: "other" })]);
  });
});
