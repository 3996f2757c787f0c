/**
 * The principal cache (src/http/principal-cache.ts) keeps what a token may do while its
 * organization's principal version holds; test/http/principal-cache.test.ts drives every change of
 * a principal through SCIM, /v1 and /Bulk. The operator's doors write the same store behind the
 * server's back: `orgscim tokens revoke` from another process, and `orgscim import` of a file that
 * suspends the token's user or takes their Administrator role away. The rule (docs/security.md
 * case 50): the server's next request with the cached token sees the change (401, 403), whatever
 * process or door made it.
 */
import { importLines } from "../../src/cli/import";
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { ensureBuilt, runCli } from "../helpers/built-server";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { linesOf } from "../cli/seed";

jest.setTimeout(120_000);

let s: TestServer;
let org: { id: string };
let operator: string;
beforeAll(() => ensureBuilt());
beforeAll(async () => {
  s = await startTestServer();
  ({ org, token: operator } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

const NOW = "2026-01-01T00:00:00.000Z";
const header = () => JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: org.id, exported: NOW, store: "sqlite" });

/** An Administrator and a token acting for them, its principal cached by two answered requests. */
async function cachedAdministrator(): Promise<{ user: Record<string, unknown>; token: string; tokenId: string }> {
  const made = await call("POST", `${s.scim}/Users`, operator, userBody(`admin-${Math.random().toString(36).slice(2, 8)}@cli.test`, { [ORG_EXT]: { orgRole: "administrator" } }));
  expect(made.status).toBe(201);
  const t = await issueToken(s.running.store, systemClock, { orgId: org.id, name: "cached", scopes: ["scim", "admin"], userId: made.body.id as string });
  for (let i = 0; i < 2; i++) expect((await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, t.plaintext)).status).toBe(200);
  return { user: made.body, token: t.plaintext, tokenId: t.token.id };
}

const audit = async (token: string) => (await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, token)).status;
const userLine = (user: Record<string, unknown>, over: Record<string, unknown>) => {
  const { meta: _meta, ...resource } = user;
  return JSON.stringify({ type: "user", resource: { ...resource, ...over } });
};

describe("a token whose principal the server has cached", () => {
  it("is refused (401) at its next request once `orgscim tokens revoke` in another process revoked it", async () => {
    const a = await cachedAdministrator();
    runCli({ DATABASE_URL: `sqlite:${s.dir}/test.db`, LOG_LEVEL: "silent" }, ["tokens", "revoke", "--org", org.id, a.tokenId, "--quiet"]);
    expect(await audit(a.token)).toBe(401);
  });

  it("is refused (401) at its next request once `orgscim import` suspended its user", async () => {
    const a = await cachedAdministrator();
    const { report } = await importLines(s.running.store, systemClock, org.id, linesOf([header(), userLine(a.user, { active: false })]), { source: "suspend.ndjson" });
    expect(report.errors).toEqual([]);
    expect(await audit(a.token)).toBe(401);
  });

  it("is refused (403) an Administrator's read at its next request once `orgscim import` made its user a Standard User", async () => {
    const a = await cachedAdministrator();
    const { report } = await importLines(s.running.store, systemClock, org.id, linesOf([header(), userLine(a.user, { [ORG_EXT]: { orgRole: "standard" } })]), { source: "demote.ndjson" });
    expect(report.errors).toEqual([]);
    expect(await audit(a.token)).toBe(403);
  });
});
