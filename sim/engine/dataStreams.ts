/**
 * Data streams as Elasticsearch 8.x keeps them (`DataStream`, `DataStreamMetadata`): a name over an
 * ordered list of hidden backing indices `.ds-<name>-<yyyy.MM.dd>-<generation>`, the last one the
 * write index. Stored as the cluster-state custom `data_stream`, so they persist like the other
 * customs. Pure helpers here; the actions are in `./actions/dataStreams.ts`.
 */
import type { Cluster } from "./cluster";
import { errors } from "./errors";
import type { Json } from "./types";

/** Cluster-state custom key (ES's `DataStreamMetadata.TYPE`). */
export const DATA_STREAM_CUSTOM_KEY = "data_stream";
/** The timestamp field every data stream document carries (`DataStreamTimestampFieldMapper.DEFAULT_PATH`). */
export const TIMESTAMP_FIELD = "@timestamp";
/** Prefix of backing index names (`DataStream.BACKING_INDEX_PREFIX`). */
export const BACKING_INDEX_PREFIX = ".ds-";

/** One backing index reference (`Index`). */
export interface BackingIndex {
  index_name: string;
  index_uuid: string;
}

/** One stored data stream. */
export interface StoredDataStream {
  name: string;
  /** Backing indices, oldest first; the last is the write index. */
  indices: BackingIndex[];
  generation: number;
  hidden: boolean;
  /** A CCR follower data stream (`DataStream.isReplicated`): no rollover, no writes until promoted. */
  replicated: boolean;
  allow_custom_routing: boolean;
  _meta?: Json;
}

export type DataStreamMap = Record<string, StoredDataStream>;

/**
 * `DataStream.getDefaultBackingIndexName`: `.ds-<stream>-<uuuu.MM.dd of the time, UTC>-<generation, 6 digits>`.
 */
export function backingIndexName(stream: string, generation: number, epochMillis: number): string {
  const d = new Date(epochMillis);
  const date = `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, "0")}.${String(d.getUTCDate()).padStart(2, "0")}`;
  return `${BACKING_INDEX_PREFIX}${stream}-${date}-${String(generation).padStart(6, "0")}`;
}

/**
 * The data stream name a backing index name implies (`.ds-<stream>-<yyyy.MM.dd>-<gen>`), or
 * undefined; the auto-follow coordinator uses it to match patterns against the stream's name.
 */
export function streamNameOfBackingIndex(indexName: string): string | undefined {
  const m = /^\.ds-(.+)-\d{4}\.\d{2}\.\d{2}-(\d{6,})$/.exec(indexName);
  return m ? m[1] : undefined;
}

/** The generation a backing index name carries, or undefined. */
export function generationOfBackingIndex(indexName: string): number | undefined {
  const m = /-(\d{6,})$/.exec(indexName);
  return m && indexName.startsWith(BACKING_INDEX_PREFIX) ? Number(m[1]) : undefined;
}

/**
 * The stored data streams, not copied (every write looks them up): treat as read-only and store
 * changes as new objects through `saveDataStreams`.
 */
export function dataStreams(cluster: Cluster): Readonly<DataStreamMap> {
  const custom = cluster.customMetadataView(DATA_STREAM_CUSTOM_KEY) as { data_stream?: DataStreamMap } | undefined;
  return custom?.data_stream ?? {};
}

/** Names of the stored data streams, sorted. */
export function dataStreamNames(cluster: Cluster): string[] {
  return Object.keys(dataStreams(cluster)).sort();
}

/** Stores the data streams (inside the caller's metadata update); resolves when durable. */
export function saveDataStreams(cluster: Cluster, streams: DataStreamMap): Promise<void> {
  return cluster.putCustomMetadata(
    DATA_STREAM_CUSTOM_KEY,
    Object.keys(streams).length === 0 ? null : ({ data_stream: streams } as unknown as Json),
  );
}

/** The write index of a data stream (its last backing index). */
export function writeIndexOf(ds: StoredDataStream): string {
  return ds.indices[ds.indices.length - 1]!.index_name;
}

/** The data stream an index backs, or undefined (`IndexAbstraction.getParentDataStream`). */
export function parentDataStream(streams: DataStreamMap, indexName: string): StoredDataStream | undefined {
  return Object.values(streams).find((ds) => ds.indices.some((i) => i.index_name === indexName));
}

/**
 * The `document_parsing_exception` of a data stream document without `@timestamp`
 * (DataStreamTimestampFieldMapper.postParse, wrapped by DocumentParser); the location is the
 * closing brace of the document as compact JSON, where the parser stands when the check runs.
 */
export function missingTimestampReason(source: Json): string {
  return `[1:${JSON.stringify(source).length}] failed to parse: data stream timestamp field [${TIMESTAMP_FIELD}] is missing`;
}

/**
 * MetadataDeleteIndexService / MetadataIndexStateService guards: the write index of a data
 * stream can be neither deleted nor closed. Deleting another backing index removes it from its
 * stream (call inside the delete's metadata update, before the indices go).
 */
export function checkNotWriteIndices(cluster: Cluster, indices: string[], action: "delete" | "close"): void {
  const streams = dataStreams(cluster);
  const writes = indices.filter((i) => {
    const ds = parentDataStream(streams, i);
    return ds !== undefined && writeIndexOf(ds) === i;
  });
  if (writes.length === 0) return;
  if (action === "close") throw errors.illegalArgument(`cannot close the following data stream write indices [${writes.join(",")}]`);
  const ds = parentDataStream(streams, writes[0]!)!;
  throw errors.illegalArgument(`index [${writes[0]}] is the write index for data stream [${ds.name}] and cannot be deleted`);
}

/** Removes deleted backing indices from their streams (MetadataDeleteIndexService updates the parent stream). */
export async function forgetBackingIndices(cluster: Cluster, indices: string[]): Promise<void> {
  const streams = dataStreams(cluster);
  let changed = false;
  const next: DataStreamMap = {};
  for (const [n, ds] of Object.entries(streams)) {
    const kept = ds.indices.filter((i) => !indices.includes(i.index_name));
    if (kept.length !== ds.indices.length) changed = true;
    next[n] = { ...ds, indices: kept };
  }
  if (changed) await saveDataStreams(cluster, next);
}
