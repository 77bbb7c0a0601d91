/**
 * The node lock of a data path (ES's `node.lock`): one process per `path.data`. The file holds the
 * owner's pid; a lock whose pid is no longer running is stale and taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync } from "node:fs";
import { join } from "node:path";

/** File name of the lock inside `path.data`. */
export const LOCK_FILE = "node.lock";

/** Data dirs locked by this process (a same-pid lock file not listed here is stale: pid reuse). */
const heldHere = new Set<string>();

/** Thrown when another live process holds the lock. */
export class LockError extends Error {
  override readonly name = "LockError";
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    writeSync(fd, `${process.pid}\n`);
    fsyncSync(fd);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

/** Takes the lock of `dataDir` or throws `LockError` naming the holder. Returns the release function. */
export function acquireNodeLock(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path)) {
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        try {
          if (Number(readFileSync(path, "utf8").trim()) === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(path, "utf8").trim());
    } catch {
      continue; // removed between our attempts: retry
    }
    if (holder === process.pid ? heldHere.has(path) : alive(holder)) {
      throw new LockError(
        `failed to obtain node locks, tried [${dataDir}]; maybe these locations are not writable or multiple nodes were started on the same data path? (held by pid ${holder})`,
      );
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch {
      // someone else took it over first; retry
    }
  }
  throw new LockError(`failed to obtain node locks, tried [${dataDir}]; the lock file [${path}] keeps changing`);
}
