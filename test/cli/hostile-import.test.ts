/**
 * An imported file is trusted for nothing it could grant. Each case is a file whose header names
 * the target organization (the strongest position a file can take), a line an attacker or a
 * careless hand could write, and what the import must do with it: refuse it with its line number
 * and the API's own error code, or apply it without the power it claims. After every case, every
 * read the API offers is made (test/helpers/api-survey.ts): none may answer 500. Then a generated
 * file: a real export with random values put in random places, imported, and the API surveyed again.
 */
import fc from "fast-check";
import { exportLines } from "../../src/cli/export";
import { importLines } from "../../src/cli/import";
import { systemClock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { hashSecret, issueToken } from "../../src/domain/tokens";
import { surveyApi } from "../helpers/api-survey";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { linesOf } from "./seed";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const NOW = "2026-01-01T00:00:00.000Z";
const header = (orgId: string) => JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId, exported: NOW, store: "sqlite" });
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
const domain = (over: Record<string, unknown>) => ({
  type: "domain", id: newId("DM"), name: "acme-hostile.test", state: "verified", challenge: `orgscim-domain-verification=${hex(32)}`,
  created: NOW, verifiedAt: NOW, revalidatingSince: null, ...over,
});
const secret = `${"S".repeat(20)}hostile${"x".repeat(16)}`;
const token = (over: Record<string, unknown>) => ({
  type: "token", id: `TK${hex(32)}`, name: "backdoor", scopes: ["admin", "scim"], secretHash: hashSecret(secret), userId: null, created: NOW, revoked: null, ...over,
});
const user = (userName: string, over: Record<string, unknown> = {}) => ({ type: "user", resource: { id: newId("US"), ...userBody(userName), ...over } });
const invitation = (userId: string, over: Record<string, unknown> = {}) => ({
  type: "invitation", id: newId("IV"), userId, email: "pending@acme-hostile.test", tokenHash: hashSecret("oiv_known"), expires: "2099-01-01T00:00:00.000Z",
  created: NOW, acceptedAt: null, revokedAt: null, kind: "organization", orgRole: "administrator", accountId: null, accountRoles: [],
  createdMember: true, newLogin: true, priorStatus: null, ...over,
});
const audit = (over: Record<string, unknown> = {}) => ({
  type: "audit", id: newId("AE"), time: "2019-05-01T00:00:00.000Z", actor: "TKforged", action: "user.delete", targetType: "User", targetId: null,
  outcome: "success", before: null, after: null, ...over,
});

interface Case {
  name: string;
  lines: (orgId: string) => unknown[];
  /** [line number, error code] of each refused line (the header is line 1). */
  refused: Array<[number, number]>;
  options?: { tokens?: boolean; trust?: "file" | "store"; verifyDomain?: () => Promise<boolean> };
  /** Done before the import: another organization's records the file collides with. */
  before?: () => Promise<void>;
  /** What must hold afterwards, through the API. */
  then?: (o: { orgId: string; token: string }) => Promise<void>;
}

const CASES: Case[] = [
  {
    name: "a public mail domain, even 'verified', is refused as the API refuses it",
    lines: () => [domain({ name: "gmail.com" }), domain({ name: "mail.yahoo.co.uk" })],
    refused: [[2, 6103], [3, 6103]],
  },
  {
    name: "a domain another organization verified is refused as the API refuses it, even when DNS shows the file's token or the file is read as a store",
    before: async () => {
      const other = await s.newOrg();
      await s.verifyDomain(other.org.id, "taken-hostile.test");
    },
    lines: () => [domain({ name: "taken-hostile.test" }), domain({ name: "taken-hostile.test", state: "pending", verifiedAt: null })],
    refused: [[2, 6105], [3, 6105]],
    options: { verifyDomain: async () => true, trust: "store" },
    then: async ({ token }) => {
      const list = (await v1("GET", `${s.url}/v1/Domains`, token)).body as { domains: unknown[] };
      expect(list.domains).toEqual([]);
      const r = await call("POST", `${s.scim}/Users`, token, userBody("someone@taken-hostile.test"));
      expect(r.status).toBe(400);
    },
  },
  {
    name: "a verified domain arrives pending: the identity provider cannot provision users on it",
    lines: () => [domain({})],
    refused: [],
    then: async ({ token }) => {
      const list = (await v1("GET", `${s.url}/v1/Domains`, token)).body as { domains: { domain_name: string; state: string }[] };
      expect(list.domains).toEqual([expect.objectContaining({ domain_name: "acme-hostile.test", state: "pending" })]);
      const r = await call("POST", `${s.scim}/Users`, token, userBody("someone@acme-hostile.test"));
      expect([r.status, r.body?.detail]).toEqual([400, expect.stringContaining("not verified")]);
    },
  },
  {
    name: "a domain in a state the API does not have, or not in its normal form, or with a forged challenge, is refused",
    lines: () => [domain({ name: "w1.test", state: "weird" }), domain({ name: "W2.Test." }), domain({ name: "w3.test", challenge: "x" }), domain({ name: "w4.test", created: "yesterday" })],
    refused: [[2, 8101], [3, 8101], [4, 8101], [5, 8101]],
  },
  {
    name: "a token line is left out without --tokens: a known hash is no backdoor",
    lines: () => [token({})],
    refused: [],
    then: async ({ token: own }) => {
      const known = `osk_${"ab".repeat(16)}_${secret}`;
      expect((await call("GET", `${s.scim}/Users`, known)).status).toBe(401);
      expect(((await v1("GET", `${s.url}/v1/Tokens`, own)).body as { tokens: { friendly_name: string }[] }).tokens.map((t) => t.friendly_name)).not.toContain("backdoor");
    },
  },
  {
    name: "with --tokens, a token with an unknown scope, a repeated scope, no scope or an unknown ceiling is refused, and one acting for a user someone else made",
    lines: () => [
      token({ scopes: ["root"] }), token({ scopes: ["scim", "scim"] }), token({ scopes: [] }), token({ secretHash: "abc" }), token({ ceiling: "superuser" }),
      token({ userId: `US${hex(32)}`, createdBy: `TK${hex(32)}`, creatorUserId: `US${hex(32)}` }),
    ],
    refused: [[2, 8101], [3, 8101], [4, 8101], [5, 8101], [6, 8101], [7, 8102]],
    options: { tokens: true },
  },
  {
    name: "an audit event dated in the past is kept as imported history, never in the live log",
    lines: () => [audit({ id: "AE0000000000000000000000000000f00d" })],
    refused: [],
    then: async ({ token }) => {
      const live = (await v1("GET", `${s.url}/v1/AuditEvents?PageSize=100`, token)).body as { audit_events: { sid: string }[] };
      expect(live.audit_events.map((e) => e.sid)).not.toContain("AE0000000000000000000000000000f00d");
      const history = (await v1("GET", `${s.url}/v1/AuditEvents?Imported=true`, token)).body as { audit_events: unknown[] };
      expect(history.audit_events).toEqual([expect.objectContaining({
        sid: "AE0000000000000000000000000000f00d", date_created: "2019-05-01T00:00:00.000Z", imported: { date_imported: expect.any(String), source: "hostile.ndjson" },
      })]);
    },
  },
  {
    name: "audit events with a malformed action, outcome or time are refused",
    lines: () => [audit({ action: "DROP TABLE" }), audit({ outcome: "maybe" }), audit({ time: 5 })],
    refused: [[2, 8101], [3, 8101], [4, 8101]],
  },
  {
    name: "prototype keys are refused with their line number, and Object.prototype stays clean",
    lines: () => [
      { type: "__proto__", polluted: true },
      JSON.parse('{"type":"user","resource":{"userName":"p@x.test","__proto__":{"polluted":true}}}'),
      { type: "group", resource: { displayName: "G", constructor: { prototype: { polluted: true } } } },
      JSON.parse('{"type":"domain","__proto__":{"polluted":true}}'),
    ],
    refused: [[2, 8101], [3, 1007], [4, 1007], [5, 1007]],
    then: async () => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.keys(Object.prototype)).toEqual([]);
    },
  },
  {
    name: "unknown line types and unknown fields are refused",
    lines: () => [{ type: "roleAssignment", id: "IY1" }, domain({ name: "w5.test", owner: "me" }), { type: "constructor" }],
    refused: [[2, 8101], [3, 8101], [4, 8101]],
  },
  {
    name: "an invitation that would grant Owner, or names a malformed user or account, is refused",
    lines: () => [invitation(newId("US"), { orgRole: "owner" }), invitation("US1"), invitation(newId("US"), { kind: "account", accountId: null }), invitation(newId("US"), { expires: "soon" })],
    refused: [[2, 8101], [3, 8101], [4, 8101], [5, 8101]],
  },
  {
    name: "a pending invitation's known token does not let anyone in: without --tokens it arrives with a token nobody knows",
    lines: () => {
      const u = user("pending@acme-hostile.test", { "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User": { status: "pending", orgRole: "standard" } });
      return [u, invitation(u.resource.id)];
    },
    refused: [],
    then: async () => {
      const r = await v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token: "oiv_known" });
      expect([r.status, r.body?.code]).toEqual([400, 6605]);
    },
  },
  {
    name: "users in states the API never makes are refused: a second Owner, a suspended Owner, an unknown status, an independent user with an org role",
    lines: () => {
      const ext = (x: Record<string, unknown>) => ({ "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User": x });
      return [
        user("owner1@x.test", ext({ orgRole: "owner" })),
        user("owner2@x.test", ext({ orgRole: "owner" })),
        user("owner3@x.test", { active: false, ...ext({ orgRole: "owner" }) }),
        user("weird@x.test", ext({ status: "weird" })),
        user("ind@x.test", ext({ status: "independent", orgRole: "administrator" })),
        user("bad@x.test", { emails: [{ value: 5 }] }),
      ];
    },
    refused: [[3, 8102], [4, 1004], [5, 1004], [6, 1004], [7, 1004]],
  },
  {
    name: "a group cannot grant Owner, nor hold users the organization does not have",
    lines: () => [
      { type: "group", resource: { displayName: "Owners too", "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { orgRole: "owner" } } },
      { type: "group", resource: { displayName: "Ghosts", members: [{ value: newId("US") }] } },
    ],
    refused: [[2, 4009], [3, 5003]],
  },
  {
    name: "an account with an owner the organization does not have, a malformed name or an unknown status is refused",
    lines: () => [
      { type: "account", id: newId("AC"), name: "A", ownerId: newId("US"), status: "active", created: NOW, lastModified: NOW },
      { type: "account", id: newId("AC"), name: "", ownerId: newId("US"), status: "active", created: NOW, lastModified: NOW },
      { type: "account", id: newId("AC"), name: "B", ownerId: newId("US"), status: "frozen", created: NOW, lastModified: NOW },
    ],
    refused: [[2, 6502], [3, 8101], [4, 8101]],
  },
  {
    name: "the organization line cannot carry settings of the wrong type, nor name another organization",
    lines: (orgId) => [
      { type: "organization", id: orgId, name: "X", settings: { domainEnforcement: "no" }, created: NOW, lastModified: NOW },
      { type: "organization", id: newId("OR"), name: "X", settings: {}, created: NOW, lastModified: NOW },
    ],
    refused: [[2, 8101], [3, 8101]],
  },
];

describe("a hostile file", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      await c.before?.();
      const { org, token } = await s.newOrg();
      const lines = [header(org.id), ...c.lines(org.id).map((l) => JSON.stringify(l))];
      const { report } = await importLines(s.running.store, systemClock, org.id, linesOf(lines), { source: "hostile.ndjson", ...c.options });
      expect(report.errors.map((e) => [e.line, e.code])).toEqual(c.refused);
      await c.then?.({ orgId: org.id, token });
      const survey = await surveyApi(s.url, token);
      expect(survey.failures).toEqual([]);
      expect(survey.requests).toBeGreaterThan(15);
    });
  }
});

/**
 * A real export of an organization in many states (exampleExport below builds it through the
 * API), with random JSON values put at random places of random lines; imported into a
 * new organization of the same server under the file's own ids (renamed, so runs do not collide),
 * as a file and as a migration reads a store (which keeps domain states and tokens as they are).
 */
describe("a generated hostile file", () => {
  const runs = Number(process.env.HOSTILE_RUNS ?? 25);

  it(`never makes a later read answer 500 (${runs} files)`, async () => {
    const { org, token } = await s.newOrg({ domainEnforcement: false });
    const base = await exampleExport(org.id, token);
    const stats: Record<string, { applied: number; refused: number }> = {};
    let runsSeen = 0;
    // A field mostly gets a value of its own type that is wrong for it (a string state that is no
    // state, an array of scopes that are none), which reaches further than random JSON would.
    const words = fc.constantFrom(
      "root", "weird", "owner", "independent", "closed", "frozen", "pending", "", " ", "2026-13-45T99:00:00Z", "yesterday", "US123",
      `AC${"0".repeat(32)}`, `US${"0".repeat(32)}`, "gmail.com", "EXAMPLE.COM.", "orgscim-domain-verification=zz", "__proto__", "a".repeat(300),
    );
    const str = fc.oneof(words, words, fc.string({ maxLength: 20 }));
    const value = fc.record({
      str,
      arr: fc.oneof(fc.array(str, { maxLength: 3 }), fc.constantFrom<unknown[]>([], [{ value: 5 }], ["scim", "scim"], [null])),
      any: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(null, true, 0, -1, 1e308, {}, { value: "x" })),
    });
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(), fc.nat(), value), { minLength: 7, maxLength: 16 }),
      fc.record({ tokens: fc.boolean(), trust: fc.constantFrom<"file" | "store">("file", "store") }),
      async (mutations, options) => {
        const { lines, orgId } = renamed(base);
        // The organization line rarely: when it is refused, nothing else of the file is imported.
        const types = [...new Set(lines.slice(1).map((l) => String(l.type)))].filter((t) => t !== "organization" || runsSeen++ % 8 === 0);
        // Each type in turn, so every kind of line is hit in every file.
        for (const [n, [at, field, value]] of mutations.entries()) {
          const type = types[n % types.length];
          const of = lines.flatMap((l, i) => (i > 0 && l.type === type ? [i] : []));
          const i = of[at % of.length]!;
          lines[i] = mutate(lines[i]!, field, value);
        }
        const { report } = await importLines(s.running.store, systemClock, orgId, linesOf(lines.map((l) => JSON.stringify(l))), options);
        expect(report.lines).toBe(lines.length - 1);
        for (const [type, c] of Object.entries(report.counts)) {
          const t = (stats[type] ??= { applied: 0, refused: 0 });
          t.applied += c.created + c.updated + c.unchanged;
          t.refused += c.failed;
        }
        const own = await s.running.store.orgs.get(orgId);
        if (!own) return; // the organization line itself was refused: nothing was imported
        const { plaintext } = await issueToken(s.running.store, systemClock, { orgId, name: "survey", scopes: ["admin", "scim"] });
        const survey = await surveyApi(s.url, plaintext);
        expect(survey.failures).toEqual([]);
      },
    ), { numRuns: runs });
    console.info(`generated hostile files: ${runs}; lines applied/refused by type: ${JSON.stringify(stats)}`);
  }, 60_000 + runs * 4_000);
});

type Line = Record<string, unknown>;

/** Puts a value at one field of the line (or of its SCIM resource), chosen by `field`: of the field's own type three times in four. */
function mutate(line: Line, field: number, values: { str: string; arr: unknown[]; any: unknown }): Line {
  const target = typeof line.resource === "object" && line.resource !== null && field % 2 === 0 ? (line.resource as Line) : line;
  const keys = Object.keys(target).filter((k) => k !== "type");
  const key = keys.length === 0 || field % 5 === 0 ? ["state", "scopes", "status", "members", "settings", "emails", "id"][field % 7]! : keys[field % keys.length]!;
  const current = target[key];
  const value = field % 4 === 3 ? values.any : typeof current === "string" ? values.str : Array.isArray(current) ? values.arr : values.any;
  const next = { ...target, [key]: value };
  return target === line ? next : { ...line, resource: next };
}

let run = 0;

/**
 * The lines of an export, with every id renamed (derived ids keep their relation: the 30 first hex
 * digits map as one), and the names that are unique across organizations too (domains, and the
 * emails of managed users: a person is managed by one organization).
 */
function renamed(lines: Line[]): { lines: Line[]; orgId: string } {
  const prefixes = new Map<string, string>();
  run += 1;
  const text = JSON.stringify(lines).replace(/\b(gen|gen-hostile|partner)\.test\b/g, (_m, name: string) => `${name}-${run}.test`).replace(/\b(OR|US|GP|AC|DM|IV|TK|AE)([0-9a-f]{30})([0-9a-f]{2})\b/g, (_m, kind: string, head: string, tail: string) => {
    if (!prefixes.has(head)) prefixes.set(head, hex(30));
    return `${kind}${prefixes.get(head)}${tail}`;
  }).replace(/\b[0-9a-f]{64}\b/g, () => hex(64));
  const out = JSON.parse(text) as Line[];
  return { lines: out, orgId: String(out[0]!.orgId) };
}

/** An export of an organization with users, a group, an account and role assignments, a domain, an invitation, a token and the audit log. */
async function exampleExport(orgId: string, token: string): Promise<Line[]> {
  const post = async (url: string, body: unknown) => {
    const r = await call("POST", url, token, body);
    if (r.status >= 300) throw new Error(`${url}: ${r.status} ${r.text}`);
    return r.body as Record<string, string>;
  };
  const ids: string[] = [];
  for (const n of ["ann", "ben", "cy"]) ids.push((await post(`${s.scim}/Users`, userBody(`${n}@gen.test`)))["id"]!);
  await post(`${s.scim}/Groups`, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Team", members: ids.map((value) => ({ value })) });
  const account = (await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Prod", owner_sid: ids[0] })).body as { sid: string };
  await v1("POST", `${s.url}/v1/RoleAssignments`, token, { account_sid: account.sid, user_sid: ids[1], role: "developer" });
  await v1("POST", `${s.url}/v1/Accounts/${account.sid}/Invitations`, token, { email: "dee@partner.test", roles: ["support"] });
  await v1("POST", `${s.url}/v1/Domains`, token, { domain_name: "gen-hostile.test" });
  await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "idp", scopes: ["scim"] });
  const out: Line[] = [];
  for await (const l of exportLines(s.running.store, systemClock, orgId, { tokens: true, audit: true })) out.push(JSON.parse(l) as Line);
  return out;
}
