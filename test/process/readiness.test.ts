/**
 * /readyz means "can take writes": on a full disk it answers 503 (writes do too), and ready again
 * once space is freed, without a restart. Needs a small filesystem of its own: a tmpfs mounted
 * here (root with the mount capability, as in CI); elsewhere the case is SKIPPED, loudly.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, runCli, spawnServer } from "../helpers/built-server";
import { listeningUrl } from "./drain-helpers";

let dir: string;
let mounted = false;
let whyNot = "";
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "orgscim-ready-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", dir], { stdio: "pipe" });
    mounted = true;
  } catch (e) {
    whyNot = String((e as { stderr?: Buffer }).stderr ?? e).trim();
    console.warn(`SKIPPED: /readyz on a full disk: cannot mount a tmpfs here (${whyNot}); it runs where the tests run as root with the mount capability (CI)`);
  }
}, 120_000);
afterAll(() => {
  if (mounted) execFileSync("umount", [dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the filesystem of `path` until it refuses more. */
function fill(path: string): void {
  const fd = openSync(path, "w");
  const block = Buffer.alloc(1024 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  } finally {
    closeSync(fd);
  }
}

/** The first line of the server's output holding `text`, once it has arrived (60 s; the output seen so far when it does not). */
async function logLineOf(p: { output(): string }, text: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = p.output().split("\n").find((l) => l.includes(text));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no line with ${JSON.stringify(text)} in the server's output within 60 s; its output:\n${p.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("readiness", () => {
  it("answers 503 on a full disk, with writes 503 and reads served, and ready again once space is freed", async () => {
    if (!mounted) {
      console.warn(`SKIPPED: /readyz on a full disk (${whyNot})`);
      return;
    }
    const token = `osk_${"cd".repeat(16)}_${"R".repeat(43)}`;
    const env = { PORT: "0", DATABASE_URL: `sqlite:${join(dir, "orgscim.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: token };
    const p = spawnServer(env);
    try {
      const base = await listeningUrl(p);
      const orgId = (JSON.parse(runCli(env, ["orgs", "list"])) as { sid: string }[])[0]!.sid;
      runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
      const create = (userName: string) => fetch(`${base}/scim/v2/Users`, { method: "POST", headers, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName }) });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await create("before@example.com")).status).toBe(201);

      fill(join(dir, "filler"));
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.headers.get("retry-after")).toBe("5");
      expect(await notReady.json()).toMatchObject({ status: "unavailable", store: "sqlite" });
      expect((await fetch(`${base}/scim/v2/Users`, { headers })).status).toBe(200);
      // The server's log reaches stdout a turn later, through libuv's thread pool (src/http/logging.ts): wait for the line.
      const logLine = await logLineOf(p, "/readyz: not ready");
      expect(logLine).toMatch(/has \d+ bytes free/);

      rmSync(join(dir, "filler"));
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await create("after@example.com")).status).toBe(201);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  }, 120_000);
});
