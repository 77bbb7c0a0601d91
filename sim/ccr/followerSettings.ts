/**
 * Which index settings a follower shares with its leader (`TransportResumeFollowAction.filter` and
 * `NON_REPLICATED_SETTINGS`): replicated settings are copied from the leader and must stay equal;
 * non-replicated ones (replicas, allocation, refresh, translog, slowlog, retention lease period…)
 * may differ and are what `PUT follow` accepts under `settings`.
 */
import { INDEX_SETTINGS } from "../engine/settings";
import type { FlatSettings } from "../engine/types";

/** The setting marking an index as a follower (internal: only CCR APIs change it). */
export const FOLLOWING_INDEX_SETTING = "index.xpack.ccr.following_index";

/** Settings that are always different between leader and follower and never compared. */
const ALWAYS_DIFFERENT = new Set([
  FOLLOWING_INDEX_SETTING,
  "index.soft_deletes.enabled",
  "index.version.created",
  "index.uuid",
  "index.history.uuid",
  "index.provided_name",
  "index.creation_date",
  "index.version.upgraded",
  "index.version.upgraded_string",
]);

/** Settings of the leader that are not copied to a new follower (identity of the leader index). */
export const NOT_COPIED = new Set([
  "index.uuid",
  "index.history.uuid",
  "index.provided_name",
  "index.creation_date",
  "index.version.created",
  FOLLOWING_INDEX_SETTING,
]);

const NON_REPLICATED_EXACT = new Set([
  "index.number_of_replicas",
  "index.auto_expand_replicas",
  "index.blocks.read_only",
  "index.blocks.read",
  "index.blocks.write",
  "index.blocks.metadata",
  "index.blocks.read_only_allow_delete",
  "index.priority",
  "index.write.wait_for_active_shards",
  "index.hidden",
  "index.routing.rebalance.enable",
  "index.routing.allocation.enable",
  "index.routing.allocation.total_shards_per_node",
  "index.allocation.max_retries",
  "index.unassigned.node_left.delayed_timeout",
  "index.max_result_window",
  "index.warmer.enabled",
  "index.refresh_interval",
  "index.max_rescore_window",
  "index.max_inner_result_window",
  "index.query.default_field",
  "index.query_string.lenient",
  "index.query.query_string.analyze_wildcard",
  "index.query.query_string.allowLeadingWildcard",
  "index.query.parse.allow_unmapped_fields",
  "index.search.idle.after",
  "index.soft_deletes.retention.operations",
  "index.soft_deletes.retention_lease.period",
  "index.max_script_fields",
  "index.max_regex_length",
  "index.max_terms_count",
  "index.highlight.max_analyzed_offset",
  "index.max_docvalue_fields_search",
  "index.analyze.max_token_count",
  "index.max_slices_per_scroll",
  "index.default_pipeline",
  "index.final_pipeline",
  "index.search.throttled",
  "index.translog.retention.age",
  "index.translog.retention.size",
  "index.translog.generation_threshold_size",
  "index.translog.flush_threshold_size",
  "index.translog.durability",
  "index.translog.sync_interval",
  "index.flush_after_merge",
  "index.gc_deletes",
  "index.max_refresh_listeners",
  "index.requests.cache.enable",
  "index.load_fixed_bitset_filters_eagerly",
  "index.compound_format",
  "index.codec",
]);

const NON_REPLICATED_PREFIXES = [
  "index.routing.allocation.exclude.",
  "index.routing.allocation.include.",
  "index.routing.allocation.require.",
  "index.search.slowlog.",
  "index.indexing.slowlog.",
  "index.merge.",
];

/** Whether a leader and follower may differ on `key`. */
export function isNonReplicated(key: string): boolean {
  return NON_REPLICATED_EXACT.has(key) || NON_REPLICATED_PREFIXES.some((p) => key.startsWith(p));
}

/** `TransportResumeFollowAction.filter`: the settings leader and follower must agree on, sorted. */
export function replicatedSettings(settings: FlatSettings): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of Object.keys(settings).sort()) {
    if (ALWAYS_DIFFERENT.has(key) || isNonReplicated(key)) continue;
    out[key] = settings[key]!;
  }
  return out;
}

/** ES's `Settings.toString()` (flat JSON, sorted keys). */
export function settingsToString(settings: Record<string, string | string[]>): string {
  return JSON.stringify(settings);
}

/** Whether es-sim knows an index setting (ES: `indexScopedSettings.get(key) != null`). */
export function isKnownIndexSetting(key: string): boolean {
  return key in INDEX_SETTINGS || isNonReplicated(key);
}
