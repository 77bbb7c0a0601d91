/**
 * Shared shapes of the es-sim engine: documents, history operations, index metadata, retention
 * leases, action answers, and the contract of the search/mapping library (`sim/engine/search`). No I/O here.
 */

/** A JSON object as ES stores it (`_source`, mappings, settings bodies). */
export type Json = Record<string, unknown>;

/** An action's response body with the HTTP status it answers with (when it is not always 200). */
export interface Answer {
  status: number;
  body: Json;
}

/** Index mappings as ES shows them under `mappings` (`properties`, `_meta`, `dynamic`, …). */
export type Mappings = Json;

/** The `index.mapping.*` limits of one index (`sim/engine/settings.ts`; applied by the search library). */
export interface MappingLimits {
  /** `index.mapping.total_fields.limit` (1000). */
  totalFields: number;
  /** `index.mapping.depth.limit` (20): the root is level 1, an object under it level 2. */
  depth: number;
  /** `index.mapping.nested_fields.limit` (50). */
  nestedFields: number;
  /** `index.mapping.field_name_length.limit` (Long.MAX_VALUE). */
  fieldNameLength: number;
  /** `index.mapping.total_fields.ignore_dynamic_beyond_limit` (false). */
  ignoreDynamicBeyondLimit: boolean;
}

/** A live document as the search library sees it. */
export interface StoredDoc {
  id: string;
  source: Json;
  seqNo: number;
  primaryTerm: number;
  version: number;
  routing?: string;
}

/**
 * One entry of an index's operation history, in `_seq_no` order. Deletes are soft deletes: they
 * stay in the history (with `source: null`) until `_forcemerge` drops what no lease retains.
 * This is exactly what cross-cluster replication reads from a leader and replays on a follower.
 */
export interface Operation {
  op: "index" | "delete";
  id: string;
  seqNo: number;
  primaryTerm: number;
  version: number;
  /** `_source` of an index operation; `null` for a delete. */
  source: Json | null;
  /** `_routing` the document was indexed with, if any (returned by get and search, replicated by CCR). */
  routing?: string;
}

/**
 * The per-id entry of the version map: the live doc, or a tombstone (`source === null`) that keeps
 * the version so a re-index after a delete continues from it (within `index.gc_deletes`).
 */
export interface DocEntry {
  seqNo: number;
  primaryTerm: number;
  version: number;
  source: Json | null;
  routing?: string;
  /** Wall-clock ms of a delete, used to expire tombstones after `index.gc_deletes`. */
  deletedAt?: number;
}

/** A retention lease as `GET /{index}/_stats?level=shards` shows it. */
export interface RetentionLease {
  id: string;
  retaining_seq_no: number;
  timestamp: number;
  source: string;
}

/** Alias properties as stored on an index. */
export interface AliasProps {
  is_write_index?: boolean;
  is_hidden?: boolean;
  routing?: string;
  index_routing?: string;
  search_routing?: string;
}

/** Settings in ES's flat form: `index.number_of_shards` → `"1"`; lists stay arrays of strings. */
export type FlatSettings = Record<string, string | string[]>;

/** Index metadata: everything about an index except its documents and history. */
export interface IndexMeta {
  name: string;
  uuid: string;
  /** Flat index settings, values as strings, exactly what `GET /{index}/_settings?flat_settings` shows. */
  settings: FlatSettings;
  mappings: Mappings;
  aliases: Record<string, AliasProps>;
  state: "open" | "close";
  /** Shard primary term: 1 at creation, +1 whenever the primary is initialised again (restart, close, open). */
  primaryTerm: number;
  /** Bumped on every mapping change (reported to CCR as `follower_mapping_version`). */
  mappingVersion: number;
  settingsVersion: number;
  aliasesVersion: number;
  /** Custom metadata sections (CCR keeps `ccr` here: leader uuid, remote cluster…). */
  custom: Record<string, Json>;
}

/** The retention-lease collection of a shard (`retention_leases` in shard stats). */
export interface RetentionLeases {
  primaryTerm: number;
  version: number;
  leases: RetentionLease[];
}

/** Request-side search input handed to the search library unchanged. */
export interface SearchRequest {
  body: Json;
  params: Record<string, string>;
}

/** The `hits` object returned by the search library. */
export interface SearchHits {
  total?: { value: number; relation: "eq" | "gte" } | number;
  max_score: number | null;
  hits: Json[];
}

/** The index settings a search on one index reads (ES's IndexSettings as SearchExecutionContext sees them). */
export interface IndexSearchSettings {
  /** `index.max_result_window`. */
  maxResultWindow: number;
  /** `index.query_string.lenient`: the default of `lenient` in query_string (and `q=`) off the `*` field. */
  queryStringLenient: boolean;
  /** `index.query.default_field`: fields of query_string, simple_query_string, multi_match and `q=` without fields. */
  defaultFields: string[];
  /** `index.max_regex_length`: the longest `regexp` query value (RegexpQueryBuilder). */
  maxRegexLength: number;
}

/**
 * The next searchable generation of an index being built (`sim/engine/search/searchIndex.ts`):
 * staged in steps, invisible to searches until published.
 */
export interface RefreshBuildLike {
  /** Stages changes until `enough()` (asked after each document) or none is left; true when none is left. */
  step(enough: () => boolean): boolean;
  /** Makes the generation visible at once. */
  publish(): void;
}

/** What the engine needs from a search index (one per ES index), as `sim/engine/search` exports it. */
export interface SearchIndexLike {
  apply(changes: Iterable<{ id: string; doc: StoredDoc | null }>, mappings: Mappings): void;
  /** Starts building the next generation from `changes`; searches see the current one until it is published. */
  beginRefresh(changes: Iterable<{ id: string; doc: StoredDoc | null }>, mappings: Mappings): RefreshBuildLike;
  /** The `hits` of a `_search` on this index and, when the request asks for them, its `aggregations`. */
  searchResponse(
    request: SearchRequest,
    mappings: Mappings,
    indexName: string,
    settings?: IndexSearchSettings,
  ): { hits: SearchHits; aggregations?: Json };
  count(request: SearchRequest, mappings: Mappings, indexName?: string, settings?: IndexSearchSettings): number;
  clear(): void;
}

/**
 * The search/mapping library contract (`sim/engine/search/index.ts`). Injected into the engine so
 * the engine does not depend on a particular implementation and unit tests can use a stub.
 */
export interface SearchLibrary {
  /** Dynamic mapping: returns the same object when `source` adds nothing; throws an EsError on a conflict or a limit. */
  mapDocument(mappings: Mappings, source: Json, id?: string, limits?: MappingLimits): Mappings;
  /** The `index.mapping.*.limit` checks of an explicit mapping change; throws ES's `illegal_argument_exception`. */
  checkMappingLimits(mappings: Mappings, limits: MappingLimits): void;
  /** Validates (and normalises) explicit mappings; throws an EsError (`mapper_parsing_exception`…). */
  validateMappings(mappings: unknown, mode?: "createIndex" | "putMapping"): Mappings;
  /** `PUT _mapping` merge; throws an EsError on an incompatible change. */
  mergeMappings(old: Mappings, update: unknown): Mappings;
  SearchIndex: new (options?: { now?: () => number; indexUuid?: string; nodeId?: string }) => SearchIndexLike;
}
