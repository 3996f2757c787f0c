/**
 * The SCIM router's routes dispatched flat (issue 18, deliver 2: "route dispatch for the SCIM hot
 * routes without nested-router cost"). express's router (router 2.x) walks a request through its
 * layers one `next` at a time, and builds for it a `next`, a `done`, a restore closure, a params
 * callback per layer entered, a match object per layer matched, then the route's own dispatch with
 * its own `next`. Here the registrations made on the SCIM router are also recorded, in order, and a
 * request whose method and path are plain is walked over that record by one small loop, in
 * express's order and with its rules:
 * - path-less middleware (`use`) runs for every request; a route runs when its method is the
 *   request's (or it was registered with `all`) and its path matches, its static segments without
 *   case (the router is case-insensitive); `req.params` and `req.route` are set for it;
 * - an error (thrown, passed to `next`, or a rejected promise) skips everything to the next error
 *   handler (four parameters), within the route first; routes are not entered with an error;
 * - `next("route")` leaves the route, `next("router")` and the end of the record leave the router
 *   (through setImmediate, as express does), back to what follows it at the mount, `req.params`
 *   and `req.next` restored.
 * Anything else goes to the router itself, which stays the one truth: HEAD and OPTIONS (whose
 * answers the router builds from every route of the path), a path with a trailing slash, an empty
 * segment, a percent-escape or any character outside [A-Za-z0-9._~:@-] (express would decode or
 * normalise it), and every request while express's request tracing channel has subscribers. A
 * registration the record cannot model (a `use` with a path, a route path with anything but plain
 * and `:name` segments, `route()` or `param()` called directly, a layer added another way) turns the
 * flat dispatch off for the whole router: `flat` says whether it is on (test/http/scim-dispatch
 * holds the SCIM router to it, and every path and method to the answers the router gave).
 */
import dc from "node:diagnostics_channel";
import type { NextFunction, Request, RequestHandler, Response, Router } from "express";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => unknown;

/** A segment of a route path: lower-cased static text, or a parameter's name. */
type Segment = { text: string } | { param: string };

interface UseStep {
  kind: "use";
  fn: Handler;
}

interface RouteStep {
  kind: "route";
  /** The request method it answers, upper case; "*" for `all`. */
  method: string;
  /** One pattern per path it was registered with (a path array gives several). */
  patterns: Segment[][];
  handlers: Handler[];
  /** The express Route, for req.route (route templates of the metrics, src/observability). */
  route: unknown;
}

type Step = UseStep | RouteStep;

const METHODS = ["get", "post", "put", "patch", "delete", "all"] as const;
export const FLAT_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);
/** A path the flat walk takes: plain segments, none empty, no trailing slash, nothing express would decode. */
export const PLAIN_PATH = /^(?:\/[A-Za-z0-9._~:@-]+)+$/;
const PATTERN = /^(?:\/(?:[A-Za-z0-9._~@-]+|:[A-Za-z_][A-Za-z0-9_]*))+$/;

const tracing = dc.tracingChannel("express.router.request");
/** Whether express's request tracing channel has subscribers (then every request goes through express itself). */
export const traced = (): boolean =>
  tracing.start.hasSubscribers || tracing.end.hasSubscribers || tracing.asyncStart.hasSubscribers || tracing.asyncEnd.hasSubscribers || tracing.error.hasSubscribers;

function compile(path: unknown): Segment[] | null {
  if (typeof path !== "string" || !PATTERN.test(path)) return null;
  return path.slice(1).split("/").map((s) => (s.startsWith(":") ? { param: s.slice(1) } : { text: s.toLowerCase() }));
}

/** The params of `parts` (a plain path's segments) under `pattern`, or null when it does not match. */
function matchPattern(pattern: Segment[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  let params: Record<string, string> | null = null;
  for (let k = 0; k < pattern.length; k++) {
    const seg = pattern[k]!;
    const part = parts[k]!;
    if ("text" in seg) {
      if (part.length !== seg.text.length || (part !== seg.text && part.toLowerCase() !== seg.text)) return null;
    } else {
      (params ??= {})[seg.param] = part;
    }
  }
  return params ?? {};
}

function matchRoute(step: RouteStep, parts: string[]): Record<string, string> | null {
  for (const pattern of step.patterns) {
    const params = matchPattern(pattern, parts);
    if (params) return params;
  }
  return null;
}

export const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";

export interface FlatRoutes {
  /** The mount's handler: the flat walk for a plain request, the router for any other. */
  /**
   * `stack` is the router's (what walkers of express's layers read: test/authz/routes lists the
   * routes through it), `router` the router itself.
   */
  dispatcher: RequestHandler & { router: Router; stack: Router["stack"]; flatRoutes: FlatRoutes };
  /** Whether every registration on the router was recorded (else every request goes to the router). */
  flat(): boolean;
  /** The route a flat walk would enter first for `method` and `path` (a test's question), or null. */
  routeFor(method: string, path: string): { patterns: string[]; params: Record<string, string> } | null;
}

/**
 * Records every registration made on `r` from now on (its use, get, post, put, patch, delete and
 * all are wrapped on this instance; each still registers on the router as before).
 */
export function flatRoutes(r: Router): FlatRoutes {
  const steps: Step[] = [];
  let broken = false;
  let layers = 0;
  const proto = Object.getPrototypeOf(r) as Record<string, Handler>;
  const self = r as unknown as Record<string, Handler> & { stack: unknown[] };
  const sources = new Map<RouteStep, string[]>();

  let registering: RouteStep | null = null;
  self.route = (path: unknown) => {
    const route = proto.route!.call(r, path);
    if (registering) registering.route = route;
    else broken = true;
    return route;
  };
  self.param = (...args: unknown[]) => {
    broken = true;
    return proto.param!.apply(r, args);
  };
  self.use = (...args: unknown[]) => {
    const fns = args.flat(Infinity);
    if (fns.length === 0 || !fns.every((f) => typeof f === "function")) broken = true;
    else for (const fn of fns) steps.push({ kind: "use", fn: fn as Handler });
    layers += fns.length;
    proto.use!.apply(r, args);
    return r;
  };
  for (const m of METHODS) {
    self[m] = (path: unknown, ...handlers: unknown[]) => {
      const paths = Array.isArray(path) ? (path as unknown[]) : [path];
      const patterns = paths.map(compile);
      const fns = handlers.flat(Infinity);
      const step: RouteStep = { kind: "route", method: m === "all" ? "*" : m.toUpperCase(), patterns: [], handlers: fns as Handler[], route: undefined };
      if (patterns.some((p) => p === null) || !fns.every((f) => typeof f === "function")) broken = true;
      else step.patterns = patterns as Segment[][];
      sources.set(step, paths.map(String));
      steps.push(step);
      layers += 1;
      registering = step;
      try {
        proto[m]!.call(r, path, ...handlers);
      } finally {
        registering = null;
      }
      return r;
    };
  }

  // A layer added by anything but the wrapped methods above: the record would miss it.
  const flat = (): boolean => !broken && self.stack.length === layers;

  function walk(req: Request, res: Response, out: NextFunction, parts: string[]): void {
    const parentParams = req.params;
    const parentNext = req.next;
    const method = req.method;
    let i = 0;
    let route: RouteStep | null = null;
    let h = 0;
    let routed = false;
    const exit = (err: unknown): void => {
      req.params = parentParams;
      req.next = parentNext;
      out(err);
    };
    const call = (fn: Handler, err: unknown): void => {
      try {
        const ret = err === undefined ? fn(req, res, next) : fn(err, req, res, next);
        if (isThenable(ret)) ret.then(undefined, (e: unknown) => next(e || new Error("Rejected promise")));
      } catch (e) {
        next(e);
      }
    };
    function next(e?: unknown): void {
      if (e === "router") return void setImmediate(exit, undefined);
      // As express: a falsy value is no error, and "route" leaves the route without one.
      const err = e === "route" || !e ? undefined : e;
      if (e === "route") route = null;
      if (route) {
        while (h < route.handlers.length) {
          const fn = route.handlers[h++]!;
          if (err === undefined ? fn.length <= 3 : fn.length === 4) return call(fn, err);
        }
        route = null;
      }
      while (i < steps.length) {
        const step = steps[i++]!;
        if (step.kind === "use") {
          if (err === undefined ? step.fn.length > 3 : step.fn.length !== 4) continue;
          if (routed) req.params = {};
          return call(step.fn, err);
        }
        if (err !== undefined || (step.method !== "*" && step.method !== method)) continue;
        const params = matchRoute(step, parts);
        if (!params) continue;
        req.route = step.route as Request["route"];
        req.params = params;
        routed = true;
        route = step;
        h = 0;
        return next();
      }
      setImmediate(exit, err);
    }
    req.next = next;
    next();
  }

  const dispatcher = ((req: Request, res: Response, out: NextFunction): void => {
    const url = req.url;
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (!FLAT_METHODS.has(req.method) || !PLAIN_PATH.test(path) || !flat() || traced()) return void r(req, res, out);
    walk(req, res, out, path.slice(1).split("/"));
  }) as FlatRoutes["dispatcher"];
  dispatcher.router = r;
  Object.defineProperty(dispatcher, "stack", { enumerable: true, get: () => r.stack });

  return (dispatcher.flatRoutes = {
    dispatcher,
    flat,
    routeFor: (method, path) => {
      if (!flat() || !PLAIN_PATH.test(path)) return null;
      const parts = path.slice(1).split("/");
      for (const step of steps) {
        if (step.kind !== "route" || (step.method !== "*" && step.method !== method)) continue;
        const params = matchRoute(step, parts);
        if (params) return { patterns: sources.get(step)!, params };
      }
      return null;
    },
  });
}
