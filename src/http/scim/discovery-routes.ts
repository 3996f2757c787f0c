/** GET /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4). */
import { Router } from "express";
import { Errors } from "../../domain/errors";
import { listResponse, resourceTypes, schemaDocuments, serviceProviderConfig, type DiscoveryLimits } from "../../scim/discovery";
import { baseUrlOf, profileOf, sendScim } from "./respond";

export function discoveryRoutes(publicUrl: string | undefined, limits: DiscoveryLimits, r: Router = Router()): Router {
  r.get("/ServiceProviderConfig", (req, res) => sendScim(res, 200, serviceProviderConfig(baseUrlOf(req, publicUrl), limits, profileOf(req))));
  r.get("/ResourceTypes", (req, res) => sendScim(res, 200, listResponse(resourceTypes(baseUrlOf(req, publicUrl)))));
  r.get("/ResourceTypes/:id", (req, res) => {
    const found = resourceTypes(baseUrlOf(req, publicUrl)).find((t) => t.id === req.params.id);
    if (!found) throw Errors.discoveryNotFound("resource type", String(req.params.id));
    sendScim(res, 200, found);
  });
  r.get("/Schemas", (req, res) => sendScim(res, 200, listResponse(schemaDocuments(baseUrlOf(req, publicUrl)))));
  r.get("/Schemas/:id", (req, res) => {
    const found = schemaDocuments(baseUrlOf(req, publicUrl)).find((s) => s.id === req.params.id);
    if (!found) throw Errors.discoveryNotFound("schema", String(req.params.id));
    sendScim(res, 200, found);
  });
  return r;
}
