/**
 * Capturing events costs nothing random where nobody listens: a user created in an organization
 * without a live event stream draws no random bytes for SETs (no txn, no jti), though the
 * transaction still notes its changes (every create joins the Standard User group). With a stream,
 * the same create's SETs share one txn of 16 random bytes and each has its own jti (RFC 9967 §2.2).
 * Real HTTP on a real SQLite store; the draws are counted by a spy on node:crypto's randomBytes,
 * those made from src/domain/events-capture.ts told apart by their stack.
 */
import crypto from "node:crypto";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { makeStream, pollAll } from "./helpers";

jest.setTimeout(60_000);

let s: TestServer;
let capturing = false;
let draws = 0;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "silent" });
  const original = crypto.randomBytes.bind(crypto) as (n: number) => Buffer;
  jest.spyOn(crypto, "randomBytes").mockImplementation(((n: number) => {
    if (capturing && /events-capture/.test(new Error().stack ?? "")) draws += 1;
    return original(n);
  }) as never);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await s.close();
});

async function create(token: string, userName: string): Promise<number> {
  draws = 0;
  capturing = true;
  try {
    expect((await call("POST", `${s.scim}/Users`, token, userBody(userName))).status).toBe(201);
  } finally {
    capturing = false;
  }
  return draws;
}

describe("events capture's random draws", () => {
  it("draws nothing for a user created in an organization without an event stream", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    expect(await create(token, "quiet@acme.test")).toBe(0);
  });

  it("draws one txn and a jti per SET when the organization has a stream, the create's SETs sharing the txn", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    expect(await create(token, "heard@acme.test")).toBe(3); // txn, the user's SET, the Standard User group's SET
    const sets = await pollAll(s, stream, 2);
    expect(sets.map((x) => x.payload.sub_id.uri.split("/")[1])).toEqual(["Users", "Groups"]);
    expect(sets[0]!.payload.txn).toMatch(/^[0-9a-f]{32}$/);
    expect(sets[1]!.payload.txn).toBe(sets[0]!.payload.txn);
    expect(sets[0]!.payload.jti).not.toBe(sets[1]!.payload.jti);
  });
});
