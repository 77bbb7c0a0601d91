/**
 * What the node knows about itself beyond the cluster state: its listeners' addresses, the
 * settings it was started with, and facts of the process and host. In Elasticsearch these come
 * from `DiscoveryNode`, `TransportInfo`, `HttpInfo`, `OsInfo` and `ProcessInfo`; es-sim's process
 * layer (`sim/index.ts`) gathers them when the listeners are bound and hands them to the actions
 * as data, so the engine never touches sockets or the operating system itself.
 */
import type { FlatSettings } from "./types";

/** Resource usage of the process at one moment (`GET /_nodes/stats` reads it). */
export interface NodeUsage {
  /** Wall-clock milliseconds since the epoch. */
  timestamp: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  /** Total CPU time of the process in ms. */
  cpuMillis: number;
  /** Load averages (1, 5, 15 minutes); zeros where the OS has none. */
  loadAverage: [number, number, number];
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  openHttpConnections: number;
  totalHttpConnections: number;
  /** The HTTP layer's `in_flight_requests` breaker: limit (-1: none), overhead, bytes held, trips. */
  inFlight?: { limit: number; overhead: number; used: number; tripped: number };
}

/** The node's own description, fixed once both listeners are bound (except `usage`). */
export interface NodeInfo {
  /** Changes on every start, as ES's ephemeral id does. */
  ephemeralId: string;
  /** Host name and IP address the node publishes. */
  host: string;
  ip: string;
  /** The transport listener's `host:port`: what remote-cluster settings point at. */
  transportPublishAddress: string;
  transportBoundAddresses: string[];
  httpPublishAddress: string;
  httpBoundAddresses: string[];
  maxContentLengthBytes: number;
  /** The node settings the process was started with (`-E`, plus the defaults it filled in). */
  settings: FlatSettings;
  /** When the process started (ms since the epoch). */
  startedAt: number;
  os: { name: string; prettyName: string; arch: string; version: string; availableProcessors: number };
  process: { pid: number };
  /** The runtime standing in for ES's JVM (Node.js). */
  runtime: { name: string; version: string; vendor: string };
  usage(): NodeUsage;
}

/**
 * The roles es-sim's node has. ES's default node has every role; es-sim leaves out `ml` and
 * `transform`, which it does not implement (docs/known-gaps.md).
 */
export const NODE_ROLES = [
  "data",
  "data_cold",
  "data_content",
  "data_frozen",
  "data_hot",
  "data_warm",
  "ingest",
  "master",
  "remote_cluster_client",
] as const;

/** Node attributes: ES's default distribution marks its nodes with `xpack.installed`. */
export const NODE_ATTRIBUTES: Record<string, string> = { "xpack.installed": "true" };

/** Wire and index versions es-sim reports for its ES release (`ES_VERSION`); approximations. */
export const NODE_VERSIONS = {
  transportVersion: 8_841_000,
  minIndexVersion: 7_000_099,
  maxIndexVersion: 8_536_000,
} as const;
