#!/usr/bin/env node
"use strict";
/**
 * Writes docs/errors.md from the error catalogue (src/domain/errors.ts) and its notes
 * (src/http/error-notes.ts), through the built renderer. Usage: npm run docs:errors (builds first).
 */
const fs = require("node:fs");
const path = require("node:path");
const { renderErrorsDoc } = require(path.join(__dirname, "..", "dist", "http", "errors-doc.js"));

const target = path.join(__dirname, "..", "docs", "errors.md");
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, renderErrorsDoc());
console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
