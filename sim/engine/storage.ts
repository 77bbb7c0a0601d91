/**
 * The storage contract the engine writes through, and an in-memory implementation for unit tests.
 * The process always uses the durable one in `sim/storage/durableStorage.ts`.
 *
 * Ordering contract: records appended for one index are made durable in append order; `commit()`
 * resolves once every record appended before the call is on disk (fsync), which is what makes a
 * write acknowledgeable (ES's `index.translog.durability: request`). Concurrent commits share one
 * fsync (group commit).
 */
import type { DocEntry, FlatSettings, IndexMeta, Json, Operation, RetentionLeases } from "./types";

/** The cluster-level durable state: identity, persistent settings, the index registry. */
export interface ClusterStateRecord {
  clusterUuid: string;
  nodeId: string;
  persistent: FlatSettings;
  /** Registered indices; an index directory not listed here is a leftover of a crash and is removed. */
  indices: Array<{ name: string; uuid: string }>;
  /** Cluster-state customs of layers built on the engine (CCR's auto-follow patterns); absent in older files. */
  custom?: Record<string, Json>;
}

/** A complete image of one index at a point in time (the base that log records are replayed onto). */
export interface IndexSnapshot {
  meta: IndexMeta;
  leases: RetentionLeases;
  maxSeqNo: number;
  localCheckpoint: number;
  /** Processed seq_nos above the local checkpoint (out-of-order replicated ops). */
  processedAbove: number[];
  /** The version map: live docs and tombstones. */
  docs: Array<[string, DocEntry]>;
  /** Retained operation history, in `_seq_no` order. */
  history: Operation[];
}

/** One record of an index's append-only log. */
export type LogRecord =
  /** An index or delete operation (client write or replicated). `at` is the wall-clock time of a delete. */
  | { t: "op"; op: Operation; at?: number }
  /** New index metadata (settings, mappings, aliases, state, primary term). */
  | { t: "meta"; meta: IndexMeta }
  /** New retention leases. */
  | { t: "leases"; leases: RetentionLeases }
  /** History below these rules was merged away by `_forcemerge`. */
  | { t: "trim"; minRetainedSeqNo: number };

/** What `load()` returns for one index. */
export interface LoadedIndex {
  snapshot: IndexSnapshot;
  records: LogRecord[];
}

/**
 * Thrown (as the rejection of `commit()`, `createIndex`, `snapshot`, …) when the file system has no
 * space left. Nothing that was waiting on it is acknowledged; the records stay queued in order and
 * are written by the next commit once there is room, so what is acknowledged later still lands
 * after them. The engine answers it with the flood-stage block (Cluster).
 */
export class StorageFullError extends Error {
  override readonly name = "StorageFullError";
  constructor(
    /** The file that could not be written. */
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`no space left on device writing [${path}]`);
  }
}

/** Size and free space of the file system holding the data (ES's `DiskUsage`). */
export interface DiskUsage {
  totalBytes: number;
  /** Bytes usable by this process (statfs `f_bavail`, Java's `getUsableSpace`). */
  freeBytes: number;
}

/** The storage the engine is given. */
export interface EngineStorage {
  /** Reads everything back; `cluster` is null for a fresh data dir. */
  load(): Promise<{ cluster: ClusterStateRecord | null; indices: Map<string, LoadedIndex> }>;
  /** Atomically replaces the cluster state (temp + fsync + rename). */
  saveClusterState(state: ClusterStateRecord): Promise<void>;
  /** Creates the durable home of a new index with its initial image. */
  createIndex(uuid: string, snapshot: IndexSnapshot): Promise<void>;
  /** Removes an index's files (after the cluster state no longer lists it). */
  deleteIndex(uuid: string): Promise<void>;
  /** Buffers a record; durable at the next `commit()`. */
  append(uuid: string, record: LogRecord): void;
  /** Resolves when all records appended so far are durable. */
  commit(): Promise<void>;
  /**
   * Compaction: `snapshot` is the complete state of the index as of the last `append` for it;
   * once it is durable the log before it can be dropped.
   */
  snapshot(uuid: string, snapshot: IndexSnapshot): Promise<void>;
  /** Bytes appended to an index's log since its last snapshot (translog size). */
  logBytes(uuid: string): number;
  /** Flushes and releases everything (lock included). */
  close(): Promise<void>;
  /** Disk usage of the data path, or undefined when it cannot be read (the disk monitor then does nothing). */
  diskUsage(): Promise<DiskUsage | undefined>;
}

/**
 * Keeps everything in memory, deep-copied as a durable store would, so unit tests can "restart"
 * an engine on the same instance and see exactly what a process restart would see.
 */
export class MemoryStorage implements EngineStorage {
  private cluster: ClusterStateRecord | null = null;
  /** What `diskUsage()` reports; tests set it to drive the disk monitor. */
  usage: DiskUsage | undefined = undefined;
  private readonly indices = new Map<string, { snapshot: string; records: string[]; bytes: number }>();

  async load() {
    const indices = new Map<string, LoadedIndex>();
    for (const [uuid, entry] of this.indices) {
      indices.set(uuid, { snapshot: JSON.parse(entry.snapshot), records: entry.records.map((r) => JSON.parse(r)) });
    }
    return { cluster: this.cluster ? (JSON.parse(JSON.stringify(this.cluster)) as ClusterStateRecord) : null, indices };
  }

  async saveClusterState(state: ClusterStateRecord): Promise<void> {
    this.cluster = JSON.parse(JSON.stringify(state));
  }

  async createIndex(uuid: string, snapshot: IndexSnapshot): Promise<void> {
    this.indices.set(uuid, { snapshot: JSON.stringify(snapshot), records: [], bytes: 0 });
  }

  async deleteIndex(uuid: string): Promise<void> {
    this.indices.delete(uuid);
  }

  append(uuid: string, record: LogRecord): void {
    const entry = this.indices.get(uuid);
    if (!entry) throw new Error(`es-sim storage: append to unknown index ${uuid}`);
    const text = JSON.stringify(record);
    entry.records.push(text);
    entry.bytes += text.length;
  }

  async commit(): Promise<void> {}

  async snapshot(uuid: string, snapshot: IndexSnapshot): Promise<void> {
    const entry = this.indices.get(uuid);
    if (!entry) return;
    entry.snapshot = JSON.stringify(snapshot);
    entry.records = [];
    entry.bytes = 0;
  }

  logBytes(uuid: string): number {
    return this.indices.get(uuid)?.bytes ?? 0;
  }

  async close(): Promise<void> {}

  async diskUsage(): Promise<DiskUsage | undefined> {
    return this.usage;
  }
}
