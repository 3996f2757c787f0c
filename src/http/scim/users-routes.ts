/**
 * /Users (RFC 7644 §3): each route parses the protocol, calls one domain use case, renders.
 * No business rule lives here.
 */
import { scimPut } from "../../domain/events-capture";
import { Router, type Request, type Response } from "express";
import type { Clock } from "../../domain/clock";
import type { GroupRef, ListQuery, ListResult, Store } from "../../domain/ports/store";
import type { RetentionOptions } from "../../domain/provisioning-errors";
import type { UserRecord } from "../../domain/types";
import { isStoredUser, parsedUser, type RenderedUser, type StoredUser } from "../../domain/stored-data";
import { deprovisionUser } from "../../domain/user-removal";
import { createUser, getUserWithGroups, listStoredUsers, listUsers, modifyUserWithGroups, modifyUser } from "../../domain/users";
import { parseListRequest, parseProjection, type ListRequest } from "../../scim/list-request";
import { project, projectsNothing, type Projection } from "../../scim/projection";
import { USERS } from "../../scim/resource-types";
import { userInputOf, userPatchOf } from "../../scim/resource-inputs";
import { UserJsonWriter } from "../../scim/user-json";
import { etagOf, renderUser } from "../../scim/user-resource";
import { actorOf } from "../auth";
import { pageGroups } from "./page-groups";
import { ORGSCIM_USER_SCHEMA } from "../../scim/schemas";
import { baseUrlOf, ifMatchOf, ifNoneMatches, profileOf, sendPage, sendScim, sendWrittenPage, type AnswerPart } from "./respond";

/** What a user's answer holds that changes without its version: its groups, and its effective orgRole (what they grant). */
const USER_UNVERSIONED: readonly AnswerPart[] = [[null, "groups"], [ORGSCIM_USER_SCHEMA, "orgRole"]];

export interface ScimDeps {
  store: Store;
  clock: Clock;
  publicUrl: string | undefined;
  maxResults: number;
  /** INVITATION_TTL_HOURS, for the invitation a create of another organization's user mails; absent: 168. */
  invitationTtlHours?: number;
  /** How many requests refused for their content each organization keeps, and for how long (src/domain/provisioning-errors.ts); absent: the defaults. */
  provisioningErrors?: RetentionOptions;
}

/** About how many UTF-16 units a user's answer takes besides its stored attributes (ids, groups, meta, the orgscim extension). */
const USER_UNITS = 1024;

/** Renders a user as the caller sees it, projected; `groups` when the caller read them already (a page). */
export function userRenderer(deps: ScimDeps) {
  return async (req: Request, u: RenderedUser, projection: Projection, groups?: GroupRef[]): Promise<Record<string, unknown>> => {
    // Always read: the effective orgRole depends on the groups too (one indexed query).
    const of = groups ?? await deps.store.groups.groupsOfUser(u.orgId, u.id);
    return project(renderUser(u, baseUrlOf(req, deps.publicUrl), of, actorOf(req).org.settings.exposeRoleGroups), projection);
  };
}

/**
 * userRenderer's answers as JSON text, for one request (a writer a page). Without
 * attributes/excludedAttributes nothing is projected: a StoredUser's text is written from its stored
 * attributes' text (src/scim/user-json.ts), same bytes.
 */
export function userJsonRenderer(deps: ScimDeps) {
  const render = userRenderer(deps);
  return (req: Request) => {
    const writer = new UserJsonWriter(baseUrlOf(req, deps.publicUrl), actorOf(req).org.settings.exposeRoleGroups);
    return async (u: UserRecord | StoredUser, projection: Projection, groups?: GroupRef[]): Promise<string> => {
      if (!projectsNothing(projection)) return JSON.stringify(await render(req, isStoredUser(u) ? parsedUser(u) : u, projection, groups));
      return writer.write(u, groups ?? await deps.store.groups.groupsOfUser(u.orgId, u.id));
    };
  };
}

/** A page of users for `lr`: as stored (unparsed) when nothing is projected, so userJsonRenderer copies their text. */
export const listUserPage = (deps: ScimDeps, req: Request, lr: { query: ListQuery; projection: Projection }): Promise<ListResult<UserRecord | StoredUser>> =>
  (projectsNothing(lr.projection) ? listStoredUsers : listUsers)(deps, actorOf(req), lr.query);

export function userRoutes(deps: ScimDeps, r: Router = Router()): Router {
  const base = (req: Request) => baseUrlOf(req, deps.publicUrl);
  const render = userRenderer(deps);
  const renderJson = userJsonRenderer(deps);

  // A page's groups with the page, or in one read (not one per user): ./page-groups.ts. A page of
  // more than one user with nothing projected is written straight into its body (sendWrittenPage).
  const sendUsers = async (req: Request, res: Response, lr: ListRequest) => {
    const result = await listUserPage(deps, req, lr);
    const groups = await pageGroups(deps.store, result.items);
    if (groups !== undefined && result.items.length > 1 && projectsNothing(lr.projection)) {
      const writer = new UserJsonWriter(baseUrlOf(req, deps.publicUrl), actorOf(req).org.settings.exposeRoleGroups);
      let units = 0;
      for (const u of result.items) units += USER_UNITS + (isStoredUser(u) ? u.dataText.length : 0);
      return sendWrittenPage(res, lr, result, units, (body, before, u) => writer.writeInto(body, before, u, groups.get(u.id) ?? []));
    }
    const write = renderJson(req);
    await sendPage(req, res, lr, result, (_, u, projection) => write(u, projection, groups?.get(u.id)));
  };

  r.get("/Users", async (req, res) => {
    await sendUsers(req, res, parseListRequest(req.query as Record<string, unknown>, USERS, deps.maxResults));
  });

  r.post("/Users/.search", async (req, res) => {
    await sendUsers(req, res, parseListRequest(searchParams(req.body), USERS, deps.maxResults));
  });

  r.get("/Users/:id", async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, USERS);
    const { user: u, groups } = await getUserWithGroups(deps, actorOf(req), req.params.id as string);
    res.setHeader("ETag", etagOf(u.version));
    if (ifNoneMatches(req, u.version, projection, USER_UNVERSIONED)) return void res.status(304).end();
    sendScim(res, 200, await render(req, u, projection, groups));
  });

  r.post("/Users", async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, USERS);
    const input = userInputOf(req.body, profileOf(req));
    const { user, outcome, groups } = await createUser(deps, actorOf(req), input);
    const body = await render(req, user, projection, groups);
    res.setHeader("ETag", etagOf(user.version));
    res.setHeader("Location", `${base(req)}/Users/${user.id}`);
    if (outcome !== "created") res.setHeader("X-Orgscim-Outcome", outcome);
    sendScim(res, 201, body);
  });

  r.put("/Users/:id", async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, USERS);
    const input = userInputOf(req.body, profileOf(req));
    // The groups the write's transaction read (for the policy too), not read again after it.
    const { user: u, groups } = await modifyUserWithGroups(deps, actorOf(req), req.params.id as string, ifMatchOf(req), () => input, scimPut);
    res.setHeader("ETag", etagOf(u.version));
    sendScim(res, 200, await render(req, u, projection, groups));
  });

  r.patch("/Users/:id", async (req, res) => {
    const transform = userPatchOf(req.body, profileOf(req));
    // RFC 7644 §3.5.2: 204 unless the client asks for the resource with attributes/excludedAttributes.
    const q = req.query as Record<string, unknown>;
    if (q.attributes === undefined && q.excludedAttributes === undefined) {
      const u = await modifyUser(deps, actorOf(req), req.params.id as string, ifMatchOf(req), transform);
      res.setHeader("ETag", etagOf(u.version));
      return void res.status(204).end();
    }
    const { user: u, groups } = await modifyUserWithGroups(deps, actorOf(req), req.params.id as string, ifMatchOf(req), transform);
    res.setHeader("ETag", etagOf(u.version));
    sendScim(res, 200, await render(req, u, parseProjection(q, USERS), groups));
  });

  r.delete("/Users/:id", async (req, res) => {
    await deprovisionUser(deps, actorOf(req), req.params.id as string, ifMatchOf(req));
    res.status(204).end();
  });

  return r;
}

/** A .search body (RFC 7644 §3.4.3) as list parameters; attribute arrays become comma lists. */
export function searchParams(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === "schemas") continue;
    out[k] = Array.isArray(v) && v.every((x) => typeof x === "string") ? v.join(",") : typeof v === "number" ? String(v) : v;
  }
  return out;
}
