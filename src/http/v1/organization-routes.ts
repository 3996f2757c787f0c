/** /v1/Organization: the caller's organization and its settings. */
import { z } from "zod";
import { getOrganization, updateOrganization } from "../../domain/orgs";
import type { Organization } from "../../domain/types";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { route } from "./route";
import { named } from "./schemas";

export const OrganizationBody = named("Organization", z.object({
  sid: z.string(),
  friendly_name: z.string(),
  domain_enforcement: z.boolean(),
  deprovision: z.enum(["remove", "delete"]),
  successor_user_sid: z.string().nullable(),
  expose_role_groups: z.boolean(),
  /** How the organization's SCIM requests are read (OrgSettings.scimProfile; docs/idp-quirks.md). */
  scim_profile: z.enum(["compatible", "strict"]),
  mail_delivery: z.enum(["smtp", "none"]).optional()
    .describe("Over HTTP: smtp when this server sends mail (SMTP_URL is set), none when invitation and other mail stays queued in the outbox and nobody receives it"),
  date_created: z.string(),
  date_updated: z.string(),
}));

export const OrganizationUpdate = named("OrganizationUpdate", z.object({
  domain_enforcement: z.boolean().optional(),
  deprovision: z.enum(["remove", "delete"]).optional(),
  successor_user_sid: z.string().regex(/^US[0-9a-f]{32}$/).nullable().optional(),
  expose_role_groups: z.boolean().optional(),
  scim_profile: z.enum(["compatible", "strict"]).optional(),
}).strict());

export const toOrganizationBody = (o: Organization): z.infer<typeof OrganizationBody> => ({
  sid: o.id,
  friendly_name: o.name,
  domain_enforcement: o.settings.domainEnforcement,
  deprovision: o.settings.deprovision,
  successor_user_sid: o.settings.successorUserId,
  expose_role_groups: o.settings.exposeRoleGroups,
  scim_profile: o.settings.scimProfile,
  date_created: o.created,
  date_updated: o.lastModified,
});

export const organizationRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, { method: "get", operationId: "getOrganization", path: "/Organization", summary: "The caller's organization", tag: "Organization", status: 200, response: OrganizationBody },
    async (req) => ({ ...toOrganizationBody(await getOrganization(deps, actorOf(req))), mail_delivery: deps.mailDelivery ?? "none" }));

  route(r, registry, { method: "post", operationId: "updateOrganization", path: "/Organization", summary: "Update the organization's settings", tag: "Organization", status: 200, body: OrganizationUpdate, response: OrganizationBody },
    async (req, { body }) => {
      const settings: Partial<Organization["settings"]> = {};
      if (body.domain_enforcement !== undefined) settings.domainEnforcement = body.domain_enforcement;
      if (body.deprovision !== undefined) settings.deprovision = body.deprovision;
      if (body.successor_user_sid !== undefined) settings.successorUserId = body.successor_user_sid;
      if (body.expose_role_groups !== undefined) settings.exposeRoleGroups = body.expose_role_groups;
      if (body.scim_profile !== undefined) settings.scimProfile = body.scim_profile;
      return { ...toOrganizationBody(await updateOrganization(deps, actorOf(req), settings)), mail_delivery: deps.mailDelivery ?? "none" };
    });
};
