/** Whether a process named in a lock or a record still runs, on this host. */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Whether `pid` is a live process (and, with `comm`, one whose command name starts with it).
 * `kill(pid, 0)` alone is not enough: a process killed with SIGKILL whose parent died too is
 * re-parented to PID 1, and where PID 1 does not reap (a container's init, as on CI) it stays a
 * zombie that still answers `kill(pid, 0)` — a stale stack lock was then never removed. A pid the
 * kernel has since given to another program (`comm` differs) is not that process either. Where
 * /proc is missing (not Linux), `kill(pid, 0)` decides.
 */
export function processRuns(pid: number, opts: { comm?: string; proc?: string } = {}): boolean {
  const proc = opts.proc ?? "/proc";
  let stat: string;
  try {
    stat = fs.readFileSync(path.join(proc, String(pid), "stat"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && fs.existsSync(path.join(proc, "self"))) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (k) {
      return (k as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  // "<pid> (<comm>) <state> …": comm may hold spaces and parentheses, so split at the last ")".
  const close = stat.lastIndexOf(")");
  const comm = stat.slice(stat.indexOf("(") + 1, close);
  const state = stat.slice(close + 2, close + 3);
  if (state === "Z" || state === "X") return false;
  return opts.comm === undefined || comm.startsWith(opts.comm);
}
