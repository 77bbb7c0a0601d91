/**
 * Runs a PatternFailback plan, one op at a time, stopping at the first error with what was already
 * done: a plain index's op is one FollowerIndex convergence (createFollowerIndex,
 * providers/followerIndex/lifecycle.ts: follow, adopt, or fence → lineage → quarantine → delete →
 * follow); a data stream's ops are one Elasticsearch change each (the fence and the quarantine are
 * the FollowerIndex executor's, providers/followerIndex/execute.ts).
 */
import { ccrFollow, ccrResumeFollow } from "../../es/ccr";
import { connect as realConnect, type Connection, type Es } from "../../es/connection";
import { indicesDeleteDataStream } from "../../es/dataStreams";
import { executeFollowerOps, type ExecResult as FollowerResult } from "../followerIndex/execute";
import type { Op as FollowerOp } from "../followerIndex/plan";
import { createFollowerIndex } from "../followerIndex/lifecycle";
import { FOLLOWER_ACTIVE_TIMEOUT_MS, type FollowerIndexInputs } from "../followerIndex/types";
import { messageOf, ProviderError } from "../shared/errors";
import { type ConnectionState, type Credentials, joinConnection } from "../shared/connectionInput";
import { defaultRuntime, type Runtime } from "../shared/util";
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
  const runtime = ctx.runtime ?? defaultRuntime();
  let es: Es | undefined;
  const here = () => (es ??= (ctx.connect ?? realConnect)(joinConnection(ctx.connection, ctx.credentials)));
  const follower = (fops: FollowerOp[]): Promise<FollowerResult> => executeFollowerOps({ es: here(), runtime }, fops);
  for (const [n, op] of ops.entries()) {
    try {
      if (op.kind !== "follow") {
        await runStreamOp(op, { es: here, follower, remoteCluster: ctx.remoteCluster, result });
        result.done.push(describeOp(op));
        continue;
      }
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

type StreamOp = Exclude<Op, { kind: "follow" }>;

async function runStreamOp(
  op: StreamOp,
  x: { es: () => Es; follower: (ops: FollowerOp[]) => Promise<FollowerResult>; remoteCluster: string; result: ExecResult },
): Promise<void> {
  const waitActive = (index: string): FollowerOp => ({ kind: "waitActive", index, timeoutMs: FOLLOWER_ACTIVE_TIMEOUT_MS });
  switch (op.kind) {
    case "fenceBacking":
      await x.follower(
        op.open
          ? [{ kind: "fence", index: op.index }]
          : [
              { kind: "setWriteBlock", index: op.index, blocked: true },
              { kind: "open", index: op.index },
            ],
      );
      return;
    case "quarantineBacking": {
      const { kind: _k, stream: _s, why: _w, ...q } = op;
      const r = await x.follower([{ kind: "quarantine", ...q }]);
      x.result.quarantined[op.index] = r.quarantined ?? 0;
      x.result.warnings.push(...r.warnings);
      return;
    }
    case "deleteStream":
      await indicesDeleteDataStream(x.es(), op.stream);
      return;
    case "followBacking":
      // Backing indices keep their names; `data_stream_name` makes the stream they join explicit.
      await ccrFollow(x.es(), {
        index: op.index,
        remoteCluster: x.remoteCluster,
        leaderIndex: op.index,
        dataStreamName: op.stream,
        waitForActiveShards: "1",
        timeoutMs: FOLLOWER_ACTIVE_TIMEOUT_MS,
      });
      await x.follower([waitActive(op.index)]);
      return;
    case "resumeBacking":
      await ccrResumeFollow(x.es(), op.index, undefined);
      await x.follower([waitActive(op.index)]);
      return;
    default:
      assertNever(op);
  }
}

function assertNever(x: never): never {
  throw new Error(`Internal error: unexpected operation ${JSON.stringify(x)}`);
}
