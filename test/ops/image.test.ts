/**
 * The image and compose file, read as an operator would. CI also replays the Dockerfile for real
 * (scripts/dockerfile-replay.ts, run from dist-scripts/ by .ci/run); these checks say why a change
 * would break it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");
import * as replay from "../../scripts/dockerfile-replay";

describe("the Dockerfile", () => {
  const { stages } = replay.parseDockerfile(read("Dockerfile"));
  const [build, runtime] = [stages[0]!, stages[stages.length - 1]!];

  it("builds and runs on one Node line, the one package.json's engines names last (the current LTS)", () => {
    const majors = new Set(stages.map((s) => /^node:(\d+)-/.exec(s.image)?.[1]));
    expect(majors.size).toBe(1);
    const major = [...majors][0]!;
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    expect(engines.split("||").map((r) => r.trim()).pop()).toBe(`^${major}.0.0`);
    expect(Number(major)).toBeGreaterThanOrEqual(26); // Node 26 is the Active LTS since 2026-10-28; 20 ended 2026-04-30
  });

  it("installs dependencies without lifecycle scripts, before any source is copied", () => {
    const runs = build.steps.filter((s) => s.op === "RUN").map((s) => s.rest!);
    const ci = runs.find((r) => /\bnpm ci\b/.test(r));
    expect(ci).toMatch(/--ignore-scripts/);
    const copies = build.steps.filter((s) => s.op === "COPY");
    const ciAt = build.steps.findIndex((s) => s.op === "RUN" && /\bnpm ci\b/.test(s.rest!));
    const buildAt = build.steps.findIndex((s) => s.op === "RUN" && /\bnpm run build(?=\s|$)/.test(s.rest!));
    const copiedBefore = (at: number) => copies.filter((c) => build.steps.indexOf(c) < at).flatMap((c) => c.sources!);
    expect(copiedBefore(ciAt).sort()).toEqual([".npmrc", "package-lock.json", "package.json"]);
    // the build compiles scripts/ too (dist-scripts/) and runs one of them (the Admin Center's types)
    expect(copiedBefore(buildAt)).toEqual(expect.arrayContaining(["tsconfig.json", "tsconfig.build.json", "src", "scripts", "schemas"]));
  });

  it("rebuilds the native module from source after the install", () => {
    expect(build.steps.some((s) => s.op === "RUN" && /better-sqlite3 && npm run build-release/.test(s.rest!))).toBe(true);
  });

  it("runs as a non-root user with a health check on /readyz", () => {
    const user = runtime.steps.filter((s) => s.op === "USER").pop();
    expect(user?.rest).toBe("node");
    const check = runtime.steps.find((s) => s.op === "HEALTHCHECK");
    expect(check?.command).toEqual(["node", "bin/healthcheck.js"]);
    expect(read("bin/healthcheck.js")).toMatch(/path: "\/readyz"/);
  });

  it("keeps the repository's heavy and secret folders out of the build context", () => {
    const ignored = replay.dockerignore(read(".dockerignore"));
    for (const p of [".git", "node_modules", "node_modules/x/y.js", "data", "data/orgscim.db", "dist", "dist-scripts", "dist-bench", "secrets/mongo-keyfile", "orgscim.db"]) expect([p, ignored(p)]).toEqual([p, true]);
    for (const p of ["src/main.ts", "package.json", "package-lock.json", ".npmrc", "schemas/user.json", "bin/orgscim.js", "tsconfig.build.json"]) expect([p, ignored(p)]).toEqual([p, false]);
  });
});

describe("the .dockerignore matcher the replay uses", () => {
  it("follows Docker's rules: root-relative patterns, folders exclude their content, ! re-includes, ** spans folders", () => {
    const ig = replay.dockerignore("# comment\n/node_modules\n*.log\n**/*.tmp\ndocs\n!docs/keep.md\n");
    expect(ig("node_modules/a/b")).toBe(true);
    expect(ig("src/node_modules")).toBe(false);
    expect(ig("a.log")).toBe(true);
    expect(ig("src/a.log")).toBe(false);
    expect(ig("src/deep/x.tmp")).toBe(true);
    expect(ig("docs/other.md")).toBe(true);
    expect(ig("docs/keep.md")).toBe(false);
  });

  it("refuses an instruction it does not replay, instead of skipping it", () => {
    expect(() => replay.parseDockerfile("FROM node:26-trixie-slim\nADD x.tgz /app\n")).toThrow(/ADD is not replayed/);
  });
});

describe("docker-compose.yml", () => {
  type Service = { image?: string; command?: string[]; entrypoint?: string[]; restart?: string; environment?: Record<string, string>; env_file?: string[]; secrets?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; volumes?: string[] };
  const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
  const mongos = ["mongo1", "mongo2", "mongo3"].map((n) => compose.services[n]!);

  it("runs every MongoDB member with the replica set's keyfile (authentication on)", () => {
    for (const m of mongos) {
      expect(m.command).toEqual(expect.arrayContaining(["--replSet", "rs0", "--keyFile"]));
      expect(m.secrets).toContain("mongo_keyfile");
      expect(m.restart).toBe("unless-stopped");
    }
  });

  it("reports mongo1 healthy only after a majority-acknowledged write through the primary", () => {
    expect(compose.services.mongo1!.healthcheck!.test).toEqual(["CMD", "mongosh", "--quiet", "--norc", "--file", "/healthcheck.js"]);
    const check = read("deploy/mongo/healthcheck.js");
    expect(check).toMatch(/rs\.initiate\(/);
    expect(check).toMatch(/quit\(1\);\n\}/); // initiating is not healthy
    expect(check).toMatch(/writeConcern: \{ w: "majority"/);
    expect(check).toMatch(/replicaSet=rs0/);
  });

  it("starts orgscim after that, restarts it, and gives it time to find the store", () => {
    const o = compose.services.orgscim!;
    expect(o.depends_on!.mongo1).toEqual({ condition: "service_healthy" });
    expect(o.restart).toBe("unless-stopped");
    expect(Number(o.environment!.STORE_START_RETRY_MS)).toBeGreaterThan(0);
  });

  it("holds no password in clear: credentials come from git-ignored files deploy/make-secrets.sh writes", () => {
    const text = read("docker-compose.yml");
    expect(text).not.toMatch(/mongodb:\/\/[^\s"]*:[^\s"@]*@/); // no user:password@ URL
    expect(text).not.toMatch(/PASSWORD:/); // only *_PASSWORD_FILE
    expect(compose.services.orgscim!.env_file).toEqual(["./secrets/orgscim.env"]);
    for (const s of Object.values(compose.secrets)) expect(s.file).toMatch(/^\.\/secrets\//);
    expect(read(".gitignore").split("\n")).toContain("secrets/");
    expect(read("deploy/make-secrets.sh")).toMatch(/umask 077/);
    expect(read("deploy/mongo/init-users.js")).toMatch(/roles: \[\{ role: "readWrite", db: "orgscim" \}\]/);
  });
});
