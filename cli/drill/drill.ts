/**
 * `ccr-dr drill`: the seed tutorial (uni-directional CCR disaster recovery) end to end on an
 * embedded es-sim pair, through the real program and the real Pulumi CLI, with timings:
 * replicate clusterA → clusterB, kill clusterA, fail over, write on clusterB, restart clusterA,
 * fail back, and find the new document on clusterA.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSim, type SpawnedSim } from "../../sim/spawn";
import { localPassphrase, pulumiEnv } from "../toolchain";
import { failback, failover, type Log } from "../operations";
import { until } from "../wait";
import { openSites, stageProgram } from "../workspace";
import { generateOrders, SAMPLE_ORDER_COUNT } from "./ecommerce";

export const LEADER_INDEX = "kibana_sample_data_ecommerce";
export const FOLLOWER_INDEX = "kibana_sample_data_ecommerce2";
/** Bound on waiting for replication to show a document or a count. */
const REPLICATION_TIMEOUT_MS = 60_000;

export interface DrillPhase {
  name: string;
  durationMs: number;
  ok: boolean;
  detail: string;
}

export interface DrillReport {
  verdict: "pass" | "fail";
  phases: DrillPhase[];
  /** Disaster (kill -9 of clusterA) until clusterB accepted a write. */
  rtoMs?: number;
  /** Documents acknowledged on clusterA but missing on clusterB after the failover. */
  rpoDocuments?: number;
  quarantinedDocuments: number;
  documents: number;
  /** Where state was kept, with `keep`. */
  keptIn?: string;
  error?: string;
}

export interface DrillOptions {
  log?: Log;
  /** Keep data dirs, backend and staged program (default: everything is removed). */
  keep?: boolean;
  /** Orders to load (default: the sample's 4,675). */
  documents?: number;
  /** Stops the drill at the next step (Ctrl-C); everything started is still cleaned up. */
  signal?: AbortSignal;
}

/** One REST call to an es-sim of the drill; `T` is the shape of the answer the caller reads. */
async function es<T = unknown>(base: string, method: string, p: string, body?: unknown, ndjson = false): Promise<T> {
  const res = await fetch(base + p, {
    method,
    headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const json = await res.json().catch(() => undefined);
  if (res.status >= 300) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
  return json as T;
}

async function count(base: string, index: string): Promise<number> {
  return (await es<{ count: number }>(base, "GET", `/${index}/_count`)).count;
}

function siteConfig(site: "clusterA" | "clusterB", a: SpawnedSim, b: SpawnedSim): Record<string, unknown> {
  const cluster = (s: SpawnedSim) => ({
    endpoint: s.url,
    mode: "proxy",
    proxyAddress: s.transportAddress,
    proxySocketConnections: 18,
    skipUnavailable: true,
  });
  return {
    site,
    primary: "clusterA",
    clusters: { clusterA: cluster(a), clusterB: cluster(b) },
    indices: [{ clusterA: LEADER_INDEX, clusterB: FOLLOWER_INDEX }],
  };
}

/** Runs the drill; never throws: failures end up in the report's verdict. */
export async function drill(opts: DrillOptions = {}): Promise<DrillReport> {
  const log = opts.log ?? (() => {});
  const docs = opts.documents ?? SAMPLE_ORDER_COUNT;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-drill-"));
  const report: DrillReport = { verdict: "fail", phases: [], quarantinedDocuments: 0, documents: docs };
  const sims: SpawnedSim[] = [];
  const phase = async <T>(name: string, f: () => Promise<{ value: T; detail: string }>): Promise<T> => {
    if (opts.signal?.aborted) throw new Error(`interrupted before: ${name}`);
    const started = Date.now();
    log(`${name}…`);
    try {
      const { value, detail } = await f();
      const p = { name, durationMs: Date.now() - started, ok: true, detail };
      report.phases.push(p);
      log(`${name}: ${detail} (${(p.durationMs / 1000).toFixed(1)} s)`);
      return value;
    } catch (e) {
      report.phases.push({ name, durationMs: Date.now() - started, ok: false, detail: (e as Error).message });
      throw e;
    }
  };
  const stop = async () => {
    await Promise.all(sims.map((s) => s.kill("SIGTERM").catch(() => undefined)));
    if (opts.keep) report.keptIn = root;
    else fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const [a, b] = await phase("start clusterA and clusterB", async () => {
      const pair = await Promise.all(
        (["clusterA", "clusterB"] as const).map((name) =>
          spawnSim({ clusterName: name, nodeName: `${name}-node`, dataDir: fs.mkdtempSync(path.join(root, `${name}-`)) }),
        ),
      );
      sims.push(...pair);
      return { value: pair as [SpawnedSim, SpawnedSim], detail: `clusterA ${pair[0]!.url}, clusterB ${pair[1]!.url}` };
    });
    await phase(`load ${LEADER_INDEX} on clusterA`, async () => {
      const lines: string[] = [];
      for (const order of generateOrders(docs))
        lines.push(JSON.stringify({ index: { _index: LEADER_INDEX, _id: String(order.order_id) } }), JSON.stringify(order));
      for (let i = 0; i < lines.length; i += 2000) {
        const r = await es<{ errors: boolean; items: Array<{ index?: { error?: unknown } }> }>(
          a.url,
          "POST",
          "/_bulk",
          lines.slice(i, i + 2000).join("\n") + "\n",
          true,
        );
        if (r.errors) throw new Error(`bulk load had item errors: ${JSON.stringify(r.items.find((x) => x.index?.error))}`);
      }
      await es(a.url, "POST", `/${LEADER_INDEX}/_refresh`);
      return { value: undefined, detail: `${await count(a.url, LEADER_INDEX)} orders` };
    });
    const workDir = stageProgram(path.join(root, "program"), {
      "dr-a": siteConfig("clusterA", a, b),
      "dr-b": siteConfig("clusterB", a, b),
    });
    const env = {
      ...pulumiEnv({ backendDir: path.join(root, "state"), pulumiHome: path.join(root, "pulumi-home") }),
      PULUMI_CONFIG_PASSPHRASE: localPassphrase,
    };
    const ws = { workDir, env, log: (l: string) => log(`  ${l}`), ...(opts.signal ? { signal: opts.signal } : {}) };
    await phase("set up replication (pulumi up dr-b, dr-a)", async () => {
      const sites = await openSites(ws);
      for (const s of [sites.site.clusterB, sites.site.clusterA]) {
        const r = await s.stack.up(opts.signal ? { signal: opts.signal } : {});
        if (r.summary.result !== "succeeded") throw new Error(`pulumi up ${s.stack.name}: ${r.summary.result}`);
      }
      const n = await until(
        "clusterB to hold every order",
        async () => {
          const c = await count(b.url, FOLLOWER_INDEX).catch(() => -1);
          return c === docs ? c : undefined;
        },
        REPLICATION_TIMEOUT_MS,
        opts.signal,
      );
      return { value: undefined, detail: `${FOLLOWER_INDEX} on clusterB follows clusterA: ${n} documents` };
    });
    const beforeDisaster = await count(a.url, LEADER_INDEX);
    const disasterAt = Date.now();
    await phase("disaster: kill -9 clusterA", async () => {
      await a.kill("SIGKILL");
      return { value: undefined, detail: `pid ${a.pid} killed` };
    });
    await phase("failover to clusterB (pulumi up dr-b)", async () => {
      const r = await failover("clusterB", ws);
      return { value: undefined, detail: r.run.operations.map((o) => o.words).join("; ") || "nothing to do" };
    });
    await phase(`write {"user":"kimchy"} into ${FOLLOWER_INDEX} on clusterB`, async () => {
      const r = await es<{ result: string; _id: string; _seq_no: number }>(b.url, "POST", `/${FOLLOWER_INDEX}/_doc?refresh=true`, {
        user: "kimchy",
      });
      report.rtoMs = Date.now() - disasterAt;
      const onB = await count(b.url, FOLLOWER_INDEX);
      report.rpoDocuments = beforeDisaster - (onB - 1);
      return { value: undefined, detail: `${r.result} as ${r._id} (seq_no ${r._seq_no})` };
    });
    await phase("restart clusterA on its data dir", async () => {
      await a.restart();
      return { value: undefined, detail: `${await count(a.url, LEADER_INDEX)} stale documents on clusterA` };
    });
    await phase("failback: clusterA follows clusterB (pulumi up dr-a)", async () => {
      const r = await failback({ ...ws, to: "clusterB" });
      return { value: undefined, detail: r.run.operations.map((o) => o.words).join("; ") || "nothing to do" };
    });
    await phase(`GET ${LEADER_INDEX}/_search?q=kimchy on clusterA`, async () => {
      const hit = await until(
        "the kimchy document on clusterA",
        async () => {
          const r = await es<{ hits: { total: { value: number }; hits: Array<{ _source: unknown }> } }>(
            a.url,
            "GET",
            `/${LEADER_INDEX}/_search?q=kimchy`,
          );
          return r.hits.total.value === 1 ? r.hits.hits[0] : undefined;
        },
        REPLICATION_TIMEOUT_MS,
        opts.signal,
      );
      const [onA, onB] = await Promise.all([count(a.url, LEADER_INDEX), count(b.url, FOLLOWER_INDEX)]);
      if (onA !== onB) throw new Error(`clusterA holds ${onA} documents, clusterB ${onB}`);
      const quarantine = await es<Array<{ "docs.count": string }>>(
        a.url,
        "GET",
        "/_cat/indices/ccr-dr-quarantine-*?format=json&h=index,docs.count",
      );
      report.quarantinedDocuments = quarantine.reduce((s, q) => s + Number(q["docs.count"] ?? 0), 0);
      return { value: undefined, detail: `found ${JSON.stringify(hit._source)}; clusterA and clusterB both hold ${onA} documents` };
    });
    report.verdict = report.rpoDocuments === 0 ? "pass" : "fail";
  } catch (e) {
    report.error = (e as Error).message;
  } finally {
    await stop();
  }
  return report;
}
