/**
 * What a failback will do to pattern-driven data, in words, for `pulumi preview` (stack/transition.ts
 * logs these lines): the same planner create runs (plan.ts) over the new primary's indices as read
 * now, and per index the FollowerIndex failback line (providers/followerIndex/preview.ts); read-only.
 */
import type { Es } from "../../es/connection";
import { indicesGetDataStreams } from "../../es/dataStreams";
import { catIndexNames } from "../../es/indices";
import { pooled } from "../../es/pooled";
import { readFailbackLine } from "../followerIndex/preview";
import type { FollowerIndexInputs } from "../followerIndex/types";
import { type FailbackTarget, planPatternFailback } from "./plan";

/** One line per matching index that changes (`undefined` ones, already following, left out), then the plan's warnings. */
export async function readPatternFailbackLines(es: Es, leader: Es, t: FailbackTarget): Promise<string[]> {
  const [indices, streams] = [await catIndexNames(leader, "*"), await indicesGetDataStreams(leader, "*")];
  const plan = planPatternFailback({ indices, streams: streams.map((s) => ({ name: s.name, indices: s.indices })) }, t);
  const lines = await pooled(plan.ops, (op) => {
    const d = {
      index: op.index,
      remoteCluster: t.remoteCluster,
      leaderIndex: op.leaderIndex,
      waitForActiveShards: "1",
      status: "active",
      onDelete: "promote",
      failback: { enabled: true, quarantineIndex: op.quarantineIndex },
    } as FollowerIndexInputs & { failback: { enabled: true; quarantineIndex: string } };
    return readFailbackLine(es, leader, d).then((l) => (l === undefined ? undefined : `${l} (auto-follow pattern "${op.pattern}")`));
  });
  // A matching stream is worth a line only where this site holds a stale (not replicated) copy of it.
  const local = new Map((await indicesGetDataStreams(es, "*")).map((s) => [s.name, s.replicated]));
  const stale = plan.streams.flatMap((name, n) => (local.get(name) === false ? [`failback: ${plan.warnings[n]!}`] : []));
  return [...lines.filter((l): l is string => l !== undefined), ...stale];
}
