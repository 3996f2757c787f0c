/**
 * Use cases that read and then write, raced over real HTTP, with group commit on (the default) and
 * off. With group commit a transaction's writes stay invisible to reads outside a transaction until
 * the end of the event loop's turn, so a request served in the same turn reads the state before
 * them: whatever reads and then writes must answer the same as when every transaction commits
 * alone (docs/stores.md, SQLite). The concurrent PUT/PATCH property is test/property/concurrency.test.ts.
 */
import { call, PATCH_SCHEMA, userBody, type Reply } from "../helpers/server";
import { startServerWith, type ServerUnderTest } from "../helpers/workers-server";

const statuses = (rs: Reply[]): number[] => rs.map((r) => r.status).sort((a, b) => a - b);

describe.each(["on", "off"] as const)("SQLITE_GROUP_COMMIT=%s", (groupCommit) => {
  let s: ServerUnderTest;
  let token: string;
  let serial = 0;
  beforeAll(async () => {
    s = await startServerWith(1, { SQLITE_GROUP_COMMIT: groupCommit });
    token = (await s.newOrg({ domainEnforcement: false })).token;
  }, 60_000);
  afterAll(() => s.close());
  const users = () => `${s.scim}/Users`;

  it("answers one 201 and 409 uniqueness to the other nine of ten concurrent POSTs of one userName", async () => {
    const name = `same${serial++}@acme.test`;
    const replies = await Promise.all(Array.from({ length: 10 }, () => call("POST", users(), token, userBody(name))));
    expect(statuses(replies)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.scimType).toBe("uniqueness");
    const found = await call("GET", `${users()}?filter=${encodeURIComponent(`userName eq "${name}"`)}`, token);
    expect(found.body.totalResults).toBe(1);
  });

  it("revives a deactivated user once when Okta re-POSTs its externalId ten times at once, and answers the others 409, never 412", async () => {
    const name = `revived${serial++}@acme.test`;
    const c = await call("POST", users(), token, userBody(name, { externalId: `okta-${name}` }));
    expect(c.status).toBe(201);
    const off = await call("PATCH", `${users()}/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { active: false } }] });
    expect([200, 204]).toContain(off.status);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => call("POST", users(), token, userBody(name, { externalId: `okta-${name}`, displayName: `again ${i}` }))));
    expect(statuses(replies)).toEqual([201, ...Array(9).fill(409)]);
    const winner = replies.find((r) => r.status === 201)!;
    expect(winner.body.id).toBe(c.body.id);
    expect(winner.headers.get("x-orgscim-outcome")).toBe("revived");
    const now = await call("GET", `${users()}/${c.body.id}`, token);
    expect(now.body.active).toBe(true);
    expect(now.body.displayName).toBe(winner.body.displayName);
  });

  it("keeps every change when password resets race PATCHes on one user, and the user ends with both", async () => {
    const name = `reset${serial++}@acme.test`;
    const c = await call("POST", users(), token, userBody(name));
    const sid = c.body.id as string;
    const patches = Array.from({ length: 24 }, (_, i) => call("PATCH", `${users()}/${sid}`, token, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "phoneNumbers", value: [{ value: `+1555200${String(i).padStart(4, "0")}`, type: "work" }] }],
    }));
    const resets = Array.from({ length: 6 }, () => call("POST", `${s.url}/v1/Users/${sid}/PasswordReset`, token, {}, { "content-type": "application/json" }));
    const [p, r] = await Promise.all([Promise.all(patches), Promise.all(resets)]);
    expect(p.map((x) => x.status).filter((x) => x !== 200 && x !== 204)).toEqual([]);
    expect(r.map((x) => x.status).filter((x) => x !== 200 && x !== 201)).toEqual([]);
    const now = await call("GET", `${users()}/${sid}`, token);
    expect((now.body.phoneNumbers ?? []).length).toBe(24);
    const v1 = await call("GET", `${s.url}/v1/Users/${sid}`, token);
    expect(v1.body.passwordResetRequired ?? v1.body.password_reset_required).toBe(true);
  });

  const v1 = (method: string, path: string, body?: unknown) => call(method, `${s.url}/v1${path}`, token, body, { "content-type": "application/json" });

  it("invites a new email once when ten invitations of it race, and answers the others 409 'already has a pending invitation'", async () => {
    const email = `invited${serial++}@acme.test`;
    const replies = await Promise.all(Array.from({ length: 10 }, () => v1("POST", "/Invitations", { email, org_role: "standard" })));
    expect(statuses(replies)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.code).toBe(6604);
  });

  it("invites an independent member to the organization once when ten invitations race, and answers the others 409, never 412", async () => {
    const owner = await call("POST", users(), token, userBody(`owner${serial++}@acme.test`));
    const account = await v1("POST", "/Accounts", { friendly_name: `Acct ${serial++}`, owner_sid: owner.body.id });
    expect(account.status).toBe(201);
    const email = `contractor${serial++}@acme.test`;
    const made = await v1("POST", `/Accounts/${account.body.sid}/Invitations`, { email, roles: ["support"] });
    expect(made.status).toBe(201);
    const replies = await Promise.all(Array.from({ length: 10 }, () => v1("POST", "/Invitations", { email, org_role: "standard" })));
    expect(statuses(replies)).toEqual([201, ...Array(9).fill(409)]);
    for (const r of replies.filter((x) => x.status === 409)) expect(r.body.code).toBe(6604);
  });

  it("shows a PATCH to the very next request once it is answered, on another connection too", async () => {
    const c = await call("POST", users(), token, userBody(`ryw${serial++}@acme.test`));
    for (let i = 0; i < 20; i++) {
      const title = `title ${i}`;
      const w = await call("PATCH", `${users()}/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "title", value: title }] });
      expect([200, 204]).toContain(w.status);
      // fetch opens or reuses connections from its pool: the read may ride another one.
      const [a, b] = await Promise.all([call("GET", `${users()}/${c.body.id}`, token), call("GET", `${users()}/${c.body.id}`, token)]);
      expect([a.body.title, b.body.title]).toEqual([title, title]);
      expect(a.headers.get("etag")).toBe(w.headers.get("etag"));
    }
  });
});
