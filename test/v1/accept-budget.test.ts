/**
 * POST /v1/Invitations/Accept, the one route without a bearer token, has a budget per client
 * address (INVITATION_ACCEPT_PER_MINUTE): over it, 429 with an integer Retry-After and the /v1
 * error body, before the body is read; another address keeps its own budget.
 */
import { ErrorBody } from "../../src/http/v1/openapi";
import { startTestServer, type TestServer } from "../helpers/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ INVITATION_ACCEPT_PER_MINUTE: "3", TRUST_PROXY: "1" });
});
afterAll(() => s.close());

const accept = (from: string) =>
  fetch(`${s.url}/v1/Invitations/Accept`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": from },
    body: JSON.stringify({ token: "oiv_not-a-real-token" }),
  });

describe("the accept route's budget per client address", () => {
  it("answers 429 with Retry-After after INVITATION_ACCEPT_PER_MINUTE tries from one address, and serves another address", async () => {
    for (let i = 0; i < 3; i++) {
      const r = await accept("203.0.113.7");
      expect(r.status).not.toBe(429); // an unknown token: refused on its merits
    }
    const over = await accept("203.0.113.7");
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(over.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = await over.json() as Record<string, unknown>;
    expect(ErrorBody.parse(body)).toMatchObject({ code: 9001, status: 429 });
    expect((await accept("198.51.100.2")).status).not.toBe(429);
  });
});
