/**
 * An organization's event streams (RFC 9967 receivers) and the poll side of delivery (RFC 8936).
 * Streams are configured through /v1/EventStreams (policy rows event_stream.*): push streams name
 * the receiver's endpoint, which must obey the outbound URL rules (./events-url.ts); poll streams
 * get a poll credential, shown once and kept as a SHA-256, which is the only thing the poll
 * endpoint accepts: it names its stream, and so its organization, and nothing else.
 */
import { randomBytes } from "node:crypto";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import type { EventStream, SecurityEventRecord } from "./events-model";
import { checkReceiverUrl } from "./events-url";
import { authorize, grantorMay, orgTarget } from "./policy";
import type { EventRepo, Store } from "./ports/store";
import { hashSecret, secretMatches } from "./tokens";

export interface EventDeps {
  store: Store;
  clock: Clock;
  /** EVENTS_ALLOW_PRIVATE_RECEIVERS: receivers on loopback, private addresses and plain http (tests, labs). */
  allowPrivateReceivers?: boolean;
}

export const STREAM_ID = /^ES[0-9a-f]{32}$/;
/** The poll credential: `oes_<stream id>_<secret>`. */
const POLL_CREDENTIAL = /^oes_(ES[0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
/** Compared against when the credential names no stream, so that a miss costs what a wrong secret costs. */
const DUMMY_HASH = hashSecret(randomBytes(32).toString("base64url"));

function repo(store: Pick<Store, "events">): EventRepo {
  if (!store.events) throw Errors.invalidValue("This store does not keep SCIM events (the SQLite and MongoDB stores do: docs/events.md).");
  return store.events;
}

export interface NewStream {
  stream: EventStream;
  /** poll: the credential, shown once. */
  pollCredential: string | null;
}

/** POST /v1/EventStreams. */
export async function createStream(deps: EventDeps, actor: Actor, input: { name: string; delivery: "push" | "poll"; endpoint?: string | null }): Promise<NewStream> {
  await authorize(deps, actor, { action: "event_stream.create", target: orgTarget(actor.org.id) });
  const events = repo(deps.store);
  let endpoint: string | null = null;
  if (input.delivery === "push") {
    if (!input.endpoint) throw Errors.invalidValue("A push stream needs endpoint_url: the receiver's URL (RFC 8935), https.");
    endpoint = checkReceiverUrl(input.endpoint, deps.allowPrivateReceivers === true);
  } else if (input.endpoint) {
    throw Errors.invalidValue("A poll stream has no endpoint_url: its receiver polls POST /events/poll. Leave endpoint_url out, or make a push stream.");
  }
  const id = `ES${randomBytes(16).toString("hex")}`;
  const secret = input.delivery === "poll" ? `oes_${id}_${randomBytes(32).toString("base64url")}` : null;
  const stream: EventStream = {
    id, orgId: actor.org.id, name: input.name, delivery: input.delivery, endpoint, pollSecretHash: secret ? hashSecret(secret) : null,
    created: isoNow(deps.clock), createdBy: actor.tokenId, deleted: null,
  };
  await deps.store.transaction(async (tx) => {
    await (tx.events ?? events).insertStream(stream);
    await tx.audit.append(auditEvent(deps.clock, actor, "event_stream.create", { type: "EventStream", id }, { after: { name: stream.name, delivery: stream.delivery, endpoint } }));
  });
  return { stream, pollCredential: secret };
}

export async function listStreams(deps: EventDeps, actor: Actor): Promise<EventStream[]> {
  await authorize(deps, actor, { action: "event_stream.list", target: orgTarget(actor.org.id) });
  return repo(deps.store).listStreams(actor.org.id);
}

async function liveStream(deps: EventDeps, actor: Actor, id: string): Promise<EventStream> {
  const stream = STREAM_ID.test(id) ? await repo(deps.store).getStream(id) : null;
  if (!stream || stream.orgId !== actor.org.id || stream.deleted) throw Errors.eventStreamNotFound(id);
  return stream;
}

/** GET /v1/EventStreams/:sid with how many SETs it is still owed. */
export async function readStream(deps: EventDeps, actor: Actor, id: string): Promise<{ stream: EventStream; pending: SecurityEventRecord[] }> {
  await authorize(deps, actor, { action: "event_stream.read", target: orgTarget(actor.org.id) });
  const stream = await liveStream(deps, actor, id);
  return { stream, pending: await repo(deps.store).listEvents(actor.org.id, id, 1000) };
}

/** DELETE /v1/EventStreams/:sid: no more SETs are written for it, and those it was owed are dropped. */
export async function deleteStream(deps: EventDeps, actor: Actor, id: string): Promise<void> {
  await authorize(deps, actor, { action: "event_stream.delete", target: orgTarget(actor.org.id) });
  await liveStream(deps, actor, id);
  await deps.store.transaction(async (tx) => {
    if (!(await repo(tx).deleteStream(actor.org.id, id, isoNow(deps.clock)))) throw Errors.eventStreamNotFound(id);
    await tx.audit.append(auditEvent(deps.clock, actor, "event_stream.delete", { type: "EventStream", id }));
  });
}

// ---------- poll (RFC 8936) ----------

/**
 * Whether whoever made the stream may still have it: the token that made it (created_by) still
 * authenticates (not revoked, nor any token up its chain; its user, and the user who made it,
 * still active in the organization) and may still read the organization's streams
 * (event_stream.read: an Owner or Administrator). A stream is a feed of every change to the
 * organization and its poll credential a credential: like a token a token made, it must not outlive
 * the right that made it (a leaked token revoked, an Administrator demoted or removed). Made by the
 * operator (or an in-process actor whose token is not stored): the operator's.
 */
export async function streamMakerMay(store: Store, stream: EventStream): Promise<boolean> {
  const org = await store.orgs.get(stream.orgId);
  if (!org) return false;
  const grantor = (await store.tokens.get(stream.createdBy)) ? stream.createdBy : "operator";
  return grantorMay(store, org, grantor, [{ action: "event_stream.read", target: orgTarget(org.id) }]);
}

/** What a stream whose maker may no longer have it shows as its first undelivered SET's last error. */
export const MAKER_GONE = "not sent: whoever made this stream may no longer have it (the token that made it, or one up its chain, was revoked, or its user was demoted, suspended or removed). An Owner or Administrator deletes it and makes it again.";

/** The live poll stream a credential opens, or null (unknown, wrong secret, deleted, push, its maker's right gone): one answer for all. */
export async function openPollStream(store: Store, credential: string): Promise<EventStream | null> {
  const m = POLL_CREDENTIAL.exec(credential);
  const stream = m && store.events ? await store.events.getStream(m[1]!) : null;
  const ok = secretMatches(credential, stream?.pollSecretHash ?? DUMMY_HASH);
  if (!ok || !stream || stream.deleted || stream.delivery !== "poll") return null;
  return (await streamMakerMay(store, stream)) ? stream : null;
}

/**
 * Whether the poll stream a credential opened (openPollStream) would still be opened by it now: a
 * held poll asks again once it is woken, for its maker's right (or the stream) may have gone while
 * it waited (docs/security.md case 91).
 */
export async function pollStreamStillOpen(store: Store, opened: EventStream): Promise<boolean> {
  const stream = store.events ? await store.events.getStream(opened.id) : null;
  if (!stream || stream.deleted || stream.delivery !== "poll" || stream.pollSecretHash !== opened.pollSecretHash) return false;
  return streamMakerMay(store, stream);
}

/** RFC 8936 §2.4: a poll request, once its body was read. */
export interface PollRequest {
  maxEvents?: number;
  returnImmediately?: boolean;
  ack?: string[];
  setErrs?: Record<string, { err: string; description?: string }>;
}

/** The most SETs one poll answers, whatever maxEvents asks. */
export const POLL_MAX_EVENTS = 500;

/**
 * Acknowledges (ack) and records the receiver's errors (setErrs: the SET is kept as failed, with
 * the receiver's err, for an operator), then answers up to maxEvents pending SETs in order.
 * Unacknowledged SETs are answered again at the next poll (RFC 8936 §2.2: at least once).
 */
export async function pollOnce(store: Store, stream: EventStream, req: PollRequest): Promise<{ sets: SecurityEventRecord[]; moreAvailable: boolean }> {
  const events = repo(store);
  const acks = req.ack ?? [];
  const errs = Object.entries(req.setErrs ?? {});
  if (acks.length > 0 || errs.length > 0) {
    await store.transaction(async (tx) => {
      const ev = tx.events ?? events;
      if (acks.length > 0) await ev.ack(stream.orgId, stream.id, acks);
      if (errs.length > 0) {
        const pending = await ev.listPending(stream.orgId, stream.id, POLL_MAX_EVENTS);
        for (const [jti, e] of errs) {
          const row = pending.find((p) => p.jti === jti);
          if (row) await ev.update({ ...row, status: "failed", lastError: `${e.err}: ${e.description ?? ""}`.slice(0, 500) });
        }
      }
    });
  }
  const max = Math.min(req.maxEvents ?? POLL_MAX_EVENTS, POLL_MAX_EVENTS);
  if (max <= 0) return { sets: [], moreAvailable: (await events.listPending(stream.orgId, stream.id, 1)).length > 0 };
  const rows = await events.listPending(stream.orgId, stream.id, max + 1);
  // No SET leaves for a change a power cut could still undo (a commit is readable before its fsync: docs/stores.md, Durability).
  if (rows.length > 0) await store.durable?.();
  return { sets: rows.slice(0, max), moreAvailable: rows.length > max };
}
