#!/usr/bin/env node
"use strict";
/**
 * redocly lint (the pinned @redocly/cli dev dependency, rules in .redocly.yaml) on a /v1 OpenAPI
 * document. As a command (npm run lint:openapi) it lints the built server's document and exits 1 on
 * any problem, warnings included; test/v1/openapi-lint.test.ts lints the document a real server serves.
 * Offline: telemetry and the update check are off.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");

/** @param {unknown} doc @returns {{ status: number | null; errors: number; warnings: number; problems: string[]; output: string }} */
function lintOpenApi(doc) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgscim-openapi-"));
  try {
    const file = path.join(dir, "openapi.json");
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    const r = spawnSync(process.execPath, [require.resolve("@redocly/cli/bin/cli.js"), "lint", file, "--config", path.join(ROOT, ".redocly.yaml"), "--format", "json"], {
      cwd: ROOT, encoding: "utf8", timeout: 120_000,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    });
    const output = `${r.stdout}${r.stderr}`;
    const json = r.stdout.slice(r.stdout.indexOf("{"));
    /** @type {{ problems?: { severity: string; ruleId: string; message: string; location?: { pointer: string }[] }[]; totals: { errors: number; warnings: number } }} */
    let report;
    try { report = JSON.parse(json); } catch { return { status: r.status, errors: -1, warnings: -1, problems: [output.slice(0, 2000)], output }; }
    const problems = (report.problems ?? []).map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${(p.location ?? []).map((l) => l.pointer).join(", ")}`);
    return { status: r.status, errors: report.totals.errors, warnings: report.totals.warnings, problems, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { lintOpenApi };

if (require.main === module) {
  const { v1Document } = require(path.join(ROOT, "dist", "http", "v1", "router.js"));
  const r = lintOpenApi(v1Document(""));
  for (const p of r.problems) console.log(p);
  console.log(`redocly lint: ${r.errors} errors, ${r.warnings} warnings.`);
  process.exit(r.status === 0 && r.errors === 0 && r.warnings === 0 ? 0 : 1);
}
