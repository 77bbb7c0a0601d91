/**
 * What a failover will do to pattern-driven data, in words, for `pulumi preview` (stack/transition.ts
 * logs these lines): the same planner the delete runs (plan.ts) over the world as read now, with
 * read-only calls only.
 */
import type { Es } from "../../es/connection";
import { planPatternPromotion, promotionLines } from "./plan";
import type { PatternPromotionTarget } from "./types";
import { readPatternWorld } from "./world";

/** The lines, and the old primary's indices they promote copies of (for the split-brain probe). */
export async function readPatternPromotionLines(
  es: Es,
  t: PatternPromotionTarget,
  leaderCluster: string,
): Promise<{ lines: string[]; leaderIndices: string[] }> {
  const world = await readPatternWorld(es, t);
  const plan = planPatternPromotion(world, t, es.cluster);
  return {
    lines: [...promotionLines(plan, es.cluster, leaderCluster), ...plan.warnings.map((w) => `failover: ${w}`)],
    leaderIndices: plan.ops.flatMap((op) => (op.kind === "promoteIndex" ? [op.leaderIndex] : [])),
  };
}
