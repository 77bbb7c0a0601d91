/**
 * es-sim benchmark against a real `bin/es-sim` process over HTTP:
 *   - bulk indexing throughput (1 KB docs, bulks of 1,000) — target ≥ 20,000 docs/s;
 *   - single-document index latency p50/p99 with 16 concurrent clients;
 *   - `q=` search latency p50 on 100k docs — target ≤ 10 ms.
 * `run()` returns the figures (for bench/run.ts); running this file directly prints them.
 */
import { spawnSim } from "../test/helpers/sim";
import { percentile } from "./stats";
import { randomText, seededRandom } from "../cli/drill/seeded";

/** Documents indexed by the bulk phase (also the corpus of the search phase). */
export const BULK_DOCS = 100_000;
export const BULK_SIZE = 1_000;
/** Bulk requests in flight at once. */
const BULK_CONCURRENCY = 4;
const SINGLE_CLIENTS = 16;
const SINGLE_DOCS_PER_CLIENT = 150;
const SEARCHES = 300;
const WORDS =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu".split(
    " ",
  );

/** What `run()` measures. */
export interface SimBenchResult {
  bulkDocsPerSec: number;
  /** Same load into an index with `refresh_interval: -1` (ES's bulk-load advice): engine + storage ceiling. */
  bulkNoRefreshDocsPerSec: number;
  bulkDocs: number;
  bulkSeconds: number;
  singleIndexP50Ms: number;
  singleIndexP99Ms: number;
  searchP50Ms: number;
  searchP99Ms: number;
  searchDocs: number;
}

/** A ~1 KB document. */
function makeDoc(n: number, rand: () => number): Record<string, unknown> {
  return {
    n,
    tag: WORDS[n % WORDS.length],
    user: `user${n % 1000}`,
    ts: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    body: randomText(rand, WORDS, 900),
  };
}

async function post(url: string, body: string, contentType = "application/json"): Promise<any> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": contentType } });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${url} → ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

/** Runs the benchmark on a fresh es-sim process and returns the figures. */
export async function run(log: (line: string) => void = () => undefined): Promise<SimBenchResult> {
  const sim = await spawnSim({ clusterName: "bench" });
  try {
    const base = sim.url;
    await fetch(`${base}/bench`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ settings: { number_of_replicas: 0 } }),
    });
    const rand = seededRandom(42);
    const bodies: string[] = [];
    for (let b = 0; b < BULK_DOCS / BULK_SIZE; b++) {
      const lines: string[] = [];
      for (let k = 0; k < BULK_SIZE; k++) {
        const n = b * BULK_SIZE + k;
        lines.push(JSON.stringify({ index: { _index: "bench", _id: String(n) } }), JSON.stringify(makeDoc(n, rand)));
      }
      bodies.push(lines.join("\n") + "\n");
    }
    const norefresh = async () => {
      await fetch(`${base}/bulk-norefresh`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ settings: { number_of_replicas: 0, refresh_interval: "-1" } }),
      });
      const subset = bodies.slice(0, bodies.length / 2).map((b) => b.replaceAll('"_index":"bench"', '"_index":"bulk-norefresh"'));
      const t0 = performance.now();
      let i = 0;
      await Promise.all(
        Array.from({ length: BULK_CONCURRENCY }, async () => {
          while (i < subset.length) await post(`${base}/_bulk`, subset[i++]!, "application/x-ndjson");
        }),
      );
      return (subset.length * BULK_SIZE) / ((performance.now() - t0) / 1000);
    };
    const bulkNoRefreshDocsPerSec = await norefresh();
    log(`bulk into an index with refresh_interval=-1: ${Math.round(bulkNoRefreshDocsPerSec)} docs/s`);
    await fetch(`${base}/bulk-norefresh`, { method: "DELETE" });
    log(`bulk: ${BULK_DOCS} docs of ~1 KB in bulks of ${BULK_SIZE}, ${BULK_CONCURRENCY} in flight`);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: BULK_CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const r = await post(`${base}/_bulk`, body, "application/x-ndjson");
          if (r.errors) throw new Error("bulk reported errors");
        }
      }),
    );
    const bulkSeconds = (performance.now() - started) / 1000;
    const bulkDocsPerSec = BULK_DOCS / bulkSeconds;
    log(`bulk: ${Math.round(bulkDocsPerSec)} docs/s (${bulkSeconds.toFixed(2)} s)`);

    await post(`${base}/bench/_refresh`, "");
    const searchLatencies: number[] = [];
    const qrand = seededRandom(7);
    for (let i = 0; i < SEARCHES; i++) {
      const a = WORDS[Math.floor(qrand() * WORDS.length)]!;
      const b = WORDS[Math.floor(qrand() * WORDS.length)]!;
      const q = i % 3 === 0 ? `body:${a}` : i % 3 === 1 ? `tag:${a} AND body:${b}` : `user:user${i % 1000}`;
      const t = performance.now();
      const res = await fetch(`${base}/bench/_search?q=${encodeURIComponent(q)}`);
      await res.json();
      searchLatencies.push(performance.now() - t);
    }
    const searchP50Ms = percentile(searchLatencies, 50);
    const searchP99Ms = percentile(searchLatencies, 99);
    log(`search q= on ${BULK_DOCS} docs: p50 ${searchP50Ms.toFixed(2)} ms, p99 ${searchP99Ms.toFixed(2)} ms`);

    await fetch(`${base}/single`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ settings: { number_of_replicas: 0 } }),
    });
    const single: number[] = [];
    const srand = seededRandom(9);
    const docs = Array.from({ length: SINGLE_CLIENTS * SINGLE_DOCS_PER_CLIENT }, (_, n) => JSON.stringify(makeDoc(n, srand)));
    await Promise.all(
      Array.from({ length: SINGLE_CLIENTS }, async (_, c) => {
        for (let k = 0; k < SINGLE_DOCS_PER_CLIENT; k++) {
          const n = c * SINGLE_DOCS_PER_CLIENT + k;
          const t = performance.now();
          const res = await fetch(`${base}/single/_doc/${n}`, {
            method: "PUT",
            body: docs[n],
            headers: { "content-type": "application/json" },
          });
          await res.json();
          if (res.status !== 201) throw new Error(`single index → ${res.status}`);
          single.push(performance.now() - t);
        }
      }),
    );
    const singleIndexP50Ms = percentile(single, 50);
    const singleIndexP99Ms = percentile(single, 99);
    log(`single-doc index, ${SINGLE_CLIENTS} clients: p50 ${singleIndexP50Ms.toFixed(2)} ms, p99 ${singleIndexP99Ms.toFixed(2)} ms`);
    return {
      bulkDocsPerSec,
      bulkNoRefreshDocsPerSec,
      bulkDocs: BULK_DOCS,
      bulkSeconds,
      singleIndexP50Ms,
      singleIndexP99Ms,
      searchP50Ms,
      searchP99Ms,
      searchDocs: BULK_DOCS,
    };
  } finally {
    await sim.cleanup();
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
