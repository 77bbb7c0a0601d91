/**
 * `GET /_nodes[/{node_id}][/{metric}]` (ES's `TransportNodesInfoAction`, rendered as
 * `NodesInfoResponse`) and `GET /_nodes/stats` (`TransportNodesStatsAction`, `NodeStats`) for the
 * single node es-sim is. The node's addresses and process facts come in as a `NodeInfo` value
 * (sim/engine/node.ts); index statistics are the node-level sum of `indicesStats`.
 */
import { ES_VERSION, type Cluster } from "../cluster";
import { errors } from "../errors";
import { simpleMatch } from "../names";
import { NODE_ATTRIBUTES, NODE_ROLES, NODE_VERSIONS, type NodeInfo } from "../node";
import { nestSettings, sortedFlat } from "../settings";
import type { Json } from "../types";
import { indicesStats } from "./stats";

/** `NodesInfoMetrics.Metric`: the sections `GET /_nodes` can be limited to. */
export const NODES_INFO_METRICS = [
  "settings",
  "os",
  "process",
  "jvm",
  "thread_pool",
  "transport",
  "http",
  "remote_cluster_server",
  "plugins",
  "ingest",
  "aggregations",
  "indices",
];

/** `NodesStatsRequestParameters.Metric`: the sections of `GET /_nodes/stats` besides `indices`. */
export const NODES_STATS_METRICS = [
  "os",
  "process",
  "jvm",
  "thread_pool",
  "fs",
  "transport",
  "http",
  "breaker",
  "script",
  "discovery",
  "ingest",
  "adaptive_selection",
  "script_cache",
  "indexing_pressure",
  "repositories",
  "allocations",
];

/** `CommonStatsFlags.Flag` rest names: the index metrics of `GET /_nodes/stats/indices/{index_metric}`. */
export const NODES_STATS_INDEX_METRICS = [
  "docs",
  "store",
  "indexing",
  "get",
  "search",
  "merge",
  "flush",
  "refresh",
  "query_cache",
  "fielddata",
  "completion",
  "segments",
  "translog",
  "request_cache",
  "recovery",
  "bulk",
  "shard_stats",
  "mappings",
  "dense_vector",
  "sparse_vector",
  "warmer",
];

/** Thread pools es-sim reports with the sizes ES gives a node of `processors` cores (`ThreadPool`). */
function threadPools(processors: number): Record<string, { type: string; size: number; queue: number }> {
  return {
    generic: { type: "scaling", size: Math.max(128, 4 * processors), queue: -1 },
    search: { type: "fixed", size: Math.floor((processors * 3) / 2) + 1, queue: 1000 },
    write: { type: "fixed", size: processors, queue: 10000 },
    get: { type: "fixed", size: Math.floor((processors * 3) / 2) + 1, queue: 1000 },
    management: { type: "scaling", size: Math.min(5, processors), queue: -1 },
    refresh: { type: "scaling", size: Math.min(10, Math.max(1, Math.floor(processors / 2))), queue: -1 },
    flush: { type: "scaling", size: Math.min(5, Math.max(1, Math.floor(processors / 2))), queue: -1 },
    ccr: { type: "fixed", size: 32, queue: 100 },
  };
}

/**
 * `DiscoveryNodes.resolveNodes`: which of the nodes (here the one) a `node_id` list names. Accepts
 * `_all`, `_local`, `_master`, the id, the name, host or address (with `*` wildcards), and
 * `role:true|false` / `attribute:value` filters.
 */
export function selectsNode(cluster: Cluster, node: NodeInfo, nodeIds: string | undefined): boolean {
  if (nodeIds === undefined || nodeIds === "") return true;
  let selected = false;
  for (const raw of nodeIds.split(",").map((s) => s.trim())) {
    if (raw === "") continue;
    if (raw === "_all" || raw === "_local" || raw === "_master" || raw === "*") {
      selected = true;
      continue;
    }
    const colon = raw.indexOf(":");
    if (colon > 0) {
      const attr = raw.slice(0, colon);
      const value = raw.slice(colon + 1);
      const roles: readonly string[] = NODE_ROLES;
      if (attr === "coordinating_only") selected = selected || value === "false";
      else if (roles.includes(attr) || ["ml", "transform", "voting_only", "index", "search"].includes(attr)) {
        const has = roles.includes(attr);
        if (value === "true" ? has : value === "false" ? !has : false) selected = true;
      } else {
        for (const [k, v] of Object.entries(NODE_ATTRIBUTES)) if (simpleMatch(attr, k) && simpleMatch(value, v)) selected = true;
      }
      continue;
    }
    const candidates = [cluster.nodeId, cluster.nodeName, node.host, node.ip, node.transportPublishAddress];
    if (candidates.some((c) => simpleMatch(raw, c))) selected = true;
  }
  return selected;
}

function nodesHeader(cluster: Cluster, count: number): Json {
  return { _nodes: { total: count, successful: count, failed: 0 }, cluster_name: cluster.clusterName };
}

function osInfo(node: NodeInfo): Json {
  return {
    refresh_interval_in_millis: 1000,
    name: node.os.name,
    pretty_name: node.os.prettyName,
    arch: node.os.arch,
    version: node.os.version,
    available_processors: node.os.availableProcessors,
    allocated_processors: node.os.availableProcessors,
  };
}

function jvmInfo(node: NodeInfo): Json {
  const u = node.usage();
  return {
    pid: node.process.pid,
    version: node.runtime.version,
    vm_name: node.runtime.name,
    vm_version: node.runtime.version,
    vm_vendor: node.runtime.vendor,
    bundled_jdk: false,
    using_bundled_jdk: null,
    start_time_in_millis: node.startedAt,
    mem: {
      heap_init_in_bytes: u.heapTotalBytes,
      heap_max_in_bytes: u.heapTotalBytes,
      non_heap_init_in_bytes: 0,
      non_heap_max_in_bytes: 0,
      direct_max_in_bytes: 0,
    },
    gc_collectors: [],
    memory_pools: [],
    using_compressed_ordinary_object_pointers: "false",
    input_arguments: [],
  };
}

/** `GET /_nodes[/{node_id}][/{metric}]`; `metrics` undefined means all sections. */
export function nodesInfo(cluster: Cluster, node: NodeInfo, opts: { nodeIds?: string; metrics?: string[]; flat?: boolean }): Json {
  if (!selectsNode(cluster, node, opts.nodeIds)) return { ...nodesHeader(cluster, 0), nodes: {} };
  // RestNodesInfoAction: `_all` alone asks for everything; unknown metrics are disregarded
  const all = !opts.metrics || (opts.metrics.length === 1 && opts.metrics[0] === "_all");
  const wanted = (m: string) => all || opts.metrics!.includes(m);
  const entry: Json = {
    name: cluster.nodeName,
    transport_address: node.transportPublishAddress,
    host: node.host,
    ip: node.ip,
    version: ES_VERSION.number,
    transport_version: NODE_VERSIONS.transportVersion,
    build_flavor: ES_VERSION.build_flavor,
    build_type: ES_VERSION.build_type,
    build_hash: ES_VERSION.build_hash,
  };
  if (wanted("indices")) entry.total_indexing_buffer = Math.floor(node.usage().totalMemoryBytes / 10);
  entry.roles = [...NODE_ROLES];
  entry.attributes = { ...NODE_ATTRIBUTES };
  if (wanted("settings")) entry.settings = opts.flat ? sortedFlat(node.settings) : nestSettings(node.settings);
  if (wanted("os")) entry.os = osInfo(node);
  if (wanted("process")) entry.process = { refresh_interval_in_millis: 1000, id: node.process.pid, mlockall: false };
  if (wanted("jvm")) entry.jvm = jvmInfo(node);
  if (wanted("thread_pool")) {
    const pools: Json = {};
    for (const [name, p] of Object.entries(threadPools(node.os.availableProcessors))) {
      pools[name] =
        p.type === "fixed"
          ? { type: p.type, size: p.size, queue_size: p.queue }
          : { type: p.type, core: 0, max: p.size, keep_alive: "30s", queue_size: -1 };
    }
    entry.thread_pool = pools;
  }
  if (wanted("transport")) {
    entry.transport = { bound_address: [...node.transportBoundAddresses], publish_address: node.transportPublishAddress, profiles: {} };
  }
  if (wanted("http")) {
    entry.http = {
      bound_address: [...node.httpBoundAddresses],
      publish_address: node.httpPublishAddress,
      max_content_length_in_bytes: node.maxContentLengthBytes,
    };
  }
  if (wanted("plugins")) {
    entry.plugins = [];
    entry.modules = [];
  }
  if (wanted("ingest")) entry.ingest = { processors: [] };
  if (wanted("aggregations")) {
    const aggs: Json = {};
    for (const a of ["avg", "max", "min", "sum", "terms", "value_count"])
      aggs[a] = { types: a === "terms" ? ["keyword", "long"] : ["numeric"] };
    entry.aggregations = aggs;
  }
  return { ...nodesHeader(cluster, 1), nodes: { [cluster.nodeId]: entry } };
}

/** `GET /_nodes/stats` options, already split from the path. */
export interface NodesStatsOptions {
  nodeIds?: string;
  /** Metric names (`_all` when absent). */
  metrics?: string[];
  indexMetrics?: string[];
  /** The request path, for ES's error texts. */
  path: string;
  level?: string;
}

/** Checks the metric lists as `RestNodesStatsAction.prepareRequest` does; returns the index metrics to show. */
function statsMetrics(opts: NodesStatsOptions, unrecognized: (invalid: string[], candidates: string[], detail: string) => Error) {
  const metrics = opts.metrics ?? ["_all"];
  if (metrics.length === 1 && metrics[0] === "_all") {
    if (opts.indexMetrics) {
      throw errors.illegalArgument(
        `request [${opts.path}] contains index metrics [${opts.indexMetrics.join(",")}] but all stats requested`,
      );
    }
    return { sections: new Set([...NODES_STATS_METRICS, "indices"]), indexMetrics: undefined };
  }
  if (metrics.includes("_all")) {
    throw errors.illegalArgument(`request [${opts.path}] contains _all and individual metrics [${metrics.join(",")}]`);
  }
  const invalid = [...new Set(metrics.filter((m) => m !== "indices" && !NODES_STATS_METRICS.includes(m)))].sort();
  if (invalid.length > 0) throw unrecognized(invalid, NODES_STATS_METRICS, "metric");
  if (!metrics.includes("indices")) {
    if (opts.indexMetrics) {
      throw errors.illegalArgument(
        `request [${opts.path}] contains index metrics [${opts.indexMetrics.join(",")}] but indices stats not requested`,
      );
    }
    return { sections: new Set(metrics), indexMetrics: undefined };
  }
  const im = opts.indexMetrics;
  if (!im || (im.length === 1 && im[0] === "_all")) return { sections: new Set(metrics), indexMetrics: undefined };
  const badIndex = [...new Set(im.filter((m) => !NODES_STATS_INDEX_METRICS.includes(m)))].sort();
  if (badIndex.length > 0) throw unrecognized(badIndex, NODES_STATS_INDEX_METRICS, "index metric");
  return { sections: new Set(metrics), indexMetrics: im };
}

/** `GET /_nodes/stats`: the sections es-sim can measure; see docs/known-gaps.md for the approximated ones. */
export function nodesStats(
  cluster: Cluster,
  node: NodeInfo,
  opts: NodesStatsOptions,
  unrecognized: (invalid: string[], candidates: string[], detail: string) => Error,
): Json {
  if (opts.level !== undefined && !["node", "indices", "shards"].includes(opts.level)) {
    throw errors.illegalArgument(`level parameter must be one of [node] or [indices] or [shards] but was [${opts.level}]`);
  }
  const { sections, indexMetrics } = statsMetrics(opts, unrecognized);
  if (!selectsNode(cluster, node, opts.nodeIds)) return { ...nodesHeader(cluster, 0), nodes: {} };
  const u = node.usage();
  const entry: Json = {
    timestamp: u.timestamp,
    name: cluster.nodeName,
    transport_address: node.transportPublishAddress,
    host: node.host,
    // NodeStats writes the node's transport address (host:port) as `ip`, unlike NodesInfoResponse
    ip: node.transportPublishAddress,
    roles: [...NODE_ROLES],
    attributes: { ...NODE_ATTRIBUTES },
  };
  if (sections.has("indices")) {
    const stats = indicesStats(cluster, undefined, indexMetrics, { level: "cluster", expandWildcards: ["open", "closed", "hidden"] });
    entry.indices = ((stats._all as Json)?.total as Json) ?? {};
  }
  if (sections.has("os")) {
    entry.os = {
      timestamp: u.timestamp,
      cpu: { percent: 0, load_average: { "1m": u.loadAverage[0], "5m": u.loadAverage[1], "15m": u.loadAverage[2] } },
      mem: {
        total_in_bytes: u.totalMemoryBytes,
        adjusted_total_in_bytes: u.totalMemoryBytes,
        free_in_bytes: u.freeMemoryBytes,
        used_in_bytes: u.totalMemoryBytes - u.freeMemoryBytes,
        free_percent: Math.round((u.freeMemoryBytes / Math.max(1, u.totalMemoryBytes)) * 100),
        used_percent: Math.round(((u.totalMemoryBytes - u.freeMemoryBytes) / Math.max(1, u.totalMemoryBytes)) * 100),
      },
      swap: { total_in_bytes: 0, free_in_bytes: 0, used_in_bytes: 0 },
    };
  }
  if (sections.has("process")) {
    entry.process = {
      timestamp: u.timestamp,
      open_file_descriptors: -1,
      max_file_descriptors: -1,
      cpu: { percent: 0, total_in_millis: u.cpuMillis },
      mem: { total_virtual_in_bytes: u.rssBytes },
    };
  }
  if (sections.has("jvm")) {
    entry.jvm = {
      timestamp: u.timestamp,
      uptime_in_millis: Math.max(0, u.timestamp - node.startedAt),
      mem: {
        heap_used_in_bytes: u.heapUsedBytes,
        heap_used_percent: Math.round((u.heapUsedBytes / Math.max(1, u.heapTotalBytes)) * 100),
        heap_committed_in_bytes: u.heapTotalBytes,
        heap_max_in_bytes: u.heapTotalBytes,
        non_heap_used_in_bytes: Math.max(0, u.rssBytes - u.heapTotalBytes),
        non_heap_committed_in_bytes: Math.max(0, u.rssBytes - u.heapTotalBytes),
        pools: {},
      },
      threads: { count: 1, peak_count: 1 },
      gc: { collectors: {} },
      buffer_pools: {},
      classes: { current_loaded_count: 0, total_loaded_count: 0, total_unloaded_count: 0 },
    };
  }
  if (sections.has("thread_pool")) {
    const pools: Json = {};
    for (const [name, p] of Object.entries(threadPools(node.os.availableProcessors))) {
      pools[name] = { threads: 0, queue: 0, active: 0, rejected: 0, largest: p.type === "fixed" ? p.size : 0, completed: 0 };
    }
    entry.thread_pool = pools;
  }
  if (sections.has("fs")) entry.fs = { timestamp: u.timestamp, total: {}, data: [] };
  if (sections.has("transport"))
    entry.transport = { server_open: 0, total_outbound_connections: 0, rx_count: 0, rx_size_in_bytes: 0, tx_count: 0, tx_size_in_bytes: 0 };
  if (sections.has("http")) entry.http = { current_open: u.openHttpConnections, total_opened: u.totalHttpConnections, clients: [] };
  if (sections.has("breaker")) {
    const breaker = (limit: number, overhead: number) => ({
      limit_size_in_bytes: limit,
      limit_size: `${limit}b`,
      estimated_size_in_bytes: 0,
      estimated_size: "0b",
      overhead,
      tripped: 0,
    });
    entry.breakers = {
      request: breaker(Math.floor(u.heapTotalBytes * 0.6), 1),
      fielddata: breaker(Math.floor(u.heapTotalBytes * 0.4), 1.03),
      // the HTTP server's real breaker (sim/http/server.ts), when the node has one
      in_flight_requests: u.inFlight
        ? {
            limit_size_in_bytes: u.inFlight.limit,
            limit_size: `${u.inFlight.limit}b`,
            estimated_size_in_bytes: u.inFlight.used,
            estimated_size: `${u.inFlight.used}b`,
            overhead: u.inFlight.overhead,
            tripped: u.inFlight.tripped,
          }
        : breaker(u.heapTotalBytes, 2),
      parent: breaker(Math.floor(u.heapTotalBytes * 0.95), 1),
    };
  }
  if (sections.has("script")) entry.script = { compilations: 0, cache_evictions: 0, compilation_limit_triggered: 0 };
  if (sections.has("discovery")) entry.discovery = {};
  if (sections.has("ingest")) entry.ingest = { total: { count: 0, time_in_millis: 0, current: 0, failed: 0 }, pipelines: {} };
  if (sections.has("adaptive_selection")) entry.adaptive_selection = {};
  if (sections.has("script_cache")) entry.script_cache = { sum: { compilations: 0, cache_evictions: 0, compilation_limit_triggered: 0 } };
  if (sections.has("indexing_pressure"))
    entry.indexing_pressure = { memory: { current: {}, total: {}, limit_in_bytes: Math.floor(u.heapTotalBytes / 10) } };
  if (sections.has("repositories")) entry.repositories = {};
  if (sections.has("allocations")) entry.allocations = {};
  return { ...nodesHeader(cluster, 1), nodes: { [cluster.nodeId]: entry } };
}
