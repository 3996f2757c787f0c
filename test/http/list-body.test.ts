/**
 * jsonArrayBody: the bytes of head + items joined by commas + tail for JSON texts (which hold no lone
 * surrogate: JSON.stringify escapes them), whatever their characters (1 to 4 UTF-8 bytes) and lengths;
 * for any strings, each piece's own bytes (a surrogate pair split between two pieces is not joined).
 */
import { EventEmitter } from "node:events";
import fc from "fast-check";
import type { Response } from "express";
import { jsonArrayBody, JsonBody } from "../../src/http/scim/list-body";
import { sendList, STRING_LIST_UNITS } from "../../src/http/scim/respond";
import { listResponse } from "../../src/scim/discovery";

const unit = fc.oneof(
  fc.constantFrom("a", "é", "€", "李", "😀", "\ud800", "\udc00", "\u0000", '"'),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const text = (maxLength: number) => fc.string({ unit, maxLength });

describe("jsonArrayBody", () => {
  it("writes the bytes of the joined JSON text, growing the buffer when the text before an item took more than a byte a unit", () => {
    const json = (n: number) => text(n).map((s) => JSON.stringify(s));
    fc.assert(fc.property(json(8), fc.array(json(40), { maxLength: 12 }), json(4), (head, items, tail) => {
      expect(jsonArrayBody(head, items, tail).bytes().equals(Buffer.from(`${head}${items.join(",")}${tail}`))).toBe(true);
    }), { numRuns: 3000 });
  });

  it("writes each piece's own bytes for any strings", () => {
    fc.assert(fc.property(text(8), fc.array(text(40), { maxLength: 12 }), text(4), (head, items, tail) => {
      const pieces = [head, ...items.flatMap((s, i) => (i > 0 ? [",", s] : [s])), tail].map((s) => Buffer.from(s));
      expect(jsonArrayBody(head, items, tail).bytes().equals(Buffer.concat(pieces))).toBe(true);
    }), { numRuns: 3000 });
  });

  it("writes long items of characters of 3 and 4 bytes after short ones (the room reserved is outgrown)", () => {
    const items = ["a", ..."李😀€".split("").map((c) => c.repeat(5000)), "x".repeat(10), "😀".repeat(3000)];
    expect(jsonArrayBody("[", items, "]").bytes().equals(Buffer.from(`[${items.join(",")}]`))).toBe(true);
    expect(jsonArrayBody("", [], "").bytes().length).toBe(0);
  });
});

describe("JsonBody's short pieces", () => {
  const odd = fc.oneof(text(12), text(300), fc.constantFrom("\u007f", "a\\b", 'q"', "\u001f", "x".repeat(256), "x".repeat(257), "é".repeat(300)));

  it("putShort writes a piece's own bytes, putJsonString those of jsonString (JSON.stringify) and of its text between the quotes, for any strings, after any piece", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom("put", "putShort", "json", "inner"), odd), { maxLength: 8 }), (pieces) => {
      const body = new JsonBody(0);
      const expected: Buffer[] = [];
      for (const [how, s] of pieces) {
        if (how === "put") body.put(s);
        else if (how === "putShort") body.putShort(s);
        else body.putJsonString(s, how === "json");
        expected.push(Buffer.from(how === "json" ? JSON.stringify(s) : how === "inner" ? JSON.stringify(s).slice(1, -1) : s));
      }
      expect(body.bytes().equals(Buffer.concat(expected))).toBe(true);
    }), { numRuns: 3000 });
  });
});

/**
 * JsonBody's buffers are kept for later bodies, but a buffer is taken again only after the response
 * it was sent with has finished (its bytes handed to the system), and a body sends only the bytes it
 * wrote, never what an earlier body left in the buffer after them.
 */
describe("JsonBody's kept buffers", () => {
  /** A response that records the bytes it was ended with, as a copy taken at the end (what a socket would send). */
  const response = () => {
    const res = Object.assign(new EventEmitter(), {
      sent: undefined as Buffer | undefined,
      end(b: Buffer) { res.sent = Buffer.from(b); },
    });
    return res;
  };
  const sent = (text: string, units = text.length) => {
    const body = new JsonBody(units);
    body.put(text);
    const res = response();
    const view = body.bytes();
    body.endWith(res as unknown as Response);
    return { res, view };
  };

  it("takes no buffer of a response not yet finished, and one of a finished response only after its finish", () => {
    const a = sent("a".repeat(5000));
    const b = sent("b".repeat(100));
    expect(b.view.buffer).not.toBe(a.view.buffer);
    a.res.emit("finish");
    const c = sent("c".repeat(10), 5000);
    // The finished one's buffer is taken again; its earlier bytes are never sent.
    expect(c.view.buffer).toBe(a.view.buffer);
    expect(c.res.sent!.toString()).toBe("c".repeat(10));
    expect(a.res.sent!.toString()).toBe("a".repeat(5000));
    // While c's response is not finished, its buffer is not given to another body.
    const d = sent("d".repeat(10), 5000);
    expect(d.view.buffer).not.toBe(c.view.buffer);
    expect(d.res.sent!.toString()).toBe("d".repeat(10));
  });

  it("never takes a buffer of a response that did not finish (closed before its bytes were written)", () => {
    const a = sent("x".repeat(3000));
    a.res.emit("close");
    for (let i = 0; i < 8; i++) expect(sent("y", 3000).view.buffer).not.toBe(a.view.buffer);
  });

  it("writes what is put, piece by piece, whatever the room first taken", () => {
    fc.assert(fc.property(fc.array(text(300), { maxLength: 20 }), fc.nat(4000), (pieces, units) => {
      const body = new JsonBody(units);
      for (const p of pieces) body.put(p);
      expect(body.bytes().equals(Buffer.concat(pieces.map((p) => Buffer.from(p))))).toBe(true);
      body.endWith(Object.assign(new EventEmitter(), { end() {} }) as unknown as Response);
    }), { numRuns: 500 });
  });
});

/**
 * sendList: a ListResponse's bytes are those of JSON.stringify(listResponse(items, extra)) whether it
 * is sent as one string (up to STRING_LIST_UNITS) or as a Buffer (longer), and either way Node is
 * handed one body to end the response with.
 */
describe("sendList", () => {
  const sent = (items: string[], extra: Record<string, unknown>) => {
    let body: unknown;
    const headers: Record<string, string> = {};
    let status = 0;
    const res = Object.assign(new EventEmitter(), {
      status(s: number) { status = s; return res; },
      setHeader(k: string, v: string) { headers[k.toLowerCase()] = v; return res; },
      end(b: unknown) { body = b; },
    });
    sendList(res as unknown as Response, items, extra);
    return { status, type: headers["content-type"], bytes: Buffer.from(body as string | Buffer), asString: typeof body === "string" };
  };
  const expected = (items: string[], extra: Record<string, unknown>) => Buffer.from(JSON.stringify(listResponse(items.map((s) => JSON.parse(s) as unknown), extra)));

  it("answers the bytes of the whole ListResponse, below and above the length sent as a string", () => {
    const user = (n: number) => JSON.stringify({ id: `U${n}`, userName: `u${n}@acme.test`, name: { formatted: "Zoë 李 😀 \"q\" \\ \u2028" }, pad: "x".repeat(n) });
    const cases: [string[], boolean][] = [
      [[], true],
      [[user(1)], true],
      [[user(10), user(20), user(30)], true],
      [[user(STRING_LIST_UNITS)], false],
      [Array.from({ length: 100 }, (_, i) => user(200 + i)), false],
    ];
    for (const [items, asString] of cases) {
      const extra = { totalResults: items.length, itemsPerPage: items.length, startIndex: 1 };
      expect(sent(items, extra)).toEqual({ status: 200, type: "application/scim+json; charset=utf-8", bytes: expected(items, extra), asString });
    }
  });
});
