/**
 * The SQLite store's WAL fsync (SqliteOptions.syncWal), switchable by a test: real, held (queued until
 * release), or failing with EIO (the held ones too).
 */
import { fsync } from "node:fs";
import type { SyncFile } from "../../src/store/sqlite/wal-sync";

export function switchableSync() {
  const held: { fd: number; done: (e: NodeJS.ErrnoException | null) => void }[] = [];
  let holding = false;
  let failing = false;
  const sync: SyncFile = (fd, done) => {
    if (failing) return done(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));
    if (!holding) return fsync(fd, done);
    held.push({ fd, done });
  };
  return {
    sync,
    held,
    hold() { holding = true; },
    release() { holding = false; for (const h of held.splice(0)) fsync(h.fd, h.done); },
    fail() { failing = true; for (const h of held.splice(0)) h.done(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" })); },
  };
}
