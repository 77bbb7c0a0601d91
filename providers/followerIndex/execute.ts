/**
 * Runs a FollowerIndex plan: an exhaustive switch over the op kinds, one Elasticsearch change
 * per op, stopping at the first error with a message that lists what was already done.
 */
import { ccrFollow, ccrFollowInfo, ccrFollowStats, ccrPauseFollow, ccrResumeFollow, ccrUnfollow, type FollowStats } from "../../es/ccr";
import type { Es } from "../../es/connection";
import { bulkIndex, searchSeqNoAbove } from "../../es/documents";
import {
  indicesAddBlock,
  indicesClose,
  indicesCreate,
  indicesDelete,
  indicesGet,
  indicesGetMapping,
  indicesOpen,
  indicesPutMapping,
  indicesPutSettings,
  indicesRefresh,
  indicesStats,
} from "../../es/indices";
import { messageOf, ProviderError } from "../shared/errors";
import type { Runtime } from "../shared/util";
import { describeOp, type Op } from "./plan";
import { decodeQuarantine, encodeQuarantine, metaWithPromotion, type PromotionRecord, type PromotionShard } from "../../es/records";
import { FOLLOWER_ACTIVE_POLL_MS } from "./types";

/** What the executor needs. */
export interface ExecContext {
  /** The follower cluster. */
  es: Es;
  runtime: Runtime;
}

/** What a run did. */
export interface ExecResult {
  done: string[];
  warnings: string[];
  /** Documents copied by a `quarantine` op (when one ran). */
  quarantined?: number;
  /** The record written by a `recordPromotion` op (when one ran). */
  promotion?: PromotionRecord;
}

/** Executes `ops` in order. Any failure is rethrown as a {@link ProviderError} naming the step and what was done before it. */
export async function executeFollowerOps(ctx: ExecContext, ops: readonly Op[]): Promise<ExecResult> {
  const result: ExecResult = { done: [], warnings: [] };
  const memo: { followStats?: FollowStats } = {};
  for (const [n, op] of ops.entries()) {
    try {
      await runOp(ctx, op, result, memo);
    } catch (err) {
      const step = `step ${n + 1}/${ops.length} "${describeOp(op)}" failed`;
      const before = result.done.length > 0 ? ` after: ${result.done.join("; ")}` : " (nothing was changed before it)";
      const cause = messageOf(err);
      const rerun = " Every step is skipped when its effect is already there, so re-running `pulumi up` continues from here.";
      throw new ProviderError(
        err instanceof ProviderError ? err.code : "step_failed",
        `FollowerIndex "${op.index}" on cluster "${ctx.es.cluster}": ${step}${before}. ${cause}${rerun}`,
        err,
      );
    }
    result.done.push(describeOp(op));
  }
  return result;
}

async function runOp(ctx: ExecContext, op: Op, result: ExecResult, memo: { followStats?: FollowStats }): Promise<void> {
  const { es } = ctx;
  switch (op.kind) {
    case "follow":
      await ccrFollow(es, op);
      return;
    case "waitActive":
      await waitActive(ctx, op.index, op.timeoutMs);
      return;
    case "pause":
      await ccrPauseFollow(es, op.index);
      return;
    case "resume":
      await ccrResumeFollow(es, op.index, op.parameters);
      return;
    case "close":
      await indicesClose(es, op.index);
      return;
    case "open":
      await indicesOpen(es, op.index);
      return;
    case "unfollow": {
      const outcome = await ccrUnfollow(es, op.index);
      if (outcome === "done-leases-remain") {
        warn(
          ctx,
          result,
          `"${op.index}" was unfollowed, but its retention leases on the old leader could not be removed (the leader is unreachable). ` +
            "When the old leader is back, its shards keep history for the lease period (12h by default) or until POST /<leader>/_ccr/forget_follower.",
        );
      }
      return;
    }
    case "deleteIndex":
      await indicesDelete(es, op.index);
      return;
    case "putSettings":
      await indicesPutSettings(es, op.index, op.settings);
      return;
    case "fence":
      await indicesAddBlock(es, op.index, "write");
      return;
    case "setWriteBlock":
      await indicesPutSettings(es, op.index, { "index.blocks.write": op.blocked ? true : null });
      return;
    case "captureFollowStats": {
      const stats = await ccrFollowStats(es, op.index);
      if (stats) memo.followStats = stats;
      return;
    }
    case "recordPromotion":
      result.promotion = await recordPromotion(ctx, op, memo.followStats);
      return;
    case "quarantine":
      result.quarantined = await quarantine(ctx, op, result);
      return;
    default:
      assertNever(op);
  }
}

function warn(ctx: ExecContext, result: ExecResult, message: string): void {
  result.warnings.push(message);
  ctx.runtime.warn(message);
}

/**
 * Polls until the follower has tasks and no fatal error. The follow call returns before the
 * shard-follow tasks start, and follow-info reports "paused" in that window (docs/providers.md, "Facts").
 */
async function waitActive(ctx: ExecContext, index: string, timeoutMs: number): Promise<void> {
  const deadline = ctx.runtime.now().getTime() + timeoutMs;
  for (;;) {
    const info = await ccrFollowInfo(ctx.es, index);
    if (info?.status === "active") {
      const stats = await ccrFollowStats(ctx.es, index);
      if (stats?.fatalError) {
        throw new ProviderError("step_failed", `the follower stopped with a fatal error: ${stats.fatalError}`);
      }
      if (stats) return;
    }
    if (ctx.runtime.now().getTime() >= deadline) {
      throw new ProviderError(
        "timeout",
        `"${index}" did not become an active follower within ${Math.round(timeoutMs / 1000)}s (status: ${info?.status ?? "not a follower"}). ` +
          "Likely the leader is unreachable through the remote cluster alias (check GET _remote/info) or the restore is still running " +
          "(raise activeTimeoutMs).",
      );
    }
    await ctx.runtime.sleep(FOLLOWER_ACTIVE_POLL_MS);
  }
}

async function recordPromotion(
  ctx: ExecContext,
  op: Extract<Op, { kind: "recordPromotion" }>,
  followStats: FollowStats | undefined,
): Promise<PromotionRecord> {
  let shards: PromotionShard[] = [];
  if (op.checkpoints === "exact") {
    const seqNos = await indicesStats(ctx.es, op.index);
    if (!seqNos || seqNos.length === 0) throw new ProviderError("step_failed", `no shard statistics for "${op.index}"`);
    shards = seqNos.map((s) => {
      const out: PromotionShard = { shard: s.shard, globalCheckpoint: s.globalCheckpoint, maxSeqNo: s.maxSeqNo };
      const f = followStats?.shards.find((x) => x.shard === s.shard);
      if (f) {
        out.leaderGlobalCheckpoint = f.leaderGlobalCheckpoint;
        out.leaderMaxSeqNo = f.leaderMaxSeqNo;
      }
      return out;
    });
  }
  const record: PromotionRecord = {
    version: 1,
    index: op.index,
    indexUuid: op.indexUuid,
    cluster: ctx.es.cluster,
    promotedFrom: op.promotedFrom,
    promotedAt: ctx.runtime.now().toISOString(),
    checkpointsKnown: op.checkpoints === "exact",
    shards,
    writeBlockAdded: op.checkpoints === "exact",
  };
  const mapping = await indicesGetMapping(ctx.es, op.index);
  const meta = mapping?.["_meta"] as Record<string, unknown> | undefined;
  await indicesPutMapping(ctx.es, op.index, metaWithPromotion(meta, record));
  return record;
}

/**
 * Copies every document of the stale index whose `_seq_no` is above its shard's threshold into
 * the quarantine index, under the same `_id` (a re-run overwrites, never duplicates), then marks
 * the quarantine complete in the quarantine index's `_meta`. The quarantine index is created only
 * when there is something to keep.
 */
async function quarantine(ctx: ExecContext, op: Extract<Op, { kind: "quarantine" }>, result: ExecResult): Promise<number> {
  const { es } = ctx;
  const existing = await indicesGet(es, op.quarantineIndex);
  const prior = existing ? decodeQuarantine(existing.meta) : undefined;
  if (prior?.complete && prior.sourceIndexUuid === op.indexUuid) return prior.documents;
  // Acknowledged writes are visible to search only after a refresh.
  await indicesRefresh(es, op.index);
  const source = await indicesGet(es, op.index);
  const baseRecord = {
    version: 1 as const,
    sourceIndex: op.index,
    sourceIndexUuid: op.indexUuid,
    sourceCluster: es.cluster,
    aboveSeqNo: op.thresholds,
    createdAt: ctx.runtime.now().toISOString(),
  };
  let created = existing !== undefined;
  let total = 0;
  for (const [shard, above] of op.thresholds.entries()) {
    const pages = searchSeqNoAbove(es, op.index, { above, shard: op.thresholds.length > 1 ? shard : undefined });
    for await (const hits of pages) {
      if (!created) {
        const { _meta: _ignored, ...mappings } = (source?.mappings ?? {}) as Record<string, unknown>;
        await indicesCreate(es, op.quarantineIndex, {
          mappings: { ...mappings, _meta: encodeQuarantine({ ...baseRecord, complete: false, documents: 0 }) },
        });
        created = true;
      }
      const r = await bulkIndex(es, op.quarantineIndex, hits);
      if (r.failures.length > 0) {
        const first = r.failures[0]!;
        throw new ProviderError(
          "quarantine_failed",
          `${r.failures.length} document(s) could not be copied into "${op.quarantineIndex}" (first: _id ${first.id}: ${first.status} ${first.error}); ` +
            "the stale index was not deleted.",
        );
      }
      total += r.indexed;
    }
  }
  if (created) {
    await indicesRefresh(es, op.quarantineIndex);
    await indicesPutMapping(es, op.quarantineIndex, encodeQuarantine({ ...baseRecord, complete: true, documents: total }));
  }
  if (total > 0) {
    warn(
      ctx,
      result,
      `${total} document(s) written to "${op.index}" on cluster "${es.cluster}" after its last replicated operation never reached the new leader; ` +
        `they were copied into "${op.quarantineIndex}" before the stale index was replaced. Review and re-apply them to the leader.`,
    );
  }
  return total;
}

function assertNever(x: never): never {
  throw new Error(`Internal error: unexpected operation ${JSON.stringify(x)}`);
}
