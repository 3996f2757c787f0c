/**
 * GET /v1/Users (the console's Users tabs): the fields each row carries, Status, and Search (a
 * userName or email prefix, without regard to case) with paging; responses checked against the
 * schemas /v1/openapi.json is generated from.
 */
import { AccountInvitationResult, InvitationBody, MemberPage } from "../../src/http/v1/invitations-routes";
import { UserBody } from "../../src/http/v1/users-routes";
import { ErrorBody } from "../../src/http/v1/openapi";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

async function setup() {
  const o = await s.newOrg({ domainEnforcement: false });
  const mk = async (userName: string, over: Record<string, unknown> = {}) => {
    const r = await call("POST", `${s.scim}/Users`, o.token, userBody(userName, over));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const list = async (query: string) => conforms(MemberPage, await v1("GET", `${s.url}/v1/Users?${query}`, o.token));
  return { ...o, mk, list };
}

describe("GET /v1/Users", () => {
  it("answers each user with name, email, org role and status, as the console's list shows them", async () => {
    const o = await setup();
    const id = await o.mk("grace@acme.test", { name: { givenName: "Grace", familyName: "Hopper" }, displayName: "Grace Hopper" });
    const bare = await o.mk("nobody@acme.test", { name: undefined });
    const { users } = await o.list("Status=managed");
    expect(users.find((u) => u.sid === id)).toMatchObject({
      user_name: "grace@acme.test", email: "grace@acme.test", display_name: "Grace Hopper", given_name: "Grace", family_name: "Hopper",
      org_role: "standard", status: "managed", active: true,
    });
    expect(users.find((u) => u.sid === bare)).toMatchObject({ given_name: null, family_name: null, display_name: null });
  });

  it("declares given_name, family_name and the Search parameter in /v1/openapi.json", async () => {
    const doc = (await v1("GET", `${s.url}/v1/openapi.json`, null)).body;
    const list = doc.paths["/Users"].get;
    const schemaOf = (ref: string) => doc.components.schemas[ref.split("/").pop()!];
    const page = schemaOf(list.responses["200"].content["application/json"].schema.$ref);
    const row = schemaOf(page.properties.users.items.$ref);
    expect(row.required).toEqual(expect.arrayContaining(["given_name", "family_name"]));
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["Status", "Search"]));
  });

  it("answers Search with the users whose userName or an email starts with it, without regard to case", async () => {
    const o = await setup();
    const ann = await o.mk("Ann.Lee@acme.test");
    const byEmail = await o.mk("u-1842", { emails: [{ value: "annika@acme.test", type: "work", primary: true }] });
    await o.mk("joanna@acme.test");
    await o.mk("bob@acme.test");
    const pending = (await v1("POST", `${s.url}/v1/Invitations`, o.token, { email: "anna-invited@acme.test", org_role: "standard" })).body.user_sid as string;

    expect((await o.list("Search=ANN")).users.map((u) => u.sid)).toEqual([ann, byEmail, pending]);
    expect((await o.list("Search=ann&Status=managed")).users.map((u) => u.sid)).toEqual([ann, byEmail]);
    expect((await o.list("Search=ann&Status=pending")).users.map((u) => u.sid)).toEqual([pending]);
    expect((await o.list(`Search=${encodeURIComponent(" ann.lee@ ")}`)).users.map((u) => u.sid)).toEqual([ann]);
    // A prefix, not a substring; wildcards are plain characters.
    expect((await o.list("Search=lee")).users).toEqual([]);
    expect((await o.list("Search=%25")).users).toEqual([]);
    // Another organization's users are never found.
    const other = await s.newOrg({ domainEnforcement: false });
    expect(conforms(MemberPage, await v1("GET", `${s.url}/v1/Users?Search=ann`, other.token)).users).toEqual([]);
  });

  it("pages a search, keeping Search in the page URLs", async () => {
    const o = await setup();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await o.mk(`page${i}@acme.test`));
    await o.mk("other@acme.test");
    const first = await o.list("Search=PAGE&PageSize=2");
    expect(first.users.map((u) => u.sid)).toEqual(ids.slice(0, 2));
    expect(first.meta.next_page_url).toContain("Search=PAGE");
    const second = conforms(MemberPage, await v1("GET", first.meta.next_page_url!, o.token));
    expect(second.users.map((u) => u.sid)).toEqual(ids.slice(2));
    expect(second.meta.next_page_url).toBeNull();
  });

  it("refuses an empty or over-long Search with 400", async () => {
    const o = await setup();
    for (const q of ["Search=", "Search=%20", `Search=${"a".repeat(257)}`, "Search=a&Search=b"]) {
      const r = await v1("GET", `${s.url}/v1/Users?${q}`, o.token);
      expect(r.status).toBe(400);
      expect(conforms(ErrorBody, r).message).toContain("Search");
    }
  });

  it("shows a user's common fields the same in the list and on the user's own resource, whatever the user's status", async () => {
    const o = await setup();
    const named = await o.mk("ada@acme.test", {
      externalId: "00u-ada", name: { givenName: "Ada", familyName: "Lovelace" }, displayName: "Ada L.",
      emails: [{ value: "ada.work@acme.test", type: "work" }, { value: "ada@acme.test", type: "home", primary: true }],
    });
    const bare = await o.mk("bare@acme.test", { name: undefined, emails: undefined });
    const pending = conforms(InvitationBody, await v1("POST", `${s.url}/v1/Invitations`, o.token, { email: "invited@acme.test", org_role: "standard" })).user_sid;
    const account = (await v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: "Main", owner_sid: named })).body.sid as string;
    const outside = conforms(AccountInvitationResult, await v1("POST", `${s.url}/v1/Accounts/${account}/Invitations`, o.token, { email: "contractor@elsewhere.test", roles: ["developer"] })).user_sid;
    const rows = (await o.list("PageSize=100")).users.concat((await o.list("Status=pending")).users, (await o.list("Status=independent")).users);
    // org_role differs by design: the list shows the direct role, the user's resource the effective one.
    const common = ["sid", "user_name", "email", "display_name", "given_name", "family_name", "status", "active", "external_id", "managed_by_idp", "date_created", "date_updated"] as const;
    const pick = (u: Record<string, unknown>) => Object.fromEntries(common.map((k) => [k, u[k]]));
    const seen = new Set<string>();
    for (const sid of [named, bare, pending, outside]) {
      const row = rows.find((u) => u.sid === sid);
      const own = conforms(UserBody, await v1("GET", `${s.url}/v1/Users/${sid}`, o.token));
      expect([sid, row && pick(row)]).toEqual([sid, pick(own)]);
      seen.add(own.status);
    }
    expect([...seen].sort()).toEqual(["independent", "managed", "pending"]);
    expect(pick(conforms(UserBody, await v1("GET", `${s.url}/v1/Users/${named}`, o.token)))).toMatchObject({
      email: "ada@acme.test", given_name: "Ada", family_name: "Lovelace", display_name: "Ada L.", external_id: "00u-ada", managed_by_idp: true,
    });
    expect(pick(rows.find((u) => u.sid === bare)!)).toMatchObject({ email: null, given_name: null, family_name: null, external_id: null, managed_by_idp: false });
  });
});
