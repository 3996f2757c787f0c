/**
 * /v1/Domains: the organization's domains and their DNS verification (src/domain/domains.ts).
 *
 *   POST   /v1/Domains              {domain_name}  → 201 Domain, state pending, with the TXT challenge
 *   GET    /v1/Domains              PageSize, PageToken → {domains, meta}
 *   GET    /v1/Domains/:sid         → Domain
 *   POST   /v1/Domains/:sid/Verify  → 200 Domain + {record_found, message}; 503 + Retry-After when DNS fails
 *   DELETE /v1/Domains/:sid         → 204 (state removed)
 */
import type { Request } from "express";
import { z } from "zod";
import {
  addDomain, getDomain, listDomains, removeDomain, verifyDomain,
} from "../../domain/domains";
import { challengeOf, expiresAt } from "../../domain/domain-rules";
import type { Domain } from "../../domain/types";
import { actorOf } from "../auth";
import { PageMeta, pageOf, readPage } from "./paging";
import { route } from "./route";
import type { V1Module } from "./module";
import { named } from "./schemas";

const Iso = z.iso.datetime();

export const DomainVerification = named("DomainVerification", z.object({
  method: z.literal("dns_txt"),
  record_type: z.literal("TXT"),
  record_name: z.string().describe("Create the TXT record here"),
  apex_record_name: z.string().describe("Also accepted: the same value at the domain's apex"),
  record_value: z.string(),
  ttl: z.number().int(),
}));

export const DomainBody = named("Domain", z.object({
  sid: z.string(),
  domain_name: z.string(),
  state: z.enum(["pending", "verified", "revalidating", "removed"]),
  verification: DomainVerification,
  date_created: Iso,
  date_verified: Iso.nullable(),
  date_revalidation_started: Iso.nullable().describe("When the periodic re-check stopped finding the token"),
  date_expires: Iso.nullable().describe("When the domain is removed unless verified: 72 h after creation while pending, 30 days after re-validation started while revalidating"),
}));

export const DomainVerifyBody = named("DomainVerifyResult", DomainBody.extend({
  record_found: z.boolean(),
  message: z.string().describe("What the check found and, when the token is missing, which record to create"),
}));

export const DomainPage = named("DomainList", z.object({ domains: z.array(DomainBody), meta: PageMeta }));

export const DomainCreate = named("DomainCreate", z.object({
  domain_name: z.string().min(1).max(300).describe("The domain, e.g. example.com; stored in lower case"),
}).strict());

export const toDomainBody = (d: Domain): z.infer<typeof DomainBody> => {
  const c = challengeOf(d);
  return {
    sid: d.id,
    domain_name: d.name,
    state: d.state,
    verification: { method: "dns_txt", record_type: c.type, record_name: c.name, apex_record_name: c.apexName, record_value: c.value, ttl: c.ttl },
    date_created: d.created,
    date_verified: d.verifiedAt,
    date_revalidation_started: d.revalidatingSince ?? null,
    date_expires: expiresAt(d),
  };
};

const sid = (req: Request) => String(req.params.sid);

export const domainRoutes: V1Module = (r, registry, deps) => {
  const tag = "Domains";
  route(r, registry, { method: "post", operationId: "createDomain", path: "/Domains", summary: "Add a domain; answers the DNS TXT record that verifies it", tag, status: 201, body: DomainCreate, response: DomainBody, location: (d) => `/Domains/${d.sid}` },
    async (req, { body }) => toDomainBody(await addDomain(deps, actorOf(req), body.domain_name)));

  route(r, registry, { method: "get", operationId: "listDomains", path: "/Domains", summary: "List the organization's domains", tag, status: 200, paged: true, response: DomainPage },
    async (req) => {
      const request = readPage(req);
      const { items, meta } = pageOf(req, request, "domains", await listDomains(deps, actorOf(req)), (d) => d.name);
      return { domains: items.map(toDomainBody), meta };
    });

  route(r, registry, { method: "get", operationId: "getDomain", path: "/Domains/:sid", summary: "Fetch a domain", tag, status: 200, response: DomainBody },
    async (req) => toDomainBody(await getDomain(deps, actorOf(req), sid(req))));

  route(r, registry, { method: "post", operationId: "verifyDomain", path: "/Domains/:sid/Verify", summary: "Look for the domain's DNS TXT token now", tag, status: 200, response: DomainVerifyBody },
    async (req) => {
      const out = await verifyDomain(deps, actorOf(req), sid(req));
      return { ...toDomainBody(out.domain), record_found: out.found, message: out.message };
    });

  route(r, registry, { method: "delete", operationId: "removeDomain", path: "/Domains/:sid", summary: "Remove a domain (users already provisioned stay)", tag, status: 204 },
    async (req) => {
      await removeDomain(deps, actorOf(req), sid(req));
      return undefined;
    });
};
