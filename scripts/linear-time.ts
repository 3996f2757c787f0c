/**
 * Hostile request sizes against the SCIM engine (issue 14): starts dist/main.js on an empty SQLite
 * store as its own process and prints, for each request, its status, its latency and the worst
 * /healthz latency meanwhile (polled every 2 ms from this process).
 * Usage: npm run build && node dist-scripts/linear-time.js [--dist DIR] [--only TEXT]
 * PROF=1 writes the server's CPU profile to ./linear-time-prof.
 */
import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { DIST } from "./built";
import { freePort } from "./free-port";

const arg = (name: string, dflt: string): string => { const i = process.argv.indexOf(name); return (i > 0 ? process.argv[i + 1] : undefined) ?? dflt; };
const root = join(arg("--dist", DIST), "..");
const only = arg("--only", "");
const dir = mkdtempSync(join(tmpdir(), "scim-measure-"));
const token = `osk_${randomBytes(16).toString("hex")}_${randomBytes(32).toString("base64url")}`;
let srv: ReturnType<typeof spawn> | undefined;

async function main() {
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: `sqlite:${dir}/m.db`, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ORGSCIM_BOOTSTRAP_TOKEN: token, WRITES_SHED_LAG_MS: "0" };
  const server = spawn(process.execPath, [...(process.env.PROF ? ["--cpu-prof", "--cpu-prof-dir=linear-time-prof"] : []), join(root, "dist/main.js")], { env, stdio: "inherit" });
  srv = server;
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) { try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ } await new Promise((r) => setTimeout(r, 100)); }
  const orgs = z.array(z.object({ sid: z.string() })).min(1).parse(JSON.parse(execFileSync(process.execPath, [join(root, "bin/orgscim.js"), "orgs", "list"], { env }).toString()));
  execFileSync(process.execPath, [join(root, "bin/orgscim.js"), "orgs", "settings", orgs[0]!.sid, "--domain-enforcement", "off"], { env });
  const H = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
  const call = async (method: string, path: string, body?: unknown) => { const r = await fetch(`${base}/scim/v2${path}`, { method, headers: H, body: body === undefined ? undefined : JSON.stringify(body) }); const t = await r.text(); return { status: r.status, body: t }; };
  const P = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
  const emails = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ value: `${p}${i}@x.test`, type: "work" }));
  const user = (u: string, over: Record<string, unknown> = {}) => ({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: u, name: { givenName: "A", familyName: "B" }, emails: [{ value: u, type: "work", primary: true }], ...over });
  async function measure(label: string, method: string, path: string, body?: unknown) {
    if (only && !label.includes(only)) return;
    const text = body === undefined ? undefined : JSON.stringify(body);
    let stop = false; let worst = 0; let n = 0;
    const poll = (async () => { while (!stop) { const t = performance.now(); await fetch(`${base}/healthz`); worst = Math.max(worst, performance.now() - t); n++; await new Promise((r) => setTimeout(r, 2)); } })();
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    const r = await fetch(`${base}/scim/v2${path}`, { method, headers: H, body: text }); const out = await r.text();
    const dt = performance.now() - t0; stop = true; await poll;
    console.log(`${label.padEnd(44)} ${String(text?.length ?? 0).padStart(8)} B  ${r.status}  ${dt.toFixed(0).padStart(6)} ms  healthz max ${worst.toFixed(0).padStart(5)} ms (n=${n}) ${r.status >= 400 ? out.slice(out.indexOf('"detail"'), out.indexOf('"detail"') + 90) : ""}`);
  }
  const u: { id: string } = JSON.parse((await call("POST", "/Users", user("big@x.test"))).body);
  const url = `/Users/${u.id}`;
  await measure("PATCH add 12000 emails (1 op)", "PATCH", url, { schemas: [P], Operations: [{ op: "add", path: "emails", value: emails(12000, "a") }] });
  await measure("PATCH 120 ops x 100 emails", "PATCH", url, { schemas: [P], Operations: Array.from({ length: 120 }, (_, k) => ({ op: "add", path: "emails", value: emails(100, `b${k}-`) })) });
  await measure("PUT 12000 emails", "PUT", url, user("big@x.test", { emails: emails(12000, "c") }));
  await measure("POST 12000 emails", "POST", "/Users", user("big2@x.test", { emails: emails(12000, "c") }));
  await measure("PATCH replace 100 emails", "PATCH", url, { schemas: [P], Operations: [{ op: "replace", path: "emails", value: emails(100, "d") }] });
  await measure("PATCH 1000 ops filter on 100 emails", "PATCH", url, { schemas: [P], Operations: Array.from({ length: 1000 }, (_, k) => ({ op: "replace", path: `emails[value eq "d${k % 100}@x.test"].display`, value: `n${k}` })) });
  await measure("PATCH 60 ops add the same 100 emails", "PATCH", url, { schemas: [P], Operations: Array.from({ length: 60 }, () => ({ op: "add", path: "emails", value: emails(100, "d") })) });
  await measure("PATCH remove 100 emails by value", "PATCH", url, { schemas: [P], Operations: [{ op: "remove", path: "emails", value: emails(100, "d") }] });
  await measure("PATCH 10 ops x 100 roles", "PATCH", url, { schemas: [P], Operations: Array.from({ length: 10 }, (_, k) => ({ op: "add", path: "roles", value: Array.from({ length: 100 }, (_, i) => ({ value: `r${k}-${i}`, type: "other" })) })) });
  await measure("PUT 100 emails 1000 roles", "PUT", url, user("big@x.test", { emails: emails(100, "f"), roles: Array.from({ length: 1000 }, (_, i) => ({ value: `r${i}`, type: "other" })) }));
  const ops = Array.from({ length: 1000 }, (_, i) => ({ method: "POST", bulkId: `b${i}`, path: "/Users", data: user(`bulk${i}@x.test`, { emails: emails(20, `e${i}-`) }) }));
  await measure("Bulk 1000 POST (20 emails each)", "POST", "/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: ops });
  const pops = Array.from({ length: 1000 }, (_, i) => ({ method: "PATCH", path: url, data: { schemas: [P], Operations: [{ op: "replace", path: "emails", value: emails(100, `g${i}-`) }] } }));
  await measure("Bulk 1000 PATCH (100 emails each)", "POST", "/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: pops });
  server.kill("SIGINT"); await new Promise((r) => server.on("exit", r));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  srv?.kill("SIGKILL");
  process.exit(1);
});
