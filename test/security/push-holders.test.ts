/**
 * A push receiver is a URL an organization's Administrator chose, so its answers are hostile input:
 * one that answers 202 and then trickles its body forever must hold neither the delivery of other
 * organizations' SETs (push passes have 8 workers each, at most 2 passes, 4 connections a receiver) nor a stopping server
 * (SIGTERM waits for the push passes). Real HTTP receivers on loopback, real SQLite store.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { call, startTestServer, userBody } from "../helpers/server";
import { makeStream, startReceiver, until } from "../events/helpers";

jest.setTimeout(120_000);

/** Answers 202 at once, then a byte of body every 500 ms, never ending it. */
async function tricklingReceiver(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  const open = new Set<ServerResponse>();
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(202, { "content-type": "text/plain" });
    open.add(res);
    const t = setInterval(() => res.write("."), 500);
    res.on("close", () => { clearInterval(t); open.delete(res); });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`,
    hits: () => hits,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

describe("a push receiver that never finishes its answer", () => {
  it("does not stop other organizations' SETs, and does not hold the server's stop", async () => {
    const s = await startTestServer({ EVENTS_ALLOW_PRIVATE_RECEIVERS: "true", EVENTS_PUSH_INTERVAL_MS: "100", EVENTS_RETRY_BASE_MS: "50" });
    const hostile = await tricklingReceiver();
    const good = await startReceiver();
    try {
      const a = await s.newOrg({ domainEnforcement: false });
      for (let i = 0; i < 20; i++) await makeStream(s, a.token, { delivery: "push", endpoint_url: hostile.url });
      const b = await s.newOrg({ domainEnforcement: false });
      await makeStream(s, b.token, { delivery: "push", endpoint_url: good.url });
      expect((await call("POST", `${s.scim}/Users`, a.token, userBody("hostile@acme.test"))).status).toBe(201);
      // Four connections at most per receiver (src/infra/set-push.ts): the other workers queue behind them.
      await until("the hostile receiver holding the push connections", () => hostile.hits() >= 4);
      expect((await call("POST", `${s.scim}/Users`, b.token, userBody("victim@acme.test"))).status).toBe(201);
      await until("the other organization's SET", () => good.received.length > 0, 60_000);
      const began = Date.now();
      await s.running.stop();
      expect(Date.now() - began).toBeLessThan(45_000);
    } finally {
      await hostile.close();
      await good.close();
      await s.close(); // after the hostile receiver closed, so an unfixed server can stop too
    }
  });
});
