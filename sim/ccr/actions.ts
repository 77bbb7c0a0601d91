/**
 * Names and bodies of the transport actions a follower cluster sends to a leader cluster. Names
 * are Elasticsearch's own action names so logs and errors read like ES's; the bodies are es-sim's
 * (JSON, versioned with the transport protocol — see `sim/transport/protocol.ts`).
 */
import type { AliasProps, FlatSettings, Json, Operation } from "../engine/types";

export const ACTIONS = {
  /** Leader cluster state: chosen indices' metadata (or all, for auto-follow), with long-polling on the metadata version. */
  clusterState: "cluster:monitor/state",
  /** Starts a restore session: pins the leader's history up to its global checkpoint and takes the follower's lease. */
  restoreSessionPut: "internal:admin/ccr/restore/session/put",
  /** Pages through a restore session. */
  restoreChunkGet: "internal:admin/ccr/restore/file_chunk/get",
  /** Ends a restore session. */
  restoreSessionClear: "internal:admin/ccr/restore/session/clear",
  /** Reads operations above a sequence number (long-polls up to `poll_timeout_ms`). */
  shardChanges: "indices:data/read/xpack/ccr/shard_changes",
  addRetentionLease: "indices:admin/seq_no/add_retention_lease",
  renewRetentionLease: "indices:admin/seq_no/renew_retention_lease",
  removeRetentionLease: "indices:admin/seq_no/remove_retention_lease",
} as const;

/** An index as the leader describes it to followers. */
export interface IndexView {
  name: string;
  uuid: string;
  state: "open" | "close";
  settings: FlatSettings;
  mappings: Json;
  aliases: Record<string, AliasProps>;
  mapping_version: number;
  settings_version: number;
  aliases_version: number;
  number_of_shards: number;
  soft_deletes_enabled: boolean;
  /** `index.soft_deletes.retention_lease.period` in ms. */
  retention_lease_period_ms: number;
  /** The data stream the index backs on the leader (`IndexAbstraction.getParentDataStream`), if any. */
  data_stream?: DataStreamView;
}

/** A leader data stream as followers need it (`TransportPutFollowAction.updateLocalDataStream`). */
export interface DataStreamView {
  name: string;
  generation: number;
  hidden: boolean;
  _meta?: Json;
}

export interface ClusterStateRequest {
  /** Concrete names; absent = every index. A missing name is `index_not_found_exception`. */
  indices?: string[];
  /** Long-poll: answer once the metadata version reaches this (same epoch), or at `timeout_ms`. */
  wait_for_metadata_version?: number;
  epoch?: string;
  timeout_ms?: number;
}

export interface ClusterStateResponse {
  cluster_name: string;
  cluster_uuid: string;
  /** Changes when the leader process restarts (metadata versions restart with it). */
  epoch: string;
  metadata_version: number;
  indices: IndexView[];
}

/** Identifies a leader shard (shard 0 of the index with this uuid). */
export interface LeaderShardRef {
  index: string;
  uuid: string;
}

export interface RestoreSessionPutRequest extends LeaderShardRef {
  lease_id: string;
}

export interface RestoreSessionPutResponse {
  session_id: string;
  index: IndexView;
  global_checkpoint: number;
  max_seq_no: number;
  total_operations: number;
}

export interface RestoreChunkRequest {
  session_id: string;
  offset: number;
  max_operations: number;
  /** Optional byte bound (measuring sizes costs a serialisation of every operation). */
  max_bytes?: number;
}

export interface RestoreChunkResponse {
  operations: Operation[];
  next_offset: number;
  done: boolean;
}

export interface ShardChangesRequest extends LeaderShardRef {
  from_seq_no: number;
  max_operation_count: number;
  max_batch_size_bytes: number;
  poll_timeout_ms: number;
  /** Metadata versions the follower has applied: newer leader metadata is sent along. */
  mapping_version: number;
  settings_version: number;
  aliases_version: number;
}

export interface ShardChangesResponse {
  global_checkpoint: number;
  max_seq_no: number;
  max_seq_no_of_updates_or_deletes: number;
  mapping_version: number;
  settings_version: number;
  aliases_version: number;
  took_in_millis: number;
  operations: Operation[];
  /** Estimated bytes of `operations` (`Translog.Operation.estimateSize`). */
  operations_bytes: number;
  retention_lease_period_ms: number;
  /** Present when a metadata version is newer than the follower's. */
  index_metadata?: IndexView;
}

export interface RetentionLeaseRequest extends LeaderShardRef {
  id: string;
  retaining_seq_no?: number;
  source?: string;
}

/** ES's `Translog.Operation.estimateSize()` stand-in: the size of the source plus a fixed overhead. */
const sizeCache = new WeakMap<Operation, number>();
export function estimateOperationSize(op: Operation): number {
  let n = sizeCache.get(op);
  if (n === undefined) {
    n = 64 + op.id.length * 2 + (op.source === null ? 0 : JSON.stringify(op.source).length);
    sizeCache.set(op, n);
  }
  return n;
}

/** Records the size of an operation received from a leader (the leader already measured it). */
export function rememberOperationSize(op: Operation, bytes: number): void {
  sizeCache.set(op, bytes);
}
