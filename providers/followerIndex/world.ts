/**
 * Reading the world before planning. Every plan starts from what the clusters say now, never
 * from what the state file remembers: that is what makes a re-run after a crash converge.
 */
import { ccrFollowInfo, ccrFollowStats, ccrFollowStatsList, type FollowInfo, type FollowStats } from "../../es/ccr";
import { type ClusterInfo, info } from "../../es/cluster";
import type { Es } from "../../es/connection";
import { catIndices, catIndicesOpen, indicesGet, indicesGetList, indicesStats, indicesStatsMany, type ShardSeqNo } from "../../es/indices";
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

/**
 * {@link readFollowerWorld} of a list of indices (one {@link chunkIndexLists} list) whose follow
 * info is already known (`follows`: the followers among them), with one request per kind of read
 * for the whole list instead of one per index: the failover preview reads every pair before the
 * program ends, which is before Pulumi starts promoting. Rejects when any read fails (the caller
 * then reads the indices one by one, each with its own error).
 */
export async function readFollowerWorldList(
  es: Es,
  indices: readonly string[],
  follows: ReadonlyMap<string, FollowInfo>,
): Promise<Map<string, FollowerWorld>> {
  const described = await indicesGetList(es, indices);
  const present = indices.filter((index) => described[index] !== undefined);
  const open = present.length > 0 ? await catIndicesOpen(es, present) : {};
  const active = present.filter((index) => follows.get(index)?.status === "active");
  const stats = active.length > 0 ? await ccrFollowStatsList(es, active) : new Map<string, FollowStats>();
  const openNames = present.filter((index) => open[index] ?? true);
  const seqNos = openNames.length > 0 ? await indicesStatsMany(es, openNames) : {};
  const worlds = new Map<string, FollowerWorld>();
  for (const index of indices) {
    const desc = described[index];
    if (!desc) {
      worlds.set(index, {});
      continue;
    }
    const local: LocalIndex = {
      uuid: desc.uuid,
      open: open[index] ?? true,
      writeBlocked: desc.writeBlocked,
      numberOfShards: desc.numberOfShards,
      settings: desc.settings,
    };
    const follow = follows.get(index);
    if (follow) {
      local.follow = follow;
      const followStats = stats.get(index);
      if (followStats) {
        local.followStats = followStats;
        if (followStats.fatalError) local.fatalError = followStats.fatalError;
      }
    }
    const s = seqNos[index];
    if (local.open && s) local.seqNos = s;
    const own = decodePromotion(desc.meta, desc.uuid);
    if (own) local.ownPromotion = own;
    worlds.set(index, { index: local });
  }
  return worlds;
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
