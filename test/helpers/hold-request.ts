/**
 * A request the server holds for as long as the test wants, with no timing involved (the overload
 * and shedding rules count what the server holds: src/http/overload.ts).
 */
import { connect } from "node:net";

/**
 * Holds one request in the server: a POST /Users/.search (a read: never shed) whose body is
 * announced and not sent, so it waits in the body parser. Resolves once the server has taken it
 * (Node answers `Expect: 100-continue` as it hands the request to express); `release` drops it.
 */
export function holdRequest(scim: string, token: string): Promise<{ release(): void }> {
  const u = new URL(`${scim}/Users/.search`);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`);
    });
    let head = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      head += d;
      if (/^HTTP\/1\.1 100 /.test(head)) resolve({ release: () => socket.destroy() });
      else if (/^HTTP\/1\.1 [2-5]/.test(head)) reject(new Error(`the held request was answered: ${head.slice(0, 200)}`));
    });
    socket.on("error", reject);
  });
}

