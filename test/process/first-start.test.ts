/**
 * The first start never strands the owner of the data: a busy port is refused before anything is
 * created; the first organization and its token are made once the server listens, in one
 * transaction; a store whose bootstrap token was never shown says so at the next start, with the
 * command that makes a new one.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapIfEmpty } from "../../src/bootstrap";
import { systemClock } from "../../src/domain/clock";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { ensureBuilt, freePort, runCli, spawnServer, waitFor } from "../helpers/built-server";

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "orgscim-first-"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port some other program holds, on 127.0.0.1 (port 0: the system picks a free one). */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe("the first start", () => {
  it("refuses a busy port with a clear message and exit 1, before any store is created", async () => {
    const { port, server } = await occupiedPort();
    const db = join(dir, "busy", "never.db");
    try {
      const p = spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${db}` });
      const { code } = await p.exited;
      expect(code).toBe(1);
      expect(p.output()).toContain(`orgscim cannot start. Cannot listen: port ${port} on 127.0.0.1 is already in use`);
      expect(p.output()).toContain("Nothing was created or changed.");
      expect(p.output()).not.toMatch(/osk_|TypeError|Cannot read properties/);
      expect(existsSync(db)).toBe(false);
      expect(existsSync(join(dir, "busy"))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("shows the token once; a later start says nothing about it", async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: `sqlite:${join(dir, "shown.db")}` };
    const first = spawnServer(env);
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    expect(first.output()).toMatch(/^\s+osk_[0-9a-f]{32}_\S+$/m);
    first.child.kill("SIGTERM");
    await first.exited;
    const again = spawnServer(env);
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    again.child.kill("SIGTERM");
    await again.exited;
    expect(again.output()).not.toMatch(/osk_|never shown/);
  });

  it("records the token as shown even when SIGTERM comes the moment it is printed, and drains", async () => {
    // The record that the token was shown is written after it is printed; a signal then used to
    // find no handler yet (they were installed after that write) and killed the process mid-write.
    for (let round = 0; round < 3; round++) {
      const port = await freePort();
      const env = { PORT: String(port), DATABASE_URL: `sqlite:${join(dir, `signal-${round}.db`)}` };
      const first = spawnServer(env);
      let sent = false; // one signal: a second one means "exit now" (exit 1)
      first.child.stdout!.on("data", () => {
        if (!sent && /^\s+osk_[0-9a-f]{32}_\S+$/m.test(first.output())) sent = first.child.kill("SIGTERM");
      });
      const { code, signal } = await first.exited;
      expect(first.output()).toMatch(/^\s+osk_[0-9a-f]{32}_\S+$/m);
      expect({ round, code, signal }).toEqual({ round, code: 0, signal: null });
      const again = spawnServer(env);
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      again.child.kill("SIGTERM");
      await again.exited;
      expect({ round, said: again.output().match(/never shown/)?.[0] ?? null }).toEqual({ round, said: null });
    }
  }, 240_000); // six server starts: a minute or more on a loaded machine

  it("says at start that a bootstrap token was never shown, with the command that makes a new one; once made, says no more", async () => {
    const db = join(dir, "lost.db");
    // A first start that stopped between the bootstrap transaction and printing the token.
    const store = openSqliteStore({ path: db });
    const made = (await bootstrapIfEmpty(store, systemClock, { orgName: "Lost" }))!;
    await store.close();
    const port = await freePort();
    const env = { PORT: String(port), DATABASE_URL: `sqlite:${db}` };
    const p = spawnServer(env);
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    p.child.kill("SIGTERM");
    await p.exited;
    expect(p.output()).toContain(`The admin token of the first organization (${made.orgId}, token ${made.tokenId})`);
    expect(p.output()).toContain("never shown");
    const command = /npx orgscim (tokens create --org \S+ --scopes admin,scim --name admin)/.exec(p.output())![1]!.split(" ");
    const token = (JSON.parse(runCli(env, command)) as { token: string }).token; // JSON off a terminal
    expect(token).toMatch(/^osk_[0-9a-f]{32}_\S+$/);
    const q = spawnServer(env);
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    const r = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    q.child.kill("SIGTERM");
    await q.exited;
    expect(r.status).toBe(200);
    expect(q.output()).not.toContain("never shown");
  });

  it("makes one organization and shows one token when three servers start together on one empty store", async () => {
    const db = join(dir, "together.db");
    const ports = [await freePort(), await freePort(), await freePort()];
    const servers = ports.map((port) => spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${db}` }));
    try {
      for (const port of ports) {
        await waitFor(`http://127.0.0.1:${port}/healthz`, 60_000).catch((e: Error) => {
          throw new Error(`${e.message}\n${servers.map((p, i) => `--- server ${i} ---\n${p.output()}`).join("\n")}`);
        });
      }
    } finally {
      for (const p of servers) p.child.kill("SIGTERM");
      await Promise.all(servers.map((p) => p.exited));
    }
    const shown = servers.map((p) => p.output().match(/^\s+osk_[0-9a-f]{32}_\S+$/gm) ?? []);
    expect(shown.flat()).toHaveLength(1);
    const store = openSqliteStore({ path: db });
    try {
      const orgs = await store.orgs.list();
      expect(orgs).toHaveLength(1);
      expect((await store.tokens.list(orgs[0]!.id)).map((t) => t.name)).toEqual(["bootstrap admin"]);
    } finally {
      await store.close();
    }
  }, 150_000);

  it("creates the organization, its role groups, its token and the audit events in one transaction, once", async () => {
    const store = openSqliteStore({ path: join(dir, "once.db") });
    try {
      const [a, b] = await Promise.all([
        bootstrapIfEmpty(store, systemClock, { orgName: "A" }),
        bootstrapIfEmpty(store, systemClock, { orgName: "B" }),
      ]);
      expect([a, b].filter((x) => x !== null)).toHaveLength(1);
      const orgs = await store.orgs.list();
      expect(orgs).toHaveLength(1);
      expect((await store.tokens.list(orgs[0]!.id)).map((t) => t.name)).toEqual(["bootstrap admin"]);
      expect((await store.audit.list(orgs[0]!.id, { limit: 10 })).map((e) => e.action).sort()).toEqual(["organization.bootstrap", "organization.create"]);
    } finally {
      await store.close();
    }
  });
});
