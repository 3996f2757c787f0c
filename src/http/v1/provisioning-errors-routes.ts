/**
 * /v1/ProvisioningErrors: the SCIM requests (and /Bulk operations) orgscim refused for their
 * content — a malformed body, an invalid value or filter, a userName already taken, an email
 * domain not verified, a stale version — newest first, as src/domain/provisioning-errors.ts
 * records them: bounded per organization (PROVISIONING_ERRORS_KEPT, PROVISIONING_ERRORS_DAYS),
 * never a body. Refusals by the policy or a token's scope are audit events
 * (GET /v1/AuditEvents?Outcome=refused).
 */
import { z } from "zod";
import type { ProvisioningError } from "../../domain/ports/store";
import { countProvisioningErrors, listProvisioningErrors } from "../../domain/provisioning-errors";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { PageMeta, pageMeta, readPage } from "./paging";
import { route } from "./route";
import { named } from "./schemas";

export const ProvisioningErrorBody = named("ProvisioningError", z.object({
  number: z.number().int().describe("The organization's number for this record: 1 for its first, counting the dropped ones"),
  date_created: z.string(),
  status: z.number().int().describe("The HTTP status orgscim answered (of the /Bulk operation, for one)"),
  scim_type: z.string().nullable().describe("The RFC 7644 §3.12 scimType answered, if any"),
  code: z.number().int().describe("orgscim's error code (docs/errors.md; the X-Orgscim-Error-Code header)"),
  reason: z.string().describe("What orgscim answered was wrong, and what to do"),
  method: z.string(),
  path: z.string().describe("Under /scim/v2; for a /Bulk operation, the operation's path"),
  bulk: z.boolean().describe("An operation of a /Bulk request"),
  credential: z.string().describe("Who sent it, as the audit log names an actor: the token (TK…) or OAuth client, and the user it acts for (…/US…)"),
  target_name: z.string().nullable().describe("The userName (a group: displayName) the request gave, if any"),
  external_id: z.string().nullable().describe("The externalId the request gave, if any"),
}));

export const ProvisioningErrorPage = named("ProvisioningErrorList", z.object({ provisioning_errors: z.array(ProvisioningErrorBody), meta: PageMeta }));

export const ProvisioningErrorCounts = named("ProvisioningErrorCounts", z.object({
  recorded: z.number().int().describe("How many the organization ever recorded"),
  retained: z.number().int().describe("How many are kept now (PROVISIONING_ERRORS_KEPT at most, none older than PROVISIONING_ERRORS_DAYS)"),
  dropped: z.number().int().describe("How many were dropped by the bound, the oldest first"),
}));

const toBody = (e: ProvisioningError): z.infer<typeof ProvisioningErrorBody> => ({
  number: e.seq, date_created: e.time, status: e.status, scim_type: e.scimType, code: e.code, reason: e.reason, method: e.method, path: e.path,
  bulk: e.bulk, credential: e.credential, target_name: e.targetName, external_id: e.externalId,
});

export const provisioningErrorRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, {
    method: "get", operationId: "listProvisioningErrors", path: "/ProvisioningErrors", tag: "ProvisioningErrors", status: 200, response: ProvisioningErrorPage, paged: true,
    summary: "The SCIM requests (and /Bulk operations) refused for their content (400, 409, 412, 413), newest first: reason, status, credential, target; never a body. Bounded per organization; refusals by the policy are audit events",
  }, async (req) => {
    const page = readPage(req);
    const { items, more } = await listProvisioningErrors(deps, actorOf(req), { offset: page.offset, limit: page.size });
    return { provisioning_errors: items.map(toBody), meta: pageMeta(req, "provisioning_errors", page.page(), items.length, more) };
  });
  route(r, registry, {
    method: "get", operationId: "getProvisioningErrorCounts", path: "/ProvisioningErrors/Counts", tag: "ProvisioningErrors", status: 200, response: ProvisioningErrorCounts,
    summary: "How many provisioning errors the organization ever recorded, keeps now, and dropped (the bound keeps the newest, for a limited time)",
  }, async (req) => {
    const { recorded, retained } = await countProvisioningErrors(deps, actorOf(req));
    return { recorded, retained, dropped: Math.max(0, recorded - retained) };
  });
};
