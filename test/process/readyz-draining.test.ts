/**
 * /readyz answers 503 from the moment a drain starts (SIGTERM: src/server.ts stop()), so that a load
 * balancer still probing takes the instance out, while /healthz stays 200 and every request already
 * received is still answered. The server is the real one (startServer) in this process; a request
 * whose body is still arriving keeps the drain open while the probes are sent.
 */
import { connect, type Socket } from "node:net";
import { startTestServer, type TestServer } from "../helpers/server";
import { readPipelined } from "./drain-helpers";

let srv: TestServer;
let port: number;

beforeEach(async () => {
  srv = await startTestServer();
  port = srv.running.port;
});
afterEach(async () => { await srv.close(); });

async function open(): Promise<Socket> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((r, j) => { s.once("connect", r); s.once("error", j); });
  return s;
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe("/readyz while the server drains", () => {
  it("answers 200 before the signal, then 503 with Retry-After while draining, /healthz still 200, and the held request is answered", async () => {
    const { token } = await srv.newOrg({ domainEnforcement: false });
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);

    // A create whose body is still arriving: the drain must wait for it.
    const body = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "held@example.com" });
    const held = await open();
    const heldAnswer = readPipelined(held);
    held.write(`POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
    // Two connections made before the signal, each sending its probe just after it.
    const probe = await open();
    const probeAnswer = readPipelined(probe);
    const live = await open();
    const liveAnswer = readPipelined(live);
    await new Promise((r) => setTimeout(r, 50)); // the server has taken the three connections

    const stopped = srv.running.stop();
    probe.write(get("/readyz"));
    live.write(get("/healthz"));
    const [probed, alive] = await Promise.all([probeAnswer, liveAnswer]);
    expect(probed.error).toBeUndefined();
    expect(probed.answers).toHaveLength(1);
    expect(probed.answers[0]).toMatchObject({ status: 503, connection: "close" });
    expect(JSON.parse(probed.answers[0]!.body)).toMatchObject({ status: "draining" });
    expect(alive.answers.map((a) => a.status)).toEqual([200]);

    held.write(body.slice(10));
    const created = await heldAnswer;
    expect(created.error).toBeUndefined();
    expect(created.answers.map((a) => a.status)).toEqual([201]);
    await stopped;
  });
});
