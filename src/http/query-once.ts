/**
 * `req.query` parsed once a request. Express 5 defines it as a getter on its request prototype that
 * parses the query string again at every read; authentication, passport, the routes and the
 * renderers read it four to seven times a request (test/http/query-once.test.ts). Here the
 * application's request prototype reads it through express's own getter the first time and keeps
 * what it answered in a slot every request is made with (./request-classes.ts: a property added
 * later would cost every request a new hidden class). The same parser ("query parser"), the same
 * answer; like express's, `req.query` cannot be assigned.
 */
import express from "express";

/** Where a request keeps its parsed query (declared by ./request-classes.ts). */
export const PARSED_QUERY: unique symbol = Symbol("orgscim.parsedQuery");

type Parsed = Record<string, unknown>;

const expressQuery = Object.getOwnPropertyDescriptor(express.request, "query")?.get as ((this: express.Request) => Parsed) | undefined;

export function parseQueryOnce(app: express.Express): void {
  const parse = expressQuery;
  if (!parse) throw new Error("express.request has no `query` getter: this express is not the 5.x src/http/query-once.ts was written for; check how it defines req.query and adapt that file");
  Object.defineProperty(app.request, "query", {
    configurable: true,
    enumerable: true,
    get(this: express.Request & { [PARSED_QUERY]?: Parsed }): Parsed {
      return (this[PARSED_QUERY] ??= parse.call(this));
    },
  });
}
