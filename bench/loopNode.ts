/**
 * An es-sim node for the event-loop benchmark (bench/loop.ts): the real server (`startSim`, as
 * `bin/es-sim` runs it) in a process of its own, with `perf_hooks.monitorEventLoopDelay` inside it
 * and two bench-only routes the bench calls over HTTP:
 *
 *   POST /_bench/event_loop/_reset   starts a new measurement window
 *   GET  /_bench/event_loop          the window's delay histogram (ms), its longest stalls, and the
 *                                    most CPU time spent between two 5 ms probe ticks (`max_cpu_ms`)
 *
 * Started by `fork()` with `-r scripts/register.js`; sends `{ url, transportAddress }` over IPC once
 * listening and stops on "stop" or when the parent goes away.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { RouteDef } from "../sim/http/context";
import { startSim } from "../sim/index";

/** Histogram resolution: the sampling timer's period (ms). */
const RESOLUTION_MS = 10;
/** A timer this much late is recorded as a stall, with when it ended. */
const STALL_RECORD_MS = 50;
const TICK_MS = 5;

interface Stall {
  /** ms since the window started, when the stall ended. */
  at: number;
  ms: number;
  /** CPU time the process used meanwhile (all its threads: the loop, GC helpers, the libuv pool). */
  cpu_ms: number;
}

/** User + system CPU time of the process so far, ms. */
function cpuMillis(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "es-sim-loop-"));
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let windowStart = performance.now();
  let stalls: Stall[] = [];
  // a second, finer probe: the histogram says how long, this says when and how much of it was
  // this process computing (CPU time) rather than waiting for a core on a shared machine
  let last = performance.now();
  let lastCpu = cpuMillis();
  let maxCpuMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMillis();
    const late = now - last - TICK_MS;
    const busy = cpu - lastCpu;
    if (busy > maxCpuMs) maxCpuMs = busy;
    if (late >= STALL_RECORD_MS) stalls.push({ at: Math.round(now - windowStart), ms: Math.round(late), cpu_ms: Math.round(busy) });
    last = now;
    lastCpu = cpu;
  }, TICK_MS);
  probe.unref();

  const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
  const routes: RouteDef[] = [
    {
      api: "bench.event_loop.reset",
      methods: ["POST"],
      paths: ["/_bench/event_loop/_reset"],
      params: [],
      body: "none",
      handler: () => {
        histogram.reset();
        stalls = [];
        maxCpuMs = 0;
        windowStart = performance.now();
        return { body: { acknowledged: true } };
      },
    },
    {
      api: "bench.event_loop",
      methods: ["GET"],
      paths: ["/_bench/event_loop"],
      params: [],
      body: "none",
      handler: () => ({
        body: {
          window_ms: Math.round(performance.now() - windowStart),
          samples: histogram.count,
          max_ms: ms(histogram.max),
          p99_ms: ms(histogram.percentile(99)),
          p50_ms: ms(histogram.percentile(50)),
          mean_ms: ms(histogram.mean),
          max_cpu_ms: Math.round(maxCpuMs),
          stalls: [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 20),
        },
      }),
    },
  ];
  const sim = await startSim({
    dataDir,
    clusterName: process.env.LOOP_CLUSTER_NAME ?? "loop",
    nodeName: "loop-node",
    httpPort: 0,
    transportPort: 0,
    extraRoutes: routes,
    log: (line) => process.stderr.write(`${line}\n`),
    onFatal: (e) => {
      process.stderr.write(`[loop-node] fatal storage error: ${String(e)}\n`);
      process.exit(1);
    },
  });
  const stop = async () => {
    await sim.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on("message", (m) => {
    if (m === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  process.send!({ url: sim.url, transportAddress: sim.transportAddress });
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
