/**
 * POST /.search at the service root (RFC 7644 §3.4.3): one query over every resource type.
 * Users come first, then Groups; totals add up and startIndex/count page across both. A filter
 * naming an attribute one type does not have matches nothing of that type (RFC 7644 §3.4.2.1
 * does not make it an error at the root). Cursor paging is per resource type only.
 */
import { Router } from "express";
import { DomainError, Errors } from "../../domain/errors";
import { listGroups } from "../../domain/groups";
import { listUsers } from "../../domain/users";
import { listResponse } from "../../scim/discovery";
import { parseListRequest, type ListRequest } from "../../scim/list-request";
import { GROUPS, USERS, type ResourceType } from "../../scim/resource-types";
import { actorOf } from "../auth";
import { sendScim } from "./respond";
import { groupRenderer, type GroupRouteDeps } from "./groups-routes";
import { searchParams, userRenderer } from "./users-routes";

export function rootSearchRoutes(deps: GroupRouteDeps): Router {
  const render = { user: userRenderer(deps), group: groupRenderer(deps) };
  const r = Router();
  r.post("/.search", async (req, res) => {
    const params = searchParams(req.body);
    if (params.cursor !== undefined) throw Errors.invalidParameter("cursor", "cursor paging is per resource type: search /Users/.search or /Groups/.search.");
    const actor = actorOf(req);
    const parse = (type: ResourceType): ListRequest | null => {
      try {
        return parseListRequest(params, type, deps.maxResults);
      } catch (e) {
        // An attribute unknown to this type: this type contributes nothing.
        if (e instanceof DomainError && e.code === 2003) return null;
        throw e;
      }
    };
    const lu = parse(USERS);
    const lg = parse(GROUPS);
    if (!lu && !lg) parseListRequest(params, USERS, deps.maxResults); // rethrows the user-facing error
    const base = (lu ?? lg)!.query;
    const start = base.startIndex - 1;
    const count = base.count;
    const out: Record<string, unknown>[] = [];
    let total = 0;
    if (lu) {
      const page = await listUsers(deps, actor, { ...lu.query, startIndex: start + 1, count });
      total += page.total;
      for (const u of page.items) out.push(await render.user(req, u, lu.projection));
    }
    if (lg) {
      const usersTotal = total;
      const groupStart = Math.max(0, start - usersTotal);
      const room = count - out.length;
      const page = await listGroups(deps, actor, { ...lg.query, startIndex: groupStart + 1, count: Math.max(0, room) });
      total += page.total;
      for (const g of page.items) out.push(await render.group(req, g, lg.projection));
    }
    sendScim(res, 200, listResponse(out, { totalResults: total, itemsPerPage: out.length, startIndex: base.startIndex }));
  });
  return r;
}
