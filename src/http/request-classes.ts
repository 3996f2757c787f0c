/**
 * The classes the server makes each request and response with (http.createServer's
 * `IncomingMessage` and `ServerResponse` options): Node's own, with every property that express,
 * its router, passport, body-parser and orgscim's middleware add to a request or a response
 * declared when it is made, holding what it would read as before it is set (`undefined`; the
 * defaults their prototypes hold for `_eventsCount`, `statusCode` and `statusMessage`).
 *
 * Why: express gives every request and response its application's prototype as it enters
 * (Object.setPrototypeOf in app.handle), and V8 keeps no shared hidden class for an object whose
 * prototype was changed after it was made: every property added to it afterwards builds a new
 * hidden class and copies its descriptors, kilobytes of garbage a property, about twenty a
 * lookup, most of what it allocated (`node bench/request-cpu.mjs --alloc`, bench/README.md).
 * Declared at construction, the same properties are only written, and every request keeps one
 * hidden class. test/http/request-classes.test.ts fails when a request on the hot read path gains
 * a property not declared here: add it to the list.
 */
import { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { CLIENT_ADDRESS } from "./address-budget";
import { BEARER_ACTOR } from "./auth";
import { CHILD, LOGGER, STARTED } from "./logging";
import { PARSED_QUERY } from "./query-once";

/** The symbol the router (express's own copy) keys a request's matched route by; a fresh one if it moved. */
function routerMatchedRoute(): symbol {
  try {
    const symbols = createRequire(require.resolve("express"))("router/lib/symbols") as { matchedRoute?: unknown };
    if (typeof symbols.matchedRoute === "symbol") return symbols.matchedRoute;
  } catch {
    // not where router 2.x keeps it: the router adds its property itself, as before
  }
  return Symbol("router.matchedRoute (not found)");
}
declare const _matchedRoute: unique symbol;
const MATCHED_ROUTE = routerMatchedRoute() as typeof _matchedRoute;
/** Where the router notes the errors it passed on (a registered symbol: Symbol.for). */
declare const _publishedErrors: unique symbol;
const PUBLISHED_ERRORS = Symbol.for("router.tracing.publishedErrors") as typeof _publishedErrors;

export class OrgscimRequest extends IncomingMessage {
  // EventEmitter: the count its prototype holds (0) until a listener is added.
  _eventsCount = 0;
  // express and its router.
  res = undefined;
  next = undefined;
  baseUrl = undefined;
  originalUrl = undefined;
  _parsedUrl = undefined;
  params = undefined;
  route = undefined;
  [MATCHED_ROUTE] = undefined;
  [PUBLISHED_ERRORS] = undefined;
  // passport's authenticate middleware.
  login = undefined;
  logIn = undefined;
  logout = undefined;
  logOut = undefined;
  isAuthenticated = undefined;
  isUnauthenticated = undefined;
  _sessionManager = undefined;
  // body-parser.
  body = undefined;
  _body = undefined;
  // orgscim: ./query-once.ts, ./logging.ts, ./auth.ts, ./address-budget.ts, ./refusal.ts, src/observability.
  [PARSED_QUERY] = undefined;
  id = undefined;
  actor = undefined;
  refusal = undefined;
  traceId = undefined;
  routeTemplate = undefined;
  [LOGGER] = undefined;
  [CHILD] = undefined;
  [BEARER_ACTOR] = undefined;
  [CLIENT_ADDRESS] = undefined;
}

export class OrgscimResponse extends ServerResponse {
  // Node: what its prototype holds until a status is set.
  override statusCode = 200;
  override statusMessage = undefined as unknown as string;
  // express.
  locals = undefined;
  // ./logging.ts.
  [STARTED] = undefined;
  [LOGGER] = undefined;
}

/** What a server's classes take their prototypes from: an express application (its `request` and `response`). */
export interface PrototypeSource {
  request: object;
  response: object;
}

export interface ServerClasses {
  IncomingMessage: typeof OrgscimRequest;
  ServerResponse: typeof OrgscimResponse;
  /**
   * Makes every request and response this server makes from now on born with `app`'s prototypes
   * above its own class's (empty) prototype, so that the application's walk (./app-front.ts) need
   * not change a prototype at each request: Object.setPrototypeOf on every request and response
   * was the largest part of what express costs over node:http (bench/README.md, "What this machine
   * allows"). Called once, when the server's application is built (src/server.ts).
   */
  adopt(app: PrototypeSource): void;
}

/** A server's own request and response classes (one pair a server: each adopts its own application). */
export function serverClasses(): ServerClasses {
  class ServerRequest extends OrgscimRequest {}
  class ServerReply extends OrgscimResponse {}
  return {
    IncomingMessage: ServerRequest,
    ServerResponse: ServerReply,
    adopt(app) {
      Object.setPrototypeOf(ServerRequest.prototype, app.request);
      Object.setPrototypeOf(ServerReply.prototype, app.response);
    },
  };
}

/** Whether `o` was born with `proto` above its own class's prototype (a server's classes adopted it). */
export const bornWith = (o: object, proto: object): boolean => Object.getPrototypeOf(Object.getPrototypeOf(o)) === proto;
