/**
 * Runs a PatternFailback plan: one FollowerIndex convergence per op (createFollowerIndex,
 * providers/followerIndex/lifecycle.ts: follow, adopt, or fence → lineage → quarantine → delete →
 * follow), stopping at the first error with what was already done.
 */
import type { Connection, Es } from "../../es/connection";
import { createFollowerIndex } from "../followerIndex/lifecycle";
import type { FollowerIndexInputs } from "../followerIndex/types";
import { messageOf, ProviderError } from "../shared/errors";
import type { ConnectionState, Credentials } from "../shared/connectionInput";
import type { Runtime } from "../shared/util";
import { describeOp, type Op } from "./plan";

export interface ExecContext {
  cluster: string;
  connection: ConnectionState;
  credentials?: Credentials | undefined;
  leaderConnection: ConnectionState;
  leaderCredentials?: Credentials | undefined;
  remoteCluster: string;
  connect?: ((c: Connection) => Es) | undefined;
  runtime?: Runtime | undefined;
}

export interface ExecResult {
  done: string[];
  /** Documents quarantined per index (0 when nothing diverged or no stale copy existed). */
  quarantined: Record<string, number>;
  warnings: string[];
}

export async function executeFailbackOps(ctx: ExecContext, ops: readonly Op[]): Promise<ExecResult> {
  const result: ExecResult = { done: [], quarantined: {}, warnings: [] };
  for (const [n, op] of ops.entries()) {
    try {
      const inputs: FollowerIndexInputs = {
        connection: ctx.connection,
        ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
        leaderConnection: ctx.leaderConnection,
        ...(ctx.leaderCredentials ? { leaderCredentials: ctx.leaderCredentials } : {}),
        index: op.index,
        remoteCluster: ctx.remoteCluster,
        leaderIndex: op.leaderIndex,
        waitForActiveShards: "1",
        status: "active",
        onDelete: "promote",
        failback: { enabled: true, quarantineIndex: op.quarantineIndex },
      };
      const { outs } = await createFollowerIndex(inputs, {
        ...(ctx.connect ? { connect: ctx.connect } : {}),
        ...(ctx.runtime ? { runtime: ctx.runtime } : {}),
      });
      result.quarantined[op.index] = outs.quarantinedDocuments;
      result.warnings.push(...outs.warnings.map((w) => `"${op.index}": ${w}`));
    } catch (err) {
      const step = `step ${n + 1}/${ops.length} "${describeOp(op)}" failed`;
      const before = result.done.length > 0 ? ` after: ${result.done.join("; ")}` : " (nothing was changed before it)";
      throw new ProviderError(
        err instanceof ProviderError ? err.code : "step_failed",
        `PatternFailback on cluster "${ctx.cluster}": ${step}${before}. ${messageOf(err)} ` +
          "Every step is skipped when its effect is already there, so re-running `pulumi up` continues from here.",
        err,
      );
    }
    result.done.push(describeOp(op));
  }
  return result;
}
