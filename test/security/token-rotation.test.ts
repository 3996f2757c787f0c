/**
 * Rotation (POST /v1/Tokens/{sid}/Rotate, the console's Rotate button) attacked as each principal:
 * a rotation hands its caller the secret of a new token, so it is the making of a token and must
 * obey the rules of making one (docs/authorization.md, token.create):
 * - nobody but the user themself (or the operator) gets a token acting for a user: an Owner or an
 *   Administrator rotating someone else's user-bound token would hold a credential that acts, and
 *   is audited, as that person;
 * - a token made by a token stops working when the token that made it is revoked (issue 13):
 *   whoever holds a token about to be revoked must not keep a replacement the revocation misses;
 * - a Standard User, who may not make tokens, does not lengthen their token's life by rotating it.
 * Real HTTP, real SQLite store.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken, parseToken } from "../../src/domain/tokens";
import { call, ORG_EXT, startTestServer, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { people, type People } from "../authz/people";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

const idOf = (plaintext: string): string => parseToken(plaintext)!.id;
const rotate = (by: string, sid: string, body: Record<string, unknown> = { overlap_seconds: 600 }) => v1("POST", `${s.url}/v1/Tokens/${sid}/Rotate`, by, body);
const works = async (token: string): Promise<number> => (await call("GET", `${s.scim}/Users?count=1`, token)).status;

/** The org's tokens acting for `userId`, not revoked. */
async function liveFor(p: People, userId: string): Promise<string[]> {
  return (await s.running.store.tokens.list(p.orgId)).filter((t) => t.userId === userId && !t.revoked).map((t) => t.id);
}

describe("rotating a token acting for someone else", () => {
  it("is refused (403) to an Administrator for a Standard User's token, an Administrator's and the Owner's, to the Owner for an Administrator's, and to a service token for anyone's: nothing changes, one refusal audited", async () => {
    const p = await people(s);
    const admin2 = await p.mkUser("admin2", { [ORG_EXT]: { orgRole: "administrator" } });
    const adminToken = await p.tokenFor(p.admin, ["scim", "admin"]);
    const ownerToken = await p.tokenFor(p.owner, ["scim", "admin"]);
    const cases: [string, string, string][] = [
      ["Administrator", adminToken, p.std],
      ["Administrator", adminToken, admin2],
      ["Owner", ownerToken, p.admin],
      ["Owner", ownerToken, p.std],
      ["the bootstrap service token", p.operator, p.std],
    ];
    for (const [who, by, victim] of cases) {
      const victimToken = await p.tokenFor(victim, ["scim", "admin"]);
      const before = await liveFor(p, victim);
      const refusalsBefore = (await p.refusals()).length;
      const r = await rotate(by, idOf(victimToken));
      expect({ who, victim, status: r.status }).toEqual({ who, victim, status: 403 });
      expect(r.body.token).toBeUndefined();
      expect(r.text).toMatch(/acting for a user/);
      // Nothing changed: no new token acts for the victim, and theirs keeps no overlap expiry.
      expect(await liveFor(p, victim)).toEqual(before);
      expect((await s.running.store.tokens.get(idOf(victimToken)))?.expires ?? null).toBeNull();
      expect((await v1("GET", `${s.url}/v1/Tokens/${idOf(victimToken)}`, victimToken)).status).toBe(200);
      const refusals = await p.refusals();
      expect(refusals.length).toBe(refusalsBefore + 1);
      expect(refusals.some((e) => e.action === "token.rotate" && e.targetId === idOf(victimToken))).toBe(true);
    }
    // The Owner-level refusal of before still holds for the Owner's own token.
    const ownersOwn = await p.tokenFor(p.owner, ["scim", "admin"]);
    expect((await rotate(adminToken, idOf(ownersOwn))).status).toBe(403);
  });

  it("is allowed for one's own token, and for a service token (the identity provider's), as before", async () => {
    const p = await people(s);
    const adminToken = await p.tokenFor(p.admin, ["scim", "admin"]);
    const own = await rotate(adminToken, idOf(adminToken));
    expect(own.status).toBe(201);
    expect(own.body.user_sid).toBe(p.admin);
    expect(await works(own.body.token)).toBe(200);
    const idp = await p.serviceToken(["scim"]);
    const r = await rotate(own.body.token, idOf(idp));
    expect(r.status).toBe(201);
    expect(r.body.user_sid).toBeNull();
    expect(await works(r.body.token)).toBe(200);
  });
});

describe("rotation of user-bound tokens, every principal × every user", () => {
  it("answers 201 only for the caller's own user's token, 403 for anyone else's, with nothing changed", async () => {
    const p = await people(s);
    const users: Record<string, string> = { owner: p.owner, admin: p.admin, std: p.std, accAdmin: p.accAdmin };
    const principals: [string, string | null, () => Promise<string>][] = [
      ...Object.entries(users).map(([name, id]) => [name, id, () => p.tokenFor(id, ["scim", "admin"])] as [string, string, () => Promise<string>]),
      ["bootstrap service token", null, async () => p.operator],
      ["service token", null, () => p.serviceToken(["scim", "admin"])],
    ];
    const seen: string[] = [];
    for (const [who, me, tokenOf] of principals) {
      for (const [victimName, victim] of Object.entries(users)) {
        const by = await tokenOf();
        const target = await p.tokenFor(victim, ["admin"]);
        const r = await rotate(by, idOf(target));
        const expected = victim === me ? 201 : 403;
        seen.push(`${who} → ${victimName}: ${r.status}`);
        expect({ who, victimName, status: r.status }).toEqual({ who, victimName, status: expected });
        if (expected === 403) {
          expect(await liveFor(p, victim)).toContain(idOf(target));
          expect((await s.running.store.tokens.get(idOf(target)))?.expires ?? null).toBeNull();
        } else {
          expect(r.body.user_sid).toBe(victim);
        }
      }
    }
    expect(seen).toHaveLength(24);
  });
});

describe("a rotated token's replacement", () => {
  it("stops working (401) when the token that rotated it is revoked: rotating a token does not take it out of the revocation chain", async () => {
    const p = await people(s);
    const parent = await v1("POST", `${s.url}/v1/Tokens`, p.operator, { friendly_name: "automation", scopes: ["scim", "admin"] });
    expect(parent.status).toBe(201);
    const idp = await p.serviceToken(["scim"]);
    const replaced = await rotate(parent.body.token, idOf(idp));
    expect(replaced.status).toBe(201);
    expect(await works(replaced.body.token)).toBe(200);
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${parent.body.sid}`, p.operator)).status).toBe(204);
    expect(await works(parent.body.token)).toBe(401);
    expect(await works(replaced.body.token)).toBe(401);
  });

  it("stops working when the token rotated itself and is then revoked (a stolen token cannot launder itself)", async () => {
    const p = await people(s);
    const stolen = await v1("POST", `${s.url}/v1/Tokens`, p.operator, { friendly_name: "leaked", scopes: ["scim", "admin"] });
    const copy = await rotate(stolen.body.token, stolen.body.sid, { overlap_seconds: 3600 });
    expect(copy.status).toBe(201);
    expect(await works(copy.body.token)).toBe(200);
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${stolen.body.sid}`, p.operator)).status).toBe(204);
    expect(await works(copy.body.token)).toBe(401);
  });

  it("keeps working after the old token's overlap ends, when the rotating token stays (expiry is not revocation)", async () => {
    const p = await people(s);
    const console = await v1("POST", `${s.url}/v1/Tokens`, p.operator, { friendly_name: "console", scopes: ["scim", "admin"] });
    const idp = await v1("POST", `${s.url}/v1/Tokens`, p.operator, { friendly_name: "okta", scopes: ["scim"] });
    const r = await rotate(console.body.token, idp.body.sid, { overlap_seconds: 0 });
    expect(r.status).toBe(201);
    expect(await works(idp.body.token)).toBe(401);
    expect(await works(r.body.token)).toBe(200);
    // Rotated again (by the console), the chain does not grow with each rotation.
    const again = await rotate(console.body.token, r.body.sid, { overlap_seconds: 0 });
    expect(again.status).toBe(201);
    expect(again.body.created_by).toBe(console.body.sid);
    expect(await works(again.body.token)).toBe(200);
  });
});

describe("a Standard User rotating their own token", () => {
  it("gets a replacement that ends no later than the token it replaces, whatever date_expires asks (they may not make tokens, so not lengthen one)", async () => {
    const p = await people(s);
    const ends = new Date(Date.now() + 7 * 86_400_000).toISOString();
    // As the operator's CLI makes a Standard User's console token: acting for them, ending in a week.
    let current = (await issueToken(s.running.store, systemClock, { orgId: p.orgId, name: "std console", scopes: ["admin"], userId: p.std, expires: ends })).plaintext;
    for (const body of [{ date_expires: null }, { date_expires: new Date(Date.now() + 400 * 86_400_000).toISOString() }, {}]) {
      const r = await rotate(current, idOf(current), { overlap_seconds: 0, ...body });
      expect(r.status).toBe(201);
      expect(r.body.date_expires).not.toBeNull();
      expect(Date.parse(r.body.date_expires)).toBeLessThanOrEqual(Date.parse(ends));
      expect((await v1("GET", `${s.url}/v1/Tokens/${r.body.sid}`, r.body.token)).status).toBe(200);
      current = r.body.token;
    }
  });

  it("may still rotate it (a new secret, the same end)", async () => {
    const p = await people(s);
    const ends = new Date(Date.now() + 86_400_000).toISOString();
    const t = (await issueToken(s.running.store, systemClock, { orgId: p.orgId, name: "std", scopes: ["admin"], userId: p.std, expires: ends })).plaintext;
    const r = await rotate(t, idOf(t), { overlap_seconds: 60, date_expires: null });
    expect(r.status).toBe(201);
    expect(r.body.date_expires).toBe(ends);
    expect((await v1("GET", `${s.url}/v1/Tokens/${r.body.sid}`, r.body.token)).status).toBe(200);
  });
});
