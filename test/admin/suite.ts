/**
 * How a browser test file of the Admin Center usually starts: the server and Chromium
 * (./browser.ts adminEnv), a session per test closed and checked after it (`open()`: no request
 * to another origin, no script error or CSP violation), and a new organization with helpers to
 * fill it over the real APIs (`org()`).
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody, type Reply } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, openSession, type AdminEnv, type Session } from "./browser";

export interface BrowserOrg {
  org: { id: string };
  /** The organization's token (scopes scim and admin, acting for no user). */
  token: string;
  /** A random tag in every name made here, so tests sharing a server never collide. */
  tag: string;
  /** Makes `<local>-<tag>@acme.test` over SCIM (201 expected) and answers its id; `over` adds to the resource. */
  mk(local: string, over?: Record<string, unknown>, token?: string): Promise<string>;
  /** A /v1 call (`path` after /v1), with the organization's token unless another is given. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<Reply>;
  /** A token of the organization acting for `userId` (scope admin unless said), made through the domain. */
  tokenFor(userId: string, scopes?: ("admin" | "scim")[]): Promise<string>;
}

export function browserSuite(...args: Parameters<typeof adminEnv>): { env: AdminEnv; open(): Promise<Session>; org(): Promise<BrowserOrg> } {
  const env = adminEnv(...args);
  const sessions: Session[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });
  return {
    env,
    async open() {
      const s = await openSession(env);
      sessions.push(s);
      return s;
    },
    async org() {
      const o = await env.server.newOrg({ domainEnforcement: false });
      const tag = Math.random().toString(36).slice(2, 8);
      return {
        ...o,
        tag,
        async mk(local, over = {}, token = o.token) {
          const r = await call("POST", `${env.server.scim}/Users`, token, userBody(`${local}-${tag}@acme.test`, over));
          expect(r.status).toBe(201);
          return r.body.id as string;
        },
        api: (method, path, body, token = o.token) => v1(method, `${env.server.url}/v1${path}`, token, body),
        async tokenFor(userId, scopes = ["admin"]) {
          return (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: `for ${userId}`, scopes, userId })).plaintext;
        },
      };
    },
  };
}
