/**
 * `ccr-dr status`: what each cluster looks like right now, read directly from the clusters (not
 * from stack outputs): reachability, role, per-index follower status and lag, the promotion record
 * (RPO and lineage) and quarantined documents.
 */
import { ccrFollowInfo, ccrFollowStats } from "../es/ccr";
import { info } from "../es/cluster";
import { close, connect, type Es } from "../es/connection";
import { count } from "../es/documents";
import * as os from "node:os";
import { catIndexNames, indicesGet, indicesGetMeta } from "../es/indices";
import { decodePromotion, decodeQuarantine, decodeSwitchover, type PromotionRecord } from "../es/records";
import type { ClusterConfig, ClusterName, SiteConfig } from "../stack/config";
import { CLUSTER_NAMES, plainConnection } from "../stack/config";

/** Bound on each status request: an unreachable cluster must not stall the report. */
export const STATUS_TIMEOUT_MS = 3_000;

export interface IndexState {
  index: string;
  /** `follower` (active or paused), `leader` (a regular index), or `absent`. */
  role: "follower" | "leader" | "absent";
  followStatus?: "active" | "paused";
  leader?: string;
  /** Operations on the leader not yet applied here (Σ leader − follower global checkpoint). */
  lagOperations?: number;
  /** Milliseconds since this follower last read from its leader (while lagging). */
  lagMillis?: number;
  fatalError?: string;
  writeBlocked?: boolean;
  documents?: number;
  promotion?: PromotionRecord;
}

export interface ClusterState {
  cluster: ClusterName;
  endpoint: string;
  reachable: boolean;
  error?: string;
  /** Role in the configuration this report was made from. */
  configuredRole: "primary" | "follower";
  indices: IndexState[];
  quarantine: Array<{ index: string; documents: number; sourceIndex?: string }>;
}

export interface StatusReport {
  /** The primary both site stacks name; absent when they disagree (see `primaryBySite`). */
  primary?: ClusterName;
  /** `ccr-dr:primary` as each site's stack has it: they differ between a failover and its failback. */
  primaryBySite: Record<ClusterName, ClusterName>;
  clusters: ClusterState[];
  /** Switchovers whose record is still on their fenced indices (see {@link switchoverNotices}). */
  switchovers?: SwitchoverNotice[];
}

/** A short-timeout, no-retry connection for reporting. */
export function reportingConnection(c: ClusterConfig): Es {
  return connect(plainConnection(c, STATUS_TIMEOUT_MS), { maxRetries: 0 });
}

async function countDocs(es: Es, index: string): Promise<number | undefined> {
  try {
    return await count(es, index);
  } catch {
    return undefined; // closed or mid-promotion: the count is simply unknown
  }
}

async function indexState(es: Es, index: string): Promise<IndexState> {
  const desc = await indicesGet(es, index);
  if (!desc) return { index, role: "absent" };
  const state: IndexState = { index, role: "leader", writeBlocked: desc.writeBlocked };
  const docs = await countDocs(es, index);
  if (docs !== undefined) state.documents = docs;
  const follow = await ccrFollowInfo(es, index);
  if (follow) {
    state.role = "follower";
    state.followStatus = follow.status;
    state.leader = `${follow.remoteCluster}:${follow.leaderIndex}`;
    const stats = await ccrFollowStats(es, index);
    if (stats) {
      state.lagOperations = stats.globalCheckpointLag;
      if (stats.fatalError) state.fatalError = stats.fatalError;
      const sinceRead = stats.shards.map((s) => s.timeSinceLastReadMillis ?? 0);
      state.lagMillis = stats.globalCheckpointLag > 0 ? Math.max(0, ...sinceRead) : 0;
    }
  } else {
    const promotion = decodePromotion(desc.meta, desc.uuid);
    if (promotion) state.promotion = promotion;
  }
  return state;
}

async function quarantineIndices(es: Es): Promise<ClusterState["quarantine"]> {
  const out: ClusterState["quarantine"] = [];
  for (const index of await catIndexNames(es, "ccr-dr-quarantine-*")) {
    const desc = await indicesGet(es, index);
    const record = decodeQuarantine(desc?.meta);
    out.push({ index, documents: (await countDocs(es, index)) ?? 0, ...(record ? { sourceIndex: record.sourceIndex } : {}) });
  }
  return out;
}

/** Reads one cluster; an unreachable cluster is a value (`reachable: false`), not an error. */
export async function clusterState(cfg: SiteConfig, name: ClusterName): Promise<ClusterState> {
  const c = cfg.clusters[name];
  const base: ClusterState = {
    cluster: name,
    endpoint: c.endpoints[0] ?? "",
    reachable: false,
    configuredRole: cfg.primary === name ? "primary" : "follower",
    indices: [],
    quarantine: [],
  };
  const es = reportingConnection(c);
  try {
    await info(es);
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
  try {
    const indices = [];
    for (const pair of cfg.indices) indices.push(await indexState(es, pair[name]));
    return { ...base, reachable: true, indices, quarantine: await quarantineIndices(es) };
  } catch (e) {
    return { ...base, reachable: true, error: (e as Error).message };
  } finally {
    await close(es);
  }
}

/**
 * Both clusters, each as its own site's stack configures it (endpoint, credentials, indices, role):
 * a site's stack is the authority on its cluster, and the two stacks legitimately disagree on the
 * primary between a failover and its failback.
 */
export async function status(configs: Record<ClusterName, SiteConfig>): Promise<StatusReport> {
  const primaryBySite = { clusterA: configs.clusterA.primary, clusterB: configs.clusterB.primary };
  return {
    ...(primaryBySite.clusterA === primaryBySite.clusterB ? { primary: primaryBySite.clusterA } : {}),
    primaryBySite,
    clusters: await Promise.all(CLUSTER_NAMES.map((n) => clusterState(configs[n], n))),
    switchovers: await switchoverNotices(configs),
  };
}

/** A switchover record on an index (es/records.ts): a switchover running now, or one that was killed with its fence up. */
export interface SwitchoverNotice {
  cluster: ClusterName;
  index: string;
  from: string;
  to: string;
  startedAt: string;
  host: string;
  pid: number;
  /** Whether its `ccr-dr` process still runs; absent when it ran on another host (unknowable from here). */
  running?: boolean;
  /** The command that finishes it — or aborts it, lifting the fence, if the target cannot catch up. */
  command: string;
}

/** The command that finishes (or safely aborts) a switchover to `to`. */
export function switchoverCommand(to: string): string {
  return `ccr-dr switchover --to ${to} --yes`;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The switchover records on each cluster's configured indices. A switchover killed with -9 (or
 * losing its machine) leaves its record with the fence: any machine's `status` reads it from the
 * cluster, sees whether its process still runs (on the same host), and shows the command.
 * An unreachable cluster shows none (its indices cannot be read; its own line says unreachable).
 */
export async function switchoverNotices(configs: Record<ClusterName, SiteConfig>): Promise<SwitchoverNotice[]> {
  const perCluster = await Promise.all(
    CLUSTER_NAMES.map(async (name) => {
      const cfg = configs[name];
      const es = reportingConnection(cfg.clusters[name]);
      try {
        const metas = await indicesGetMeta(
          es,
          cfg.indices.map((p) => p[name]),
        );
        return Object.entries(metas).flatMap(([index, m]) => {
          const r = decodeSwitchover(m.meta, m.uuid);
          if (!r) return [];
          const notice: SwitchoverNotice = {
            cluster: name,
            index,
            from: r.from,
            to: r.to,
            startedAt: r.startedAt,
            host: r.host,
            pid: r.pid,
            command: switchoverCommand(r.to),
          };
          if (r.host === os.hostname()) notice.running = processRuns(r.pid);
          return [notice];
        });
      } catch {
        return [];
      } finally {
        await close(es);
      }
    }),
  );
  return perCluster.flat();
}
