/** Routes of the document APIs: index/create, get/exists/source, mget, delete, update, bulk. */
import {
  bulk,
  checkUpdateBody,
  deleteDoc,
  getDoc,
  getSource,
  indexDoc,
  parseVersionType,
  updateDoc,
  writeRequestProblems,
  type BulkItem,
  type GetOptions,
} from "../../engine/actions/documents";
import { multiGet, parseMultiGetBody } from "../../engine/actions/multiGet";
import { parseSourceParam, parseSourceValue, type SourceFilter } from "../../engine/docUtils";
import { EsError, errors } from "../../engine/errors";
import type { WriteOptions } from "../../engine/shard";
import type { Json } from "../../engine/types";
import { type RequestContext, type RouteDef } from "../context";
import { locateJsonError, nestingProblem, parseJsonObject, type JsonProblem } from "../json";

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

function writeOptions(ctx: RequestContext): WriteOptions & { requireAlias?: boolean; requireDataStream?: boolean; routing?: string } {
  const opts: WriteOptions & { requireAlias?: boolean; requireDataStream?: boolean; routing?: string } = {};
  setCas(opts, longParam(ctx, "if_seq_no"), longParam(ctx, "if_primary_term"));
  const version = longParam(ctx, "version");
  if (version !== undefined) opts.version = version;
  const vt = ctx.param("version_type");
  if (vt !== undefined) opts.versionType = parseVersionType(vt);
  const opType = ctx.param("op_type");
  if (opType !== undefined) {
    // IndexRequest.opType(String) compares lower-cased
    const op = opType.toLowerCase();
    if (op !== "index" && op !== "create") throw errors.illegalArgument(`opType must be 'create' or 'index', found: [${opType}]`);
    opts.opType = op;
  }
  if (ctx.bool("require_alias", false)) opts.requireAlias = true;
  const routing = ctx.param("routing");
  if (routing) opts.routing = routing;
  checkPipeline(ctx.param("pipeline"));
  if (ctx.bool("require_data_stream", false)) opts.requireDataStream = true;
  return opts;
}

/** `RestRequest.paramAsLong` (versions, seq_no, primary term), with its error and the NumberFormatException under it. */
function longParam(ctx: RequestContext, name: string): number | undefined {
  const v = ctx.param(name);
  if (v === undefined) return undefined;
  if (!/^[+-]?\d{1,19}$/.test(v)) {
    throw new EsError(
      "illegal_argument_exception",
      400,
      `Failed to parse long parameter [${name}] with value [${v}]`,
      {},
      errors.cause("number_format_exception", `For input string: "${v}"`),
    );
  }
  return Number(v);
}

/**
 * `setIfSeqNo`/`setIfPrimaryTerm` of ES's write requests: negative values (other than the
 * unassigned seq_no -2) are an illegal argument, and an unassigned value means "not set".
 */
function setCas(opts: WriteOptions, ifSeqNo: number | undefined, ifPrimaryTerm: number | undefined): void {
  if (ifSeqNo !== undefined && ifSeqNo !== -2) {
    if (ifSeqNo < 0) throw errors.illegalArgument(`sequence numbers must be non negative. got [${ifSeqNo}].`);
    opts.ifSeqNo = ifSeqNo;
  }
  if (ifPrimaryTerm !== undefined) {
    if (ifPrimaryTerm < 0) throw errors.illegalArgument(`primary term must be non negative. got [${ifPrimaryTerm}]`);
    if (ifPrimaryTerm !== 0) opts.ifPrimaryTerm = ifPrimaryTerm;
  }
}

function checkPipeline(p: string | undefined): void {
  if (p !== undefined && p !== "_none") throw errors.notSupported(`ingest pipelines ([pipeline]=[${p}])`);
}

function commaList(v: string): string[] {
  return v
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** `FetchSourceContext.parseFromRestRequest`: `_source`, `_source_includes`, `_source_excludes`, or nothing when none is given. */
function sourceParams(ctx: RequestContext): SourceFilter | undefined {
  const src = [ctx.param("_source"), ctx.param("_source_includes"), ctx.param("_source_excludes")] as const;
  return src.some((v) => v !== undefined) ? parseSourceParam(...src) : undefined;
}

/** `RestGetAction`/`RestGetSourceAction` parameters: realtime, refresh, version check, `_source`, stored fields. */
function getOptions(ctx: RequestContext): GetOptions {
  const opts: GetOptions = { realtime: ctx.bool("realtime", true), refresh: ctx.bool("refresh", false) };
  const source = ctx.param("_source");
  if (source !== undefined) opts.source = source;
  const includes = ctx.param("_source_includes");
  if (includes !== undefined) opts.sourceIncludes = includes;
  const excludes = ctx.param("_source_excludes");
  if (excludes !== undefined) opts.sourceExcludes = excludes;
  const version = longParam(ctx, "version");
  if (version !== undefined) opts.version = version;
  const vt = ctx.param("version_type");
  if (vt !== undefined) opts.versionType = parseVersionType(vt);
  const stored = ctx.param("stored_fields");
  if (stored !== undefined) opts.storedFields = commaList(stored);
  const routing = ctx.param("routing");
  if (routing) opts.routing = routing;
  return opts;
}

async function indexHandler(ctx: RequestContext, forceCreate: boolean) {
  const opType = ctx.param("op_type");
  // RestIndexAction.CreateHandler.validateOpType, before anything else is read
  if (forceCreate && opType !== undefined && opType.toLowerCase() !== "create") {
    throw errors.illegalArgument(`opType must be 'create', found: [${opType}]`);
  }
  const source = ctx.json(documentParseError);
  const opts = writeOptions(ctx);
  if (forceCreate) opts.opType = "create";
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
      const r = getDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, getOptions(ctx));
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "exists",
    methods: ["HEAD"],
    paths: ["/{index}/_doc/{id}"],
    params: GET_PARAMS,
    body: "none",
    handler: (ctx) => ({ status: getDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, getOptions(ctx)).status }),
  },
  {
    api: "get_source",
    methods: ["GET", "HEAD"],
    paths: ["/{index}/_source/{id}"],
    params: GET_PARAMS,
    body: "none",
    handler: (ctx) => {
      const r = getSource(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, getOptions(ctx));
      return { status: r.status, body: r.body };
    },
  },
  {
    api: "mget",
    methods: ["GET", "POST"],
    paths: ["/_mget", "/{index}/_mget"],
    params: [
      "stored_fields",
      "preference",
      "realtime",
      "refresh",
      "routing",
      "_source",
      "_source_includes",
      "_source_excludes",
      "force_synthetic_source",
    ],
    body: "required",
    handler: (ctx) => {
      // RestMultiGetAction: the body (or `source` parameter) is required; path and query give defaults
      if (!ctx.hasBody) throw errors.parse("request body or source parameter is required");
      if (ctx.bool("force_synthetic_source", false)) throw errors.notSupported("synthetic _source ([force_synthetic_source])");
      const defaults: Parameters<typeof parseMultiGetBody>[1] = {};
      if (ctx.pathParams.index !== undefined) defaults.index = ctx.pathParams.index;
      if (ctx.param("routing") !== undefined) defaults.routing = ctx.param("routing")!;
      if (ctx.param("stored_fields") !== undefined) defaults.storedFields = commaList(ctx.param("stored_fields")!);
      const source = sourceParams(ctx);
      if (source) defaults.source = source;
      const items = parseMultiGetBody(ctx.json(), defaults);
      return { body: multiGet(ctx.cluster, items, { realtime: ctx.bool("realtime", true), refresh: ctx.bool("refresh", false) }) };
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
      const opts: Parameters<typeof updateDoc>[4] = { ...writeOptions(ctx), refresh: ctx.refresh() };
      const fetch = sourceParams(ctx);
      if (fetch) opts.fetchSource = fetch;
      const retry = ctx.int("retry_on_conflict");
      if (retry !== undefined) opts.retryOnConflict = retry;
      const r = await updateDoc(ctx.cluster, ctx.pathParams.index!, ctx.pathParams.id!, body, opts);
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
      ctx.checkBodyEncoding();
      const items = parseBulk(
        ctx.bodyText!,
        ctx.pathParams.index,
        ctx.bool("require_alias", false),
        sourceParams(ctx),
        ctx.param("routing"),
        ctx.bool("require_data_stream", false),
      );
      return { body: await bulk(ctx.cluster, items, { refresh: ctx.refresh() }) };
    },
  },
];

/**
 * Action/metadata fields `BulkRequestParser` accepts as simple values; `dynamic_templates` and
 * `_source` may also be objects. Anything else (`_type` included) is "an unknown parameter".
 */
const BULK_META_FIELDS = new Set([
  "_index",
  "_id",
  "routing",
  "op_type",
  "version",
  "version_type",
  "if_seq_no",
  "if_primary_term",
  "retry_on_conflict",
  "pipeline",
  "_source",
  "require_alias",
  "require_data_stream",
  "list_executed_pipelines",
]);
const BULK_META_OBJECTS = new Set(["dynamic_templates", "_source"]);

/** Checks one action/metadata object field by field, with `BulkRequestParser`'s errors. */
function checkBulkMeta(m: Json, lineNo: number): void {
  for (const [k, v] of Object.entries(m)) {
    if (v === null) continue; // VALUE_NULL is skipped
    if (Array.isArray(v) || (typeof v === "object" && !BULK_META_OBJECTS.has(k))) {
      throw errors.illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected a simple value for field [${k}] but found [${tokenName(v)}]`,
      );
    }
    if (typeof v !== "object" && !BULK_META_FIELDS.has(k)) {
      throw errors.illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${k}]`);
    }
  }
}

/**
 * Parses a `_bulk` NDJSON body as ES's `BulkRequestParser`: action/metadata lines, then a source
 * line for index/create/update. Structural problems fail the whole request; a malformed document
 * line fails only its item (ES parses sources lazily, per item).
 */
export function parseBulk(
  text: string,
  defaultIndex: string | undefined,
  requireAlias: boolean,
  defaultSource?: SourceFilter,
  defaultRouting?: string,
  defaultRequireDataStream = false,
): BulkItem[] {
  if (!text.endsWith("\n")) throw errors.illegalArgument("The bulk request must be terminated by a newline [\\n]");
  const lines = text.split("\n");
  lines.pop();
  const items: BulkItem[] = [];
  const problems: string[] = [];
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
    // keys after the action are ignored with a deprecation warning in 8.x (checkBulkActionIsProperlyClosed)
    const meta = parsed[action];
    if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
      throw errors.illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [${tokenName(meta)}]`,
      );
    }
    const m = meta as Json;
    checkBulkMeta(m, lineNo);
    const opts: BulkItem["opts"] = {};
    setCas(opts, m.if_seq_no != null ? Number(m.if_seq_no) : undefined, m.if_primary_term != null ? Number(m.if_primary_term) : undefined);
    if (m.version != null) opts.version = Number(m.version);
    if (m.version_type != null) opts.versionType = parseVersionType(String(m.version_type));
    // `index` with op_type: `IndexRequest.create("create".equals(opType))`; the `create` action is always create
    if (action === "index" && m.op_type != null) opts.opType = String(m.op_type) === "create" ? "create" : "index";
    if (m.require_alias != null ? metaBool(m.require_alias) : requireAlias) opts.requireAlias = true;
    // BulkRequestParser: the request's flag is every item's default
    const requireDataStream = m.require_data_stream != null ? metaBool(m.require_data_stream) : defaultRequireDataStream;
    if (requireDataStream && action !== "update" && action !== "delete") opts.requireDataStream = true;
    const dynamicTemplates =
      m.dynamic_templates !== null && typeof m.dynamic_templates === "object" && Object.keys(m.dynamic_templates).length > 0;
    const item: BulkItem = { action: action as BulkItem["action"], opts };
    let retryOnConflict = 0;
    const index = m._index != null ? String(m._index) : defaultIndex;
    if (index !== undefined) item.index = index;
    if (m._id != null) item.id = String(m._id);
    const routing = m.routing != null ? String(m.routing) : defaultRouting;
    if (routing) item.routing = routing;
    if (m.pipeline != null && m.pipeline !== "_none")
      item.error = errors.notSupported(`ingest pipelines ([pipeline]=[${String(m.pipeline)}])`);
    if (action === "delete") {
      if (dynamicTemplates) throw errors.illegalArgument(`Delete request in line [${lineNo}] does not accept dynamic_templates`);
      problems.push(...itemProblems(item, "delete"));
      items.push(item);
      continue;
    }
    if (action === "update") {
      if (opts.version !== undefined || (opts.versionType !== undefined && opts.versionType !== "internal")) {
        throw errors.illegalArgument("Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead");
      }
      if (requireDataStream) {
        throw errors.illegalArgument(
          "Update requests do not support the `require_data_stream` flag, as data streams do not support update operations",
        );
      }
      if (dynamicTemplates) throw errors.illegalArgument(`Update request in line [${lineNo}] does not accept dynamic_templates`);
      if (m.retry_on_conflict != null) retryOnConflict = Number(m.retry_on_conflict);
      const fetch = m._source != null ? parseSourceValue(m._source) : defaultSource;
      if (fetch) item.fetchSource = fetch;
    }
    if (i < lines.length) {
      const sourceLine = lines[i]!;
      lineNo = i + 1;
      i++;
      try {
        item.source = parseJsonObject(sourceLine, action === "update" ? undefined : documentParseError);
        if (action === "update") checkUpdateBody(item.source); // UpdateRequest.fromXContent: at parse time
      } catch (e) {
        if (action === "update") throw e;
        if (!item.error) item.error = e instanceof EsError ? e : errors.parse(String(e));
      }
    }
    problems.push(...itemProblems(item, action === "update" ? "update" : "index", retryOnConflict));
    items.push(item);
  }
  // BulkRequest.validate: "no requests added", then every item's own validation, in order
  if (items.length === 0) problems.unshift("no requests added");
  if (problems.length > 0) throw errors.validation(problems);
  return items;
}

/**
 * One bulk item's request validation (`IndexRequest`/`DeleteRequest`/`UpdateRequest.validate`):
 * a missing index first, a missing document line for index/create, then the write's own checks.
 */
function itemProblems(item: BulkItem, kind: "index" | "delete" | "update", retryOnConflict = 0): string[] {
  const out: string[] = [];
  if (item.index === undefined) out.push("index is missing");
  if (kind === "index" && item.source === undefined && !item.error) out.push("source is missing");
  const opts = kind === "index" && item.action === "create" ? { ...item.opts, opType: "create" as const } : item.opts;
  const updateBody = item.source ?? {};
  out.push(...writeRequestProblems({ kind, id: item.id, updateBody, retryOnConflict }, opts));
  return out;
}

/** A boolean metadata value as `XContentParser.booleanValue` reads it ("true"/"false" strings too). */
function metaBool(v: unknown): boolean {
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw errors.illegalArgument(`Failed to parse value [${String(v)}] as only [true] or [false] are allowed.`);
}

function parseJsonObjectLine(line: string, lineNo: number): Json {
  let v: unknown;
  const deep = nestingProblem(line);
  if (deep) throw errors.xContentParse(`[${lineNo}:${deep.column}] ${deep.message}`);
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
