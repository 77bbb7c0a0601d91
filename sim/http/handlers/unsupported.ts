/**
 * Real Elasticsearch endpoints es-sim does not implement. They answer an explicit 400 naming the
 * API instead of "no handler found" (which would suggest the path is wrong) or a misleading index
 * error from a `/{index}` route. CCR and `_remote/info` are served by `sim/http/handlers/ccr.ts`,
 * `_cluster/state` by `cluster.ts`, `_nodes` and `_nodes/stats` by `nodes.ts`, `_security` and
 * `_nodes/reload_secure_settings` by `security.ts`.
 */
import { errors } from "../../engine/errors";
import type { Method, RouteDef } from "../context";

const ALL: Method[] = ["GET", "POST", "PUT", "DELETE"];

const UNSUPPORTED: Array<[api: string, paths: string[]]> = [
  ["cluster.stats", ["/_cluster/stats"]],
  ["cluster.pending_tasks", ["/_cluster/pending_tasks"]],
  ["cluster.allocation_explain", ["/_cluster/allocation/explain"]],
  ["cluster.reroute", ["/_cluster/reroute"]],
  // literal segments beat `/_nodes/{node_id}`, so these are not taken for node ids by nodes.info
  ["nodes.hot_threads", ["/_nodes/hot_threads", "/_nodes/{node_id}/hot_threads"]],
  ["nodes.usage", ["/_nodes/usage", "/_nodes/{node_id}/usage", "/_nodes/usage/{metric}", "/_nodes/{node_id}/usage/{metric}"]],
  ["msearch", ["/_msearch", "/{index}/_msearch"]],
  ["scroll", ["/_search/scroll", "/_search/scroll/{scroll_id}"]],
  ["open_point_in_time", ["/{index}/_pit"]],
  ["delete_by_query", ["/{index}/_delete_by_query"]],
  ["update_by_query", ["/{index}/_update_by_query"]],
  ["reindex", ["/_reindex"]],
  ["termvectors", ["/{index}/_termvectors", "/{index}/_termvectors/{id}"]],
  ["explain", ["/{index}/_explain/{id}"]],
  ["field_caps", ["/_field_caps", "/{index}/_field_caps"]],
  ["indices.analyze", ["/_analyze", "/{index}/_analyze"]],
  ["indices.clone", ["/{index}/_clone/{target}"]],
  ["indices.shrink", ["/{index}/_shrink/{target}"]],
  ["indices.split", ["/{index}/_split/{target}"]],
  ["indices.rollover", ["/{alias}/_rollover/{new_index}"]],
  ["indices.resolve_index", ["/_resolve/index/{name}"]],
  ["indices.put_template", ["/_template/{name}", "/_template"]],
  // literal segments beat `/_index_template/{name}`, so these are not taken for template names
  ["indices.simulate_index_template", ["/_index_template/_simulate_index/{name}"]],
  ["indices.simulate_template", ["/_index_template/_simulate", "/_index_template/_simulate/{name}"]],
  ["cluster.put_component_template", ["/_component_template", "/_component_template/{name}"]],
  ["indices.recovery", ["/_recovery", "/{index}/_recovery"]],
  ["indices.segments", ["/_segments", "/{index}/_segments"]],
  ["indices.shard_stores", ["/_shard_stores", "/{index}/_shard_stores"]],
  ["indices.validate_query", ["/_validate/query", "/{index}/_validate/query"]],
  ["ingest.put_pipeline", ["/_ingest/pipeline", "/_ingest/pipeline/{id}"]],
  ["snapshot.get_repository", ["/_snapshot", "/_snapshot/{repository}", "/_snapshot/{repository}/{snapshot}"]],
  ["tasks.list", ["/_tasks", "/_tasks/{task_id}"]],
  ["ilm.get_lifecycle", ["/_ilm/policy", "/_ilm/policy/{policy}"]],
  ["license.get", ["/_license"]],
  ["xpack.info", ["/_xpack"]],
  ["cat.help", ["/_cat"]],
  ["cat.health", ["/_cat/health"]],
  ["cat.nodes", ["/_cat/nodes"]],
  ["cat.shards", ["/_cat/shards", "/_cat/shards/{index}"]],
  ["cat.aliases", ["/_cat/aliases", "/_cat/aliases/{name}"]],
  ["cat.count", ["/_cat/count", "/_cat/count/{index}"]],
];

/** Catch-all routes answering "es-sim does not support …" for known-but-unimplemented APIs. */
export const unsupportedRoutes: RouteDef[] = UNSUPPORTED.map(([api, paths]) => ({
  api,
  methods: ALL,
  paths,
  params: [],
  body: "optional",
  anyParams: true,
  handler: (ctx) => {
    throw errors.notSupported(`the [${api}] API ([${ctx.method} ${ctx.path}])`);
  },
}));
