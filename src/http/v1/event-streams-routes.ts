/**
 * /v1/EventStreams: the organization's SCIM event streams (RFC 9967 receivers, docs/events.md).
 * A push stream names its receiver's https endpoint (the outbound URL rules apply); a poll stream
 * gets its poll credential in the create response only. Both get SETs signed with the key at
 * /events/jwks.json, with `aud` the stream's URL here.
 */
import type { Request } from "express";
import { z } from "zod";
import { createStream, deleteStream, listStreams, readStream } from "../../domain/events";
import type { EventStream, SecurityEventRecord } from "../../domain/events-model";
import { audienceOf } from "../../domain/events-push";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { originOf } from "./links";
import { PageMeta, pageOf, readPage } from "./paging";
import { route } from "./route";
import { named } from "./schemas";

const Undelivered = z.object({
  jti: z.string(),
  subject: z.string().describe("sub_id.uri: the resource the SET is about"),
  status: z.enum(["pending", "failed"]).describe("pending: still owed (push: retried after next_attempt; poll: answered until acknowledged); failed: the receiver refused it (push 400, poll setErrs)"),
  attempts: z.number().int(),
  next_attempt: z.string(),
  last_error: z.string().nullable(),
  date_created: z.string(),
});

export const EventStreamBody = named("EventStream", z.object({
  sid: z.string(),
  friendly_name: z.string(),
  delivery: z.enum(["push", "poll"]),
  endpoint_url: z.string().nullable().describe("push: where SETs are POSTed (RFC 8935); null for poll"),
  audience: z.string().describe("The `aud` of this stream's SETs"),
  issuer: z.string().describe("The `iss` of this stream's SETs when PUBLIC_URL is set (else the server's own URL)"),
  jwks_uri: z.string().describe("The public key the SETs are signed with (ES256)"),
  poll_url: z.string().nullable().describe("poll: where the receiver polls (RFC 8936); null for push"),
  date_created: z.string(),
  date_deleted: z.string().nullable(),
  created_by: z.string(),
}));
export const EventStreamDetail = named("EventStreamDetail", EventStreamBody.extend({
  undelivered_count: z.number().int().describe("How many SETs it is still owed or its receiver refused (counted up to 1,000)"),
  first_undelivered: Undelivered.nullable().describe("The oldest of them: for push, the one the stream's later SETs wait behind; null: none"),
}));
export const EventStreamCreated = named("EventStreamCreated", EventStreamBody.extend({
  poll_credential: z.string().nullable().describe("poll: the receiver's credential (Authorization: Bearer), shown only in this response; orgscim keeps only its hash"),
}));
export const EventStreamList = named("EventStreamList", z.object({ event_streams: z.array(EventStreamBody), meta: PageMeta }));
export const EventStreamCreate = named("EventStreamCreate", z.object({
  friendly_name: z.string().trim().min(1).max(100),
  delivery: z.enum(["push", "poll"]),
  endpoint_url: z.string().max(2000).optional().describe("push only: the receiver's https URL, on a public address"),
}).strict());

const sid = (req: Request) => String(req.params.sid);

export const eventStreamRoutes: V1Module = (r, registry, deps) => {
  const tag = "EventStreams";
  const toBody = (req: Request, s: EventStream): z.infer<typeof EventStreamBody> => {
    const origin = originOf(req);
    return {
      sid: s.id, friendly_name: s.name, delivery: s.delivery, endpoint_url: s.endpoint, audience: audienceOf(origin, s.id), issuer: origin,
      jwks_uri: `${origin}/events/jwks.json`, poll_url: s.delivery === "poll" ? `${origin}/events/poll` : null,
      date_created: s.created, date_deleted: s.deleted, created_by: s.createdBy,
    };
  };
  const undelivered = (e: SecurityEventRecord): z.infer<typeof Undelivered> => ({
    jti: e.jti, subject: e.subject, status: e.status, attempts: e.attempts, next_attempt: e.nextAttemptAt, last_error: e.lastError, date_created: e.created,
  });
  const eventDeps = { ...deps, allowPrivateReceivers: deps.allowPrivateReceivers === true };
  route(r, registry, { method: "get", operationId: "listEventStreams", path: "/EventStreams", summary: "The organization's SCIM event streams (RFC 9967 receivers), oldest first", tag, status: 200, response: EventStreamList, paged: true },
    async (req) => {
      const request = readPage(req);
      const { items, meta } = pageOf(req, request, "event_streams", await listStreams(eventDeps, actorOf(req)), (s) => `${s.created} ${s.id}`);
      return { event_streams: items.map((s) => toBody(req, s)), meta };
    });
  route(r, registry, {
    method: "post", operationId: "createEventStream", path: "/EventStreams", tag, status: 201, body: EventStreamCreate, response: EventStreamCreated,
    location: (s) => `/EventStreams/${s.sid}`,
    summary: "Add an event stream: every later change to the organization's users, groups and memberships becomes a signed SET for it, pushed to endpoint_url (RFC 8935) or polled (RFC 8936) with the poll credential in this response only",
  }, async (req, { body }) => {
    const made = await createStream(eventDeps, actorOf(req), { name: body.friendly_name, delivery: body.delivery, endpoint: body.endpoint_url ?? null });
    return { ...toBody(req, made.stream), poll_credential: made.pollCredential };
  });
  route(r, registry, { method: "get", operationId: "getEventStream", path: "/EventStreams/:sid", summary: "One event stream, with the SETs it is still owed or its receiver refused", tag, status: 200, response: EventStreamDetail },
    async (req) => {
      const { stream, pending } = await readStream(eventDeps, actorOf(req), sid(req));
      return { ...toBody(req, stream), undelivered_count: pending.length, first_undelivered: pending[0] ? undelivered(pending[0]) : null };
    });
  route(r, registry, { method: "delete", operationId: "deleteEventStream", path: "/EventStreams/:sid", summary: "Delete an event stream: no more SETs are written for it, and those it was owed are dropped", tag, status: 204 },
    async (req) => {
      await deleteStream(eventDeps, actorOf(req), sid(req));
      return undefined;
    });
};
