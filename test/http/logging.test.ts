/**
 * The request log: one line per request, and `req.log` (defined once on the request prototype, made
 * lazily) writes lines carrying that request's id and no other's, over real HTTP.
 */
import express from "express";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { requestLogging } from "../../src/http/logging";

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
  return { logger: pino({ level: "info" }, sink), lines };
}

describe("request logging", () => {
  it("gives each request its own req.log, tagged with its own request id, and one request line", async () => {
    const { logger, lines } = capture();
    const app = express();
    app.use(requestLogging(logger));
    app.get("/work", (req, res) => {
      req.log?.info({ step: String(req.query.n) }, "working");
      res.json({ id: req.id });
    });
    app.get("/quiet", (_req, res) => { res.json({}); });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const answers = await Promise.all(["a", "b", "c"].map(async (n) => {
        const r = await fetch(`${base}/work?n=${n}&token=secret`, { headers: n === "b" ? { "x-request-id": "client-chosen.1" } : {} });
        return { n, id: ((await r.json()) as { id: string }).id, header: r.headers.get("x-request-id") };
      }));
      await fetch(`${base}/quiet`);
      await new Promise((r) => setImmediate(r));
      for (const a of answers) {
        expect(a.header).toBe(a.id);
        const own = lines.filter((l) => l.msg === "working" && l.step === a.n);
        expect(own).toHaveLength(1);
        expect(own[0]?.reqId).toBe(a.id);
        const line = lines.filter((l) => l.msg === "request" && l.reqId === a.id);
        expect(line).toHaveLength(1);
        expect(line[0]).toMatchObject({ method: "GET", path: "/work", status: 200 });
      }
      expect(answers.find((a) => a.n === "b")?.id).toBe("client-chosen.1");
      expect(new Set(answers.map((a) => a.id)).size).toBe(3);
      // The query string (which could carry a misplaced token) is never logged.
      expect(JSON.stringify(lines)).not.toContain("secret");
      expect(lines.filter((l) => l.msg === "request" && l.path === "/quiet")).toHaveLength(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("leaves req.log undefined where the middleware did not run", async () => {
    const app = express();
    let seen: unknown = "unset";
    app.get("/", (req, res) => { seen = req.log; res.end(); });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(seen).toBeUndefined();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
