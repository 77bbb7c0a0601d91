/**
 * Event-loop stall of es-sim under a mixed load: how long the node's one JavaScript thread is busy
 * without answering anything else (ES spreads the same work over thread pools; es-sim must keep
 * each synchronous step short). Two nodes (`bench/loopNode.ts`: the real server with
 * `perf_hooks.monitorEventLoopDelay` inside), a leader and a follower following it, and for
 * `LOAD_SECONDS`:
 *   - bulk writes into the leader (one writer sending bulks of `BULK_SIZES[0]` ~1 KB docs, the
 *     other of `BULK_SIZES[1]`, paced at `WRITE_DOCS_PER_SEC` in all);
 *   - searches on the leader: `q=`, match, regexp and wildcard on a keyword field with many
 *     distinct terms, a leading-wildcard pattern, a terms aggregation, sorted searches over every
 *     document (by a long, by a keyword);
 *   - CCR: the follower replicates the index as it grows;
 *   - stats calls on both: `_nodes/stats`, `_stats`, `_ccr/stats`, `_cluster/health`, `_cat/indices`;
 *   - a `_flush` of the leader's and the follower's index every `FLUSH_INTERVAL_MS` (ES flushes by
 *     itself once the translog reaches 512 MB, which a longer run would; the flush writes an image
 *     of the whole index).
 * Figures: the longest delay (max) and p99 of each node's event loop over the window — target
 * max < 100 ms — with the longest stalls and what the load achieved; and the longest step in CPU
 * time (the most CPU a node used between two 5 ms probe ticks), which a loaded machine does not
 * inflate: a stall of 400 ms during which the node used 40 ms of CPU was mostly a wait for a core. `run()` returns them; running
 * this file directly prints them. `LOOP_NODE_ARGS` adds Node options to the two nodes (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`, to see what a stall was).
 */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { randomText, seededRandom } from "../cli/drill/seeded";

export const LOAD_SECONDS = 20;
/** Default offered write rate (as the CCR lag benchmark's): the node must keep up while answering everything else. */
export const WRITE_DOCS_PER_SEC = 2000;
/** Documents per bulk of each writer: everyday bulks, and large ones (~2 MB) that take long to parse and apply. */
const BULK_SIZES = [200, 2000];
const SEARCH_CONCURRENCY = 2;
export const STATS_INTERVAL_MS = 100;
export const FLUSH_INTERVAL_MS = 5000;
const WORDS =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango".split(" ");

/** One node's event loop over the window. */
export interface LoopFigures {
  maxMs: number;
  /** The longest step in CPU time: the most CPU the node used between two probe ticks (load-independent). */
  maxCpuMs: number;
  p99Ms: number;
  p50Ms: number;
  meanMs: number;
  /** The longest stalls, ms after the window started. */
  stalls: Array<{ at: number; ms: number; cpu_ms: number }>;
}

/** What `run()` measures. */
export interface LoopBenchResult {
  loadSeconds: number;
  writeDocsPerSec: number;
  leader: LoopFigures;
  follower: LoopFigures;
  /** An idle es-sim node over the same window: the machine's share of the delays. */
  control: LoopFigures;
  docsIndexed: number;
  searches: number;
  statsCalls: number;
  flushes: number;
  followerCheckpoint: number;
}

interface LoopNode {
  url: string;
  transportAddress: string;
  child: ChildProcess;
}

function startNode(clusterName: string): Promise<LoopNode> {
  const root = path.resolve(__dirname, "..");
  const child = fork(path.join(root, "bench", "loopNode.ts"), [], {
    execArgv: ["-r", path.join(root, "scripts", "register.js"), ...(process.env.LOOP_NODE_ARGS ?? "").split(" ").filter(Boolean)],
    env: { ...process.env, LOOP_CLUSTER_NAME: clusterName },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ ...(m as { url: string; transportAddress: string }), child }));
    child.once("exit", (code) => reject(new Error(`loop node ${clusterName} exited with ${code}`)));
  });
}

function stopNode(n: LoopNode): Promise<void> {
  return new Promise((resolve) => {
    if (n.child.exitCode !== null) return resolve();
    n.child.once("exit", () => resolve());
    n.child.send("stop");
    setTimeout(() => n.child.kill("SIGKILL"), 10_000).unref();
  });
}

async function call(base: string, method: string, p: string, body?: unknown, contentType = "application/json"): Promise<any> {
  const res = await fetch(base + p, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

function figures(r: any): LoopFigures {
  return { maxMs: r.max_ms, maxCpuMs: r.max_cpu_ms, p99Ms: r.p99_ms, p50Ms: r.p50_ms, meanMs: r.mean_ms, stalls: r.stalls };
}

/** Runs the load on two fresh nodes and returns each node's event-loop figures. */
export async function run(
  log: (line: string) => void = () => undefined,
  { loadSeconds = LOAD_SECONDS, writeDocsPerSec = WRITE_DOCS_PER_SEC }: { loadSeconds?: number; writeDocsPerSec?: number } = {},
): Promise<LoopBenchResult> {
  // the control is an es-sim node that takes no load: on a shared machine its delays are what the
  // scheduler alone costs, to read the other two against
  const [leader, follower, control] = await Promise.all([startNode("loop-leader"), startNode("loop-follower"), startNode("loop-control")]);
  try {
    await call(leader.url, "PUT", "/mixed", {
      settings: { number_of_replicas: 0, refresh_interval: "1s" },
      mappings: { properties: { user: { type: "keyword" }, code: { type: "keyword" }, body: { type: "text" }, n: { type: "long" } } },
    });
    await call(follower.url, "PUT", "/_cluster/settings", { persistent: { "cluster.remote.leader.seeds": leader.transportAddress } });
    await call(follower.url, "PUT", "/mixed-f/_ccr/follow?wait_for_active_shards=1", { remote_cluster: "leader", leader_index: "mixed" });
    await Promise.all([leader, follower, control].map((n) => call(n.url, "POST", "/_bench/event_loop/_reset")));
    log(`loop: ${loadSeconds} s of mixed load, writes offered at ${writeDocsPerSec} docs/s`);

    const deadline = Date.now() + loadSeconds * 1000;
    const rand = seededRandom(7);
    let next = 0;
    let searches = 0;
    let statsCalls = 0;
    let flushes = 0;
    const writer = async (bulkSize: number) => {
      const started = Date.now();
      while (Date.now() < deadline) {
        // paced: the bulk that would run ahead of WRITE_DOCS_PER_SEC waits for its turn
        const due = started + (next * 1000) / writeDocsPerSec;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const start = next;
        next += bulkSize;
        const lines: string[] = [];
        for (let n = start; n < start + bulkSize; n++) {
          const doc = {
            n,
            user: `user${n % 1000}`,
            code: `c${n.toString(36)}-${WORDS[n % WORDS.length]}`,
            body: randomText(rand, WORDS, 900),
          };
          lines.push(JSON.stringify({ index: { _index: "mixed", _id: String(n) } }), JSON.stringify(doc));
        }
        const r = await call(leader.url, "POST", "/_bulk", lines.join("\n") + "\n", "application/x-ndjson");
        if (r.errors) throw new Error("bulk reported errors");
      }
    };
    const queries: Array<() => Promise<unknown>> = [
      () => call(leader.url, "GET", "/mixed/_search?q=body:alpha%20AND%20user:user7&size=10"),
      () => call(leader.url, "POST", "/mixed/_search", { query: { match: { body: "bravo charlie" } }, size: 10 }),
      () => call(leader.url, "POST", "/mixed/_search", { query: { regexp: { code: "c[0-9a-f]+1-(alpha|bravo).*" } }, size: 10 }),
      () => call(leader.url, "POST", "/mixed/_search", { query: { wildcard: { code: { value: "*a*b*-delta" } } }, size: 10 }),
      () => call(leader.url, "POST", "/mixed/_search", { query: { regexp: { code: "(c+)+x" } }, size: 0 }),
      () => call(leader.url, "POST", "/mixed/_search", { size: 0, aggs: { users: { terms: { field: "user", size: 10 } } } }),
      () => call(leader.url, "POST", "/mixed/_search", { sort: [{ n: "desc" }], size: 10 }),
      () =>
        call(leader.url, "POST", "/mixed/_search", {
          query: { match: { body: "alpha" } },
          sort: [{ user: "asc" }, { n: "asc" }],
          size: 10,
        }),
    ];
    const searcher = async (k: number) => {
      let i = k;
      while (Date.now() < deadline) {
        await queries[i++ % queries.length]!();
        searches++;
      }
    };
    const stats = async () => {
      const calls: Array<[string, string]> = [
        [leader.url, "/_nodes/stats"],
        [leader.url, "/_stats"],
        [follower.url, "/_ccr/stats"],
        [follower.url, "/mixed-f/_stats?level=shards"],
        [leader.url, "/_cluster/health"],
        [follower.url, "/_cat/indices?format=json"],
      ];
      let i = 0;
      while (Date.now() < deadline) {
        const [base, p] = calls[i++ % calls.length]!;
        await call(base, "GET", p);
        statsCalls++;
        await new Promise((r) => setTimeout(r, STATS_INTERVAL_MS));
      }
    };
    const flusher = async () => {
      while (Date.now() + FLUSH_INTERVAL_MS < deadline) {
        await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS));
        await Promise.all([call(leader.url, "POST", "/mixed/_flush"), call(follower.url, "POST", "/mixed-f/_flush")]);
        flushes++;
      }
    };
    await Promise.all([
      ...BULK_SIZES.map(writer),
      flusher(),
      ...Array.from({ length: SEARCH_CONCURRENCY }, (_, k) => searcher(k)),
      stats(),
    ]);
    const [l, f, c] = await Promise.all([leader, follower, control].map((n) => call(n.url, "GET", "/_bench/event_loop")));
    const followerStats = await call(follower.url, "GET", "/mixed-f/_ccr/stats");
    const result: LoopBenchResult = {
      loadSeconds,
      writeDocsPerSec,
      leader: figures(l),
      follower: figures(f),
      control: figures(c),
      docsIndexed: next,
      searches,
      statsCalls,
      flushes,
      followerCheckpoint: followerStats.indices[0].shards[0].follower_global_checkpoint,
    };
    log(
      `loop: leader max ${result.leader.maxMs} ms (longest step ${result.leader.maxCpuMs} ms CPU), p99 ${result.leader.p99Ms} ms; follower max ${result.follower.maxMs} ms (${result.follower.maxCpuMs} ms CPU), p99 ${result.follower.p99Ms} ms; idle control max ${result.control.maxMs} ms (${result.control.maxCpuMs} ms CPU), p99 ${result.control.p99Ms} ms; ${next} docs, ${searches} searches, ${statsCalls} stats calls, ${flushes} flushes`,
    );
    return result;
  } finally {
    await Promise.all([stopNode(leader), stopNode(follower), stopNode(control)]);
  }
}

if (require.main === module) {
  run(console.log).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
