/**
 * The security headers (src/http/security-headers.ts) are written into Node's own header slot as one
 * pre-checked set: a response carries exactly the headers, in the same order and with the same
 * bytes, as when each is set with res.setHeader, whatever was set before them and whatever is set,
 * appended or removed after them; and what one response does to them never reaches the next.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { NextFunction, Request, Response } from "express";
import { OUT_HEADERS, securityHeaders, setSecurityHeaders, SECURITY_HEADERS } from "../../src/http/security-headers";

type Then = (res: ServerResponse) => void;

/** A server answering each request with `before`, the headers by `set`, then `after`. */
function serve(set: (res: ServerResponse) => void, before: Then, after: Then): Promise<Server> {
  const server = createServer((_req, res) => {
    before(res);
    set(res);
    after(res);
    res.end("{}");
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

function rawHeaders(server: Server): Promise<string[]> {
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, path: "/", agent: false }, (res: IncomingMessage) => {
      res.resume();
      // Name, value, name, value...; without the ones Node adds by the time of day and the connection.
      const nodes = /^(date|connection|keep-alive)$/i;
      res.on("end", () => ok(res.rawHeaders.filter((_, i) => !nodes.test(res.rawHeaders[i - (i % 2)]!))));
    });
    req.on("error", fail);
    req.end();
  });
}

const prebuilt = (res: ServerResponse) => securityHeaders({} as Request, res as unknown as Response, (() => undefined) as NextFunction);
const oneByOne = (res: ServerResponse) => setSecurityHeaders(res as unknown as Response);

const CASES: [string, Then, Then][] = [
  ["alone", () => undefined, () => undefined],
  ["after a header set before them", (res) => res.setHeader("X-Request-Id", "abc"), () => undefined],
  ["with one set again, one appended to and one removed after them", (res) => res.setHeader("X-Request-Id", "abc"), (res) => {
    res.setHeader("Cache-Control", "private");
    res.appendHeader("X-Frame-Options", "SAMEORIGIN");
    res.removeHeader("Referrer-Policy");
    res.setHeader("Content-Type", "application/scim+json; charset=utf-8");
  }],
];

describe("security headers", () => {
  it("are kept in Node's own header slot on this Node (the pre-built path is the one taken)", () => {
    expect(OUT_HEADERS).toBeDefined();
  });

  it.each(CASES)("%s: the same raw headers as set one by one", async (_name, before, after) => {
    const servers = [await serve(prebuilt, before, after), await serve(oneByOne, before, after)];
    try {
      const [fast, slow] = [await rawHeaders(servers[0]!), await rawHeaders(servers[1]!)];
      expect(fast).toEqual(slow);
      expect(fast).toEqual(expect.arrayContaining(["X-Content-Type-Options", "nosniff", "Strict-Transport-Security", "max-age=31536000; includeSubDomains"]));
    } finally {
      for (const s of servers) await new Promise((ok) => s.close(ok));
    }
  });

  it("each response has entries of its own: what one response appends is not on the next", async () => {
    let n = 0;
    const server = await serve(prebuilt, () => undefined, (res) => {
      if (n++ === 0) res.appendHeader("X-Frame-Options", "SAMEORIGIN");
    });
    try {
      const first = await rawHeaders(server);
      const second = await rawHeaders(server);
      expect(first.filter((h) => h === "X-Frame-Options")).toHaveLength(2);
      expect(second.filter((h) => h === "X-Frame-Options")).toHaveLength(1);
      expect(second).toEqual(SECURITY_HEADERS.flat().concat(["Content-Length", "2"]));
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});
