/**
 * The helper that waits for a spawned server tells a server that exited (a port taken, a start-up
 * error) from a slow one: it fails at once, with the server's own words, instead of waiting out its
 * timeout and saying only "did not answer" (how a CI run failed on a port in the ephemeral range).
 */
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, freePort, spawnServer, waitFor } from "../helpers/built-server";

let dir: string;
beforeAll(() => ensureBuilt());
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-waitfor-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("waitFor", () => {
  it("fails at once with the server's output when the server exits before answering", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as { port: number }).port;
    try {
      const p = spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, "w.db")}` });
      // "exited (code 1 ...)" is the failure at the server's exit; the timeout says "did not answer
      // within" instead. A timeout of 10 minutes: this test's own 2 would end it first.
      await expect(waitFor(`http://127.0.0.1:${port}/healthz`, 600_000)).rejects.toThrow(/exited \(code 1[\s\S]*port/i);
      await p.exited;
    } finally {
      busy.close();
    }
  }, 120_000);

  it("draws ports below Linux's ephemeral range, where no outgoing connection's local end can sit, and none a server listens on", async () => {
    const taken: ReturnType<typeof createServer>[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const p = await freePort();
        expect(p).toBeGreaterThanOrEqual(1024);
        expect(p).toBeLessThan(32768);
        // Hold it: a later draw of the same port must be skipped, not answered again.
        const s = createServer();
        await new Promise<void>((resolve, reject) => { s.once("error", reject); s.listen(p, "127.0.0.1", resolve); });
        taken.push(s);
      }
    } finally {
      for (const s of taken) s.close();
    }
  });
});
