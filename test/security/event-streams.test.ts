/**
 * SCIM event streams (docs/events.md) attacked: a stream is a feed of every change to the
 * organization's users, groups and memberships, and a poll credential is a credential. It must not
 * outlive the right that made it: whoever made a stream with a token that is then revoked (a
 * leaked token found and revoked), or as an Administrator who is then demoted or removed, keeps
 * no feed of the organization, by poll or by push. Also: the outbound URL rule against every
 * spelling of a private address. Real HTTP, real SQLite store, real receivers on loopback.
 */
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { people } from "../authz/people";
import { makeStream, poll, startReceiver, until, type Receiver } from "../events/helpers";
import { accessToken, makeClient } from "../oauth/helpers";

jest.setTimeout(60_000);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ EVENTS_ALLOW_PRIVATE_RECEIVERS: "true", EVENTS_PUSH_INTERVAL_MS: "100", EVENTS_RETRY_BASE_MS: "50", EVENTS_POLL_WAIT_MS: "0" });
});
afterAll(async () => { await s.close(); });

const newUser = async (token: string, name: string) => {
  const r = await call("POST", `${s.scim}/Users`, token, userBody(`${name}-${Math.random().toString(36).slice(2, 8)}@acme.test`));
  if (r.status !== 201) throw new Error(`POST /Users answered ${r.status} ${r.text}`);
  return r.body.id as string;
};

/** A token acting for a new Administrator, and that Administrator's id. */
async function administrator(p: Awaited<ReturnType<typeof people>>) {
  const id = await p.mkUser("streamadmin", { [ORG_EXT]: { orgRole: "administrator" } });
  return { id, token: await p.tokenFor(id, ["scim", "admin"]) };
}

describe("a poll stream", () => {
  it("stops answering its credential (401) once the token that made it is revoked", async () => {
    const p = await people(s);
    const a = await administrator(p);
    const made = await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "leaked", scopes: ["admin"] });
    expect(made.status).toBe(201);
    const stream = await makeStream(s, made.body.token, { delivery: "poll" });
    await newUser(p.operator, "before");
    expect((await poll(s, stream.credential!)).status).toBe(200);
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${made.body.sid}`, p.operator)).status).toBe(204);
    await newUser(p.operator, "after");
    const r = await poll(s, stream.credential!);
    expect(r.status).toBe(401);
    expect(r.body.sets).toBeUndefined();
  });

  it("stops answering once the Administrator who made it is demoted to Standard User, or removed; the Owner's stream goes on", async () => {
    const p = await people(s);
    const demoted = await administrator(p);
    const removed = await administrator(p);
    const ownerToken = await p.tokenFor(p.owner, ["scim", "admin"]);
    const s1 = await makeStream(s, demoted.token, { delivery: "poll" });
    const s2 = await makeStream(s, removed.token, { delivery: "poll" });
    const s3 = await makeStream(s, ownerToken, { delivery: "poll" });
    expect((await v1("POST", `${s.url}/v1/Users/${demoted.id}`, p.operator, { org_role: "standard" })).status).toBe(200);
    expect((await v1("POST", `${s.url}/v1/Users/${removed.id}/Remove`, p.operator, { acknowledge: true })).status).toBe(200);
    await newUser(p.operator, "later");
    expect((await poll(s, s1.credential!)).status).toBe(401);
    expect((await poll(s, s2.credential!)).status).toBe(401);
    const owner = await poll(s, s3.credential!);
    expect(owner.status).toBe(200);
    expect(Object.keys(owner.body.sets).length).toBeGreaterThan(0);
  });
});

describe("a poll stream whose maker's token is rotated or expires", () => {
  it("keeps answering: expiry ends a token's use, not what it made (only revocation does)", async () => {
    const p = await people(s);
    const made = await v1("POST", `${s.url}/v1/Tokens`, p.operator, { friendly_name: "console", scopes: ["scim", "admin"] });
    const stream = await makeStream(s, made.body.token, { delivery: "poll" });
    const rotated = await v1("POST", `${s.url}/v1/Tokens/${made.body.sid}/Rotate`, made.body.token, { overlap_seconds: 0 });
    expect(rotated.status).toBe(201);
    expect((await call("GET", `${s.scim}/Users?count=1`, made.body.token)).status).toBe(401);
    await newUser(p.operator, "kept");
    const r = await poll(s, stream.credential!);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.sets).length).toBeGreaterThan(0);
  });
});

describe("a poll stream made with an OAuth access token", () => {
  it("stops answering once its client is deleted (the client's access tokens and what they made stop with it)", async () => {
    const p = await people(s);
    const client = await makeClient(s, p.operator, { scopes: ["scim", "admin"] });
    const access = await accessToken(client);
    const stream = await makeStream(s, access, { delivery: "poll" });
    await newUser(p.operator, "oauth");
    expect((await poll(s, stream.credential!)).status).toBe(200);
    expect((await v1("DELETE", `${s.url}/v1/OAuthClients/${client.id}`, p.operator)).status).toBe(204);
    expect((await poll(s, stream.credential!)).status).toBe(401);
  });
});

describe("a push stream", () => {
  let kept: Receiver;
  let orphan: Receiver;
  beforeEach(async () => { kept = await startReceiver(); orphan = await startReceiver(); });
  afterEach(async () => { await kept.close(); await orphan.close(); });

  it("sends nothing more once the token that made it is revoked, and says why on the stream", async () => {
    const p = await people(s);
    const a = await administrator(p);
    const made = await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "leaked", scopes: ["admin"] });
    const leaked = await makeStream(s, made.body.token, { delivery: "push", endpoint_url: orphan.url });
    const control = await makeStream(s, p.operator, { delivery: "push", endpoint_url: kept.url });
    await newUser(p.operator, "first");
    const owedTo = async (sid: string) => (await v1("GET", `${s.url}/v1/EventStreams/${sid}`, p.operator)).body.undelivered_count as number;
    await until("both receivers got the first change", async () => kept.received.length > 0 && orphan.received.length > 0 && (await owedTo(leaked.sid)) === 0 && (await owedTo(control.sid)) === 0);
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${made.body.sid}`, p.operator)).status).toBe(204);
    const before = { kept: kept.received.length, orphan: orphan.received.length };
    await newUser(p.operator, "second");
    await until("the control receiver got the second change", () => kept.received.length > before.kept);
    // Both streams are sent by the same passes: the control one got it, the orphaned one must not.
    await new Promise((r) => setTimeout(r, 300));
    expect(orphan.received.length).toBe(before.orphan);
    const owed = (await v1("GET", `${s.url}/v1/EventStreams/${leaked.sid}`, p.operator)).body;
    expect(owed.undelivered_count).toBeGreaterThan(0);
    await until("the reason on the stream", async () => /made it|revoked|may no longer/i.test(String((await v1("GET", `${s.url}/v1/EventStreams/${leaked.sid}`, p.operator)).body.first_undelivered?.last_error ?? "")));
    expect(control.sid).not.toBe(leaked.sid);
  });
});

describe("the outbound URL rule", () => {
  let listener: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    listener = createServer((c) => { connections++; c.destroy(); });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", () => r()));
    port = (listener.address() as AddressInfo).port;
  });
  afterAll(async () => { await new Promise((r) => listener.close(r)); });

  it("refuses every spelling of a loopback, private, link-local or unspecified receiver (400), and never connects to it", async () => {
    const strict = await startTestServer();
    try {
      const { token } = await strict.newOrg({ domainEnforcement: false });
      const urls = [
        `https://127.0.0.1:${port}/`, `https://127.1:${port}/`, `https://2130706433:${port}/`, `https://0x7f.0.0.1:${port}/`, `https://0177.0.0.1:${port}/`,
        `https://[::ffff:127.0.0.1]:${port}/`, `https://[::ffff:7f00:1]:${port}/`, `https://[::1]:${port}/`, `https://[::]:${port}/`, `https://0.0.0.0:${port}/`,
        `https://localhost:${port}/`, `https://LOCALHOST.:${port}/`, `https://a.localhost:${port}/`, `https://169.254.169.254/latest/meta-data/`,
        `https://[fd00::1]/`, `https://[fe80::1]/`, `https://10.0.0.1/`, `https://192.168.1.1/`, `https://172.31.255.255/`, `https://100.64.0.1/`,
        `https://[64:ff9b::7f00:1]/`, `http://example.com/`, `https://user:pass@example.com/`, `ftp://example.com/`, `https://intranet/`,
      ];
      for (const endpoint_url of urls) {
        const r = await v1("POST", `${strict.url}/v1/EventStreams`, token, { friendly_name: "x", delivery: "push", endpoint_url });
        expect({ endpoint_url, status: r.status }).toEqual({ endpoint_url, status: 400 });
      }
      expect((await v1("GET", `${strict.url}/v1/EventStreams`, token)).body.event_streams).toEqual([]);
      await call("POST", `${strict.scim}/Users`, token, userBody("ssrf@acme.test"));
      await new Promise((r) => setTimeout(r, 300));
      expect(connections).toBe(0);
    } finally {
      await strict.close();
    }
  });
});
