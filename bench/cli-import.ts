/**
 * Importing users with the import command (`orgscim import --org ORG FILE`, an NDJSON export:
 * a header line, then one `{"type":"user","resource":{...}}` line a user) into an empty
 * organization, pinned to the server's core, stopped at a time limit (then the full time is
 * projected from the users it had committed).
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { userBody } from "./fixtures";
import { product, ROOT } from "./product";
import { hasTaskset } from "./servers";
import type { ImportResult } from "./import";

export const importCommandExists = (): boolean => existsSync(join(ROOT, "dist", "cli", "import.js"));

export async function writeExport(file: string, users: number): Promise<void> {
  const out = createWriteStream(file);
  const header = { type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR00000000000000000000000000000000", exported: new Date().toISOString(), store: "sqlite" };
  out.write(`${JSON.stringify(header)}\n`);
  for (let i = 0; i < users; i++) {
    if (!out.write(`${JSON.stringify({ type: "user", resource: userBody(`cli${String(i).padStart(7, "0")}`, i) })}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function countUsers(databaseUrl: string): Promise<number> {
  const store = await product.open.openStore(databaseUrl);
  try {
    const [org] = await store.orgs.list();
    return org ? (await store.users.list(org.id, { startIndex: 1, count: 0 })).total : 0;
  } finally {
    await store.close();
  }
}

export async function importWithCommand(databaseUrl: string, orgId: string, file: string, users: number, core: number, limitSeconds: number): Promise<ImportResult & { output: string }> {
  const argv = [process.execPath, join(ROOT, "bin", "orgscim.js"), "import", "--org", orgId, file];
  const [cmd, args] = hasTaskset ? ["taskset", ["-c", String(core), ...argv]] : [argv[0] as string, argv.slice(1)];
  const t0 = performance.now();
  const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), limitSeconds * 1000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const imported = await countUsers(databaseUrl);
  const complete = code === 0 && imported >= users;
  return {
    users, imported, failed: complete ? 0 : code === null ? 0 : users - imported, seconds, complete, opsPerRequest: 0,
    projectedSeconds: complete ? seconds : imported > 0 ? (seconds * users) / imported : Number.POSITIVE_INFINITY,
    output: output.slice(-400),
  };
}
