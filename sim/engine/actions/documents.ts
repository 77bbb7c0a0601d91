/**
 * Single-document actions and bulk, as ES's `TransportIndexAction`, `TransportDeleteAction`,
 * `TransportGetAction`, `TransportUpdateAction` and `TransportBulkAction`: resolving the index a
 * document goes to (concrete index, an alias's write index, or an auto-created index), writing on
 * its shard, one fsync per request, then the `refresh` policy. Each takes the cluster state as its
 * first argument.
 */
import type { Cluster } from "../cluster";
import {
  deepEqual,
  filterSource,
  generateDocId,
  mergeDoc,
  parseSourceParam,
  parseSourceValue,
  storedFieldValues,
  type SourceFilter,
} from "../docUtils";
import { EsError, errors } from "../errors";
import { simpleMatch, validateIndexName } from "../names";
import { MAX_DOCUMENT_ID_BYTES, type IndexShard, type WriteOptions, type WriteResult } from "../shard";
import type { Answer, Json, StoredDoc } from "../types";
import { dataStreams, missingTimestampReason, parentDataStream, TIMESTAMP_FIELD, writeIndexOf } from "../dataStreams";
import { createDataStreamNow, dataStreamTemplateMatches } from "./dataStreams";
import { createIndexInternal } from "./indexAdmin";
import { replicasOf } from "./shardCopies";

/** `refresh` request parameter. */
export type RefreshPolicy = "true" | "false" | "wait_for";

/** One parsed `_bulk` item. */
export interface BulkItem {
  action: "index" | "create" | "update" | "delete";
  index?: string;
  id?: string;
  /** Document (index/create) or update body. */
  source?: Json;
  opts: WriteOptions & { requireAlias?: boolean; requireDataStream?: boolean };
  /** `routing` of the item (or the request's); empty means none, as ES's requests treat it. */
  routing?: string;
  /** A problem found while parsing this item's lines; reported in its slot. */
  error?: EsError;
  /** An update's `_source` (its own or the request's): the updated document comes back under `get`. */
  fetchSource?: SourceFilter;
}

/** What a write does, for the data stream rule (only `create` goes through a stream's name). */
type WriteKind = "index" | "create" | "update";

/**
 * Resolves the index a write goes to: a concrete index, an alias's write index, a data stream's
 * write index, or an auto-created index (or data stream, when the name matches a template with
 * `data_stream`). `require_alias` is checked first, as TransportBulkAction does before
 * auto-creation: a name that is not an alias fails, whether or not an index of that name exists.
 */
async function writeTarget(
  cluster: Cluster,
  name: string,
  requireAlias: boolean,
  kind: WriteKind,
  requireDataStream = false,
): Promise<IndexShard> {
  const found = existingWriteTarget(cluster, name, requireAlias, kind);
  if (found) return requireDataStreamTarget(cluster, name, requireDataStream, found);
  checkAutoCreate(cluster, name);
  validateIndexName(name);
  // MetadataCreateIndexService via AutoCreateAction: a request that requires a data stream
  // creates nothing else
  if (requireDataStream && !dataStreamTemplateMatches(cluster, name)) {
    throw new EsError(
      "index_not_found_exception",
      404,
      `no such index [${name}] and the index creation request requires a data stream, but no matching index template with data stream template was found for it`,
      { "resource.type": "index_expression", "resource.id": name, index_uuid: "_na_", index: name },
    );
  }
  // AutoCreateAction: the creation is a metadata update that first looks again, so concurrent
  // writers into one missing index (single requests or bulk items) share the one index the first
  // of them creates instead of each registering its own (and losing the others' documents).
  const target = await cluster.updateMetadata(async () => {
    const again = existingWriteTarget(cluster, name, requireAlias, kind);
    if (again) return again;
    if (!dataStreamTemplateMatches(cluster, name)) return createIndexInternal(cluster, name, {}, {}, {}, {}, { applyTemplates: true });
    // the stream is created whatever the op type; an index op then fails on it, as in ES
    await createDataStreamNow(cluster, name);
    return existingWriteTarget(cluster, name, requireAlias, kind)!;
  });
  return requireDataStreamTarget(cluster, name, requireDataStream, target);
}

/**
 * BulkOperation.addFailureIfRequiresDataStreamAndNoParentDataStream: with `require_data_stream`
 * the name written to must be a data stream.
 */
function requireDataStreamTarget(cluster: Cluster, name: string, requireDataStream: boolean, target: IndexShard): IndexShard {
  if (requireDataStream && !dataStreams(cluster)[name]) {
    throw errors.resourceNotFound(`[require_data_stream] request flag is [true] and [${name}] is not a data stream`);
  }
  return target;
}

/** The existing index a write to `name` goes to, or undefined when it would be auto-created. */
function existingWriteTarget(cluster: Cluster, name: string, requireAlias: boolean, kind: WriteKind): IndexShard | undefined {
  const aliased = cluster.indexShards().filter((s) => name in s.meta.aliases);
  if (requireAlias && aliased.length === 0) throw errors.requireAliasNotAlias(name);
  const stream = dataStreamWriteIndex(cluster, name, kind);
  if (stream) return stream;
  const concrete = cluster.shard(name);
  if (concrete) return concrete;
  if (aliased.length === 1 && aliased[0]!.meta.aliases[name]!.is_write_index !== false) return aliased[0]!;
  if (aliased.length > 0) {
    const w = aliased.filter((s) => s.meta.aliases[name]!.is_write_index === true);
    if (w.length === 1) return w[0]!;
    throw errors.noWriteIndex(name);
  }
  return undefined;
}

/**
 * The write index of the data stream `name`, or undefined when it is not one; anything but a
 * `create` through a stream's name is refused (TransportBulkAction.validateWriteIndex).
 */
function dataStreamWriteIndex(cluster: Cluster, name: string, kind: WriteKind | "delete"): IndexShard | undefined {
  const ds = dataStreams(cluster)[name];
  if (!ds) return undefined;
  if (kind !== "create") throw errors.illegalArgument("only write ops with an op_type of create are allowed in data streams");
  return cluster.requireShard(writeIndexOf(ds));
}

/**
 * TransportBulkAction's checks of a write by the name it gives, before the target is resolved:
 * `prohibitCustomRoutingOnDataStream` (routing through a stream whose template does not allow it)
 * and `prohibitAppendWritesInBackingIndices` (a create, or an index without `if_seq_no`, aimed at a
 * backing index by its own name; updates and deletes may target backing indices).
 */
function checkDataStreamRequest(cluster: Cluster, name: string, kind: WriteKind | "delete", opts: WriteOptions, routing?: string): void {
  const streams = dataStreams(cluster);
  const stream = streams[name];
  if (stream && routing && !stream.allow_custom_routing) {
    throw errors.illegalArgument(
      `index request targeting data stream [${name}] specifies a custom routing but the [allow_custom_routing] setting was not enabled in the data stream's template.`,
    );
  }
  if (kind !== "index" && kind !== "create") return;
  const parent = cluster.shard(name) ? parentDataStream(streams, name) : undefined;
  if (!parent) return;
  if (kind === "create") {
    throw errors.illegalArgument(
      `index request with op_type=create targeting backing indices is disallowed, target corresponding data stream [${parent.name}] instead`,
    );
  }
  if (opts.ifSeqNo === undefined && opts.ifPrimaryTerm === undefined) {
    throw errors.illegalArgument(
      `index request with op_type=index and no if_primary_term and if_seq_no set targeting backing indices is disallowed, target corresponding data stream [${parent.name}] instead`,
    );
  }
}

/**
 * A document for a backing index must carry `@timestamp` (its `_data_stream_timestamp` metadata
 * field mapper checks after parsing; the `date` mapping checks the value).
 */
function checkDataStreamDocument(cluster: Cluster, shard: IndexShard, source: Json): void {
  if (source[TIMESTAMP_FIELD] !== undefined && source[TIMESTAMP_FIELD] !== null) return;
  if (!parentDataStream(dataStreams(cluster), shard.name)) return;
  const reason = missingTimestampReason(source);
  throw errors.documentParsing(reason, errors.illegalArgument(`data stream timestamp field [${TIMESTAMP_FIELD}] is missing`));
}

function checkAutoCreate(cluster: Cluster, name: string): void {
  const raw = cluster.clusterSetting("action.auto_create_index");
  const value = Array.isArray(raw) ? raw.join(",") : String(raw ?? "true");
  if (value === "true") return;
  if (value === "false") {
    throw new EsError("index_not_found_exception", 404, `no such index [${name}] and [action.auto_create_index] is [false]`, {
      "resource.type": "index_expression",
      "resource.id": name,
      index_uuid: "_na_",
      index: name,
    });
  }
  for (const pattern of value.split(",").map((p) => p.trim())) {
    const negative = pattern.startsWith("-");
    const p = pattern.replace(/^[+-]/, "");
    if (simpleMatch(p, name)) {
      if (negative) break;
      return;
    }
  }
  throw new EsError("index_not_found_exception", 404, `no such index [${name}] and [action.auto_create_index] ([${value}]) doesn't match`, {
    "resource.type": "index_expression",
    "resource.id": name,
    index_uuid: "_na_",
    index: name,
  });
}

/** Resolves the single index a document read goes to. */
export function readTarget(cluster: Cluster, name: string): IndexShard {
  const concrete = cluster.shard(name);
  if (concrete) return concrete;
  const aliased = cluster.indexShards().filter((s) => name in s.meta.aliases);
  if (aliased.length === 1) return aliased[0]!;
  if (aliased.length > 1) {
    throw errors.illegalArgument(
      `alias [${name}] has more than one index associated with it [${aliased
        .map((s) => s.name)
        .sort()
        .join(", ")}], can't execute a single index op`,
    );
  }
  throw errors.indexNotFound(name);
}

/**
 * The routing of an id-based operation, as ES's `Metadata.resolveIndexRouting` and
 * `routingRequired`: an alias's `index_routing` (or `routing`) replaces the request's, which must
 * then be absent or equal; an index whose mapping says `_routing: {required: true}` refuses an
 * operation left without routing (RoutingMissingException, 400). An empty routing is none.
 */
function resolveRouting(shard: IndexShard, requested: string, id: string, routing: string | undefined): string | undefined {
  let out = routing || undefined;
  const alias = shard.meta.aliases[requested];
  const aliasRouting = alias?.index_routing ?? alias?.routing;
  if (aliasRouting !== undefined) {
    if (aliasRouting.includes(",")) {
      throw errors.illegalArgument(
        `index/alias [${requested}] provided with routing value [${aliasRouting}] that resolved to several routing values, rejecting operation`,
      );
    }
    if (out !== undefined && out !== aliasRouting) {
      throw errors.illegalArgument(
        `Alias [${requested}] has index routing associated with it [${aliasRouting}], and was provided with routing value [${out}], rejecting operation`,
      );
    }
    out = aliasRouting;
  }
  const meta = shard.meta.mappings._routing;
  if (out === undefined && meta !== null && typeof meta === "object" && (meta as Json).required === true) {
    throw errors.routingMissing(shard.name, id);
  }
  return out;
}

function writeBody(shard: IndexShard, r: WriteResult, forcedRefresh: boolean): Json {
  const body: Json = { _index: r._index, _id: r._id, _version: r._version, result: r.result };
  if (forcedRefresh) body.forced_refresh = true;
  body._shards = r.result === "noop" ? { total: 0, successful: 0, failed: 0 } : { total: 1 + replicasOf(shard), successful: 1, failed: 0 };
  body._seq_no = r._seq_no;
  body._primary_term = r._primary_term;
  return body;
}

/** Applies `refresh=true|wait_for` after a durable write; returns whether a refresh was forced. */
async function afterWrite(cluster: Cluster, shard: IndexShard, seqNo: number, refresh: RefreshPolicy | undefined): Promise<boolean> {
  if (refresh === "true") {
    await shard.refreshInSlices(cluster.now(), "internal");
    return true;
  }
  if (refresh === "wait_for") return shard.waitForRefresh(seqNo, cluster.now());
  return false;
}

/** `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc`, `PUT /{index}/_create/{id}` */
export async function indexDoc(
  cluster: Cluster,
  index: string,
  id: string | undefined,
  source: Json,
  opts: WriteOptions & { refresh?: RefreshPolicy; requireAlias?: boolean; requireDataStream?: boolean; routing?: string },
): Promise<Answer> {
  validateWrite({ kind: "index", id }, opts);
  const kind = id === undefined ? "create" : (opts.opType ?? "index");
  checkDataStreamRequest(cluster, index, kind, opts, opts.routing);
  const shard = await writeTarget(cluster, index, opts.requireAlias ?? false, kind, opts.requireDataStream);
  checkDataStreamDocument(cluster, shard, source);
  const docId = id ?? generateDocId(cluster.now());
  const routing = resolveRouting(shard, index, docId, opts.routing);
  const r = shard.index(docId, source, { ...opts, routing, ...(id === undefined ? { opType: "create" as const } : {}) }, cluster.now());
  await cluster.commit(shard.name);
  const forced = await afterWrite(cluster, shard, r._seq_no, opts.refresh);
  return { status: r.status, body: writeBody(shard, r, forced) };
}

/** `DELETE /{index}/_doc/{id}` */
export async function deleteDoc(
  cluster: Cluster,
  index: string,
  id: string,
  opts: WriteOptions & { refresh?: RefreshPolicy; routing?: string },
): Promise<Answer> {
  validateWrite({ kind: "delete", id }, opts);
  const shard = writeTargetNoCreate(cluster, index);
  resolveRouting(shard, index, id, opts.routing);
  const r = shard.delete(id, opts, cluster.now());
  await cluster.commit(shard.name);
  const forced = await afterWrite(cluster, shard, r._seq_no, opts.refresh);
  return { status: r.status, body: writeBody(shard, r, forced) };
}

/** Deletes do not auto-create (ES 8 `TransportBulkAction`: a delete into a missing index is `index_not_found`). */
function writeTargetNoCreate(cluster: Cluster, index: string): IndexShard {
  dataStreamWriteIndex(cluster, index, "delete");
  const concrete = cluster.shard(index);
  if (concrete) return concrete;
  const aliased = cluster.indexShards().filter((s) => index in s.meta.aliases);
  if (aliased.length === 1) return aliased[0]!;
  const w = aliased.filter((s) => s.meta.aliases[index]!.is_write_index === true);
  if (w.length === 1) return w[0]!;
  if (aliased.length > 1) throw errors.noWriteIndex(index);
  throw errors.indexNotFound(index);
}

/** Options of a document read (`GetRequest`): realtime, refresh, version check, `_source` and stored fields. */
export interface GetOptions {
  realtime?: boolean;
  /** Refresh the shard before reading (`refresh=true`). */
  refresh?: boolean;
  source?: string;
  sourceIncludes?: string;
  sourceExcludes?: string;
  /** Expected `_version`; a live document with another version is a 409. */
  version?: number;
  versionType?: "internal" | "external" | "external_gte";
  storedFields?: string[];
  routing?: string;
}

/** `VersionType.fromString`: `external_gt` is an alias of `external`; `force` is gone since 7.0. */
export function parseVersionType(v: string): "internal" | "external" | "external_gte" {
  if (v === "internal" || v === "external" || v === "external_gte") return v;
  if (v === "external_gt") return "external";
  throw errors.illegalArgument(`No version type match [${v}]`);
}

/**
 * `GetRequest.validate`: a version must be valid for reads of its version type (internal: > 0,
 * external and external_gte: >= 0).
 */
export function validateGetVersion(opts: { version?: number; versionType?: GetOptions["versionType"] }): void {
  if (opts.version === undefined) return;
  const type = opts.versionType ?? "internal";
  const ok = type === "internal" ? opts.version > 0 : opts.version >= 0;
  if (!ok) throw errors.validation([`illegal version value [${opts.version}] for version type [${type.toUpperCase()}]`]);
}

/**
 * Reads one document from its shard as ES's `ShardGetService`: an optional refresh first, then a
 * realtime or searcher read. With `version` set, a found document whose version differs is a
 * `version_conflict_engine_exception` for every version type (`VersionType.isVersionConflictForReads`
 * compares for equality); a missing or deleted document is simply not found.
 */
export function readDoc(cluster: Cluster, shard: IndexShard, requested: string, id: string, opts: GetOptions): StoredDoc | undefined {
  resolveRouting(shard, requested, id, opts.routing);
  if (opts.refresh) {
    shard.checkReadable();
    shard.refresh(cluster.now(), "internal");
  }
  const doc = shard.get(id, opts.realtime ?? true);
  if (doc && opts.version !== undefined && doc.version !== opts.version) {
    throw errors.versionConflict(
      id,
      `version conflict, current version [${doc.version}] is different than the one provided [${opts.version}]`,
      shard.name,
      shard.uuid,
    );
  }
  return doc;
}

/**
 * The `_source` to return (`ShardGetService.normalizeFetchSourceContent`): without any `_source`
 * parameter, asking for stored fields turns the source off unless `_source` is one of them.
 */
export function getSourceFilter(opts: GetOptions): SourceFilter {
  const explicit = opts.source !== undefined || opts.sourceIncludes !== undefined || opts.sourceExcludes !== undefined;
  return explicit ? parseSourceParam(opts.source, opts.sourceIncludes, opts.sourceExcludes) : defaultSourceFilter(opts.storedFields);
}

/** The `_source` of a read that did not say: all of it, unless stored fields without `_source` were asked for. */
export function defaultSourceFilter(storedFields: string[] | undefined): SourceFilter {
  const fetch = storedFields === undefined || storedFields.includes("_source");
  return { enabled: fetch, includes: [], excludes: [] };
}

/** A found document as `GetResult` renders it: metadata, `found`, `_source`, then stored `fields`. */
export function foundDocBody(shard: IndexShard, doc: StoredDoc, filter: SourceFilter, storedFields: string[] | undefined): Json {
  const body: Json = {
    _index: shard.name,
    _id: doc.id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
  };
  if (doc.routing !== undefined) body._routing = doc.routing; // a metadata field, before `found` (GetResult)
  body.found = true;
  if (filter.enabled) body._source = filterSource(doc.source, filter.includes, filter.excludes);
  if (storedFields !== undefined) {
    const fields = storedFieldValues(shard.meta.mappings, doc.source, storedFields);
    if (Object.keys(fields).length > 0) body.fields = fields;
  }
  return body;
}

/** `GET|HEAD /{index}/_doc/{id}` (realtime by default) */
export function getDoc(cluster: Cluster, index: string, id: string, opts: GetOptions): Answer {
  validateGetVersion(opts);
  const shard = readTarget(cluster, index);
  const doc = readDoc(cluster, shard, index, id, opts);
  if (!doc) return { status: 404, body: { _index: shard.name, _id: id, found: false } };
  return { status: 200, body: foundDocBody(shard, doc, getSourceFilter(opts), opts.storedFields) };
}

/** `GET|HEAD /{index}/_source/{id}` */
export function getSource(cluster: Cluster, index: string, id: string, opts: GetOptions): Answer {
  // RestGetSourceAction refuses `_source=false` before asking for the document
  const filter = parseSourceParam(opts.source, opts.sourceIncludes, opts.sourceExcludes);
  if (!filter.enabled) throw errors.validation(["fetching source can not be disabled"]);
  validateGetVersion(opts);
  const shard = readTarget(cluster, index);
  const doc = readDoc(cluster, shard, index, id, opts);
  if (!doc) {
    throw new EsError("resource_not_found_exception", 404, `Document not found [${shard.name}]/[${id}]`);
  }
  return { status: 200, body: filterSource(doc.source, filter.includes, filter.excludes) };
}

/** `POST /{index}/_update/{id}` with `doc`, `doc_as_upsert`, `upsert`, `detect_noop`. */
export async function updateDoc(
  cluster: Cluster,
  index: string,
  id: string,
  body: Json,
  opts: WriteOptions & {
    refresh?: RefreshPolicy;
    fetchSource?: SourceFilter;
    requireAlias?: boolean;
    retryOnConflict?: number;
    routing?: string;
  },
): Promise<Answer> {
  checkUpdateBody(body);
  validateWrite({ kind: "update", id, updateBody: body, retryOnConflict: opts.retryOnConflict }, opts);
  const shard = await writeTarget(cluster, index, opts.requireAlias ?? false, "update");
  const routing = resolveRouting(shard, index, id, opts.routing);
  const r = updateOnShard(cluster, shard, id, body, { ...opts, routing });
  if (r.result !== "noop") {
    await cluster.commit(shard.name);
  }
  const forced = r.result === "noop" ? false : await afterWrite(cluster, shard, r._seq_no, opts.refresh);
  const out = writeBody(shard, r, forced);
  // RestUpdateAction applies the query's `_source` first; the body's `_source` then replaces it
  const fetch = body._source !== undefined && body._source !== null ? parseSourceValue(body._source) : opts.fetchSource;
  if (fetch) addUpdateGet(out, shard, id, fetch);
  return { status: r.status, body: out };
}

/** An update's `get` (`UpdateHelper.extractGetResult`): the document after the update, its `_source` filtered. */
function addUpdateGet(out: Json, shard: IndexShard, id: string, filter: SourceFilter): void {
  if (!filter.enabled) return;
  const doc = shard.docs.get(id);
  if (!doc || doc.source === null) return;
  const get: Json = { _seq_no: doc.seqNo, _primary_term: doc.primaryTerm };
  if (doc.routing !== undefined) get._routing = doc.routing;
  get.found = true;
  get._source = filterSource(doc.source, filter.includes, filter.excludes);
  out.get = get;
}

/** `UpdateRequest.fromXContent`: the body's fields (parsed before validation, so before anything runs). */
export function checkUpdateBody(body: Json): void {
  for (const key of Object.keys(body)) {
    if (!["doc", "upsert", "doc_as_upsert", "detect_noop", "script", "scripted_upsert", "_source", "lang"].includes(key)) {
      throw errors.xContentParse(`[1:2] [UpdateRequest] unknown field [${key}]`);
    }
  }
  const doc = body.doc;
  if (doc !== undefined && (doc === null || typeof doc !== "object" || Array.isArray(doc))) throw errors.parse("[doc] must be an object");
}

function updateOnShard(cluster: Cluster, shard: IndexShard, id: string, body: Json, opts: WriteOptions): WriteResult {
  if (body.script !== undefined) throw errors.notSupported("scripted updates ([script] in _update)");
  const doc = body.doc as Json | undefined;
  shard.checkWritable();
  const now = cluster.now();
  const existing = shard.docs.get(id);
  if (!existing || existing.source === null) {
    const upsertDoc = body.doc_as_upsert === true ? doc : (body.upsert as Json | undefined);
    if (!upsertDoc) throw errors.documentMissing(id, shard.name, shard.uuid);
    return shard.index(id, upsertDoc, { ...opts, opType: "create" }, now);
  }
  if (opts.ifSeqNo !== undefined && (existing.seqNo !== opts.ifSeqNo || existing.primaryTerm !== opts.ifPrimaryTerm)) {
    return shard.index(id, existing.source, opts, now); // raises ES's version conflict
  }
  const merged = doc ? mergeDoc(existing.source, doc) : existing.source;
  if (body.detect_noop !== false && deepEqual(merged, existing.source)) return shard.noop(id);
  return shard.index(id, merged, { ifSeqNo: opts.ifSeqNo, ifPrimaryTerm: opts.ifPrimaryTerm, routing: opts.routing }, now);
}

/**
 * `POST /_bulk`: executes items in order, each answering its own result or error; one fsync for
 * the whole request; `errors` is true if any item failed (a `not_found` delete is not a failure).
 * A large bulk pauses between items when its slice of the node's time is used up: ES executes it
 * on a write thread while other requests go on, and other writes may come between its items there
 * too (each item holds only its document's lock).
 */
export async function bulk(cluster: Cluster, items: BulkItem[], opts: { refresh?: RefreshPolicy }): Promise<Json> {
  const started = cluster.now();
  const results: Json[] = [];
  const touched = new Map<IndexShard, number>();
  let anyError = false;
  let sliceUsed = cluster.slicer.slice();
  for (const item of items) {
    if (sliceUsed()) {
      await cluster.slicer.pause();
      sliceUsed = cluster.slicer.slice();
    }
    const index = item.index ?? "";
    let shard: IndexShard | undefined;
    try {
      if (item.error) throw item.error;
      let r: WriteResult;
      const now = cluster.now();
      switch (item.action) {
        case "index":
        case "create": {
          const kind = item.action === "create" || item.id === undefined ? "create" : (item.opts.opType ?? "index");
          checkDataStreamRequest(cluster, index, kind, item.opts, item.routing);
          shard = await writeTarget(cluster, index, item.opts.requireAlias ?? false, kind, item.opts.requireDataStream);
          checkDataStreamDocument(cluster, shard, item.source ?? {});
          // IndexRouting.process, after the index was resolved (or auto-created): an empty _id
          // fails only this item; an absent one is generated
          if (item.id === "") throw errors.illegalArgument("if _id is specified it must not be empty");
          const id = item.id ?? generateDocId(now);
          const routing = resolveRouting(shard, index, id, item.routing);
          const opType = item.action === "create" || item.id === undefined ? "create" : item.opts.opType;
          r = shard.index(id, item.source ?? {}, { ...item.opts, opType, routing }, now);
          break;
        }
        case "delete":
          shard = writeTargetNoCreate(cluster, index);
          resolveRouting(shard, index, item.id!, item.routing);
          r = shard.delete(item.id!, item.opts, now);
          break;
        case "update": {
          shard = await writeTarget(cluster, index, item.opts.requireAlias ?? false, "update");
          const routing = resolveRouting(shard, index, item.id!, item.routing);
          r = updateOnShard(cluster, shard, item.id!, item.source ?? {}, { ...item.opts, routing });
          break;
        }
        default: {
          const never: never = item.action;
          throw new Error(`unknown bulk action ${String(never)}`);
        }
      }
      if (r.result !== "noop") touched.set(shard, Math.max(touched.get(shard) ?? -1, r._seq_no));
      const body = writeBody(shard, r, false);
      if (item.action === "update" && item.fetchSource) addUpdateGet(body, shard, item.id!, item.fetchSource);
      body.status = r.status;
      results.push({ [item.action]: body });
    } catch (e) {
      const err = e instanceof EsError ? e : errors.illegalArgument(String((e as Error).message ?? e));
      anyError = true;
      // the failure names the index the item resolved to (an alias's write index), else the one asked for
      const failedIndex = shard?.name ?? cluster.shard(index)?.name ?? index;
      const failed: Json = { _index: failedIndex, _id: item.id ?? null, status: err.status, error: err.toJSON() };
      results.push({ [item.action]: failed });
    }
  }
  try {
    await cluster.commit();
  } catch (e) {
    // the operations are not durable: as a failed shard-level bulk request in ES, every item that
    // had succeeded fails with the cause (no space left; see Cluster.storageFailure), none acknowledged
    if (!(e instanceof EsError) || e.type !== "i_o_exception") throw e;
    for (const r of results) {
      const [action, inner] = Object.entries(r)[0] as [string, Json];
      if (inner.error !== undefined) continue;
      r[action] = { _index: inner._index, _id: inner._id, status: e.status, error: e.toJSON() };
    }
    return { errors: true, took: Math.max(0, cluster.now() - started), items: results };
  }
  for (const shard of touched.keys()) cluster.events.emit("ops-durable", shard.name);
  let forced = false;
  for (const [shard, seq] of touched) forced = (await afterWrite(cluster, shard, seq, opts.refresh)) || forced;
  if (forced) {
    for (const r of results) {
      const inner = Object.values(r)[0] as Json;
      if (inner.error === undefined && inner.result !== "noop") inner.forced_refresh = true;
    }
  }
  return { errors: anyError, took: Math.max(0, cluster.now() - started), items: results };
}

/** What of a write its request validation looks at besides the concurrency options. */
export interface WriteCheck {
  kind: "index" | "delete" | "update";
  id?: string | undefined;
  /** An update's body (`doc`, `upsert`, `doc_as_upsert`, `script`). */
  updateBody?: Json;
  retryOnConflict?: number;
}

/**
 * ES's request validation of a write, problems in ES's order: `IndexRequest.validate` (create's
 * own rules first, each ending the check), `DeleteRequest.validate`, `UpdateRequest.validate`, and
 * their shared `DocWriteRequest.validateSeqNoBasedCASParams` and `validateDocIdLength`. A single
 * write answers them as one `action_request_validation_exception`; `_bulk` gathers every item's
 * (BulkRequest.validate) and fails the whole request.
 */
export function writeRequestProblems(check: WriteCheck, opts: WriteOptions): string[] {
  const problems: string[] = [];
  const versionType = opts.versionType ?? "internal";
  const { id } = check;
  if (check.kind === "index") {
    if (opts.opType === "create") {
      if (versionType !== "internal") return ["create operations only support internal versioning. use index instead"];
      if (opts.version !== undefined) return ["create operations do not support explicit versions. use index instead"];
      if (opts.ifSeqNo !== undefined || opts.ifPrimaryTerm !== undefined) {
        return ["create operations do not support compare and set. use index instead"];
      }
    }
    if (id === undefined && (versionType !== "internal" || opts.version !== undefined)) {
      problems.push("an id must be provided if version type or value are set");
    }
  } else if (!id) problems.push("id is missing");
  problems.push(...casProblems(opts));
  if (check.kind === "update") {
    const body = check.updateBody ?? {};
    const hasDoc = body.doc !== undefined && body.doc !== null;
    const hasScript = body.script !== undefined && body.script !== null;
    if (opts.ifSeqNo !== undefined) {
      if ((check.retryOnConflict ?? 0) > 0) problems.push("compare and write operations can not be retried");
      if (body.doc_as_upsert === true) problems.push("compare and write operations can not be used with upsert");
      if (body.upsert !== undefined && body.upsert !== null)
        problems.push("upsert requests don't support `if_seq_no` and `if_primary_term`");
    }
    if (!hasScript && !hasDoc) problems.push("script or doc is missing");
    if (hasScript && hasDoc) problems.push("can't provide both script and doc");
    if (!hasDoc && body.doc_as_upsert === true) problems.push("doc must be specified if doc_as_upsert is enabled");
  } else if (id !== undefined && Buffer.byteLength(id, "utf8") > MAX_DOCUMENT_ID_BYTES) {
    problems.push(`id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id, "utf8")}`);
  }
  return problems;
}

/** `DocWriteRequest.validateSeqNoBasedCASParams`; an absent version is ES's MATCH_ANY (-3). */
function casProblems(opts: WriteOptions): string[] {
  const problems: string[] = [];
  const versionType = opts.versionType ?? "internal";
  const version = opts.version ?? -3;
  const validForWrites = versionType === "internal" ? version > 0 || version === -3 || version === -4 : version >= 0;
  if (!validForWrites) problems.push(`illegal version value [${version}] for version type [${versionType.toUpperCase()}]`);
  if (versionType === "internal" && version !== -3 && version !== -4) {
    problems.push(
      "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead",
    );
  }
  if (opts.ifSeqNo !== undefined && (versionType !== "internal" || version !== -3))
    problems.push("compare and write operations can not use versioning");
  if (opts.ifPrimaryTerm === undefined && opts.ifSeqNo !== undefined) problems.push("ifSeqNo is set, but primary term is [0]");
  if (opts.ifPrimaryTerm !== undefined && opts.ifSeqNo === undefined)
    problems.push(`ifSeqNo is unassigned, but primary term is [${opts.ifPrimaryTerm}]`);
  return problems;
}

/** Throws the validation error of a single-document write, if any. */
function validateWrite(check: WriteCheck, opts: WriteOptions): void {
  const problems = writeRequestProblems(check, opts);
  if (problems.length > 0) throw errors.validation(problems);
}
