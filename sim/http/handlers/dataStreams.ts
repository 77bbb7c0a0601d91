/** Routes of composable index templates, data streams and data stream rollover. */
import { BodyReader } from "../../ccr/bodyParser";
import {
  createDataStream,
  dataStreamsStats,
  deleteDataStream,
  getDataStreams,
  promoteDataStream,
  rolloverDataStream,
} from "../../engine/actions/dataStreams";
import { deleteIndexTemplate, getIndexTemplates, indexTemplateExists, putIndexTemplate } from "../../engine/actions/indexTemplates";
import { TEMPLATE_FIELDS } from "../../engine/indexTemplates";
import { parseExpandWildcards } from "../../engine/names";
import { MASTER_PARAMS, type RouteDef } from "../context";
import { humanBytes } from "./cat";

export const dataStreamRoutes: RouteDef[] = [
  {
    api: "indices.put_index_template",
    methods: ["PUT", "POST"],
    paths: ["/_index_template/{name}"],
    params: [...MASTER_PARAMS, "create", "cause"],
    body: "required",
    handler: async (ctx) => {
      const body = ctx.json();
      // ComposableIndexTemplate.PARSER (ConstructingObjectParser "index_template") refuses unknown fields
      new BodyReader("index_template", body, ctx.bodyText).rejectUnknown(TEMPLATE_FIELDS);
      return { body: await putIndexTemplate(ctx.cluster, ctx.pathParams.name!, body, { create: ctx.bool("create", false) }) };
    },
  },
  {
    api: "indices.get_index_template",
    methods: ["GET"],
    paths: ["/_index_template", "/_index_template/{name}"],
    params: ["master_timeout", "local", "flat_settings", "include_defaults"],
    body: "none",
    handler: (ctx) => getIndexTemplates(ctx.cluster, ctx.pathParams.name),
  },
  {
    api: "indices.exists_index_template",
    methods: ["HEAD"],
    paths: ["/_index_template/{name}"],
    params: ["master_timeout", "local", "flat_settings"],
    body: "none",
    handler: (ctx) => ({ status: indexTemplateExists(ctx.cluster, ctx.pathParams.name!) ? 200 : 404 }),
  },
  {
    api: "indices.delete_index_template",
    methods: ["DELETE"],
    paths: ["/_index_template/{name}"],
    params: MASTER_PARAMS,
    body: "none",
    handler: async (ctx) => ({ body: await deleteIndexTemplate(ctx.cluster, ctx.pathParams.name!) }),
  },
  {
    api: "indices.create_data_stream",
    methods: ["PUT"],
    paths: ["/_data_stream/{name}"],
    params: MASTER_PARAMS,
    body: "none",
    handler: async (ctx) => ({ body: await createDataStream(ctx.cluster, ctx.pathParams.name!) }),
  },
  {
    api: "indices.get_data_stream",
    methods: ["GET"],
    paths: ["/_data_stream", "/_data_stream/{name}"],
    params: ["expand_wildcards", "include_defaults", "master_timeout", "verbose"],
    body: "none",
    handler: (ctx) => ({
      body: getDataStreams(ctx.cluster, ctx.pathParams.name, { expandWildcards: parseExpandWildcards(ctx.param("expand_wildcards")) }),
    }),
  },
  {
    api: "indices.delete_data_stream",
    methods: ["DELETE"],
    paths: ["/_data_stream/{name}"],
    params: [...MASTER_PARAMS, "expand_wildcards"],
    body: "none",
    handler: async (ctx) => ({
      body: await deleteDataStream(ctx.cluster, ctx.pathParams.name!, {
        expandWildcards: parseExpandWildcards(ctx.param("expand_wildcards")),
      }),
    }),
  },
  {
    api: "indices.data_streams_stats",
    methods: ["GET"],
    paths: ["/_data_stream/_stats", "/_data_stream/{name}/_stats"],
    params: [],
    body: "none",
    handler: (ctx) => ({
      body: dataStreamsStats(ctx.cluster, ctx.pathParams.name, ctx.bool("human", false) ? { human: humanBytes } : {}),
    }),
  },
  {
    api: "indices.promote_data_stream",
    methods: ["POST"],
    paths: ["/_data_stream/_promote/{name}"],
    params: ["master_timeout"],
    body: "none",
    handler: async (ctx) => ({ body: await promoteDataStream(ctx.cluster, ctx.pathParams.name!) }),
  },
  {
    api: "indices.rollover",
    methods: ["POST"],
    paths: ["/{alias}/_rollover"],
    params: [...MASTER_PARAMS, "dry_run", "lazy", "wait_for_active_shards"],
    body: "optional",
    handler: async (ctx) => ({
      body: await rolloverDataStream(ctx.cluster, ctx.pathParams.alias!, ctx.optionalJson(), {
        dryRun: ctx.bool("dry_run", false),
        lazy: ctx.bool("lazy", false),
      }),
    }),
  },
];
