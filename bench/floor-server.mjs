// The floor server of bench/floor.mjs: the least a server in orgscim's process model (one Node
// process, node:http, better-sqlite3 on the product's own store file) must do for the writes of
// issue 18, so that what the product costs beyond it can be told apart. Started by floor.mjs, not by hand.
//   FLOOR_MODE=hello   node:http answering every GET with a constant 1.5 KB SCIM user (bench/baseline.ts's).
//   FLOOR_MODE=writes  on FLOOR_DB (a store the product built): POST /scim/v2/Users, PATCH of group
//                      members, GET /scim/v2/Users?filter=userName eq "..." (the Entra cycle's miss).
//   FLOOR_MODE=http    the same requests and answers without the store: no statement, no commit, no
//                      fsync (a lookup finds nobody), so writes - http is what the store's work costs.
// Writes run the statements the product's store runs for the same request (bench/write-cost.mjs
// --list), with the same rows, indexes, triggers and audit event, on a writer connection with the
// product's PRAGMAs, inside the product's own group commit (dist/store/sqlite/group-commit.js) and
// WAL syncer (wal-sync.js: synchronous=NORMAL, one fsync of the WAL in libuv's pool per group, an
// answer only after an fsync that started after its COMMIT), with the product's checkpoint worker.
// What it leaves out, and why that makes it a floor: bench/README.md, "What this machine allows".
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const MODE = process.env.FLOOR_MODE ?? "writes";
const TREE = resolve(String(process.env.FLOOR_TREE));
const load = createRequire(join(TREE, "dist", "main.js"));
const PORT = Number(process.env.PORT ?? 0);
const HOST = process.env.HOST ?? "127.0.0.1";

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const ORGSCIM_USER = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const JSON_TYPE = "application/scim+json; charset=utf-8";

/** Answers `status` with a JSON text (or nothing), as the product does, minus its security and request-id headers. */
function send(res, status, text, extra) {
  if (text === undefined) {
    res.writeHead(status, extra);
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text), ...extra });
  res.end(text);
}
const error = (res, status, detail) => send(res, status, JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(status), detail }));

function helloServer() {
  // The plain-Express baseline's user (bench/baseline.ts BASELINE_USER, handed over by floor.mjs), rendered at every request as the baseline renders it.
  const user = JSON.parse(String(process.env.FLOOR_BODY));
  const server = createServer((req, res) => {
    req.resume();
    send(res, 200, JSON.stringify(user));
  });
  return { server, shutdown: async () => undefined };
}

function writesServer() {
  const Database = load("better-sqlite3");
  const { GroupCommitter } = load("./store/sqlite/group-commit");
  const { GROUP_MAX_MEMBERS } = load("./store/sqlite/store");
  const { WalSyncer } = load("./store/sqlite/wal-sync");
  const { startCheckpointer, SAFETY_NET_PAGES } = load("./store/sqlite/checkpointer");
  const { rememberFiles } = load("./store/sqlite/file-identity");
  const { readerPragmas } = load("./store/sqlite/routing");
  const { foldCase } = load("./store/sqlite/fold");
  const { newId } = load("./domain/ids");
  const path = resolve(String(process.env.FLOOR_DB));

  // The writer as src/store/sqlite/store.ts opens it (after migrate, which has nothing to do on a store the product made).
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("secure_delete = ON");
  db.pragma("temp_store = MEMORY");
  db.pragma("cache_size = -65536");
  const checkpointer = startCheckpointer(path, 250 /* store.ts CHECKPOINT_INTERVAL_MS */, (m) => console.error(`checkpoint: ${m}`));
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  db.pragma("journal_size_limit = 67108864");
  db.pragma("busy_timeout = 0");
  const files = rememberFiles(path);
  const walFd = openSync(`${path}-wal`, "r+");
  const folder = openSync(dirname(path), "r");
  try { fsyncSync(folder); } finally { closeSync(folder); }
  db.pragma("synchronous = NORMAL");
  // The file identity check before every COMMIT and after every fsync, as the store makes it (once a microtask).
  let checkedNow = false;
  const assertFiles = (fresh = false) => {
    if (checkedNow && !fresh) return;
    const problem = files.problem();
    if (problem !== null) throw new Error(problem);
    checkedNow = true;
    queueMicrotask(() => { checkedNow = false; });
  };
  const syncer = new WalSyncer(walFd, { assertFiles: () => assertFiles(true), onFailure: (p) => console.error(p) });
  // As the store's: the files checked before each COMMIT, and before a BEGIN only while a problem is known (none here).
  const committer = new GroupCommitter(db, { maxMembers: GROUP_MAX_MEMBERS, assertFiles, beforeBegin: () => undefined, syncer });
  const reader = readerPragmas(new Database(path));
  // FLOOR_MODE=http: the writes' work (its statements, their parameters, the group commit) skipped.
  const STORE = MODE === "writes";
  const transact = STORE ? (fn) => committer.run(fn) : async () => undefined;

  // The principal: what the product's principal cache holds on a hit, keyed by the token's hash.
  const token = String(process.env.FLOOR_TOKEN);
  const row = db.prepare("SELECT id, org_id FROM api_tokens WHERE revoked IS NULL ORDER BY created LIMIT 1").get();
  const principals = new Map([[createHash("sha256").update(token).digest("hex"), { orgId: row.org_id, actor: row.id }]]);
  const role = db.prepare("SELECT id, display_name FROM groups WHERE org_id = ? AND builtin = 1 AND display_name = 'Standard User'").get(row.org_id);

  // The statements of bench/write-cost.mjs --list, as src/store/sqlite/{users,groups,misc}.ts prepare them.
  const USER_COLUMNS = ["id", "org_id", "user_name", "user_name_fold", "external_id", "display_name", "active", "status", "org_role",
    "two_factor_required", "password_reset_required", "primary_email", "data", "version", "created", "last_modified"];
  const s = {
    insertUser: db.prepare(`INSERT INTO users (${USER_COLUMNS.join(", ")}) VALUES (${USER_COLUMNS.map(() => "?").join(", ")})`),
    insertEmails: [],
    addOne: db.prepare(`INSERT OR IGNORE INTO group_members (group_seq, user_seq, org_id, user_id, display, id, created)
      SELECT g.seq, u.seq, g.org_id, u.id, coalesce(u.display_name, u.user_name), @membership, @created
      FROM groups g CROSS JOIN users u WHERE g.org_id = @org AND g.id = @group AND u.id = @user AND u.org_id = g.org_id`),
    remove: db.prepare(`DELETE FROM group_members WHERE group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?)
      AND user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?)`),
    // The product's touch (RETURNING version), also returning the externalId its audit event names,
    // which the product read with the group before: one statement here where it has two.
    touch: db.prepare("UPDATE groups SET version = version + 1, last_modified = ? WHERE org_id = ? AND id = ? RETURNING version, external_id").raw(),
    audit: db.prepare(`INSERT INTO audit_events (id, org, org_id, time, t, actor, action, target_type, target_id, outcome, before, after, reason, imported)
      SELECT ?, n, org_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM audit_orgs WHERE org_id = ?`),
    byUserName: reader.prepare(`SELECT u.seq, u.id, u.org_id, u.user_name, u.external_id, u.display_name, u.active, u.status, u.org_role, u.two_factor_required,
      u.password_reset_required, u.data, u.version, u.created, u.last_modified FROM users u WHERE u.org_id = ? AND u.user_name_fold = ? AND u.status <> 'independent'`).raw(),
  };
  const insertEmails = (n) => (s.insertEmails[n - 1] ??= db.prepare(`INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) VALUES ${Array.from({ length: n }, () => "(?, ?, ?, ?, ?, ?)").join(", ")}`));
  const audit = (p, time, action, type, target, before, after) => {
    if (s.audit.run(newId("AE"), time, Date.parse(time), p.actor, action, type, target, "success", before, after, null, null, p.orgId).changes !== 1) {
      throw new Error("audit event not written");
    }
  };

  const principalOf = (req) => {
    const h = req.headers.authorization;
    if (typeof h !== "string" || !h.startsWith("Bearer ")) return undefined;
    return principals.get(createHash("sha256").update(h.slice(7)).digest("hex"));
  };
  const readBody = (req) => new Promise((ok, fail) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { try { ok(JSON.parse(Buffer.concat(chunks).toString("utf8"))); } catch (e) { fail(e); } });
    req.on("error", fail);
  });
  const base = `http://${HOST}:${PORT}/scim/v2`;

  async function createUser(p, body, res) {
    if (typeof body?.userName !== "string" || body.userName === "") return error(res, 400, "userName is required");
    const { schemas: _schemas, ...data } = body;
    const emails = Array.isArray(data.emails) ? data.emails.filter((e) => typeof e?.value === "string") : [];
    const primary = (emails.find((e) => e.primary) ?? emails[0])?.value ?? null;
    const id = newId("US");
    const now = new Date().toISOString();
    const externalId = typeof data.externalId === "string" ? data.externalId : null;
    const displayName = typeof data.displayName === "string" ? data.displayName : null;
    const active = data.active !== false;
    try {
      await transact(async () => {
        const info = s.insertUser.run(id, p.orgId, data.userName, foldCase(data.userName), externalId, displayName, active ? 1 : 0, "managed", "standard",
          0, 0, primary, JSON.stringify(data), 1, now, now);
        const seq = Number(info.lastInsertRowid);
        if (emails.length > 0) {
          const args = [];
          for (const e of emails) args.push(seq, p.orgId, e.value, foldCase(e.value), e.type ?? null, e.primary ? 1 : 0);
          insertEmails(emails.length).run(args);
        }
        s.addOne.run({ org: p.orgId, group: role.id, user: id, membership: newId("GM"), created: now });
        s.touch.get(now, p.orgId, role.id);
        audit(p, now, "user.create", "User", id, null, JSON.stringify({
          userName: data.userName, externalId, displayName, active, status: "managed", orgRole: "standard",
          twoFactorRequired: false, passwordResetRequired: false, version: 1, attributes: data,
        }));
      });
    } catch (e) {
      if (e?.code === "SQLITE_CONSTRAINT_UNIQUE") return error(res, 409, "userName is already taken");
      throw e;
    }
    const location = `${base}/Users/${id}`;
    const { userName, externalId: _x, ...rest } = data;
    send(res, 201, JSON.stringify({
      schemas: [USER_SCHEMA, ENTERPRISE, ORGSCIM_USER], id, externalId, userName, ...rest,
      groups: [{ value: role.id, display: role.display_name, $ref: `${base}/Groups/${role.id}`, type: "direct" }],
      [ORGSCIM_USER]: { orgRole: "standard", status: "managed", twoFactorRequired: false, passwordResetRequired: false },
      meta: { resourceType: "User", created: now, lastModified: now, location, version: 'W/"1"' },
    }), { location });
  }

  const MEMBER_FILTER = /^members\[value eq "([^"]+)"\]$/;
  async function patchMembers(p, groupId, body, res) {
    const add = [];
    const remove = [];
    for (const op of Array.isArray(body?.Operations) ? body.Operations : []) {
      const kind = String(op?.op).toLowerCase();
      const one = typeof op?.path === "string" ? MEMBER_FILTER.exec(op.path) : null;
      const ids = one ? [one[1]] : op?.path === "members" && Array.isArray(op.value) ? op.value.map((v) => v?.value) : null;
      if (!ids || ids.some((v) => typeof v !== "string") || (kind !== "add" && kind !== "remove") || (one && kind !== "remove")) {
        return error(res, 400, "the floor takes member add and remove operations only");
      }
      (kind === "add" ? add : remove).push(...ids);
    }
    const now = new Date().toISOString();
    let found = true;
    await transact(async () => {
      let removed = 0;
      let added = 0;
      for (const u of remove) removed += s.remove.run(p.orgId, groupId, p.orgId, u).changes;
      for (const u of add) added += s.addOne.run({ org: p.orgId, group: groupId, user: u, membership: newId("GM"), created: now }).changes;
      const touched = s.touch.get(now, p.orgId, groupId);
      if (!touched) {
        found = false;
        throw Object.assign(new Error("no such group"), { notFound: true });
      }
      const [version, externalId] = touched;
      audit(p, now, "group.update", "Group", groupId, JSON.stringify({ externalId, version: version - 1 }),
        JSON.stringify({ externalId, version, membersAdded: added, membersRemoved: removed }));
    }).catch((e) => { if (!e?.notFound) throw e; });
    if (!found) return error(res, 404, "no such group");
    send(res, 204);
  }

  const USERNAME_EQ = /^userName eq "([^"]*)"$/;
  function findByUserName(p, url, res) {
    const m = USERNAME_EQ.exec(url.searchParams.get("filter") ?? "");
    if (!m) return error(res, 400, "the floor takes filter=userName eq \"...\" only");
    const row = STORE ? s.byUserName.get(p.orgId, foldCase(m[1])) : undefined;
    const resources = row ? [{ schemas: [USER_SCHEMA], id: row[1], userName: row[3], ...JSON.parse(row[11]) }] : [];
    send(res, 200, JSON.stringify({ schemas: [LIST], totalResults: resources.length, itemsPerPage: resources.length, startIndex: 1, Resources: resources }));
  }

  async function handle(req, res) {
    if (req.url === "/healthz") {
      req.resume();
      return send(res, 200, '{"status":"ok"}');
    }
    const p = principalOf(req);
    if (!p) {
      req.resume();
      return error(res, 401, "no valid token");
    }
    const url = new URL(req.url ?? "/", "http://floor");
    if (req.method === "POST" && url.pathname === "/scim/v2/Users") return createUser(p, await readBody(req), res);
    if (req.method === "PATCH" && url.pathname.startsWith("/scim/v2/Groups/")) return patchMembers(p, url.pathname.slice(16), await readBody(req), res);
    if (req.method === "GET" && url.pathname === "/scim/v2/Users") {
      req.resume();
      return findByUserName(p, url, res);
    }
    req.resume();
    return error(res, 404, "the floor answers POST /Users, PATCH /Groups/{id} members and GET /Users?filter=userName eq only");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error(e);
      if (!res.headersSent) error(res, e instanceof SyntaxError ? 400 : 500, String(e?.message ?? e));
    });
  });
  const shutdown = async () => {
    await committer.flush();
    await checkpointer.stop();
    closeSync(walFd);
    reader.close();
    db.close();
  };
  return { server, shutdown };
}

const { server, shutdown } = MODE === "hello" ? helloServer() : writesServer();
server.keepAliveTimeout = 65_000;
server.listen(PORT, HOST, () => console.log(`floor (${MODE}) listening on ${HOST}:${server.address().port}`));
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  shutdown().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
});
