/**
 * src/http/bearer-driver.ts drives a strategy as passport's own authenticate middleware does with
 * the options src/http/auth.ts gives it (no session, failWithError, assignProperty, no authInfo):
 * for every outcome a strategy can give (success, a failure with or without a status or a
 * challenge, an error, a pass, a redirect) and for passport-http-bearer with every shape of
 * Authorization header, both leave the same request, the same response (status, headers, end) and
 * call on with the same error (name, message, status).
 */
import { Strategy as BearerStrategy } from "passport-http-bearer";
import passport from "passport";
import type { NextFunction, Request, Response } from "express";
import { bearerDriver } from "../../src/http/bearer-driver";

const ACTOR = Symbol("actor");

/** A strategy whose outcome is the request's `x-outcome` header. */
class Scripted extends passport.Strategy {
  override name = "scripted";
  override authenticate(req: Request): void {
    const outcome = String(req.headers["x-outcome"]);
    const later = (f: () => void) => (req.headers["x-later"] ? setImmediate(f) : f());
    later(() => {
      if (outcome === "success") this.success({ id: "u1" }, { scope: "all" });
      else if (outcome === "fail") this.fail();
      else if (outcome === "fail-400") this.fail(400);
      else if (outcome === "fail-challenge") this.fail("Bearer realm=\"x\"");
      else if (outcome === "fail-challenge-403") this.fail("Bearer realm=\"x\"", 403);
      else if (outcome === "error") this.error(new Error("store down"));
      else if (outcome === "pass") this.pass();
      else if (outcome === "redirect") this.redirect("https://idp.test/", 303);
    });
  }
}

function authenticator(): passport.Authenticator {
  const p = new passport.Authenticator();
  p.use(new Scripted());
  p.use(new BearerStrategy((token, done) => {
    setImmediate(() => {
      if (token === "good") done(null, { id: "u2" });
      else if (token === "boom") done(new Error("verify failed"));
      else if (token === "message") done(null, false, "nope");
      else done(null, false);
    });
  }));
  return p;
}

interface Seen {
  called: string;
  err?: { name: string; message: string; status?: unknown } | string;
  actor: unknown;
  status: number;
  headers: Record<string, unknown>;
  ended: boolean;
  requestKeys: string[];
}

function fakeResponse(): Response & { headers: Record<string, unknown>; ended: boolean } {
  const headers: Record<string, unknown> = {};
  return {
    statusCode: 200,
    headers,
    ended: false,
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = value;
      return this;
    },
    end() {
      (this as { ended: boolean }).ended = true;
      return this;
    },
  } as unknown as Response & { headers: Record<string, unknown>; ended: boolean };
}

function describeErr(err: unknown): Seen["err"] {
  if (err === undefined) return undefined;
  if (err instanceof Error) return { name: err.name, message: err.message, status: (err as { status?: unknown }).status };
  return String(err);
}

/** One request through `drive`; resolves with what it left once it called on (or ended the response). */
function run(headers: Record<string, string>, drive: (req: Request, res: Response, done: (called: string, err?: unknown) => void) => void): Promise<Seen> {
  const req = { headers, query: {}, body: undefined } as unknown as Request & Record<symbol, unknown>;
  const res = fakeResponse();
  return new Promise((ok) => {
    const done = (called: string, err?: unknown) => ok({
      called, err: describeErr(err), actor: req[ACTOR], status: res.statusCode, headers: res.headers, ended: res.ended,
      requestKeys: Object.keys(req).sort().map((k) => `${k}:${typeof (req as unknown as Record<string, unknown>)[k]}`),
    });
    const end = res.end.bind(res);
    res.end = (() => {
      end();
      done("end");
      return res;
    }) as typeof res.end;
    drive(req, res, done);
  });
}

const viaPassport = (p: passport.Authenticator, name: string) => (req: Request, res: Response, done: (called: string, err?: unknown) => void) => {
  const mw = p.authenticate(name, { session: false, failWithError: true, authInfo: false, assignProperty: ACTOR as unknown as string }) as (req: Request, res: Response, next: NextFunction) => void;
  mw(req, res, (err?: unknown) => done("next", err));
};

const viaDriver = (p: passport.Authenticator, name: string) => {
  const drive = bearerDriver(p, name, ACTOR);
  return (req: Request, res: Response, done: (called: string, err?: unknown) => void) =>
    drive(req, res, () => done("next-unexpected"), (_req, _res, _next, err) => done("next", err));
};

const SCRIPTED = ["success", "fail", "fail-400", "fail-challenge", "fail-challenge-403", "error", "pass", "redirect"];
const BEARER: Array<[string, Record<string, string>]> = [
  ["a good token", { authorization: "Bearer good" }],
  ["a lower-case scheme", { authorization: "bearer good" }],
  ["an unknown token", { authorization: "Bearer bad" }],
  ["a refusal with a message", { authorization: "Bearer message" }],
  ["a verify error", { authorization: "Bearer boom" }],
  ["no header", {}],
  ["another scheme", { authorization: "Basic Zm9vOmJhcg==" }],
  ["three parts", { authorization: "Bearer good extra" }],
  ["an empty header", { authorization: "" }],
  ["a scheme alone", { authorization: "Bearer" }],
];

describe("the bearer driver does what passport's middleware does", () => {
  it.each(SCRIPTED.flatMap((o) => [[o, false], [o, true]] as Array<[string, boolean]>))("a strategy's %s (later: %s)", async (outcome, later) => {
    const headers: Record<string, string> = { "x-outcome": outcome, ...(later ? { "x-later": "1" } : {}) };
    const p = authenticator();
    const [a, b] = [await run(headers, viaPassport(p, "scripted")), await run(headers, viaDriver(p, "scripted"))];
    expect(b).toEqual(a);
    expect(a.called).toBe(outcome === "redirect" ? "end" : "next");
  });

  it.each(BEARER)("passport-http-bearer with %s", async (_name, headers) => {
    const p = authenticator();
    const [a, b] = [await run(headers, viaPassport(p, "bearer")), await run(headers, viaDriver(p, "bearer"))];
    expect(b).toEqual(a);
  });

  it("succeeds with the verified user and fails with passport's AuthenticationError", async () => {
    const p = authenticator();
    const good = await run({ authorization: "Bearer good" }, viaDriver(p, "bearer"));
    expect(good).toMatchObject({ called: "next", err: undefined, actor: { id: "u2" } });
    const bad = await run({ authorization: "Bearer bad" }, viaDriver(p, "bearer"));
    expect(bad).toMatchObject({ called: "next", err: { name: "AuthenticationError", message: "Unauthorized", status: 401 }, actor: undefined, status: 401 });
    expect(bad.headers["www-authenticate"]).toEqual(['Bearer realm="Users", error="invalid_token"']);
  });

  it("an unknown strategy is an error, as with passport", async () => {
    const p = authenticator();
    const a = await run({}, viaPassport(p, "nope"));
    const drive = bearerDriver(p, "nope", ACTOR);
    const b = await run({}, (req, res, done) => drive(req, res, (err?: unknown) => done("next", err), () => done("then")));
    expect(b).toEqual(a);
    expect(b.err).toEqual({ name: "Error", message: 'Unknown authentication strategy "nope"', status: undefined });
  });
});
