/**
 * An es-sim pair plus the two site stacks of the real program, staged in a temp dir on a temp
 * file:// backend: what the end-to-end tests of the program and the CLI run against.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { pulumiEnv } from "../../cli/toolchain";
import { until } from "../../cli/wait";
import { openSites, stageProgram, type Sites } from "../../cli/workspace";
import { spawnSim, type SpawnedSim, type SpawnSimOptions } from "../../sim/spawn";
import { basic, trustEachOther } from "./security";
import { http, ndjson } from "./sim";

export const A_INDEX = "kibana_sample_data_ecommerce";
export const B_INDEX = "kibana_sample_data_ecommerce2";

export interface DrPair {
  dir: string;
  a: SpawnedSim;
  b: SpawnedSim;
  workDir: string;
  env: Record<string, string>;
  sites: () => Promise<Sites>;
  stack: (site: "clusterA" | "clusterB") => Promise<Stack>;
  cleanup: () => Promise<void>;
}

function cluster(s: SpawnedSim) {
  return { endpoint: s.url, mode: "proxy", proxyAddress: s.transportAddress, proxySocketConnections: 18, skipUnavailable: true };
}

/**
 * The stack configuration of `site` for the pair, primary clusterA, the tutorial's index pair;
 * `clusterFields` (e.g. `username`) are added to both clusters' entries.
 */
export function pairConfig(
  site: "clusterA" | "clusterB",
  a: SpawnedSim,
  b: SpawnedSim,
  clusterFields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    site,
    primary: "clusterA",
    clusters: { clusterA: { ...cluster(a), ...clusterFields }, clusterB: { ...cluster(b), ...clusterFields } },
    indices: [{ clusterA: A_INDEX, clusterB: B_INDEX }],
  };
}

/** What a test may add to the default pair: es-sim settings and environment (e.g. security) and fields for both clusters' configuration. */
export interface DrPairOptions {
  sim?: Pick<SpawnSimOptions, "settings" | "env">;
  clusterFields?: Record<string, unknown>;
  /** A state backend other than a temp file:// one (e.g. an S3 bucket) and what it needs (credentials). */
  backend?: { url: string; env: Record<string, string> };
}

export async function startDrPair(options: DrPairOptions = {}): Promise<DrPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-e2e-"));
  const [a, b] = await Promise.all([
    spawnSim({ clusterName: "clusterA", dataDir: fs.mkdtempSync(path.join(dir, "a-")), ...options.sim }),
    spawnSim({ clusterName: "clusterB", dataDir: fs.mkdtempSync(path.join(dir, "b-")), ...options.sim }),
  ]);
  // secured clusters serve their transport only to a peer holding a cross-cluster API key (ES 8)
  const password = options.sim?.env?.ELASTIC_PASSWORD;
  if (options.sim?.settings?.["xpack.security.enabled"] === "true" && password) await trustEachOther(a, b, basic("elastic", password));
  const config = (site: "clusterA" | "clusterB") => pairConfig(site, a, b, options.clusterFields);
  const workDir = stageProgram(path.join(dir, "program"), { "dr-a": config("clusterA"), "dr-b": config("clusterB") });
  const backend = options.backend ? { backendUrl: options.backend.url } : { backendDir: path.join(dir, "state") };
  const env = {
    ...pulumiEnv({ ...backend, pulumiHome: path.join(dir, "home") }),
    ...options.backend?.env,
    PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
  };
  const sites = () => openSites({ workDir, env });
  return {
    dir,
    a,
    b,
    workDir,
    env,
    sites,
    stack: async (site) => (await sites()).site[site].stack,
    cleanup: async () => {
      await Promise.all([a.cleanup(), b.cleanup()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Indexes `n` small orders into `index` (refreshed) and returns their ids. */
export async function loadOrders(base: string, index: string, n: number, prefix = "order"): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const lines = ids.flatMap((id, i) => [{ index: { _index: index, _id: id } }, { order_id: i, customer: `customer ${i}`, total: i * 1.5 }]);
  const r = await http(base, "POST", "/_bulk?refresh=true", ndjson(lines), { "content-type": "application/x-ndjson" });
  if (r.status !== 200 || r.body.errors) throw new Error(`bulk failed: ${r.text.slice(0, 500)}`);
  return ids;
}

export async function count(base: string, index: string): Promise<number> {
  const r = await http(base, "GET", `/${index}/_count`);
  if (r.status !== 200) throw new Error(`count ${index}: ${r.status} ${r.text}`);
  return r.body.count as number;
}

/** Sorted ids of every document in `index`. */
export async function ids(base: string, index: string): Promise<string[]> {
  await http(base, "POST", `/${index}/_refresh`);
  const r = await http(base, "GET", `/${index}/_search?size=10000&_source=false`);
  if (r.status !== 200) throw new Error(`search ${index}: ${r.status} ${r.text}`);
  return (r.body.hits.hits as Array<{ _id: string }>).map((h) => h._id).sort();
}

/** Polls until `f` returns a value other than undefined (replication is asynchronous). */
export function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return until(what, f, timeoutMs);
}

/** Waits until the follower holds exactly the leader's documents. */
export async function inSync(leader: string, leaderIndex: string, follower: string, followerIndex: string): Promise<string[]> {
  const want = await ids(leader, leaderIndex);
  return eventually(`${followerIndex} to match ${leaderIndex}`, async () => {
    const got = await ids(follower, followerIndex);
    return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
  });
}

/** Follow info of `index` on `base`: "active" | "paused" | "none". */
export async function followStatus(base: string, index: string): Promise<string> {
  const r = await http(base, "GET", `/${index}/_ccr/info`);
  return (r.body.follower_indices?.[0]?.status as string | undefined) ?? "none";
}

/** A preview must change nothing: every resource `same`. */
export async function expectNoChanges(stack: Stack): Promise<void> {
  const p = await stack.preview();
  const changed = Object.entries(p.changeSummary).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
  if (changed.length > 0)
    throw new Error(`expected no changes in ${stack.name}, preview shows ${JSON.stringify(p.changeSummary)}\n${p.stdout}`);
}
