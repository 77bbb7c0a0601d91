/**
 * The leader side of CCR: what a cluster answers when another cluster follows one of its indices.
 *
 * - Cluster state for followers and auto-follow coordinators, long-polled on a metadata version.
 * - Restore sessions (ES's `CcrRepository`): a point-in-time copy of an index's retained history up
 *   to its global checkpoint, paged to the follower, with the follower's retention lease taken
 *   first (retaining everything) so nothing it needs is merged away meanwhile.
 * - Shard changes (`ShardChangesAction`): operations above a sequence number in `_seq_no` order,
 *   bounded by count and bytes, long-polled up to `read_poll_timeout`; only operations that are
 *   durable are served, so a follower never holds an operation the leader could lose in a crash.
 * - Retention lease add / renew / remove for followers.
 */
import { randomUUID } from "node:crypto";
import type { Cluster } from "../engine/cluster";
import { dataStreams, parentDataStream } from "../engine/dataStreams";
import { errors } from "../engine/errors";
import { parseTimeValue } from "../engine/settings";
import type { IndexShard } from "../engine/shard";
import type { Json, Operation } from "../engine/types";
import {
  ACTIONS,
  type ClusterStateRequest,
  type ClusterStateResponse,
  type IndexView,
  type LeaderShardRef,
  type RestoreChunkRequest,
  type RestoreChunkResponse,
  type RestoreSessionPutRequest,
  type RestoreSessionPutResponse,
  type RetentionLeaseRequest,
  type ShardChangesRequest,
  type ShardChangesResponse,
  estimateOperationSize,
} from "./actions";
import { ccrErrors } from "./errors";

/** Source recorded on CCR retention leases (`CcrRetentionLeases`). */
export const CCR_LEASE_SOURCE = "ccr";
/** Retaining sequence number that keeps all history (`RETAIN_ALL`), used while restoring. */
export const RETAIN_ALL = -1;
/** A restore session not touched for this long is dropped (ES `ccr.indices.recovery.recovery_activity_timeout`). */
export const RESTORE_SESSION_IDLE_MS = 60_000;
/** Upper bound of a cluster-state long-poll (ES `ccr.auto_follow.wait_for_metadata_timeout`). */
export const MAX_STATE_WAIT_MS = 60_000;

/** Registers transport actions (the transport server's `register`). */
export type ActionRegistrar = (action: string, handler: (body: unknown) => Promise<unknown> | unknown) => void;

interface RestoreSession {
  id: string;
  indexUuid: string;
  operations: Operation[];
  touchedAt: number;
}

/** The leader service of one cluster. */
export class LeaderService {
  private readonly sessions = new Map<string, RestoreSession>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly stateWaiters = new Set<() => void>();
  /** Metadata version: bumped whenever the set or state of indices changes (auto-follow watches it). */
  private metadataVersion = 1;
  /** Identifies this process's metadata versions. */
  readonly epoch = randomUUID();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly cluster: Cluster) {
    const bump = () => {
      this.metadataVersion++;
      for (const w of [...this.stateWaiters]) w();
    };
    const wakeIndex = (name: string) => {
      const set = this.waiters.get(name);
      if (set) for (const w of [...set]) w();
    };
    cluster.events.on("index-created", bump);
    cluster.events.on("index-deleted", (name) => {
      bump();
      wakeIndex(name);
    });
    cluster.events.on("index-closed", (name) => {
      bump();
      wakeIndex(name);
    });
    cluster.events.on("index-opened", (name) => {
      bump();
      wakeIndex(name);
    });
    cluster.events.on("ops-durable", wakeIndex);
    this.sweeper = setInterval(() => this.sweepSessions(), RESTORE_SESSION_IDLE_MS / 4);
    this.sweeper.unref();
  }

  /** Registers every leader action. */
  registerActions(register: ActionRegistrar): void {
    register(ACTIONS.clusterState, (b) => this.clusterState(b as ClusterStateRequest));
    register(ACTIONS.restoreSessionPut, (b) => this.putRestoreSession(b as RestoreSessionPutRequest));
    register(ACTIONS.restoreChunkGet, (b) => this.restoreChunk(b as RestoreChunkRequest));
    register(ACTIONS.restoreSessionClear, (b) => this.clearRestoreSession(b as { session_id: string }));
    register(ACTIONS.shardChanges, (b) => this.shardChanges(b as ShardChangesRequest));
    register(ACTIONS.addRetentionLease, (b) => this.addLease(b as RetentionLeaseRequest));
    register(ACTIONS.renewRetentionLease, (b) => this.renewLease(b as RetentionLeaseRequest));
    register(ACTIONS.removeRetentionLease, (b) => this.removeLease(b as RetentionLeaseRequest));
  }

  /** Stops timers and releases long-polls. */
  close(): void {
    clearInterval(this.sweeper);
    for (const w of [...this.stateWaiters]) w();
    for (const set of this.waiters.values()) for (const w of [...set]) w();
  }

  // -------------------------------------------------------------------------------------------

  /** How an index is described to followers. */
  indexView(shard: IndexShard): IndexView {
    const m = shard.meta;
    const ds = parentDataStream(dataStreams(this.cluster), m.name);
    const view: IndexView = {
      name: m.name,
      uuid: m.uuid,
      state: m.state,
      settings: { ...m.settings },
      mappings: m.mappings,
      aliases: m.aliases,
      mapping_version: m.mappingVersion,
      settings_version: m.settingsVersion,
      aliases_version: m.aliasesVersion,
      number_of_shards: Number(shard.setting("index.number_of_shards")),
      soft_deletes_enabled: shard.setting("index.soft_deletes.enabled") !== "false",
      retention_lease_period_ms: parseTimeValue(
        "index.soft_deletes.retention_lease.period",
        shard.setting("index.soft_deletes.retention_lease.period"),
      ),
    };
    if (ds)
      view.data_stream = {
        name: ds.name,
        generation: ds.generation,
        hidden: ds.hidden,
        ...(ds._meta !== undefined ? { _meta: ds._meta } : {}),
      };
    return view;
  }

  private async clusterState(req: ClusterStateRequest): Promise<ClusterStateResponse> {
    const wanted = req.wait_for_metadata_version;
    if (wanted !== undefined && req.epoch === this.epoch && this.metadataVersion < wanted) {
      await this.waitFor(
        this.stateWaiters,
        () => this.metadataVersion >= wanted,
        Math.min(req.timeout_ms ?? MAX_STATE_WAIT_MS, MAX_STATE_WAIT_MS),
      );
    }
    // ES publishes a cluster state only after the whole update task: a data stream's new backing
    // index is seen together with the stream that lists it (no leader-side metadata task waits on
    // a remote call, so waiting for the queue cannot deadlock)
    await this.cluster.updateMetadata(() => undefined);
    const names = req.indices ?? this.cluster.indexNames();
    const indices: IndexView[] = [];
    for (const name of names) {
      const shard = this.cluster.shard(name);
      if (!shard) {
        if (req.indices) throw errors.indexNotFound(name);
        continue;
      }
      indices.push(this.indexView(shard));
    }
    return {
      cluster_name: this.cluster.clusterName,
      cluster_uuid: this.cluster.clusterUuid,
      epoch: this.epoch,
      metadata_version: this.metadataVersion,
      indices,
    };
  }

  /** The shard a follower refers to; a different uuid under the same name is a different (missing) index. */
  private leaderShard(ref: LeaderShardRef): IndexShard {
    const shard = this.cluster.shard(ref.index);
    if (!shard || shard.uuid !== ref.uuid) throw errors.indexNotFound(ref.index);
    return shard;
  }

  private openLeaderShard(ref: LeaderShardRef): IndexShard {
    const shard = this.leaderShard(ref);
    if (!shard.isOpen) throw ccrErrors.leaderClosedBlock(shard.name);
    return shard;
  }

  /** Makes operations up to the current global checkpoint durable; returns that checkpoint. */
  private async durableCheckpoint(shard: IndexShard): Promise<number> {
    const gcp = shard.globalCheckpoint;
    await this.cluster.commit();
    return gcp;
  }

  private async putRestoreSession(req: RestoreSessionPutRequest): Promise<RestoreSessionPutResponse> {
    const shard = this.openLeaderShard(req);
    const now = this.cluster.now();
    // the follower's lease retains everything while it copies (re-bootstrap replaces an old one)
    if (shard.leases.leases.some((l) => l.id === req.lease_id)) shard.removeRetentionLease(req.lease_id);
    shard.addRetentionLease(req.lease_id, RETAIN_ALL, CCR_LEASE_SOURCE, now);
    const gcp = await this.durableCheckpoint(shard);
    const history = shard.history;
    let end = history.length;
    while (end > 0 && history[end - 1]!.seqNo > gcp) end--;
    const session: RestoreSession = { id: randomUUID(), indexUuid: shard.uuid, operations: history.slice(0, end), touchedAt: now };
    this.sessions.set(session.id, session);
    return {
      session_id: session.id,
      index: this.indexView(shard),
      global_checkpoint: gcp,
      max_seq_no: gcp,
      total_operations: session.operations.length,
    };
  }

  private restoreChunk(req: RestoreChunkRequest): RestoreChunkResponse {
    const session = this.sessions.get(req.session_id);
    if (!session) throw errors.resourceNotFound(`restore session [${req.session_id}] not found`);
    session.touchedAt = this.cluster.now();
    const end = Math.min(session.operations.length, req.offset + req.max_operations);
    if (req.max_bytes === undefined) {
      return { operations: session.operations.slice(req.offset, end), next_offset: end, done: end >= session.operations.length };
    }
    const out: Operation[] = [];
    let bytes = 0;
    let i = req.offset;
    while (i < end && bytes < req.max_bytes) {
      const op = session.operations[i++]!;
      out.push(op);
      bytes += estimateOperationSize(op);
    }
    return { operations: out, next_offset: i, done: i >= session.operations.length };
  }

  private clearRestoreSession(req: { session_id: string }): { acknowledged: boolean } {
    this.sessions.delete(req.session_id);
    return { acknowledged: true };
  }

  private sweepSessions(): void {
    const now = this.cluster.now();
    for (const [id, s] of this.sessions) if (now - s.touchedAt > RESTORE_SESSION_IDLE_MS) this.sessions.delete(id);
  }

  /** Waits until `ready()` or `timeoutMs`, woken by the given waiter set. */
  private waitFor(set: Set<() => void>, ready: () => boolean, timeoutMs: number): Promise<void> {
    if (ready() || timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        set.delete(wake);
        resolve();
      };
      const wake = () => {
        if (ready()) done();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      set.add(wake);
    });
  }

  private indexWaiters(name: string): Set<() => void> {
    let set = this.waiters.get(name);
    if (!set) {
      set = new Set();
      this.waiters.set(name, set);
    }
    return set;
  }

  /** `ShardChangesAction` on this cluster's shard. */
  async shardChanges(req: ShardChangesRequest): Promise<ShardChangesResponse> {
    const started = this.cluster.now();
    let shard = this.openLeaderShard(req);
    if (req.from_seq_no < 0) throw errors.illegalArgument(`Invalid from_seq_no value [${req.from_seq_no}]`);
    if (req.from_seq_no > shard.globalCheckpoint && req.poll_timeout_ms > 0) {
      const set = this.indexWaiters(req.index);
      // wake on new durable operations, and when the index goes away or closes
      await this.waitFor(
        set,
        () => {
          const s = this.cluster.shard(req.index);
          return !s || s.uuid !== req.uuid || !s.isOpen || s.globalCheckpoint >= req.from_seq_no;
        },
        req.poll_timeout_ms,
      );
      if (set.size === 0) this.waiters.delete(req.index);
      shard = this.openLeaderShard(req);
    }
    const gcp = await this.durableCheckpoint(shard);
    shard = this.openLeaderShard(req);
    let operations: Operation[] = [];
    let bytes = 0;
    if (req.from_seq_no <= gcp) {
      // ES reads [from, min(global checkpoint, from + count - 1)] and reports that range if history is missing
      const to = Math.min(gcp, req.from_seq_no + req.max_operation_count - 1);
      const read = shard.readOperations(req.from_seq_no, to, req.max_operation_count, this.cluster.now());
      for (const op of read) {
        operations.push(op);
        bytes += estimateOperationSize(op);
        if (bytes > req.max_batch_size_bytes) break;
      }
      if (operations.length === 0 && read.length > 0) operations = [read[0]!];
    }
    const view = this.indexView(shard);
    const out: ShardChangesResponse = {
      global_checkpoint: gcp,
      max_seq_no: Math.max(gcp, shard.maxSeqNo),
      max_seq_no_of_updates_or_deletes: shard.maxSeqNo,
      mapping_version: view.mapping_version,
      settings_version: view.settings_version,
      aliases_version: view.aliases_version,
      took_in_millis: Math.max(0, this.cluster.now() - started),
      operations,
      operations_bytes: bytes,
      retention_lease_period_ms: view.retention_lease_period_ms,
    };
    if (
      view.mapping_version > req.mapping_version ||
      view.settings_version > req.settings_version ||
      view.aliases_version > req.aliases_version
    ) {
      out.index_metadata = view;
    }
    return out;
  }

  /**
   * The debug view of a local index's history (`GET /{index}/ccr/shard_changes`, ES's
   * `RestShardChangesAction`): ES's fields, plus each operation's `id` and `version`.
   */
  async localShardChanges(
    index: string,
    opts: { fromSeqNo: number; maxOperationCount: number; maxBatchSizeBytes: number; pollTimeoutMs: number },
  ): Promise<Json> {
    const shard = this.cluster.shard(index);
    if (!shard) throw errors.illegalArgument(`Invalid index or data stream name [${index}]`);
    const r = await this.shardChanges({
      index: shard.name,
      uuid: shard.uuid,
      from_seq_no: opts.fromSeqNo,
      max_operation_count: opts.maxOperationCount,
      max_batch_size_bytes: opts.maxBatchSizeBytes,
      poll_timeout_ms: opts.pollTimeoutMs,
      mapping_version: Number.MAX_SAFE_INTEGER,
      settings_version: Number.MAX_SAFE_INTEGER,
      aliases_version: Number.MAX_SAFE_INTEGER,
    });
    const out: Json = {
      index_abstraction: index,
      index: shard.name,
      shard_id: `[${shard.name}][0]`,
      mapping_version: r.mapping_version,
      settings_version: r.settings_version,
      aliases_version: r.aliases_version,
      global_checkpoint: r.global_checkpoint,
      max_seq_no: r.max_seq_no,
      max_seq_no_of_updates_or_deletes: r.max_seq_no_of_updates_or_deletes,
      took_in_millis: r.took_in_millis,
    };
    if (r.operations.length > 0) {
      out.number_of_operations = r.operations.length;
      out.operations = r.operations.map((op) => ({
        op_type: op.op === "index" ? "INDEX" : "DELETE",
        seq_no: op.seqNo,
        primary_term: op.primaryTerm,
        id: op.id,
        version: op.version,
      }));
    }
    return out;
  }

  private async addLease(req: RetentionLeaseRequest): Promise<{ acknowledged: boolean }> {
    const shard = this.leaderShard(req);
    shard.addRetentionLease(req.id, req.retaining_seq_no ?? RETAIN_ALL, req.source ?? CCR_LEASE_SOURCE, this.cluster.now());
    await this.cluster.commit();
    return { acknowledged: true };
  }

  private async renewLease(req: RetentionLeaseRequest): Promise<{ acknowledged: boolean; retention_lease_period_ms: number }> {
    const shard = this.leaderShard(req);
    const existing = shard.leases.leases.find((l) => l.id === req.id);
    // a follower never moves its lease backwards; an older renewal racing a newer one keeps the newer
    const retaining = Math.max(req.retaining_seq_no ?? RETAIN_ALL, existing?.retaining_seq_no ?? RETAIN_ALL);
    shard.renewRetentionLease(req.id, retaining, req.source ?? CCR_LEASE_SOURCE, this.cluster.now());
    await this.cluster.commit();
    return {
      acknowledged: true,
      retention_lease_period_ms: parseTimeValue(
        "index.soft_deletes.retention_lease.period",
        shard.setting("index.soft_deletes.retention_lease.period"),
      ),
    };
  }

  private async removeLease(req: RetentionLeaseRequest): Promise<{ acknowledged: boolean }> {
    const shard = this.leaderShard(req);
    shard.removeRetentionLease(req.id);
    await this.cluster.commit();
    return { acknowledged: true };
  }
}
