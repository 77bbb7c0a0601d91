/**
 * The node lock of a data path (ES's `node.lock`): one process per `path.data`.
 *
 * ES holds `node.lock` with an OS file lock, which the kernel drops the moment the holding process
 * dies — before its parent reaps it. A pid check cannot do that: a killed process stays a zombie
 * until reaped and `kill(pid, 0)` still succeeds on it, so a restart right after kill -9 would be
 * refused. Node has no `flock`, so the lock is another kernel-released resource: a listening Unix
 * socket in Linux's abstract namespace, named after the data dir's real path. The kernel unbinds it
 * when the process's descriptors close at exit (zombie or not); `EADDRINUSE` means a live holder.
 * Unlike a socket file, an abstract name leaves nothing behind to go stale. The file `node.lock`
 * still holds the owner's pid, for the refusal message and for people only: it decides nothing.
 */
import { createHash } from "node:crypto";
import { readFileSync, realpathSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

/** File name of the lock inside `path.data` (holds the owner's pid, for diagnostics). */
export const LOCK_FILE = "node.lock";

/**
 * Real paths of the data dirs locked by this process. A second open in the same process is refused
 * like one from another process (ES refuses a second node on the same path in one JVM too); the set
 * also claims the dir synchronously, so two concurrent opens cannot both get past the check.
 */
const heldHere = new Set<string>();

/** Thrown when another live process (or this one) holds the lock. */
export class LockError extends Error {
  override readonly name = "LockError";
}

/**
 * Abstract-namespace socket address of the lock of `realDir` (a real path, so a dir reached through
 * a symlink maps to the same lock). The leading NUL keeps it out of the file system; the hash keeps
 * it within the 107-byte limit of a socket address.
 */
export function lockAddress(realDir: string): string {
  return `\0es-sim-node-lock-${createHash("sha256").update(realDir).digest("hex")}`;
}

function refused(dataDir: string, lockFile: string): LockError {
  let holder = "";
  try {
    const pid = readFileSync(lockFile, "utf8").trim();
    if (/^\d+$/.test(pid)) holder = ` (held by pid ${pid})`;
  } catch {
    // no pid written (yet): the message goes without it
  }
  return new LockError(
    `failed to obtain node locks, tried [${dataDir}]; maybe these locations are not writable or multiple nodes were started on the same data path?${holder}`,
  );
}

function listen(address: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy()); // nobody should connect; refuse quietly
    server.once("error", reject);
    server.listen({ path: address }, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/**
 * Takes the lock of `dataDir` (which must exist) or throws `LockError` naming the holder. Resolves
 * with the release function (idempotent).
 */
export async function acquireNodeLock(dataDir: string): Promise<() => void> {
  const real = realpathSync(dataDir);
  const lockFile = join(dataDir, LOCK_FILE);
  if (heldHere.has(real)) throw refused(dataDir, lockFile);
  heldHere.add(real);
  let server: Server;
  try {
    server = await listen(lockAddress(real));
  } catch (e) {
    heldHere.delete(real);
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") throw refused(dataDir, lockFile);
    throw e;
  }
  server.unref(); // the lock must not keep the process alive
  try {
    writeFileSync(lockFile, `${process.pid}\n`); // overwrites the pid of a dead holder
  } catch (e) {
    server.close();
    heldHere.delete(real);
    throw e;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Remove the pid file while still holding the lock, so a next holder's file is never removed.
    try {
      if (Number(readFileSync(lockFile, "utf8").trim()) === process.pid) unlinkSync(lockFile);
    } catch {
      // already gone
    }
    server.close();
    heldHere.delete(real);
  };
}
