/** SCIM event test helpers: streams made over /v1, polls as an RFC 8936 receiver sends them, SETs verified with the published key. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, jwtVerify, type JWTPayload } from "jose";
import { call, type Reply, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

export interface Stream { sid: string; credential: string | null; audience: string; body: Record<string, unknown> }

export async function makeStream(s: TestServer, adminToken: string, body: Record<string, unknown>): Promise<Stream> {
  const r = await v1("POST", `${s.url}/v1/EventStreams`, adminToken, { friendly_name: "receiver", ...body });
  if (r.status !== 201) throw new Error(`stream not made: ${r.status} ${r.text}`);
  return { sid: r.body.sid, credential: r.body.poll_credential, audience: r.body.audience, body: r.body };
}

export async function poll(s: TestServer, credential: string, body: Record<string, unknown> = { returnImmediately: true }): Promise<Reply> {
  return call("POST", `${s.url}/events/poll`, credential, body, { "content-type": "application/json" });
}

export interface VerifiedSet { payload: JWTPayload & Record<string, any>; header: Record<string, unknown> } // eslint-disable-line @typescript-eslint/no-explicit-any -- SET claims are read as the test needs

/** Verifies a SET against the server's published JWKS (ES256, typ secevent+jwt). */
export async function verifySet(s: TestServer, jws: string, audience: string): Promise<VerifiedSet> {
  const jwks = (await (await fetch(`${s.url}/events/jwks.json`)).json()) as { keys: object[] };
  const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(jwks as never), { algorithms: ["ES256"], typ: "secevent+jwt", audience });
  return { payload: payload as VerifiedSet["payload"], header: protectedHeader as Record<string, unknown> };
}

/** Polls until `n` SETs were received (acknowledging each), or the time runs out; answers them verified, in order. */
export async function pollAll(s: TestServer, stream: Stream, n: number, timeoutMs = 60_000): Promise<VerifiedSet[]> {
  const got: VerifiedSet[] = [];
  const deadline = Date.now() + timeoutMs;
  let ack: string[] = [];
  while (got.length < n && Date.now() < deadline) {
    const r = await poll(s, stream.credential!, { returnImmediately: true, ack });
    if (r.status !== 200) throw new Error(`poll: ${r.status} ${r.text}`);
    ack = Object.keys(r.body.sets);
    for (const jws of Object.values(r.body.sets) as string[]) got.push(await verifySet(s, jws, stream.audience));
    if (ack.length === 0) await new Promise((res) => setTimeout(res, 50));
  }
  if (ack.length > 0) await poll(s, stream.credential!, { returnImmediately: true, maxEvents: 0, ack });
  return got;
}

/**
 * Acknowledges every SET the stream holds now: polls without waiting, acknowledging what each
 * answer brought, until one brings none. Answers how many it acknowledged.
 */
export async function drainAll(s: TestServer, stream: Stream): Promise<number> {
  let ack: string[] = [];
  let drained = 0;
  for (;;) {
    const r = await poll(s, stream.credential!, { returnImmediately: true, ack });
    if (r.status !== 200) throw new Error(`poll: ${r.status} ${r.text}`);
    ack = Object.keys(r.body.sets);
    if (ack.length === 0) return drained;
    drained += ack.length;
  }
}

/** A push receiver (RFC 8935) on loopback: records each SET; `answer` decides the status it gives. */
export interface Receiver {
  url: string;
  received: { at: number; set: string; contentType: string | undefined }[];
  answer: (set: string) => { status: number; body?: unknown };
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const rec: Receiver = {
    url: "",
    received: [],
    answer: () => ({ status: 202 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const set = Buffer.concat(chunks).toString("utf8");
      const a = rec.answer(set);
      if (a.status >= 200 && a.status < 300) rec.received.push({ at: Date.now(), set, contentType: req.headers["content-type"] });
      res.writeHead(a.status, a.body === undefined ? {} : { "content-type": "application/json" });
      res.end(a.body === undefined ? undefined : JSON.stringify(a.body));
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/receiver`;
  return rec;
}

export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  // 60 s: a timeout here only bounds a hang (a loaded machine delivers late, not never).
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

export const PROV = "urn:ietf:params:scim:event:prov:";
