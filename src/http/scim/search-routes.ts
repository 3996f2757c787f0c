/**
 * POST /.search at the service root (RFC 7644 §3.4.3): one query over every resource type.
 * Users come first, then Groups; totals add up and startIndex/count page across both. A filter
 * naming an attribute one type does not have matches nothing of that type (RFC 7644 §3.4.2.1
 * does not make it an error at the root); `attributes` and `excludedAttributes` likewise name
 * attributes of either type (RFC 7644 §3.4.3), and only a name no searched type has is refused.
 * Cursor paging is per resource type only.
 */
import { Router } from "express";
import { DomainError, Errors } from "../../domain/errors";
import { listGroups } from "../../domain/groups";
import { parseListRequest, parseProjection, type ListRequest } from "../../scim/list-request";
import { GROUPS, USERS, type ResourceType } from "../../scim/resource-types";
import { actorOf } from "../auth";
import { pageGroups } from "./page-groups";
import { sendList } from "./respond";
import { groupRenderer, type GroupRouteDeps } from "./groups-routes";
import { listUserPage, searchParams, userJsonRenderer } from "./users-routes";

const PROJECTION_KEYS = new Set(["attributes", "excludedattributes"]);

export function rootSearchRoutes(deps: GroupRouteDeps, r: Router = Router()): Router {
  const render = { user: userJsonRenderer(deps), group: groupRenderer(deps) };
  r.post("/.search", async (req, res) => {
    const params = searchParams(req.body);
    if (params.cursor !== undefined) throw Errors.invalidParameter("cursor", "cursor paging is per resource type: search /Users/.search or /Groups/.search.");
    const actor = actorOf(req);
    const query = Object.fromEntries(Object.entries(params).filter(([k]) => !PROJECTION_KEYS.has(k.toLowerCase())));
    const parse = (type: ResourceType): ListRequest | null => {
      try {
        return parseListRequest(query, type, deps.maxResults);
      } catch (e) {
        // A filter or sortBy attribute unknown to this type: this type contributes nothing.
        if (e instanceof DomainError && e.code === 2003) return null;
        throw e;
      }
    };
    const lu = parse(USERS);
    const lg = parse(GROUPS);
    if (!lu && !lg) parseListRequest(query, USERS, deps.maxResults); // rethrows the user-facing error
    // attributes / excludedAttributes name attributes of any searched type (RFC 7644 §3.4.3).
    const unknownTo = { user: new Set<string>(), group: new Set<string>() };
    const projection = { user: parseProjection(params, USERS, unknownTo.user), group: parseProjection(params, GROUPS, unknownTo.group) };
    const nowhere = [...unknownTo.user].filter((a) => unknownTo.group.has(a));
    if (nowhere.length > 0) {
      throw Errors.invalidParameter("attributes", `unknown attribute '${nowhere[0]!.slice(0, 60)}' in every searched resource type. See /Schemas for the attributes this server knows.`);
    }
    const base = (lu ?? lg)!.query;
    const start = base.startIndex - 1;
    const count = base.count;
    const out: string[] = [];
    let total = 0;
    if (lu) {
      const page = await listUserPage(deps, req, { query: { ...lu.query, startIndex: start + 1, count }, projection: projection.user });
      total += page.total;
      // The page's groups with the page, or in one read (not one per user).
      const groups = await pageGroups(deps.store, page.items);
      const write = render.user(req);
      for (const u of page.items) out.push(await write(u, projection.user, groups?.get(u.id)));
    }
    if (lg) {
      const usersTotal = total;
      const groupStart = Math.max(0, start - usersTotal);
      const room = count - out.length;
      const page = await listGroups(deps, actor, { ...lg.query, startIndex: groupStart + 1, count: Math.max(0, room) });
      total += page.total;
      for (const g of page.items) out.push(JSON.stringify(await render.group(req, g, projection.group)));
    }
    sendList(res, out, { totalResults: total, itemsPerPage: out.length, startIndex: base.startIndex });
  });
  return r;
}
