/**
 * What a failover will do to pattern-driven data, in words, for `pulumi preview` (stack/transition.ts
 * logs these lines): the same planner the delete runs (plan.ts) over the world as read now, with
 * read-only calls only, and each promoted stream's and index's document count here and, when the
 * old primary answers, there — what a failover now would lose.
 */
import { count } from "../../es/documents";
import type { Es } from "../../es/connection";
import { pooled } from "../../es/pooled";
import { messageOf } from "../shared/errors";
import { leaderNames, planPatternPromotion, promotionLines, type Plan, type PromotionCounts } from "./plan";
import type { PatternPromotionTarget } from "./types";
import { readPatternWorld } from "./world";

/** The promotion as planned from this cluster, before the old primary is asked anything. */
export interface PatternPromotionPreview {
  plan: Plan;
  /** Documents on this cluster per promoted stream and index; undefined when they could not be read (a closed index). */
  documents: Map<string, number | undefined>;
  /** The old primary's name of each promoted stream and index. */
  leaderNames: Map<string, string>;
  /** The old primary's indices the promoted indices copy (for the split-brain probe). */
  leaderIndices: string[];
}

/** Reads the world of `es` and plans the promotion, with the document counts of what it promotes. */
export async function readPatternPromotion(es: Es, t: PatternPromotionTarget): Promise<PatternPromotionPreview> {
  const world = await readPatternWorld(es, t);
  const plan = planPatternPromotion(world, t, es.cluster);
  const names = leaderNames(plan);
  const local = [...names.keys()];
  const counted = await pooled(local, (name) => count(es, name).catch(() => undefined));
  return {
    plan,
    documents: new Map(local.map((name, n) => [name, counted[n]])),
    leaderNames: names,
    leaderIndices: plan.ops.flatMap((op) => (op.kind === "promoteIndex" ? [op.leaderIndex] : [])),
  };
}

/** The old primary's counts of `names` (follower name → leader name): a number each, or why it could not be read. */
export async function readLeaderCounts(leader: Es, names: ReadonlyMap<string, string>): Promise<PromotionCounts["leader"]> {
  const entries = [...names];
  const counted = await pooled(entries, ([, leaderName]) =>
    count(leader, leaderName).catch((e: unknown) => `"${leaderName}" could not be counted (${messageOf(e).split("\n")[0]})`),
  );
  return { readable: true, documents: new Map(entries.map(([name], n) => [name, counted[n]!])) };
}

/** The preview's lines, with the old primary's counts as read (or why they could not be). */
export function patternPromotionLines(
  p: PatternPromotionPreview,
  cluster: string,
  leaderCluster: string,
  leader: PromotionCounts["leader"],
): string[] {
  return [
    ...promotionLines(p.plan, cluster, leaderCluster, { documents: p.documents, leader }),
    ...p.plan.warnings.map((w) => `failover: ${w}`),
  ];
}
