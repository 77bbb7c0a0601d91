/**
 * Reading what the clusters report about one follower: from the follower's cluster its follow
 * info, follow stats and own checkpoints, its `_remote/info`; from the leader's cluster, when it
 * answers, the leader index's checkpoints, retention leases and lease period, and the age of the
 * oldest missing document. Read only; every failure becomes a value for classify.ts.
 */
import { ccrFollowInfo, ccrFollowStats, parseDuration } from "../../es/ccr";
import { remoteInfo, type RemoteInfo } from "../../es/cluster";
import type { Es } from "../../es/connection";
import { firstSeqNoAbove } from "../../es/documents";
import { indicesGet, indicesStats, indicesStatsWithLeases } from "../../es/indices";
import type { ClusterName } from "../config";
import { DEFAULT_RETENTION_LEASE_PERIOD_MS, type FollowerObservation, type LeaderObservation } from "./model";

/** The document field whose value dates a missing operation (ECS / data streams' timestamp). */
export const TIMESTAMP_FIELD = "@timestamp";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** `_remote/info` of a cluster, or why it could not be read. */
export async function readRemotes(es: Es): Promise<Record<string, RemoteInfo> | { error: string }> {
  try {
    return await remoteInfo(es);
  } catch (e) {
    return { error: message(e) };
  }
}

/** What one follower needs from the leader; `followerGcp` by shard decides which documents are missing. */
export async function observeLeader(
  leader: Es | { unreachable: string },
  leaderIndex: string,
  followerGcp: ReadonlyMap<number, number>,
  now: number,
): Promise<LeaderObservation> {
  if (!("client" in leader)) return { reachable: false, reason: leader.unreachable };
  try {
    const [shards, desc] = await Promise.all([indicesStatsWithLeases(leader, leaderIndex), indicesGet(leader, leaderIndex)]);
    const period = parseDuration(desc?.settings["index.soft_deletes.retention_lease.period"]);
    const out: LeaderObservation = { reachable: true, shards, leasePeriodMs: period ?? DEFAULT_RETENTION_LEASE_PERIOD_MS };
    if (!shards) return out;
    let oldest: number | undefined;
    for (const s of shards) {
      const gcp = followerGcp.get(s.shard);
      if (gcp === undefined || s.maxSeqNo <= gcp) continue;
      const first = await firstSeqNoAbove(leader, leaderIndex, {
        above: gcp,
        shard: shards.length > 1 ? s.shard : undefined,
        field: TIMESTAMP_FIELD,
      });
      const at = typeof first?.value === "string" || typeof first?.value === "number" ? new Date(first.value).getTime() : NaN;
      if (Number.isFinite(at)) oldest = Math.max(oldest ?? 0, now - at);
    }
    if (oldest !== undefined) out.oldestMissingAgeMs = oldest;
    return out;
  } catch (e) {
    return { reachable: false, reason: message(e) };
  }
}

/** Everything about one configured follower index; never rejects. */
export async function observeFollower(a: {
  follower: Es;
  leader: Es | { unreachable: string };
  cluster: ClusterName;
  stack: string;
  index: string;
  leaderCluster: ClusterName;
  leaderIndex: string;
  remotes: Record<string, RemoteInfo> | { error: string };
  now?: number;
}): Promise<FollowerObservation> {
  const now = a.now ?? Date.now();
  const base = { cluster: a.cluster, stack: a.stack, index: a.index, leaderCluster: a.leaderCluster, leaderIndex: a.leaderIndex, now };
  try {
    const desc = await indicesGet(a.follower, a.index);
    const follow = desc ? await ccrFollowInfo(a.follower, a.index) : undefined;
    const stats = follow?.status === "active" ? await ccrFollowStats(a.follower, a.index) : undefined;
    const own = desc ? await indicesStats(a.follower, a.index).catch(() => undefined) : undefined;
    const alias = follow?.remoteCluster ?? a.leaderCluster;
    const remote =
      "error" in a.remotes && typeof a.remotes.error === "string"
        ? { error: a.remotes.error }
        : (a.remotes as Record<string, RemoteInfo>)[alias];
    const gcp = new Map<number, number>();
    for (const s of stats?.shards ?? []) gcp.set(s.shard, s.followerGlobalCheckpoint);
    for (const s of own ?? []) gcp.set(s.shard, s.globalCheckpoint);
    const leader = await observeLeader(a.leader, a.leaderIndex, gcp, now);
    return {
      ...base,
      exists: desc !== undefined,
      ...(desc ? { uuid: desc.uuid } : {}),
      ...(follow ? { follow: { status: follow.status, remoteCluster: follow.remoteCluster, leaderIndex: follow.leaderIndex } } : {}),
      ...(remote ? { remote } : {}),
      ...(stats ? { stats: stats.shards } : {}),
      ...(own ? { followerShards: own } : {}),
      leader,
    };
  } catch (e) {
    return {
      ...base,
      exists: false,
      followerError: message(e),
      leader: { reachable: false, reason: "not read: the follower could not be read" },
    };
  }
}
