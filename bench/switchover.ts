/**
 * Planned switchover under load: both site stacks deployed (one index pair), a client writing
 * `docsPerSec` documents per second to the primary, then `switchover()` from cli/operations.ts
 * (what `ccr-dr switchover --to X` runs: fence, wait for lag 0, promote, re-follow). Runs
 * alternate the direction (A→B, B→A, …) on the same pair.
 *
 * Reported per run: the switchover's duration, the longest time the client got no write
 * acknowledged, and the RPO — acknowledged documents missing from the new primary, which must
 * be 0 (the fence guarantees it).
 */
import { switchover } from "../cli/operations";
import { type BenchPair, indexPairs, loadDocs, maxSeqNo, rest, type Site, until } from "./pair";
import { up } from "./pulumiCli";
import { figure, type Figure } from "./stats";
import { countPresent, startWriter } from "./writer";

export interface SwitchoverOptions {
  runs: number;
  docsPerSec: number;
  /** Steady load before the switchover starts, ms. */
  warmupMs: number;
}

export interface SwitchoverResult {
  docsPerSec: number;
  /** `switchover()` wall time, ms. */
  durationMs: Figure;
  /** What the operation reports: fence in place until the new primary is promoted, ms. */
  reportedUnavailableMs: Figure;
  /** Longest time the client got no acknowledgement, ms. */
  clientGapMs: Figure;
  /** Acknowledged documents missing from the new primary, per run (must all be 0). */
  rpoDocuments: Figure;
  /** Documents acknowledged per run. */
  ackedDocuments: Figure;
  /** Achieved write rate per run, docs/s. */
  achievedDocsPerSec: Figure;
}

const other = (s: Site): Site => (s === "clusterA" ? "clusterB" : "clusterA");

export async function run(
  pair: BenchPair,
  opts: SwitchoverOptions,
  log: (line: string) => void = () => undefined,
): Promise<SwitchoverResult> {
  const [names] = indexPairs("switch", 1) as [Record<Site, string>];
  await rest(pair.a.url, "PUT", `/${names.clusterA}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
  await loadDocs(pair.a.url, [names.clusterA], 1000, "seed");
  pair.configure([names], "clusterA");
  await up(pair, "dr-a");
  await up(pair, "dr-b");
  const url = (s: Site) => (s === "clusterA" ? pair.a.url : pair.b.url);
  await until(
    "the follower to be in sync",
    async () => (await maxSeqNo(url("clusterB"), names.clusterB)) >= (await maxSeqNo(url("clusterA"), names.clusterA)),
  );

  const duration: number[] = [];
  const reported: number[] = [];
  const gap: number[] = [];
  const rpo: number[] = [];
  const acked: number[] = [];
  const rate: number[] = [];
  let from: Site = "clusterA";
  for (let r = 0; r < opts.runs; r++) {
    const to = other(from);
    const writer = startWriter({ url: url(from), index: names[from] }, { url: url(to), index: names[to] }, opts.docsPerSec, `w${r}`);
    await new Promise((res) => setTimeout(res, opts.warmupMs));
    const t0 = performance.now();
    const result = await switchover(to, { workDir: pair.workDir, env: pair.env });
    duration.push(performance.now() - t0);
    reported.push(result.writeUnavailableMs);
    await new Promise((res) => setTimeout(res, 1000)); // the client keeps writing to the new primary
    const stats = await writer.stop();
    const present = await countPresent(url(to), names[to], stats.acked);
    rpo.push(stats.acked.length - present);
    acked.push(stats.acked.length);
    gap.push(stats.longestGapMs);
    rate.push(stats.docsPerSec);
    log(
      `switchover ${from} → ${to}, run ${r + 1}/${opts.runs}: ${(duration.at(-1)! / 1000).toFixed(2)} s, client saw no ack for ${(stats.longestGapMs / 1000).toFixed(2)} s, ` +
        `${stats.acked.length} docs acknowledged at ${Math.round(stats.docsPerSec)} docs/s, ${stats.refused} refused, RPO ${rpo.at(-1)} documents`,
    );
    if (rpo.at(-1)! !== 0) log(`  ERROR: ${rpo.at(-1)} acknowledged documents are missing on ${to}`);
    from = to;
  }
  return {
    docsPerSec: opts.docsPerSec,
    durationMs: figure(duration, "ms"),
    reportedUnavailableMs: figure(reported, "ms"),
    clientGapMs: figure(gap, "ms"),
    rpoDocuments: figure(rpo, "docs"),
    ackedDocuments: figure(acked, "docs"),
    achievedDocsPerSec: figure(rate, "docs/s"),
  };
}
