/**
 * The OAuth 2.0 authorization server's two routes, at the server's root (docs/oauth.md):
 *
 * - `POST /oauth/token`: the client credentials grant (RFC 6749 §4.4), the client authenticated
 *   by `client_secret_basic` (HTTP Basic, RFC 6749 §2.3.1) or `client_secret_post` (the body),
 *   never both; answers per §5.1, errors per §5.2 (invalid_client: 401 with WWW-Authenticate),
 *   `Cache-Control: no-store` on every answer.
 * - `GET /.well-known/oauth-authorization-server`: the metadata of RFC 8414.
 *
 * Budgets: a failed client authentication spends one point of the address's failure budget (the
 * one failed bearer tokens spend, ../address-budget.ts), and an address over it is refused before
 * the client is looked up; each client may be issued OAUTH_TOKENS_PER_CLIENT_PER_MINUTE tokens a
 * minute (each issue is a write). Nothing here logs a secret: the request log redacts
 * Authorization, and bodies are never logged.
 */
import express, { Router, type NextFunction, type Request, type Response } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Clock } from "../../domain/clock";
import { authenticateClient, INVALID_CLIENT, issueAccessToken, type OAuthError } from "../../domain/oauth";
import type { Store } from "../../domain/ports/store";
import { SCOPES } from "../../domain/types";
import type { AuthFailureBudget } from "../address-budget";
import type { RateLimitHandler } from "../rate-limit";
import { toDomainError } from "../translate-error";
import { linkOrigin, originOf } from "../v1/links";
import { statusOf } from "../scim-errors";

export interface OAuthDeps {
  store: Store;
  clock: Clock;
  publicUrl: string | undefined;
  ttlSeconds: number;
  tokensPerClientPerMinute: number;
  /** The organizations' request budgets (../rate-limit.ts): a token request spends its client's organization's (docs/security.md case 58). */
  rateLimit?: Pick<RateLimitHandler, "forOrg">;
  authFailures?: AuthFailureBudget;
}

const FORM = "application/x-www-form-urlencoded";
const PARAMS = ["grant_type", "client_id", "client_secret", "scope", "resource"] as const;

/**
 * The issuer (RFC 8414) and the base of the resources a token may be asked for (RFC 8707): the
 * origin /v1's links use (../v1/links.ts): PUBLIC_URL, else the Host (forwarded headers only from
 * a proxy TRUST_PROXY trusts). Set PUBLIC_URL in production: the metadata then never depends on
 * the request.
 */
const issuerOf = (req: Request): string => originOf(req);

class TokenRequestError extends Error {
  constructor(readonly body: OAuthError, readonly basic = false) {
    super(body.description);
  }
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined and base64-encoded. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw new TokenRequestError({ error: "invalid_client", description: "The Basic credentials are not form-encoded (RFC 6749 §2.3.1)." }, true);
  }
}

/** The client's id and secret, from exactly one of the Authorization header (Basic) and the body. */
function clientCredentials(req: Request, body: Record<string, string>): { clientId: string; clientSecret: string; basic: boolean } {
  const header = req.headers.authorization;
  const inBody = body.client_secret !== undefined;
  if (header !== undefined) {
    const m = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m) throw new TokenRequestError({ error: "invalid_client", description: "The Authorization header must be Basic base64(client_id:client_secret) (client_secret_basic)." }, true);
    if (inBody) throw new TokenRequestError({ error: "invalid_request", description: "Send the client's secret in the Authorization header or in the body, not both (RFC 6749 §2.3)." });
    const decoded = Buffer.from(m[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new TokenRequestError({ error: "invalid_client", description: "The Basic credentials must be client_id:client_secret." }, true);
    const clientId = formDecode(decoded.slice(0, colon));
    if (body.client_id !== undefined && body.client_id !== clientId) throw new TokenRequestError({ error: "invalid_request", description: "client_id in the body differs from the one in the Authorization header." });
    return { clientId, clientSecret: formDecode(decoded.slice(colon + 1)), basic: true };
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    throw new TokenRequestError({ error: "invalid_client", description: "Authenticate the client: Authorization: Basic base64(client_id:client_secret), or client_id and client_secret in the body." });
  }
  return { clientId: body.client_id, clientSecret: body.client_secret, basic: false };
}

/** The body's parameters: each at most once (RFC 6749 §3.2), strings only, unknown ones ignored (§3.2). */
function formParams(req: Request): Record<string, string> {
  if (!req.is(FORM)) throw new TokenRequestError({ error: "invalid_request", description: `The token request must be ${FORM} (RFC 6749 §4.4.2).` });
  const raw = (req.body ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const name of PARAMS) {
    const v = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined;
    if (v === undefined) continue;
    if (typeof v !== "string") throw new TokenRequestError({ error: "invalid_request", description: `${name} is sent more than once (RFC 6749 §3.2).` });
    out[name] = v;
  }
  return out;
}

export function oauthRouter(deps: OAuthDeps): Router {
  const r = Router();
  const perClient = deps.tokensPerClientPerMinute > 0
    ? new RateLimiterMemory({ keyPrefix: "orgscim:oauth-token", points: deps.tokensPerClientPerMinute, duration: 60 })
    : null;
  const noStore = (res: Response) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
  };

  const origin = linkOrigin(deps.publicUrl);
  r.get("/.well-known/oauth-authorization-server", origin, (req, res) => {
    const issuer = issuerOf(req);
    res.json({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      grant_types_supported: ["client_credentials"],
      response_types_supported: [],
      scopes_supported: [...SCOPES],
      service_documentation: "https://github.com/orgscim/orgscim/blob/main/docs/oauth.md",
    });
  });

  const form = express.urlencoded({ extended: false, limit: "8kb", parameterLimit: 20, type: FORM });
  r.post("/oauth/token", origin, async (req, res, next) => {
    noStore(res);
    try {
      await new Promise<void>((resolve, reject) => form(req, res, (e?: unknown) => (e ? reject(e) : resolve())));
      const body = formParams(req);
      const creds = clientCredentials(req, body);
      // Over the address's failure budget: refused before the client is looked up, unless this client authenticated from here lately.
      const wait = deps.authFailures ? await deps.authFailures.blocked(req, () => creds.clientId) : null;
      if (wait !== null) {
        res.setHeader("Retry-After", String(wait));
        return void res.status(429).json({ error: "slow_down", error_description: `Too many failed client authentications from this address. Retry after ${wait} seconds.` });
      }
      if (body.grant_type === undefined) throw new TokenRequestError({ error: "invalid_request", description: "grant_type is missing: send grant_type=client_credentials." });
      if (body.grant_type !== "client_credentials") {
        throw new TokenRequestError({ error: "unsupported_grant_type", description: `This server issues tokens for grant_type=client_credentials only, not ${body.grant_type.slice(0, 50)}.` });
      }
      const issuer = issuerOf(req);
      const resources = new Map([[`${issuer}/scim/v2`, "/scim/v2"], [`${issuer}/v1`, "/v1"]]);
      const client = await authenticateClient(deps, creds.clientId, creds.clientSecret);
      if (!client) throw new TokenRequestError(INVALID_CLIENT, creds.basic);
      // Counted once the client authenticated: someone who knows a client's id cannot spend its budget.
      if (perClient) {
        try {
          await perClient.consume(client.id);
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          const after = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
          res.setHeader("Retry-After", String(after));
          return void res.status(429).json({ error: "slow_down", error_description: `This client asked for too many tokens this minute; reuse the one it has (it is valid for expires_in seconds). Retry after ${after} seconds.` });
        }
      }
      // And its organization's budget, shared with its tokens' requests: an organization's many clients are one organization.
      const over = deps.rateLimit ? await deps.rateLimit.forOrg(client.orgId) : null;
      if (over !== null) {
        req.refusal = "org_budget";
        res.setHeader("Retry-After", String(over));
        return void res.status(429).json({ error: "slow_down", error_description: `This client's organization's request budget is spent. Retry after ${over} seconds.` });
      }
      const out = await issueAccessToken(deps, client, {
        ...(body.scope !== undefined ? { scope: body.scope } : {}),
        ...(body.resource !== undefined ? { resource: body.resource } : {}),
      }, { ttlSeconds: deps.ttlSeconds, resources });
      if ("error" in out) throw new TokenRequestError(out, creds.basic);
      deps.authFailures?.succeeded(req, out.clientId);
      res.status(200).json({ access_token: out.accessToken, token_type: "Bearer", expires_in: out.expiresIn, scope: out.scopes.join(" ") });
    } catch (e) {
      next(e);
    }
  });

  r.use("/oauth", (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    noStore(res);
    if (err instanceof TokenRequestError) {
      if (err.body.error !== "invalid_client") return void res.status(400).json({ error: err.body.error, error_description: err.body.description });
      // RFC 6749 §5.2: 401, and WWW-Authenticate naming the scheme (Basic, the one this server takes in a header).
      res.setHeader("WWW-Authenticate", 'Basic realm="orgscim", charset="UTF-8"');
      const respond = () => res.status(401).json({ error: "invalid_client", error_description: err.body.description });
      if (!deps.authFailures) return void respond();
      return void deps.authFailures.failed(req).then(respond, respond);
    }
    const status = (err as { status?: number }).status;
    if (status === 413 || status === 400 || status === 415) {
      return void res.status(400).json({ error: "invalid_request", error_description: status === 413 ? "The token request is over 8 KB." : "The token request's body cannot be read as a form." });
    }
    const e = toDomainError(err);
    const code = statusOf(e);
    if (code >= 500) req.log?.error({ err: e.cause ?? e }, "token request failed");
    if (e.retryAfter !== undefined) res.setHeader("Retry-After", String(e.retryAfter));
    res.status(code).json({ error: code === 503 ? "temporarily_unavailable" : code < 500 ? "invalid_request" : "server_error", error_description: e.message });
  });
  return r;
}
