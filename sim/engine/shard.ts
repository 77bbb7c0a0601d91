/**
 * One index's data, modelled as Elasticsearch's single primary shard: the version map (live docs
 * and tombstones), the operation history with soft deletes, sequence numbers and checkpoints,
 * retention leases, blocks, and the near-real-time split between what was written and what a
 * refresh has made searchable. No I/O: every change is handed to `EngineStorage.append`.
 *
 * Numbering follows ES exactly: `_seq_no` starts at 0 per shard and is assigned only to operations
 * that are executed (a version conflict or a mapping failure consumes none; a delete of a missing
 * doc consumes one); `_version` counts per id from 1 and continues across a delete while the
 * tombstone lives (`index.gc_deletes`, 60s by default).
 *
 * Longer than the other engine files on purpose: as in ES's `InternalEngine` with its
 * `LocalCheckpointTracker` and `ReplicationTracker`, one write updates the version map, history,
 * checkpoints and retention state together, and their invariants (no gap below the local
 * checkpoint, history retained down to the lowest lease) read best in one class.
 */
import { EsError, errors } from "./errors";
import { indexSetting, mappingLimits, parseBool, parseByteSize, parseIntSetting, parseTimeValue } from "./settings";
import { UNSLICED, type WorkSlicer } from "./slicing";
import type { EngineStorage, IndexSnapshot, LogRecord } from "./storage";
import type {
  DocEntry,
  FlatSettings,
  IndexMeta,
  IndexSearchSettings,
  Json,
  Operation,
  RefreshBuildLike,
  RetentionLease,
  RetentionLeases,
  SearchIndexLike,
  SearchLibrary,
  SearchRequest,
  StoredDoc,
} from "./types";

/** Id of the lease every started shard copy holds for itself (`ReplicationTracker`). */
export const PEER_RECOVERY_LEASE_SOURCE = "peer recovery";
/** Longest document id ES accepts, in UTF-8 bytes (`IndexRequest.MAX_DOCUMENT_ID_LENGTH_IN_BYTES`). */
export const MAX_DOCUMENT_ID_BYTES = 512;

/** What {@link IndexShard.tickSettings} returns. */
export interface TickSettings {
  refreshIntervalMs: number;
  leasePeriodMs: number;
  flushThresholdBytes: number;
}
const tickSettingsCache = new WeakMap<FlatSettings, TickSettings>();

/** Options of a client write that ES checks before executing it. */
export interface WriteOptions {
  opType?: "index" | "create";
  /** `routing` of an index operation, kept as the document's `_routing`. */
  routing?: string;
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  version?: number;
  versionType?: "internal" | "external" | "external_gte";
}

/** What every write answers (`DocWriteResponse`). */
export interface WriteResult {
  _index: string;
  _id: string;
  _version: number;
  result: "created" | "updated" | "deleted" | "not_found" | "noop";
  _seq_no: number;
  _primary_term: number;
  /** HTTP status of this write: 201 created, 200 updated/deleted/noop, 404 not_found. */
  status: number;
}

/** Counters reported by `_stats`. */
export interface ShardCounters {
  indexTotal: number;
  indexFailed: number;
  deleteTotal: number;
  noopUpdateTotal: number;
  getTotal: number;
  getExists: number;
  getMissing: number;
  queryTotal: number;
  refreshTotal: number;
  externalRefreshTotal: number;
  flushTotal: number;
  mergeTotal: number;
}

interface RefreshWaiter {
  seqNo: number;
  resolve: (forced: boolean) => void;
}

/**
 * A refresh under way: the next searchable generation, built from the changes pending when it
 * started. What it makes visible was fixed then (`seqNo`, `liveCount`); writes meanwhile go to the
 * next one.
 */
interface RefreshInFlight {
  build: RefreshBuildLike;
  changes: Map<string, StoredDoc | null>;
  seqNo: number;
  liveCount: number;
  /** Set once published or abandoned (index closed, deleted, reset). */
  over: boolean;
  /** Settles when it is over. */
  done: Promise<void>;
}

/** A live version-map entry or index operation as reads and the search index see it. */
function storedDoc(id: string, e: DocEntry | Operation): StoredDoc {
  const doc: StoredDoc = { id, source: e.source!, seqNo: e.seqNo, primaryTerm: e.primaryTerm, version: e.version };
  if (e.routing !== undefined) doc.routing = e.routing;
  return doc;
}

/** The primary shard of one index. */
export class IndexShard {
  meta: IndexMeta;
  /** The version map: live docs and tombstones, by id. */
  readonly docs = new Map<string, DocEntry>();
  /** Retained operations in `_seq_no` order (soft-deleted history plus the live versions). */
  history: Operation[] = [];
  maxSeqNo = -1;
  localCheckpoint = -1;
  /** Seq_nos processed above the local checkpoint (replicated ops arriving out of order). */
  private readonly processedAbove = new Set<number>();
  leases: RetentionLeases;
  readonly counters: ShardCounters = {
    indexTotal: 0,
    indexFailed: 0,
    deleteTotal: 0,
    noopUpdateTotal: 0,
    getTotal: 0,
    getExists: 0,
    getMissing: 0,
    queryTotal: 0,
    refreshTotal: 0,
    externalRefreshTotal: 0,
    flushTotal: 0,
    mergeTotal: 0,
  };
  /** Live docs in the version map. */
  liveCount = 0;
  /** Live docs as of the last refresh (what `docs.count` and searches see). */
  visibleCount = 0;
  /** Highest seq_no made searchable by a refresh. */
  refreshedSeqNo = -1;
  lastRefreshAt: number;
  lastSearchAt: number;
  /** Operations applied since the last flush (translog `uncommitted_operations`). */
  uncommittedOps = 0;
  private readonly search: SearchIndexLike;
  /** Changes not yet in any searchable generation (nor in the one being built). */
  private pending = new Map<string, StoredDoc | null>();
  /** The refresh being built in slices, if any. */
  private inFlight: RefreshInFlight | undefined;
  private waiters: RefreshWaiter[] = [];
  /** Set when the content was replaced wholesale (CCR remote recovery): the next search refreshes first. */
  private refreshBeforeNextSearch = false;

  constructor(
    meta: IndexMeta,
    private readonly lib: SearchLibrary,
    private readonly storage: EngineStorage,
    private readonly nodeId: string,
    now: number,
    /** How a refresh's indexing shares the node's thread (`./slicing.ts`). */
    private readonly slicer: WorkSlicer = UNSLICED,
  ) {
    this.meta = meta;
    this.leases = { primaryTerm: meta.primaryTerm, version: 0, leases: [] };
    this.search = new lib.SearchIndex({ indexUuid: meta.uuid, nodeId });
    this.lastRefreshAt = now;
    this.lastSearchAt = now;
  }

  get name(): string {
    return this.meta.name;
  }
  get uuid(): string {
    return this.meta.uuid;
  }
  get isOpen(): boolean {
    return this.meta.state === "open";
  }
  /** On a single node every operation is on every started copy: the global checkpoint is the local one. */
  get globalCheckpoint(): number {
    return this.localCheckpoint;
  }
  /** Whether `index.xpack.ccr.following_index` is set. */
  get isFollower(): boolean {
    return this.meta.settings["index.xpack.ccr.following_index"] === "true";
  }
  setting(key: string): string {
    return indexSetting(this.meta.settings, key);
  }
  /**
   * The settings the node's periodic tick reads for every index every 100 ms, parsed once per
   * settings object: a settings change always installs a new object (`updateMeta`), and parsing
   * them on every tick made an idle node's CPU grow with its number of indices.
   */
  tickSettings(): TickSettings {
    const settings = this.meta.settings;
    let parsed = tickSettingsCache.get(settings);
    if (!parsed) {
      parsed = {
        refreshIntervalMs: parseTimeValue("index.refresh_interval", this.setting("index.refresh_interval")),
        leasePeriodMs: parseTimeValue(
          "index.soft_deletes.retention_lease.period",
          this.setting("index.soft_deletes.retention_lease.period"),
        ),
        flushThresholdBytes: parseByteSize("index.translog.flush_threshold_size", this.setting("index.translog.flush_threshold_size")),
      };
      tickSettingsCache.set(settings, parsed);
    }
    return parsed;
  }

  // ------------------------------------------------------------------------------------------
  // Checks.

  /** Throws the error ES gives for a client write to this index (closed, blocks, follower). */
  checkWritable(kind: "write" | "delete" = "write"): void {
    if (!this.isOpen) throw errors.indexClosed(this.name, this.uuid);
    const s = this.meta.settings;
    if (s["index.blocks.read_only"] === "true") throw errors.indexBlocked(this.name, "FORBIDDEN/5/index read-only (api)");
    if (s["index.blocks.write"] === "true") throw errors.indexBlocked(this.name, "FORBIDDEN/8/index write (api)");
    if (s["index.blocks.read_only_allow_delete"] === "true" && kind !== "delete") {
      throw errors.indexBlocked(
        this.name,
        "TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block",
        429,
      );
    }
    if (this.isFollower) throw errors.followerWrite();
  }

  /** Throws the error ES gives for a read of this index (closed, read block). */
  checkReadable(): void {
    if (!this.isOpen) throw errors.indexClosed(this.name, this.uuid);
    if (this.meta.settings["index.blocks.read"] === "true") throw errors.indexBlocked(this.name, "FORBIDDEN/7/index read (api)");
  }

  /** Throws for a metadata change (mapping, settings other than blocks) under a metadata/read-only block. */
  checkMetadataWritable(): void {
    const s = this.meta.settings;
    if (s["index.blocks.read_only"] === "true") throw errors.indexBlocked(this.name, "FORBIDDEN/5/index read-only (api)");
    if (s["index.blocks.metadata"] === "true") throw errors.indexBlocked(this.name, "FORBIDDEN/9/index metadata (api)");
  }

  // ------------------------------------------------------------------------------------------
  // Client writes.

  /** Looks up the current entry of `id`, ignoring a tombstone older than `index.gc_deletes`. */
  private currentEntry(id: string, now: number): DocEntry | undefined {
    const entry = this.docs.get(id);
    if (!entry || entry.source !== null) return entry;
    const gc = parseTimeValue("index.gc_deletes", this.setting("index.gc_deletes"));
    if (entry.deletedAt !== undefined && gc >= 0 && now - entry.deletedAt > gc) return undefined;
    return entry;
  }

  private conflict(id: string, reason: string): EsError {
    this.counters.indexFailed++;
    return errors.versionConflict(id, `version conflict, ${reason}`, this.name, this.uuid);
  }

  /** ES's pre-execution checks of `if_seq_no`/`if_primary_term`, `op_type=create` and external versions. */
  private checkConditions(id: string, existing: DocEntry | undefined, opts: WriteOptions, isDelete: boolean): number | undefined {
    const live = existing && existing.source !== null ? existing : undefined;
    if (opts.ifSeqNo !== undefined) {
      const required = `required seqNo [${opts.ifSeqNo}], primary term [${opts.ifPrimaryTerm}].`;
      if (!live) throw this.conflict(id, `${required} but no document was found`);
      if (live.seqNo !== opts.ifSeqNo || live.primaryTerm !== opts.ifPrimaryTerm) {
        throw this.conflict(id, `${required} current document has seqNo [${live.seqNo}] and primary term [${live.primaryTerm}]`);
      }
    }
    if (!isDelete && opts.opType === "create" && live) {
      throw this.conflict(id, `document already exists (current version [${live.version}])`);
    }
    if (opts.versionType === "external" || opts.versionType === "external_gte") {
      const wanted = opts.version!;
      if (existing) {
        const bad = opts.versionType === "external" ? existing.version >= wanted : existing.version > wanted;
        if (bad) {
          const rel = opts.versionType === "external" ? "higher or equal to" : "higher than";
          throw this.conflict(id, `current version [${existing.version}] is ${rel} the one provided [${wanted}]`);
        }
      }
      return wanted;
    }
    if (opts.version !== undefined) {
      // internal versioning with an explicit version was removed for writes in 7.0
      throw errors.validation([
        "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead",
      ]);
    }
    return undefined;
  }

  /**
   * Indexes (creates or replaces) a document. Mapping is updated dynamically before a seq_no is
   * assigned, so a mapping failure consumes none.
   */
  index(id: string, source: Json, opts: WriteOptions, now: number): WriteResult {
    this.checkWritable();
    const existing = this.currentEntry(id, now);
    const externalVersion = this.checkConditions(id, existing, opts, false);
    this.mapSource(source, id);
    const version = externalVersion ?? (existing ? existing.version + 1 : 1);
    const op: Operation = { op: "index", id, seqNo: this.maxSeqNo + 1, primaryTerm: this.meta.primaryTerm, version, source };
    if (opts.routing) op.routing = opts.routing;
    this.apply(op, now);
    this.storage.append(this.uuid, { t: "op", op });
    this.counters.indexTotal++;
    const created = !(existing && existing.source !== null);
    return this.result(op, created ? "created" : "updated", created ? 201 : 200);
  }

  /** Deletes a document; deleting a missing id still consumes a seq_no and answers `not_found`. */
  delete(id: string, opts: WriteOptions, now: number): WriteResult {
    this.checkWritable("delete");
    const existing = this.currentEntry(id, now);
    const externalVersion = this.checkConditions(id, existing, opts, true);
    const version = externalVersion ?? (existing ? existing.version + 1 : 1);
    const op: Operation = { op: "delete", id, seqNo: this.maxSeqNo + 1, primaryTerm: this.meta.primaryTerm, version, source: null };
    this.apply(op, now);
    this.storage.append(this.uuid, { t: "op", op, at: now });
    this.counters.deleteTotal++;
    const found = !!existing && existing.source !== null;
    return this.result(op, found ? "deleted" : "not_found", found ? 200 : 404);
  }

  /** A `noop` update result: nothing written, current numbers reported. */
  noop(id: string): WriteResult {
    const entry = this.docs.get(id)!;
    this.counters.noopUpdateTotal++;
    return {
      _index: this.name,
      _id: id,
      _version: entry.version,
      result: "noop",
      _seq_no: entry.seqNo,
      _primary_term: entry.primaryTerm,
      status: 200,
    };
  }

  private result(op: Operation, result: WriteResult["result"], status: number): WriteResult {
    return { _index: this.name, _id: op.id, _version: op.version, result, _seq_no: op.seqNo, _primary_term: op.primaryTerm, status };
  }

  /** Runs dynamic mapping for `source`; persists the new mappings if they changed. */
  private mapSource(source: Json, id: string): void {
    const mapped = this.lib.mapDocument(this.meta.mappings, source, id, mappingLimits(this.meta.settings));
    if (mapped !== this.meta.mappings) {
      this.updateMeta({ ...this.meta, mappings: mapped, mappingVersion: this.meta.mappingVersion + 1 });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Applying operations (client, replicated, replayed).

  /** Applies an operation to the version map, history, checkpoints and the pending-refresh set. */
  private apply(op: Operation, now: number | undefined): boolean {
    if (op.seqNo <= this.localCheckpoint || this.processedAbove.has(op.seqNo)) return false;
    const current = this.docs.get(op.id);
    if (!current || current.seqNo < op.seqNo) {
      const wasLive = !!current && current.source !== null;
      const isLive = op.source !== null;
      this.liveCount += (isLive ? 1 : 0) - (wasLive ? 1 : 0);
      const entry: DocEntry = { seqNo: op.seqNo, primaryTerm: op.primaryTerm, version: op.version, source: op.source };
      if (op.routing !== undefined) entry.routing = op.routing;
      if (!isLive && now !== undefined) entry.deletedAt = now;
      this.docs.set(op.id, entry);
      this.pending.set(op.id, isLive ? storedDoc(op.id, op) : null);
    }
    this.insertHistory(op);
    if (op.seqNo > this.maxSeqNo) this.maxSeqNo = op.seqNo;
    this.markProcessed(op.seqNo);
    this.uncommittedOps++;
    return true;
  }

  private insertHistory(op: Operation): void {
    const h = this.history;
    if (h.length === 0 || h[h.length - 1]!.seqNo < op.seqNo) {
      h.push(op);
      return;
    }
    h.splice(this.firstIndexAtOrAbove(op.seqNo), 0, op);
  }

  private firstIndexAtOrAbove(seqNo: number): number {
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.seqNo < seqNo) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private markProcessed(seqNo: number): void {
    if (seqNo === this.localCheckpoint + 1) {
      this.localCheckpoint = seqNo;
      while (this.processedAbove.delete(this.localCheckpoint + 1)) this.localCheckpoint++;
    } else if (seqNo > this.localCheckpoint) {
      this.processedAbove.add(seqNo);
    }
  }

  /**
   * CCR hook: applies an operation replicated from a leader, keeping its `_seq_no`, `_version` and
   * `_primary_term` and bypassing client-write checks (blocks, follower flag, versioning). Operations
   * already processed are skipped, so replaying a batch twice is harmless. Returns whether it applied.
   */
  applyReplicated(op: Operation, now: number): boolean {
    if (op.seqNo <= this.localCheckpoint || this.processedAbove.has(op.seqNo)) return false;
    if (op.source !== null) {
      try {
        this.mapSource(op.source, op.id);
      } catch {
        // the leader accepted this document under its mapping; the follower keeps it regardless
      }
    }
    const copy: Operation = { op: op.op, id: op.id, seqNo: op.seqNo, primaryTerm: op.primaryTerm, version: op.version, source: op.source };
    if (op.routing !== undefined) copy.routing = op.routing;
    this.apply(copy, now);
    this.storage.append(this.uuid, copy.op === "delete" ? { t: "op", op: copy, at: now } : { t: "op", op: copy });
    if (copy.op === "delete") this.counters.deleteTotal++;
    else this.counters.indexTotal++;
    return true;
  }

  /** Replays one log record during recovery (no storage writes). */
  replay(record: LogRecord): void {
    switch (record.t) {
      case "op":
        this.apply(record.op, record.at);
        break;
      case "meta":
        this.meta = record.meta;
        break;
      case "leases":
        this.leases = record.leases;
        break;
      case "trim":
        this.trimHistory(record.minRetainedSeqNo);
        break;
      default: {
        const never: never = record;
        throw new Error(`es-sim: unknown log record ${JSON.stringify(never)}`);
      }
    }
  }

  /** Restores from a snapshot image (recovery). */
  restore(snapshot: IndexSnapshot): void {
    this.meta = snapshot.meta;
    this.leases = snapshot.leases;
    this.maxSeqNo = snapshot.maxSeqNo;
    this.localCheckpoint = snapshot.localCheckpoint;
    this.processedAbove.clear();
    for (const s of snapshot.processedAbove) this.processedAbove.add(s);
    this.docs.clear();
    this.liveCount = 0;
    for (const [id, entry] of snapshot.docs) {
      this.docs.set(id, entry);
      if (entry.source !== null) this.liveCount++;
    }
    this.history = snapshot.history;
  }

  /**
   * Queues every live doc for the next refresh (after recovery or an open, the search index is
   * rebuilt). As an ES shard that is still recovering answers no search, the first search waits for
   * that refresh rather than seeing an empty index.
   */
  reindexAllForSearch(): void {
    this.abandonRefresh();
    this.search.clear();
    this.pending.clear();
    for (const [id, e] of this.docs) {
      if (e.source !== null) this.pending.set(id, storedDoc(id, e));
    }
    this.refreshedSeqNo = -1;
    this.refreshBeforeNextSearch = true;
  }

  /** The complete image of this shard now. */
  toSnapshot(): IndexSnapshot {
    return {
      meta: this.meta,
      leases: this.leases,
      maxSeqNo: this.maxSeqNo,
      localCheckpoint: this.localCheckpoint,
      processedAbove: [...this.processedAbove],
      docs: [...this.docs.entries()],
      history: this.history,
    };
  }

  /** Replaces the metadata and persists it (settings, mappings, aliases, state, primary term). */
  updateMeta(meta: IndexMeta): void {
    this.meta = meta;
    this.storage.append(this.uuid, { t: "meta", meta });
  }

  // ------------------------------------------------------------------------------------------
  // Reads.

  /** Realtime get (the latest write, refreshed or not), as `GET /{index}/_doc/{id}` by default. */
  get(id: string, realtime = true): StoredDoc | undefined {
    this.checkReadable();
    this.counters.getTotal++;
    let doc: StoredDoc | undefined;
    if (realtime) {
      const e = this.docs.get(id);
      if (e && e.source !== null) doc = storedDoc(id, e);
    } else {
      const e = this.docs.get(id);
      if (this.pending.has(id) || this.inFlight?.changes.has(id)) {
        // the refreshed view predates the pending change: find the version visible at the last refresh
        const visible = this.history.filter((o) => o.id === id && o.seqNo <= this.refreshedSeqNo).pop();
        if (visible && visible.source !== null) doc = storedDoc(id, visible);
      } else if (e && e.source !== null) {
        doc = storedDoc(id, e);
      }
    }
    if (doc) this.counters.getExists++;
    else this.counters.getMissing++;
    return doc;
  }

  /** Whether this shard is search-idle: no explicit refresh interval and no search for `index.search.idle.after`. */
  isSearchIdle(now: number): boolean {
    if (this.meta.settings["index.refresh_interval"] !== undefined) return false;
    return now - this.lastSearchAt >= parseTimeValue("index.search.idle.after", this.setting("index.search.idle.after"));
  }

  /**
   * Marks search activity. A search-idle shard with unrefreshed writes refreshes first, as ES does
   * (the search waits for that refresh: `IndexShard.awaitShardSearchActive`); so does a shard whose
   * content was replaced wholesale. Returns the refresh to wait for, or undefined.
   */
  beforeSearch(now: number): Promise<void> | undefined {
    this.checkReadable();
    const idle = this.isSearchIdle(now);
    this.lastSearchAt = now;
    this.counters.queryTotal++;
    if ((idle || this.refreshBeforeNextSearch) && (this.pending.size > 0 || this.inFlight)) return this.refreshInSlices(now, "internal");
    return undefined;
  }

  /**
   * CCR hook: a recovered shard opens a new searcher, so what was copied is searchable at once
   * whatever `index.refresh_interval` says. The work of making it searchable is done by the first
   * search (or scheduled refresh) rather than inside the recovery.
   */
  refreshBeforeSearch(): void {
    this.refreshBeforeNextSearch = true;
  }

  /** Runs a search on the refreshed view: hits and, when asked for, aggregations. */
  searchResponse(request: SearchRequest) {
    return this.search.searchResponse(request, this.meta.mappings, this.name, this.searchSettings());
  }

  /** The index settings searches read, from this index's current settings (with ES's defaults). */
  private searchSettings(): IndexSearchSettings {
    const fields = this.meta.settings["index.query.default_field"];
    return {
      maxResultWindow: Number(this.setting("index.max_result_window")),
      queryStringLenient: this.setting("index.query_string.lenient") === "true",
      maxRegexLength: Number(this.setting("index.max_regex_length")),
      defaultFields: fields === undefined ? ["*"] : Array.isArray(fields) ? fields : fields.split(",").map((f) => f.trim()),
    };
  }

  /** Counts on the refreshed view. */
  count(request: SearchRequest): number {
    return this.search.count(request, this.meta.mappings, this.name, this.searchSettings());
  }

  // ------------------------------------------------------------------------------------------
  // Refresh.
  //
  // A refresh builds the next searchable generation from the changes pending when it starts, and
  // makes it visible at once when complete; searches meanwhile answer from the previous refresh
  // point, as ES's searchers do while a refresh writes a new segment (`ElasticsearchReaderManager`
  // swaps the reader only once the refresh is done). The building is cut into slices by the
  // node's `WorkSlicer`, so that indexing a whole `refresh_interval` of writes never holds the
  // node's one thread at a time: ES does that work on the `refresh` thread pool while its
  // search and write threads go on. Writes made during a build wait for the next one.

  /**
   * Makes every applied operation searchable before returning, a build under way included, in one
   * step: what start-up recovery (nothing else is served meanwhile), closing an index and
   * `GET ?refresh=true` use (docs/known-gaps.md, "one thread per node").
   */
  refresh(now: number, kind: "external" | "scheduled" | "internal"): void {
    this.refreshBeforeNextSearch = false;
    if (this.inFlight) this.completeNow(this.inFlight);
    this.completeNow(this.startRefresh());
    this.lastRefreshAt = now;
    this.countRefresh(kind);
  }

  /**
   * Makes every operation applied before the call searchable, in slices: waits for a build under
   * way (it holds only writes made before it started), then joins or starts a build holding the
   * rest. Concurrent callers share builds. `POST _refresh`, `refresh=true`, the scheduled refresh
   * and a search on a search-idle shard use it.
   */
  async refreshInSlices(now: number, kind: "external" | "scheduled" | "internal"): Promise<void> {
    this.countRefresh(kind);
    if (this.inFlight) await this.inFlight.done;
    if (this.inFlight) {
      await this.inFlight.done;
      return;
    }
    this.refreshBeforeNextSearch = false;
    this.lastRefreshAt = now;
    const r = this.startRefresh();
    r.done = this.runInSlices(r);
    await r.done;
  }

  /** Whether a refresh is being built. */
  get refreshing(): boolean {
    return this.inFlight !== undefined;
  }

  private countRefresh(kind: "external" | "scheduled" | "internal"): void {
    this.counters.refreshTotal++;
    if (kind === "external") this.counters.externalRefreshTotal++;
  }

  /** Takes the pending changes into a new build (none may be under way). */
  private startRefresh(): RefreshInFlight {
    const changes = this.pending;
    this.pending = new Map();
    const r: RefreshInFlight = {
      build: this.search.beginRefresh(
        [...changes].map(([id, doc]) => ({ id, doc })),
        this.meta.mappings,
      ),
      changes,
      seqNo: this.maxSeqNo,
      liveCount: this.liveCount,
      over: false,
      done: Promise.resolve(),
    };
    this.inFlight = r;
    return r;
  }

  private async runInSlices(r: RefreshInFlight): Promise<void> {
    try {
      while (!r.over && !r.build.step(this.slicer.slice())) await this.slicer.pause();
      if (!r.over) this.publish(r);
    } catch (e) {
      // a half-built generation cannot be trusted: the search index is rebuilt from the version
      // map by the next refresh, so nothing written is lost to search
      if (!r.over) this.reindexAllForSearch();
      throw e;
    }
  }

  private completeNow(r: RefreshInFlight): void {
    r.build.step(() => false);
    this.publish(r);
  }

  /** The generation becomes the visible one: counts, checkpoint, and the refresh waiters it satisfies. */
  private publish(r: RefreshInFlight): void {
    r.build.publish();
    r.over = true;
    if (this.inFlight === r) this.inFlight = undefined;
    this.visibleCount = r.liveCount;
    if (r.seqNo > this.refreshedSeqNo) this.refreshedSeqNo = r.seqNo;
    const ready = this.waiters.filter((w) => w.seqNo <= this.refreshedSeqNo);
    if (ready.length > 0) {
      this.waiters = this.waiters.filter((w) => w.seqNo > this.refreshedSeqNo);
      for (const w of ready) w.resolve(false);
    }
  }

  /** Drops the build under way: the search index is being cleared or rebuilt (its waiters are settled by the caller or the next refresh). */
  private abandonRefresh(): void {
    const r = this.inFlight;
    if (!r) return;
    r.over = true;
    this.inFlight = undefined;
  }

  /**
   * `refresh=wait_for`: resolves when a refresh has made `seqNo` visible. Resolves `true` when the
   * wait forced a refresh (more listeners than `index.max_refresh_listeners`), as ES reports.
   */
  waitForRefresh(seqNo: number, now: number): Promise<boolean> {
    if (seqNo <= this.refreshedSeqNo) return Promise.resolve(false);
    const max = parseIntSetting("index.max_refresh_listeners", this.setting("index.max_refresh_listeners"));
    if (this.waiters.length >= max) return this.refreshInSlices(now, "internal").then(() => true);
    return new Promise((resolve) => this.waiters.push({ seqNo, resolve }));
  }

  /**
   * Periodic refresh per `index.refresh_interval` (skipped while search-idle unless someone waits,
   * and while a refresh is being built). Returns the refresh it started, if any.
   */
  scheduledRefresh(now: number): Promise<void> | undefined {
    if (!this.isOpen || this.inFlight) return undefined;
    const interval = this.tickSettings().refreshIntervalMs;
    if (interval <= 0 || now - this.lastRefreshAt < interval) return undefined;
    if (this.pending.size === 0 && this.waiters.length === 0) {
      this.lastRefreshAt = now;
      return undefined;
    }
    if (this.waiters.length === 0 && this.isSearchIdle(now)) return undefined;
    return this.refreshInSlices(now, "scheduled");
  }

  /** Releases refresh waiters when the index goes away or closes (they answer as refreshed). */
  releaseWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const x of w) x.resolve(false);
  }

  /** Drops the search index (index closed or deleted). */
  dropSearch(): void {
    this.abandonRefresh();
    this.search.clear();
    this.pending.clear();
  }

  // ------------------------------------------------------------------------------------------
  // History, leases, merges (what CCR reads).

  /** The peer-recovery lease a started primary holds for itself, retaining above the global checkpoint. */
  private peerRecoveryLease(now: number): RetentionLease {
    return {
      id: `peer_recovery/${this.nodeId}`,
      retaining_seq_no: this.globalCheckpoint + 1,
      timestamp: now,
      source: PEER_RECOVERY_LEASE_SOURCE,
    };
  }

  /** Retention leases as shard stats show them (the peer-recovery lease included). */
  retentionLeases(now: number): RetentionLeases {
    return {
      primaryTerm: this.meta.primaryTerm,
      version: this.leases.version,
      leases: [this.peerRecoveryLease(now), ...this.leases.leases],
    };
  }

  /** ES's `RetentionLeases.toString()`, used in the operations-missing message. */
  retentionLeasesText(now: number): string {
    const l = this.retentionLeases(now);
    const body = l.leases
      .map(
        (x) =>
          `${x.id}=RetentionLease{id='${x.id}', retainingSequenceNumber=${x.retaining_seq_no}, timestamp=${x.timestamp}, source='${x.source}'}`,
      )
      .join(", ");
    return `RetentionLeases{primaryTerm=${l.primaryTerm}, version=${l.version}, leases={${body}}}`;
  }

  private setLeases(leases: RetentionLease[]): void {
    this.leases = { primaryTerm: this.meta.primaryTerm, version: this.leases.version + 1, leases };
    this.storage.append(this.uuid, { t: "leases", leases: this.leases });
  }

  /** CCR hook: adds a lease; `retention_lease_already_exists_exception` if the id is taken. */
  addRetentionLease(id: string, retainingSeqNo: number, source: string, now: number): RetentionLease {
    if (this.leases.leases.some((l) => l.id === id) || id === `peer_recovery/${this.nodeId}`) throw errors.retentionLeaseAlreadyExists(id);
    const lease: RetentionLease = { id, retaining_seq_no: retainingSeqNo, timestamp: now, source };
    this.setLeases([...this.leases.leases, lease]);
    return lease;
  }

  /** CCR hook: renews a lease (timestamp now); its retaining seq_no may not go backwards. */
  renewRetentionLease(id: string, retainingSeqNo: number, source: string, now: number): RetentionLease {
    const existing = this.leases.leases.find((l) => l.id === id);
    if (!existing) throw errors.retentionLeaseNotFound(id);
    if (retainingSeqNo < existing.retaining_seq_no) {
      throw errors.illegalArgument(
        `the current retention lease with [${id}] is retaining a higher sequence number [${existing.retaining_seq_no}] than the new retaining sequence number [${retainingSeqNo}] from [${source}]`,
      );
    }
    const lease: RetentionLease = { id, retaining_seq_no: retainingSeqNo, timestamp: now, source };
    this.setLeases(this.leases.leases.map((l) => (l.id === id ? lease : l)));
    return lease;
  }

  /** CCR hook: removes a lease; `retention_lease_not_found_exception` if absent. */
  removeRetentionLease(id: string): void {
    if (!this.leases.leases.some((l) => l.id === id)) throw errors.retentionLeaseNotFound(id);
    this.setLeases(this.leases.leases.filter((l) => l.id !== id));
  }

  /** Removes leases not renewed within `index.soft_deletes.retention_lease.period`. Returns how many. */
  expireLeases(now: number): number {
    const period = this.tickSettings().leasePeriodMs;
    const keep = this.leases.leases.filter((l) => now - l.timestamp <= period);
    const expired = this.leases.leases.length - keep.length;
    if (expired > 0) this.setLeases(keep);
    return expired;
  }

  /** The lowest seq_no any lease (or `index.soft_deletes.retention.operations`) still retains. */
  minRetainedSeqNo(): number {
    const retainOps = parseIntSetting("index.soft_deletes.retention.operations", this.setting("index.soft_deletes.retention.operations"));
    let min = this.globalCheckpoint + 1 - retainOps;
    for (const l of this.leases.leases) min = Math.min(min, l.retaining_seq_no);
    return Math.max(0, min);
  }

  /**
   * `_forcemerge`: expires stale leases, then drops soft-deleted history below what any lease
   * retains. The live version of each document always survives (it is the document itself).
   * Returns the number of operations dropped.
   */
  forceMerge(now: number): number {
    this.expireLeases(now);
    const min = this.minRetainedSeqNo();
    const dropped = this.trimHistory(min);
    this.storage.append(this.uuid, { t: "trim", minRetainedSeqNo: min });
    this.counters.mergeTotal++;
    return dropped;
  }

  private trimHistory(minRetained: number): number {
    const before = this.history.length;
    this.history = this.history.filter((op) => {
      if (op.seqNo >= minRetained) return true;
      const e = this.docs.get(op.id);
      return !!e && e.seqNo === op.seqNo && e.source !== null;
    });
    return before - this.history.length;
  }

  /** Soft-deleted operations still retained (`docs.deleted`). */
  get softDeletedCount(): number {
    return this.history.length - this.liveHistoryCount();
  }

  private liveHistoryCount(): number {
    let n = 0;
    for (const op of this.history) {
      const e = this.docs.get(op.id);
      if (e && e.seqNo === op.seqNo && e.source !== null) n++;
    }
    return n;
  }

  /**
   * CCR hook: the operations with `fromSeqNo <= _seq_no <= toSeqNo` (at most `maxOps`), in order.
   * If any seq_no of that range is no longer retained, throws ES's fatal "Operations are no longer
   * available for replicating" `resource_not_found_exception` with `requested_operations_missing`.
   */
  readOperations(fromSeqNo: number, toSeqNo: number, maxOps: number, now: number): Operation[] {
    const to = Math.min(toSeqNo, this.maxSeqNo);
    const out: Operation[] = [];
    if (to < fromSeqNo) return out;
    let expected = fromSeqNo;
    for (let i = this.firstIndexAtOrAbove(fromSeqNo); i < this.history.length && out.length < maxOps; i++) {
      const op = this.history[i]!;
      if (op.seqNo > to) break;
      if (op.seqNo !== expected) throw errors.operationsMissing(fromSeqNo, to, this.retentionLeasesText(now));
      out.push(op);
      expected++;
    }
    if (out.length < maxOps && expected <= to) throw errors.operationsMissing(fromSeqNo, to, this.retentionLeasesText(now));
    return out;
  }

  /** Wipes data for a re-bootstrap (CCR `PUT follow` into a closed, paused follower). */
  resetData(): void {
    this.docs.clear();
    this.history = [];
    this.maxSeqNo = -1;
    this.localCheckpoint = -1;
    this.processedAbove.clear();
    this.liveCount = 0;
    this.visibleCount = 0;
    this.refreshedSeqNo = -1;
    this.abandonRefresh();
    this.search.clear();
    this.pending.clear();
  }

  /** Current blocks as ES lists them (for errors and `_cat`). */
  blocks(): string[] {
    const out: string[] = [];
    for (const b of ["write", "read", "read_only", "read_only_allow_delete", "metadata"]) {
      if (
        this.meta.settings[`index.blocks.${b}`] !== undefined &&
        parseBool(`index.blocks.${b}`, String(this.meta.settings[`index.blocks.${b}`]))
      )
        out.push(b);
    }
    return out;
  }
}
