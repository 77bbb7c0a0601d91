/**
 * Reading the local side of a data stream's failback (plan.ts, `planStreamFailback`): the local
 * stream, every local index named like a backing index of either side (the FollowerIndex world,
 * with its quarantine index), and for each non-follower local backing index the documents the new
 * primary lacks, from the lineage check against the new primary's backing index of the same name.
 * Read on every run, never remembered: that is what makes a re-run after a crash converge.
 */
import type { Es } from "../../es/connection";
import { indicesGet } from "../../es/indices";
import type { DataStreamDescription } from "../../es/dataStreams";
import { verifyLineage } from "../followerIndex/lineage";
import { readFollowerWorld, readLeaderView } from "../followerIndex/world";
import { divergenceOf, type LocalStream, quarantineIndexOf } from "./plan";

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
