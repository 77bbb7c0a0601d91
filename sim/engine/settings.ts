/**
 * Settings as Elasticsearch handles them: bodies may be nested (`{"index":{"number_of_shards":1}}`)
 * or flat (`{"index.number_of_shards":1}`); values are stored as strings (lists as string arrays);
 * `null` removes a key. Plus the catalogues of index and cluster settings es-sim knows, with ES's
 * defaults, dynamic/final flags and validation messages.
 */
import { EsError, errors } from "./errors";
import type { FlatSettings, Json, MappingLimits } from "./types";

/** A settings value after normalisation; `null` means "remove". */
export type SettingValue = string | string[] | null;

/** Flattens a nested settings body into ES's dotted keys, stringifying scalars as ES does. */
export function flattenSettings(body: unknown, prefix = "", out: Record<string, SettingValue> = {}): Record<string, SettingValue> {
  if (body === null || body === undefined) return out;
  if (typeof body !== "object" || Array.isArray(body)) {
    throw errors.illegalArgument(`settings must be an object, got [${JSON.stringify(body)}]`);
  }
  for (const [key, value] of Object.entries(body as Json)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (value === null) out[full] = null;
    else if (Array.isArray(value)) out[full] = value.map((v) => scalarToString(full, v));
    else if (typeof value === "object") flattenSettings(value, full, out);
    else out[full] = scalarToString(full, value);
  }
  return out;
}

function scalarToString(key: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw errors.illegalArgument(`Failed to parse value [${JSON.stringify(value)}] for setting [${key}]`);
}

/** Turns flat settings into ES's nested rendering (`index.a.b` → `{index:{a:{b}}}`). */
export function nestSettings(flat: FlatSettings): Json {
  const out: Json = {};
  for (const key of Object.keys(flat).sort()) {
    const parts = key.split(".");
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const next = node[part];
      if (next === undefined || typeof next !== "object" || Array.isArray(next)) node[part] = {};
      node = node[part] as Json;
    }
    node[parts[parts.length - 1]!] = flat[key];
  }
  return out;
}

/** Sorted copy of flat settings, for stable rendering. */
export function sortedFlat(flat: FlatSettings): FlatSettings {
  const out: FlatSettings = {};
  for (const key of Object.keys(flat).sort()) out[key] = flat[key]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Value parsers with ES's wording.

/** Booleans accept only `true`/`false` (ES 8 `Booleans.parseBoolean`). */
export function parseBool(_key: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw errors.illegalArgument(`Failed to parse value [${value}] as only [true] or [false] are allowed.`);
}

/** Integer with an optional minimum, worded as ES's `Setting.parseInt`. */
export function parseIntSetting(key: string, value: string, min?: number, max?: number): number {
  if (!/^-?\d+$/.test(value.trim())) throw errors.illegalArgument(`Failed to parse value [${value}] for setting [${key}]`);
  const n = Number(value);
  if (min !== undefined && n < min) throw errors.illegalArgument(`Failed to parse value [${value}] for setting [${key}] must be >= ${min}`);
  if (max !== undefined && n > max) throw errors.illegalArgument(`Failed to parse value [${value}] for setting [${key}] must be <= ${max}`);
  return n;
}

const TIME_UNITS: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses an ES time value (`500ms`, `1s`, `12h`, `-1`) into milliseconds; `-1` stays -1. */
export function parseTimeValue(key: string, value: string): number {
  const v = value.trim();
  if (v === "-1") return -1;
  if (v === "0") return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)$/.exec(v.toLowerCase());
  if (!m) {
    throw errors.illegalArgument(`failed to parse setting [${key}] with value [${value}] as a time value: unit is missing or unrecognized`);
  }
  return Number(m[1]) * TIME_UNITS[m[2]!]!;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };

/** Parses an ES byte size (`100mb`, `512kb`, `1024b`) into bytes. */
export function parseByteSize(key: string, value: string): number {
  const v = value.trim().toLowerCase();
  if (v === "-1") return -1;
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb|k|m|g|t|p)?$/.exec(v);
  if (!m || (m[2] === undefined && v !== "0")) {
    throw errors.illegalArgument(
      `failed to parse setting [${key}] with value [${value}] as a size in bytes: unit is missing or unrecognized`,
    );
  }
  const unit = m[2] ? (m[2].length === 1 && m[2] !== "b" ? `${m[2]}b` : m[2]) : "b";
  return Math.floor(Number(m[1]) * BYTE_UNITS[unit]!);
}

// ---------------------------------------------------------------------------------------------
// Index settings catalogue.

/** How an index setting behaves. */
interface IndexSettingDef {
  default?: string | string[];
  /** Can be changed on an open index with `PUT /{index}/_settings`. */
  dynamic?: boolean;
  /** Can never be changed after creation (`index.number_of_shards`, …). */
  final?: boolean;
  /** Set by the server; a user may not set it (`index.uuid`, `index.creation_date`, …). */
  private?: boolean;
  /** Managed through a dedicated API (`index.xpack.ccr.following_index`). */
  internal?: boolean;
  validate?: (key: string, value: string) => void;
}

const bool = (k: string, v: string) => void parseBool(k, v);
const time = (k: string, v: string) => void parseTimeValue(k, v);
const bytes = (k: string, v: string) => void parseByteSize(k, v);
const int = (min?: number, max?: number) => (k: string, v: string) => void parseIntSetting(k, v, min, max);
/** `Setting.longSetting`: worded as ints, up to Long.MAX_VALUE. */
const long = (min: number) => (k: string, v: string) => {
  if (!/^-?\d+$/.test(v.trim()) || BigInt(v.trim()) > 9223372036854775807n)
    throw errors.illegalArgument(`Failed to parse value [${v}] for setting [${k}]`);
  if (BigInt(v.trim()) < BigInt(min)) throw errors.illegalArgument(`Failed to parse value [${v}] for setting [${k}] must be >= ${min}`);
};
/** `Setting.timeSetting` with a minimum (`index.translog.sync_interval` ≥ 100ms). */
const timeAtLeast = (minMs: number, minText: string) => (k: string, v: string) => {
  if (parseTimeValue(k, v) < minMs)
    throw errors.illegalArgument(`failed to parse value [${v}] for setting [${k}], must be >= [${minText}]`);
};
/** An enum setting parsed with Java's `valueOf` of the upper-cased value (EnableAllocationDecider). */
const oneOf = (enumName: string, values: string[]) => (_k: string, v: string) => {
  if (!values.includes(v.toLowerCase()))
    throw errors.illegalArgument(
      `No enum constant org.elasticsearch.cluster.routing.allocation.decider.EnableAllocationDecider.${enumName}.${v.toUpperCase()}`,
    );
};

/**
 * `index.auto_expand_replicas` (AutoExpandReplicas.parse): `false`, or `min-max` with `max` a number
 * or `all`; returns the range, or undefined for `false`.
 */
export function parseAutoExpandReplicas(value: string): { min: number; max: number } | undefined {
  if (value === "false") return undefined;
  const dash = value.indexOf("-");
  const fail = () => errors.illegalArgument(`failed to parse [index.auto_expand_replicas] from value: [${value}] at index ${dash}`);
  if (dash === -1) throw fail();
  const min = value.slice(0, dash);
  const max = value.slice(dash + 1);
  if (!/^-?\d+$/.test(min) || !(max === "all" || /^-?\d+$/.test(max))) throw fail();
  const range = { min: Number(min), max: max === "all" ? 2147483647 : Number(max) };
  if (range.min > range.max)
    throw errors.illegalArgument(`[index.auto_expand_replicas] minReplicas must be =< maxReplicas but wasn't ${range.min} > ${range.max}`);
  return range;
}

/** The index settings es-sim accepts, keyed by their full flat name, with ES defaults. */
export const INDEX_SETTINGS: Record<string, IndexSettingDef> = {
  "index.number_of_shards": { default: "1", final: true, validate: int(1, 1024) },
  "index.number_of_replicas": { default: "1", dynamic: true, validate: int(0) },
  "index.auto_expand_replicas": { default: "false", dynamic: true, validate: (_k, v) => void parseAutoExpandReplicas(v) },
  "index.number_of_routing_shards": { final: true, validate: int(1) },
  "index.refresh_interval": { default: "1s", dynamic: true, validate: time },
  "index.search.idle.after": { default: "30s", dynamic: true, validate: time },
  "index.max_result_window": { default: "10000", dynamic: true, validate: int(1) },
  "index.max_refresh_listeners": { default: "1000", dynamic: true, validate: int(0) },
  "index.blocks.write": { default: "false", dynamic: true, validate: bool },
  "index.blocks.read": { default: "false", dynamic: true, validate: bool },
  "index.blocks.read_only": { default: "false", dynamic: true, validate: bool },
  "index.blocks.read_only_allow_delete": { default: "false", dynamic: true, validate: bool },
  "index.blocks.metadata": { default: "false", dynamic: true, validate: bool },
  "index.soft_deletes.enabled": { default: "true", final: true, validate: bool },
  "index.soft_deletes.retention.operations": { default: "0", dynamic: true, validate: int(0) },
  "index.soft_deletes.retention_lease.period": { default: "12h", dynamic: true, validate: time },
  "index.translog.durability": {
    default: "request",
    dynamic: true,
    validate: (k, v) => {
      if (v !== "request" && v !== "async")
        throw errors.illegalArgument(`No enum constant org.elasticsearch.index.translog.Translog.Durability.${v.toUpperCase()}`);
      void k;
    },
  },
  "index.translog.sync_interval": { default: "5s", dynamic: true, validate: timeAtLeast(100, "100ms") },
  "index.translog.flush_threshold_size": { default: "512mb", dynamic: true, validate: bytes },
  "index.translog.retention.size": { default: "-1", dynamic: true },
  "index.translog.retention.age": { default: "-1", dynamic: true },
  "index.gc_deletes": { default: "60s", dynamic: true, validate: time },
  // Search limits and query defaults (IndexSettings). index.max_result_window and
  // index.query_string.lenient / index.query.default_field take effect in search; the others are
  // validated and stored (docs/known-gaps.md).
  "index.query_string.lenient": { default: "false", validate: bool },
  "index.query.default_field": { default: ["*"], dynamic: true },
  "index.query.parse.allow_unmapped_fields": { default: "true", validate: bool },
  "index.max_script_fields": { default: "32", dynamic: true, validate: int(0) },
  "index.max_docvalue_fields_search": { default: "100", dynamic: true, validate: int(0) },
  "index.max_terms_count": { default: "65536", dynamic: true, validate: int(1) },
  "index.max_regex_length": { default: "1000", dynamic: true, validate: int(1) },
  "index.max_ngram_diff": { default: "1", dynamic: true, validate: int(0) },
  "index.max_shingle_diff": { default: "3", dynamic: true, validate: int(0) },
  "index.max_rescore_window": { default: "10000", dynamic: true, validate: int(1) },
  "index.max_slices_per_scroll": { default: "1024", dynamic: true, validate: int(1) },
  "index.max_adjacency_matrix_filters": { default: "100", dynamic: true, validate: int(2) },
  "index.analyze.max_token_count": { default: "10000", dynamic: true, validate: int(1) },
  "index.highlight.max_analyzed_offset": { default: "1000000", dynamic: true, validate: int(1) },
  "index.highlight.weight_matches_mode.enabled": { default: "true", dynamic: true, validate: bool },
  "index.warmer.enabled": { default: "true", dynamic: true, validate: bool },
  "index.requests.cache.enable": { default: "true", dynamic: true, validate: bool },
  "index.queries.cache.enabled": { default: "true", validate: bool },
  "index.load_fixed_bitset_filters_eagerly": { default: "true", validate: bool },
  "index.shard.check_on_startup": {
    default: "false",
    validate: (_k, v) => {
      if (!["false", "true", "checksum"].includes(v))
        throw errors.illegalArgument(
          `unknown value for [index.shard.check_on_startup] must be one of [true, false, checksum] but was: ${v}`,
        );
    },
  },
  "index.translog.flush_threshold_age": { default: "1m", dynamic: true, validate: time },
  "index.translog.generation_threshold_size": { default: "64mb", dynamic: true, validate: bytes },
  "index.flush_after_merge": { default: "512mb", dynamic: true, validate: bytes },
  "index.allocation.max_retries": { default: "5", dynamic: true, validate: int(0) },
  "index.routing.allocation.total_shards_per_node": { default: "-1", dynamic: true, validate: int(-1) },
  "index.routing.allocation.enable": {
    default: "all",
    dynamic: true,
    validate: oneOf("Allocation", ["all", "primaries", "new_primaries", "none"]),
  },
  "index.routing.rebalance.enable": {
    default: "all",
    dynamic: true,
    validate: oneOf("Rebalance", ["all", "primaries", "replicas", "none"]),
  },
  "index.unassigned.node_left.delayed_timeout": { default: "1m", dynamic: true, validate: time },
  "index.mapping.field_name_length.limit": { default: "9223372036854775807", dynamic: true, validate: long(1) },
  "index.mapping.nested_objects.limit": { default: "10000", dynamic: true, validate: long(0) },
  "index.mapping.dimension_fields.limit": { default: "32768", dynamic: true, validate: long(0) },
  "index.mapping.total_fields.ignore_dynamic_beyond_limit": { default: "false", dynamic: true, validate: bool },
  "index.codec": { default: "default" },
  "index.hidden": { default: "false", dynamic: true, validate: bool },
  "index.priority": { default: "1", dynamic: true, validate: int(0) },
  "index.mapping.total_fields.limit": { default: "1000", dynamic: true, validate: int(0) },
  "index.mapping.depth.limit": { default: "20", dynamic: true, validate: int(1) },
  "index.mapping.nested_fields.limit": { default: "50", dynamic: true, validate: int(0) },
  "index.mapping.coerce": { default: "true", dynamic: true, validate: bool },
  "index.mapping.ignore_malformed": { default: "false", dynamic: true, validate: bool },
  "index.max_inner_result_window": { default: "100", dynamic: true, validate: int(1) },
  "index.write.wait_for_active_shards": { default: "1", dynamic: true },
  "index.default_pipeline": {
    default: "_none",
    dynamic: true,
    validate: (k, v) => {
      if (v !== "_none") throw errors.notSupported(`ingest pipelines (setting [${k}]=[${v}])`);
    },
  },
  "index.final_pipeline": {
    default: "_none",
    dynamic: true,
    validate: (k, v) => {
      if (v !== "_none") throw errors.notSupported(`ingest pipelines (setting [${k}]=[${v}])`);
    },
  },
  "index.routing.allocation.include._tier_preference": { default: "data_content", dynamic: true },
  "index.lifecycle.name": { dynamic: true },
  "index.lifecycle.rollover_alias": { dynamic: true },
  "index.lifecycle.origination_date": { dynamic: true },
  "index.lifecycle.parse_origination_date": { dynamic: true, validate: bool },
  "index.lifecycle.indexing_complete": { dynamic: true, validate: bool },
  "index.uuid": { private: true },
  "index.creation_date": { private: true },
  "index.provided_name": { private: true },
  "index.version.created": { private: true },
  "index.history.uuid": { private: true },
  "index.xpack.ccr.following_index": { default: "false", internal: true, validate: bool },
};

/** Prefixes of dynamic index settings accepted without per-key validation (slowlog, allocation…). */
const INDEX_SETTING_PREFIXES: Array<{ prefix: string; dynamic: boolean }> = [
  { prefix: "index.search.slowlog.", dynamic: true },
  { prefix: "index.indexing.slowlog.", dynamic: true },
  { prefix: "index.routing.allocation.include.", dynamic: true },
  { prefix: "index.routing.allocation.exclude.", dynamic: true },
  { prefix: "index.routing.allocation.require.", dynamic: true },
  { prefix: "index.routing.allocation.disk.", dynamic: true },
  { prefix: "index.merge.", dynamic: true },
];

/** Settings whose presence means a feature es-sim does not have: rejected explicitly. */
const UNSUPPORTED_INDEX_PREFIXES = [
  "index.analysis.",
  "index.similarity.",
  "index.sort.",
  "index.store.",
  "index.mode",
  "index.routing_path",
];

/** Normalises a user key to its `index.` form, as ES does for index settings bodies. */
export function normaliseIndexKey(key: string): string {
  return key.startsWith("index.") ? key : `index.${key}`;
}

function indexSettingDef(key: string): IndexSettingDef | undefined {
  const exact = INDEX_SETTINGS[key];
  if (exact) return exact;
  const p = INDEX_SETTING_PREFIXES.find((x) => key.startsWith(x.prefix));
  return p ? { dynamic: p.dynamic } : undefined;
}

/** What kind of update is being validated. */
export type IndexSettingsContext = "create" | "update-open" | "update-closed";

/**
 * Validates user-supplied flat index settings (already normalised to `index.` keys) and returns
 * them with values checked. Throws with ES's messages for unknown, private, internal, final and
 * non-dynamic settings.
 */
export function validateIndexSettings(
  flat: Record<string, SettingValue>,
  context: IndexSettingsContext,
  indexLabel = "",
): Record<string, SettingValue> {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(flat)) {
    if (UNSUPPORTED_INDEX_PREFIXES.some((p) => key.startsWith(p))) throw errors.notSupported(`index setting [${key}]`);
    const def = indexSettingDef(key);
    if (!def) {
      unknown.push(key);
      continue;
    }
    if (def.private) {
      if (context === "create") throw errors.illegalArgument(`private index setting [${key}] can not be set explicitly`);
      throw errors.illegalArgument(`final ${indexLabel.split("/")[0]} setting [${key}], not updateable`);
    }
    if (def.internal && context !== "create") {
      throw errors.illegalArgument(`can not update internal setting [${key}]; this setting is managed via a dedicated API`);
    }
    if (def.internal && context === "create") {
      throw errors.illegalArgument(`private index setting [${key}] can not be set explicitly`);
    }
    if (value !== null && def.validate) {
      for (const v of Array.isArray(value) ? value : [value]) def.validate(key, v);
    }
  }
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? `unknown setting [${unknown[0]}]` : `unknown settings [${unknown.join(",")}]`;
    throw errors.illegalArgument(
      `${what} please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
    );
  }
  if (context !== "create") {
    const finals = Object.keys(flat).filter((k) => indexSettingDef(k)?.final);
    if (finals.length > 0) throw errors.illegalArgument(`final ${indexLabel.split("/")[0]} setting [${finals[0]}], not updateable`);
    if (context === "update-open") {
      const nonDynamic = Object.keys(flat).filter((k) => !indexSettingDef(k)?.dynamic);
      if (nonDynamic.length > 0) {
        throw errors.illegalArgument(`Can't update non dynamic settings [[${nonDynamic.join(", ")}]] for open indices [[${indexLabel}]]`);
      }
    }
  }
  return flat;
}

/** The defaults ES reports under `defaults` with `include_defaults=true`, minus keys already set. */
export function indexSettingDefaults(current: FlatSettings): FlatSettings {
  const out: FlatSettings = {};
  for (const [key, def] of Object.entries(INDEX_SETTINGS)) {
    if (def.default !== undefined && !(key in current)) out[key] = def.default;
  }
  return out;
}

/** Reads an index setting with its default. */
export function indexSetting(settings: FlatSettings, key: string): string {
  const v = settings[key];
  if (typeof v === "string") return v;
  const d = INDEX_SETTINGS[key]?.default;
  return typeof d === "string" ? d : "";
}

// ---------------------------------------------------------------------------------------------
// Cluster settings registry (extensible: the CCR layer registers `cluster.remote.*`).

/** A cluster setting or affix family known to es-sim. */
export interface ClusterSettingDef {
  /** Exact key, or a prefix ending in `.` for an affix family such as `cluster.remote.`. */
  key: string;
  default?: string;
  dynamic: boolean;
  validate?: (key: string, value: string | string[]) => void;
}

/**
 * Validates a whole cluster-settings update after merge (e.g. CCR's cross-key remote checks).
 * Receives the settings of one scope as they would be after the update and the keys touched.
 */
export type ClusterSettingsValidator = (merged: FlatSettings, touched: string[], scope: "persistent" | "transient") => void;

const boolSetting = (k: string, v: string | string[]) => void parseBool(k, String(v));
const timeSetting = (k: string, v: string | string[]) => void parseTimeValue(k, String(v));

/** The `index.mapping.*` limits of an index from its settings (ES's defaults where unset). */
export function mappingLimits(settings: FlatSettings): MappingLimits {
  const num = (key: string) => Math.min(Number(indexSetting(settings, key)), Number.MAX_SAFE_INTEGER);
  return {
    totalFields: num("index.mapping.total_fields.limit"),
    depth: num("index.mapping.depth.limit"),
    nestedFields: num("index.mapping.nested_fields.limit"),
    fieldNameLength: num("index.mapping.field_name_length.limit"),
    ignoreDynamicBeyondLimit: indexSetting(settings, "index.mapping.total_fields.ignore_dynamic_beyond_limit") === "true",
  };
}

/** Cluster settings es-sim recognises out of the box. */
export const DEFAULT_CLUSTER_SETTINGS: ClusterSettingDef[] = [
  { key: "action.auto_create_index", default: "true", dynamic: true },
  { key: "action.destructive_requires_name", default: "true", dynamic: true, validate: boolSetting },
  { key: "cluster.max_shards_per_node", default: "1000", dynamic: true },
  { key: "cluster.routing.allocation.enable", default: "all", dynamic: true },
  { key: "cluster.routing.rebalance.enable", default: "all", dynamic: true },
  { key: "cluster.routing.allocation.", dynamic: true },
  { key: "cluster.info.update.interval", default: "30s", dynamic: true, validate: timeSetting },
  { key: "cluster.indices.close.enable", default: "true", dynamic: true, validate: boolSetting },
  { key: "indices.recovery.max_bytes_per_sec", default: "40mb", dynamic: true },
  { key: "search.default_search_timeout", default: "-1", dynamic: true, validate: timeSetting },
  { key: "search.max_buckets", default: "65536", dynamic: true },
  { key: "search.allow_expensive_queries", default: "true", dynamic: true, validate: boolSetting },
  { key: "logger.", dynamic: true },
  { key: "xpack.monitoring.collection.enabled", default: "false", dynamic: true, validate: boolSetting },
  { key: "cluster.name", dynamic: false },
  { key: "node.name", dynamic: false },
  { key: "path.data", dynamic: false },
  { key: "http.port", dynamic: false },
  { key: "transport.port", dynamic: false },
  { key: "network.host", dynamic: false },
  { key: "xpack.security.enabled", dynamic: false },
  { key: "http.max_content_length", dynamic: false },
];

/** Looks up the definition that covers `key` (exact first, then the longest affix prefix). */
export function findClusterSetting(defs: ClusterSettingDef[], key: string): ClusterSettingDef | undefined {
  const exact = defs.find((d) => d.key === key);
  if (exact) return exact;
  let best: ClusterSettingDef | undefined;
  for (const d of defs) {
    if (d.key.endsWith(".") && key.startsWith(d.key) && (!best || d.key.length > best.key.length)) best = d;
  }
  return best;
}

/** True when `error` is an EsError (helper for code that rethrows foreign errors). */
export function isEsError(error: unknown): error is EsError {
  return error instanceof EsError;
}
