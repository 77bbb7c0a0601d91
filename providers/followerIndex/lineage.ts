/**
 * Failback lineage: the pure check, against the promotion record on the new leader
 * (es/records.ts), that the stale local index is the one that leader was promoted from.
 */
import type { PromotionRecord } from "../../es/records";

/** Outcome of the lineage check. */
export type LineageVerdict =
  | {
      ok: true;
      /** Per shard of the stale index: documents with `_seq_no` above this are divergent. */
      thresholds: number[];
      record: PromotionRecord;
    }
  | { ok: false; reason: string };

/**
 * Failback lineage: the new leader must carry a promotion record saying it was promoted from
 * *this* index on *this* cluster. Identity is proven by the old leader index UUID recorded when
 * the follower was created (or, failing that, the old leader cluster UUID); a name match alone
 * is not enough, because deleting the wrong index loses data.
 */
export function verifyLineage(a: {
  /** Record on the new leader (already filtered to the leader's own UUID). */
  record: PromotionRecord | undefined;
  /** Names for messages. */
  leaderIndex: string;
  leaderCluster: string;
  localCluster: string;
  /** The stale local index (our follower's name). */
  index: string;
  indexUuid: string;
  numberOfShards: number;
  /** UUID of the local cluster. */
  clusterUuid: string;
}): LineageVerdict {
  const r = a.record;
  const subject = `leader index "${a.leaderIndex}" on cluster "${a.leaderCluster}"`;
  if (!r) {
    return {
      ok: false,
      reason:
        `${subject} carries no ccr-dr promotion record, so nothing proves it was promoted from index "${a.index}" on cluster ` +
        `"${a.localCluster}", and nothing tells which local writes it lacks`,
    };
  }
  if (r.promotedFrom.leaderIndex !== a.index) {
    return {
      ok: false,
      reason: `${subject} was promoted from index "${r.promotedFrom.leaderIndex}" (alias "${r.promotedFrom.remoteCluster}"), not from "${a.index}"`,
    };
  }
  if (r.promotedFrom.leaderIndexUuid) {
    if (r.promotedFrom.leaderIndexUuid !== a.indexUuid) {
      return {
        ok: false,
        reason:
          `${subject} was promoted from an index "${a.index}" with UUID ${r.promotedFrom.leaderIndexUuid}, but the local ` +
          `"${a.index}" on cluster "${a.localCluster}" has UUID ${a.indexUuid}: it is a different index`,
      };
    }
  } else if (r.promotedFrom.leaderClusterUuid) {
    if (r.promotedFrom.leaderClusterUuid !== a.clusterUuid) {
      return {
        ok: false,
        reason:
          `${subject} was promoted from cluster UUID ${r.promotedFrom.leaderClusterUuid}` +
          `${r.promotedFrom.leaderClusterName ? ` ("${r.promotedFrom.leaderClusterName}")` : ""}, but cluster "${a.localCluster}" ` +
          `has UUID ${a.clusterUuid}`,
      };
    }
  } else {
    return {
      ok: false,
      reason:
        `the promotion record on ${subject} names no leader index or cluster UUID (its follower was created without ` +
        "leaderConnection), so the local index cannot be proven to be the one it was promoted from",
    };
  }
  if (!r.checkpointsKnown) {
    return { ok: true, thresholds: Array.from({ length: a.numberOfShards }, () => -1), record: r };
  }
  if (r.shards.length !== a.numberOfShards) {
    return {
      ok: false,
      reason: `the promotion record on ${subject} has ${r.shards.length} shard(s) but the local "${a.index}" has ${a.numberOfShards}`,
    };
  }
  return { ok: true, thresholds: r.shards.map((s) => s.globalCheckpoint), record: r };
}
