/**
 * Times importing 100,000 users into SQLite on this machine, two ways:
 *   1. through the command: `orgscim import --org ORG FILE` (a generated export file), twice
 *      (the second run finds every line unchanged);
 *   2. over HTTP: POST /scim/v2/Bulk, 1,000 POST /Users operations a request, sequentially,
 *      against `node dist/main.js` (a separate process).
 * Usage: npm run build && node dist-scripts/import-timing.js [--users N] [--dist DIR] [--only cli | bulk]
 * Prints the figures; writes nothing outside a temporary folder.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { DIST } from "./built";
import { freePort } from "./free-port";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return (i >= 0 ? args[i + 1] : undefined) ?? fallback;
};
const USERS = Number(opt("--users", "100000"));
const DIST_DIR = path.resolve(opt("--dist", DIST));
const CLI = path.join(DIST_DIR, "cli", "main.js");
const MAIN = path.join(DIST_DIR, "main.js");
if (!fs.existsSync(CLI)) {
  console.error(`No ${CLI}: run npm run build first (or pass --dist DIR).`);
  process.exit(2);
}

/** What the timing reads from the answers (checked, not assumed). */
const Created = z.object({ sid: z.string() });
const BulkAnswer = z.object({ Operations: z.array(z.object({ status: z.string() })) });
const ListAnswer = z.object({ totalResults: z.number() });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgscim-timing-"));
const env = { ...process.env, LOG_LEVEL: "silent" };
const hex = (n: number) => randomBytes(n).toString("hex");
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

function run(db: string, argv: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...argv], { env: { ...env, DATABASE_URL: `sqlite:${db}` }, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`orgscim ${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function userResource(i: number) {
  const userName = `user${i}@timing.test`;
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User"],
    id: `US${hex(16)}`,
    externalId: `ext-${i}`,
    userName,
    name: { givenName: `Given${i}`, familyName: `Family${i}` },
    displayName: `Given${i} Family${i}`,
    emails: [{ value: userName, type: "work", primary: true }],
    active: true,
    "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User": { orgRole: "standard", status: "managed", twoFactorRequired: false, passwordResetRequired: false },
    meta: { resourceType: "User", created: "2026-01-01T00:00:00.000Z", lastModified: "2026-01-01T00:00:00.000Z", version: 'W/"1"' },
  };
}

function timeCli() {
  const db = path.join(dir, "cli.db");
  const orgId = `OR${hex(16)}`;
  const file = path.join(dir, "users.ndjson");
  const lines = [
    JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId, exported: new Date().toISOString(), store: "sqlite" }),
    JSON.stringify({ type: "organization", id: orgId, name: "Timing", settings: { domainEnforcement: false }, created: "2026-01-01T00:00:00.000Z", lastModified: "2026-01-01T00:00:00.000Z" }),
  ];
  for (let i = 0; i < USERS; i++) lines.push(JSON.stringify({ type: "user", resource: userResource(i) }));
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  const mb = (fs.statSync(file).size / 1e6).toFixed(1);
  console.log(`file: ${USERS.toLocaleString("en")} users, ${mb} MB`);
  let t0 = process.hrtime.bigint();
  const first = run(db, ["import", "--org", orgId, file]);
  const a = seconds(t0);
  console.log(`orgscim import (empty store, creates the organization and ${USERS.toLocaleString("en")} users): ${a.toFixed(2)} s\n${first.trim()}`);
  t0 = process.hrtime.bigint();
  const second = run(db, ["import", "--org", orgId, file]);
  const b = seconds(t0);
  console.log(`orgscim import again (every line unchanged): ${b.toFixed(2)} s\n${second.trim()}`);
  t0 = process.hrtime.bigint();
  const exported = path.join(dir, "again.ndjson");
  run(db, ["export", "--org", orgId, "--out", exported]);
  console.log(`orgscim export: ${seconds(t0).toFixed(2)} s`);
  return { first: a, second: b };
}

async function timeBulk() {
  const db = path.join(dir, "bulk.db");
  const created = Created.parse(JSON.parse(run(db, ["orgs", "create", "--name", "Bulk timing", "--domain-enforcement", "off"])));
  const token = run(db, ["tokens", "create", "--org", created.sid, "--scopes", "scim", "--quiet"]).trim();
  const port = await freePort();
  const server = spawn(process.execPath, [MAIN], { env: { ...env, DATABASE_URL: `sqlite:${db}`, PORT: String(port), HOST: "127.0.0.1" }, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}/scim/v2`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch { /* not yet listening */ }
      if (i > 200) throw new Error("the server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const PER = 1000;
    const t0 = process.hrtime.bigint();
    let ok = 0;
    for (let start = 0; start < USERS; start += PER) {
      const Operations = [];
      for (let i = start; i < Math.min(USERS, start + PER); i++) {
        const { id: _id, meta: _meta, ...data } = userResource(i);
        Operations.push({ method: "POST", path: "/Users", bulkId: `u${i}`, data });
      }
      const res = await fetch(`${base}/Bulk`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations }),
      });
      const answer: unknown = await res.json();
      if (res.status !== 200) throw new Error(`Bulk answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
      const body = BulkAnswer.parse(answer);
      ok += body.Operations.filter((o) => o.status === "201").length;
    }
    const s = seconds(t0);
    const check = ListAnswer.parse(await (await fetch(`${base}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } })).json());
    console.log(`POST /Bulk, ${Math.ceil(USERS / PER)} requests of ${PER} POST /Users: ${s.toFixed(2)} s (${ok.toLocaleString("en")} created, ${Math.round(ok / s).toLocaleString("en")}/s; GET /Users totalResults ${check.totalResults})`);
    return s;
  } finally {
    server.kill("SIGTERM");
  }
}

(async () => {
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}`);
  try {
    const only = opt("--only", "");
    if (only !== "bulk") timeCli();
    if (only !== "cli") await timeBulk();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
