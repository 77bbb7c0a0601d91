/**
 * What a failback will do to pattern-driven data, in words, for `pulumi preview` (stack/transition.ts
 * logs these lines): the same reads and planner create runs (lifecycle.ts, plan.ts) over the new
 * primary as read now; per plain index the FollowerIndex failback line
 * (providers/followerIndex/preview.ts), per data stream one line (`streamLines`); read-only.
 */
import type { Es } from "../../es/connection";
import { pooled } from "../../es/pooled";
import { countDivergent, readFailbackLine } from "../followerIndex/preview";
import type { FollowerIndexInputs } from "../followerIndex/types";
import { readFailbackWorld } from "./world";
import { type FailbackTarget, type Op, planPatternFailback, streamLines } from "./plan";

/** One line per matching index that changes (`undefined` ones, already following, left out), then one per data stream that changes. */
export async function readPatternFailbackLines(es: Es, leader: Es, t: FailbackTarget): Promise<string[]> {
  // The quarantine name is generated at `up`: no quarantine index of this failback exists yet to read.
  const { listing, locals } = await readFailbackWorld(es, leader, t, undefined);
  const plan = planPatternFailback(listing, t, locals, es.cluster);
  const follows = plan.ops.filter((op): op is Extract<Op, { kind: "follow" }> => op.kind === "follow");
  const lines = await pooled(follows, (op) => {
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
  const quarantines = plan.ops.filter((op): op is Extract<Op, { kind: "quarantineBacking" }> => op.kind === "quarantineBacking");
  const counts = await pooled(quarantines, (op) => countDivergent(es, op.index, op.thresholds).catch((e: unknown) => firstLine(e)));
  const divergent = Object.fromEntries(quarantines.map((op, k) => [op.index, counts[k]!]));
  return [
    ...lines.filter((l): l is string => l !== undefined),
    ...streamLines(plan, es.cluster, leader.cluster, locals, divergent),
    ...plan.warnings.map((w) => `failback: ${w}`),
  ];
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
