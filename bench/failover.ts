/**
 * Failover RTO through `pulumi up` against the same promotion done by a plain script, on one
 * es-sim pair, for each number of index pairs:
 *   - pulumi: dr-b follows clusterA (deployed by `pulumi up`); the failover is what an operator
 *     types: `pulumi config set ccr-dr:primary clusterB -s dr-b && pulumi up -s dr-b`
 *     (`--yes --skip-preview`, as the Automation API runs it). RTO = that command line's wall time;
 *     afterwards every index on clusterB must be a regular index that takes a write.
 *   - baseline: followers created by REST, then per index the tutorial's four calls
 *     (pause_follow, close, unfollow, open), all indices in parallel. Same check afterwards.
 * Runs alternate pulumi / baseline so that load changes on the shared machine hit both alike.
 * Also timed in each pulumi run: the first deployment of the followers (`pulumi up` on dr-b) and,
 * after the failover, the failback set-up of clusterA (`pulumi config set ccr-dr:primary clusterB
 * -s dr-a && pulumi up -s dr-a`: fence, lineage check, quarantine, delete, follow — until `up`
 * returns, without waiting for the copy, whose rate the failback part measures).
 * Optionally the same failover through `ccr-dr failover` (cli/operations.ts), which adds the
 * Automation API's own CLI calls (stack selection, config reads, outputs, history).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { failover as ccrDrFailover } from "../cli/operations";
import { docCount, followStatus, indexPairs, loadDocs, maxSeqNo, pool, rest, type BenchPair, until } from "./pair";
import { pulumi, up } from "./pulumiCli";
import { figure, type Figure } from "./stats";

/** Documents in each leader index (a failover's cost does not depend on it). */
const DOCS_PER_INDEX = 20;
export interface FailoverOptions {
  /** Numbers of index pairs, e.g. [1, 20, 200]. */
  pairs: number[];
  runs: number;
  /** Also measure `ccr-dr failover` for the smallest pair count. */
  ccrDr: boolean;
  /** Extra environment for every timed `pulumi up` (e.g. PULUMI_PARALLEL); recorded in the result. */
  env: Record<string, string>;
  /** Also time the failback set-up of clusterA after each failover. */
  failback: boolean;
}

export interface FailoverResult {
  pairs: number;
  /** `pulumi config set` + `pulumi up`, ms. */
  rtoMs: Figure;
  /** The `pulumi up` part alone, ms. */
  upMs: Figure;
  /** Plain REST promotion, ms. */
  baselineMs: Figure;
  /** rto / baseline, per run. */
  ratio: Figure;
  /** `ccr-dr failover --to clusterB` (Automation API), ms, when measured. */
  ccrDrMs?: Figure;
  /** Size of dr-b's state file when the failover starts, bytes. */
  stateBytes: Figure;
  /** The first deployment of the followers: `pulumi up` on dr-b, ms. */
  deployMs: Figure;
  /** The failback set-up of clusterA after the failover (`config set` + `pulumi up` on dr-a), ms, when measured. */
  failbackMs?: Figure;
}

/**
 * A measurement's index-name prefix: names of 28–30 characters at 2,000 pairs
 * (`bench-failover-f2000r0-1999-a`), as real ones are. With that many pairs the stacks name an
 * indices file (bench/pair.ts): in the stack configuration, which Pulumi hands to the program in one
 * environment variable capped at 128 KiB, 2,000 such pairs would not fit ("argument list too long").
 */
const prefixOf = (kind: "f" | "r" | "c", n: number, run: number) => `bench-failover-${kind}${n}r${run}`;

/** Creates `names` on clusterA with a few documents each. */
async function leaders(pair: BenchPair, names: string[]): Promise<void> {
  await pool(
    names,
    16,
    async (index) => void (await rest(pair.a.url, "PUT", `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } })),
  );
  await loadDocs(pair.a.url, names, DOCS_PER_INDEX);
}

/** Waits until each follower on clusterB holds its leader's last operation. */
async function caughtUp(pair: BenchPair, pairs: Array<{ clusterA: string; clusterB: string }>): Promise<void> {
  await pool(pairs, 16, async (p) => {
    const want = await maxSeqNo(pair.a.url, p.clusterA);
    await until(`${p.clusterB} to catch up`, async () => (await maxSeqNo(pair.b.url, p.clusterB)) >= want);
  });
}

/** Every index is a regular index on clusterB that accepts a write and kept its documents. */
async function promoted(pair: BenchPair, names: string[]): Promise<void> {
  await pool(names, 16, async (index) => {
    const status = await followStatus(pair.b.url, index);
    if (status !== "none") throw new Error(`${index} is still a follower (${status}) after the failover`);
    await rest(pair.b.url, "POST", `/${index}/_doc`, { user: "kimchy" });
    const n = await docCount(pair.b.url, index);
    if (n !== DOCS_PER_INDEX + 1) throw new Error(`${index} has ${n} documents after the failover, expected ${DOCS_PER_INDEX + 1}`);
  });
}

/** Every index on clusterA is a follower again (the failback created it), with its documents. */
async function followingAgain(pair: BenchPair, names: string[]): Promise<void> {
  await pool(names, 16, async (index) => {
    const status = await followStatus(pair.a.url, index);
    if (status !== "active")
      throw new Error(`${index} is ${status === "none" ? "not a follower" : `a ${status} follower`} after the failback`);
  });
}

/** Deletes a measurement's indices on both clusters (by name: the sims, like ES 8, refuse wildcard deletes). */
async function dropIndices(pair: BenchPair, pairs: Array<{ clusterA: string; clusterB: string }>): Promise<void> {
  await pool(pairs, 16, async (p) => {
    await rest(pair.a.url, "DELETE", `/${p.clusterA}`, undefined, (s) => s < 300 || s === 404);
    await rest(pair.b.url, "DELETE", `/${p.clusterB}`, undefined, (s) => s < 300 || s === 404);
  });
}

/** One failover through `pulumi up` (or `ccr-dr failover`) of `n` fresh index pairs. */
async function pulumiFailover(
  pair: BenchPair,
  prefix: string,
  n: number,
  opts: FailoverOptions,
  via: "pulumi" | "ccr-dr",
  log: (l: string) => void,
) {
  const pairs = indexPairs(prefix, n);
  await leaders(
    pair,
    pairs.map((p) => p.clusterA),
  );
  pair.configure(pairs, "clusterA");
  // dr-a as before a disaster: clusterA primary (its remote cluster only), so that it can fail back.
  if (opts.failback) await up(pair, "dr-a", [], opts.env);
  const setup = await up(pair, "dr-b", [], opts.env);
  await caughtUp(pair, pairs);
  const stateBytes = fs.statSync(path.join(pair.dir, "state", ".pulumi", "stacks", "ccr-dr", "dr-b.json")).size;
  log(
    `  ${prefix}: ${n} follower(s) deployed by pulumi up in ${(setup.ms / 1000).toFixed(1)} s; state ${Math.round(stateBytes / 1024)} KiB`,
  );
  // clusterA still answers here, and a failover while the old primary takes writes is refused
  // (stack/splitBrain.ts): its leaders are write-blocked first, as `--force` or a switchover's fence
  // would. The failover's probe of clusterA (one round of reads per index) is part of the RTO.
  await pool(pairs, 16, async (p) => void (await rest(pair.a.url, "PUT", `/${p.clusterA}/_block/write`)));
  let rtoMs: number;
  let upMs: number;
  if (via === "pulumi") {
    const t0 = performance.now();
    await pulumi(pair, ["config", "set", "ccr-dr:primary", "clusterB", "-s", "dr-b"]);
    const u = await up(pair, "dr-b", [], opts.env);
    rtoMs = performance.now() - t0;
    upMs = u.ms;
  } else {
    const t0 = performance.now();
    const r = await ccrDrFailover("clusterB", { workDir: pair.workDir, env: { ...pair.env, ...opts.env } });
    rtoMs = performance.now() - t0;
    upMs = r.run.durationMs;
  }
  await promoted(
    pair,
    pairs.map((p) => p.clusterB),
  );
  let failbackMs: number | undefined;
  if (opts.failback) {
    const t0 = performance.now();
    await pulumi(pair, ["config", "set", "ccr-dr:primary", "clusterB", "-s", "dr-a"]);
    await up(pair, "dr-a", [], opts.env);
    failbackMs = performance.now() - t0;
    await followingAgain(
      pair,
      pairs.map((p) => p.clusterA),
    );
    log(`  ${prefix}: failback set-up of ${n} pair(s) on clusterA in ${(failbackMs / 1000).toFixed(1)} s`);
    // dr-a forgets these followers (their indices are dropped next) instead of promoting them all
    // again in the next measurement; its configuration is staged anew by the next `configure`.
    await pulumi(pair, ["stack", "rm", "--force", "--yes", "--preserve-config", "-s", "dr-a"]);
    await pair.sites();
  }
  await dropIndices(pair, pairs);
  return { rtoMs, upMs, stateBytes, deployMs: setup.ms, failbackMs };
}

/** The same promotion by plain REST calls, all indices in parallel. */
async function restFailover(pair: BenchPair, prefix: string, n: number): Promise<number> {
  const pairs = indexPairs(prefix, n);
  await leaders(
    pair,
    pairs.map((p) => p.clusterA),
  );
  await pool(pairs, 16, async (p) => {
    await rest(pair.b.url, "PUT", `/${p.clusterB}/_ccr/follow?wait_for_active_shards=1`, {
      remote_cluster: "clusterA",
      leader_index: p.clusterA,
    });
  });
  await pool(pairs, 16, (p) => until(`${p.clusterB} to be active`, async () => (await followStatus(pair.b.url, p.clusterB)) === "active"));
  await caughtUp(pair, pairs);
  const t0 = performance.now();
  await Promise.all(
    pairs.map(async (p) => {
      const i = p.clusterB;
      await rest(pair.b.url, "POST", `/${i}/_ccr/pause_follow`);
      await rest(pair.b.url, "POST", `/${i}/_close`);
      await rest(pair.b.url, "POST", `/${i}/_ccr/unfollow`);
      await rest(pair.b.url, "POST", `/${i}/_open`);
    }),
  );
  const ms = performance.now() - t0;
  await promoted(
    pair,
    pairs.map((p) => p.clusterB),
  );
  await dropIndices(pair, pairs);
  return ms;
}

/** Runs the failover benchmark on `pair` (which must have no deployed index pairs). */
export async function run(
  pair: BenchPair,
  opts: FailoverOptions,
  log: (line: string) => void = () => undefined,
): Promise<FailoverResult[]> {
  const results: FailoverResult[] = [];
  for (const n of opts.pairs) {
    const rto: number[] = [];
    const upMs: number[] = [];
    const base: number[] = [];
    const state: number[] = [];
    const deploy: number[] = [];
    const failback: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const p = await pulumiFailover(pair, prefixOf("f", n, r), n, opts, "pulumi", log);
      const b = await restFailover(pair, prefixOf("r", n, r), n);
      state.push(p.stateBytes);
      deploy.push(p.deployMs);
      if (p.failbackMs !== undefined) failback.push(p.failbackMs);
      rto.push(p.rtoMs);
      upMs.push(p.upMs);
      base.push(b);
      log(
        `failover ${n} pair(s), run ${r + 1}/${opts.runs}: pulumi ${(p.rtoMs / 1000).toFixed(2)} s (up ${(p.upMs / 1000).toFixed(2)} s), REST ${(b / 1000).toFixed(2)} s`,
      );
    }
    const result: FailoverResult = {
      pairs: n,
      rtoMs: figure(rto, "ms"),
      upMs: figure(upMs, "ms"),
      baselineMs: figure(base, "ms"),
      ratio: figure(
        rto.map((v, i) => v / base[i]!),
        "×",
      ),
      stateBytes: figure(state, "bytes"),
      deployMs: figure(deploy, "ms"),
      ...(failback.length > 0 ? { failbackMs: figure(failback, "ms") } : {}),
    };
    if (opts.ccrDr && n === Math.min(...opts.pairs)) {
      const cli: number[] = [];
      for (let r = 0; r < opts.runs; r++) {
        const p = await pulumiFailover(pair, prefixOf("c", n, r), n, { ...opts, failback: false }, "ccr-dr", log);
        cli.push(p.rtoMs);
        log(`ccr-dr failover ${n} pair(s), run ${r + 1}/${opts.runs}: ${(p.rtoMs / 1000).toFixed(2)} s`);
      }
      result.ccrDrMs = figure(cli, "ms");
    }
    results.push(result);
  }
  return results;
}
