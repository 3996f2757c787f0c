/**
 * The GroupMember resource's routes (draft-zollner-scim-group-members-01 §6): POST, GET by id,
 * GET list (filtered on group.value and member.value, paged by index or cursor), DELETE. A
 * membership is never changed: PUT and PATCH (and any other method) answer 405 with Allow.
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import { createMembership, deleteMembership, getMembership, listMemberships } from "../../domain/group-members";
import { Errors } from "../../domain/errors";
import { GROUP_MEMBER } from "../../domain/resource-names";
import { membershipInputOf, membershipLocation, membershipQueryOf, renderMembership } from "../../scim/group-member-resource";
import { parseListRequest, parseProjection } from "../../scim/list-request";
import { project } from "../../scim/projection";
import { GROUP_MEMBERS } from "../../scim/resource-types";
import { actorOf } from "../auth";
import { asJson, baseUrlOf, sendPage, sendScim } from "./respond";
import type { ScimDeps } from "./users-routes";

/** 405 with the methods the path answers (RFC 9110 §15.5.6). */
const only = (allowed: readonly string[]) => (req: Request, res: Response, next: NextFunction) => {
  res.setHeader("Allow", allowed.join(", "));
  next(Errors.methodNotAllowed(req.method, req.path, allowed));
};

export function groupMemberRoutes(deps: ScimDeps, r: Router = Router()): Router {
  const base = (req: Request) => baseUrlOf(req, deps.publicUrl);
  const collection = GROUP_MEMBER.endpoint;
  const one = `${GROUP_MEMBER.endpoint}/:id`;

  r.get(collection, async (req, res) => {
    const lr = parseListRequest(req.query as Record<string, unknown>, GROUP_MEMBERS, deps.maxResults);
    const result = await listMemberships(deps, actorOf(req), membershipQueryOf(lr));
    await sendPage(req, res, lr, result, asJson(async (rq, m, projection) => project(renderMembership(m, base(rq)), projection)));
  });

  r.post(collection, async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, GROUP_MEMBERS);
    const { groupId, userId } = membershipInputOf(req.body);
    const m = await createMembership(deps, actorOf(req), groupId, userId);
    res.setHeader("Location", membershipLocation(base(req), m.id));
    sendScim(res, 201, project(renderMembership(m, base(req)), projection));
  });

  r.get(one, async (req, res) => {
    const projection = parseProjection(req.query as Record<string, unknown>, GROUP_MEMBERS);
    const m = await getMembership(deps, actorOf(req), req.params.id as string);
    sendScim(res, 200, project(renderMembership(m, base(req)), projection));
  });

  r.delete(one, async (req, res) => {
    await deleteMembership(deps, actorOf(req), req.params.id as string);
    res.status(204).end();
  });

  // A membership is made or ended, never changed (§6): every other method is 405.
  r.all(collection, only(["GET", "POST"]));
  r.all(one, only(["GET", "DELETE"]));
  return r;
}
