/**
 * The examples of /v1/openapi.json are real responses: this test runs a real server (in-process,
 * real HTTP, a real SQLite file, a real SMTP server and a real DNS server on loopback), calls every
 * /v1 operation the document declares once, as a client would, and compares what it captured with
 * src/http/v1/examples.json, which openapi.ts puts on each operation's request and response. It
 * fails when the file is stale (a route's answer changed) and when an operation has no capture
 * below (a new route: add its call to CAPTURE). To rewrite the file:
 *
 *     UPDATE_V1_EXAMPLES=1 npx jest test/v1/examples.test.ts
 *
 * Stable, and never a real secret: ids are drawn from one counter for this server only (jest.mock
 * of src/domain/ids.ts: OR0001000…, US0005000…), the clock moves one second per call from a fixed
 * instant, links are under PUBLIC_URL https://scim.example.com, and what is random by design is
 * replaced by obvious samples: token and mail ids, token secrets, invitation tokens, domain
 * challenges, page tokens (see SAMPLES). The file is checked for anything that still looks random.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import type { Clock } from "../../src/domain/clock";
import { createOrganization } from "../../src/domain/orgs";
import { drainOutbox } from "../../src/domain/outbox";
import { createSmtpMailer } from "../../src/infra/mailer";
import { issueToken } from "../../src/domain/tokens";
import { newId } from "../../src/domain/ids";
import { v1Document } from "../../src/http/v1/router";
import { startServer, type RunningServer } from "../../src/server";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { call, userBody, type Reply } from "../helpers/server";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { v1 } from "../helpers/v1";

// One counter for every prefix, in the leading hex digits: role groups' ids are derived from the
// first 30 hex digits of their organization's or account's id (src/domain/role-groups.ts).
jest.mock("../../src/domain/ids", () => {
  let n = 0;
  return { newId: (prefix: string): string => `${prefix}${(++n).toString(16).padStart(4, "0")}${"0".repeat(28)}` };
});

const FILE = join(__dirname, "../../src/http/v1/examples.json");
const PUBLIC_URL = "https://scim.example.com";
const START = Date.parse("2026-01-15T09:00:00.000Z");

type Examples = Record<string, { request?: unknown; response?: unknown }>;

let smtp: TestSmtpServer;
let dns: TestDnsServer;
let running: RunningServer;
let dir: string;
const clock: Clock & { t: number } = { t: START, now: (): Date => new Date(clock.t) };

beforeAll(async () => {
  smtp = await startSmtpServer();
  dns = await startDnsServer();
  dir = mkdtempSync(join(tmpdir(), "orgscim-examples-"));
  running = await startServer(loadConfig({
    PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", DURABILITY: "normal", DATABASE_URL: `sqlite:${join(dir, "examples.db")}`,
    PUBLIC_URL, SMTP_URL: smtp.url, MAIL_FROM: "orgscim <no-reply@scim.example.com>", OUTBOX_INTERVAL_MS: "2147483647", // mail leaves only when the test drains the outbox (drain(), below): invitations' mail states are then the same on every run
    DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: "2000",
    INVITATION_ACCEPT_PER_MINUTE: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0",
  }), { clock });
});
afterAll(async () => {
  await running?.stop();
  await smtp?.close();
  await dns?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What is random by design, and the sample that replaces it; each distinct value (by `key`) gets
 * its own number, by order of first appearance (the calls run in a fixed order).
 */
const SAMPLES: { what: string; re: RegExp; key: (m: string[]) => string; sample: (n: number, m: string[]) => string }[] = [
  { what: "API token secret", re: /(osk_[0-9a-f]{32}_)[A-Za-z0-9_-]{32,128}/g, key: (m) => m[0]!, sample: (_n, m) => `${m[1]}EXAMPLE-secret-shown-once-never-a-real-token` },
  // Ids drawn elsewhere than newId: an API token's (the hex of its plaintext, osk_<hex>_…) and a mail's.
  { what: "client address (the test's loopback)", re: /"last_used_address": "(?:::ffff:)?127\.0\.0\.1"/g, key: () => "loopback", sample: () => `"last_used_address": "203.0.113.7"` },
  { what: "event stream poll credential", re: /(oes_ES[0-9a-f]{32}_)[A-Za-z0-9_-]{43}/g, key: (m) => m[0]!, sample: (n) => `oes_EXAMPLE-poll-credential-shown-once-${n.toString().padStart(2, "0")}` },
  { what: "other random id", re: /(TK|EM|OC|ES|osk_)([0-9a-f]{32})(?![0-9a-f])/g, key: (m) => m[2]!, sample: (n, m) => `${m[1]}${n.toString(16).padStart(32, "0")}` },
  { what: "OAuth client secret", re: /ocs_[A-Za-z0-9_-]{43}/g, key: (m) => m[0]!, sample: (n) => `ocs_EXAMPLE-client-secret-shown-once-${n.toString().padStart(2, "0")}` },
  { what: "invitation token", re: /oiv_[A-Za-z0-9_-]{43}/g, key: (m) => m[0]!, sample: (n) => `oiv_EXAMPLE-invitation-token-from-the-mail-${n.toString().padStart(2, "0")}` },
  { what: "domain challenge", re: /orgscim-domain-verification=[0-9a-f]{32}/g, key: (m) => m[0]!, sample: (n) => `orgscim-domain-verification=${n.toString(16).padStart(32, "0")}` },
  { what: "page token", re: /PageToken=[^&"]+/g, key: (m) => m[0]!, sample: (n) => `PageToken=EXAMPLE-page-token-${n}` },
];

function stabilize(raw: string): string {
  let out = raw;
  for (const { re, key, sample } of SAMPLES) {
    const numbers = new Map<string, number>();
    out = out.replace(re, (...args) => {
      const m = args.slice(0, -2).filter((x) => typeof x === "string" || x === undefined) as string[];
      const k = key(m);
      if (!numbers.has(k)) numbers.set(k, numbers.size + 1);
      return sample(numbers.get(k)!, m);
    });
  }
  return out;
}

describe("the examples of /v1/openapi.json", () => {
  const captured: Examples = {};
  const done = new Set<string>();
  let owner: string;

  /** Sends the queued mail now, with the test's clock (the server's own worker never runs again after its first, empty, drain). */
  const drain = () => drainOutbox({ store: running.store, clock, mailer: createSmtpMailer(smtp.url, "orgscim <no-reply@scim.example.com>") });

  async function op(operationId: string, method: string, path: string, body?: unknown, token: string | null = owner): Promise<Reply> {
    clock.t += 1000;
    const r = await v1(method, `${running.url}/v1${path}`, token, body);
    if (r.status >= 300) throw new Error(`${operationId}: ${method} ${path} answered ${r.status}: ${r.text.slice(0, 300)}`);
    captured[operationId] = { ...(body !== undefined ? { request: body } : {}), ...(r.body !== undefined ? { response: r.body } : {}) };
    done.add(operationId);
    return r;
  }

  /** Every operation, called once in this order on one organization (a new operation: add its call here). */
  async function capture(): Promise<void> {
    const org = await createOrganization(running.store, clock, { name: "Acme Corporation", settings: {} });
    owner = (await issueToken(running.store, clock, { orgId: org.id, name: "Admin Center", scopes: ["scim", "admin"] })).plaintext;
    await running.store.domains.insert({
      id: newId("DM"), orgId: org.id, name: "acme.example", state: "verified", challenge: "orgscim-domain-verification=" + "0".repeat(32),
      created: clock.now().toISOString(), verifiedAt: clock.now().toISOString(),
    });
    const scimUser = async (userName: string, givenName: string, familyName: string): Promise<string> => {
      clock.t += 1000;
      const r = await call("POST", `${running.url}/scim/v2/Users`, owner, userBody(userName, { name: { givenName, familyName }, displayName: `${givenName} ${familyName}` }));
      if (r.status !== 201) throw new Error(`SCIM POST /Users ${userName}: ${r.status} ${r.text}`);
      return r.body.id as string;
    };
    const ada = await scimUser("ada@acme.example", "Ada", "Lovelace");
    const grace = await scimUser("grace@acme.example", "Grace", "Hopper");
    const alan = await scimUser("alan@acme.example", "Alan", "Turing");
    const edsger = await scimUser("edsger@acme.example", "Edsger", "Dijkstra");

    await op("getOrganization", "GET", "/Organization");
    await op("updateOrganization", "POST", "/Organization", { domain_enforcement: true });

    const okta = await op("createToken", "POST", "/Tokens", { friendly_name: "Okta", scopes: ["scim"] });
    await op("listTokens", "GET", "/Tokens?PageSize=2");
    await op("getToken", "GET", `/Tokens/${okta.body.sid}`);
    const old = await v1("POST", `${running.url}/v1/Tokens`, owner, { friendly_name: "Old import script", scopes: ["admin"] });
    await op("revokeToken", "DELETE", `/Tokens/${old.body.sid}`);
    await op("rotateToken", "POST", `/Tokens/${okta.body.sid}/Rotate`, { overlap_seconds: 3600 });
    const entra = await op("createOAuthClient", "POST", "/OAuthClients", { friendly_name: "Microsoft Entra ID", scopes: ["scim"] });
    await op("listOAuthClients", "GET", "/OAuthClients?PageSize=2");
    await op("getOAuthClient", "GET", `/OAuthClients/${entra.body.sid}`);
    const oldClient = await v1("POST", `${running.url}/v1/OAuthClients`, owner, { friendly_name: "Old connector", scopes: ["scim"] });
    await op("deleteOAuthClient", "DELETE", `/OAuthClients/${oldClient.body.sid}`);
    const feed = await op("createEventStream", "POST", "/EventStreams", { friendly_name: "HR app", delivery: "poll" });
    await op("listEventStreams", "GET", "/EventStreams?PageSize=2");
    await op("getEventStream", "GET", `/EventStreams/${feed.body.sid}`);
    const oldFeed = await v1("POST", `${running.url}/v1/EventStreams`, owner, { friendly_name: "Old receiver", delivery: "poll" });
    await op("deleteEventStream", "DELETE", `/EventStreams/${oldFeed.body.sid}`);

    const labs = await op("createAccount", "POST", "/Accounts", { friendly_name: "Acme Labs", owner_sid: ada });
    const labsSid = labs.body.sid as string;
    const archive = (await v1("POST", `${running.url}/v1/Accounts`, owner, { friendly_name: "Acme Archive", owner_sid: ada })).body.sid as string;
    await op("listAccounts", "GET", "/Accounts?PageSize=1");
    await op("getAccount", "GET", `/Accounts/${labsSid}`);
    await op("updateAccount", "POST", `/Accounts/${labsSid}`, { friendly_name: "Acme Research Labs" });

    const dev = await op("createRoleAssignment", "POST", "/RoleAssignments", { account_sid: labsSid, user_sid: grace, role: "developer" });
    await v1("POST", `${running.url}/v1/RoleAssignments`, owner, { account_sid: labsSid, user_sid: alan, role: "support" });
    await op("listRoleAssignments", "GET", `/RoleAssignments?AccountSid=${labsSid}&PageSize=2`);
    await op("getRoleAssignment", "GET", `/RoleAssignments/${dev.body.sid}`);
    await op("listAccountUsers", "GET", `/Accounts/${labsSid}/Users?PageSize=2`);
    await op("listUserAccounts", "GET", `/Users/${grace}/Accounts`);
    await op("revokeRoleAssignment", "DELETE", `/RoleAssignments/${dev.body.sid}`);

    await op("getUser", "GET", `/Users/${grace}`);
    await op("updateUser", "POST", `/Users/${grace}`, { org_role: "administrator", two_factor_required: true });
    await op("listUsers", "GET", "/Users?Status=managed&PageSize=2");
    await op("requirePasswordReset", "POST", `/Users/${alan}/PasswordReset`);

    const labsDomain = await op("createDomain", "POST", "/Domains", { domain_name: "acme-labs.example" });
    await v1("POST", `${running.url}/v1/Domains`, owner, { domain_name: "acme-old.example" });
    const domains = await op("listDomains", "GET", "/Domains?PageSize=2");
    await op("getDomain", "GET", `/Domains/${labsDomain.body.sid}`);
    dns.setTxt(labsDomain.body.verification.record_name as string, labsDomain.body.verification.record_value as string);
    await op("verifyDomain", "POST", `/Domains/${labsDomain.body.sid}/Verify`);
    const oldDomain = (domains.body.domains as { sid: string; domain_name: string }[]).find((d) => d.domain_name === "acme-old.example")!;
    await op("removeDomain", "DELETE", `/Domains/${oldDomain.sid}`);

    const invited = await op("createInvitation", "POST", "/Invitations", { email: "barbara@acme.example", org_role: "standard" });
    await drain();
    await smtp.waitFor((m) => m.to.includes("barbara@acme.example"));
    const second = await v1("POST", `${running.url}/v1/Invitations`, owner, { email: "ken@acme.example", org_role: "administrator" });
    await op("listInvitations", "GET", "/Invitations?Status=pending&PageSize=2");
    await op("getInvitation", "GET", `/Invitations/${invited.body.sid}`);
    await op("resendInvitation", "POST", `/Invitations/${invited.body.sid}/Resend`);
    await drain();
    const resent = await smtp.waitFor((m) => m.to.includes("barbara@acme.example") && smtp.messages.filter((x) => x.to.includes("barbara@acme.example")).indexOf(m) === 1);
    await op("revokeInvitation", "DELETE", `/Invitations/${second.body.sid}`);
    await op("createAccountInvitation", "POST", `/Accounts/${labsSid}/Invitations`, { email: "linus@partner.example", roles: ["developer", "support"] });
    const token = /oiv_[A-Za-z0-9_-]{43}/.exec(resent.text)?.[0];
    if (!token) throw new Error(`no invitation token in the mail:\n${resent.text}`);
    await op("getInvitationPreview", "POST", "/Invitations/Preview", { token }, null);
    await op("acceptInvitation", "POST", "/Invitations/Accept", { token }, null);

    await op("removeUser", "POST", `/Users/${edsger}/Remove`, { acknowledge: true });
    await op("deleteUser", "POST", `/Users/${alan}/Delete`, { acknowledge: true });
    await op("closeAccount", "DELETE", `/Accounts/${archive}`);
    await op("reopenAccount", "POST", `/Accounts/${archive}/Reopen`, {});
    clock.t += 1000;
    const engineering = await call("POST", `${running.url}/scim/v2/Groups`, owner, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Engineering", externalId: "00g1engineering",
      "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { accountSid: labsSid, accountRole: "developer" }, members: [{ value: ada }, { value: grace }],
    });
    if (engineering.status !== 201) throw new Error(`SCIM POST /Groups: ${engineering.status} ${engineering.text}`);
    await op("listGroups", "GET", "/Groups?PageSize=2");
    await op("getGroup", "GET", `/Groups/${engineering.body.id}`);
    await op("listGroupMemberships", "GET", `/Groups/${engineering.body.id}/Members?PageSize=1`);
    await op("listOutbox", "GET", "/Outbox?PageSize=2");
    await op("listAuditEvents", "GET", "/AuditEvents?Action=account.create&PageSize=1");
    // An identity provider pushes a userName already taken: the refusal is kept for the provisioning-errors page.
    const taken = await call("POST", `${running.url}/scim/v2/Users`, owner, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ada@acme.example", externalId: "00u1ada-again" });
    if (taken.status !== 409) throw new Error(`SCIM POST /Users with a taken userName: ${taken.status} ${taken.text}`);
    await op("listProvisioningErrors", "GET", "/ProvisioningErrors?PageSize=1");
    await op("getProvisioningErrorCounts", "GET", "/ProvisioningErrors/Counts");
    await op("getMe", "GET", "/Me");
  }

  it("captures every operation of the document from a real server, and src/http/v1/examples.json holds exactly that", async () => {
    await capture();
    const declared = Object.values(v1Document().paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(declared.filter((id) => !done.has(id))).toEqual([]); // a new operation: add its call to capture()
    const sorted = Object.fromEntries(Object.keys(captured).sort().map((k) => [k, captured[k]]));
    const text = `${stabilize(JSON.stringify(sorted, null, 2))}\n`;
    if (process.env.UPDATE_V1_EXAMPLES === "1") writeFileSync(FILE, text);
    expect(readFileSync(FILE, "utf8")).toBe(text); // stale: UPDATE_V1_EXAMPLES=1 npx jest test/v1/examples.test.ts
  });

  it("shows them in the document: every request body and every success response with a body carries its example", () => {
    type Media = { content?: Record<string, { example?: unknown }> };
    type Op = { operationId: string; requestBody?: Media; responses: Record<string, Media> };
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(v1Document().paths as Record<string, Record<string, Op>>)) {
      for (const [method, o] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (o.requestBody && o.requestBody.content?.["application/json"]?.example === undefined) missing.push(`${where}: request body`);
        for (const [status, r] of Object.entries(o.responses)) {
          if (Number(status) < 300 && r.content && r.content["application/json"]?.example === undefined) missing.push(`${where}: ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("holds no value that still looks random (a real id, token, secret, challenge or hash)", () => {
    const text = readFileSync(FILE, "utf8");
    // Samples: a counter in the first 4 hex digits (a role group adds its role in the last 2), or at the end.
    const leftovers = [...text.matchAll(/[0-9a-f]{32,}/g)].map((m) => m[0]).filter((hex) => !/^([0-9a-f]{4}0{26}[0-9a-f]{2})+$/.test(hex));
    expect(leftovers).toEqual([]);
    expect(text).not.toMatch(/oiv_(?!EXAMPLE)/);
    expect(text).not.toMatch(/osk_[0-9a-f]{32}_(?!EXAMPLE)/);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost/);
  });
});
