/** Routes of the index APIs: create/get/delete/exists, settings, mappings, aliases, blocks, close/open, refresh/flush/forcemerge, stats. */
import {
  addBlock,
  closeIndex,
  createIndex,
  deleteIndex,
  flush,
  forceMerge,
  getAliases,
  getFieldMapping,
  getIndex,
  getMapping,
  getSettings,
  indexExists,
  openIndex,
  parseIndexFeatures,
  putMapping,
  putSettings,
  refresh,
  updateAliases,
} from "../../engine/actions/indexAdmin";
import { indicesStats } from "../../engine/actions/stats";
import { errors } from "../../engine/errors";
import type { Json } from "../../engine/types";
import { EXPRESSION_PARAMS, MASTER_PARAMS, type RouteDef } from "../context";

const FLAT = ["flat_settings", "include_defaults", "local"];

export const indicesRoutes: RouteDef[] = [
  {
    api: "indices.create",
    methods: ["PUT"],
    paths: ["/{index}"],
    params: [...MASTER_PARAMS, "wait_for_active_shards"],
    body: "optional",
    handler: async (ctx) => ({ body: await createIndex(ctx.cluster, ctx.pathParams.index!, ctx.optionalJson()) }),
  },
  {
    api: "indices.get",
    methods: ["GET"],
    paths: ["/{index}"],
    params: [...EXPRESSION_PARAMS, ...FLAT, "master_timeout", "features", "ignore_throttled"],
    body: "none",
    handler: (ctx) => ({
      body: getIndex(ctx.cluster, ctx.pathParams.index!, {
        ...ctx.expression(),
        flat: ctx.bool("flat_settings", false),
        includeDefaults: ctx.bool("include_defaults", false),
        features: parseIndexFeatures(ctx.param("features")),
      }),
    }),
  },
  {
    api: "indices.exists",
    methods: ["HEAD"],
    paths: ["/{index}"],
    params: [...EXPRESSION_PARAMS, ...FLAT],
    body: "none",
    handler: (ctx) => ({ status: indexExists(ctx.cluster, ctx.pathParams.index!, ctx.expression()) ? 200 : 404 }),
  },
  {
    api: "indices.delete",
    methods: ["DELETE"],
    paths: ["/{index}"],
    params: [...EXPRESSION_PARAMS, ...MASTER_PARAMS],
    body: "none",
    handler: async (ctx) => ({ body: await deleteIndex(ctx.cluster, ctx.pathParams.index!, ctx.expression()) }),
  },
  {
    api: "indices.get_settings",
    methods: ["GET"],
    paths: ["/_settings", "/{index}/_settings", "/{index}/_settings/{name}", "/_settings/{name}"],
    params: [...EXPRESSION_PARAMS, ...FLAT, "master_timeout"],
    body: "none",
    handler: (ctx) => ({
      body: getSettings(ctx.cluster, ctx.pathParams.index, ctx.pathParams.name, {
        ...ctx.expression(),
        flat: ctx.bool("flat_settings", false),
        includeDefaults: ctx.bool("include_defaults", false),
      }),
    }),
  },
  {
    api: "indices.put_settings",
    methods: ["PUT"],
    paths: ["/_settings", "/{index}/_settings"],
    params: [...EXPRESSION_PARAMS, ...MASTER_PARAMS, "flat_settings", "preserve_existing", "reopen"],
    body: "required",
    handler: async (ctx) => {
      if (ctx.bool("reopen", false)) throw errors.notSupported("[reopen] on indices.put_settings");
      return {
        body: await putSettings(ctx.cluster, ctx.pathParams.index, ctx.json(), {
          ...ctx.expression(),
          preserveExisting: ctx.bool("preserve_existing", false),
        }),
      };
    },
  },
  {
    api: "indices.add_block",
    methods: ["PUT"],
    paths: ["/{index}/_block/{block}"],
    params: [...EXPRESSION_PARAMS, ...MASTER_PARAMS],
    body: "none",
    handler: async (ctx) => ({ body: await addBlock(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.block!, ctx.expression()) }),
  },
  {
    api: "indices.close",
    methods: ["POST"],
    paths: ["/{index}/_close"],
    params: [...EXPRESSION_PARAMS, ...MASTER_PARAMS, "wait_for_active_shards"],
    body: "none",
    handler: async (ctx) => ({ body: await closeIndex(ctx.cluster, ctx.pathParams.index!, ctx.expression()) }),
  },
  {
    api: "indices.open",
    methods: ["POST"],
    paths: ["/{index}/_open"],
    params: [...EXPRESSION_PARAMS, ...MASTER_PARAMS, "wait_for_active_shards"],
    body: "none",
    handler: async (ctx) => ({ body: await openIndex(ctx.cluster, ctx.pathParams.index!, ctx.expression()) }),
  },
  {
    api: "indices.get_mapping",
    methods: ["GET"],
    paths: ["/_mapping", "/{index}/_mapping"],
    params: [...EXPRESSION_PARAMS, "master_timeout", "local"],
    body: "none",
    handler: (ctx) => ({ body: getMapping(ctx.cluster, ctx.pathParams.index, ctx.expression()) }),
  },
  {
    api: "indices.get_field_mapping",
    methods: ["GET"],
    paths: ["/_mapping/field/{fields}", "/{index}/_mapping/field/{fields}"],
    params: [...EXPRESSION_PARAMS, "include_defaults", "local"],
    body: "none",
    handler: (ctx) => {
      if (ctx.bool("include_defaults", false)) throw errors.notSupported("[include_defaults] on indices.get_field_mapping");
      const r = getFieldMapping(ctx.cluster, ctx.pathParams.index, ctx.pathParams.fields!, ctx.expression());
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "indices.put_mapping",
    methods: ["PUT", "POST"],
    paths: ["/{index}/_mapping"],
    params: [...EXPRESSION_PARAMS, ...MASTER_PARAMS, "write_index_only"],
    body: "required",
    handler: async (ctx) => ({ body: await putMapping(ctx.cluster, ctx.pathParams.index!, ctx.json(), ctx.expression()) }),
  },
  {
    api: "indices.get_alias",
    methods: ["GET"],
    paths: ["/_alias", "/_alias/{name}", "/{index}/_alias/{name}", "/{index}/_alias"],
    params: [...EXPRESSION_PARAMS, "local", "master_timeout"],
    body: "none",
    handler: (ctx) => {
      const r = getAliases(ctx.cluster, ctx.pathParams.index, ctx.pathParams.name, ctx.expression());
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "indices.put_alias",
    methods: ["PUT", "POST"],
    paths: ["/{index}/_alias/{name}", "/{index}/_aliases/{name}"],
    params: MASTER_PARAMS,
    body: "optional",
    handler: async (ctx) => {
      const spec: Json = { ...ctx.optionalJson(), index: ctx.pathParams.index, alias: ctx.pathParams.name };
      return { body: stripErrors(await updateAliases(ctx.cluster, [{ add: spec }])) };
    },
  },
  {
    api: "indices.delete_alias",
    methods: ["DELETE"],
    paths: ["/{index}/_alias/{name}", "/{index}/_aliases/{name}"],
    params: MASTER_PARAMS,
    body: "none",
    handler: async (ctx) => ({
      body: stripErrors(await updateAliases(ctx.cluster, [{ remove: { index: ctx.pathParams.index, alias: ctx.pathParams.name } }])),
    }),
  },
  {
    api: "indices.update_aliases",
    methods: ["POST"],
    paths: ["/_aliases"],
    params: MASTER_PARAMS,
    body: "required",
    handler: async (ctx) => {
      const body = ctx.json();
      const actions = body.actions;
      if (!Array.isArray(actions)) throw errors.validation(["no actions specified"]);
      return { body: await updateAliases(ctx.cluster, actions as Json[]) };
    },
  },
  {
    api: "indices.refresh",
    methods: ["POST", "GET"],
    paths: ["/_refresh", "/{index}/_refresh"],
    params: EXPRESSION_PARAMS,
    body: "none",
    handler: async (ctx) => ({ body: await refresh(ctx.cluster, ctx.pathParams.index, ctx.expression()) }),
  },
  {
    api: "indices.flush",
    methods: ["POST", "GET"],
    paths: ["/_flush", "/{index}/_flush"],
    params: [...EXPRESSION_PARAMS, "force", "wait_if_ongoing"],
    body: "none",
    handler: async (ctx) => ({ body: await flush(ctx.cluster, ctx.pathParams.index, ctx.expression()) }),
  },
  {
    api: "indices.forcemerge",
    methods: ["POST"],
    paths: ["/_forcemerge", "/{index}/_forcemerge"],
    params: [...EXPRESSION_PARAMS, "flush", "max_num_segments", "only_expunge_deletes", "wait_for_completion"],
    body: "none",
    handler: async (ctx) => {
      if (ctx.bool("wait_for_completion", true) === false) throw errors.notSupported("[wait_for_completion=false] on indices.forcemerge");
      return { body: await forceMerge(ctx.cluster, ctx.pathParams.index, { ...ctx.expression(), flush: ctx.bool("flush", true) }) };
    },
  },
  {
    api: "indices.stats",
    methods: ["GET"],
    paths: ["/_stats", "/_stats/{metric}", "/{index}/_stats", "/{index}/_stats/{metric}"],
    params: [
      ...EXPRESSION_PARAMS,
      "level",
      "completion_fields",
      "fielddata_fields",
      "fields",
      "groups",
      "include_segment_file_sizes",
      "include_unloaded_segments",
      "forbid_closed_indices",
    ],
    body: "none",
    handler: (ctx) => {
      const metrics = ctx.pathParams.metric?.split(",");
      const known = [
        "_all",
        "docs",
        "store",
        "indexing",
        "get",
        "search",
        "merge",
        "refresh",
        "flush",
        "translog",
        "completion",
        "fielddata",
        "query_cache",
        "request_cache",
        "segments",
        "warmer",
        "bulk",
        "shard_stats",
        "mappings",
        "dense_vector",
        "sparse_vector",
      ];
      for (const m of metrics ?? [])
        if (!known.includes(m)) throw errors.illegalArgument(`request [${ctx.path}] contains unrecognized metric: [${m}]`);
      return { body: indicesStats(ctx.cluster, ctx.pathParams.index, metrics, { ...ctx.expression(), level: ctx.param("level") }) };
    },
  },
];

function stripErrors(body: Json): Json {
  return { acknowledged: body.acknowledged };
}
