/**
 * The queue-depth rule at its boundary, with the default OVERLOAD_QUEUE_DEPTH and no timing: the
 * server is made to hold exactly N requests (POST /Users/.search whose body has not come yet:
 * reads, never shed themselves), then one write is sent. Held requests count from their arrival
 * until answered or gone (src/http/overload.ts), the write itself included: with the default depth
 * D, a write finding D - 1 others held is admitted, one finding D others is refused 429 (9009) and
 * creates nothing, and once they are gone the next write is admitted again.
 *
 * And the default itself, as a rule (issue 18, overload sheds instead of queueing): a server
 * holding 16 requests refuses the next write of the organization holding them, so an admitted
 * request never waits behind more than about twice the queue of ten connections (one event loop
 * at 100% CPU at ten connections already), while ten connections' worth held never sheds a write.
 */
import { loadConfig } from "../../src/config/config";
import { holdRequest } from "../helpers/hold-request";
import { call, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

const DEFAULT_DEPTH = loadConfig({}).OVERLOAD_QUEUE_DEPTH;
const user = (name: string) => ({ schemas: [USER_SCHEMA], userName: name, emails: [{ value: name, primary: true }] });

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer({ OVERLOAD_QUEUE_DEPTH: String(DEFAULT_DEPTH) });
  ({ token } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

async function holding<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const held = await Promise.all(Array.from({ length: n }, () => holdRequest(s.scim, token)));
  try {
    return await fn();
  } finally {
    for (const h of held) h.release();
  }
}

describe("OVERLOAD_QUEUE_DEPTH's default", () => {
  it("refuses a write with 429 (9009) when the server holds 16 requests of its organization", async () => {
    const r = await holding(16, () => call("POST", `${s.scim}/Users`, token, user("sixteen@acme.test")));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9009");
  });

  it("admits a write while the server holds 10 requests of its organization (ten connections are never shed by depth)", async () => {
    const r = await holding(10, () => call("POST", `${s.scim}/Users`, token, user("ten@acme.test")));
    expect(r.status).toBe(201);
  });
});

describe(`OVERLOAD_QUEUE_DEPTH at its default (${DEFAULT_DEPTH})`, () => {
  it("is a positive bound (0 would turn the rule off)", () => {
    expect(DEFAULT_DEPTH).toBeGreaterThan(0);
  });

  it("admits a write that finds one request fewer than the depth held", async () => {
    const r = await holding(DEFAULT_DEPTH - 1, () => call("POST", `${s.scim}/Users`, token, user("under@acme.test")));
    expect(r.status).toBe(201);
  });

  it("refuses a write that finds the depth held, with 429, Retry-After and 9009, creating nothing; the next one is admitted once they are gone", async () => {
    const r = await holding(DEFAULT_DEPTH, () => call("POST", `${s.scim}/Users`, token, user("over@acme.test")));
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("1");
    expect(r.headers.get("x-orgscim-error-code")).toBe("9009");
    expect(String(r.body.detail)).toMatch(/OVERLOAD_QUEUE_DEPTH/);
    const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "over@acme.test"')}`, token);
    expect(found.body.totalResults).toBe(0);
    // The held requests' clients are gone: their depth is given back when the server sees it.
    let again = await call("POST", `${s.scim}/Users`, token, user("over@acme.test"));
    for (let i = 0; again.status === 429 && i < 50; i++) {
      await new Promise((res) => setTimeout(res, 20));
      again = await call("POST", `${s.scim}/Users`, token, user("over@acme.test"));
    }
    expect(again.status).toBe(201);
  });
});
