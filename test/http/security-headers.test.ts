/**
 * The security headers (src/http/security-headers.ts) are written into Node's own header slot as one
 * pre-checked set: a response carries exactly the headers, in the same order and with the same
 * bytes, as when each is set with res.setHeader, whatever was set before them and whatever is set,
 * appended or removed after them; and what one response does to them never reaches the next.
 */
import { createServer, IncomingMessage as NodeRequest, request, ServerResponse as NodeResponse, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import type { NextFunction, Request, Response } from "express";
import { headerSlot, OUT_HEADERS, securityHeaders, setSecurityHeaders, SECURITY_HEADERS } from "../../src/http/security-headers";

type Then = (res: ServerResponse) => void;

/** A response made without a server, for questions about its headers. */
class ServerResponseForTest extends NodeResponse {
  constructor() {
    super(new NodeRequest(new Socket()));
  }
}

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

/**
 * headerSlot (called by the request log before its first header) gives a response an ordinary
 * object for its headers instead of Node's null-prototype one: every way of reading, setting,
 * appending and removing headers answers the same, what goes on the wire is the same bytes in the
 * same order, and the slot inherits nothing (no name is a header that was not set).
 */
describe("the header slot made by headerSlot", () => {
  const slotFirst = (before: Then): Then => (res) => {
    headerSlot(res as unknown as Response);
    before(res);
  };

  it.each(CASES)("%s: the same raw headers as with Node's own slot", async (_name, before, after) => {
    const servers = [await serve(prebuilt, slotFirst(before), after), await serve(oneByOne, before, after)];
    try {
      const [fast, slow] = [await rawHeaders(servers[0]!), await rawHeaders(servers[1]!)];
      expect(fast).toEqual(slow);
    } finally {
      for (const s of servers) await new Promise((ok) => s.close(ok));
    }
  });

  it("a header named as an Object property (__proto__, constructor) is a header like any other", async () => {
    const odd = (res: ServerResponse) => {
      res.setHeader("__proto__", "p");
      res.setHeader("constructor", "c");
    };
    const servers = [await serve(prebuilt, slotFirst(odd), () => undefined), await serve(oneByOne, odd, () => undefined)];
    try {
      const [fast, slow] = [await rawHeaders(servers[0]!), await rawHeaders(servers[1]!)];
      expect(fast).toEqual(slow);
      expect(fast).toEqual(expect.arrayContaining(["__proto__", "p", "constructor", "c"]));
    } finally {
      for (const s of servers) await new Promise((ok) => s.close(ok));
    }
  });

  it("answers every header question as Node's own slot, and inherits no header", () => {
    const answers = (slot: boolean) => {
      const res = new ServerResponseForTest();
      if (slot) headerSlot(res as unknown as Response);
      const seen: unknown[] = [res.hasHeader("toString"), res.getHeader("constructor"), res.hasHeader("__proto__"), res.getHeaderNames()];
      res.setHeader("X-Request-Id", "abc");
      prebuilt(res);
      res.appendHeader("Cache-Control", "private");
      res.removeHeader("Referrer-Policy");
      seen.push(res.getHeaderNames(), res.getHeaders(), res.getHeader("cache-control"), res.hasHeader("x-frame-options"), res.hasHeader("referrer-policy"), res.hasHeader("valueOf"));
      return JSON.stringify(seen);
    };
    expect(answers(true)).toEqual(answers(false));
    const res = new ServerResponseForTest();
    headerSlot(res as unknown as Response);
    expect((res as unknown as Record<symbol, object>)[OUT_HEADERS!]).not.toBeNull();
  });
});

