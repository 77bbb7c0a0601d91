/**
 * Search and count (`TransportSearchAction`, `TransportCountAction`): resolve the target indices,
 * run the search library on each index's shard, and merge the per-index results the way ES's
 * `SearchPhaseController` reduces shard results — by sort values when a sort is given, else by
 * score. Each takes the cluster state as its first argument.
 */
import type { Cluster, ExpressionOptions } from "../cluster";
import { EsError, errors } from "../errors";
import { parseIntSetting } from "../settings";
import type { IndexShard } from "../shard";
import type { Json, SearchHits, SearchRequest } from "../types";

/**
 * `GET|POST /{index}/_search`: resolves targets, runs the search library per index and merges,
 * wrapping it in ES's envelope (`took`, `timed_out`, `_shards`, `hits`).
 */
export async function search(
  cluster: Cluster,
  expression: string | undefined,
  request: SearchRequest,
  opts: ExpressionOptions,
): Promise<Json> {
  const started = cluster.now();
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
  const shards = indices.map((n) => cluster.shard(n)!).filter((s) => s.isOpen);
  const from = intParam(request.body.from ?? request.params.from, 0);
  const size = intParam(request.body.size ?? request.params.size, 10);
  for (const s of shards) {
    const window = parseIntSetting("index.max_result_window", s.setting("index.max_result_window"));
    if (from + size > window) {
      throw shardFailure(
        s,
        errors.illegalArgument(
          `Result window is too large, from + size must be less than or equal to: [${window}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
        ),
        cluster.nodeId,
      );
    }
  }
  const wantsAggregations = request.body.aggs !== undefined || request.body.aggregations !== undefined;
  // Aggregations are computed per index by the search library; reducing them across indices
  // (re-ranking terms buckets, combining averages) is not implemented.
  if (wantsAggregations && shards.length !== 1)
    throw errors.notSupported(
      `aggregations over ${shards.length === 0 ? "no" : "more than one"} index (es-sim aggregates one index at a time)`,
    );
  const now = cluster.now();
  await Promise.all(shards.map((s) => s.beforeSearch(now)));
  let hits: SearchHits;
  let aggregations: Json | undefined;
  if (shards.length === 1) {
    ({ hits, aggregations } = runShardSearch(cluster, shards[0]!, request));
  } else if (shards.length === 0) {
    const trackTotal = request.body.track_total_hits ?? request.params.track_total_hits;
    hits = { max_score: null, hits: [] };
    if (trackTotal !== false && trackTotal !== "false") {
      hits = { total: request.params.rest_total_hits_as_int === "true" ? 0 : { value: 0, relation: "eq" }, max_score: null, hits: [] };
    }
  } else {
    const widened: SearchRequest = {
      body: { ...request.body, from: 0, size: from + size },
      params: Object.fromEntries(Object.entries(request.params).filter(([k]) => k !== "from" && k !== "size")),
    };
    const parts = shards.map((s) => runShardSearch(cluster, s, widened).hits);
    hits = mergeHits(parts, request.body.sort ?? request.params.sort, from, size);
  }
  const count = Number(shards.reduce((n, s) => n + Number(s.setting("index.number_of_shards")), 0));
  return {
    took: Math.max(0, cluster.now() - started),
    timed_out: false,
    _shards: { total: count, successful: count, skipped: 0, failed: 0 },
    hits,
    ...(aggregations !== undefined ? { aggregations } : {}),
  };
}

function runShardSearch(cluster: Cluster, shard: IndexShard, request: SearchRequest): { hits: SearchHits; aggregations?: Json } {
  try {
    return shard.searchResponse(request);
  } catch (e) {
    if (e instanceof EsError && (e.type === "query_shard_exception" || e.type === "search_context_exception"))
      throw shardFailure(shard, e, cluster.nodeId);
    throw e;
  }
}

/** `GET|POST /{index}/_count` */
export async function count(
  cluster: Cluster,
  expression: string | undefined,
  request: SearchRequest,
  opts: ExpressionOptions,
): Promise<Json> {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
  const shards = indices.map((n) => cluster.shard(n)!).filter((s) => s.isOpen);
  const now = cluster.now();
  await Promise.all(shards.map((s) => s.beforeSearch(now)));
  let count = 0;
  for (const s of shards) {
    try {
      count += s.count(request);
    } catch (e) {
      if (e instanceof EsError && e.type === "query_shard_exception") throw shardFailure(s, e, cluster.nodeId);
      throw e;
    }
  }
  const n = shards.reduce((a, s) => a + Number(s.setting("index.number_of_shards")), 0);
  return { count, _shards: { total: n, successful: n, skipped: 0, failed: 0 } };
}

function intParam(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** Wraps a shard-level failure the way ES reports "all shards failed". */
function shardFailure(shard: IndexShard, cause: EsError, nodeId: string): EsError {
  return new EsError(
    "search_phase_execution_exception",
    400,
    "all shards failed",
    {
      phase: "query",
      grouped: true,
      failed_shards: [{ shard: 0, index: shard.name, node: nodeId, reason: cause.toJSON() }],
    },
    cause,
  );
}

/** Merges per-index hits: by sort values when a sort is given, else by score. */
function mergeHits(parts: SearchHits[], sort: unknown, from: number, size: number): SearchHits {
  let totalValue = 0;
  let relation: "eq" | "gte" = "eq";
  let hasTotal = false;
  let asInt = false;
  let maxScore: number | null = null;
  const all: Json[] = [];
  for (const p of parts) {
    if (p.total !== undefined) {
      hasTotal = true;
      if (typeof p.total === "number") {
        asInt = true;
        totalValue += p.total;
      } else {
        totalValue += p.total.value;
        if (p.total.relation === "gte") relation = "gte";
      }
    }
    if (p.max_score !== null && (maxScore === null || p.max_score > maxScore)) maxScore = p.max_score;
    all.push(...p.hits);
  }
  const orders = sortOrders(sort);
  all.sort((a, b) => {
    const sa = a.sort as unknown[] | undefined;
    const sb = b.sort as unknown[] | undefined;
    if (sa && sb) {
      for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
        const c = compareValues(sa[i], sb[i]) * (orders[i] === "desc" ? -1 : 1);
        if (c !== 0) return c;
      }
      return 0;
    }
    return ((b._score as number) ?? 0) - ((a._score as number) ?? 0);
  });
  const out: SearchHits = { max_score: maxScore, hits: all.slice(from, from + size) };
  if (hasTotal) out.total = asInt ? totalValue : { value: totalValue, relation };
  return { ...(hasTotal ? { total: out.total } : {}), max_score: out.max_score, hits: out.hits };
}

function sortOrders(sort: unknown): Array<"asc" | "desc"> {
  const list = Array.isArray(sort) ? sort : sort === undefined ? [] : typeof sort === "string" ? sort.split(",") : [sort];
  return list.map((s) => {
    if (typeof s === "string") {
      const [field, order] = s.split(":");
      return order === "desc" || (order === undefined && field === "_score") ? "desc" : "asc";
    }
    const [field, spec] = Object.entries(s as Json)[0] ?? ["", {}];
    const order = typeof spec === "string" ? spec : ((spec as Json)?.order as string | undefined);
    return order === "desc" || (order === undefined && field === "_score") ? "desc" : "asc";
  });
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}
