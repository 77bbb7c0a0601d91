/**
 * What the readings mean (pure): each follower is healthy, lagging, broken or unknown, and each
 * write block has an origin and the command that lifts it. Shared by `ccr-dr status`
 * (cli/status.ts) and the program's `health` output (stack/health/output.ts). Tested by tables in
 * test/unit/stack/health/classify.test.ts.
 */
import type { PromotionRecord } from "../../es/records";
import type { ClusterName } from "../config";
import type { FailbackWindow, Fence, FollowerHealth, FollowerObservation, HealthState, Lag, LagBudget } from "./model";

/** Worst first: a broken follower outranks one whose state cannot be read, which outranks a lagging one. */
const RANK: Record<HealthState, number> = { broken: 3, unknown: 2, lagging: 1, healthy: 0 };

export function worst(states: Iterable<HealthState>): HealthState {
  let w: HealthState = "healthy";
  for (const s of states) if (RANK[s] > RANK[w]) w = s;
  return w;
}

/**
 * Exceptions that mean the follower cannot reach its leader's cluster at all: the remote's address
 * or credentials are wrong, or the leader is down (ES's transport layer raises these).
 */
const CONNECTION_ERRORS = new Set([
  "no_seed_node_left_exception",
  "connect_transport_exception",
  "node_disconnected_exception",
  "node_not_connected_exception",
  "no_such_remote_cluster_exception",
  "receive_timeout_transport_exception",
]);

const tool = "bash scripts/with-toolchain.sh pulumi";

function ms(v: number): string {
  if (v < 120_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 7_200_000) return `${Math.round(v / 60_000)} min`;
  return `${(v / 3_600_000).toFixed(1)} h`;
}

/** Lag from the leader's own numbers when it answered, else a lower bound from the follower's last view. */
export function lagOf(o: FollowerObservation): Lag {
  const followerGcp = new Map<number, number>();
  for (const s of o.stats ?? []) followerGcp.set(s.shard, s.followerGlobalCheckpoint);
  // The follower's own stats are authoritative for its checkpoint (and the only source while paused).
  for (const s of o.followerShards ?? []) followerGcp.set(s.shard, s.globalCheckpoint);
  if (!o.leader.reachable) {
    const seen = (o.stats ?? []).reduce((sum, s) => sum + Math.max(0, s.leaderMaxSeqNo - (followerGcp.get(s.shard) ?? -1)), 0);
    return {
      operationsAtLeast: seen,
      unknownReason: `leader ${o.leaderCluster} could not be read (${o.leader.reason}); the follower's stats are its last view of the leader`,
    };
  }
  const shards = o.leader.shards;
  if (!shards) return { unknownReason: `leader index ${o.leaderIndex} is absent on ${o.leaderCluster}` };
  if (followerGcp.size === 0) return { unknownReason: `the follower's checkpoints could not be read on ${o.cluster}` };
  let operations = 0;
  for (const s of shards) {
    const gcp = followerGcp.get(s.shard);
    if (gcp === undefined)
      return { unknownReason: `shard ${s.shard} of leader ${o.leaderIndex} has no counterpart in follower ${o.index}` };
    operations += Math.max(0, s.maxSeqNo - gcp);
  }
  if (operations === 0) return { operations: 0, seconds: 0 };
  if (o.leader.oldestMissingAgeMs !== undefined)
    return { operations, secondsAtLeast: Math.max(0, Math.floor(o.leader.oldestMissingAgeMs / 1000)) };
  return {
    operations,
    unknownReason: `the ${operations} missing operation(s) carry no @timestamp on the leader, so their age is unknown`,
  };
}

/** When the leader drops the history this follower needs (its CCR retention lease expiring). */
export function failbackWindowOf(o: FollowerObservation): FailbackWindow {
  if (!o.follow) return { unknownReason: `${o.index} is not a follower: it holds no lease on a leader` };
  if (!o.leader.reachable) return { unknownReason: `leader ${o.leaderCluster} could not be read (${o.leader.reason})` };
  const shards = o.leader.shards;
  if (!shards) return { unknownReason: `leader index ${o.leaderIndex} is absent on ${o.leaderCluster}` };
  // CcrRetentionLeases.retentionLeaseId: "<cluster>/<follower index>/<follower uuid>-following-<alias>/<leader index>/<leader uuid>".
  const ours = (id: string) =>
    o.uuid ? id.includes(`/${o.index}/${o.uuid}-following-`) : id.includes(`/${o.index}/`) && id.includes("-following-");
  let earliest: number | undefined;
  for (const s of shards) {
    const lease = s.retentionLeases.find((l) => ours(l.id));
    if (!lease)
      return {
        leasePeriodMs: o.leader.leasePeriodMs,
        unknownReason: `leader ${o.leaderCluster}:${o.leaderIndex} holds no retention lease for this follower (shard ${s.shard}): the history it needs is not kept, so resuming may fail and need a re-copy`,
      };
    const expires = lease.timestamp + o.leader.leasePeriodMs;
    earliest = earliest === undefined ? expires : Math.min(earliest, expires);
  }
  if (earliest === undefined) return { unknownReason: `leader index ${o.leaderIndex} reports no shards` };
  return { leaseExpiresAtMs: earliest, leaseExpiresAt: new Date(earliest).toISOString(), leasePeriodMs: o.leader.leasePeriodMs };
}

/** The verdict on one configured follower. */
export function classifyFollower(o: FollowerObservation, budget: LagBudget): FollowerHealth {
  const up = `${tool} up --refresh -s ${o.stack}`;
  const leaderRef = `${o.leaderCluster}:${o.leaderIndex}`;
  if (o.followerError !== undefined) {
    return {
      state: "unknown",
      reasons: [`${o.cluster} could not be read: ${o.followerError}`],
      lag: { unknownReason: `${o.cluster} could not be read` },
      failbackWindow: { unknownReason: `${o.cluster} could not be read` },
    };
  }
  const lag = lagOf(o);
  const failbackWindow = failbackWindowOf(o);
  const out: FollowerHealth = { state: "healthy", reasons: [], lag, failbackWindow };
  const since = (o.stats ?? []).map((s) => s.timeSinceLastReadMillis).filter((v): v is number => v !== undefined && v >= 0);
  if (since.length > 0) out.lastReadAgoMs = Math.max(...since);
  const alias = o.follow?.remoteCluster ?? o.leaderCluster;
  if (o.remote && !("error" in o.remote)) {
    const r = o.remote;
    const connections = r.mode === "proxy" ? r.numProxySocketsConnected : r.numNodesConnected;
    const address = r.mode === "proxy" ? r.proxyAddress : r.seeds?.join(",");
    out.remote = {
      alias,
      connected: r.connected && (connections === undefined || connections > 0),
      ...(r.mode ? { mode: r.mode } : {}),
      ...(connections !== undefined ? { connections } : {}),
      ...(address ? { address } : {}),
    };
  }
  const found: Array<{ state: HealthState; reason: string; fix?: string }> = [];
  // When the leader cannot be read from here either, a follower that cannot reach it is no proof of
  // a broken configuration: the leader may be down (the disaster case). Its state is then unknown.
  const connectionState: HealthState = o.leader.reachable ? "broken" : "unknown";
  const remoteFix = o.leader.reachable
    ? `check ccr-dr:clusters.${o.leaderCluster} (proxyAddress or seeds, credentials) in stack ${o.stack}, then ${tool} up -s ${o.stack}`
    : `if ${o.leaderCluster} is lost: ccr-dr plan --to ${o.cluster}, then ccr-dr failover --to ${o.cluster}; if it is up, check ccr-dr:clusters.${o.leaderCluster} in stack ${o.stack}`;

  if (!o.exists)
    found.push({
      state: "broken",
      reason: `${o.index} does not exist on ${o.cluster}: nothing replicates`,
      fix: `${tool} up -s ${o.stack}`,
    });
  else if (!o.follow)
    found.push({
      state: "broken",
      reason: `${o.index} on ${o.cluster} is a regular index, not a follower of ${leaderRef} as its stack ${o.stack} configures`,
      fix: `ccr-dr failback --to ${o.leaderCluster}`,
    });
  else {
    if (o.follow.remoteCluster !== o.leaderCluster || o.follow.leaderIndex !== o.leaderIndex)
      found.push({
        state: "broken",
        reason: `${o.index} follows ${o.follow.remoteCluster}:${o.follow.leaderIndex}, but stack ${o.stack} configures ${leaderRef}`,
      });
    const fatal = (o.stats ?? []).find((s) => s.fatalError);
    if (fatal)
      found.push({ state: "broken", reason: `replication stopped (shard ${fatal.shard} fatal_exception): ${fatal.fatalError}`, fix: up });
    const failing = (o.stats ?? []).flatMap((s) => s.readExceptions.map((e) => ({ shard: s.shard, ...e })));
    if (failing.length > 0) {
      const first = failing[0]!;
      const connection = failing.some((e) => CONNECTION_ERRORS.has(e.type));
      found.push({
        state: connection ? connectionState : "broken",
        reason:
          `reads from ${leaderRef} are failing (shard ${first.shard}, from seq_no ${first.fromSeqNo}, ${first.retries} retries): ${first.error}` +
          (out.lastReadAgoMs !== undefined ? `; last successful read ${ms(out.lastReadAgoMs)} ago` : ""),
        fix: connection ? remoteFix : up,
      });
    }
    if (out.remote && !out.remote.connected)
      found.push({
        state: connectionState,
        reason: `remote cluster ${alias} is not connected on ${o.cluster} (_remote/info: ${out.remote.mode ?? "?"} ${out.remote.address ?? ""}, ${out.remote.connections ?? 0} connection(s))`,
        fix: remoteFix,
      });
    else if (o.remote === undefined)
      found.push({ state: "broken", reason: `remote cluster ${alias} is not registered on ${o.cluster}`, fix: `${tool} up -s ${o.stack}` });
    if (o.follow.status === "paused")
      found.push({ state: "lagging", reason: `following is paused on ${o.cluster}: nothing replicates`, fix: up });
    else if (!o.stats) found.push({ state: "unknown", reason: `${o.cluster} reports no follow tasks for active follower ${o.index}` });
  }
  if (!o.leader.reachable)
    found.push({
      state: "unknown",
      reason: `leader ${o.leaderCluster} could not be read from here (${o.leader.reason}): the lag is unknown`,
      fix: remoteFix,
    });
  else if (!o.leader.shards) found.push({ state: "broken", reason: `leader index ${leaderRef} does not exist` });
  if (lag.operations !== undefined && lag.operations > budget.maxLagOperations)
    found.push({ state: "lagging", reason: `${lag.operations} operations behind ${leaderRef} (budget ${budget.maxLagOperations})` });
  if (lag.secondsAtLeast !== undefined && lag.secondsAtLeast > budget.maxLagSeconds)
    found.push({ state: "lagging", reason: `at least ${lag.secondsAtLeast} s behind ${leaderRef} (budget ${budget.maxLagSeconds} s)` });

  out.state = worst(found.map((f) => f.state));
  out.reasons = found.map((f) => f.reason);
  const fix = found.find((f) => f.state === out.state && f.fix)?.fix ?? found.find((f) => f.fix)?.fix;
  if (fix) out.fix = fix;
  return out;
}

/** What is known about an index that carries `index.blocks.write`. */
export interface BlockedIndex {
  cluster: ClusterName;
  index: string;
  /** The stack of the index's site. */
  stack: string;
  /** The site's stack has `ccr-dr:fenced: true` (the first step of a switchover). */
  siteFenced: boolean;
  /** The site's configured role; `unknown` when the site's stack could not be read. */
  configuredRole: "primary" | "follower" | "unknown";
  /** The primary the site's stack names. */
  primary: ClusterName;
  /** The promotion record about this index, if any. */
  promotion?: PromotionRecord;
  isFollower: boolean;
}

/** Who set a write block, and the one command that lifts it (see providers/writeFence, providers/followerIndex/plan.ts). */
export function fenceOf(b: BlockedIndex): Fence {
  const base = { cluster: b.cluster, index: b.index };
  if (b.siteFenced && b.configuredRole === "primary")
    return {
      ...base,
      origin: "switchover",
      detail: `stack ${b.stack} has ccr-dr:fenced true: a switchover fenced the primary and has not finished`,
      command: `${tool} config set ccr-dr:fenced false -s ${b.stack} && ${tool} up -s ${b.stack}`,
    };
  if (b.promotion?.writeBlockAdded && !b.isFollower)
    return {
      ...base,
      origin: "promotion",
      detail: `the promotion of ${b.index} (${b.promotion.promotedAt}) stopped before removing the block it set`,
      command: `ccr-dr failover --to ${b.cluster}`,
    };
  if (b.configuredRole === "unknown")
    return {
      ...base,
      origin: "unknown",
      detail: `stack ${b.stack} could not be read, so whether a switchover or a failback of this site set the block is unknown`,
      command: `ccr-dr status where stack ${b.stack} can be read (its secrets provider reachable), then the command it gives`,
    };
  if (b.configuredRole === "follower" && !b.isFollower)
    return {
      ...base,
      origin: "failback",
      detail: `the failback fences the stale ${b.index} before quarantining and replacing it, and has not finished`,
      command: `ccr-dr failback --to ${b.primary}`,
    };
  return {
    ...base,
    origin: "outside",
    detail: "the write block was not set by ccr-dr",
    command: `PUT /${b.index}/_settings {"index.blocks.write": null} on ${b.cluster}, once you know why it was set`,
  };
}
