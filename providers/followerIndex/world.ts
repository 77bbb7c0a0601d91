/**
 * Reading the world before planning. Every plan starts from what the clusters say now, never
 * from what the state file remembers: that is what makes a re-run after a crash converge.
 */
import { ccrFollowInfo, ccrFollowStats, type FollowInfo, type FollowStats } from "../../es/ccr";
import { type ClusterInfo, info } from "../../es/cluster";
import type { Es } from "../../es/connection";
import { catIndices, indicesGet, indicesStats, type ShardSeqNo } from "../../es/indices";
import { decodePromotion, decodeQuarantine, type PromotionRecord, type QuarantineRecord } from "../../es/records";

/** The follower-side index as it is now. */
export interface LocalIndex {
  uuid: string;
  open: boolean;
  writeBlocked: boolean;
  numberOfShards: number;
  /** Flat index settings. */
  settings: Record<string, unknown>;
  /** The follow relationship, if the index is (still) a follower. */
  follow?: FollowInfo;
  /** Follower stats, when it has tasks. */
  followStats?: FollowStats;
  /** Fatal error of the follower task, if any. */
  fatalError?: string;
  /** Primaries' sequence numbers (open indices only). */
  seqNos?: ShardSeqNo[];
  /** The promotion record about *this* index, if ccr-dr promoted it. */
  ownPromotion?: PromotionRecord;
}

/** The quarantine index as it is now. */
export interface QuarantineState {
  exists: boolean;
  record?: QuarantineRecord;
}

/** Everything a FollowerIndex plan needs to know about the follower cluster. */
export interface FollowerWorld {
  index?: LocalIndex;
  quarantine?: QuarantineState;
}

/** What {@link readFollowerWorld} reads besides the index itself. */
export interface WorldReadOptions {
  /**
   * Follower stats and the primaries' sequence numbers (default true). `planDelete` uses neither
   * (a promotion reads the stats itself right before its pause, and the checkpoints after its
   * open), so the delete of a FollowerIndex skips both reads: two requests per promoted index.
   */
  stats?: boolean;
}

/** Reads `index` (and the quarantine index, when named) on the follower cluster. */
export async function readFollowerWorld(
  es: Es,
  index: string,
  quarantineIndex?: string,
  options: WorldReadOptions = {},
): Promise<FollowerWorld> {
  const stats = options.stats ?? true;
  const world: FollowerWorld = {};
  if (quarantineIndex) {
    const q = await indicesGet(es, quarantineIndex);
    const record = q ? decodeQuarantine(q.meta) : undefined;
    world.quarantine = record ? { exists: q !== undefined, record } : { exists: q !== undefined };
  }
  const desc = await indicesGet(es, index);
  if (!desc) return world;
  const cat = await catIndices(es, index);
  const open = cat?.open ?? true;
  const local: LocalIndex = {
    uuid: desc.uuid,
    open,
    writeBlocked: desc.writeBlocked,
    numberOfShards: desc.numberOfShards,
    settings: desc.settings,
  };
  const follow = await ccrFollowInfo(es, index);
  if (follow) {
    local.follow = follow;
    if (stats && follow.status === "active") {
      const followStats = await ccrFollowStats(es, index);
      if (followStats) {
        local.followStats = followStats;
        if (followStats.fatalError) local.fatalError = followStats.fatalError;
      }
    }
  }
  if (stats && open) {
    const seqNos = await indicesStats(es, index);
    if (seqNos) local.seqNos = seqNos;
  }
  const own = decodePromotion(desc.meta, desc.uuid);
  if (own) local.ownPromotion = own;
  world.index = local;
  return world;
}

/** The new leader, as failback needs it. */
export interface LeaderView {
  cluster: ClusterInfo;
  index?: { uuid: string; promotion?: PromotionRecord };
}

/** Reads the leader cluster's identity and the leader index's own promotion record. */
export async function readLeaderView(leader: Es, leaderIndex: string): Promise<LeaderView> {
  const cluster = await info(leader);
  const desc = await indicesGet(leader, leaderIndex);
  if (!desc) return { cluster };
  const promotion = decodePromotion(desc.meta, desc.uuid);
  return { cluster, index: promotion ? { uuid: desc.uuid, promotion } : { uuid: desc.uuid } };
}
