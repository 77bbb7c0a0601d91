/**
 * Single-document actions and bulk, as ES's `TransportIndexAction`, `TransportDeleteAction`,
 * `TransportGetAction`, `TransportUpdateAction` and `TransportBulkAction`: resolving the index a
 * document goes to (concrete index, an alias's write index, or an auto-created index), writing on
 * its shard, one fsync per request, then the `refresh` policy. Each takes the cluster state as its
 * first argument.
 */
import type { Cluster } from "../cluster";
import { deepEqual, filterSource, generateDocId, mergeDoc, parseSourceParam } from "../docUtils";
import { EsError, errors } from "../errors";
import { simpleMatch, validateIndexName } from "../names";
import { MAX_DOCUMENT_ID_BYTES, type IndexShard, type WriteOptions, type WriteResult } from "../shard";
import type { Answer, Json } from "../types";
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
  opts: WriteOptions & { requireAlias?: boolean };
  /** A problem found while parsing this item's lines; reported in its slot. */
  error?: EsError;
}

/** Resolves the index a write goes to: a concrete index, an alias's write index, or an auto-created index. */
async function writeTarget(cluster: Cluster, name: string, requireAlias = false): Promise<IndexShard> {
  const found = existingWriteTarget(cluster, name, requireAlias);
  if (found) return found;
  checkAutoCreate(cluster, name);
  validateIndexName(name);
  // AutoCreateAction: the creation is a metadata update that first looks again, so concurrent
  // writers into one missing index (single requests or bulk items) share the one index the first
  // of them creates instead of each registering its own (and losing the others' documents).
  return cluster.updateMetadata(() => existingWriteTarget(cluster, name, requireAlias) ?? createIndexInternal(cluster, name, {}, {}, {}));
}

/** The existing index a write to `name` goes to, or undefined when it would be auto-created. */
function existingWriteTarget(cluster: Cluster, name: string, requireAlias: boolean): IndexShard | undefined {
  const concrete = cluster.shard(name);
  if (concrete) {
    if (requireAlias) throw errors.indexNotFound(name);
    return concrete;
  }
  const aliased = cluster.indexShards().filter((s) => name in s.meta.aliases);
  if (aliased.length === 1 && aliased[0]!.meta.aliases[name]!.is_write_index !== false) return aliased[0]!;
  if (aliased.length > 0) {
    const w = aliased.filter((s) => s.meta.aliases[name]!.is_write_index === true);
    if (w.length === 1) return w[0]!;
    throw errors.noWriteIndex(name);
  }
  if (requireAlias) throw errors.indexNotFound(name);
  return undefined;
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
function readTarget(cluster: Cluster, name: string): IndexShard {
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
    shard.refresh(cluster.now(), "internal");
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
  opts: WriteOptions & { refresh?: RefreshPolicy; requireAlias?: boolean },
): Promise<Answer> {
  validateWriteOptions(opts, id);
  const shard = await writeTarget(cluster, index, opts.requireAlias);
  const docId = id ?? generateDocId(cluster.now());
  const r = shard.index(docId, source, id === undefined ? { ...opts, opType: "create" } : opts, cluster.now());
  await cluster.commit(shard.name);
  const forced = await afterWrite(cluster, shard, r._seq_no, opts.refresh);
  return { status: r.status, body: writeBody(shard, r, forced) };
}

/** `DELETE /{index}/_doc/{id}` */
export async function deleteDoc(
  cluster: Cluster,
  index: string,
  id: string,
  opts: WriteOptions & { refresh?: RefreshPolicy },
): Promise<Answer> {
  validateWriteOptions(opts, id);
  const shard = writeTargetNoCreate(cluster, index);
  const r = shard.delete(id, opts, cluster.now());
  await cluster.commit(shard.name);
  const forced = await afterWrite(cluster, shard, r._seq_no, opts.refresh);
  return { status: r.status, body: writeBody(shard, r, forced) };
}

/** Deletes do not auto-create (ES 8 `TransportBulkAction`: a delete into a missing index is `index_not_found`). */
function writeTargetNoCreate(cluster: Cluster, index: string): IndexShard {
  const concrete = cluster.shard(index);
  if (concrete) return concrete;
  const aliased = cluster.indexShards().filter((s) => index in s.meta.aliases);
  if (aliased.length === 1) return aliased[0]!;
  const w = aliased.filter((s) => s.meta.aliases[index]!.is_write_index === true);
  if (w.length === 1) return w[0]!;
  if (aliased.length > 1) throw errors.noWriteIndex(index);
  throw errors.indexNotFound(index);
}

/** `GET /{index}/_doc/{id}` (realtime by default) */
export function getDoc(
  cluster: Cluster,
  index: string,
  id: string,
  opts: { realtime?: boolean; source?: string; sourceIncludes?: string; sourceExcludes?: string },
): Answer {
  const shard = readTarget(cluster, index);
  const doc = shard.get(id, opts.realtime ?? true);
  if (!doc) return { status: 404, body: { _index: shard.name, _id: id, found: false } };
  const body: Json = {
    _index: shard.name,
    _id: id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
    found: true,
  };
  const filter = parseSourceParam(opts.source, opts.sourceIncludes, opts.sourceExcludes);
  if (filter.enabled) body._source = filterSource(doc.source, filter.includes, filter.excludes);
  return { status: 200, body };
}

/** `GET /{index}/_source/{id}` */
export function getSource(
  cluster: Cluster,
  index: string,
  id: string,
  opts: { realtime?: boolean; source?: string; sourceIncludes?: string; sourceExcludes?: string },
): Answer {
  const shard = readTarget(cluster, index);
  const doc = shard.get(id, opts.realtime ?? true);
  if (!doc) {
    throw new EsError("resource_not_found_exception", 404, `Document not found [${shard.name}]/[${id}]`);
  }
  const filter = parseSourceParam(opts.source, opts.sourceIncludes, opts.sourceExcludes);
  return { status: 200, body: filterSource(doc.source, filter.includes, filter.excludes) };
}

/** `POST /{index}/_update/{id}` with `doc`, `doc_as_upsert`, `upsert`, `detect_noop`. */
export async function updateDoc(
  cluster: Cluster,
  index: string,
  id: string,
  body: Json,
  opts: WriteOptions & { refresh?: RefreshPolicy; source?: string; requireAlias?: boolean },
): Promise<Answer> {
  const shard = await writeTarget(cluster, index, opts.requireAlias);
  const r = updateOnShard(cluster, shard, id, body, opts);
  if (r.result !== "noop") {
    await cluster.commit(shard.name);
  }
  const forced = r.result === "noop" ? false : await afterWrite(cluster, shard, r._seq_no, opts.refresh);
  const out = writeBody(shard, r, forced);
  const wantSource = opts.source ?? (body._source === undefined ? undefined : String(body._source));
  if (wantSource !== undefined && wantSource !== "false") {
    const doc = shard.docs.get(id);
    if (doc && doc.source !== null) {
      const filter = parseSourceParam(wantSource, undefined, undefined);
      out.get = {
        _seq_no: doc.seqNo,
        _primary_term: doc.primaryTerm,
        found: true,
        _source: filterSource(doc.source, filter.includes, filter.excludes),
      };
    }
  }
  return { status: r.status, body: out };
}

function updateOnShard(cluster: Cluster, shard: IndexShard, id: string, body: Json, opts: WriteOptions): WriteResult {
  for (const key of Object.keys(body)) {
    if (!["doc", "upsert", "doc_as_upsert", "detect_noop", "script", "scripted_upsert", "_source", "lang"].includes(key)) {
      throw errors.xContentParse(`[1:2] [UpdateRequest] unknown field [${key}]`);
    }
  }
  if (body.script !== undefined) throw errors.notSupported("scripted updates ([script] in _update)");
  const doc = body.doc as Json | undefined;
  if (doc === undefined && body.upsert === undefined) throw errors.validation(["script or doc is missing"]);
  if (doc !== undefined && (doc === null || typeof doc !== "object" || Array.isArray(doc))) throw errors.parse("[doc] must be an object");
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
  return shard.index(id, merged, { ifSeqNo: opts.ifSeqNo, ifPrimaryTerm: opts.ifPrimaryTerm }, now);
}

/**
 * `POST /_bulk`: executes items in order, each answering its own result or error; one fsync for
 * the whole request; `errors` is true if any item failed (a `not_found` delete is not a failure).
 */
export async function bulk(cluster: Cluster, items: BulkItem[], opts: { refresh?: RefreshPolicy }): Promise<Json> {
  const started = cluster.now();
  const results: Json[] = [];
  const touched = new Map<IndexShard, number>();
  let anyError = false;
  for (const item of items) {
    const index = item.index ?? "";
    try {
      if (item.error) throw item.error;
      let shard: IndexShard;
      let r: WriteResult;
      const now = cluster.now();
      switch (item.action) {
        case "index":
        case "create": {
          validateWriteOptions(item.opts, item.id);
          shard = await writeTarget(cluster, index, item.opts.requireAlias);
          const id = item.id ?? generateDocId(now);
          const opType = item.action === "create" || item.id === undefined ? "create" : item.opts.opType;
          r = shard.index(id, item.source ?? {}, { ...item.opts, opType }, now);
          break;
        }
        case "delete":
          validateWriteOptions(item.opts, item.id);
          shard = writeTargetNoCreate(cluster, index);
          r = shard.delete(item.id!, item.opts, now);
          break;
        case "update":
          shard = await writeTarget(cluster, index, item.opts.requireAlias);
          r = updateOnShard(cluster, shard, item.id!, item.source ?? {}, item.opts);
          break;
        default: {
          const never: never = item.action;
          throw new Error(`unknown bulk action ${String(never)}`);
        }
      }
      if (r.result !== "noop") touched.set(shard, Math.max(touched.get(shard) ?? -1, r._seq_no));
      const body = writeBody(shard, r, false);
      body.status = r.status;
      results.push({ [item.action]: body });
    } catch (e) {
      const err = e instanceof EsError ? e : errors.illegalArgument(String((e as Error).message ?? e));
      anyError = true;
      const failed: Json = { _index: cluster.shard(index)?.name ?? index, _id: item.id ?? null, status: err.status, error: err.toJSON() };
      results.push({ [item.action]: failed });
    }
  }
  await cluster.commit();
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

/** ES's request validation of id and concurrency parameters (`IndexRequest.validate`). */
function validateWriteOptions(opts: WriteOptions, id: string | undefined): void {
  const problems: string[] = [];
  if (id !== undefined && Buffer.byteLength(id, "utf8") > MAX_DOCUMENT_ID_BYTES) {
    problems.push(`id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id, "utf8")}`);
  }
  if (opts.ifSeqNo !== undefined && opts.ifPrimaryTerm === undefined) problems.push("ifSeqNo is set, but primary term is [0]");
  if (opts.ifSeqNo === undefined && opts.ifPrimaryTerm !== undefined)
    problems.push(`ifSeqNo is unassigned, but primary term is [${opts.ifPrimaryTerm}]`);
  if (opts.ifSeqNo !== undefined && opts.ifSeqNo < 0) problems.push(`sequence numbers must be non negative. got [${opts.ifSeqNo}].`);
  if ((opts.versionType === "external" || opts.versionType === "external_gte") && opts.version === undefined) {
    problems.push(`illegal version value [-3] for version type [${opts.versionType.toUpperCase()}]`);
  }
  if (opts.versionType === "external" && opts.opType === "create")
    problems.push("create operations only support internal versioning. use index instead");
  if (problems.length > 0) throw errors.validation(problems);
}
