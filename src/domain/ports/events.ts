/** The store port for SCIM events (src/domain/events*.ts): part of Repos (./store.ts), optional there. */
import type { EventStream, SecurityEventRecord } from "../events-model";

/**
 * SCIM event streams and their undelivered SETs (src/domain/events*.ts). A row is deleted once its
 * receiver acknowledged it; what stays is what is still owed (pending) or was refused (failed).
 */
export interface EventRepo {
  insertStream(stream: EventStream): Promise<void>;
  /** Any organization's stream (the poll endpoint knows only the stream's credential); deleted ones too. */
  getStream(id: string): Promise<EventStream | null>;
  /** The organization's streams, deleted ones included, oldest first. */
  listStreams(orgId: string): Promise<EventStream[]>;
  /** The organization's live streams: those a change is written for. */
  listLiveStreams(orgId: string): Promise<EventStream[]>;
  /** Live push streams of every organization, for the delivery worker. */
  listPushStreams(): Promise<EventStream[]>;
  /** Marks the stream deleted and drops its SETs; false when it is not a live stream of orgId. */
  deleteStream(orgId: string, id: string, at: string): Promise<boolean>;
  /** Inserts SETs in the order given; the store numbers them (seq) after every SET inserted before. */
  append(events: SecurityEventRecord[]): Promise<void>;
  /** The stream's pending SETs in seq order, at most `limit`. */
  listPending(orgId: string, streamId: string, limit: number): Promise<SecurityEventRecord[]>;
  /** The stream's SETs of any status, in seq order, at most `limit` (operators and tests). */
  listEvents(orgId: string, streamId: string, limit: number): Promise<SecurityEventRecord[]>;
  /** Deletes the stream's SETs with these jti (acknowledged); answers how many there were. */
  ack(orgId: string, streamId: string, jtis: readonly string[]): Promise<number>;
  /** Records a delivery attempt's outcome (attempts, status, nextAttemptAt, lastError) of a SET still pending. */
  update(event: SecurityEventRecord): Promise<boolean>;
  /**
   * Reserves the stream for one delivery worker until `until`, when nobody holds it at `now`
   * (several instances on one store): a stream's SETs are sent by one worker at a time, in order.
   */
  lease(id: string, now: string, until: string): Promise<boolean>;
  /** Ends the lease (the worker is done with the stream for now). */
  release(id: string): Promise<void>;
}

