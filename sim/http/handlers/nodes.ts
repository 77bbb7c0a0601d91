/** Routes of `GET /_nodes` (`nodes.info`) and `GET /_nodes/stats` (`nodes.stats`). */
import { NODES_INFO_METRICS, nodesInfo, nodesStats } from "../../engine/actions/nodesInfo";
import { unrecognized, type RequestContext, type RouteDef } from "../context";

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);

/**
 * RestNodesInfoAction: `/_nodes/{x}` is a metric list when every name in it is a metric
 * (`/_nodes/http,transport`), and node ids otherwise (`/_nodes/_local`).
 */
function infoTarget(ctx: RequestContext): { nodeIds?: string; metrics?: string[] } {
  const { node_id: nodeId, metric } = ctx.pathParams;
  if (nodeId !== undefined && metric === undefined) {
    const names = list(nodeId)!;
    if (names.length > 0 && names.every((n) => NODES_INFO_METRICS.includes(n))) return { metrics: names };
    return { nodeIds: nodeId };
  }
  return { nodeIds: nodeId, metrics: list(metric) };
}

export const nodesRoutes: RouteDef[] = [
  {
    api: "nodes.info",
    methods: ["GET"],
    paths: ["/_nodes", "/_nodes/{node_id}", "/_nodes/{node_id}/{metric}", "/_nodes/{node_id}/info/{metric}"],
    params: ["flat_settings", "timeout"],
    body: "none",
    handler: (ctx) => {
      ctx.time("timeout");
      return { body: nodesInfo(ctx.cluster, ctx.node, { ...infoTarget(ctx), flat: ctx.bool("flat_settings", false) }) };
    },
  },
  {
    api: "nodes.stats",
    methods: ["GET"],
    paths: [
      "/_nodes/stats",
      "/_nodes/{node_id}/stats",
      "/_nodes/stats/{metric}",
      "/_nodes/{node_id}/stats/{metric}",
      "/_nodes/stats/{metric}/{index_metric}",
      "/_nodes/{node_id}/stats/{metric}/{index_metric}",
    ],
    params: [
      "completion_fields",
      "fielddata_fields",
      "fields",
      "groups",
      "level",
      "timeout",
      "include_segment_file_sizes",
      "include_unloaded_segments",
    ],
    body: "none",
    handler: (ctx) => {
      ctx.time("timeout");
      return {
        body: nodesStats(
          ctx.cluster,
          ctx.node,
          {
            nodeIds: ctx.pathParams.node_id,
            metrics: list(ctx.pathParams.metric),
            indexMetrics: list(ctx.pathParams.index_metric),
            path: ctx.path,
            level: ctx.param("level"),
          },
          (invalid, candidates, detail) => unrecognized(ctx.path, invalid, candidates, detail),
        ),
      };
    },
  },
];
