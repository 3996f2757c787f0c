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
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";

export interface RequestDepth {
  /** Mounted first (after the health routes): counts every request. */
  handler: RequestHandler;
  /** Requests held now. */
  depth(): number;
}

export function requestDepth(): RequestDepth {
  let depth = 0;
  /** Turns of the event loop seen here: a turn ends (turn + 1) in the check phase after a request arrived. */
  let turn = 0;
  let turnEnding = false;
  /** Requests answered in the turn they arrived in: given back when that turn ends. */
  let answeredThisTurn = 0;
  const endTurn = () => {
    turnEnding = false;
    turn++;
    depth -= answeredThisTurn;
    answeredThisTurn = 0;
  };
  const arrivedIn = new WeakMap<Response, number>();
  function onClose(this: Response): void {
    if (arrivedIn.get(this) === turn) answeredThisTurn++;
    else depth--;
  }
  return {
    depth: () => depth,
    handler: (_req: Request, res: Response, next: NextFunction) => {
      depth++;
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
