/**
 * Launches `bin/es-sim` as a real child process (ephemeral ports and a temp data dir unless told
 * otherwise) and keeps it restartable on the same data dir and ports, as a cluster node restart
 * would: used by the `ccr-dr drill`, the benchmarks and the integration tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Path of the es-sim launcher. */
export const ES_SIM_BIN = resolve(__dirname, "../bin/es-sim");
/** How long a spawned sim may take to print its start line. */
const START_TIMEOUT_MS = 60_000;

/** Options of `spawnSim`. */
export interface SpawnSimOptions {
  clusterName?: string;
  nodeName?: string;
  /** Reuse a data dir (default: a fresh temp dir). */
  dataDir?: string;
  httpPort?: number;
  transportPort?: number;
  /** Extra `-E` settings. */
  settings?: Record<string, string>;
  env?: Record<string, string>;
}

/** A running (or restartable) es-sim child process. */
export interface SpawnedSim {
  readonly url: string;
  readonly transportAddress: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly clusterName: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` (default SIGKILL) and resolves with the exit code (null if killed by a signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the process again on the same data dir and the same ports. */
  restart(): Promise<void>;
  /** Kills the process (if running) and deletes the data dir if we created it. */
  cleanup(): Promise<void>;
}

/** Start-line fields printed by `bin/es-sim`. */
interface StartLine {
  http: string;
  transport: string;
  pid: number;
  cluster_name: string;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

/** Runs `bin/es-sim` with `args`; resolves with the parsed start line or rejects with stderr. */
export function runEsSim(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; start: StartLine; stderr: () => string }> {
  return new Promise((resolvePromise, reject) => {
    // ES_SIM_NODE_ARGS: extra node options for profiling (e.g. `--cpu-prof --cpu-prof-dir=DIR`; Node
    // refuses --cpu-prof in NODE_OPTIONS), as bench/README.md describes.
    const nodeArgs = (process.env.ES_SIM_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, ES_SIM_BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    let out = "";
    let err = "";
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill("SIGKILL");
      reject(new Error(`es-sim did not start within ${START_TIMEOUT_MS}ms; stderr:\n${err}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      const nl = out.indexOf("\n");
      if (nl >= 0 && !done) {
        done = true;
        clearTimeout(timer);
        try {
          resolvePromise({ child, start: JSON.parse(out.slice(0, nl)) as StartLine, stderr: () => err });
        } catch (e) {
          reject(new Error(`es-sim printed a bad start line [${out.slice(0, nl)}]: ${String(e)}`));
        }
      }
    });
    child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.on("exit", (code, signal) => {
      live.delete(child);
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(Object.assign(new Error(`es-sim exited (${code ?? signal}) before starting; stderr:\n${err}`), { code, stderr: err }));
      }
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once("exit", (code) => r(code)));
}

/** Spawns es-sim on ephemeral ports (or the given ones) with a temp data dir. */
export async function spawnSim(opts: SpawnSimOptions = {}): Promise<SpawnedSim> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "es-sim-"));
  const clusterName = opts.clusterName ?? "es-sim-test";
  let httpPort = opts.httpPort ?? 0;
  let transportPort = opts.transportPort ?? 0;
  let current: { child: ChildProcess; start: StartLine; stderr: () => string };
  const start = async () => {
    const args = [
      "-E",
      `cluster.name=${clusterName}`,
      "-E",
      `path.data=${dataDir}`,
      "-E",
      `http.port=${httpPort}`,
      "-E",
      `transport.port=${transportPort}`,
    ];
    if (opts.nodeName) args.push("-E", `node.name=${opts.nodeName}`);
    for (const [k, v] of Object.entries(opts.settings ?? {})) args.push("-E", `${k}=${v}`);
    current = await runEsSim(args, opts.env);
    httpPort = Number(new URL(current.start.http).port);
    transportPort = Number(current.start.transport.split(":").pop());
  };
  await start();
  const sim: SpawnedSim = {
    get url() {
      return current.start.http;
    },
    get transportAddress() {
      return current.start.transport;
    },
    get pid() {
      return current.start.pid;
    },
    dataDir,
    clusterName,
    stderr: () => current.stderr(),
    kill: async (signal: NodeJS.Signals = "SIGKILL") => {
      const exited = exitOf(current.child);
      current.child.kill(signal);
      return exited;
    },
    restart: async () => {
      if (current.child.exitCode === null && current.child.signalCode === null) {
        const exited = exitOf(current.child);
        current.child.kill("SIGKILL");
        await exited;
      }
      await start();
    },
    cleanup: async () => {
      if (current.child.exitCode === null && current.child.signalCode === null) {
        const exited = exitOf(current.child);
        current.child.kill("SIGKILL");
        await exited;
      }
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return sim;
}
