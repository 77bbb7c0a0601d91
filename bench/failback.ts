/**
 * Failback through `pulumi up`: clusterA's indices hold `docs` documents each and are followed by
 * clusterB (dr-b deployed); dr-b fails over (clusterB promoted) and takes one more write per index;
 * then clusterA fails back — `pulumi config set ccr-dr:primary clusterB -s dr-a && pulumi up -s
 * dr-a`: each stale index is fenced, lineage-checked, its divergent writes quarantined (none
 * here), deleted and re-created as a follower of clusterB, which copies every document again.
 *
 * Reported: the `pulumi up` time, and the failback time — from the command's start until every
 * follower on clusterA holds its leader's last operation — with the re-copy rate in docs/s.
 * Each run uses a fresh es-sim pair.
 */
import { docCount, indexPairs, loadDocs, maxSeqNo, pool, rest, startBenchPair, until } from "./pair";
import { pulumi, up } from "./pulumiCli";
import { figure, type Figure } from "./stats";

/** `requestTimeoutMs` of the clusters in this benchmark's stacks (see {@link once}). */
const RESTORE_TIMEOUT_MS = 600_000;

export interface FailbackOptions {
  /** Numbers of index pairs, e.g. [1, 20]. */
  pairs: number[];
  /** Documents per index. */
  docs: number;
  runs: number;
}

export interface FailbackResult {
  pairs: number;
  docsPerIndex: number;
  /** `config set` + `pulumi up` on dr-a, ms. */
  upMs: Figure;
  /** Until clusterA's followers are in sync, ms. */
  failbackMs: Figure;
  /** Documents re-copied per second (all pairs). */
  docsPerSec: Figure;
}

async function once(n: number, docs: number, log: (line: string) => void): Promise<{ upMs: number; failbackMs: number }> {
  // Following an index restores it inside the follow call (wait_for_active_shards=1): with many
  // large indices at once, es-sim takes longer than the providers' default 30 s request timeout.
  const pair = await startBenchPair({ requestTimeoutMs: RESTORE_TIMEOUT_MS });
  try {
    const pairs = indexPairs("fb", n);
    await pool(
      pairs,
      8,
      async (p) => void (await rest(pair.a.url, "PUT", `/${p.clusterA}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } })),
    );
    let t = performance.now();
    await loadDocs(
      pair.a.url,
      pairs.map((p) => p.clusterA),
      docs,
    );
    log(`  loaded ${n} × ${docs} documents into clusterA in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    pair.configure(pairs, "clusterA");
    await up(pair, "dr-a");
    t = performance.now();
    await up(pair, "dr-b");
    await pool(pairs, 8, async (p) => {
      const want = await maxSeqNo(pair.a.url, p.clusterA);
      await until(`${p.clusterB} to catch up`, async () => (await maxSeqNo(pair.b.url, p.clusterB)) >= want, 1_800_000, 200);
    });
    log(`  clusterB followed and caught up in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Disaster drill: clusterB is promoted and takes a write per index that clusterA never saw.
    // clusterA still answers: the failover is forced, which fences clusterA's indices (stack/splitBrain.ts).
    await pulumi(pair, ["config", "set", "ccr-dr:primary", "clusterB", "-s", "dr-b"]);
    await pulumi(pair, ["config", "set", "ccr-dr:force", "true", "-s", "dr-b"]);
    await up(pair, "dr-b");
    await pulumi(pair, ["config", "rm", "ccr-dr:force", "-s", "dr-b"]);
    await pool(pairs, 8, async (p) => void (await rest(pair.b.url, "POST", `/${p.clusterB}/_doc?refresh=true`, { user: "kimchy" })));

    // The failback of clusterA, timed.
    const t0 = performance.now();
    await pulumi(pair, ["config", "set", "ccr-dr:primary", "clusterB", "-s", "dr-a"]);
    await up(pair, "dr-a");
    const upMs = performance.now() - t0;
    await pool(pairs, 8, async (p) => {
      const want = await maxSeqNo(pair.b.url, p.clusterB);
      await until(`${p.clusterA} to catch up`, async () => (await maxSeqNo(pair.a.url, p.clusterA)) >= want, 1_800_000, 50);
    });
    const failbackMs = performance.now() - t0;
    await pool(pairs, 8, async (p) => {
      const [a, b] = [await docCount(pair.a.url, p.clusterA), await docCount(pair.b.url, p.clusterB)];
      if (a !== docs + 1 || b !== docs + 1)
        throw new Error(`after the failback ${p.clusterA} has ${a} and ${p.clusterB} ${b} documents; expected ${docs + 1} each`);
    });
    return { upMs, failbackMs };
  } finally {
    await pair.cleanup();
  }
}

export async function run(opts: FailbackOptions, log: (line: string) => void = () => undefined): Promise<FailbackResult[]> {
  const results: FailbackResult[] = [];
  for (const n of opts.pairs) {
    const upMs: number[] = [];
    const fb: number[] = [];
    const rate: number[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const m = await once(n, opts.docs, log);
      upMs.push(m.upMs);
      fb.push(m.failbackMs);
      rate.push((n * (opts.docs + 1)) / (m.failbackMs / 1000));
      log(
        `failback ${n} pair(s) × ${opts.docs} docs, run ${r + 1}/${opts.runs}: pulumi up ${(m.upMs / 1000).toFixed(2)} s, in sync after ${(m.failbackMs / 1000).toFixed(2)} s = ${Math.round(rate.at(-1)!)} docs/s`,
      );
    }
    results.push({
      pairs: n,
      docsPerIndex: opts.docs,
      upMs: figure(upMs, "ms"),
      failbackMs: figure(fb, "ms"),
      docsPerSec: figure(rate, "docs/s"),
    });
  }
  return results;
}
