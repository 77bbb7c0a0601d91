/**
 * REST routes of cross-cluster replication and remote clusters, keyed by rest-api-spec names
 * (`ccr.*`, `cluster.remote_info`; paths and parameters as ES 8.x registers them in its
 * `Rest*Action` handlers). Each handler parses the request, makes one call on the node's CCR
 * service (from the request context) and returns its answer.
 */
import { forgetFollower } from "../../ccr/forgetFollower";
import { pauseFollow, resumeFollow, unfollow } from "../../ccr/followLifecycle";
import { parseByteSizeValue, parseTimeValueRep } from "../../ccr/followParameters";
import { ccrStats, followInfo, followStats } from "../../ccr/followStats";
import { putFollow } from "../../ccr/putFollow";
import { errors } from "../../engine/errors";
import type { Json } from "../../engine/types";
import type { RequestContext, RouteDef } from "../context";

const MASTER = ["master_timeout"];

/** `RestPutFollowAction` always parses a body (`contentOrSourceParamParser`). */
function requiredBody(ctx: RequestContext): Json {
  if (!ctx.hasBody) throw errors.parse("request body or source parameter is required");
  return ctx.json();
}

function human(ctx: RequestContext): boolean {
  return ctx.bool("human", false);
}

/** Every CCR route. */
export const ccrRoutes: RouteDef[] = [
  {
    api: "ccr.follow",
    methods: ["PUT"],
    paths: ["/{index}/_ccr/follow"],
    params: [...MASTER, "wait_for_active_shards"],
    body: "required",
    handler: async (ctx) => ({
      body: await putFollow(ctx.ccr, ctx.pathParams.index!, requiredBody(ctx), ctx.bodyText, ctx.param("wait_for_active_shards")),
    }),
  },
  {
    api: "ccr.pause_follow",
    methods: ["POST"],
    paths: ["/{index}/_ccr/pause_follow"],
    params: MASTER,
    body: "none",
    handler: async (ctx) => ({ body: await pauseFollow(ctx.ccr, ctx.pathParams.index!) }),
  },
  {
    api: "ccr.resume_follow",
    methods: ["POST"],
    paths: ["/{index}/_ccr/resume_follow"],
    params: MASTER,
    body: "optional",
    handler: async (ctx) => ({ body: await resumeFollow(ctx.ccr, ctx.pathParams.index!, ctx.optionalJson(), ctx.bodyText) }),
  },
  {
    api: "ccr.unfollow",
    methods: ["POST"],
    paths: ["/{index}/_ccr/unfollow"],
    params: MASTER,
    body: "none",
    handler: async (ctx) => ({ body: await unfollow(ctx.ccr, ctx.pathParams.index!) }),
  },
  {
    api: "ccr.follow_info",
    methods: ["GET"],
    paths: ["/{index}/_ccr/info"],
    params: MASTER,
    body: "none",
    handler: (ctx) => ({ body: followInfo(ctx.ccr, ctx.pathParams.index) }),
  },
  {
    api: "ccr.follow_stats",
    methods: ["GET"],
    paths: ["/{index}/_ccr/stats"],
    params: ["timeout"],
    body: "none",
    handler: (ctx) => ({ body: followStats(ctx.ccr, ctx.pathParams.index, human(ctx)) }),
  },
  {
    api: "ccr.stats",
    methods: ["GET"],
    paths: ["/_ccr/stats"],
    params: ["timeout", ...MASTER],
    body: "none",
    handler: (ctx) => ({ body: ccrStats(ctx.ccr, human(ctx)) }),
  },
  {
    api: "ccr.forget_follower",
    methods: ["POST"],
    paths: ["/{index}/_ccr/forget_follower"],
    params: ["timeout"],
    body: "required",
    handler: async (ctx) => ({ body: await forgetFollower(ctx.cluster, ctx.pathParams.index!, requiredBody(ctx), ctx.bodyText) }),
  },
  {
    api: "ccr.put_auto_follow_pattern",
    methods: ["PUT"],
    paths: ["/_ccr/auto_follow/{name}"],
    params: MASTER,
    body: "required",
    handler: async (ctx) => ({ body: await ctx.ccr.autoFollow.put(ctx.pathParams.name!, requiredBody(ctx), ctx.bodyText) }),
  },
  {
    api: "ccr.get_auto_follow_pattern",
    methods: ["GET"],
    paths: ["/_ccr/auto_follow", "/_ccr/auto_follow/{name}"],
    params: MASTER,
    body: "none",
    handler: (ctx) => ({ body: ctx.ccr.autoFollow.get(ctx.pathParams.name) }),
  },
  {
    api: "ccr.delete_auto_follow_pattern",
    methods: ["DELETE"],
    paths: ["/_ccr/auto_follow/{name}"],
    params: MASTER,
    body: "none",
    handler: async (ctx) => ({ body: await ctx.ccr.autoFollow.delete(ctx.pathParams.name!) }),
  },
  {
    api: "ccr.pause_auto_follow_pattern",
    methods: ["POST"],
    paths: ["/_ccr/auto_follow/{name}/pause"],
    params: MASTER,
    body: "none",
    handler: async (ctx) => ({ body: await ctx.ccr.autoFollow.setActive(ctx.pathParams.name!, false) }),
  },
  {
    api: "ccr.resume_auto_follow_pattern",
    methods: ["POST"],
    paths: ["/_ccr/auto_follow/{name}/resume"],
    params: MASTER,
    body: "none",
    handler: async (ctx) => ({ body: await ctx.ccr.autoFollow.setActive(ctx.pathParams.name!, true) }),
  },
  {
    api: "cluster.remote_info",
    methods: ["GET"],
    paths: ["/_remote/info"],
    params: [],
    body: "none",
    handler: (ctx) => ({ body: ctx.ccr.remoteInfo() }),
  },
  {
    // ES registers this debug endpoint in snapshot builds only (`RestShardChangesAction`); es-sim
    // always has it and adds `id` and `version` to each operation (see docs/known-gaps.md)
    api: "ccr.shard_changes",
    methods: ["GET"],
    paths: ["/{index}/ccr/shard_changes"],
    params: ["from_seq_no", "max_batch_size", "poll_timeout", "max_operations_count", ...MASTER],
    body: "none",
    handler: async (ctx) => {
      const maxBatch = ctx.param("max_batch_size");
      const poll = ctx.param("poll_timeout");
      return {
        body: await ctx.ccr.leader.localShardChanges(ctx.pathParams.index!, {
          fromSeqNo: ctx.int("from_seq_no") ?? 0,
          maxOperationCount: ctx.int("max_operations_count") ?? 1024,
          maxBatchSizeBytes: maxBatch === undefined ? 32 * 1024 * 1024 : parseByteSizeValue(maxBatch, "max_batch_size").bytes,
          pollTimeoutMs: poll === undefined ? 60_000 : parseTimeValueRep(poll, "poll_timeout").ms,
        }),
      };
    },
  },
];
