#!/usr/bin/env node
"use strict";
// The image's HEALTHCHECK: GET /readyz on this container's own port, over TLS when the server
// serves TLS (TLS_CERT_FILE set). Exit 0 when the store answers (200), 1 otherwise. The
// certificate is not verified: the check talks to its own process on loopback, and a certificate
// for the service's public name would not match 127.0.0.1 anyway.
const port = Number(process.env.PORT || 8080);
const tls = Boolean(process.env.TLS_CERT_FILE);
const client = require(tls ? "node:https" : "node:http");
const req = client.get(
  { host: "127.0.0.1", port, path: "/readyz", timeout: 4000, ...(tls ? { rejectUnauthorized: false } : {}) },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on("timeout", () => req.destroy(new Error("timed out")));
req.on("error", (e) => {
  console.error(`orgscim health check: ${e.message}`);
  process.exit(1);
});
