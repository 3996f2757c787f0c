/**
 * The principal cache (src/http/principal-cache.ts) never serves what a token may no longer do.
 * Rules as data: EVENTS lists every change of what a token may do, each with the doors that make
 * it (SCIM, /v1, /Bulk); one test per event and door warms the cache with the token (the probe
 * answered twice: resolved, then served from the cache), makes the change through that door, and
 * asserts the very next request of the token sees it. Then: the store holds exactly the triggers
 * src/store/sqlite/principal-versions.ts lists; a change committed through another server on the
 * same file is seen at once; without its trigger a revocation would NOT be seen (the cache does
 * serve, and the version is what keeps it honest); and expiry.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { systemClock } from "../../src/domain/clock";
import { issueToken, type Authenticated } from "../../src/domain/tokens";
import { loadConfig } from "../../src/config/config";
import { PrincipalCache } from "../../src/http/principal-cache";
import { startServer } from "../../src/server";
import { PRINCIPAL_TRIGGERS } from "../../src/store/sqlite/principal-versions";
import { call, ORG_EXT, startTestServer, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { patchOp, people, unique, type People } from "../authz/people";

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

/** The token under test, the user it acts for (or was made by), and what the doors need. */
interface Fixture {
  p: People;
  token: string;
  tokenSid: string;
  subject: string;
  /** A token up the chain of `token` (E: chain), or a group `subject` is in (E: bound group). */
  other: string;
}

async function mint(by: string, scopes: string[], userSid: string | null = null): Promise<{ sid: string; token: string }> {
  const r = await v1("POST", `${s.url}/v1/Tokens`, by, { friendly_name: unique("t"), scopes, ...(userSid ? { user_sid: userSid } : {}) });
  if (r.status !== 201) throw new Error(`POST /v1/Tokens answered ${r.status} ${r.text}`);
  return { sid: r.body.sid as string, token: r.body.token as string };
}

const bulk = async (token: string, op: Record<string, unknown>): Promise<void> => {
  const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: [{ bulkId: "b1", ...op }] });
  const status = Number(r.body?.Operations?.[0]?.status);
  if (r.status !== 200 || status >= 300) throw new Error(`/Bulk answered ${r.status}, operation ${status}: ${r.text}`);
};
const ok = async (reply: Promise<{ status: number; text: string }>): Promise<void> => {
  const r = await reply;
  if (r.status >= 300) throw new Error(`the change answered ${r.status}: ${r.text}`);
};

const status = async (r: Promise<{ status: number }>): Promise<string> => String((await r).status);
const probes = {
  /** A read every member may make (through SCIM a Standard User may not list users). */
  anything: (f: Fixture) => status(v1("GET", `${s.url}/v1/Organization`, f.token)),
  /** Administrator and up read the audit log; a Standard User is refused. */
  audit: (f: Fixture) => status(v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, f.token)),
  /** An account's Administrator reads its users; a Standard User without a role there is refused. */
  accountUsers: (f: Fixture) => status(v1("GET", `${s.url}/v1/Accounts/${f.p.account}/Users`, f.token)),
  /** What the organization's SCIM profile says (its settings, carried by the actor). */
  profile: async (f: Fixture) => String((await call("GET", `${s.scim}/ServiceProviderConfig`, f.token)).body?.interopProfileConformant),
};

type Setup = (p: People) => Promise<Fixture>;
/** A token acting for the user, made as `orgscim tokens create --user` makes one. */
const forUser = (pick: (p: People) => string): Setup => async (p) => {
  const subject = pick(p);
  const t = await issueToken(s.running.store, systemClock, { orgId: p.orgId, name: unique("for"), scopes: ["scim", "admin"], userId: subject });
  return { p, token: t.plaintext, tokenSid: t.token.id, subject, other: "" };
};

const setRole = (role: string) => ({
  SCIM: (f: Fixture) => ok(call("PATCH", `${s.scim}/Users/${f.subject}`, f.p.operator, patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: role }))),
  "/v1": (f: Fixture) => ok(v1("POST", `${s.url}/v1/Users/${f.subject}`, f.p.operator, { org_role: role })),
  "/Bulk": (f: Fixture) => bulk(f.p.operator, { method: "PATCH", path: `/Users/${f.subject}`, data: patchOp({ op: "replace", path: `${ORG_EXT}:orgRole`, value: role }) }),
});
const suspend = {
  SCIM: (f: Fixture) => ok(call("PATCH", `${s.scim}/Users/${f.subject}`, f.p.operator, patchOp({ op: "replace", path: "active", value: false }))),
  "/Bulk": (f: Fixture) => bulk(f.p.operator, { method: "PATCH", path: `/Users/${f.subject}`, data: patchOp({ op: "replace", path: "active", value: false }) }),
};
async function accountAdminGroup(f: Fixture): Promise<string> {
  const groups = await s.running.store.groups.listBoundToAccount(f.p.orgId, f.p.account);
  const g = groups.find((x) => x.binding?.kind === "accountRole" && x.binding.role === "administrator");
  if (!g) throw new Error("fixture: the account has no Administrator group");
  return g.id;
}
const removeMember = (group: (f: Fixture) => Promise<string>) => ({
  SCIM: async (f: Fixture) => ok(call("PATCH", `${s.scim}/Groups/${await group(f)}`, f.p.operator, patchOp({ op: "remove", path: `members[value eq "${f.subject}"]` }))),
  "/Bulk": async (f: Fixture) => bulk(f.p.operator, { method: "PATCH", path: `/Groups/${await group(f)}`, data: patchOp({ op: "remove", path: `members[value eq "${f.subject}"]` }) }),
});

interface Event {
  event: string;
  setup: Setup;
  probe: (f: Fixture) => Promise<string>;
  before: string;
  after: string;
  doors: Partial<Record<"SCIM" | "/v1" | "/Bulk", (f: Fixture) => Promise<void>>>;
}

/** Every change of what a token may do, through every door that makes it. */
const EVENTS: Event[] = [
  {
    event: "the token is revoked", setup: forUser((p) => p.admin), probe: probes.anything, before: "200", after: "401",
    doors: { "/v1": (f) => ok(v1("DELETE", `${s.url}/v1/Tokens/${f.tokenSid}`, f.p.operator)) },
  },
  {
    event: "a token up its chain is revoked",
    setup: async (p) => {
      const parent = await mint(p.operator, ["scim", "admin"]);
      const child = await mint(parent.token, ["scim", "admin"]);
      return { p, token: child.token, tokenSid: child.sid, subject: "", other: parent.sid };
    },
    probe: probes.anything, before: "200", after: "401",
    doors: { "/v1": (f) => ok(v1("DELETE", `${s.url}/v1/Tokens/${f.other}`, f.p.operator)) },
  },
  { event: "the token's user is suspended", setup: forUser((p) => p.std), probe: probes.anything, before: "200", after: "401", doors: suspend },
  {
    event: "the token's user is removed from the organization", setup: forUser((p) => p.std), probe: probes.anything, before: "200", after: "401",
    doors: {
      SCIM: (f) => ok(call("DELETE", `${s.scim}/Users/${f.subject}`, f.p.operator)),
      "/v1": (f) => ok(v1("POST", `${s.url}/v1/Users/${f.subject}/Remove`, f.p.operator, { acknowledge: true })),
      "/Bulk": (f) => bulk(f.p.operator, { method: "DELETE", path: `/Users/${f.subject}` }),
    },
  },
  { event: "the token's user is demoted from Administrator", setup: forUser((p) => p.admin), probe: probes.audit, before: "200", after: "403", doors: setRole("standard") },
  { event: "the token's user is promoted to Administrator", setup: forUser((p) => p.std), probe: probes.audit, before: "403", after: "200", doors: setRole("administrator") },
  {
    event: "the token's user loses their account role", setup: forUser((p) => p.accAdmin), probe: probes.accountUsers, before: "200", after: "403",
    doors: {
      ...removeMember(accountAdminGroup),
      "/v1": async (f) => {
        const list = await v1("GET", `${s.url}/v1/RoleAssignments?UserSid=${f.subject}`, f.p.operator);
        const sid = (list.body?.role_assignments ?? list.body?.items ?? []).find?.((a: { account_sid?: string }) => a.account_sid === f.p.account)?.sid as string | undefined;
        if (!sid) throw new Error(`fixture: no role assignment in ${list.text}`);
        await ok(v1("DELETE", `${s.url}/v1/RoleAssignments/${sid}`, f.p.operator));
      },
    },
  },
  {
    event: "the token's user leaves a group bound to Administrator",
    setup: async (p) => {
      const f = await forUser((q) => q.std)(p);
      const g = await call("POST", `${s.scim}/Groups`, p.operator, {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", GROUP_EXT], displayName: unique("admins"), members: [{ value: f.subject }], [GROUP_EXT]: { orgRole: "administrator" },
      });
      if (g.status !== 201) throw new Error(`fixture: POST /Groups answered ${g.status} ${g.text}`);
      return { ...f, other: g.body.id as string };
    },
    probe: probes.audit, before: "200", after: "403",
    doors: { ...removeMember(async (f) => f.other), "/v1": undefined, SCIM: removeMember(async (f) => f.other).SCIM },
  },
  {
    event: "the group that makes the token's user Administrator is deleted",
    setup: async (p) => {
      const f = await forUser((q) => q.std)(p);
      const g = await call("POST", `${s.scim}/Groups`, p.operator, {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", GROUP_EXT], displayName: unique("admins"), members: [{ value: f.subject }], [GROUP_EXT]: { orgRole: "administrator" },
      });
      if (g.status !== 201) throw new Error(`fixture: POST /Groups answered ${g.status} ${g.text}`);
      return { ...f, other: g.body.id as string };
    },
    probe: probes.audit, before: "200", after: "403",
    doors: {
      SCIM: (f) => ok(call("DELETE", `${s.scim}/Groups/${f.other}`, f.p.operator)),
      "/Bulk": (f) => bulk(f.p.operator, { method: "DELETE", path: `/Groups/${f.other}` }),
    },
  },
  {
    event: "the user who made the token is suspended",
    setup: async (p) => {
      // A service token (no user) made through a token acting for the Administrator: its maker is that user.
      const made = await mint(await p.tokenFor(p.admin, ["scim", "admin"]), ["scim", "admin"]);
      return { p, token: made.token, tokenSid: made.sid, subject: p.admin, other: "" };
    },
    probe: probes.anything, before: "200", after: "401", doors: suspend,
  },
  {
    event: "the organization's settings change", setup: async (p) => ({ p, token: p.operator, tokenSid: "", subject: "", other: "" }),
    probe: probes.profile, before: "false", after: "true",
    doors: { "/v1": (f) => ok(v1("POST", `${s.url}/v1/Organization`, f.p.operator, { scim_profile: "strict" })) },
  },
];

const CASES = EVENTS.flatMap((e) => Object.entries(e.doors).filter(([, apply]) => apply).map(([door, apply]) => [e.event, door, e, apply!] as const));

describe("the principal cache sees every change of what a token may do, at once", () => {
  it("covers every event through at least one door, and SCIM, /v1 and /Bulk each", () => {
    for (const e of EVENTS) expect(Object.values(e.doors).filter(Boolean).length).toBeGreaterThan(0);
    expect(new Set(CASES.map(([, door]) => door))).toEqual(new Set(["SCIM", "/v1", "/Bulk"]));
  });

  it.each(CASES)("%s, through %s", async (_event, _door, e, apply) => {
    const f = await e.setup(await people(s));
    expect(await e.probe(f)).toBe(e.before);
    expect(await e.probe(f)).toBe(e.before); // served from the cache
    await apply(f);
    expect(await e.probe(f)).toBe(e.after);
  });
});

describe("the store side of the cache", () => {
  it("holds exactly the triggers principal-versions.ts lists", () => {
    const db = new Database(join(s.dir, "test.db"), { readonly: true });
    try {
      const found = db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'principal_%' ORDER BY name").all() as { name: string; tbl_name: string; sql: string }[];
      expect(found.map((t) => t.name)).toEqual(PRINCIPAL_TRIGGERS.map((t) => t.name).sort());
      for (const t of PRINCIPAL_TRIGGERS) {
        const row = found.find((x) => x.name === t.name)!;
        expect(row.tbl_name).toBe(t.table);
        expect(row.sql).toMatch(new RegExp(`AFTER ${t.on}\\b`));
      }
    } finally {
      db.close();
    }
  });

  it("sees a revocation and a demotion committed by another server on the same store", async () => {
    const other = await startServer(loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0", INVITATION_ACCEPT_PER_MINUTE: "0", DURABILITY: "normal", DATABASE_URL: `sqlite:${join(s.dir, "test.db")}` }));
    try {
      const p = await people(s);
      const revoked = await mint(p.operator, ["scim", "admin"]);
      const admin = await forUser((q) => q.admin)(p);
      for (let i = 0; i < 2; i++) {
        expect((await call("GET", `${s.scim}/Users?count=1`, revoked.token)).status).toBe(200);
        expect((await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, admin.token)).status).toBe(200);
      }
      expect((await v1("DELETE", `${other.url}/v1/Tokens/${revoked.sid}`, p.operator)).status).toBe(204);
      expect((await v1("POST", `${other.url}/v1/Users/${admin.subject}`, p.operator, { org_role: "standard" })).status).toBe(200);
      expect((await call("GET", `${s.scim}/Users?count=1`, revoked.token)).status).toBe(401);
      expect((await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, admin.token)).status).toBe(403);
    } finally {
      await other.stop();
    }
  });

  it("serves from the cache: without its trigger, a revocation written behind its back would not be seen", async () => {
    // A server of its own: its store loses the revocation trigger. This is what the version is for.
    const own = await startTestServer();
    try {
      const p = await people(own);
      const t = await issueToken(own.running.store, systemClock, { orgId: p.orgId, name: "victim", scopes: ["scim"] });
      expect((await call("GET", `${own.scim}/Users?count=1`, t.plaintext)).status).toBe(200);
      const raw = new Database(join(own.dir, "test.db"));
      try {
        raw.exec("DROP TRIGGER principal_tokens_update");
        raw.prepare("UPDATE api_tokens SET revoked = ? WHERE id = ?").run(new Date().toISOString(), t.token.id);
      } finally {
        raw.close();
      }
      expect((await call("GET", `${own.scim}/Users?count=1`, t.plaintext)).status).toBe(200); // stale: no version raised
      // Any change of the organization that raises the version ends it.
      expect((await v1("POST", `${own.url}/v1/Organization`, p.operator, { scim_profile: "strict" })).status).toBe(200);
      expect((await call("GET", `${own.scim}/Users?count=1`, t.plaintext)).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});

describe("PrincipalCache on a real store", () => {
  /** A resolver that authenticates the store's token and reports what it was given, with an expiry of our choosing. */
  async function fixture(expires: string | null) {
    const p = await people(s);
    const issued = await issueToken(s.running.store, systemClock, { orgId: p.orgId, name: "exp", scopes: ["scim"] });
    const org = (await s.running.store.orgs.get(p.orgId))!;
    let resolved = 0;
    const cache = new PrincipalCache(s.running.store, async () => {
      resolved++;
      const token = { ...issued.token, expires } as Authenticated["token"];
      return { token, org, principal: { kind: "token", tokenId: issued.token.id, scopes: ["scim"], userId: null, level: "owner", accounts: new Map() }, audience: null } as Authenticated;
    });
    return { cache, plaintext: issued.plaintext, resolved: () => resolved, p };
  }

  it("resolves once and then serves while the version holds", async () => {
    const f = await fixture(null);
    const now = new Date();
    expect(await f.cache.authenticate(f.plaintext, now)).not.toBeNull();
    expect(await f.cache.authenticate(f.plaintext, now)).not.toBeNull();
    expect(f.resolved()).toBe(1);
    expect(f.cache.stats).toEqual({ hits: 1, misses: 1 });
    // Another token of the organization revoked: the version moves, the next use resolves again.
    const other = await issueToken(s.running.store, systemClock, { orgId: f.p.orgId, name: "other", scopes: ["scim"] });
    await s.running.store.tokens.revoke(f.p.orgId, other.token.id, now.toISOString());
    await f.cache.authenticate(f.plaintext, now);
    expect(f.resolved()).toBe(2);
  });

  it("never serves an entry at or past the token's expiry", async () => {
    const expires = new Date(Date.now() + 60_000);
    const f = await fixture(expires.toISOString());
    await f.cache.authenticate(f.plaintext, new Date(expires.getTime() - 1000));
    await f.cache.authenticate(f.plaintext, new Date(expires.getTime() - 1));
    expect(f.resolved()).toBe(1);
    await f.cache.authenticate(f.plaintext, expires);
    expect(f.resolved()).toBe(2);
  });

  it("keeps nothing for an expired token, a wrong secret or a refused one", async () => {
    const f = await fixture(new Date(Date.now() - 1000).toISOString());
    await f.cache.authenticate(f.plaintext, new Date());
    expect(f.cache.size).toBe(0);
    const refused = new PrincipalCache(s.running.store, async () => null);
    expect(await refused.authenticate(f.plaintext, new Date())).toBeNull();
    expect(refused.size).toBe(0);
    expect(await refused.authenticate("osk_nonsense", new Date())).toBeNull();
  });

  it("is bounded: past its size the oldest entry goes", async () => {
    const f = await fixture(null);
    const small = new PrincipalCache(s.running.store, async (plaintext) => (await f.cache.authenticate(plaintext, new Date())), 2);
    const tokens = await Promise.all([0, 1, 2].map(async () => (await issueToken(s.running.store, systemClock, { orgId: f.p.orgId, name: "b", scopes: ["scim"] })).plaintext));
    for (const t of [f.plaintext, ...tokens]) await small.authenticate(t, new Date());
    expect(small.size).toBe(2);
  });
});
