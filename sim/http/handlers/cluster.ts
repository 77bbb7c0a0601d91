/** Routes of `GET /`, `_cluster/health`, `_cluster/settings`, `_cluster/state`. */
import { getClusterSettings, health, info, putClusterSettings } from "../../engine/actions/clusterAdmin";
import { clusterState } from "../../engine/actions/clusterState";
import { errors } from "../../engine/errors";
import { EXPRESSION_PARAMS, MASTER_PARAMS, type RouteDef } from "../context";

export const clusterRoutes: RouteDef[] = [
  {
    api: "info",
    methods: ["GET"],
    paths: ["/"],
    params: [],
    body: "none",
    handler: (ctx) => ({ body: info(ctx.cluster) }),
  },
  {
    api: "ping",
    methods: ["HEAD"],
    paths: ["/"],
    params: [],
    body: "none",
    handler: () => ({ status: 200 }),
  },
  {
    api: "cluster.health",
    methods: ["GET"],
    paths: ["/_cluster/health", "/_cluster/health/{index}"],
    params: [
      ...EXPRESSION_PARAMS,
      ...MASTER_PARAMS,
      "level",
      "local",
      "wait_for_active_shards",
      "wait_for_nodes",
      "wait_for_events",
      "wait_for_no_relocating_shards",
      "wait_for_no_initializing_shards",
      "wait_for_status",
    ],
    body: "none",
    handler: async (ctx) => {
      const level = ctx.param("level");
      if (level !== undefined && !["cluster", "indices", "shards"].includes(level)) {
        throw errors.illegalArgument(
          `No enum constant org.elasticsearch.action.admin.cluster.health.ClusterHealthRequest.Level.${level.toUpperCase()}`,
        );
      }
      const r = await health(ctx.cluster, ctx.pathParams.index, {
        waitForStatus: ctx.param("wait_for_status"),
        timeoutMs: ctx.time("timeout"),
        level,
      });
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "cluster.get_settings",
    methods: ["GET"],
    paths: ["/_cluster/settings"],
    params: [...MASTER_PARAMS, "flat_settings", "include_defaults", "local"],
    body: "none",
    handler: (ctx) => ({
      body: getClusterSettings(ctx.cluster, {
        flat: ctx.bool("flat_settings", false),
        includeDefaults: ctx.bool("include_defaults", false),
      }),
    }),
  },
  {
    api: "cluster.put_settings",
    methods: ["PUT"],
    paths: ["/_cluster/settings"],
    params: [...MASTER_PARAMS, "flat_settings"],
    body: "required",
    handler: async (ctx) => ({ body: await putClusterSettings(ctx.cluster, ctx.json(), { flat: ctx.bool("flat_settings", false) }) }),
  },
  {
    // RestClusterStateAction: `local` and `master_timeout` change nothing on a single node
    api: "cluster.state",
    methods: ["GET"],
    paths: ["/_cluster/state", "/_cluster/state/{metric}", "/_cluster/state/{metric}/{index}"],
    params: [...EXPRESSION_PARAMS, "master_timeout", "local", "flat_settings", "wait_for_metadata_version", "wait_for_timeout"],
    body: "none",
    handler: async (ctx) => {
      ctx.bool("local");
      ctx.time("master_timeout");
      const waitFor = ctx.param("wait_for_metadata_version");
      if (waitFor !== undefined && !/^-?\d+$/.test(waitFor)) {
        throw errors.illegalArgument(`Failed to parse long parameter [wait_for_metadata_version] with value [${waitFor}]`);
      }
      return {
        body: await clusterState(ctx.cluster, ctx.node, {
          ...ctx.expression(),
          metric: ctx.pathParams.metric,
          index: ctx.pathParams.index,
          flat: ctx.bool("flat_settings", false),
          waitForMetadataVersion: waitFor === undefined ? undefined : Number(waitFor),
          waitForTimeoutMs: ctx.time("wait_for_timeout"),
        }),
      };
    },
  },
];
