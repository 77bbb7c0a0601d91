/**
 * `ccr-dr status`: what each cluster looks like right now, read directly from the clusters (not
 * from stack outputs): reachability, role, per-index follower health (stack/health/classify.ts: from
 * `_remote/info`, `_ccr/stats` and the leader's own checkpoints), the failback window, write
 * blocks with the command that lifts each, the promotion record (RPO and lineage) and quarantined
 * documents. One overall state and exit code (docs/cli.md, "Exit codes").
 */
import { ccrFollowInfo } from "../es/ccr";
import { info } from "../es/cluster";
import { close, connect, type Es } from "../es/connection";
import { count } from "../es/documents";
import * as os from "node:os";
import { catIndexNames, indicesGet, indicesGetMeta } from "../es/indices";
import { decodePromotion, decodeQuarantine, decodeSwitchover, type PromotionRecord } from "../es/records";
import type { ClusterConfig, ClusterName, SiteConfig } from "../stack/config";
import { CLUSTER_NAMES, plainConnection } from "../stack/config";
import { classifyFollower, fenceOf } from "../stack/health/classify";
import { reportHealth, statusExitCode } from "./health/exit";
import {
  DEFAULT_LAG_BUDGET,
  type Fence,
  type FollowerHealth,
  type HealthState,
  type LagBudget,
  type SwitchoverNotice,
} from "../stack/health/model";
import { processRuns } from "./processes";

export type { SwitchoverNotice };
import { observeFollower, readRemotes } from "../stack/health/observe";
import { pooled } from "../es/pooled";

/** Bound on each status request: an unreachable cluster must not stall the report. */
export const STATUS_TIMEOUT_MS = 3_000;

export interface IndexState {
  index: string;
  /** `follower` (active or paused), `leader` (a regular index), `absent`, or `unknown` (its cluster could not be read). */
  role: "follower" | "leader" | "absent" | "unknown";
  followStatus?: "active" | "paused";
  leader?: string;
  /** Operations on the leader not yet applied here, read from the leader; absent when unknown (see `health.lag`). */
  lagOperations?: number;
  fatalError?: string;
  writeBlocked?: boolean;
  documents?: number;
  promotion?: PromotionRecord;
  /** For an index its site configures as a follower (or that is one): the verdict and why. */
  health?: FollowerHealth;
  /** When write-blocked: who set the block and the command that lifts it. */
  fence?: Fence;
}

export interface ClusterState {
  cluster: ClusterName;
  endpoint: string;
  reachable: boolean;
  error?: string;
  /**
   * Role in the configuration of the cluster's own site; `unknown` when that site's stack could not
   * be opened (the cluster is then read through the other site's connection to it).
   */
  configuredRole: "primary" | "follower" | "unknown";
  indices: IndexState[];
  /** `documents` is absent when the count could not be read (never shown as 0). */
  quarantine: Array<{ index: string; documents?: number; sourceIndex?: string }>;
}

export interface StatusReport {
  /** The primary both site stacks name; absent when they disagree (see `primaryBySite`). */
  primary?: ClusterName;
  /** `ccr-dr:primary` as each site's stack has it (they differ between a failover and its failback); absent for an unreadable stack. */
  primaryBySite: Partial<Record<ClusterName, ClusterName>>;
  /** Site stacks that could not be opened, with Pulumi's reason (absent when both were read). */
  unreadableStacks?: UnreadableStack[];
  clusters: ClusterState[];
  /** Worst of every follower's state; `unknown` when a cluster is unreachable, `broken` with a fence. */
  health: HealthState;
  /** The exit code `ccr-dr status` ends with for `health` (docs/cli.md). */
  exitCode: number;
  /** The lag budget the states were judged by. */
  budget: LagBudget;
  /** Every write-blocked index, with the command that lifts it. */
  fences: Fence[];
  /** Switchovers whose record is still on their fenced indices (see {@link switchoverNotices}). */
  switchovers: SwitchoverNotice[];
  /** When the clusters were read (ISO). */
  readAt: string;
}

export interface StatusOptions {
  budget?: Partial<LagBudget>;
  /** Stack name per site, for the commands in the report (default dr-a / dr-b). */
  stacks?: Record<ClusterName, string>;
  /** Sites whose stack could not be opened: their configuration is missing from `configs`. */
  unreadableStacks?: UnreadableStack[];
}

/** A site stack `status` could not open, and why. */
export interface UnreadableStack {
  site: ClusterName;
  stack: string;
  error: string;
}

/**
 * Each cluster's configuration: its own site's, or — when that site's stack could not be opened —
 * the other site's (which holds the connection to both clusters), with the role marked unknown.
 */
function configFor(configs: Partial<Record<ClusterName, SiteConfig>>, name: ClusterName): { cfg: SiteConfig; roleUnknown: boolean } {
  const own = configs[name];
  if (own) return { cfg: own, roleUnknown: false };
  const peer = configs[other(name)];
  if (!peer) throw new Error(`status needs the configuration of at least one site stack`);
  return { cfg: peer, roleUnknown: true };
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
    const documents = await countDocs(es, index);
    out.push({ index, ...(documents === undefined ? {} : { documents }), ...(record ? { sourceIndex: record.sourceIndex } : {}) });
  }
  return out;
}

const other = (c: ClusterName): ClusterName => (c === "clusterA" ? "clusterB" : "clusterA");
const DEFAULT_STACKS: Record<ClusterName, string> = { clusterA: "dr-a", clusterB: "dr-b" };

/** An error without its "Likely fix" advice, for repeating in per-index lines (the cluster line has it all). */
export function shortReason(message: string): string {
  return message.split(/\. Likely fix/)[0]!;
}

/** A connection to `c` once it answered `GET /`, or why it did not. */
export async function probe(c: ClusterConfig): Promise<Es | { unreachable: string }> {
  const es = reportingConnection(c);
  try {
    await info(es);
    return es;
  } catch (e) {
    await close(es).catch(() => undefined);
    return { unreachable: (e as Error).message };
  }
}

/**
 * Reads one cluster; an unreachable cluster is a value (`reachable: false`), not an error. Each
 * index the site configures as a follower (or that is one) is classified, reading its leader
 * through `cfg`'s connection to the peer.
 */
export async function clusterState(
  cfg: SiteConfig,
  name: ClusterName,
  options: { budget?: LagBudget; stack?: string; leader?: Es | { unreachable: string }; roleUnknown?: boolean } = {},
): Promise<ClusterState> {
  const c = cfg.clusters[name];
  const base: ClusterState = {
    cluster: name,
    endpoint: c.endpoints[0] ?? "",
    reachable: false,
    configuredRole: options.roleUnknown ? "unknown" : cfg.primary === name ? "primary" : "follower",
    indices: [],
    quarantine: [],
  };
  const budget = options.budget ?? DEFAULT_LAG_BUDGET;
  const stack = options.stack ?? DEFAULT_STACKS[name];
  const es = await probe(c);
  if (!("client" in es)) {
    // The configured followers are listed with role "unknown", so that their verdict (unknown) is reported too.
    const why = `${name} could not be read: ${shortReason(es.unreachable)}`;
    const indices: IndexState[] =
      base.configuredRole === "follower"
        ? cfg.indices.map((pair) => ({
            index: pair[name],
            role: "unknown" as const,
            health: { state: "unknown" as const, reasons: [why], lag: { unknownReason: why }, failbackWindow: { unknownReason: why } },
          }))
        : [];
    return { ...base, error: es.unreachable, indices };
  }
  const peer = other(name);
  const probed = options.leader ?? (await probe(cfg.clusters[peer]));
  const leader = "client" in probed ? probed : { unreachable: shortReason(probed.unreachable) };
  try {
    const remotes = await readRemotes(es);
    const indices = await pooled(cfg.indices, async (pair) => {
      const state = await indexState(es, pair[name]);
      if (state.role === "follower" || base.configuredRole === "follower") {
        const leaderCluster = base.configuredRole === "follower" ? cfg.primary : peer;
        const o = await observeFollower({
          follower: es,
          leader,
          cluster: name,
          stack,
          index: pair[name],
          leaderCluster,
          leaderIndex: pair[leaderCluster],
          remotes,
        });
        state.health = classifyFollower(o, budget);
        if (state.health.lag.operations !== undefined) state.lagOperations = state.health.lag.operations;
        const fatal = o.stats?.find((s) => s.fatalError)?.fatalError;
        if (fatal) state.fatalError = fatal;
      }
      if (state.writeBlocked)
        state.fence = fenceOf({
          cluster: name,
          index: state.index,
          stack,
          siteFenced: base.configuredRole !== "unknown" && cfg.fenced,
          configuredRole: base.configuredRole,
          primary: cfg.primary,
          ...(state.promotion ? { promotion: state.promotion } : {}),
          isFollower: state.role === "follower",
        });
      return state;
    });
    return { ...base, reachable: true, indices, quarantine: await quarantineIndices(es) };
  } catch (e) {
    return { ...base, reachable: true, error: (e as Error).message };
  } finally {
    await close(es);
    if (!options.leader && "client" in probed) await close(probed);
  }
}

/**
 * Both clusters, each as its own site's stack configures it (endpoint, credentials, indices, role):
 * a site's stack is the authority on its cluster, and the two stacks legitimately disagree on the
 * primary between a failover and its failback.
 */
export async function status(configs: Partial<Record<ClusterName, SiteConfig>>, options: StatusOptions = {}): Promise<StatusReport> {
  const budget: LagBudget = { ...DEFAULT_LAG_BUDGET, ...options.budget };
  const stacks = options.stacks ?? DEFAULT_STACKS;
  const unreadableStacks = options.unreadableStacks ?? [];
  const primaryBySite: Partial<Record<ClusterName, ClusterName>> = {};
  for (const n of CLUSTER_NAMES) if (configs[n]) primaryBySite[n] = configs[n]!.primary;
  const read = Object.fromEntries(CLUSTER_NAMES.map((n) => [n, configFor(configs, n)])) as Record<
    ClusterName,
    ReturnType<typeof configFor>
  >;
  const [clusters, switchovers] = await Promise.all([
    Promise.all(CLUSTER_NAMES.map((n) => clusterState(read[n].cfg, n, { budget, stack: stacks[n], roleUnknown: read[n].roleUnknown }))),
    switchoverNotices({ clusterA: read.clusterA.cfg, clusterB: read.clusterB.cfg }),
  ]);
  const bothKnown = primaryBySite.clusterA !== undefined && primaryBySite.clusterB !== undefined;
  const fences = clusters.flatMap((c) => c.indices.flatMap((i) => (i.fence ? [i.fence] : [])));
  const health = reportHealth({
    followers: clusters.flatMap((c) => c.indices.flatMap((i) => (i.health ? [i.health.state] : []))),
    unreachableClusters: clusters.filter((c) => !c.reachable || c.error !== undefined).length,
    fences,
    switchovers,
    stacksDisagree: bothKnown && primaryBySite.clusterA !== primaryBySite.clusterB,
    unreadableStacks: unreadableStacks.length,
  });
  return {
    ...(bothKnown && primaryBySite.clusterA === primaryBySite.clusterB ? { primary: primaryBySite.clusterA } : {}),
    primaryBySite,
    ...(unreadableStacks.length > 0 ? { unreadableStacks } : {}),
    clusters,
    health,
    exitCode: statusExitCode(health),
    budget,
    fences,
    switchovers,
    readAt: new Date().toISOString(),
  };
}

/** The command that finishes (or safely aborts) a switchover to `to`. */
export function switchoverCommand(to: string): string {
  return `ccr-dr switchover --to ${to} --yes`;
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
