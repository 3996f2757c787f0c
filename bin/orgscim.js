#!/usr/bin/env node
"use strict";
// The orgscim command: runs the compiled CLI (npm install builds it; or run `npm run build`).
const path = require("node:path");
const fs = require("node:fs");
const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
  console.error("orgscim is not built yet. Run `npm run build` (npm install does it) and try again.");
  process.exit(1);
}
require(entry).cli(process.argv.slice(2)).then((code) => process.exit(code));
