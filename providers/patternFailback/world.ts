/**
 * Reading the world of a PatternFailback (create, update and the preview): the new primary's
 * indices and streams, and the local side of each matching data stream's failback (plan.ts, `planStreamFailback`): the local
 * stream, every local index named like a backing index of either side (the FollowerIndex world,
 * with its quarantine index), and for each non-follower local backing index the documents the new
 * primary lacks, from the lineage check against the new primary's backing index of the same name.
 * Read on every run, never remembered: that is what makes a re-run after a crash converge.
 */
import type { Es } from "../../es/connection";
import { catIndexNames, indicesGet } from "../../es/indices";
import { type DataStreamDescription, indicesGetDataStreams } from "../../es/dataStreams";
import { info } from "../../es/cluster";
import { verifyLineage } from "../followerIndex/lineage";
import { readFollowerWorld, readLeaderView } from "../followerIndex/world";
import { divergenceOf, type FailbackTarget, type LeaderListing, type LocalStream, planPatternFailback, quarantineIndexOf } from "./plan";

/** The new primary's listing and, for each matching data stream, this site's side of it (world.ts). */
export async function readFailbackWorld(
  here: Es,
  leader: Es,
  t: FailbackTarget,
  quarantineName: string | undefined,
): Promise<{ listing: LeaderListing; locals: Record<string, LocalStream> }> {
  const [indices, streams] = [await catIndexNames(leader, "*"), await indicesGetDataStreams(leader, "*")];
  const listing: LeaderListing = { indices, streams: streams.map((s) => ({ name: s.name, indices: s.indices })) };
  const matching = planPatternFailback(listing, t).streams;
  const locals: Record<string, LocalStream> = {};
  if (matching.length === 0) return { listing, locals };
  const localStreams = new Map((await indicesGetDataStreams(here, "*")).map((s) => [s.name, s]));
  const ctx = { here, leader, clusterUuid: (await info(here)).clusterUuid, quarantineName };
  for (const name of matching) {
    const s = listing.streams.find((x) => x.name === name)!;
    locals[name] = await readLocalStream(ctx, s, localStreams.get(name));
  }
  return { listing, locals };
}

export interface StreamReadContext {
  /** This site's cluster and its UUID (the lineage proof names it). */
  here: Es;
  clusterUuid: string;
  /** The new primary. */
  leader: Es;
  /** This failback's quarantine name; `undefined` in a preview (generated at `up`): quarantine indices are not read. */
  quarantineName: string | undefined;
}

/** The local side of the new primary's stream `leader` (`local`: this site's stream of that name, if any). */
export async function readLocalStream(
  ctx: StreamReadContext,
  leader: { name: string; indices: string[] },
  local: DataStreamDescription | undefined,
): Promise<LocalStream> {
  const out: LocalStream = { name: leader.name, indices: {}, divergence: {} };
  if (local) out.stream = { replicated: local.replicated, indices: local.indices };
  const names = [...new Set([...(local?.indices ?? []), ...leader.indices])];
  for (const name of names) {
    const q = ctx.quarantineName === undefined ? undefined : quarantineIndexOf(ctx.quarantineName, name);
    out.indices[name] = await readFollowerWorld(ctx.here, name, q);
  }
  if (!local || local.replicated) return out;
  for (const name of local.indices) {
    const i = out.indices[name]?.index;
    if (!i || i.follow) continue;
    const created = Number(i.settings["index.creation_date"]);
    const here = { numberOfShards: i.numberOfShards, creationDate: Number.isFinite(created) ? created : undefined };
    if (!leader.indices.includes(name) || !(await indicesGet(ctx.leader, name))) {
      out.divergence[name] = divergenceOf(ctx.leader.cluster, here, undefined);
      continue;
    }
    const view = await readLeaderView(ctx.leader, name);
    const verdict = verifyLineage({
      record: view.index?.promotion,
      leaderIndex: name,
      leaderCluster: ctx.leader.cluster,
      localCluster: ctx.here.cluster,
      index: name,
      indexUuid: i.uuid,
      numberOfShards: i.numberOfShards,
      clusterUuid: ctx.clusterUuid,
    });
    out.divergence[name] = divergenceOf(ctx.leader.cluster, here, verdict);
  }
  return out;
}
