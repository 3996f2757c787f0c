/** /Groups (RFC 7644 §3): protocol in, one domain use case, representation out. */
import { scimPut } from "../../domain/events-capture";
import { Router, type Request, type Response } from "express";
import { createGroup, deleteGroup, getGroup, listGroups, modifyGroup } from "../../domain/groups";
import type { ListResult, MemberEntry } from "../../domain/ports/store";
import type { GroupRecord } from "../../domain/types";
import { memberOf, membersMetadata, renderGroup, type Membership } from "../../scim/group-resource";
import { parseListRequest, parseProjection, type ListRequest } from "../../scim/list-request";
import { project, wants, type Projection } from "../../scim/projection";
import { groupInputOf, groupPatchOf, groupReplaceOf } from "../../scim/resource-inputs";
import { GROUPS } from "../../scim/resource-types";
import { GROUP_MEMBERS_SCHEMA } from "../../scim/schemas";
import { actorOf } from "../auth";
import { baseUrlOf, ifMatchOf, ifNoneMatches, profileOf, asJson, sendPage, sendScim, sendScimStreamed } from "./respond";
import { searchParams, type ScimDeps } from "./users-routes";

export interface GroupRouteDeps extends ScimDeps {
  membersReturned: number;
}

/**
 * Renders a group, projected; members are read only when asked for, and at most membersReturned:
 * a group with more has no `members` and membersMetadata says `external`, with its count (one
 * count query, for such groups only). membersMetadata comes whenever members are asked for, even
 * by `attributes=members`, so that an absent `members` always says why.
 */
export function groupRenderer(deps: GroupRouteDeps) {
  return async (req: Request, g: GroupRecord, projection: Projection): Promise<Record<string, unknown>> => {
    const base = baseUrlOf(req, deps.publicUrl);
    if (!wants(projection, "members")) return project(renderGroup(g, base, null), projection);
    const rows = await deps.store.groups.listMembers(g.orgId, g.id, deps.membersReturned + 1);
    const membership: Membership = rows.length > deps.membersReturned
      ? { policy: "external", count: await deps.store.groups.countMembers(g.orgId, g.id) }
      : { policy: "inline", count: rows.length };
    const out = project(renderGroup(g, base, rows, membership), projection);
    if (out[GROUP_MEMBERS_SCHEMA] === undefined) {
      out[GROUP_MEMBERS_SCHEMA] = membersMetadata(g, base, membership);
      if (Array.isArray(out.schemas) && !out.schemas.includes(GROUP_MEMBERS_SCHEMA)) out.schemas = [...(out.schemas as string[]), GROUP_MEMBERS_SCHEMA];
    }
    return out;
  };
}

/**
 * Members are read this many at a time: a group read with the default projection that has more
 * is written as a stream, page after page, so its cost in memory stays that of one page.
 */
const MEMBER_PAGE = 2000;

/** Pages of a group's members after `first`, up to `limit` members in all. */
async function* memberPages(deps: GroupRouteDeps, g: GroupRecord, first: MemberEntry[], limit: number): AsyncGenerator<MemberEntry[]> {
  let page = first;
  let left = limit - page.length;
  yield page;
  while (left > 0 && page.length === MEMBER_PAGE) {
    page = await deps.store.groups.listMembers(g.orgId, g.id, Math.min(MEMBER_PAGE, left), page[page.length - 1]!.order);
    left -= page.length;
    yield page;
  }
}

export function groupRoutes(deps: GroupRouteDeps, r: Router = Router()): Router {
  const base = (req: Request) => baseUrlOf(req, deps.publicUrl);
  const render = groupRenderer(deps);

  const renderJson = asJson(render);
  const sendGroups = (req: Request, res: Response, lr: ListRequest, result: ListResult<GroupRecord>) => sendPage(req, res, lr, result, renderJson);

  r.get("/Groups", async (req, res) => {
    const lr = parseListRequest(req.query as Record<string, unknown>, GROUPS, deps.maxResults);
    await sendGroups(req, res, lr, await listGroups(deps, actorOf(req), lr.query));
  });

  r.post("/Groups/.search", async (req, res) => {
    const lr = parseListRequest(searchParams(req.body), GROUPS, deps.maxResults);
    await sendGroups(req, res, lr, await listGroups(deps, actorOf(req), lr.query));
  });

  r.get("/Groups/:id", async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, GROUPS);
    const g = await getGroup(deps, actorOf(req), req.params.id as string);
    res.setHeader("ETag", `W/"${g.version}"`);
    if (ifNoneMatches(req, g.version, projection, [[null, "members"]])) return void res.status(304).end();
    if (projection.include === null && projection.exclude.length === 0) {
      // The default projection: a large group's members are read and written a page at a time.
      // A full first page may have more behind it: one count says whether they fit the limit.
      const pageSize = Math.min(MEMBER_PAGE, deps.membersReturned);
      const first = await deps.store.groups.listMembers(g.orgId, g.id, pageSize);
      const count = first.length === pageSize ? await deps.store.groups.countMembers(g.orgId, g.id) : first.length;
      const base = baseUrlOf(req, deps.publicUrl);
      if (count > deps.membersReturned) return sendScim(res, 200, renderGroup(g, base, null, { policy: "external", count }));
      if (count > first.length) {
        return sendScimStreamed(res, 200, renderGroup(g, base, null, { policy: "inline", count }), "members", memberPages(deps, g, first, deps.membersReturned), (m) => memberOf(m, base));
      }
      return sendScim(res, 200, renderGroup(g, base, first, { policy: "inline", count }));
    }
    sendScim(res, 200, await render(req, g, projection));
  });

  r.post("/Groups", async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, GROUPS);
    const g = await createGroup(deps, actorOf(req), groupInputOf(req.body, profileOf(req)));
    res.setHeader("ETag", `W/"${g.version}"`);
    res.setHeader("Location", `${base(req)}/Groups/${g.id}`);
    sendScim(res, 201, await render(req, g, projection));
  });

  r.put("/Groups/:id", async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, GROUPS);
    const { transform, changes } = groupReplaceOf(req.body, profileOf(req));
    const g = await modifyGroup(deps, actorOf(req), req.params.id as string, ifMatchOf(req), transform, changes, {}, scimPut);
    res.setHeader("ETag", `W/"${g.version}"`);
    sendScim(res, 200, await render(req, g, projection));
  });

  r.patch("/Groups/:id", async (req, res) => {
    const { transform, changes } = groupPatchOf(req.body, profileOf(req));
    const g = await modifyGroup(deps, actorOf(req), req.params.id as string, ifMatchOf(req), transform, changes);
    res.setHeader("ETag", `W/"${g.version}"`);
    const q = req.query as Record<string, unknown>;
    if (q.attributes === undefined && q.excludedAttributes === undefined) return void res.status(204).end();
    sendScim(res, 200, await render(req, g, parseProjection(q, GROUPS)));
  });

  r.delete("/Groups/:id", async (req, res) => {
    await deleteGroup(deps, actorOf(req), req.params.id as string, ifMatchOf(req));
    res.status(204).end();
  });

  return r;
}
