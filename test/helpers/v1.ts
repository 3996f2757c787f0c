/** /v1 test helpers: calls with the Twilio-style conventions, and responses checked against the declared zod schemas. */
import type { z } from "zod";
import { call, type Reply } from "./server";

export async function v1(method: string, url: string, token: string | null, body?: unknown): Promise<Reply> {
  return call(method, url, token, body, body === undefined ? {} : { "content-type": "application/json" });
}

/** Asserts that a reply body matches the schema the route declares in /v1/openapi.json. */
export function conforms<T extends z.ZodType>(schema: T, reply: Reply): z.infer<T> {
  const r = schema.safeParse(reply.body);
  if (!r.success) throw new Error(`response does not match its declared schema: ${r.error.message}\n${reply.text.slice(0, 500)}`);
  return r.data;
}
