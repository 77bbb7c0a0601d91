/**
 * What every drill scenario shares: the report, timed phases, the embedded es-sim pair, the staged
 * program with its two site stacks, the REST helper, the failover and failback steps, and the
 * cleanup. A scenario (drill.ts: the seed tutorial; dataStream.ts: a data stream under writes)
 * supplies its data, its writes and its checks.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSim, type SpawnedSim } from "../../sim/spawn";
import { localPassphrase, pulumiEnv } from "../toolchain";
import { failback, failover, type Log, type OperationOptions } from "../operations";
import { until } from "../wait";
import { openSites, stageProgram } from "../workspace";
import { generateOrders } from "./ecommerce";

export const LEADER_INDEX = "kibana_sample_data_ecommerce";
export const FOLLOWER_INDEX = "kibana_sample_data_ecommerce2";
/** Bound on waiting for replication to show a document or a count. */
export const REPLICATION_TIMEOUT_MS = 60_000;
/** The drill scenarios (`ccr-dr drill --scenario`). */
export const SCENARIOS = ["tutorial", "data-stream"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface DrillPhase {
  name: string;
  durationMs: number;
  ok: boolean;
  detail: string;
}

export interface DrillReport {
  scenario: Scenario;
  verdict: "pass" | "fail";
  phases: DrillPhase[];
  /** Disaster (kill -9 of clusterA) until clusterB accepted a write. */
  rtoMs?: number;
  /** Documents acknowledged on clusterA but missing on clusterB after the failover. */
  rpoDocuments?: number;
  /** Documents in clusterA's quarantine indices after the failback; absent when not read. */
  quarantinedDocuments?: number;
  /** data-stream: acknowledged documents found neither on the new primary nor in the quarantine; absent when not read. */
  lostDocuments?: number;
  /** Documents the scenario writes on clusterA (tutorial: orders loaded; data-stream: appends acknowledged before the kill). */
  documents: number;
  /** data-stream: appends acknowledged on clusterB after the failover. */
  documentsOnB?: number;
  /** Where state was kept, with `keep`. */
  keptIn?: string;
  error?: string;
}

export interface DrillOptions {
  log?: Log;
  /** Keep data dirs, backend and staged program (default: everything is removed). */
  keep?: boolean;
  /** Documents to write on clusterA (default per scenario). */
  documents?: number;
  /** Stops the drill at the next step (Ctrl-C); everything started is still cleaned up. */
  signal?: AbortSignal;
}

/** One REST call to an es-sim of the drill; `T` is the shape of the answer the caller reads. */
export async function es<T = unknown>(base: string, method: string, p: string, body?: unknown, ndjson = false): Promise<T> {
  const res = await fetch(base + p, {
    method,
    headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const json = await res.json().catch(() => undefined);
  if (res.status >= 300) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
  return json as T;
}

export async function count(base: string, index: string): Promise<number> {
  return (await es<{ count: number }>(base, "GET", `/${index}/_count`)).count;
}

/** Of `docIds`, those `target` (an index, stream or pattern) holds, read after a refresh. */
export async function present(base: string, target: string, docIds: readonly string[]): Promise<Set<string>> {
  await es(base, "POST", `/${target}/_refresh`);
  const found = new Set<string>();
  for (let i = 0; i < docIds.length; i += 1000) {
    const values = docIds.slice(i, i + 1000);
    const r = await es<{ hits: { hits: Array<{ _id: string }> } }>(base, "POST", `/${target}/_search`, {
      size: values.length,
      _source: false,
      query: { ids: { values } },
    });
    for (const h of r.hits.hits) found.add(h._id);
  }
  return found;
}

/**
 * Documents in the quarantine indices (`ccr-dr-quarantine-*`) of `base`, as `_cat/indices` counts
 * them; undefined when one of them has no count (a closed index): unknown, not 0.
 */
export async function quarantinedDocuments(base: string): Promise<number | undefined> {
  const quarantine = await es<Array<{ "docs.count": string | null }>>(
    base,
    "GET",
    "/_cat/indices/ccr-dr-quarantine-*?format=json&h=index,docs.count",
  );
  const counts = quarantine.map((q) => (q["docs.count"] === null || q["docs.count"] === "" ? NaN : Number(q["docs.count"])));
  return counts.every(Number.isFinite) ? counts.reduce((s, n) => s + n, 0) : undefined;
}

/** The stack configuration of `site`: the tutorial's index pair, plus the scenario's auto-follow patterns. */
export function siteConfig(
  site: "clusterA" | "clusterB",
  a: SpawnedSim,
  b: SpawnedSim,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
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
    ...extra,
  };
}

/** A drill in progress: its report, temp root, clusters and Pulumi workspace. */
export class DrillRun {
  readonly report: DrillReport;
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-drill-"));
  readonly log: Log;
  private readonly sims: SpawnedSim[] = [];

  constructor(
    scenario: Scenario,
    documents: number,
    readonly opts: DrillOptions,
  ) {
    this.log = opts.log ?? (() => {});
    this.report = { scenario, verdict: "fail", phases: [], documents };
  }

  /** Runs one timed step, reported whether it succeeds or throws. */
  async phase<T>(name: string, f: () => Promise<{ value: T; detail: string }>): Promise<T> {
    if (this.opts.signal?.aborted) throw new Error(`interrupted before: ${name}`);
    const started = Date.now();
    this.log(`${name}…`);
    try {
      const { value, detail } = await f();
      const p = { name, durationMs: Date.now() - started, ok: true, detail };
      this.report.phases.push(p);
      this.log(`${name}: ${detail} (${(p.durationMs / 1000).toFixed(1)} s)`);
      return value;
    } catch (e) {
      this.report.phases.push({ name, durationMs: Date.now() - started, ok: false, detail: (e as Error).message });
      throw e;
    }
  }

  /** Polls `f` until it returns a value, bounded by {@link REPLICATION_TIMEOUT_MS} and the drill's signal. */
  until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
    return until(what, f, REPLICATION_TIMEOUT_MS, this.opts.signal);
  }

  startPair(): Promise<[SpawnedSim, SpawnedSim]> {
    return this.phase("start clusterA and clusterB", async () => {
      const pair = await Promise.all(
        (["clusterA", "clusterB"] as const).map((name) =>
          spawnSim({ clusterName: name, nodeName: `${name}-node`, dataDir: fs.mkdtempSync(path.join(this.root, `${name}-`)) }),
        ),
      );
      this.sims.push(...pair);
      return { value: pair as [SpawnedSim, SpawnedSim], detail: `clusterA ${pair[0]!.url}, clusterB ${pair[1]!.url}` };
    });
  }

  /** Loads `docs` generated orders into the tutorial's leader index on clusterA. */
  loadOrders(a: SpawnedSim, docs: number): Promise<void> {
    return this.phase(`load ${LEADER_INDEX} on clusterA`, async () => {
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
  }

  /** Stages the program with the two site stacks; the workspace options of every operation after. */
  workspace(stacks: { "dr-a": Record<string, unknown>; "dr-b": Record<string, unknown> }): OperationOptions {
    const workDir = stageProgram(path.join(this.root, "program"), stacks);
    const env = {
      ...pulumiEnv({ backendDir: path.join(this.root, "state"), pulumiHome: path.join(this.root, "pulumi-home") }),
      PULUMI_CONFIG_PASSPHRASE: localPassphrase,
    };
    return { workDir, env, log: (l: string) => this.log(`  ${l}`), ...(this.opts.signal ? { signal: this.opts.signal } : {}) };
  }

  /** `pulumi up` dr-b then dr-a, then `replicated` (the scenario's wait) gives the phase's detail. */
  setUpReplication(ws: OperationOptions, replicated: () => Promise<string>): Promise<void> {
    return this.phase("set up replication (pulumi up dr-b, dr-a)", async () => {
      const sites = await openSites(ws);
      for (const s of [sites.site.clusterB, sites.site.clusterA]) {
        const r = await s.stack.up(this.opts.signal ? { signal: this.opts.signal } : {});
        if (r.summary.result !== "succeeded") throw new Error(`pulumi up ${s.stack.name}: ${r.summary.result}`);
      }
      return { value: undefined, detail: await replicated() };
    });
  }

  /** kill -9 of clusterA; returns when it happened (the start of the RTO). */
  async disaster(a: SpawnedSim): Promise<number> {
    const at = Date.now();
    await this.phase("disaster: kill -9 clusterA", async () => {
      await a.kill("SIGKILL");
      return { value: undefined, detail: `pid ${a.pid} killed` };
    });
    return at;
  }

  failover(ws: OperationOptions): Promise<void> {
    return this.phase("failover to clusterB (pulumi up dr-b)", async () => {
      const r = await failover("clusterB", ws);
      return { value: undefined, detail: r.run.operations.map((o) => o.words).join("; ") || "nothing to do" };
    });
  }

  /** Restarts clusterA on its data dir; `detail` says what it holds then. */
  restart(a: SpawnedSim, detail: () => Promise<string>): Promise<void> {
    return this.phase("restart clusterA on its data dir", async () => {
      await a.restart();
      return { value: undefined, detail: await detail() };
    });
  }

  failback(ws: OperationOptions): Promise<void> {
    return this.phase("failback: clusterA follows clusterB (pulumi up dr-a)", async () => {
      const r = await failback({ ...ws, to: "clusterB" });
      return { value: undefined, detail: r.run.operations.map((o) => o.words).join("; ") || "nothing to do" };
    });
  }

  /**
   * Runs the scenario's `steps`, then stops the clusters and removes (or, with `keep`, keeps)
   * everything; never throws: a failure is the report's `error`, its verdict stays "fail".
   */
  async execute(steps: () => Promise<void>): Promise<DrillReport> {
    try {
      await steps();
    } catch (e) {
      this.report.error = (e as Error).message;
    } finally {
      await Promise.all(this.sims.map((s) => s.kill("SIGTERM").catch(() => undefined)));
      if (this.opts.keep) this.report.keptIn = this.root;
      else fs.rmSync(this.root, { recursive: true, force: true });
    }
    return this.report;
  }
}

/**
 * The table every scenario ends with: each phase's result and duration, the RTO, the RPO, what the
 * quarantine holds and the verdict. A figure that was not read is "unknown", never 0.
 */
export function drillTable(r: DrillReport, paint: (code: number, s: string) => string = (_c, s) => s): string[] {
  const rows = r.phases.map((p) => [p.ok ? "ok" : "FAILED", `${(p.durationMs / 1000).toFixed(1)} s`, p.name]);
  const w0 = Math.max(...rows.map((x) => x[0]!.length), 6);
  const w1 = Math.max(...rows.map((x) => x[1]!.length), 8);
  const out = ["", `${"result".padEnd(w0)}  ${"duration".padStart(w1)}  phase`];
  for (const [a, b, c] of rows) out.push(`${a!.padEnd(w0)}  ${b!.padStart(w1)}  ${c}`);
  const known = (n: number | undefined, unit: string) => (n === undefined ? "unknown (not read)" : `${n} ${unit}`);
  out.push("");
  out.push(`RTO (disaster → clusterB writable): ${r.rtoMs === undefined ? "unknown (not reached)" : `${(r.rtoMs / 1000).toFixed(1)} s`}`);
  out.push(`RPO (acknowledged on clusterA, missing on clusterB): ${known(r.rpoDocuments, "documents")}`);
  out.push(`quarantined documents: ${known(r.quarantinedDocuments, "")}`.trimEnd());
  if (r.scenario === "data-stream") {
    out.push(`acknowledged: ${r.documents} on clusterA before the kill, ${known(r.documentsOnB, "on clusterB after the failover")}`);
    out.push(`acknowledged documents lost: ${known(r.lostDocuments, "")}`.trimEnd());
  }
  if (r.error) out.push(`error: ${r.error}`);
  if (r.keptIn) out.push(`state kept in ${r.keptIn}`);
  out.push(`verdict: ${r.verdict === "pass" ? paint(32, "PASS") : paint(31, "FAIL")}`);
  return out;
}
