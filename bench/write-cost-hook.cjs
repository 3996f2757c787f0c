// Loaded into the server by bench/write-cost.mjs (--require): counts the SQLite statements the
// process runs (by SQL text, prepared statements and exec alike) and the WAL frames each COMMIT
// appends (mxFrame of the wal-index header in the -shm file, read around the COMMIT), and answers
// them over the IPC channel ("snap" → the counts since the last "snap"). An exec refused with
// SQLITE_BUSY counts again as "<its SQL> -> SQLITE_BUSY".
// The tree's own better-sqlite3 (the one its dist/ loads), not this file's.
const Database = require(require.resolve("better-sqlite3", { paths: [process.env.WRITE_COST_TREE ?? process.cwd()] }));
const { openSync, readSync } = require("node:fs");

let statements = new Map();
let frames = 0;
let commits = 0;
const count = (sql) => statements.set(sql, (statements.get(sql) ?? 0) + 1);
const shmFd = new Map();
function mxFrame(db) {
  if (db.name === ":memory:" || db.memory) return 0;
  let fd = shmFd.get(db.name);
  if (fd === undefined) { try { fd = openSync(`${db.name}-shm`, "r"); } catch { return 0; } shmFd.set(db.name, fd); }
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 16);
  return b.readUInt32LE(0);
}

const proto = Database.prototype;
const prepare = proto.prepare;
proto.prepare = function (sql) {
  const st = prepare.call(this, sql);
  const sp = Object.getPrototypeOf(st);
  if (!sp.__counted) {
    for (const m of ["run", "get", "all", "iterate"]) {
      const f = sp[m];
      sp[m] = function (...args) { count(this.source); return f.apply(this, args); };
    }
    sp.__counted = true;
  }
  return st;
};
const exec = proto.exec;
proto.exec = function (sql) {
  const key = sql.replace(/\b(gc|sp)\d+\b/g, "$1N");
  count(key);
  if (!/^\s*COMMIT\b/i.test(sql)) {
    try {
      return exec.call(this, sql);
    } catch (e) {
      // The write lock held by another connection (the checkpoint worker's RESTART): the store tries again after a timer.
      if (e && e.code === "SQLITE_BUSY") count(`${key} -> SQLITE_BUSY`);
      throw e;
    }
  }
  const before = mxFrame(this);
  const r = exec.call(this, sql);
  const after = mxFrame(this);
  const from = after >= before ? before : 0;
  frames += after - from;
  commits++;
  if (process.env.WRITE_COST_PAGES) notePages(this, from, after);
  return r;
};
// WRITE_COST_PAGES=1: the page number of each frame appended (its header, in the -wal file), named
// at "snap" by the table or index holding that page now (SQLite's dbstat table).
let pages = new Map();
const walFd = new Map();
/** The page size, from the WAL header (bytes 8-11, big-endian): no statement of its own to count. */
function pageSize(fd) {
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 8);
  return b.readUInt32BE(0);
}
function notePages(db, from, to) {
  let fd = walFd.get(db.name);
  if (fd === undefined) { fd = openSync(`${db.name}-wal`, "r"); walFd.set(db.name, fd); }
  const size = pageSize(fd);
  const b = Buffer.alloc(4);
  for (let f = from; f < to; f++) {
    readSync(fd, b, 0, 4, 32 + f * (24 + size));
    const page = b.readUInt32BE(0);
    pages.set(`${db.name}:${page}`, (pages.get(`${db.name}:${page}`) ?? 0) + 1);
  }
}
function namePages() {
  const byName = new Map();
  const owners = new Map();
  for (const key of pages.keys()) {
    const file = key.slice(0, key.lastIndexOf(":"));
    if (owners.has(file)) continue;
    const ro = new Database(file, { readonly: true });
    owners.set(file, new Map(ro.prepare("SELECT pageno, name FROM dbstat").raw().all()));
    ro.close();
  }
  for (const [key, n] of pages) {
    const file = key.slice(0, key.lastIndexOf(":"));
    const page = Number(key.slice(key.lastIndexOf(":") + 1));
    const name = page === 1 ? "page 1 (header, sqlite_schema)" : owners.get(file).get(page) ?? "free or new page";
    byName.set(name, (byName.get(name) ?? 0) + n);
  }
  pages = new Map();
  return [...byName.entries()].sort((a, b) => b[1] - a[1]);
}
process.on("message", (m) => {
  if (m !== "snap") return;
  const distinct = pages.size; // pages written at least once since the last snap: what one checkpoint of them all copies back
  process.send({ statements: [...statements.entries()], frames, commits, distinct, pages: process.env.WRITE_COST_PAGES ? namePages() : [] });
  statements = new Map();
  frames = 0;
  commits = 0;
});
