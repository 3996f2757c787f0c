/**
 * The queue depth (OVERLOAD_QUEUE_DEPTH): how many requests the server holds at once. One event
 * loop serves every request, so past its capacity the requests it holds wait for each other: each
 * turn of the loop takes as long as the requests read in it, and a request's latency is the length
 * of its turn (plus a group commit, src/store/sqlite/group-commit.ts). Bounding what is admitted
 * bounds that latency; ./write-shedding.ts answers the excess at once (429, code 9009), which
 * costs almost nothing, instead of letting it queue behind the rest.
 *
 * A request counts from its arrival (mounted before authentication and before any body is read)
 * until its answer is finished or its client has gone; one answered in the turn it arrived in
 * counts until the end of that turn, since it held the loop for that turn and the next requests
 * read in it waited behind it. Unlike the loop's delay (a smoothed signal that reacts a few
 * samples late), the depth is known exactly when a request arrives.
 *
 * How many: at ten requests held one event loop already runs at full CPU (the benchmark's
 * 10-connection writes use 98% of a core), so those ten wait for each other; a request admitted
 * beyond what keeps the loop busy adds its work to the wait of every request behind it and nothing
 * to throughput. ./admission-bound.ts measures what keeps it busy (it rises on a slow disk) and
 * never goes below OVERLOAD_QUEUE_DEPTH (default 12: ten connections' worth held never sheds a
 * write, test/http/overload-depth.test.ts; fifty connections are then served as about twelve, for
 * issue 18's accepted p99 at 50 connections within 2x of the 10-connection p99). What the server
 * has not read yet (a keep-alive connection's next request, still in its socket) is not counted:
 * it waits at most for the turn in progress, whose length the bound limits too: a turn admits only
 * what the held requests leave room for and refuses the rest at once (a refusal costs a fraction
 * of a write: see ./write-shedding.ts).
 *
 * Who holds them: a request counts for nobody (no organization: not yet authenticated, or a door
 * without a bearer token — the OAuth token endpoint, an event stream's poll) until write shedding
 * claims it for its token's organization (`claim`, after authentication). Shedding refuses a write
 * only to an organization holding at least its fair share of what organizations hold (`held`):
 * requests held open cost the server nothing, so another organization (or a client without a
 * token) holding the depth's worth open must not make every other organization's lone write "the
 * load". Nobody's requests are no organization's and no part of what `held` counts: counted as a
 * party of their own, clients without a token holding more requests than an organization took it
 * below its share, so its flood was never shed (F9, docs/security.md case 46).
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";

export interface RequestDepth {
  /** Mounted first (after the health routes): counts every request. */
  handler: RequestHandler;
  /** Requests held now. */
  depth(): number;
  /** From now on, `res`'s request is held by `org` (once its token is known); a second claim changes nothing. */
  claim(res: Response, org: string): void;
  /** `res`'s request no longer counts, though not answered yet: it was refused, and waits for nothing but a timer (./write-shedding.ts, pacing). */
  release(res: Response): void;
  /** How many requests `org` holds now, how many organizations hold any, and how many organizations hold in all (nobody's are not counted). */
  held(org: string): HeldBy;
}

export interface HeldBy {
  mine: number;
  /** Organizations holding at least one request (nobody is not one). */
  parties: number;
  /** Requests organizations hold: the depth less nobody's. */
  total: number;
}

/** Nobody's: a request not (yet) claimed by an organization. */
const NOBODY = "";

export function requestDepth(): RequestDepth {
  let depth = 0;
  /** Requests held now, by whoever holds them (entries of 0 removed, so its size is the parties). */
  const byParty = new Map<string, number>();
  const add = (party: string, n: number) => {
    const v = (byParty.get(party) ?? 0) + n;
    if (v > 0) byParty.set(party, v);
    else byParty.delete(party);
  };
  /** Turns of the event loop seen here: a turn ends (turn + 1) in the check phase after a request arrived. */
  let turn = 0;
  let turnEnding = false;
  /** Whose requests were answered in the turn they arrived in: given back when that turn ends. */
  let answeredThisTurn: string[] = [];
  const endTurn = () => {
    turnEnding = false;
    turn++;
    depth -= answeredThisTurn.length;
    for (const party of answeredThisTurn) add(party, -1);
    answeredThisTurn = [];
  };
  /** While held: the turn each request arrived in (gone once closed, so a late claim counts nothing). */
  const arrivedIn = new WeakMap<Response, number>();
  /** Whose each claimed request is (kept off the response: no property is added to it). */
  const partyOf = new WeakMap<Response, string>();
  /** `res`'s request stops counting (once: its close after a release counts nothing). */
  const leave = (res: Response): void => {
    const arrived = arrivedIn.get(res);
    if (arrived === undefined) return;
    const party = partyOf.get(res) ?? NOBODY;
    arrivedIn.delete(res);
    if (arrived === turn) answeredThisTurn.push(party);
    else {
      depth--;
      add(party, -1);
    }
  };
  function onClose(this: Response): void {
    leave(this);
  }
  return {
    depth: () => depth,
    claim: (res: Response, org: string) => {
      // Not after its close (a client gone during authentication), nor twice.
      if (org === NOBODY || !arrivedIn.has(res) || partyOf.has(res)) return;
      partyOf.set(res, org);
      add(NOBODY, -1);
      add(org, 1);
    },
    release: leave,
    held: (org: string) => {
      const nobody = byParty.get(NOBODY) ?? 0;
      return { mine: org === NOBODY ? 0 : byParty.get(org) ?? 0, parties: byParty.size - (nobody > 0 ? 1 : 0), total: depth - nobody };
    },
    handler: (_req: Request, res: Response, next: NextFunction) => {
      depth++;
      add(NOBODY, 1);
      if (!turnEnding) {
        turnEnding = true;
        setImmediate(endTurn);
      }
      arrivedIn.set(res, turn);
      res.once("close", onClose);
      next();
    },
  };
}
