/** OAuth test helpers: a client made over /v1, and token requests as identity providers send them. */
import { randomBytes } from "node:crypto";
import { call, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

export interface Client { id: string; secret: string; tokenEndpoint: string }

/** POST /v1/OAuthClients with the admin token; fails the test unless it answers 201. */
export async function makeClient(s: TestServer, adminToken: string, body: Record<string, unknown> = {}): Promise<Client> {
  const r = await v1("POST", `${s.url}/v1/OAuthClients`, adminToken, { friendly_name: "Entra provisioning", scopes: ["scim"], ...body });
  if (r.status !== 201) throw new Error(`client not made: ${r.status} ${r.text}`);
  return { id: r.body.client_id, secret: r.body.client_secret, tokenEndpoint: r.body.token_endpoint };
}

/** A form POST to the token endpoint; `basic` sends the client's id and secret as HTTP Basic (client_secret_basic). */
export async function tokenRequest(url: string, form: Record<string, string | string[]>, opts: { basic?: [string, string]; headers?: Record<string, string> } = {}): Promise<Reply> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", ...opts.headers };
  if (opts.basic) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(opts.basic[0])}:${encodeURIComponent(opts.basic[1])}`).toString("base64")}`;
  return call("POST", url, null, p.toString(), headers);
}

/** client_secret_post, as Microsoft Entra's provisioning sends it. */
export async function exchange(c: Client, extra: Record<string, string> = {}): Promise<Reply> {
  return tokenRequest(c.tokenEndpoint, { grant_type: "client_credentials", client_id: c.id, client_secret: c.secret, ...extra });
}

export async function accessToken(c: Client, extra: Record<string, string> = {}): Promise<string> {
  const r = await exchange(c, extra);
  if (r.status !== 200) throw new Error(`no access token: ${r.status} ${r.text}`);
  return r.body.access_token as string;
}

export const uniqueDomain = (): string => `oauth-${randomBytes(5).toString("hex")}.test`;
