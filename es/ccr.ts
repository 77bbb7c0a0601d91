/**
 * Typed CCR calls (rest-api-spec `ccr.*`) and the one mapping between our camelCase follow
 * parameters and ES's snake_case wire names.
 */
import type { Es } from "./connection";
import { EsCallError } from "./errors";
import { call, change, readOrUndefined, type StepOutcome } from "./request";

/** Follow parameters (all optional; ES defaults apply to what is left out). */
export interface FollowParameters {
  maxReadRequestOperationCount?: number;
  maxOutstandingReadRequests?: number;
  maxReadRequestSize?: string;
  maxWriteRequestOperationCount?: number;
  maxWriteRequestSize?: string;
  maxOutstandingWriteRequests?: number;
  maxWriteBufferCount?: number;
  maxWriteBufferSize?: string;
  maxRetryDelay?: string;
  readPollTimeout?: string;
}

/** Kind of value of each follow parameter, for validation and comparison. */
export const FOLLOW_PARAMETER_KINDS: Readonly<Record<keyof FollowParameters, "count" | "bytes" | "duration">> = {
  maxReadRequestOperationCount: "count",
  maxOutstandingReadRequests: "count",
  maxReadRequestSize: "bytes",
  maxWriteRequestOperationCount: "count",
  maxWriteRequestSize: "bytes",
  maxOutstandingWriteRequests: "count",
  maxWriteBufferCount: "count",
  maxWriteBufferSize: "bytes",
  maxRetryDelay: "duration",
  readPollTimeout: "duration",
};

/** ES's defaults (docs/providers.md, "Facts"). */
export const DEFAULT_FOLLOW_PARAMETERS: Readonly<Required<FollowParameters>> = {
  maxReadRequestOperationCount: 5120,
  maxOutstandingReadRequests: 12,
  maxReadRequestSize: "32mb",
  maxWriteRequestOperationCount: 5120,
  maxWriteRequestSize: "9223372036854775807b",
  maxOutstandingWriteRequests: 9,
  maxWriteBufferCount: 2147483647,
  maxWriteBufferSize: "512mb",
  maxRetryDelay: "500ms",
  readPollTimeout: "1m",
};

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** camelCase parameters → ES body fields. */
export function followParametersToWire(p: FollowParameters | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p ?? {})) {
    if (v !== undefined && v !== null) out[snake(k)] = v as string | number;
  }
  return out;
}

/** ES `parameters` object (follow-info) → camelCase parameters. Unknown keys are dropped. */
export function followParametersFromWire(w: Record<string, unknown> | undefined): FollowParameters {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(w ?? {})) {
    const key = camel(k);
    if (key in FOLLOW_PARAMETER_KINDS) out[key] = v;
  }
  return out as FollowParameters;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 };
const TIME_UNITS: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses an ES byte size (`32mb`, `512MB`, `1024b`) to bytes as a bigint; `undefined` if invalid. */
export function parseByteSize(v: unknown): bigint | undefined {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) {
    const f = /^\s*(\d+\.\d+)\s*([a-zA-Z]+)\s*$/.exec(v);
    if (!f) return undefined;
    const unit = BYTE_UNITS[f[2]!.toLowerCase()];
    return unit === undefined ? undefined : BigInt(Math.round(Number(f[1]) * unit));
  }
  const unit = BYTE_UNITS[(m[2] || "b").toLowerCase()];
  return unit === undefined ? undefined : BigInt(m[1]!) * BigInt(unit);
}

/** Parses an ES time value (`500ms`, `1m`, `30s`) to milliseconds; `undefined` if invalid. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)\s*$/.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * TIME_UNITS[m[2]!]!;
}

/**
 * The effective parameters (defaults filled in) in a form where equal settings compare equal:
 * `32mb` and `33554432b` are the same size.
 */
export function canonicalFollowParameters(p: FollowParameters | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(FOLLOW_PARAMETER_KINDS) as Array<keyof FollowParameters>) {
    const raw = p?.[key] ?? DEFAULT_FOLLOW_PARAMETERS[key];
    switch (FOLLOW_PARAMETER_KINDS[key]) {
      case "count":
        out[key] = String(Number(raw));
        break;
      case "bytes":
        out[key] = String(parseByteSize(raw) ?? raw);
        break;
      case "duration":
        out[key] = String(parseDuration(raw) ?? raw);
        break;
    }
  }
  return out;
}

/** Response of `ccr.follow`. */
export interface FollowResponse {
  followIndexCreated: boolean;
  followIndexShardsAcked: boolean;
  indexFollowingStarted: boolean;
}

/** `ccr.follow`: creates `index` on this cluster as a follower of `remoteCluster:leaderIndex`. */
export async function ccrFollow(
  es: Es,
  req: {
    index: string;
    remoteCluster: string;
    leaderIndex: string;
    parameters?: FollowParameters | undefined;
    settings?: Record<string, string> | undefined;
    waitForActiveShards?: string | undefined;
    /** `data_stream_name`: the local data stream a followed backing index joins (ES's default: the leader's stream name). */
    dataStreamName?: string | undefined;
    /**
     * Bound on this call when longer than the client's: with `wait_for_active_shards` the answer
     * comes only once the restore of the leader's data has finished, which takes minutes for a
     * large index — the client's 30 s default would abandon a follow that is going well.
     */
    timeoutMs?: number | undefined;
  },
): Promise<FollowResponse> {
  const body = {
    remote_cluster: req.remoteCluster,
    leader_index: req.leaderIndex,
    ...followParametersToWire(req.parameters),
    ...(req.settings && Object.keys(req.settings).length > 0 ? { settings: req.settings } : {}),
    ...(req.dataStreamName !== undefined ? { data_stream_name: req.dataStreamName } : {}),
  };
  const r = (await call(es, "ccr.follow", req.index, (c) =>
    c.ccr.follow({ index: req.index, wait_for_active_shards: (req.waitForActiveShards ?? "1") as never, ...body } as never, {
      requestTimeout: Math.max(es.requestTimeoutMs, req.timeoutMs ?? 0),
    }),
  )) as unknown as Record<string, unknown>;
  return {
    followIndexCreated: r["follow_index_created"] === true,
    followIndexShardsAcked: r["follow_index_shards_acked"] === true,
    indexFollowingStarted: r["index_following_started"] === true,
  };
}

/** `ccr.pause_follow`; already paused, not a follower, or absent count as done. */
export function ccrPauseFollow(es: Es, index: string): Promise<StepOutcome> {
  return change(es, "ccr.pause_follow", index, (c) => c.ccr.pauseFollow({ index }), [
    "already_paused",
    "not_a_follower",
    "index_not_found",
  ]);
}

/** `ccr.resume_follow` with the given parameters (omitted ones fall back to ES defaults); already running counts as done. */
export function ccrResumeFollow(es: Es, index: string, parameters: FollowParameters | undefined): Promise<StepOutcome> {
  return change(es, "ccr.resume_follow", index, (c) => c.ccr.resumeFollow({ index, ...followParametersToWire(parameters) } as never), [
    "already_following",
  ]);
}

/** Outcome of unfollow: also "done, but the leader's retention leases could not be removed". */
export type UnfollowOutcome = StepOutcome | "done-leases-remain";

/**
 * `ccr.unfollow`; not a follower (already unfollowed) or absent counts as done. When the leader is
 * unreachable ES converts the follower but cannot remove its retention leases on the leader:
 * that is reported as `"done-leases-remain"`, not as a failure.
 */
export async function ccrUnfollow(es: Es, index: string): Promise<UnfollowOutcome> {
  try {
    return await change(es, "ccr.unfollow", index, (c) => c.ccr.unfollow({ index }), ["not_a_follower", "index_not_found"]);
  } catch (err) {
    if (err instanceof EsCallError && err.condition === "retention_lease_removal_failed") return "done-leases-remain";
    throw err;
  }
}

/** One entry of `ccr.follow_info`. */
export interface FollowInfo {
  followerIndex: string;
  remoteCluster: string;
  leaderIndex: string;
  status: "active" | "paused";
  /** Present only while active. */
  parameters: FollowParameters | undefined;
}

/** `ccr.follow_info`: the follow relationship of `index`, or `undefined` when it is not a follower or absent. */
export async function ccrFollowInfo(es: Es, index: string): Promise<FollowInfo | undefined> {
  const r = (await readOrUndefined(es, "ccr.follow_info", index, (c) => c.ccr.followInfo({ index }))) as unknown as
    { follower_indices?: Array<Record<string, unknown>> } | undefined;
  const entry = r?.follower_indices?.find((f) => f["follower_index"] === index);
  if (!entry) return undefined;
  return {
    followerIndex: index,
    remoteCluster: String(entry["remote_cluster"]),
    leaderIndex: String(entry["leader_index"]),
    status: entry["status"] === "active" ? "active" : "paused",
    parameters: entry["parameters"] ? followParametersFromWire(entry["parameters"] as Record<string, unknown>) : undefined,
  };
}

/** Per-shard replication progress (`ccr.follow_stats`). */
export interface FollowShardStats {
  shard: number;
  leaderGlobalCheckpoint: number;
  leaderMaxSeqNo: number;
  followerGlobalCheckpoint: number;
  followerMaxSeqNo: number;
  /** `type: reason` of the fatal exception that stopped this shard's task. */
  fatalError: string | undefined;
  /** Milliseconds since this shard's task last read from the leader. */
  timeSinceLastReadMillis: number | undefined;
  /**
   * Reads failing right now (`read_exceptions`): ES keeps an entry per `from_seq_no` while that
   * read is being retried and drops it once it succeeds, so an entry means replication is stuck.
   */
  readExceptions: ReadException[];
}

/** One entry of a shard's `read_exceptions` in `ccr.follow_stats`. */
export interface ReadException {
  fromSeqNo: number;
  retries: number;
  /** `type: reason` of the exception. */
  error: string;
  /** The exception's type alone, e.g. `no_seed_node_left_exception` (innermost cause when wrapped). */
  type: string;
}

/** `ccr.follow_stats` of one follower. */
export interface FollowStats {
  shards: FollowShardStats[];
  /** Σ (leader global checkpoint − follower global checkpoint). */
  globalCheckpointLag: number;
  /** First fatal error of any shard. */
  fatalError: string | undefined;
}

/**
 * A `read_exceptions` entry. ES wraps the transport failure (`exception` of type
 * `exception`/`remote_transport_exception` with `caused_by`), so the innermost cause names what
 * really failed, e.g. `no_seed_node_left_exception` for a remote that cannot be reached.
 */
function readException(e: Record<string, unknown>): ReadException {
  let x = (e["exception"] ?? {}) as { type?: string; reason?: string; caused_by?: unknown };
  const outer = x;
  for (let depth = 0; depth < 8 && x.caused_by && typeof x.caused_by === "object"; depth++) x = x.caused_by as typeof x;
  const type = x.type ?? outer.type ?? "exception";
  return {
    fromSeqNo: Number(e["from_seq_no"] ?? -1),
    retries: Number(e["retries"] ?? 0),
    error: `${type}: ${x.reason ?? outer.reason ?? ""}`,
    type,
  };
}

/** `ccr.follow_stats`; `undefined` when the follower has no tasks (paused, not a follower, absent). */
export async function ccrFollowStats(es: Es, index: string): Promise<FollowStats | undefined> {
  const r = (await readOrUndefined(es, "ccr.follow_stats", index, (c) => c.ccr.followStats({ index }), [
    "index_not_found",
    "no_follow_tasks",
  ])) as unknown as
    { indices?: Array<{ index?: string; total_global_checkpoint_lag?: number; shards?: Array<Record<string, unknown>> }> } | undefined;
  const entry = r?.indices?.find((i) => i.index === index);
  if (!entry) return undefined;
  return followStatsOf(entry);
}

/** One index's entry of a `ccr.follow_stats` answer. */
function followStatsOf(entry: { total_global_checkpoint_lag?: number; shards?: Array<Record<string, unknown>> }): FollowStats {
  const shards = (entry.shards ?? []).map((s): FollowShardStats => {
    const fatal = s["fatal_exception"] as { type?: string; reason?: string } | undefined;
    return {
      shard: Number(s["shard_id"] ?? 0),
      leaderGlobalCheckpoint: Number(s["leader_global_checkpoint"] ?? -1),
      leaderMaxSeqNo: Number(s["leader_max_seq_no"] ?? -1),
      followerGlobalCheckpoint: Number(s["follower_global_checkpoint"] ?? -1),
      followerMaxSeqNo: Number(s["follower_max_seq_no"] ?? -1),
      fatalError: fatal ? `${fatal.type ?? "error"}: ${fatal.reason ?? ""}` : undefined,
      timeSinceLastReadMillis: typeof s["time_since_last_read_millis"] === "number" ? s["time_since_last_read_millis"] : undefined,
      readExceptions: (Array.isArray(s["read_exceptions"]) ? (s["read_exceptions"] as Array<Record<string, unknown>>) : []).map(
        readException,
      ),
    };
  });
  shards.sort((a, b) => a.shard - b.shard);
  const lag =
    typeof entry.total_global_checkpoint_lag === "number"
      ? entry.total_global_checkpoint_lag
      : shards.reduce((sum, s) => sum + Math.max(0, s.leaderGlobalCheckpoint - s.followerGlobalCheckpoint), 0);
  return { shards, globalCheckpointLag: lag, fatalError: shards.find((s) => s.fatalError)?.fatalError };
}

/** The parts of an auto-follow pattern (`ccr.put_auto_follow_pattern` body, `ccr.get_auto_follow_pattern` entry). */
export interface AutoFollowPatternBody {
  remoteCluster: string;
  leaderIndexPatterns: string[];
  leaderIndexExclusionPatterns?: string[];
  followIndexPattern?: string;
}

/** `ccr.put_auto_follow_pattern`: creates or replaces the pattern `name` (ES's PUT is an upsert). */
export async function ccrPutAutoFollowPattern(es: Es, name: string, p: AutoFollowPatternBody): Promise<void> {
  await call(es, "ccr.put_auto_follow_pattern", undefined, (c) =>
    c.ccr.putAutoFollowPattern({
      name,
      remote_cluster: p.remoteCluster,
      leader_index_patterns: p.leaderIndexPatterns,
      ...(p.leaderIndexExclusionPatterns ? { leader_index_exclusion_patterns: p.leaderIndexExclusionPatterns } : {}),
      ...(p.followIndexPattern ? { follow_index_pattern: p.followIndexPattern } : {}),
    }),
  );
}

/** `ccr.get_auto_follow_pattern`: the pattern `name` as the cluster has it; `undefined` when it does not exist. */
export async function ccrGetAutoFollowPattern(es: Es, name: string): Promise<AutoFollowPatternBody | undefined> {
  const r = (await readOrUndefined(es, "ccr.get_auto_follow_pattern", undefined, (c) => c.ccr.getAutoFollowPattern({ name }), [
    "auto_follow_pattern_missing",
  ])) as unknown as { patterns?: Array<{ name: string; pattern: Record<string, unknown> }> } | undefined;
  const p = r?.patterns?.find((x) => x.name === name)?.pattern;
  if (!p) return undefined;
  const exclusions = p["leader_index_exclusion_patterns"] as string[] | undefined;
  return {
    remoteCluster: String(p["remote_cluster"]),
    leaderIndexPatterns: (p["leader_index_patterns"] as string[] | undefined) ?? [],
    ...(exclusions && exclusions.length > 0 ? { leaderIndexExclusionPatterns: exclusions } : {}),
    ...(typeof p["follow_index_pattern"] === "string" ? { followIndexPattern: p["follow_index_pattern"] } : {}),
  };
}

/** `ccr.delete_auto_follow_pattern`; a missing pattern counts as done. */
export function ccrDeleteAutoFollowPattern(es: Es, name: string): Promise<StepOutcome> {
  return change(es, "ccr.delete_auto_follow_pattern", undefined, (c) => c.ccr.deleteAutoFollowPattern({ name }), [
    "auto_follow_pattern_missing",
  ]);
}

/**
 * `ccr.follow_info` of an expression (`_all`, a wildcard or a comma list): every follower among
 * the indices it names, open or closed; none when it names no follower.
 */
/**
 * `ccr.follow_info` of a list of named indices (at most {@link chunkIndexLists}' length: one
 * request): the followers among them, by name. `undefined` when one of them does not exist
 * (Elasticsearch answers 404 for the whole list), so that the caller reads them one by one.
 */
export async function ccrFollowInfoList(es: Es, indices: readonly string[]): Promise<Map<string, FollowInfo> | undefined> {
  const r = (await readOrUndefined(es, "ccr.follow_info", indices.length === 1 ? indices[0] : undefined, (c) =>
    c.ccr.followInfo({ index: [...indices] }),
  )) as unknown as { follower_indices?: Array<Record<string, unknown>> } | undefined;
  if (!r) return undefined;
  const out = new Map<string, FollowInfo>();
  for (const entry of r.follower_indices ?? []) {
    const name = String(entry["follower_index"]);
    out.set(name, {
      followerIndex: name,
      remoteCluster: String(entry["remote_cluster"]),
      leaderIndex: String(entry["leader_index"]),
      status: entry["status"] === "active" ? "active" : "paused",
      parameters: entry["parameters"] ? followParametersFromWire(entry["parameters"] as Record<string, unknown>) : undefined,
    });
  }
  return out;
}

/**
 * `ccr.follow_stats` of a list of named followers (one request): the stats of those with tasks, by
 * name. A missing index fails the whole list (the caller reads them one by one).
 */
export async function ccrFollowStatsList(es: Es, indices: readonly string[]): Promise<Map<string, FollowStats>> {
  const r = (await readOrUndefined(
    es,
    "ccr.follow_stats",
    indices.length === 1 ? indices[0] : undefined,
    (c) => c.ccr.followStats({ index: [...indices] }),
    ["no_follow_tasks"],
  )) as unknown as
    { indices?: Array<{ index?: string; total_global_checkpoint_lag?: number; shards?: Array<Record<string, unknown>> }> } | undefined;
  const out = new Map<string, FollowStats>();
  for (const entry of r?.indices ?? []) if (entry.index !== undefined) out.set(entry.index, followStatsOf(entry));
  return out;
}

export async function ccrFollowInfoOf(es: Es, expression: string): Promise<FollowInfo[]> {
  const r = (await readOrUndefined(es, "ccr.follow_info", expression, (c) => c.ccr.followInfo({ index: expression }))) as unknown as
    { follower_indices?: Array<Record<string, unknown>> } | undefined;
  return (r?.follower_indices ?? []).map((entry) => ({
    followerIndex: String(entry["follower_index"]),
    remoteCluster: String(entry["remote_cluster"]),
    leaderIndex: String(entry["leader_index"]),
    status: entry["status"] === "active" ? ("active" as const) : ("paused" as const),
    parameters: entry["parameters"] ? followParametersFromWire(entry["parameters"] as Record<string, unknown>) : undefined,
  }));
}

/** `ccr.get_auto_follow_pattern` of every pattern: name, remote cluster and whether it is active. */
export async function ccrGetAutoFollowPatterns(es: Es): Promise<Array<{ name: string; remoteCluster: string; active: boolean }>> {
  const r = (await readOrUndefined(es, "ccr.get_auto_follow_pattern", undefined, (c) => c.ccr.getAutoFollowPattern(), [
    "auto_follow_pattern_missing",
  ])) as unknown as { patterns?: Array<{ name: string; pattern: Record<string, unknown> }> } | undefined;
  return (r?.patterns ?? []).map((p) => ({
    name: p.name,
    remoteCluster: String(p.pattern["remote_cluster"]),
    // ES renders `active` since 7.5; absent means active
    active: p.pattern["active"] !== false,
  }));
}

/** `ccr.pause_auto_follow_pattern`: no new leader index is followed through it; a missing pattern counts as done. */
export function ccrPauseAutoFollowPattern(es: Es, name: string): Promise<StepOutcome> {
  return change(es, "ccr.pause_auto_follow_pattern", undefined, (c) => c.ccr.pauseAutoFollowPattern({ name }), [
    "auto_follow_pattern_missing",
  ]);
}
