/**
 * Refusal pacing (src/http/write-shedding.ts) answers a write refused again on a connection before
 * its last refusal's Retry-After when that passes: the request waits on a timer. A client that
 * pipelines refused writes on one connection (HTTP/1.1 lets it send them all without reading an
 * answer; a DELETE has no body to read) made each wait one Retry-After longer than the one before,
 * every one of them held with its timer, and since nothing was written to the connection, Node
 * never stopped reading it: the server took and kept as many as the client sent. Before pacing,
 * those answers queued on the connection and Node stopped reading it once they filled its buffer.
 * The rule (docs/security.md case 59): a connection has at most one paced refusal waiting; a write
 * refused on it meanwhile is answered at once, after it, in order, so the connection's own
 * backpressure bounds the rest. Real HTTP, real SQLite store.
 */
import { connect, type Socket } from "node:net";
import { holdMany, holdRaw, releaseAll, type Held } from "../helpers/hold";
import { startTestServer, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

const PIPELINED = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

let s: TestServer;
let token: string;
let held: Held[] = [];
beforeAll(async () => {
  s = await startTestServer({ OVERLOAD_QUEUE_DEPTH: "2" });
  ({ token } = await s.newOrg({ domainEnforcement: false }));
  // The organization holds more than the depth (bodies announced, never sent): its writes are refused (9009).
  held = await holdMany(3, () => holdRaw(s.url, "POST", "/scim/v2/Users", { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }));
});
afterAll(async () => {
  releaseAll(held);
  await s.close();
});

/** Sends `n` DELETEs on one connection at once; `answers()` counts the status lines read back so far. */
function pipeline(n: number): { socket: Socket; answers: () => string[] } {
  const u = new URL(s.url);
  const socket = connect(Number(u.port), u.hostname);
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => (text += d));
  socket.on("error", () => undefined);
  const one = `DELETE /scim/v2/Users/US00000000000000000000000000000000 HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`;
  socket.write(one.repeat(n));
  return { socket, answers: () => text.match(/HTTP\/1\.1 \d{3}/g) ?? [] };
}

describe("refused writes pipelined on one connection", () => {
  it("hold at most one paced refusal (one timer) whatever the client sends, and are all answered 429, in order", async () => {
    const before = timers();
    const p = pipeline(PIPELINED);
    try {
      for (let i = 0; i < 200 && p.answers().length === 0; i++) await sleep(10);
      expect(p.answers()[0]).toBe("HTTP/1.1 429"); // the first refusal on a connection is answered at once
      await sleep(300); // every request the server will read meanwhile is read
      // One paced refusal waits on its timer; the others are not each held with one of their own.
      expect(timers() - before).toBeLessThanOrEqual(10); // (a few for the server's own sockets and timers; the old pacing: one per request, 299)
      for (let i = 0; i < 500 && p.answers().length < PIPELINED; i++) await sleep(20);
      expect(p.answers()).toEqual(Array.from({ length: PIPELINED }, () => "HTTP/1.1 429"));
    } finally {
      p.socket.destroy();
    }
  });
});
