/**
 * The baseline: plain Express (same version as orgscim) answering every GET /scim/v2/Users/{id}
 * with one fixed SCIM user of about 1.5 KB. No auth, no store: what a request costs before
 * orgscim does anything. Run as its own process by run.ts: `node baseline.js` with PORT set.
 */
import express from "express";

/** The fixed user the baseline answers (also bench/floor-server.mjs's hello floor). */
export const BASELINE_USER = {
  schemas: [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User",
  ],
  id: "US0123456789abcdef0123456789abcdef",
  externalId: "ext-u0001234",
  userName: "u0001234@bench.example.com",
  name: { givenName: "Grace", familyName: "Hopper", formatted: "Grace Hopper" },
  displayName: "Grace Hopper 1234",
  title: "Senior Engineer",
  preferredLanguage: "en-US",
  locale: "en-US",
  timezone: "Europe/Paris",
  active: true,
  emails: [
    { value: "u0001234.work@mail.bench.example.com", type: "work", primary: true },
    { value: "u0001234@home.bench.example.org", type: "home" },
  ],
  phoneNumbers: [{ value: "+1 555 1234", type: "work" }],
  addresses: [{ type: "work", streetAddress: "244 Main Street", locality: "Springfield", region: "IL", postalCode: "62701", country: "US", primary: true }],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    employeeNumber: "101234", costCenter: "CC-34", organization: "Bench Corp", division: "Product", department: "Support",
  },
  groups: [{
    value: "GP0123456789abcdef0123456789ab03", display: "Standard User",
    $ref: "http://127.0.0.1:8080/scim/v2/Groups/GP0123456789abcdef0123456789ab03", type: "direct",
  }],
  "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User": {
    orgRole: "standard", status: "managed", twoFactorRequired: false, passwordResetRequired: false,
  },
  meta: {
    resourceType: "User", created: "2025-01-01T00:00:00.000Z", lastModified: "2025-01-01T00:00:00.000Z",
    location: "http://127.0.0.1:8080/scim/v2/Users/US0123456789abcdef0123456789abcdef", version: 'W/"1"',
  },
};

export function baselineApp(): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  app.get("/scim/v2/Users/:id", (_req, res) => {
    res.type("application/scim+json").send(JSON.stringify(BASELINE_USER));
  });
  return app;
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 0);
  const server = baselineApp().listen(port, "127.0.0.1", () => console.log(`baseline listening on ${port}`));
  server.keepAliveTimeout = 65_000;
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
