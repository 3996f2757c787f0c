/**
 * A busy server is not a slow client (src/http/timeouts.ts). Node checks HEADERS_TIMEOUT_MS and
 * REQUEST_TIMEOUT_MS on a timer that runs before the event loop reads its sockets again: after a
 * turn that held the loop past a timeout, requests that had arrived whole but were not read yet
 * were answered 408. Here the loop is held, in wall-clock time (the clock Node's check reads), past
 * both timeouts while whole requests wait unread in the kernel: on Node's own check every one of
 * them is answered 408 (the first two cases fail without checkAfterReads); with the check run after
 * the loop's next read, each is served. A client whose bytes have not come is still answered 408.
 * Nothing here depends on how fast the machine is: the hold only ends once the time has passed, and
 * the 408s awaited come whenever they come (the test's own timeout bounds a hang).
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { applyTimeouts } from "../../src/http/timeouts";

const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;

/** Holds the event loop until `ms` of wall-clock time have passed. */
function holdLoop(ms: number): void {
  const until = Date.now() + ms;
  let spins = 0;
  while (Date.now() < until) spins += 1;
  expect(spins).toBeGreaterThan(0);
}

let server: Server;
let port: number;
let accepted = 0;
const requested: Array<() => void> = [];

beforeAll(async () => {
  server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    requested.shift()?.();
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => res.end(`${req.method} ${req.url} ${body}`));
  });
  server.on("connection", () => (accepted += 1));
  applyTimeouts(server, { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Connects `n` raw sockets and waits until the server has taken each (their clocks have started). */
async function connected(n: number): Promise<Socket[]> {
  const before = accepted;
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<Socket>((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  })));
  while (accepted < before + n) await new Promise((r) => setImmediate(r));
  return sockets;
}

/** Everything the server sends on `s` until it closes, or its first line once it has answered. */
function reply(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => (text += d));
    s.on("error", () => undefined);
    s.on("close", () => resolve(text));
  });
}

describe("a request that arrived whole is never answered 408 because the server was busy", () => {
  it("serves whole requests that waited unread while the loop was held past both timeouts", async () => {
    const sockets = await connected(4);
    const replies = sockets.map(reply);
    sockets.forEach((s, i) => s.write(`GET /held/${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    holdLoop(2 * REQUEST_TIMEOUT_MS);
    const texts = await Promise.all(replies);
    expect(texts.map((t) => t.split("\r\n")[0])).toEqual(Array(4).fill("HTTP/1.1 200 OK"));
    texts.forEach((t, i) => expect(t.endsWith(`GET /held/${i} `)).toBe(true));
  });

  it("serves a request whose body arrived, unread, while the loop was held past REQUEST_TIMEOUT_MS after its headers were read", async () => {
    const [s] = (await connected(1)) as [Socket];
    const answered = reply(s);
    const headersRead = new Promise<void>((resolve) => requested.push(resolve));
    s.write("POST /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n");
    await headersRead; // the request's clock runs from here, its body still to come
    s.write("hello");
    holdLoop(2 * REQUEST_TIMEOUT_MS);
    const text = await answered;
    expect(text.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    expect(text.endsWith("POST /body hello")).toBe(true);
  });
});

describe("a client whose bytes have not come is still answered 408", () => {
  it("answers 408 and closes a connection whose headers stopped half way", async () => {
    const [s] = (await connected(1)) as [Socket];
    const answered = reply(s);
    s.write("GET /half HTTP/1.1\r\nHost: x\r\n");
    holdLoop(2 * REQUEST_TIMEOUT_MS); // the rest never comes, however long the loop is held
    expect((await answered).split("\r\n")[0]).toBe("HTTP/1.1 408 Request Timeout");
  });

  it("answers 408 and closes a connection whose body stopped half way", async () => {
    const [s] = (await connected(1)) as [Socket];
    const answered = reply(s);
    s.write("POST /half-body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
    expect((await answered).split("\r\n")[0]).toBe("HTTP/1.1 408 Request Timeout");
  });

  it("answers 408 and closes a connection that sends nothing", async () => {
    const [s] = (await connected(1)) as [Socket];
    expect((await reply(s)).split("\r\n")[0]).toBe("HTTP/1.1 408 Request Timeout");
  });
});
