#!/usr/bin/env node
"use strict";
/**
 * Writes docs/authorization.md from the policy table (src/domain/policy/table.ts), through the
 * built renderer. Usage: npm run docs:authorization (builds first).
 */
const fs = require("node:fs");
const path = require("node:path");
const { renderAuthorizationDoc } = require(path.join(__dirname, "..", "dist", "domain", "policy", "render.js"));

const target = path.join(__dirname, "..", "docs", "authorization.md");
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, renderAuthorizationDoc());
console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
