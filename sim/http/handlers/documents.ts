/** Routes of the document APIs: index/create, get/exists/source, delete, update, bulk. */
import { bulk, deleteDoc, getDoc, getSource, indexDoc, updateDoc, type BulkItem } from "../../engine/actions/documents";
import { EsError, errors } from "../../engine/errors";
import type { WriteOptions } from "../../engine/shard";
import type { Json } from "../../engine/types";
import { type RequestContext, type RouteDef } from "../context";
import { locateJsonError, parseJsonObject, type JsonProblem } from "../json";

const WRITE_PARAMS = [
  "if_seq_no",
  "if_primary_term",
  "refresh",
  "routing",
  "timeout",
  "version",
  "version_type",
  "wait_for_active_shards",
  "pipeline",
  "require_alias",
  "require_data_stream",
  "op_type",
  "list_executed_pipelines",
  "include_source_on_error",
];
const GET_PARAMS = [
  "realtime",
  "refresh",
  "routing",
  "preference",
  "stored_fields",
  "_source",
  "_source_includes",
  "_source_excludes",
  "version",
  "version_type",
];

/** A document source that is not valid JSON: ES's `document_parsing_exception`. */
export function documentParseError(p: JsonProblem): EsError {
  return errors.documentParsing(
    `[${p.line}:${p.column}] failed to parse: ${p.message}`,
    errors.xContentParse(`[${p.line}:${p.column}] ${p.message}`),
  );
}

function writeOptions(ctx: RequestContext): WriteOptions & { requireAlias?: boolean } {
  const opts: WriteOptions & { requireAlias?: boolean } = {};
  const ifSeqNo = ctx.int("if_seq_no");
  const ifPrimaryTerm = ctx.int("if_primary_term");
  if (ifSeqNo !== undefined) opts.ifSeqNo = ifSeqNo;
  if (ifPrimaryTerm !== undefined) opts.ifPrimaryTerm = ifPrimaryTerm;
  const version = ctx.int("version");
  if (version !== undefined) opts.version = version;
  const vt = ctx.param("version_type");
  if (vt !== undefined) opts.versionType = versionType(vt);
  const opType = ctx.param("op_type");
  if (opType !== undefined) {
    if (opType !== "index" && opType !== "create") throw errors.illegalArgument(`opType must be 'create' or 'index', found: [${opType}]`);
    opts.opType = opType;
  }
  if (ctx.bool("require_alias", false)) opts.requireAlias = true;
  checkPipeline(ctx.param("pipeline"));
  if (ctx.bool("require_data_stream", false)) throw errors.notSupported("data streams ([require_data_stream])");
  return opts;
}

function versionType(v: string): WriteOptions["versionType"] {
  if (v === "internal" || v === "external" || v === "external_gte") return v;
  if (v === "force") throw errors.illegalArgument("version type [force] may no longer be used");
  throw errors.illegalArgument(`No version type match [${v}]`);
}

function checkPipeline(p: string | undefined): void {
  if (p !== undefined && p !== "_none") throw errors.notSupported(`ingest pipelines ([pipeline]=[${p}])`);
}

function rejectStoredFields(ctx: RequestContext): void {
  if (ctx.param("stored_fields") !== undefined) throw errors.notSupported("[stored_fields] on document reads");
}

function sourceOpts(ctx: RequestContext) {
  return {
    realtime: ctx.bool("realtime", true),
    source: ctx.param("_source"),
    sourceIncludes: ctx.param("_source_includes"),
    sourceExcludes: ctx.param("_source_excludes"),
  };
}

async function indexHandler(ctx: RequestContext, forceCreate: boolean) {
  const source = ctx.json(documentParseError);
  const opts = writeOptions(ctx);
  if (forceCreate) {
    if (opts.opType === "index") throw errors.validation(["create operations only support op_type [create]"]);
    opts.opType = "create";
  }
  const r = await indexDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id, source, { ...opts, refresh: ctx.refresh() });
  return {
    status: r.status,
    body: r.body,
    headers:
      r.status === 201
        ? { Location: `/${encodeURIComponent(String(r.body._index))}/_doc/${encodeURIComponent(String(r.body._id))}` }
        : undefined,
  };
}

export const documentRoutes: RouteDef[] = [
  {
    api: "index",
    methods: ["PUT", "POST"],
    paths: ["/{index}/_doc/{id}"],
    params: WRITE_PARAMS,
    body: "required",
    handler: (ctx) => indexHandler(ctx, false),
  },
  {
    api: "index",
    methods: ["POST"],
    paths: ["/{index}/_doc"],
    params: WRITE_PARAMS,
    body: "required",
    handler: (ctx) => indexHandler(ctx, false),
  },
  {
    api: "create",
    methods: ["PUT", "POST"],
    paths: ["/{index}/_create/{id}"],
    params: WRITE_PARAMS,
    body: "required",
    handler: (ctx) => indexHandler(ctx, true),
  },
  {
    api: "get",
    methods: ["GET"],
    paths: ["/{index}/_doc/{id}"],
    params: GET_PARAMS,
    body: "none",
    handler: (ctx) => {
      rejectStoredFields(ctx);
      const r = getDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, sourceOpts(ctx));
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "exists",
    methods: ["HEAD"],
    paths: ["/{index}/_doc/{id}"],
    params: GET_PARAMS,
    body: "none",
    handler: (ctx) => ({ status: getDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, sourceOpts(ctx)).status }),
  },
  {
    api: "get_source",
    methods: ["GET", "HEAD"],
    paths: ["/{index}/_source/{id}"],
    params: GET_PARAMS,
    body: "none",
    handler: (ctx) => {
      const r = getSource(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, sourceOpts(ctx));
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "delete",
    methods: ["DELETE"],
    paths: ["/{index}/_doc/{id}"],
    params: ["if_seq_no", "if_primary_term", "refresh", "routing", "timeout", "version", "version_type", "wait_for_active_shards"],
    body: "none",
    handler: async (ctx) => {
      const r = await deleteDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, { ...writeOptions(ctx), refresh: ctx.refresh() });
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "update",
    methods: ["POST"],
    paths: ["/{index}/_update/{id}"],
    params: [
      "if_seq_no",
      "if_primary_term",
      "refresh",
      "routing",
      "timeout",
      "wait_for_active_shards",
      "retry_on_conflict",
      "require_alias",
      "_source",
      "_source_includes",
      "_source_excludes",
      "lang",
      "include_source_on_error",
    ],
    body: "required",
    handler: async (ctx) => {
      const body = ctx.json();
      const r = await updateDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, body, {
        ...writeOptions(ctx),
        refresh: ctx.refresh(),
        source: ctx.param("_source") ?? (ctx.param("_source_includes") !== undefined ? ctx.param("_source_includes") : undefined),
      });
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "bulk",
    methods: ["POST", "PUT"],
    paths: ["/_bulk", "/{index}/_bulk"],
    params: [
      "refresh",
      "routing",
      "timeout",
      "wait_for_active_shards",
      "pipeline",
      "require_alias",
      "require_data_stream",
      "_source",
      "_source_includes",
      "_source_excludes",
      "list_executed_pipelines",
      "include_source_on_error",
    ],
    body: "ndjson",
    handler: async (ctx) => {
      checkPipeline(ctx.param("pipeline"));
      if (!ctx.hasBody) throw errors.parse("request body is required");
      const items = parseBulk(ctx.bodyText!, ctx.pathParams.index, ctx.bool("require_alias", false));
      return { body: await bulk(ctx.cluster, items, { refresh: ctx.refresh() }) };
    },
  },
];

const BULK_META_FIELDS = new Set([
  "_index",
  "_id",
  "routing",
  "if_seq_no",
  "if_primary_term",
  "version",
  "version_type",
  "require_alias",
  "pipeline",
  "retry_on_conflict",
  "_source",
  "dynamic_templates",
  "require_data_stream",
  "list_executed_pipelines",
]);

/**
 * Parses a `_bulk` NDJSON body as ES's `BulkRequestParser`: action/metadata lines, then a source
 * line for index/create/update. Structural problems fail the whole request; a malformed document
 * line fails only its item (ES parses sources lazily, per item).
 */
export function parseBulk(text: string, defaultIndex: string | undefined, requireAlias: boolean): BulkItem[] {
  if (!text.endsWith("\n")) throw errors.illegalArgument("The bulk request must be terminated by a newline [\\n]");
  const lines = text.split("\n");
  lines.pop();
  const items: BulkItem[] = [];
  const missing: string[] = [];
  let i = 0;
  let lineNo = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    lineNo = i + 1;
    i++;
    if (line.trim() === "") continue;
    const parsed = parseJsonObjectLine(line, lineNo);
    const keys = Object.keys(parsed);
    if (keys.length === 0)
      throw errors.illegalArgument(`Malformed action/metadata line [${lineNo}], expected FIELD_NAME but found [END_OBJECT]`);
    const action = keys[0]!;
    if (!["index", "create", "update", "delete"].includes(action)) {
      throw errors.illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${action}]`,
      );
    }
    if (keys.length > 1) {
      throw errors.illegalArgument(`Malformed action/metadata line [${lineNo}], expected END_OBJECT but found [FIELD_NAME]`);
    }
    const meta = parsed[action];
    if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
      throw errors.illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [${tokenName(meta)}]`,
      );
    }
    const m = meta as Json;
    for (const k of Object.keys(m)) {
      if (!BULK_META_FIELDS.has(k)) throw errors.illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${k}]`);
    }
    const opts: BulkItem["opts"] = {};
    if (m.if_seq_no !== undefined) opts.ifSeqNo = Number(m.if_seq_no);
    if (m.if_primary_term !== undefined) opts.ifPrimaryTerm = Number(m.if_primary_term);
    if (m.version !== undefined) opts.version = Number(m.version);
    if (m.version_type !== undefined) opts.versionType = versionType(String(m.version_type));
    if (m.require_alias === true || (m.require_alias === undefined && requireAlias)) opts.requireAlias = true;
    const item: BulkItem = { action: action as BulkItem["action"], opts };
    const index = (m._index as string | undefined) ?? defaultIndex;
    if (index !== undefined) item.index = String(index);
    else missing.push("index is missing");
    if (m._id !== undefined && m._id !== null) item.id = String(m._id);
    if (m.pipeline !== undefined && m.pipeline !== "_none")
      item.error = errors.notSupported(`ingest pipelines ([pipeline]=[${String(m.pipeline)}])`);
    if (action === "delete") {
      if (item.id === undefined) missing.push("id is missing");
      items.push(item);
      continue;
    }
    if (action === "update" && item.id === undefined) missing.push("id is missing");
    if (i >= lines.length) {
      missing.push(action === "update" ? "script or doc is missing" : "source is missing");
      items.push(item);
      break;
    }
    const sourceLine = lines[i]!;
    lineNo = i + 1;
    i++;
    try {
      item.source = parseJsonObject(sourceLine, action === "update" ? undefined : documentParseError);
    } catch (e) {
      if (action === "update") throw e;
      if (!item.error) item.error = e instanceof EsError ? e : errors.parse(String(e));
    }
    items.push(item);
  }
  if (missing.length > 0) throw errors.validation(missing);
  if (items.length === 0) throw errors.validation(["no requests added"]);
  return items;
}

function parseJsonObjectLine(line: string, lineNo: number): Json {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    const p = locateJsonError(line);
    throw errors.xContentParse(`[${lineNo}:${p.column}] ${p.message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw errors.illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [${tokenName(v)}]`);
  }
  return v as Json;
}

function tokenName(v: unknown): string {
  if (v === null) return "VALUE_NULL";
  if (Array.isArray(v)) return "START_ARRAY";
  if (typeof v === "string") return "VALUE_STRING";
  if (typeof v === "number") return Number.isInteger(v) ? "VALUE_NUMBER_INT" : "VALUE_NUMBER_FLOAT";
  if (typeof v === "boolean") return v ? "VALUE_TRUE" : "VALUE_FALSE";
  return "START_OBJECT";
}
