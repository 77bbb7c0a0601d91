/**
 * The shard-follow task (`ShardFollowNodeTask`): reads the leader shard's history above the
 * follower's checkpoint and writes it to the follower shard, preserving `_seq_no`, `_version` and
 * `_primary_term`. A faithful port of Elasticsearch's coordinator:
 *
 * - up to `max_outstanding_read_requests` reads of at most `max_read_request_operation_count`
 *   operations / `max_read_request_size` bytes each; once caught up, a single "peek" read that the
 *   leader holds open for `read_poll_timeout`;
 * - a buffer ordered by `_seq_no`, bounded by `max_write_buffer_count` / `max_write_buffer_size`
 *   (reads stop while it is full);
 * - up to `max_outstanding_write_requests` writes of at most `max_write_request_operation_count`
 *   operations / `max_write_request_size` bytes;
 * - failures: retryable ones (connection loss, closed indices, blocks…) are retried with ES's
 *   randomised exponential back-off capped at `max_retry_delay` and listed in `read_exceptions`
 *   until the read succeeds; anything else is fatal: the task stops and reports `fatal_exception`.
 *
 * Leader metadata (mappings, replicated settings, aliases) is brought over before operations that
 * need it, and the follower's retention lease on the leader is renewed in the background.
 * Everything outside (leader calls, follower writes, timers) is injected: no I/O here.
 */
import { EsError } from "../engine/errors";
import type { Json, Operation } from "../engine/types";
import { estimateOperationSize, rememberOperationSize, type IndexView, type ShardChangesResponse } from "./actions";
import { isRetryable } from "./errors";
import type { FollowParameters } from "./followParameters";

/** Base delay of the retry back-off (`ShardFollowNodeTask.DELAY_MILLIS`). */
export const RETRY_DELAY_UNIT_MS = 50;
/** ES renews the follower's lease every 30s (`ccr.retention_lease.renew_interval`). */
export const DEFAULT_LEASE_RENEW_INTERVAL_MS = 30_000;
/**
 * es-sim renews at least three times per leader lease period, so an index with a lease period of a
 * few seconds (as tests use) keeps its follower's lease while following; ES's fixed 30s assumes the
 * default 12h period.
 */
export const LEASE_RENEWALS_PER_PERIOD = 3;
/** Lower bound of the renewal interval. */
export const MIN_LEASE_RENEW_INTERVAL_MS = 100;

/** ES's back-off: a random multiple of 50ms below 2^(retry-1)·50ms, capped at `max_retry_delay`. */
export function computeDelay(currentRetry: number, maxRetryDelayMs: number, random: () => number = Math.random): number {
  const capped = Math.min(currentRetry, 24);
  const n = Math.round(Math.pow(2, capped - 1));
  const k = Math.floor(random() * (n + 1));
  return Math.min(k * RETRY_DELAY_UNIT_MS, maxRetryDelayMs);
}

/** What a task needs from the world. */
export interface ShardFollowTaskContext {
  now(): number;
  random?(): number;
  /** Runs `fn` after `delayMs`; returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
  /** One shard-changes read from the leader. */
  readChanges(req: {
    fromSeqNo: number;
    maxOperationCount: number;
    maxBatchSizeBytes: number;
    pollTimeoutMs: number;
    mappingVersion: number;
    settingsVersion: number;
    aliasesVersion: number;
  }): Promise<ShardChangesResponse>;
  /** Writes operations to the follower shard durably; answers the follower's checkpoints. */
  write(ops: Operation[]): Promise<{ globalCheckpoint: number; maxSeqNo: number }>;
  /** Brings leader metadata (mappings, replicated settings, aliases) to the follower. */
  applyMetadata(view: IndexView): Promise<void>;
  /** Renews (or re-adds) the follower's retention lease on the leader. */
  renewLease(retainingSeqNo: number): Promise<void>;
}

/** Identity of the task (what stats report). */
export interface ShardFollowTaskParams {
  remoteCluster: string;
  leaderIndex: string;
  followerIndex: string;
  shardId: number;
  parameters: FollowParameters;
}

/** A running shard-follow task. */
export class ShardFollowTask {
  private leaderGlobalCheckpoint = -1;
  private leaderMaxSeqNo = -1;
  private lastRequestedSeqNo = -1;
  private followerGlobalCheckpoint = -1;
  private followerMaxSeqNo = -1;
  private numOutstandingReads = 0;
  private numOutstandingWrites = 0;
  private currentMappingVersion = 0;
  private currentSettingsVersion = 0;
  private currentAliasesVersion = 0;
  private totalReadTimeMillis = 0;
  private totalReadRemoteExecTimeMillis = 0;
  private successfulReadRequests = 0;
  private failedReadRequests = 0;
  private operationsRead = 0;
  private bytesRead = 0;
  private totalWriteTimeMillis = 0;
  private successfulWriteRequests = 0;
  private failedWriteRequests = 0;
  private operationsWritten = 0;
  private lastFetchTime = -1;
  private buffer: Operation[] = [];
  private bufferSizeInBytes = 0;
  /** Latest read failures by `from_seq_no`, at most `max_outstanding_read_requests`; cleared when that read succeeds. */
  private readonly fetchExceptions = new Map<number, { retries: number; exception: EsError }>();
  private fatalException: EsError | undefined;
  private stopped = false;
  private firstRead = true;
  private readonly cancels = new Set<() => void>();
  private leasePeriodMs: number | undefined;

  constructor(
    readonly params: ShardFollowTaskParams,
    private readonly ctx: ShardFollowTaskContext,
  ) {}

  /** Starts from the follower shard's checkpoints (what it holds durably). */
  start(followerGlobalCheckpoint: number, followerMaxSeqNo: number): void {
    this.leaderGlobalCheckpoint = followerGlobalCheckpoint;
    this.leaderMaxSeqNo = followerMaxSeqNo;
    this.followerGlobalCheckpoint = followerGlobalCheckpoint;
    this.followerMaxSeqNo = followerMaxSeqNo;
    this.lastRequestedSeqNo = followerGlobalCheckpoint;
    this.coordinateReads();
    this.scheduleLeaseRenewal(0);
  }

  /** Pause / unfollow / index removal: no new reads or writes; in-flight answers are dropped. */
  stop(): void {
    this.stopped = true;
    for (const c of this.cancels) c();
    this.cancels.clear();
  }

  /** Whether a fatal error stopped the task. */
  get isFatal(): boolean {
    return this.fatalException !== undefined;
  }

  private get isStopped(): boolean {
    return this.stopped || this.fatalException !== undefined;
  }

  /** Leader global checkpoint minus follower global checkpoint (for `total_global_checkpoint_lag`). */
  get globalCheckpointLag(): number {
    return this.leaderGlobalCheckpoint - this.followerGlobalCheckpoint;
  }

  /** The follower's checkpoint as last written (for benchmarks and tests in-process). */
  get followerCheckpoint(): number {
    return this.followerGlobalCheckpoint;
  }

  private later(delayMs: number, fn: () => void): void {
    const cancel = this.ctx.schedule(delayMs, () => {
      this.cancels.delete(cancel);
      if (!this.isStopped) fn();
    });
    this.cancels.add(cancel);
  }

  // -------------------------------------------------------------------------------------------
  // Reads.

  private hasReadBudget(): boolean {
    const p = this.params.parameters;
    if (this.numOutstandingReads >= p.maxOutstandingReadRequests) return false;
    if (this.bufferSizeInBytes >= p.maxWriteBufferSizeBytes) return false;
    if (this.buffer.length > p.maxWriteBufferCount) return false;
    return true;
  }

  private coordinateReads(): void {
    if (this.isStopped) return;
    const maxCount = this.params.parameters.maxReadRequestOperationCount;
    while (this.hasReadBudget() && this.lastRequestedSeqNo < this.leaderGlobalCheckpoint) {
      const from = this.lastRequestedSeqNo + 1;
      const maxRequired = Math.min(this.leaderGlobalCheckpoint, from + maxCount - 1);
      // the only request may optimistically fetch more than required
      const count = this.numOutstandingReads === 0 ? maxCount : maxRequired - from + 1;
      this.numOutstandingReads++;
      this.sendShardChangesRequest(from, count, maxRequired, 0);
      this.lastRequestedSeqNo = maxRequired;
    }
    if (this.numOutstandingReads === 0 && this.hasReadBudget()) {
      // caught up: peek for new operations (the leader holds it for read_poll_timeout)
      this.numOutstandingReads++;
      this.sendShardChangesRequest(this.lastRequestedSeqNo + 1, maxCount, this.lastRequestedSeqNo, 0);
    }
  }

  private sendShardChangesRequest(from: number, maxCount: number, maxRequired: number, retries: number): void {
    const startTime = this.ctx.now();
    this.lastFetchTime = startTime;
    const p = this.params.parameters;
    // the first read only fetches metadata and checkpoints: it must not park for read_poll_timeout
    const pollTimeoutMs = this.firstRead ? 0 : p.readPollTimeoutMs;
    this.firstRead = false;
    this.ctx
      .readChanges({
        fromSeqNo: from,
        maxOperationCount: maxCount,
        maxBatchSizeBytes: p.maxReadRequestSizeBytes,
        pollTimeoutMs,
        mappingVersion: this.currentMappingVersion,
        settingsVersion: this.currentSettingsVersion,
        aliasesVersion: this.currentAliasesVersion,
      })
      .then(
        (response) => {
          if (this.stopped) return;
          this.fetchExceptions.delete(from);
          if (response.operations.length > 0) {
            // polls that return nothing do not count against read stats
            this.totalReadRemoteExecTimeMillis += response.took_in_millis;
            this.totalReadTimeMillis += Math.max(0, this.ctx.now() - startTime);
            this.successfulReadRequests++;
            this.operationsRead += response.operations.length;
            this.bytesRead += response.operations_bytes;
          }
          this.leasePeriodMs = response.retention_lease_period_ms;
          this.handleReadResponse(from, maxRequired, response, 0);
        },
        (e: unknown) => {
          if (this.stopped) return;
          const error = toEsError(e);
          this.totalReadTimeMillis += Math.max(0, this.ctx.now() - startTime);
          this.failedReadRequests++;
          this.fetchExceptions.delete(from);
          this.fetchExceptions.set(from, { retries, exception: error });
          while (this.fetchExceptions.size > p.maxOutstandingReadRequests) {
            this.fetchExceptions.delete(this.fetchExceptions.keys().next().value as number);
          }
          this.handleFailure(error, retries, (next) => {
            this.fetchExceptions.set(from, { retries: next, exception: error });
            this.sendShardChangesRequest(from, maxCount, maxRequired, next);
          });
        },
      );
  }

  /** Applies newer leader metadata first (ES: settings, then mappings, then aliases), then the operations. */
  private handleReadResponse(from: number, maxRequired: number, response: ShardChangesResponse, retries: number): void {
    const view = response.index_metadata;
    const needs =
      view !== undefined &&
      (view.mapping_version > this.currentMappingVersion ||
        view.settings_version > this.currentSettingsVersion ||
        view.aliases_version > this.currentAliasesVersion);
    if (!needs) {
      this.innerHandleReadResponse(from, maxRequired, response);
      return;
    }
    this.ctx.applyMetadata(view).then(
      () => {
        if (this.stopped) return;
        this.currentMappingVersion = Math.max(this.currentMappingVersion, view.mapping_version);
        this.currentSettingsVersion = Math.max(this.currentSettingsVersion, view.settings_version);
        this.currentAliasesVersion = Math.max(this.currentAliasesVersion, view.aliases_version);
        this.innerHandleReadResponse(from, maxRequired, response);
      },
      (e: unknown) => {
        if (this.stopped) return;
        this.handleFailure(toEsError(e), retries, (next) => this.handleReadResponse(from, maxRequired, response, next));
      },
    );
  }

  private innerHandleReadResponse(from: number, maxRequired: number, response: ShardChangesResponse): void {
    this.leaderGlobalCheckpoint = Math.max(this.leaderGlobalCheckpoint, response.global_checkpoint);
    this.leaderMaxSeqNo = Math.max(this.leaderMaxSeqNo, response.max_seq_no);
    let newFrom: number;
    const ops = response.operations;
    if (ops.length === 0) {
      newFrom = from;
    } else {
      const each = Math.max(1, Math.round(response.operations_bytes / ops.length));
      for (const op of ops) rememberOperationSize(op, each);
      this.addToBuffer(ops);
      const maxSeqNo = ops[ops.length - 1]!.seqNo;
      newFrom = maxSeqNo + 1;
      // we may have received more than we asked for: do not ask again
      this.lastRequestedSeqNo = Math.max(this.lastRequestedSeqNo, maxSeqNo);
      this.coordinateWrites();
    }
    if (newFrom <= maxRequired && !this.isStopped) {
      this.sendShardChangesRequest(newFrom, maxRequired - newFrom + 1, maxRequired, 0);
    } else {
      this.numOutstandingReads--;
      this.coordinateReads();
    }
  }

  private addToBuffer(ops: Operation[]): void {
    for (const op of ops) this.bufferSizeInBytes += estimateOperationSize(op);
    const last = this.buffer[this.buffer.length - 1];
    if (!last || last.seqNo < ops[0]!.seqNo) {
      for (const op of ops) this.buffer.push(op);
    } else {
      this.buffer = this.buffer.concat(ops).sort((a, b) => a.seqNo - b.seqNo);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Writes.

  private coordinateWrites(): void {
    if (this.isStopped) return;
    const p = this.params.parameters;
    while (this.numOutstandingWrites < p.maxOutstandingWriteRequests && this.buffer.length > 0) {
      const length = Math.min(p.maxWriteRequestOperationCount, this.buffer.length);
      let taken = 0;
      let size = 0;
      while (taken < length) {
        size += estimateOperationSize(this.buffer[taken]!);
        taken++;
        if (size > p.maxWriteRequestSizeBytes) break;
      }
      const ops = this.buffer.splice(0, taken);
      this.bufferSizeInBytes -= size;
      this.numOutstandingWrites++;
      this.sendBulkShardOperationsRequest(ops, 0);
    }
  }

  private sendBulkShardOperationsRequest(ops: Operation[], retries: number): void {
    const startTime = this.ctx.now();
    this.ctx.write(ops).then(
      (r) => {
        this.totalWriteTimeMillis += Math.max(0, this.ctx.now() - startTime);
        this.successfulWriteRequests++;
        this.operationsWritten += ops.length;
        this.followerGlobalCheckpoint = Math.max(this.followerGlobalCheckpoint, r.globalCheckpoint);
        this.followerMaxSeqNo = Math.max(this.followerMaxSeqNo, r.maxSeqNo);
        this.numOutstandingWrites--;
        this.coordinateWrites();
        // a full buffer may have stopped reads; restart them now there is room
        this.coordinateReads();
      },
      (e: unknown) => {
        this.totalWriteTimeMillis += Math.max(0, this.ctx.now() - startTime);
        this.failedWriteRequests++;
        if (this.stopped) return;
        this.handleFailure(toEsError(e), retries, (next) => this.sendBulkShardOperationsRequest(ops, next));
      },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Failures and leases.

  private handleFailure(error: EsError, retries: number, retry: (nextRetries: number) => void): void {
    if (isRetryable(error) && !this.isStopped) {
      const next = retries + 1;
      const delay = computeDelay(next, this.params.parameters.maxRetryDelayMs, this.ctx.random ?? Math.random);
      this.later(delay, () => retry(next));
    } else if (!this.stopped && this.fatalException === undefined) {
      this.fatalException = error;
    }
  }

  /** ES renews every 30s; es-sim at least `LEASE_RENEWALS_PER_PERIOD` times per leader lease period. */
  private renewInterval(): number {
    const period = this.leasePeriodMs ?? Number.POSITIVE_INFINITY;
    return Math.max(MIN_LEASE_RENEW_INTERVAL_MS, Math.min(DEFAULT_LEASE_RENEW_INTERVAL_MS, period / LEASE_RENEWALS_PER_PERIOD));
  }

  private scheduleLeaseRenewal(delayMs: number): void {
    this.later(delayMs, () => {
      this.ctx.renewLease(this.followerGlobalCheckpoint + 1).then(
        () => this.scheduleLeaseRenewal(this.renewInterval()),
        () => this.scheduleLeaseRenewal(this.renewInterval()),
      );
    });
  }

  // -------------------------------------------------------------------------------------------
  // Status.

  /** The shard status object of follow stats, with ES's field names and order. */
  status(human = false): Json {
    const now = this.ctx.now();
    const out: Json = {
      remote_cluster: this.params.remoteCluster,
      leader_index: this.params.leaderIndex,
      follower_index: this.params.followerIndex,
      shard_id: this.params.shardId,
      leader_global_checkpoint: this.leaderGlobalCheckpoint,
      leader_max_seq_no: this.leaderMaxSeqNo,
      follower_global_checkpoint: this.followerGlobalCheckpoint,
      follower_max_seq_no: this.followerMaxSeqNo,
      last_requested_seq_no: this.lastRequestedSeqNo,
      outstanding_read_requests: this.numOutstandingReads,
      outstanding_write_requests: this.numOutstandingWrites,
      write_buffer_operation_count: this.buffer.length,
    };
    if (human) out.write_buffer_size = humanBytes(this.bufferSizeInBytes);
    out.write_buffer_size_in_bytes = this.bufferSizeInBytes;
    out.follower_mapping_version = this.currentMappingVersion;
    out.follower_settings_version = this.currentSettingsVersion;
    out.follower_aliases_version = this.currentAliasesVersion;
    if (human) out.total_read_time = humanTime(this.totalReadTimeMillis);
    out.total_read_time_millis = this.totalReadTimeMillis;
    if (human) out.total_read_remote_exec_time = humanTime(this.totalReadRemoteExecTimeMillis);
    out.total_read_remote_exec_time_millis = this.totalReadRemoteExecTimeMillis;
    out.successful_read_requests = this.successfulReadRequests;
    out.failed_read_requests = this.failedReadRequests;
    out.operations_read = this.operationsRead;
    if (human) out.total_read = humanBytes(this.bytesRead);
    out.bytes_read = this.bytesRead;
    if (human) out.total_write_time = humanTime(this.totalWriteTimeMillis);
    out.total_write_time_millis = this.totalWriteTimeMillis;
    out.successful_write_requests = this.successfulWriteRequests;
    out.failed_write_requests = this.failedWriteRequests;
    out.operations_written = this.operationsWritten;
    out.read_exceptions = [...this.fetchExceptions.entries()]
      .sort(([a], [b]) => a - b)
      .map(([from, x]) => ({ from_seq_no: from, retries: x.retries, exception: x.exception.toJSON() }));
    const since = this.lastFetchTime === -1 ? -1 : Math.max(0, now - this.lastFetchTime);
    if (human) out.time_since_last_read = since === -1 ? "-1" : humanTime(since);
    out.time_since_last_read_millis = since;
    if (this.fatalException) out.fatal_exception = this.fatalException.toJSON();
    return out;
  }
}

function toEsError(e: unknown): EsError {
  if (e instanceof EsError) return e;
  return new EsError("exception", 500, e instanceof Error ? e.message : String(e));
}

/** `ByteSizeValue.toString()`: the largest unit with a value ≥ 1, one decimal when not whole. */
export function humanBytes(bytes: number): string {
  const units: Array<[string, number]> = [
    ["pb", 1024 ** 5],
    ["tb", 1024 ** 4],
    ["gb", 1024 ** 3],
    ["mb", 1024 ** 2],
    ["kb", 1024],
  ];
  for (const [suffix, size] of units) {
    if (bytes >= size) return `${formatDecimal(bytes / size)}${suffix}`;
  }
  return `${bytes}b`;
}

/** `TimeValue.toString()` of a millisecond value. */
export function humanTime(ms: number): string {
  const units: Array<[string, number]> = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  for (const [suffix, size] of units) {
    if (ms >= size) return `${formatDecimal(ms / size)}${suffix}`;
  }
  return `${ms}ms`;
}

function formatDecimal(v: number): string {
  const rounded = Math.round(v * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}
