/**
 * redocly lint (the pinned @redocly/cli dev dependency, rules in .redocly.yaml) on a /v1 OpenAPI
 * document. As a command (npm run lint:openapi) it lints the built server's document and exits 1 on
 * any problem, warnings included; test/v1/openapi-lint.test.ts lints the document a real server serves.
 * Offline: telemetry and the update check are off.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { builtFunction, ROOT } from "./built";

export interface LintResult {
  status: number | null;
  errors: number;
  warnings: number;
  problems: string[];
  output: string;
}

interface Report {
  problems?: { severity: string; ruleId: string; message: string; location?: { pointer: string }[] }[];
  totals: { errors: number; warnings: number };
}

export function lintOpenApi(doc: unknown): LintResult {
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
    let report: Report;
    try { report = JSON.parse(json); } catch { return { status: r.status, errors: -1, warnings: -1, problems: [output.slice(0, 2000)], output }; }
    const problems = (report.problems ?? []).map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${(p.location ?? []).map((l) => l.pointer).join(", ")}`);
    return { status: r.status, errors: report.totals.errors, warnings: report.totals.warnings, problems, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const r = lintOpenApi(builtFunction("http/v1/router", "v1Document")(""));
  for (const p of r.problems) console.log(p);
  console.log(`redocly lint: ${r.errors} errors, ${r.warnings} warnings.`);
  process.exit(r.status === 0 && r.errors === 0 && r.warnings === 0 ? 0 : 1);
}
