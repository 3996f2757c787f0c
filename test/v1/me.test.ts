/**
 * GET /v1/Me: who the caller is and what the policy allows it, generated from the policy table.
 * Checked against the server itself: for every organization-wide read with a plain /v1 GET door,
 * Me's verdict equals what the server answers that caller (200 or 403); and for every action of
 * the table, Me's allowed kinds equal what decide() answers for the caller's principal. Real
 * server, real HTTP, an Owner's service token, an Administrator's and a Standard User's user tokens.
 */
import { systemClock } from "../../src/domain/clock";
import { decide, POLICY, principalOf, type Target } from "../../src/domain/policy";
import type { TargetKind } from "../../src/domain/policy/kinds";
import { issueToken, parseToken } from "../../src/domain/tokens";
import { MeBody } from "../../src/http/v1/me-routes";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

/** Organization-wide reads with a /v1 GET door that answers 200 to whoever the policy allows. */
const READS: [action: string, path: string][] = [
  ["user.list", "/Users?PageSize=1"], ["account.list", "/Accounts?PageSize=1"], ["group.list", "/Groups?PageSize=1"],
  ["domain.read", "/Domains"], ["token.list", "/Tokens"], ["outbox.read", "/Outbox?PageSize=1"], ["audit.read", "/AuditEvents?PageSize=1"],
  ["provisioning_errors.read", "/ProvisioningErrors?PageSize=1"], ["organization.read", "/Organization"], ["invitation.list", "/Invitations?PageSize=1"],
  ["viewer.read", "/Me"],
];

describe("GET /v1/Me", () => {
  let server: TestServer;
  const tokens: Record<"owner" | "administrator" | "standard", string> = { owner: "", administrator: "", standard: "" };
  let stdSid = "";
  let orgId = "";

  beforeAll(async () => {
    server = await startTestServer();
    const o = await server.newOrg({ domainEnforcement: false });
    orgId = o.org.id;
    tokens.owner = o.token;
    const mk = async (name: string, orgRole: string) => (await call("POST", `${server.scim}/Users`, o.token, userBody(`${name}@acme.test`, { [ORG_EXT]: { orgRole } }))).body.id as string;
    const admin = await mk("admin", "administrator");
    stdSid = await mk("std", "standard");
    tokens.administrator = (await issueToken(server.running.store, systemClock, { orgId, name: "a", scopes: ["admin"], userId: admin })).plaintext;
    tokens.standard = (await issueToken(server.running.store, systemClock, { orgId, name: "s", scopes: ["admin"], userId: stdSid })).plaintext;
  });
  afterAll(() => server.close());

  const me = async (who: keyof typeof tokens) => conforms(MeBody, await v1("GET", `${server.url}/v1/Me`, tokens[who]));

  it("names the caller: a Standard User's token acts for them, with their role and the policy's column", async () => {
    const m = await me("standard");
    expect(m).toMatchObject({ organization_sid: orgId, org_role: "standard", policy_columns: ["standard"], scopes: ["admin"], user: { sid: stdSid, user_name: "std@acme.test" } });
    expect((await me("owner")).user).toBeNull();
    expect((await me("administrator")).org_role).toBe("administrator");
  });

  it.each(["owner", "administrator", "standard"] as const)("says in advance what the server answers %s for every organization-wide read", async (who) => {
    const m = await me(who);
    const verdict = new Map(Object.entries(m.actions).map(([id, a]) => [id, a.allowed_targets.includes("organization")]));
    const seen: [string, boolean, number][] = [];
    for (const [action, path] of READS) {
      const r = await v1("GET", `${server.url}/v1${path}`, tokens[who]);
      seen.push([action, verdict.get(action) ?? false, r.status]);
    }
    expect(seen.map(([a, allowed, status]) => [a, allowed ? 200 : 403, status])).toEqual(seen.map(([a, , status]) => [a, status, status]));
    if (who === "standard") expect(seen.filter(([, allowed]) => !allowed).length).toBeGreaterThan(5); // the check can fail both ways
  });

  it.each(["owner", "administrator", "standard"] as const)("lists every action of the policy table, each with the kinds decide() allows %s", async (who) => {
    const m = await me(who);
    expect(Object.keys(m.actions).sort()).toEqual(POLICY.map((r) => r.id).sort());
    // The principal the server resolves for the token, asked directly.
    const tokenId = parseToken(tokens[who])!.id;
    const org = (await server.running.store.orgs.get(orgId))!;
    const p = await principalOf(server.running.store, { org, tokenId, scopes: ["admin"], userId: who === "standard" ? stdSid : null });
    const me_ = p.kind === "token" ? p.userId : null;
    const targetOf = (k: TargetKind): Target | null => {
      switch (k) {
        case "organization": return { type: "organization", id: orgId };
        case "group": return { type: "group", id: "GP-any" };
        case "self": return me_ ? { type: "user", id: me_, role: "standard" } : null;
        case "standard": case "administrator": case "owner": return { type: "user", id: "US-someone-else", role: k };
        case "other": return { type: "account", id: "AC-not-theirs", ownerId: "US-someone-else", closed: false };
        case "orgInvitation": return { type: "invitation", id: "IV-any", account: null };
        default: return null;
      }
    };
    for (const [action, a] of Object.entries(m.actions)) {
      for (const k of POLICY.find((r) => r.id === action)!.targets) {
        const t = targetOf(k);
        if (!t) continue;
        expect([action, k, a!.allowed_targets.includes(k)]).toEqual([action, k, decide(p, action, t).allowed]);
      }
      expect(a!.refused_because === null).toBe(a!.allowed_targets.length === POLICY.find((r) => r.id === action)!.targets.length);
    }
  });
});
