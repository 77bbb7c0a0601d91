/**
 * Data stream actions: create (`MetadataCreateDataStreamService`), get, delete, stats, rollover
 * (`MetadataRolloverService` for data streams) and promote (`PromoteDataStreamTransportAction`).
 * Every change is one metadata update (`Cluster.updateMetadata`), so of concurrent creations of
 * one stream, or of concurrent first writes auto-creating it, exactly one creates it and the others
 * see it. `ensureDataStreamForWrite` is the auto-creation a first matching write does.
 */
import type { Cluster } from "../cluster";
import {
  backingIndexName,
  dataStreams,
  saveDataStreams,
  TIMESTAMP_FIELD,
  writeIndexOf,
  type DataStreamMap,
  type StoredDataStream,
} from "../dataStreams";
import { EsError, errors } from "../errors";
import { findTemplate } from "../indexTemplates";
import { isWildcard, simpleMatch, validateIndexName } from "../names";
import type { IndexShard } from "../shard";
import type { Json } from "../types";
import { createIndexInternal } from "./indexAdmin";
import { indexTemplates } from "./indexTemplates";
import { shardsHeader } from "./shardCopies";
import { approximateStoreSize } from "./stats";

/** `PUT /_data_stream/{name}`; one metadata update. */
export function createDataStream(cluster: Cluster, name: string): Promise<Json> {
  return cluster.updateMetadata(async () => {
    await createDataStreamNow(cluster, name);
    return { acknowledged: true };
  });
}

/**
 * Creates a data stream and its first backing index (`.ds-<name>-<today>-000001`, hidden) from
 * the data-stream template its name matches; call inside a metadata update.
 */
export async function createDataStreamNow(cluster: Cluster, name: string): Promise<StoredDataStream> {
  const streams = dataStreams(cluster);
  if (streams[name]) throw new EsError("resource_already_exists_exception", 400, `data_stream [${name}] already exists`);
  validateDataStreamName(name);
  const found = findTemplate(indexTemplates(cluster), name, false);
  if (!found) throw errors.illegalArgument(`no matching index template found for data stream [${name}]`);
  const [templateName, template] = found;
  if (!template.data_stream) {
    throw errors.illegalArgument(`matching index template [${templateName}] for data stream [${name}] has no data stream template`);
  }
  // Metadata.Builder.build refuses the state that would hold both (nothing is created)
  if (cluster.shard(name)) {
    throw new EsError(
      "illegal_state_exception",
      500,
      `index, alias, and data stream names need to be unique, but the following duplicates were found [data stream [${name}] conflicts with index]`,
    );
  }
  const first = backingIndexName(name, 1, cluster.now());
  if (cluster.shard(first)) {
    throw new EsError("status_exception", 400, `data stream could not be created because backing index [${first}] already exists`);
  }
  const shard = await createIndexInternal(
    cluster,
    first,
    { index: { hidden: true } },
    {},
    {},
    {},
    { applyTemplates: true, dataStream: name },
  );
  const ds: StoredDataStream = {
    name,
    indices: [{ index_name: shard.name, index_uuid: shard.uuid }],
    generation: 1,
    hidden: template.data_stream.hidden,
    replicated: false,
    allow_custom_routing: template.data_stream.allow_custom_routing,
  };
  if (template._meta !== undefined) ds._meta = template._meta;
  await saveDataStreams(cluster, { ...dataStreams(cluster), [name]: ds });
  return ds;
}

/** MetadataCreateIndexService.validateIndexOrAliasName with the data stream's wording, then its own rules. */
function validateDataStreamName(name: string): void {
  try {
    validateIndexName(name.toLowerCase());
  } catch (e) {
    if (!(e instanceof EsError)) throw e;
    throw errors.illegalArgument(e.reason.replace(/^Invalid index name \[[^\]]*\], /, `data_stream [${name}] `));
  }
  if (name.toLowerCase() !== name) throw errors.illegalArgument(`data_stream [${name}] must be lowercase`);
  if (name.startsWith(".ds-")) throw errors.illegalArgument(`data_stream [${name}] must not start with '.ds-'`);
}

/**
 * The auto-creation of a write to a missing name (AutoCreateAction): when the template the name
 * matches creates data streams, the stream is created (once, in a metadata update that looks
 * again) and returned; otherwise undefined and the caller creates a plain index.
 */
export function dataStreamTemplateMatches(cluster: Cluster, name: string): boolean {
  return findTemplate(indexTemplates(cluster), name, false)?.[1].data_stream !== undefined;
}

/** Names a data-stream expression resolves to (`GET|DELETE /_data_stream/{name}`): comma list, wildcards, `_all`. */
function resolveStreamNames(streams: DataStreamMap, expression: string | undefined, expandHidden: boolean): string[] {
  const parts = expression === undefined || expression === "" || expression === "_all" ? ["*"] : expression.split(",");
  const out: string[] = [];
  for (const part of parts) {
    if (isWildcard(part)) {
      for (const n of Object.keys(streams).sort()) {
        if (simpleMatch(part, n) && (expandHidden || !streams[n]!.hidden) && !out.includes(n)) out.push(n);
      }
    } else if (streams[part]) {
      if (!out.includes(part)) out.push(part);
    } else throw errors.indexNotFound(part);
  }
  return out;
}

/** `GET /_data_stream[/{name}]` (GetDataStreamAction.Response as 8.x renders it, without lifecycle and ILM). */
export function getDataStreams(cluster: Cluster, expression: string | undefined, opts: { expandWildcards?: string[] } = {}): Json {
  const streams = dataStreams(cluster);
  const expand = opts.expandWildcards ?? ["open"];
  const names = resolveStreamNames(streams, expression, expand.includes("hidden") || expand.includes("all"));
  const templates = indexTemplates(cluster);
  return {
    data_streams: names.map((n) => {
      const ds = streams[n]!;
      const shards = ds.indices.map((i) => cluster.shard(i.index_name)).filter((s): s is IndexShard => s !== undefined);
      const out: Json = {
        name: ds.name,
        timestamp_field: { name: TIMESTAMP_FIELD },
        indices: ds.indices.map((i) => ({ index_name: i.index_name, index_uuid: i.index_uuid, prefer_ilm: true, managed_by: "Unmanaged" })),
        generation: ds.generation,
      };
      if (ds._meta !== undefined) out._meta = ds._meta;
      out.status = dataStreamHealth(cluster, shards);
      const template = findTemplate(templates, ds.name, false);
      if (template) out.template = template[0];
      Object.assign(out, {
        next_generation_managed_by: "Unmanaged",
        prefer_ilm: true,
        hidden: ds.hidden,
        system: false,
        allow_custom_routing: ds.allow_custom_routing,
        replicated: ds.replicated,
        rollover_on_write: false,
      });
      return out;
    }),
  };
}

/** The worst health of the backing indices, upper case as GetDataStreamAction renders ClusterHealthStatus. */
function dataStreamHealth(cluster: Cluster, shards: IndexShard[]): string {
  const header = shardsHeader(cluster, shards) as { total: number; successful: number };
  return header.total > header.successful ? "YELLOW" : "GREEN";
}

/** `DELETE /_data_stream/{name}`: the streams and all their backing indices; one metadata update. */
export function deleteDataStream(cluster: Cluster, expression: string, opts: { expandWildcards?: string[] } = {}): Promise<Json> {
  return cluster.updateMetadata(async () => {
    const streams = dataStreams(cluster);
    const expand = opts.expandWildcards ?? ["open"];
    const names = resolveStreamNames(streams, expression, expand.includes("hidden") || expand.includes("all"));
    if (names.length === 0) return { acknowledged: true };
    const rest: DataStreamMap = {};
    for (const [n, ds] of Object.entries(streams)) if (!names.includes(n)) rest[n] = ds;
    // the stream goes from the cluster state first (MetadataDataStreamsService.deleteDataStreams
    // removes stream and indices in one state), then its indices
    await saveDataStreams(cluster, rest);
    for (const n of names) {
      for (const i of streams[n]!.indices) if (cluster.shard(i.index_name)) await cluster.removeIndex(i.index_name);
    }
    return { acknowledged: true };
  });
}

/** `GET /_data_stream[/{name}]/_stats` (DataStreamsStatsAction.Response). */
export function dataStreamsStats(cluster: Cluster, expression: string | undefined, opts: { human?: (bytes: number) => string } = {}): Json {
  const streams = dataStreams(cluster);
  const names = resolveStreamNames(streams, expression, true);
  let totalBytes = 0;
  let backing = 0;
  const allShards: IndexShard[] = [];
  const rows = names.map((n) => {
    const ds = streams[n]!;
    const shards = ds.indices.map((i) => cluster.shard(i.index_name)).filter((s): s is IndexShard => s !== undefined);
    allShards.push(...shards);
    const bytes = shards.reduce((sum, s) => sum + (s.isOpen ? approximateStoreSize(s) : 0), 0);
    totalBytes += bytes;
    backing += ds.indices.length;
    const row: Json = { data_stream: n, backing_indices: ds.indices.length };
    if (opts.human) row.store_size = opts.human(bytes);
    row.store_size_bytes = bytes;
    row.maximum_timestamp = maximumTimestamp(shards);
    return row;
  });
  const body: Json = { _shards: shardsHeader(cluster, allShards), data_stream_count: names.length, backing_indices: backing };
  if (opts.human) body.total_store_size = opts.human(totalBytes);
  body.total_store_size_bytes = totalBytes;
  body.data_streams = rows;
  return body;
}

/** The highest `@timestamp` (epoch ms) of the live documents, 0 when none (ES reads the field's max). */
function maximumTimestamp(shards: IndexShard[]): number {
  let max = 0;
  for (const s of shards) {
    for (const doc of s.docs.values()) {
      const v = doc.source?.[TIMESTAMP_FIELD];
      const ms = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN;
      if (Number.isFinite(ms) && ms > max) max = ms;
    }
  }
  return max;
}

/**
 * `POST /{stream}/_rollover` for a data stream: a new write index at generation + 1 named with
 * today's date, added to the stream. `conditions` are not evaluated (refused unless empty); a
 * replicated stream refuses (DataStream.ensureNotReplicated).
 */
export function rolloverDataStream(
  cluster: Cluster,
  name: string,
  body: Json,
  opts: { dryRun?: boolean; lazy?: boolean } = {},
): Promise<Json> {
  const conditions = body.conditions as Json | undefined;
  if (conditions && Object.keys(conditions).length > 0) throw errors.notSupported("rollover conditions");
  for (const k of Object.keys(body)) if (k !== "conditions") throw errors.notSupported(`[${k}] in a data stream rollover request`);
  if (opts.lazy) throw errors.notSupported("lazy rollover");
  return cluster.updateMetadata(async () => {
    const streams = dataStreams(cluster);
    const ds = streams[name];
    if (!ds) throw errors.notSupported(`rollover of [${name}], which is not a data stream`);
    if (ds.replicated) throw errors.illegalArgument(`data stream [${name}] cannot be rolled over, because it is a replicated data stream`);
    const oldIndex = writeIndexOf(ds);
    let generation = ds.generation;
    let next: string;
    // DataStream.nextWriteIndexAndGeneration: skip names already taken
    do next = backingIndexName(name, ++generation, cluster.now());
    while (cluster.shard(next));
    const answer = (rolledOver: boolean): Json => ({
      acknowledged: rolledOver,
      shards_acknowledged: rolledOver,
      old_index: oldIndex,
      new_index: next,
      rolled_over: rolledOver,
      dry_run: opts.dryRun === true,
      lazy: false,
      conditions: {},
    });
    if (opts.dryRun) return answer(false);
    const shard = await createIndexInternal(
      cluster,
      next,
      { index: { hidden: true } },
      {},
      {},
      {},
      { applyTemplates: true, dataStream: name },
    );
    const updated: StoredDataStream = { ...ds, indices: [...ds.indices, { index_name: shard.name, index_uuid: shard.uuid }], generation };
    await saveDataStreams(cluster, { ...dataStreams(cluster), [name]: updated });
    return answer(true);
  });
}

/** `POST /_data_stream/_promote/{name}`: a replicated (follower) stream becomes a regular one. */
export function promoteDataStream(cluster: Cluster, name: string): Promise<Json> {
  return cluster.updateMetadata(async () => {
    const streams = dataStreams(cluster);
    const ds = streams[name];
    if (!ds) throw errors.resourceNotFound(`data stream [${name}] does not exist`);
    if (ds.replicated) await saveDataStreams(cluster, { ...streams, [name]: { ...ds, replicated: false } });
    return { acknowledged: true };
  });
}
