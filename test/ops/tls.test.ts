/**
 * Built-in TLS (issue 16 item 4) over real TLS on loopback: certificates made in the test, each
 * connection verified against the test's own CA, TLS 1.3 offered, renewed files taken without a
 * restart, bad files refused at start and kept out at reload.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { generate } from "selfsigned";
import { ConfigError, loadConfig } from "../../src/config/config";
import { loadTlsFiles, TlsFileError } from "../../src/http/listen";
import { startServer, type RunningServer } from "../../src/server";
import { ensureBuilt, freePort, spawnServer } from "../helpers/built-server";

interface Pair { cert: string; key: string }
async function makeCert(cn: string): Promise<Pair> {
  const p = await generate([{ name: "commonName", value: cn }], {
    keySize: 2048, notAfterDate: new Date(Date.now() + 2 * 86_400_000), extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
  });
  return { cert: p.cert, key: p.private };
}

interface Answer { status: number; protocol: string | null; peerCN: string | undefined; body: string }
function get(url: string, ca: string, extra: https.RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, ...extra }, (res) => {
      const socket = res.socket as TLSSocket;
      const protocol = socket.getProtocol();
      const peerCN = socket.getPeerCertificate().subject?.CN as string | undefined;
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, protocol, peerCN, body }));
    });
    req.on("error", reject);
  });
}

async function until<T>(what: string, fn: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let dir: string;
let a: Pair;
let b: Pair;
beforeAll(() => ensureBuilt()); // for the process test
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-tls-"));
  [a, b] = await Promise.all([makeCert("orgscim-a"), makeCert("orgscim-b")]);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(name: string, pair: Pair): { TLS_CERT_FILE: string; TLS_KEY_FILE: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, pair.cert);
  writeFileSync(key, pair.key);
  return { TLS_CERT_FILE: cert, TLS_KEY_FILE: key };
}

async function serve(env: Record<string, string>): Promise<RunningServer> {
  return startServer(loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", DATABASE_URL: `sqlite:${join(dir, `s${Math.random()}.db`)}`, DOMAIN_RECHECK_INTERVAL_MS: "0", ...env }));
}

describe("built-in TLS", () => {
  it("serves HTTPS with the configured certificate, over TLS 1.3 when the client offers it", async () => {
    const running = await serve(files("a", a));
    try {
      expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await get(`${running.url}/healthz`, a.cert);
      expect(r).toMatchObject({ status: 200, protocol: "TLSv1.3", peerCN: "orgscim-a" });
      const old = await get(`${running.url}/healthz`, a.cert, { maxVersion: "TLSv1.2" });
      expect(old).toMatchObject({ status: 200, protocol: "TLSv1.2" });
      // A client that does not trust the certificate is refused by its own verification.
      await expect(get(`${running.url}/healthz`, b.cert)).rejects.toThrow(/self[- ]signed|unable to verify/i);
    } finally {
      await running.stop();
    }
  });

  it("refuses TLS 1.2 clients when TLS_MIN_VERSION is TLSv1.3", async () => {
    const running = await serve({ ...files("a13", a), TLS_MIN_VERSION: "TLSv1.3" });
    try {
      expect((await get(`${running.url}/healthz`, a.cert)).protocol).toBe("TLSv1.3");
      await expect(get(`${running.url}/healthz`, a.cert, { maxVersion: "TLSv1.2" })).rejects.toThrow(/protocol version|alert/i);
    } finally {
      await running.stop();
    }
  });

  it("takes renewed files for new connections without a restart, and keeps the previous pair when the new one is bad", async () => {
    const env = files("renew", a);
    const running = await serve({ ...env, TLS_RELOAD_INTERVAL_MS: "50" });
    try {
      expect((await get(`${running.url}/healthz`, a.cert)).peerCN).toBe("orgscim-a");
      writeFileSync(env.TLS_CERT_FILE, b.cert);
      writeFileSync(env.TLS_KEY_FILE, b.key);
      await until("the renewed certificate", async () => ((await get(`${running.url}/healthz`, b.cert)).peerCN === "orgscim-b" ? true : null));
      writeFileSync(env.TLS_KEY_FILE, a.key); // a key that is not the certificate's
      await new Promise((r) => setTimeout(r, 300));
      expect(await get(`${running.url}/healthz`, b.cert)).toMatchObject({ status: 200, peerCN: "orgscim-b" });
    } finally {
      await running.stop();
    }
  });

  it("says which file is wrong and how: missing, not PEM, a key of another certificate", () => {
    const ok = files("check", a);
    expect(() => loadTlsFiles(join(dir, "nope.crt"), ok.TLS_KEY_FILE)).toThrow(new TlsFileError(`TLS_CERT_FILE=${join(dir, "nope.crt")}: cannot read it (ENOENT).`));
    writeFileSync(join(dir, "junk.crt"), "not a certificate");
    expect(() => loadTlsFiles(join(dir, "junk.crt"), ok.TLS_KEY_FILE)).toThrow(/^TLS_CERT_FILE=.*junk\.crt: not a PEM certificate/);
    writeFileSync(join(dir, "junk.key"), "not a key");
    expect(() => loadTlsFiles(ok.TLS_CERT_FILE, join(dir, "junk.key"))).toThrow(/^TLS_KEY_FILE=.*junk\.key: not a usable PEM private key/);
    const other = files("other", b);
    expect(() => loadTlsFiles(ok.TLS_CERT_FILE, other.TLS_KEY_FILE)).toThrow(`TLS_KEY_FILE=${other.TLS_KEY_FILE} is not the private key of the certificate in TLS_CERT_FILE=${ok.TLS_CERT_FILE}.`);
  });

  it("stops start-up when only one of the two files is configured", () => {
    expect(() => loadConfig({ TLS_CERT_FILE: "/x.crt" })).toThrow(ConfigError);
    expect(() => loadConfig({ TLS_KEY_FILE: "/x.key" })).toThrow("TLS_KEY_FILE is set but TLS_CERT_FILE is not: set both");
  });

  it("as a process: a bad pair stops start-up with the reason; a bad renewal is logged and the previous pair kept", async () => {
    const other = files("p-other", b);
    const bad = spawnServer({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${join(dir, "p1.db")}`, TLS_CERT_FILE: files("p-bad", a).TLS_CERT_FILE, TLS_KEY_FILE: other.TLS_KEY_FILE });
    expect((await bad.exited).code).toBe(1);
    expect(bad.output()).toMatch(/orgscim failed to start: TLS_KEY_FILE=.* is not the private key of the certificate in TLS_CERT_FILE=/);

    const env = files("p-good", a);
    const port = await freePort();
    const p = spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, "p2.db")}`, ...env, TLS_RELOAD_INTERVAL_MS: "50" });
    try {
      await until("the HTTPS server", async () => ((await get(`https://127.0.0.1:${port}/healthz`, a.cert)).status === 200 ? true : null));
      expect(p.output()).toMatch(/"msg":"serving HTTPS"/);
      writeFileSync(env.TLS_KEY_FILE, b.key);
      await until("the reload error", async () => (/TLS certificate reload failed; still serving the previous certificate/.test(p.output()) ? true : null));
      expect(p.output()).toMatch(/"detail":"TLS_KEY_FILE=.* is not the private key of the certificate/);
      expect((await get(`https://127.0.0.1:${port}/healthz`, a.cert)).peerCN).toBe("orgscim-a");
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  }, 60_000);
});
