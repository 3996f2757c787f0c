/**
 * A user's address is their primary email, or, when they have no email, their userName when it is
 * an email address: what SCIM's domain check asks about (checkDomains: "a primary email, or an
 * email userName alone", docs/security.md case 74) and what an invitation's accept names as the
 * invitee's address (primaryEmailOf). A managed user made with an email userName and no emails
 * holds that address against other organizations' invitations (docs/tenancy.md), and an import may
 * make such a user only where SCIM may (cases 61, 78, 79).
 *
 * The store's "managed elsewhere" question read only the primary email it keeps (the emails'
 * primary, else the first), never the userName, so such a user was managed by nobody: another
 * organization's invitee at that address accepted and the person was managed twice; and the
 * import asked its domain and managed-once questions of the primary email only, so a line with an
 * email userName and no emails was made managed on another organization's verified domain (SCIM
 * answers 4011), or on an address another organization manages (docs/security.md case 85).
 */
import type { Clock } from "../../src/domain/clock";
import type { Store } from "../../src/domain/ports/store";
import { importLines } from "../../src/cli/import";
import { aUser } from "../helpers/fixtures";
import { call, USER_SCHEMA, userBody } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";
import { linesOf, newOrg, tempStores, verifyDomain, type TempStores } from "../cli/seed";
import {
  accept, BULK_REQUEST, invitationTokenFor, inviteToOrg, newOrg as newHttpOrg, PATCH_SCHEMA, startTestServer, uniqueDomain, uniqueLocal,
  type OrgHandle, type TestServer,
} from "../tenancy/helpers";

jest.setTimeout(120_000);

const clock: Clock = { now: () => new Date("2026-12-07T12:00:00.000Z") };
const run = Math.random().toString(36).slice(2, 8);

let opened = 0;
const STORES: Array<[string, (t: TempStores) => Store]> = [
  ["SQLite", (t) => t.open(`a${++opened}.db`)],
  ["MongoDB store over the driver double", () => mingoStore()],
];

/** A managed user whose only address is their userName. */
const nameOnly = (orgId: string, userName: string) => aUser(orgId, { userName, emails: [], data: { userName, active: true } });

describe.each(STORES)("a managed user whose address is their userName, at the store (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => { t = tempStores(); });
  afterEach(() => t.close());

  it("is managed elsewhere for another organization, by the lookup of one and of many, in any case; not for its own", async () => {
    const store = open(t);
    const home = await newOrg(store, "Home", { domainEnforcement: false }, clock);
    const other = await newOrg(store, "Other", { domainEnforcement: false }, clock);
    await store.users.insert(nameOnly(home.id, `bob@home-${run}.test`));
    const asked = `BOB@Home-${run}.test`;
    expect({
      one: await store.users.isManagedElsewhere(other.id, asked),
      many: [...((await store.users.findManagedElsewhere?.(other.id, [`x${asked}`, asked])) ?? new Set([asked]))],
      home: await store.users.isManagedElsewhere(home.id, asked),
    }).toEqual({ one: true, many: [asked], home: false });
  });

  it("stops being so once renamed off the address, and becomes so when renamed onto one", async () => {
    const store = open(t);
    const home = await newOrg(store, "Home", { domainEnforcement: false }, clock);
    const other = await newOrg(store, "Other", { domainEnforcement: false }, clock);
    const u = nameOnly(home.id, `ann@home-${run}.test`);
    await store.users.insert(u);
    const moved = { ...u, userName: `ann@away-${run}.test`, data: { ...u.data, userName: `ann@away-${run}.test` }, version: 2 };
    expect(await store.users.update(moved, 1)).toBe(true);
    expect([
      await store.users.isManagedElsewhere(other.id, `ann@home-${run}.test`),
      await store.users.isManagedElsewhere(other.id, `ann@away-${run}.test`),
    ]).toEqual([false, true]);
  });
});

describe.each(STORES)("importing a managed user whose only address is their userName (%s)", (_name, open) => {
  let t: TempStores;
  beforeEach(() => { t = tempStores(); });
  afterEach(() => t.close());

  const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR99999999999999999999999999999999", exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
  const line = (userName: string, over: Record<string, unknown> = {}) => {
    const { emails: _emails, ...resource } = userBody(userName, over);
    return JSON.stringify({ type: "user", resource });
  };

  it.each([1, 1000])("refuses 8102 the lines SCIM would refuse (another's verified domain, an address another organization manages), at batch size %i", async (batchSize) => {
    const store = open(t);
    const owner = await newOrg(store, "Owner", { domainEnforcement: true }, clock);
    await verifyDomain(store, owner.id, `owned-${run}.test`);
    const holder = await newOrg(store, "Holder", { domainEnforcement: false }, clock);
    await store.users.insert(aUser(holder.id, { userName: `kept-${run}`, emails: [{ value: `kim@held-${run}.test`, type: "work", primary: true }] }));
    await store.users.insert(nameOnly(holder.id, `lou@held-${run}.test`));
    const target = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    const lines = [
      header,
      line(`bob@owned-${run}.test`), // 2: on the owner's verified domain
      line(`kim@held-${run}.test`), // 3: managed by the holder (its primary email)
      line(`LOU@held-${run}.test`), // 4: managed by the holder (its userName alone)
      line(`pat@owned-${run}.test`, { "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User": { status: "pending" } }), // 5: pending makes no login
      line(`free-${batchSize}@free-${run}.test`), // 6
    ];
    const { report } = await importLines(store, clock, target.id, linesOf(lines), { batchSize });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102], [3, 8102], [4, 8102]]);
    const here = (await store.users.listByStatus(target.id, { offset: 0, limit: 20 })).items.map((u) => `${u.userName} ${u.status}`).sort();
    expect(here).toEqual([`free-${batchSize}@free-${run}.test managed`, `pat@owned-${run}.test pending`]);
  });

  it("refuses 8102 a line renaming a user without emails onto another organization's verified domain", async () => {
    const store = open(t);
    const owner = await newOrg(store, "Owner", { domainEnforcement: true }, clock);
    await verifyDomain(store, owner.id, `owned-${run}.test`);
    const target = await newOrg(store, "Target", { domainEnforcement: false }, clock);
    const u = nameOnly(target.id, `sam@free-${run}.test`);
    await store.users.insert(u);
    const { emails: _e, ...resource } = userBody(`sam@owned-${run}.test`);
    const { report } = await importLines(store, clock, target.id, linesOf([header, JSON.stringify({ type: "user", resource: { ...resource, id: u.id } })]), {});
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 8102]]);
    expect((await store.users.get(target.id, u.id))?.userName).toBe(`sam@free-${run}.test`);
  });
});

describe("accepting an invitation to the address of another organization's managed user who has no email but their userName", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  const bare = (userName: string) => ({ schemas: [USER_SCHEMA], userName });
  /** A managed user of `home` named off any address, to be renamed onto one. */
  const created = async (home: OrgHandle): Promise<string> => {
    const r = await call("POST", `${s.scim}/Users`, home.token, bare(`${uniqueLocal("x")}`));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  /** The doors that leave a managed user at an address held only by their userName. */
  const DOORS: Array<[string, (home: OrgHandle, address: string) => Promise<void>]> = [
    ["SCIM POST /Users", async (home, address) => {
      expect((await call("POST", `${s.scim}/Users`, home.token, bare(address))).status).toBe(201);
    }],
    ["a /Bulk POST", async (home, address) => {
      const r = await call("POST", `${s.scim}/Bulk`, home.token, { schemas: [BULK_REQUEST], Operations: [{ method: "POST", path: "/Users", bulkId: "u", data: bare(address) }] });
      expect([r.status, r.body?.Operations?.[0]?.status]).toEqual([200, "201"]);
    }],
    ["a PUT renaming the user", async (home, address) => {
      const id = await created(home);
      expect((await call("PUT", `${s.scim}/Users/${id}`, home.token, bare(address))).status).toBe(200);
    }],
    ["a PATCH replacing the userName", async (home, address) => {
      const id = await created(home);
      const r = await call("PATCH", `${s.scim}/Users/${id}`, home.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "userName", value: address }] });
      expect([200, 204]).toContain(r.status);
    }],
  ];

  it.each(DOORS)("is refused 6613 after %s, the invitee left pending", async (_door, make) => {
    const address = `${uniqueLocal("bob")}@${uniqueDomain()}`;
    const home = await newHttpOrg(s, false);
    await make(home, address);
    const other = await newHttpOrg(s, false);
    const inv = await inviteToOrg(s, other, address.toUpperCase());
    expect(inv.status).toBe(201);
    const r = await accept(s, await invitationTokenFor(s, inv.body.sid as string));
    expect([r.status, r.body?.code]).toEqual([409, 6613]);
    expect((await s.running.store.users.get(other.id, inv.body.user_sid as string, { includeIndependent: true }))?.status).toBe("pending");
  });

  it("is accepted once the managed user is renamed off the address", async () => {
    const address = `${uniqueLocal("bob")}@${uniqueDomain()}`;
    const home = await newHttpOrg(s, false);
    const made = await call("POST", `${s.scim}/Users`, home.token, bare(address));
    expect(made.status).toBe(201);
    expect((await call("PUT", `${s.scim}/Users/${made.body.id as string}`, home.token, bare(`${uniqueLocal("gone")}`))).status).toBe(200);
    const other = await newHttpOrg(s, false);
    const inv = await inviteToOrg(s, other, address);
    const r = await accept(s, await invitationTokenFor(s, inv.body.sid as string));
    expect([r.status, r.body?.status]).toEqual([200, "managed"]);
  });
});
