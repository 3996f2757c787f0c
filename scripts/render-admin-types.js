#!/usr/bin/env node
"use strict";
/**
 * Writes src/admin/api-types.ts from the built server's /v1 OpenAPI document. Run by npm run build
 * (after the server's tsc, before the Admin Center's), so the console is compiled against the
 * document the server serves.
 */
const fs = require("node:fs");
const path = require("node:path");
const { v1Document } = require(path.join(__dirname, "..", "dist", "http", "v1", "router.js"));
const { renderAdminTypes } = require("./admin-types");

const target = path.join(__dirname, "..", "src", "admin", "api-types.ts");
renderAdminTypes(v1Document("")).then((text) => {
  if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) {
    fs.writeFileSync(target, text);
    console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
  }
}, (err) => {
  console.error(err);
  process.exit(1);
});
