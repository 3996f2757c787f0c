/**
 * The Admin Center in a real browser: Debian's Chromium driven by playwright-core, against a real
 * orgscim server (startTestServer) serving the built page at /admin.
 *
 * - Chromium missing: the browser tests FAIL with a message saying how to install it, unless
 *   ORGSCIM_SKIP_BROWSER=1, which skips them with one loud line.
 * - The page is built (src/admin → dist/admin) first when it is missing or older than its sources.
 * - Every test gets a fresh browser context (no storage carried over); every request the page
 *   makes must go to the server under test, and no script error or CSP violation may occur.
 * - `shot(name)` saves a screenshot to test-artifacts/admin/<name>.png.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { renderAdminHtml } from "../../scripts/admin-html";
import { startTestServer, type TestServer } from "../helpers/server";

const ROOT = join(__dirname, "..", "..");
const SRC = join(ROOT, "src", "admin");
const OUT = join(ROOT, "dist", "admin");
export const ARTIFACTS = join(ROOT, "test-artifacts", "admin");
/** Debian's Chromium; CHROMIUM_PATH points elsewhere (another distribution's build). */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const INSTALL_HINT = `Chromium is not installed at ${CHROMIUM}; the Admin Center's browser tests need it. Install Debian's package: ` +
  "`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does this), " +
  "or set ORGSCIM_SKIP_BROWSER=1 to skip these tests.";

export const skipBrowser = process.env.ORGSCIM_SKIP_BROWSER === "1";

/** `describe` for browser tests: skipped loudly with ORGSCIM_SKIP_BROWSER=1, failing when Chromium is missing. */
export function describeBrowser(name: string, fn: () => void): void {
  if (skipBrowser) {
    const line = `SKIPPED: the Admin Center browser tests (${name}) because ORGSCIM_SKIP_BROWSER=1`;
    process.stderr.write(`\n*** ${line} ***\n`);
    describe(name, () => it.skip(line, () => undefined));
    return;
  }
  describe(name, fn);
}

function newestMtime(dir: string): number {
  return readdirSync(dir).reduce((max, f) => Math.max(max, statSync(join(dir, f)).mtimeMs), 0);
}

/**
 * Builds the page as `npm run build:admin` does (tsc, the style and icon copied, the HTML written
 * from src/admin/shell.html and the bodies), into a temporary folder moved into place, under a
 * lock (a folder) so that two Jest workers never build at once.
 */
export function ensureAdminBuilt(): void {
  const fresh = () => existsSync(join(OUT, "app.js")) && existsSync(join(OUT, "index.html")) && statSync(join(OUT, "index.html")).mtimeMs >= newestMtime(SRC);
  if (fresh()) return;
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const lock = join(ROOT, "dist", ".admin-build.lock");
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} is held for more than 2 minutes; remove it if no build is running.`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another worker is building
    }
  }
  try {
    if (fresh()) return;
    const tmp = join(ROOT, "dist", `.admin-build-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(SRC, "tsconfig.json"), "--outDir", tmp], { stdio: "inherit" });
    for (const f of readdirSync(SRC)) if (/\.(css|svg)$/.test(f)) copyFileSync(join(SRC, f), join(tmp, f));
    renderAdminHtml(SRC, tmp);
    rmSync(OUT, { recursive: true, force: true });
    renameSync(tmp, OUT);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(INSTALL_HINT);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * The host name PUBLIC_URL names in tests that follow a mailed link (`publicHost: true`): Chromium
 * resolves it to the test server's loopback port (--host-resolver-rules), so the browser opens the
 * very link the mail carries, PUBLIC_URL and all, while the server still listens on port 0.
 */
export const PUBLIC_HOST = "orgscim.test";
export const PUBLIC_URL = `http://${PUBLIC_HOST}`;

export interface AdminEnv {
  server: TestServer;
  browser: Browser;
  /** The origins the page may talk to: the server's, and PUBLIC_URL's when mapped. */
  origins: string[];
}

/** Starts (in beforeAll) the build check, a server and Chromium; closes them in afterAll. */
export function adminEnv(serverEnv: () => Promise<Record<string, string>> | Record<string, string> = () => ({}), opts: { publicHost?: boolean } = {}): AdminEnv {
  const env = {} as AdminEnv;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(INSTALL_HINT);
    ensureAdminBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    env.server = await startTestServer({ ...(opts.publicHost ? { PUBLIC_URL } : {}), ...(await serverEnv()) });
    env.origins = [env.server.url, ...(opts.publicHost ? [PUBLIC_URL] : [])];
    // The second flag makes http://orgscim.test a trustworthy origin, as an https PUBLIC_URL is (COOP applies).
    env.browser = await launchChromium(opts.publicHost ? [`--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1:${env.server.running.port}`, `--unsafely-treat-insecure-origin-as-secure=${PUBLIC_URL}`] : []);
  }, 120_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

export interface Session {
  page: Page;
  context: BrowserContext;
  /** Requests the page made, as URLs. */
  requests: string[];
  /** Script errors and CSP violations seen so far. */
  problems: string[];
  /** Navigates to the page and signs in with `token`. */
  signIn(token: string): Promise<void>;
  /** Goes to a hash route (#/users, ...) and waits for its h1. */
  go(hash: string): Promise<void>;
  /** Saves test-artifacts/admin/<name>.png: the whole page, or only the screen (`screen`, for dialogs). */
  shot(name: string, screen?: "screen"): Promise<void>;
  /** Checks that nothing went wrong (called by close). */
  close(): Promise<void>;
}

/** A fresh browser context on a 1366×768 screen. */
export async function openSession(env: AdminEnv): Promise<Session> {
  const context = await env.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "en-US", timezoneId: "UTC" });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of (4\d\d)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  const s: Session = {
    page, context, requests, problems,
    async signIn(token) {
      await page.goto(`${env.server.url}/admin/`);
      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("navigation", { name: "Admin Center" }).waitFor();
      await page.locator("main h1").first().waitFor();
    },
    async go(hash) {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle");
    },
    async shot(name, screen) {
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: screen !== "screen" });
    },
    async close() {
      await context.close();
      const foreign = requests.filter((u) => !env.origins.some((o) => u.startsWith(`${o}/`)) && !u.startsWith("data:"));
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
    },
  };
  return s;
}
