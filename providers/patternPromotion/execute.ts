/**
 * Runs a PatternPromotion plan: an exhaustive switch over the op kinds, one Elasticsearch change
 * per op (an index's promotion is the FollowerIndex executor over its own ops), stopping at the
 * first error with a message that lists what was already done.
 */
import { ccrPauseAutoFollowPattern } from "../../es/ccr";
import type { Es } from "../../es/connection";
import { indicesPromoteDataStream, indicesRollover } from "../../es/dataStreams";
import { indicesCreate, indicesDelete, indicesPutMapping } from "../../es/indices";
import { executeFollowerOps } from "../followerIndex/execute";
import { messageOf, ProviderError } from "../shared/errors";
import type { Runtime } from "../shared/util";
import { describeOp, type Op } from "./plan";
import { encodePromotionPlan } from "./world";

export interface ExecContext {
  /** The site's cluster. */
  es: Es;
  runtime: Runtime;
}

export interface ExecResult {
  done: string[];
  warnings: string[];
}

export async function executePromotionOps(ctx: ExecContext, ops: readonly Op[]): Promise<ExecResult> {
  const result: ExecResult = { done: [], warnings: [] };
  for (const [n, op] of ops.entries()) {
    try {
      await runOp(ctx, op, result);
    } catch (err) {
      const step = `step ${n + 1}/${ops.length} "${describeOp(op)}" failed`;
      const before = result.done.length > 0 ? ` after: ${result.done.join("; ")}` : " (nothing was changed before it)";
      throw new ProviderError(
        err instanceof ProviderError ? err.code : "step_failed",
        `PatternPromotion on cluster "${ctx.es.cluster}": ${step}${before}. ${messageOf(err)} ` +
          "Every step is skipped when its effect is already there, so re-running `pulumi up` continues from here.",
        err,
      );
    }
    result.done.push(describeOp(op));
  }
  return result;
}

async function runOp(ctx: ExecContext, op: Op, result: ExecResult): Promise<void> {
  const { es } = ctx;
  switch (op.kind) {
    case "pausePattern":
      await ccrPauseAutoFollowPattern(es, op.name);
      return;
    case "recordPlan": {
      const meta = encodePromotionPlan(op.plan, ctx.runtime.now().toISOString());
      // Created once; a later run that finds more indices rewrites the list (the mapping `_meta` is replaced as a whole).
      const created = await indicesCreate(es, op.index, {
        settings: { "index.hidden": true, "index.number_of_replicas": 0 },
        mappings: { _meta: meta },
      });
      if (created === "already-done") await indicesPutMapping(es, op.index, meta);
      return;
    }
    case "promoteStream":
      await indicesPromoteDataStream(es, op.stream);
      return;
    case "rollover":
      await indicesRollover(es, op.stream);
      return;
    case "promoteIndex": {
      const r = await executeFollowerOps(ctx, op.ops);
      result.warnings.push(...r.warnings);
      return;
    }
    case "forgetPlan":
      await indicesDelete(es, op.index);
      return;
    default:
      assertNever(op);
  }
}

function assertNever(x: never): never {
  throw new Error(`Internal error: unexpected operation ${JSON.stringify(x)}`);
}
