/** Routes of `_search` and `_count`: parameters checked here, querying done by the search library. */
import { count, search } from "../../engine/actions/search";
import { errors } from "../../engine/errors";
import type { SearchRequest } from "../../engine/types";
import { EXPRESSION_PARAMS, type RequestContext, type RouteDef } from "../context";

const QUERY_STRING_PARAMS = ["q", "df", "default_operator", "analyzer", "analyze_wildcard", "lenient"];

/** Search parameters handed to the search library as they are. */
const SEARCH_PARAMS = [
  ...EXPRESSION_PARAMS,
  ...QUERY_STRING_PARAMS,
  "from",
  "size",
  "sort",
  "_source",
  "_source_includes",
  "_source_excludes",
  "track_total_hits",
  "track_scores",
  "seq_no_primary_term",
  "version",
  "explain",
  "timeout",
  "routing",
  "preference",
  "search_type",
  "request_cache",
  "batched_reduce_size",
  "max_concurrent_shard_requests",
  "pre_filter_shard_size",
  "rest_total_hits_as_int",
  "typed_keys",
  "allow_partial_search_results",
  "ccs_minimize_roundtrips",
  "ignore_throttled",
  "terminate_after",
  "stored_fields",
  "docvalue_fields",
  "stats",
  "scroll",
  "suggest_field",
  "suggest_mode",
  "suggest_size",
  "suggest_text",
  "include_named_queries_score",
  "force_synthetic_source",
];

/** Parameters es-sim refuses explicitly rather than ignore. */
const UNSUPPORTED_SEARCH_PARAMS = [
  "scroll",
  "suggest_field",
  "suggest_mode",
  "suggest_size",
  "suggest_text",
  "docvalue_fields",
  "stored_fields",
  "terminate_after",
  "force_synthetic_source",
];

function searchRequest(ctx: RequestContext, allowed: string[]): SearchRequest {
  for (const p of UNSUPPORTED_SEARCH_PARAMS)
    if (ctx.param(p) !== undefined && allowed.includes(p)) throw errors.notSupported(`[${p}] on ${ctx.path}`);
  const st = ctx.param("search_type");
  if (st !== undefined && st !== "query_then_fetch" && st !== "dfs_query_then_fetch") {
    throw errors.illegalArgument(`No search type for [${st}]`);
  }
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.query)) if (allowed.includes(k) && !EXPRESSION_PARAMS.includes(k)) params[k] = v;
  return { body: ctx.optionalJson(), params };
}

export const searchRoutes: RouteDef[] = [
  {
    api: "search",
    methods: ["GET", "POST"],
    paths: ["/_search", "/{index}/_search"],
    params: SEARCH_PARAMS,
    body: "optional",
    handler: async (ctx) => ({
      body: await search(ctx.cluster, ctx.pathParams.index, searchRequest(ctx, SEARCH_PARAMS), ctx.expression()),
    }),
  },
  {
    api: "count",
    methods: ["GET", "POST"],
    paths: ["/_count", "/{index}/_count"],
    params: [...EXPRESSION_PARAMS, ...QUERY_STRING_PARAMS, "min_score", "routing", "preference", "terminate_after", "ignore_throttled"],
    body: "optional",
    handler: async (ctx) => {
      const allowed = [...QUERY_STRING_PARAMS, "min_score", "terminate_after"];
      if (ctx.param("terminate_after") !== undefined) throw errors.notSupported(`[terminate_after] on ${ctx.path}`);
      return { body: await count(ctx.cluster, ctx.pathParams.index, searchRequest(ctx, allowed), ctx.expression()) };
    },
  },
];
