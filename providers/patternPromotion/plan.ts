/**
 * (pure) The failover of pattern-driven data: the world as read now (world.ts) → ordered
 * operations. Each step is planned only when its effect is missing, so a run interrupted anywhere
 * is finished by running it again.
 *
 * Order, and why:
 * 1. pause this site's auto-follow patterns: nothing new starts following mid-promotion;
 * 2. record the list of indices about to be promoted (world.ts, PROMOTION_PLAN_INDEX): once an
 *    index is unfollowed it is no longer found as a follower;
 * 3. per data stream: promote it (ES refuses the rollover of a replicated stream), then roll it
 *    over so that writes go to a new local write index (ES refuses to close a stream's write index,
 *    so its former backing indices can only be promoted after that);
 * 4. per index (backing indices included): the FollowerIndex promotion (`planDelete`,
 *    providers/followerIndex/plan.ts): pause → close → unfollow → write block → open → record → unblock;
 * 5. delete the list.
 */
import { ProviderError } from "../shared/errors";
import { planDelete, planWords, type Op as FollowerOp } from "../followerIndex/plan";
import { PROMOTION_PLAN_INDEX, type PatternPromotionTarget } from "./types";
import type { PatternWorld, PromotionPlanRecord } from "./world";

export type Op =
  | { kind: "pausePattern"; name: string }
  | { kind: "recordPlan"; index: string; plan: PromotionPlanRecord }
  | { kind: "promoteStream"; stream: string }
  | { kind: "rollover"; stream: string }
  | { kind: "promoteIndex"; index: string; leaderIndex: string; stream?: string; ops: FollowerOp[] }
  | { kind: "forgetPlan"; index: string };

export interface Plan {
  ops: Op[];
  warnings: string[];
}

/** Words for one op, for progress and error messages. */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case "pausePattern":
      return `pause auto-follow pattern "${op.name}"`;
    case "recordPlan":
      return `record the ${op.plan.indices.length} index(es) to promote in "${op.index}"`;
    case "promoteStream":
      return `promote data stream "${op.stream}" (no longer replicated)`;
    case "rollover":
      return `roll over data stream "${op.stream}" to a local write index`;
    case "promoteIndex":
      return `promote "${op.index}"${op.stream ? ` (backing index of "${op.stream}")` : ""}: ${planWords(op.ops)}`;
    case "forgetPlan":
      return `delete "${op.index}" (every listed index is promoted)`;
  }
}

/** (pure) The promotion of everything `t.remoteCluster` is followed into on this cluster, beside the declared pairs. */
export function planPatternPromotion(world: PatternWorld, t: PatternPromotionTarget, cluster: string): Plan {
  // Checked before anything changes: the rollover would fail after the stream was promoted.
  const untemplated = world.streams.filter((s) => s.writeIndexFollows && s.template === undefined).map((s) => s.name);
  if (untemplated.length > 0) {
    throw new ProviderError(
      "data_stream_template_missing",
      `PatternPromotion on cluster "${cluster}": data stream(s) ${untemplated.map((n) => `"${n}"`).join(", ")} match no index template with ` +
        `a data_stream section on ${cluster}, and Elasticsearch rolls a data stream over to a local write index only from one. Nothing was changed. ` +
        `Create the template the old primary has for them on ${cluster} (GET _index_template on the old primary, PUT _index_template/<name> here), then re-run.`,
    );
  }
  const ops: Op[] = [];
  const warnings: string[] = [];
  for (const p of world.patterns) if (p.active) ops.push({ kind: "pausePattern", name: p.name });

  const indexOps: Op[] = [];
  for (const c of world.indices) {
    const listed = world.plan?.indices.some((i) => i.index === c.index) === true;
    const plan = planDelete(
      c.world,
      { index: c.index, remoteCluster: t.remoteCluster, leaderIndex: c.leaderIndex, onDelete: "promote" },
      cluster,
    );
    // An index only the interrupted run's list names and that is gone or done needs no word.
    if (plan.ops.length === 0 && listed) continue;
    warnings.push(...plan.warnings.map((w) => `${w}`));
    const ops = plan.ops.map((op): FollowerOp => {
      if (op.kind !== "recordPromotion" || !t.leaderIdentity) return op;
      const { clusterUuid, clusterName } = t.leaderIdentity;
      return { ...op, promotedFrom: { ...op.promotedFrom, leaderClusterUuid: clusterUuid, leaderClusterName: clusterName } };
    });
    if (ops.length > 0)
      indexOps.push({
        kind: "promoteIndex",
        index: c.index,
        leaderIndex: c.leaderIndex,
        ...(c.stream ? { stream: c.stream } : {}),
        ops,
      });
  }
  if (indexOps.length > 0) {
    const indices = new Map((world.plan?.indices ?? []).map((i) => [i.index, i.leaderIndex]));
    for (const op of indexOps) if (op.kind === "promoteIndex") indices.set(op.index, op.leaderIndex);
    const covered =
      world.plan !== undefined &&
      indexOps.every((op) => world.plan!.indices.some((i) => op.kind === "promoteIndex" && i.index === op.index));
    if (!covered) {
      ops.push({
        kind: "recordPlan",
        index: PROMOTION_PLAN_INDEX,
        plan: { remoteCluster: t.remoteCluster, indices: [...indices].map(([index, leaderIndex]) => ({ index, leaderIndex })) },
      });
    }
  }
  for (const s of world.streams) {
    if (s.replicated) ops.push({ kind: "promoteStream", stream: s.name });
    if (s.writeIndexFollows) ops.push({ kind: "rollover", stream: s.name });
  }
  ops.push(...indexOps);
  if (indexOps.length > 0 || world.plan !== undefined) ops.push({ kind: "forgetPlan", index: PROMOTION_PLAN_INDEX });
  return { ops, warnings };
}

/**
 * The document counts a preview shows per promoted stream and index: this cluster's, read now, and
 * the old primary's when it answers. Keys are the names on this cluster (stream or index).
 */
export interface PromotionCounts {
  /** Documents on this cluster; absent (or undefined) when they could not be read. */
  documents: ReadonlyMap<string, number | undefined>;
  /** The old primary's counts of the same data (a number, or why it could not be read), or why none could. */
  leader: { readable: true; documents: ReadonlyMap<string, number | string> } | { readable: false; reason: string };
}

/**
 * (pure) "N docs; clusterA holds M: D not replicated, lost by a failover now", from what was read:
 * an unknown count is said to be unknown, with the reason, never 0.
 */
export function countWords(name: string, counts: PromotionCounts, leaderCluster: string): string {
  const here = counts.documents.get(name);
  const own = here === undefined ? "document count unknown" : `${here} docs`;
  const leader = counts.leader.readable ? (counts.leader.documents.get(name) ?? "not read") : counts.leader.reason;
  if (typeof leader === "string") return `${own}; ${leaderCluster}'s count unknown: ${leader}`;
  if (here === undefined) return `${own}; ${leaderCluster} holds ${leader}, so what a failover now loses is unknown`;
  const missing = leader - here;
  if (missing > 0) return `${own}; ${leaderCluster} holds ${leader}: ${missing} not replicated, lost by a failover now`;
  if (missing < 0) return `${own}; ${leaderCluster} holds ${leader}: ${-missing} fewer (deletes not yet replicated)`;
  return `${own}; ${leaderCluster} holds ${leader}: none lost by a failover now`;
}

/** (pure) The preview's lines: one per pattern, stream and index, in the order they run, with their document counts. */
export function promotionLines(plan: Plan, cluster: string, leaderCluster: string, counts: PromotionCounts): string[] {
  const lines: string[] = [];
  const docs = (name: string) => countWords(name, counts, leaderCluster);
  for (const op of plan.ops) {
    switch (op.kind) {
      case "pausePattern":
        lines.push(`failover: PAUSE auto-follow pattern "${op.name}" on ${cluster} first (nothing new starts following)`);
        break;
      case "promoteStream":
        lines.push(
          `failover: PROMOTE data stream "${op.stream}" on ${cluster} (${docs(op.stream)}), replicated from ${leaderCluster}, to a writable stream`,
        );
        break;
      case "rollover":
        lines.push(`failover: ROLL OVER data stream "${op.stream}" on ${cluster}: new writes go to a new local write index`);
        break;
      case "promoteIndex":
        lines.push(
          `failover: PROMOTE "${op.index}" on ${cluster} (${docs(op.index)}), ${op.stream ? `backing index of data stream "${op.stream}", ` : ""}` +
            `followed from ${leaderCluster}:${op.leaderIndex} (not a declared pair), to a writable index: ${planWords(op.ops)}`,
        );
        break;
      case "recordPlan":
      case "forgetPlan":
        break;
    }
  }
  return lines;
}

/** (pure) What the old primary holds of each promoted stream and index: the follower's name → the leader's. */
export function leaderNames(plan: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const op of plan.ops) {
    // A follower data stream has the leader stream's name (Elasticsearch refuses to rename one).
    if (op.kind === "promoteStream") out.set(op.stream, op.stream);
    if (op.kind === "promoteIndex") out.set(op.index, op.leaderIndex);
  }
  return out;
}
