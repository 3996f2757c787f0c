/**
 * Is the file at the configured path still the store this process holds open?
 *
 * An open SQLite connection keeps working on its file after the file is deleted or renamed away:
 * every write still succeeds, into an inode nobody will ever open again, and the next start finds
 * nothing (or another file) at the path. So the store remembers the identity (device, inode) of
 * its database and WAL files at open, and compares them with what the path names now: before
 * every commit (a write is never acknowledged into a file that is gone), on every readiness probe,
 * and on a timer (`watch`), so that the loss is logged within a second even when nothing writes.
 */
import { fstatSync, statSync } from "node:fs";
import { resolve } from "node:path";

interface Identity { dev: number; ino: number }

function identityOf(path: string): Identity | null {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

export interface FileCheck {
  /** null while the path still names the files opened; otherwise what happened, for the log. */
  problem(): string | null;
  /** Whether the descriptor `fd` is open on the file remembered as `file` at open (the same device and inode). */
  holds(file: string, fd: number): boolean;
  /** Checks every `intervalMs`; `onChange` is told each time the answer changes. Answers stop(). */
  watch(intervalMs: number, onChange: (problem: string | null) => void): () => void;
}

/** Remembers what `path` (and its WAL) are now. Call right after the connection opened them. */
export function rememberFiles(path: string): FileCheck {
  const abs = resolve(path);
  const files = [abs, `${abs}-wal`].map((file) => ({ file, was: identityOf(file) }));
  const problem = (): string | null => {
    for (const { file, was } of files) {
      if (was === null) continue; // not there at open (no WAL yet): nothing to compare
      let now: Identity | null;
      try {
        now = identityOf(file);
      } catch (e) {
        return `the store file ${file} can no longer be checked (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
      }
      if (now === null) return `the store file ${file} was deleted (or moved away) while the server runs`;
      if (now.dev !== was.dev || now.ino !== was.ino) return `the store file ${file} was replaced by another file while the server runs`;
    }
    return null;
  };
  return {
    problem,
    holds(file, fd) {
      const was = files.find((f) => f.file === resolve(file))?.was;
      if (!was) return false;
      const s = fstatSync(fd);
      return s.dev === was.dev && s.ino === was.ino;
    },
    watch(intervalMs, onChange) {
      let last: string | null = null;
      const timer = setInterval(() => {
        const now = problem();
        if (now !== last) onChange(now);
        last = now;
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
