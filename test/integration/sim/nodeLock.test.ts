/**
 * The node lock across real processes: a restart right after kill -9 starts even while the killed
 * process is still an unreaped zombie (its parent never waits for it), and a live holder is still
 * refused. ES holds `node.lock` with an OS lock the kernel drops when the process dies, reaped or
 * not; es-sim's lock is kernel-released too (see sim/storage/lock.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ES_SIM_BIN, http, runEsSim, spawnSim, type SpawnedSim } from "../../helpers/sim";

const WAIT_MS = 30_000;

/** Polls `check` every 50ms until it returns a value, or throws after `ms`. */
async function until<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Process state letter from `/proc/<pid>/stat` (R, S, Z, …), or undefined once the pid is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

const dirs: string[] = [];
const wrappers: ChildProcess[] = [];
const sims: SpawnedSim[] = [];
afterAll(async () => {
  for (const s of sims) await s.cleanup();
  for (const w of wrappers) {
    if (w.exitCode !== null || w.signalCode !== null) continue;
    const exited = new Promise((r) => w.once("exit", r));
    w.kill("SIGKILL"); // the orphaned zombie is then reaped by init
    await exited;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

(process.platform === "linux" ? test : test.skip)(
  "a restart right after kill -9 starts while the killed node is an unreaped zombie; a live holder is refused",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "es-sim-zombie-"));
    dirs.push(dir);
    const dataDir = join(dir, "data");
    const out = join(dir, "first.out");
    // es-sim's parent becomes `sleep` (exec replaces the shell), which never waits for children:
    // after kill -9 the es-sim process stays a zombie until the wrapper itself goes away.
    const script = `"$0" "$1" -E "path.data=$2" -E http.port=0 -E transport.port=0 >"$3" 2>&1 & echo $!; exec sleep 60`;
    const wrapper = spawn("sh", ["-c", script, process.execPath, ES_SIM_BIN, dataDir, out], { stdio: ["ignore", "pipe", "inherit"] });
    wrappers.push(wrapper);
    let wrapperOut = "";
    wrapper.stdout!.on("data", (c: Buffer) => (wrapperOut += c.toString("utf8")));
    const pid = await until("the es-sim pid", WAIT_MS, () => {
      const m = /^(\d+)\n/.exec(wrapperOut);
      return m ? Number(m[1]) : undefined;
    });
    const start = await until("the first start line", 60_000, () => {
      const text = existsSync(out) ? readFileSync(out, "utf8") : "";
      const line = text.split("\n").find((l) => l.startsWith("{"));
      if (line) return JSON.parse(line) as { http: string; pid: number };
      if (procState(pid) === undefined || procState(pid) === "Z") throw new Error(`the first es-sim died:\n${text}`);
      return undefined;
    });
    expect(start.pid).toBe(pid);
    expect((await http(start.http, "PUT", "/before-crash", {})).status).toBe(200);

    process.kill(pid, "SIGKILL");
    await until("the killed es-sim to be a zombie", WAIT_MS, () => (procState(pid) === "Z" ? true : undefined));

    const second = await spawnSim({ dataDir });
    sims.push(second);
    expect(procState(pid)).toBe("Z"); // still unreaped while the second node started
    expect((await http(second.url, "GET", "/before-crash")).status).toBe(200);

    const refused = await runEsSim(["-E", `path.data=${dataDir}`, "-E", "http.port=0", "-E", "transport.port=0"]).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `failed to obtain node locks, tried [${dataDir}]; maybe these locations are not writable or multiple nodes were started on the same data path?`,
    );
    expect(refused.stderr).toContain(`held by pid ${second.pid}`);
  },
  120_000,
);
