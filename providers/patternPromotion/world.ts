/**
 * Reading what a failover of pattern-driven data has to promote, from the site's cluster only
 * (the old primary may be down): this site's auto-follow patterns, every follower of the old
 * primary that is not a declared pair (open or closed, data-stream backing indices included), every
 * replicated data stream, and the list a promotion interrupted by a crash left behind
 * ({@link PROMOTION_PLAN_INDEX}).
 */
import { ccrFollowInfoOf, ccrGetAutoFollowPatterns, type FollowInfo } from "../../es/ccr";
import type { Es } from "../../es/connection";
import { indicesGetDataStreams } from "../../es/dataStreams";
import { chunkIndexLists, indicesGet } from "../../es/indices";
import { pooled } from "../../es/pooled";
import { type FollowerWorld, readFollowerWorld } from "../followerIndex/world";
import { PROMOTION_PLAN_INDEX, type PatternPromotionTarget } from "./types";

/** A data stream of this cluster as a promotion needs it. */
export interface StreamView {
  name: string;
  /** A CCR follower stream: ES refuses its rollover until it is promoted. */
  replicated: boolean;
  /** Backing indices, oldest first. */
  indices: string[];
  /** The index template the stream matches on this cluster (ES rolls a stream over only with one). */
  template: string | undefined;
  /** The write index is (still) a follower of the old primary: writes fail until a rollover gives the stream a local one. */
  writeIndexFollows: boolean;
}

/** An index to promote (or to finish promoting) and its FollowerIndex world. */
export interface CandidateIndex {
  index: string;
  leaderIndex: string;
  /** The data stream it backs, if any. */
  stream?: string;
  world: FollowerWorld;
}

/** The list written by an earlier, interrupted run. */
export interface PromotionPlanRecord {
  remoteCluster: string;
  indices: Array<{ index: string; leaderIndex: string }>;
}

export interface PatternWorld {
  /** The target's patterns that exist on the cluster. */
  patterns: Array<{ name: string; active: boolean }>;
  /** Replicated streams, and streams whose write index still follows the old primary. */
  streams: StreamView[];
  /** Followers of the old primary (not declared pairs) and the indices of an interrupted run's list. */
  indices: CandidateIndex[];
  /** The interrupted run's list, when there is one. */
  plan?: PromotionPlanRecord;
}

/** (pure) The list of an interrupted run from {@link PROMOTION_PLAN_INDEX}'s mapping `_meta`. */
export function decodePromotionPlan(meta: Record<string, unknown> | undefined): PromotionPlanRecord | undefined {
  const r = (meta?.["ccr_dr"] as Record<string, unknown> | undefined)?.["pattern_promotion"] as Record<string, unknown> | undefined;
  if (!r || !Array.isArray(r["indices"])) return undefined;
  return {
    remoteCluster: String(r["remote_cluster"]),
    indices: (r["indices"] as Array<Record<string, unknown>>).map((i) => ({
      index: String(i["index"]),
      leaderIndex: String(i["leader_index"]),
    })),
  };
}

/** (pure) The mapping `_meta` of {@link PROMOTION_PLAN_INDEX}. */
export function encodePromotionPlan(p: PromotionPlanRecord, at: string): Record<string, unknown> {
  return {
    ccr_dr: {
      pattern_promotion: {
        version: 1,
        remote_cluster: p.remoteCluster,
        written_at: at,
        indices: p.indices.map((i) => ({ index: i.index, leader_index: i.leaderIndex })),
      },
    },
  };
}

/** Reads everything {@link planPatternPromotion} (plan.ts) needs. */
export async function readPatternWorld(es: Es, t: PatternPromotionTarget): Promise<PatternWorld> {
  const patterns = (await ccrGetAutoFollowPatterns(es)).filter((p) => t.patterns.includes(p.name));
  const streams = await indicesGetDataStreams(es, "*");
  // `_all` does not reach hidden indices, which backing indices are: they are asked by name.
  const follows = new Map<string, FollowInfo>();
  for (const f of await ccrFollowInfoOf(es, "_all")) follows.set(f.followerIndex, f);
  for (const chunk of chunkIndexLists(streams.flatMap((s) => s.indices))) {
    for (const f of await ccrFollowInfoOf(es, chunk.join(","))) follows.set(f.followerIndex, f);
  }
  const ofPeer = (index: string) => follows.get(index)?.remoteCluster === t.remoteCluster;
  const planIndex = await indicesGet(es, PROMOTION_PLAN_INDEX);
  const plan = planIndex ? decodePromotionPlan(planIndex.meta) : undefined;

  const declared = new Set(t.declaredIndices);
  const candidates = new Map<string, string>();
  for (const f of follows.values())
    if (f.remoteCluster === t.remoteCluster && !declared.has(f.followerIndex)) candidates.set(f.followerIndex, f.leaderIndex);
  for (const i of plan?.indices ?? []) if (!declared.has(i.index) && !candidates.has(i.index)) candidates.set(i.index, i.leaderIndex);
  const streamOf = new Map(streams.flatMap((s) => s.indices.map((i) => [i, s.name] as const)));
  const names = [...candidates.keys()].sort();
  const worlds = await pooled(names, (index) => readFollowerWorld(es, index));
  return {
    patterns: patterns.map((p) => ({ name: p.name, active: p.active })),
    streams: streams
      .map((s) => ({
        name: s.name,
        replicated: s.replicated,
        indices: s.indices,
        template: s.template,
        writeIndexFollows: s.indices.length > 0 && ofPeer(s.indices[s.indices.length - 1]!),
      }))
      .filter((s) => s.replicated || s.writeIndexFollows),
    indices: names.map((index, n) => {
      const stream = streamOf.get(index);
      return { index, leaderIndex: candidates.get(index)!, ...(stream ? { stream } : {}), world: worlds[n]! };
    }),
    ...(plan ? { plan } : {}),
  };
}
