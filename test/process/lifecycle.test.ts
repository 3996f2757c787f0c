/** The server as a process: first start, configuration errors, SIGKILL durability, no secrets in logs (SIGTERM: drain.test.ts). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, freePort, runCli, spawnServer, waitFor } from "../helpers/built-server";
import { outputLine, WORKER_COUNTS } from "../helpers/workers-server";

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "orgscim-proc-"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

describe("the server process", () => {
  it("creates the first organization on an empty store and prints a one-time admin token that works", async () => {
    const port = await freePort();
    const p = spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, "first.db")}` });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      const token = /^\s+(osk_[0-9a-f]{32}_\S+)$/m.exec(p.output())?.[1];
      expect(token).toBeDefined();
      const r = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      const users = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
      expect(users.status).toBe(200);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });

  it("stops at start with a message naming a wrong variable and what it accepts", async () => {
    const p = spawnServer({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: `sqlite:${join(dir, "bad.db")}` });
    const { code } = await p.exited;
    expect(code).toBe(2);
    expect(p.output()).toMatch(/PORT="eighty"/);
    expect(p.output()).toMatch(/LOG_LEVEL="loud".*fatal.*error.*warn.*info/);
  });

  // With WORKERS=2 the SIGKILL hits the primary: its workers go with it, mid-request or not.
  it.each(WORKER_COUNTS)("keeps every acknowledged write across SIGKILL and restart, and logs no secret (WORKERS=%i)", async (workers) => {
    const port = await freePort();
    const file = join(dir, `durable-${workers}.db`);
    const db = `sqlite:${file}`;
    const token = `osk_${"ab".repeat(16)}_${"S".repeat(20)}secretpart${"x".repeat(13)}`;
    const env = { PORT: String(port), DATABASE_URL: db, ORGSCIM_BOOTSTRAP_TOKEN: token, LOG_LEVEL: "trace", WORKERS: String(workers) };
    const first = spawnServer(env);
    if (workers > 1) await outputLine(first, /worker processes serving/);
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    // The CLI works on the same store while the server runs.
    const orgId = (JSON.parse(runCli(env, ["orgs", "list"])) as { sid: string }[])[0]!.sid;
    runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: [USER], userName: `durable${i}`, password: "Pa55-word-never-logged" }),
      });
      expect(r.status).toBe(201);
      ids.push(((await r.json()) as { id: string }).id);
    }
    // A request's log line is written when its response finishes: wait for all 20 before the kill.
    const createdLines = (out: string) => out.split("\n").filter((l) => l.includes('"msg":"request"') && l.includes('"status":201')).length;
    for (let i = 0; i < 3000 && createdLines(first.output()) < ids.length; i++) await new Promise((r) => setTimeout(r, 20)); // up to 60 s on a loaded machine
    first.child.kill("SIGKILL");
    await first.exited;
    if (workers > 1) {
      // The workers exit when their channel to the primary closes; the port is free once they have.
      const pids = JSON.parse(/"pids":(\[[^\]]*\])/.exec(first.output())![1]!) as number[];
      const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      for (let i = 0; i < 600 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      expect(pids.filter(alive)).toEqual([]);
    }
    const second = spawnServer(env);
    try {
      if (workers > 1) await outputLine(second, /worker processes serving/);
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      const r = await fetch(`http://127.0.0.1:${port}/scim/v2/Users?count=100`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await r.json()) as { totalResults: number; Resources: { id: string }[] };
      expect(body.totalResults).toBe(ids.length);
      expect(body.Resources.map((u) => u.id).sort()).toEqual([...ids].sort());
      const logs = first.output() + second.output();
      expect(logs).not.toContain("secretpart");
      expect(logs).not.toContain("Pa55-word-never-logged");
      // One line per request, with what an operator needs to trace it and nothing secret.
      const lines = logs.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      const created = lines.filter((l) => l.msg === "request" && l.method === "POST" && l.status === 201);
      expect(created).toHaveLength(ids.length);
      for (const l of created) {
        expect(l).toMatchObject({ path: "/scim/v2/Users", org: orgId });
        expect(l.tokenSid).toMatch(/^TK[0-9a-f]{32}$/);
        expect(l.reqId).toMatch(/^[0-9a-f-]{36}$/);
      }
      const data = readFileSync(file).toString("latin1") + readFileSync(`${file}-wal`).toString("latin1");
      expect(data).not.toContain("secretpart");
      expect(data).not.toContain("Pa55-word-never-logged");
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 120_000);
  // SIGTERM with requests in flight: test/process/drain.test.ts (a reset or a cut body fails it).
});
