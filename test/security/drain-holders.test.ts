/**
 * Can a client hold a stopping server open? SIGTERM's drain (src/http/drain.ts) answers what is in
 * flight and waits for it up to SHUTDOWN_TIMEOUT_MS, then cuts what is left. Attacked with what a
 * client may legitimately hold: an RFC 8936 long poll (held up to EVENTS_POLL_WAIT_MS when nothing
 * is waiting: a receiver polling in a loop always has one in flight), and a request whose body is
 * trickled a byte at a time. Real HTTP, real SQLite store, the server's own stop().
 */
import { connect } from "node:net";
import { startTestServer } from "../helpers/server";
import { makeStream, poll } from "../events/helpers";

jest.setTimeout(90_000);

describe("a stopping server", () => {
  it("answers a long poll in flight at once (200, no SETs) instead of holding it until SHUTDOWN_TIMEOUT_MS cuts it", async () => {
    const s = await startTestServer({ EVENTS_POLL_WAIT_MS: "60000", SHUTDOWN_TIMEOUT_MS: "20000" });
    let stopped: Promise<void> | null = null;
    try {
      const { token } = await s.newOrg();
      const stream = await makeStream(s, token, { delivery: "poll" });
      const held = poll(s, stream.credential!, { returnImmediately: false }).then((r) => ({ status: r.status, body: r.body }), (e: Error) => ({ status: 0, body: String(e.cause ?? e) }));
      await new Promise((r) => setTimeout(r, 300)); // in flight (if not yet, the drain answers it the same way)
      const began = Date.now();
      stopped = s.running.stop();
      const answer = await held;
      expect(answer).toEqual({ status: 200, body: { sets: {}, moreAvailable: false } });
      // Answered by the drain, not by the timeout's cut: the cut closes the connection unanswered
      // (the answer above would be an error) and comes at 20 s; anything before it is the drain's,
      // however slow the machine (this bound was 15 s).
      expect(Date.now() - began).toBeLessThan(20_000);
      await stopped;
    } finally {
      await (stopped ?? Promise.resolve());
      await s.close();
    }
  });

  it("is not held past SHUTDOWN_TIMEOUT_MS by a client trickling a request body", async () => {
    const s = await startTestServer({ SHUTDOWN_TIMEOUT_MS: "3000", REQUEST_TIMEOUT_MS: "3600000" });
    const { token } = await s.newOrg();
    const url = new URL(s.url);
    const sock = connect(Number(url.port), url.hostname);
    await new Promise<void>((r) => sock.once("connect", () => r()));
    sock.on("error", () => undefined);
    sock.write(`POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n{`);
    const trickle = setInterval(() => { if (!sock.destroyed) sock.write(" "); }, 100);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const began = Date.now();
      await s.running.stop();
      const took = Date.now() - began;
      // The timeout, plus what a loaded machine adds; without a bound the stop would wait for the body forever.
      expect(took).toBeGreaterThanOrEqual(2_500);
      expect(took).toBeLessThan(60_000);
      await new Promise<void>((r) => (sock.destroyed ? r() : sock.once("close", () => r())));
    } finally {
      clearInterval(trickle);
      sock.destroy();
      await s.close();
    }
  });
});
