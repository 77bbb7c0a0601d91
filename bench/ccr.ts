/**
 * Cross-cluster replication benchmark between two real `bin/es-sim` processes:
 *   - catch-up of a new follower on a 100k-document leader (remote recovery + replay), ops/s —
 *     target ≥ 20,000 ops/s;
 *   - catch-up by replay alone: a paused follower resumed behind 100k operations, ops/s;
 *   - steady-state replication lag while the leader takes 2,000 docs/s: from the leader's
 *     acknowledgement of a bulk to the follower's checkpoint covering it, p50/p99 — target p99 ≤ 1 s.
 * The follower's checkpoint is observed event-driven (a long-poll on the follower's own history
 * endpoint returns as soon as the operation is durable there), not by sampling.
 * `run()` returns the figures; running this file directly prints them.
 */
import { spawnSim, type SpawnedSim } from "../test/helpers/sim";
import { percentile } from "./stats";
import { randomText, seededRandom } from "../cli/drill/seeded";

/** Documents in the leader for the catch-up phases. */
export const LEADER_DOCS = 100_000;
const BULK_SIZE = 1_000;
const BULK_CONCURRENCY = 4;
/** Steady-state load: `STEADY_BULK` documents every `STEADY_INTERVAL_MS` = 2,000 docs/s. */
const STEADY_BULK = 50;
const STEADY_INTERVAL_MS = 25;
const STEADY_SECONDS = 10;
/** Polling period while waiting for a catch-up to finish (bounds the measurement error). */
const CATCH_UP_POLL_MS = 20;

/** What `run()` measures. */
export interface CcrBenchResult {
  leaderDocs: number;
  /** New follower: PUT follow until its checkpoint equals the leader's. */
  newFollowerCatchUpOpsPerSec: number;
  newFollowerCatchUpSeconds: number;
  /** Paused follower resumed behind `leaderDocs` operations: replay only. */
  replayCatchUpOpsPerSec: number;
  replayCatchUpSeconds: number;
  steadyDocsPerSec: number;
  lagSamples: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

const WORDS =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango".split(" ");

/** A ~1 KB document. */
function makeDoc(n: number, rand: () => number): Record<string, unknown> {
  return { n, user: `user${n % 1000}`, body: randomText(rand, WORDS, 900) };
}

async function call(base: string, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

async function load(base: string, index: string, docs: number, seed: number): Promise<void> {
  const rand = seededRandom(seed);
  let next = 0;
  await Promise.all(
    Array.from({ length: BULK_CONCURRENCY }, async () => {
      while (next < docs) {
        const start = next;
        next += BULK_SIZE;
        const lines: string[] = [];
        for (let n = start; n < Math.min(start + BULK_SIZE, docs); n++) {
          lines.push(JSON.stringify({ index: { _index: index, _id: String(n) } }), JSON.stringify(makeDoc(n, rand)));
        }
        const r = await call(base, "POST", "/_bulk", lines.join("\n") + "\n", "application/x-ndjson");
        if (r.errors) throw new Error("bulk reported errors");
      }
    }),
  );
}

async function followerCheckpoint(follower: SpawnedSim, index: string): Promise<number> {
  const r = await call(follower.url, "GET", `/${index}/_ccr/stats`);
  return r.indices[0]?.shards[0]?.follower_global_checkpoint ?? -1;
}

async function waitCheckpoint(follower: SpawnedSim, index: string, target: number): Promise<void> {
  for (;;) {
    try {
      if ((await followerCheckpoint(follower, index)) >= target) return;
    } catch {
      // the follower task may not exist yet (recovery in progress)
    }
    await new Promise((r) => setTimeout(r, CATCH_UP_POLL_MS));
  }
}

/** Resolves when the follower's own history reaches `seqNo` (long-poll on its shard-changes view). */
async function followerReaches(follower: SpawnedSim, index: string, seqNo: number): Promise<void> {
  for (;;) {
    const r = await call(follower.url, "GET", `/${index}/ccr/shard_changes?from_seq_no=${seqNo}&max_operations_count=1&poll_timeout=30s`);
    if (r.global_checkpoint >= seqNo) return;
  }
}

/** Runs the benchmark on two fresh es-sim processes and returns the figures. */
export async function run(log: (line: string) => void = () => undefined): Promise<CcrBenchResult> {
  const leader = await spawnSim({ clusterName: "bench-leader" });
  const follower = await spawnSim({ clusterName: "bench-follower" });
  try {
    await call(follower.url, "PUT", "/_cluster/settings", {
      persistent: { cluster: { remote: { leader: { mode: "proxy", proxy_address: leader.transportAddress } } } },
    });

    // --- replay catch-up: a follower that is paused while the leader takes 100k operations
    await call(leader.url, "PUT", "/replay", { settings: { number_of_replicas: 0, refresh_interval: "-1" } });
    await call(follower.url, "PUT", "/replay-f/_ccr/follow?wait_for_active_shards=1", { remote_cluster: "leader", leader_index: "replay" });
    await call(follower.url, "POST", "/replay-f/_ccr/pause_follow");
    log(`loading ${LEADER_DOCS} docs of ~1 KB into the leader (replay phase)`);
    await load(leader.url, "replay", LEADER_DOCS, 1);
    let t0 = performance.now();
    await call(follower.url, "POST", "/replay-f/_ccr/resume_follow");
    await waitCheckpoint(follower, "replay-f", LEADER_DOCS - 1);
    const replayCatchUpSeconds = (performance.now() - t0) / 1000;
    const replayCatchUpOpsPerSec = LEADER_DOCS / replayCatchUpSeconds;
    log(`replay catch-up: ${LEADER_DOCS} ops in ${replayCatchUpSeconds.toFixed(2)} s = ${Math.round(replayCatchUpOpsPerSec)} ops/s`);
    await call(follower.url, "POST", "/replay-f/_ccr/pause_follow");
    await call(follower.url, "DELETE", "/replay-f");

    // --- a new follower on the 100k-document leader: remote recovery, then replay
    log(`new follower on the ${LEADER_DOCS}-doc leader`);
    t0 = performance.now();
    await call(follower.url, "PUT", "/new-f/_ccr/follow", { remote_cluster: "leader", leader_index: "replay" });
    await waitCheckpoint(follower, "new-f", LEADER_DOCS - 1);
    const newFollowerCatchUpSeconds = (performance.now() - t0) / 1000;
    const newFollowerCatchUpOpsPerSec = LEADER_DOCS / newFollowerCatchUpSeconds;
    log(
      `new follower catch-up: ${LEADER_DOCS} ops in ${newFollowerCatchUpSeconds.toFixed(2)} s = ${Math.round(newFollowerCatchUpOpsPerSec)} ops/s`,
    );

    // --- steady state: 2,000 docs/s into the leader, lag from ack to follower checkpoint
    await call(leader.url, "PUT", "/steady", { settings: { number_of_replicas: 0 } });
    await call(follower.url, "PUT", "/steady-f/_ccr/follow?wait_for_active_shards=1", { remote_cluster: "leader", leader_index: "steady" });
    const rand = seededRandom(5);
    const lags: number[] = [];
    const pending: Promise<void>[] = [];
    const ticks = (STEADY_SECONDS * 1000) / STEADY_INTERVAL_MS;
    const start = performance.now();
    let sent = 0;
    for (let tick = 0; tick < ticks; tick++) {
      const due = start + tick * STEADY_INTERVAL_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const lines: string[] = [];
      for (let k = 0; k < STEADY_BULK; k++) {
        const n = sent++;
        lines.push(
          JSON.stringify({ index: { _index: "steady", _id: String(n) } }),
          JSON.stringify({ n, user: `user${n % 100}`, v: rand() }),
        );
      }
      pending.push(
        (async () => {
          const r = await call(leader.url, "POST", "/_bulk", lines.join("\n") + "\n", "application/x-ndjson");
          const acked = performance.now();
          const maxSeq = Math.max(...(r.items as any[]).map((i) => i.index._seq_no as number));
          await followerReaches(follower, "steady-f", maxSeq);
          lags.push(performance.now() - acked);
        })(),
      );
    }
    await Promise.all(pending);
    const steadyDocsPerSec = sent / ((performance.now() - start) / 1000);
    const result: CcrBenchResult = {
      leaderDocs: LEADER_DOCS,
      newFollowerCatchUpOpsPerSec,
      newFollowerCatchUpSeconds,
      replayCatchUpOpsPerSec,
      replayCatchUpSeconds,
      steadyDocsPerSec,
      lagSamples: lags.length,
      lagP50Ms: percentile(lags, 50),
      lagP99Ms: percentile(lags, 99),
      lagMaxMs: Math.max(...lags),
    };
    log(
      `steady state at ${Math.round(steadyDocsPerSec)} docs/s: lag p50 ${result.lagP50Ms.toFixed(1)} ms, p99 ${result.lagP99Ms.toFixed(1)} ms (${lags.length} bulks)`,
    );
    return result;
  } finally {
    await follower.cleanup();
    await leader.cleanup();
  }
}

if (require.main === module) {
  run((l) => console.log(l)).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
