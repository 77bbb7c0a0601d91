/**
 * The es-sim cluster state: one single-node Elasticsearch cluster, in the role of ES's
 * `ClusterService` and `IndicesService`. Holds the lifecycle (open, recovery from storage, the
 * periodic tick, close), the index registry (one `IndexShard` per index), cluster settings with
 * their registry of definitions and validators, cluster-state customs, and index-expression
 * resolution. The REST actions live in `./actions/*`, one module per action family as ES has one
 * `Transport*Action` per API, each taking the cluster as its first argument. No HTTP and no file
 * system here: durability goes through `EngineStorage`, searching through the injected `SearchLibrary`.
 *
 * Every write applies in memory, then awaits `commit()` (fsync, shared by concurrent writers)
 * before returning — so a caller that answers after the promise resolves acknowledges only durable
 * writes, as ES does with `index.translog.durability: request`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { EventEmitter } from "node:events";
import { dataStreams, parentDataStream } from "./dataStreams";
import { errors } from "./errors";
import { randomUuid } from "./docUtils";
import { resolveIndices, type ResolvableIndex, type ResolveOptions } from "./names";
import {
  DEFAULT_CLUSTER_SETTINGS,
  findClusterSetting,
  parseTimeValue,
  type ClusterSettingDef,
  type ClusterSettingsValidator,
  type SettingValue,
} from "./settings";
import { IndexShard } from "./shard";
import { StorageFullError, type ClusterStateRecord, type EngineStorage } from "./storage";
import {
  decideDisk,
  DISK_THRESHOLD_SETTINGS,
  isDiskThresholdSetting,
  READ_ONLY_ALLOW_DELETE,
  validateWatermarks,
  watermarkValues,
  type DiskDecision,
} from "./diskThreshold";
import type { FlatSettings, IndexMeta, Json, SearchLibrary } from "./types";
import { UNSLICED, type WorkSlicer } from "./slicing";

/** The Elasticsearch release es-sim answers as (`GET /`). */
export const ES_VERSION = {
  number: "8.19.2",
  build_flavor: "default",
  build_type: "tar",
  build_hash: "es-sim",
  build_date: "2025-08-01T00:00:00.000Z",
  build_snapshot: false,
  lucene_version: "9.12.2",
  minimum_wire_compatibility_version: "7.17.0",
  minimum_index_compatibility_version: "7.0.0",
} as const;

/** How often the periodic work (scheduled refresh, lease expiry, translog size check) runs. */
export const TICK_INTERVAL_MS = 100;

/** How the engine is set up. */
export interface ClusterOptions {
  clusterName: string;
  nodeName: string;
  storage: EngineStorage;
  search: SearchLibrary;
  /** Wall clock in ms; injectable for tests. */
  clock?: () => number;
  /** Node settings given at start-up (`-E`), shown by `GET /_cluster/settings?include_defaults`. */
  nodeSettings?: FlatSettings;
  /** Whether the periodic tick runs (off in unit tests that drive `tick()` themselves). */
  startTimers?: boolean;
  /** Diagnostics (disk watermarks, storage failures). */
  log?: (line: string) => void;
  /** How refreshes share the node's thread (`./slicing.ts`); unsliced when absent (unit tests). */
  slicer?: WorkSlicer;
}

/** Options shared by APIs taking an index expression. */
export type ExpressionOptions = Pick<ResolveOptions, "ignoreUnavailable" | "allowNoIndices" | "expandWildcards">;

/** The two scopes of dynamic cluster settings. */
export type SettingsScope = "persistent" | "transient";

/** Events the engine emits for layers built on it (CCR). */
export interface ClusterEventMap {
  "settings-changed": [scope: SettingsScope, keys: string[]];
  "index-created": [name: string];
  "index-deleted": [name: string, uuid: string];
  "index-closed": [name: string];
  "index-opened": [name: string];
  /** After writes to an index were made durable (lets followers poll less). */
  "ops-durable": [name: string];
}

/** The cluster state. Create it with `Cluster.open`. */
export class Cluster {
  readonly events = new EventEmitter<ClusterEventMap>();
  readonly clusterName: string;
  readonly nodeName: string;
  clusterUuid = "";
  nodeId = "";
  /** Persistent cluster settings (flat), durable. */
  persistent: FlatSettings = {};
  /** Transient cluster settings (flat), lost on restart. */
  transient: FlatSettings = {};
  /** Cluster-state customs (ES `Metadata.customs`), durable; CCR keeps auto-follow patterns here. */
  private custom: Record<string, Json> = {};
  /** Tail of the serialised cluster-state writes. */
  private stateWrites: Promise<void> = Promise.resolve();
  /** Tail of the metadata-update queue (`updateMetadata`). */
  private metadataTail: Promise<unknown> = Promise.resolve();
  /** The metadata update the current async context runs in, while it runs (nested updates join it). */
  private readonly metadataTask = new AsyncLocalStorage<{ running: boolean }>();
  private readonly shards = new Map<string, IndexShard>();
  private readonly settingDefs: ClusterSettingDef[] = [...DEFAULT_CLUSTER_SETTINGS];
  private readonly settingValidators: ClusterSettingsValidator[] = [];
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly snapshotsInFlight = new Map<string, Promise<void>>();
  /** The disk monitor's last decision; "flood-stage" also after a write found no space left. */
  private diskDecision: DiskDecision | "unknown" = "unknown";
  private lastDiskCheck = 0;
  private diskCheck: Promise<void> | undefined;
  private diskRecheck: Promise<void> | undefined;

  private constructor(
    private readonly opts: ClusterOptions,
    private readonly storage: EngineStorage,
    /** The search library every shard indexes and searches with (mapping validation and merging too). */
    readonly searchLibrary: SearchLibrary,
  ) {
    this.clusterName = opts.clusterName;
    this.nodeName = opts.nodeName;
    this.clock = opts.clock ?? Date.now;
    this.registerClusterSettings(DISK_THRESHOLD_SETTINGS, (merged, touched) => {
      if (touched.some(isDiskThresholdSetting)) validateWatermarks(watermarkValues((k) => this.explicitClusterSetting(k), merged));
    });
    this.events.on("settings-changed", (_scope, keys) => {
      if (keys.some(isDiskThresholdSetting)) void this.checkDiskUsage();
    });
  }

  /** Loads (or initialises) the cluster from storage and starts the periodic work. */
  static async open(opts: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(opts, opts.storage, opts.search);
    await c.recover();
    await c.checkDiskUsage();
    if (opts.startTimers !== false) {
      c.timer = setInterval(() => c.tick(), TICK_INTERVAL_MS);
      c.timer.unref();
    }
    return c;
  }

  now(): number {
    return this.clock();
  }

  /** How long work (a refresh, a large bulk) shares the node's thread (`./slicing.ts`). */
  get slicer(): WorkSlicer {
    return this.opts.slicer ?? UNSLICED;
  }

  private async recover(): Promise<void> {
    const { cluster, indices } = await this.storage.load();
    const now = this.now();
    if (!cluster) {
      this.clusterUuid = randomUuid();
      this.nodeId = randomUuid();
      await this.saveClusterState();
      return;
    }
    this.clusterUuid = cluster.clusterUuid;
    this.nodeId = cluster.nodeId;
    this.persistent = cluster.persistent;
    this.custom = cluster.custom ?? {};
    for (const { uuid } of cluster.indices) {
      const loaded = indices.get(uuid);
      if (!loaded) throw new Error(`es-sim: data for index [${uuid}] listed in the cluster state is missing`);
      const shard = new IndexShard(loaded.snapshot.meta, this.searchLibrary, this.storage, this.nodeId, now, this.opts.slicer);
      shard.restore(loaded.snapshot);
      for (const r of loaded.records) shard.replay(r);
      // the primary is initialised again on a node restart: ES bumps the primary term
      shard.updateMeta({ ...shard.meta, primaryTerm: shard.meta.primaryTerm + 1 });
      shard.reindexAllForSearch();
      if (shard.isOpen) shard.refresh(now, "internal");
      this.shards.set(shard.name, shard);
    }
    for (const uuid of indices.keys()) {
      if (!cluster.indices.some((i) => i.uuid === uuid)) await this.storage.deleteIndex(uuid);
    }
    // with no space left the node still starts: the records stay queued for the next commit
    await this.commitStorage().catch((e) => {
      if (!isStorageFull(e)) throw e;
    });
  }

  /**
   * Writes the cluster state. Writes are serialised and each one takes the state at its turn, so
   * concurrent updates (an index created while a custom is stored) never land out of order.
   */
  private saveClusterState(without?: string): Promise<void> {
    const run = this.stateWrites.then(() => {
      const state: ClusterStateRecord = {
        clusterUuid: this.clusterUuid,
        nodeId: this.nodeId,
        persistent: this.persistent,
        indices: [...this.shards.values()].filter((s) => s.name !== without).map((s) => ({ name: s.name, uuid: s.uuid })),
        custom: this.custom,
      };
      return this.storage.saveClusterState(state);
    });
    this.stateWrites = run.catch(() => undefined);
    return run.catch((e) => {
      throw this.storageFailure(e);
    });
  }

  /** `storage.commit()`; no space left applies the flood-stage block and answers ES's I/O error. */
  private commitStorage(): Promise<void> {
    return this.storage.commit().catch((e) => {
      throw this.storageFailure(e);
    });
  }

  /**
   * A write found no space left: nothing waiting on it is acknowledged (the records stay queued in
   * order), and every index gets the flood-stage block at once, as the disk monitor would on its
   * next run, so clients are told 429 instead of failing one by one. Returns the error to answer.
   */
  private storageFailure(e: unknown): unknown {
    if (!(e instanceof StorageFullError)) return e;
    this.opts.log?.(`[es-sim] ${e.message}: nothing waiting on it was acknowledged; marking every index read-only (flood stage)`);
    this.diskDecision = "flood-stage";
    this.setReadOnlyAllowDelete(true).catch((err) => this.opts.log?.(`[es-sim] applying the flood-stage block failed: ${String(err)}`));
    return errors.noSpaceLeft();
  }

  /** A cluster setting as set (transient, persistent, node), without the default. */
  private explicitClusterSetting(key: string): string | undefined {
    const v = this.transient[key] ?? this.persistent[key] ?? this.opts.nodeSettings?.[key];
    return Array.isArray(v) ? v.join(",") : v;
  }

  /**
   * ES's DiskThresholdMonitor for this node: reads the data path's usage and, over the flood-stage
   * watermark, blocks writes to every index (`index.blocks.read_only_allow_delete`); below the high
   * watermark it releases that block from every index that has it. Runs at start-up, every
   * `cluster.info.update.interval`, and at once when a disk threshold setting changes.
   */
  checkDiskUsage(): Promise<void> {
    // a check asked for while one runs (a setting changed meanwhile) runs once more after it
    if (this.diskCheck) {
      return (this.diskRecheck ??= this.diskCheck.then(() => {
        this.diskRecheck = undefined;
        return this.checkDiskUsage();
      }));
    }
    this.diskCheck = (async () => {
      try {
        this.lastDiskCheck = this.now();
        const usage = await this.storage.diskUsage();
        if (!usage || this.closed) return;
        const decision = decideDisk(usage, (k) => this.explicitClusterSetting(k));
        if (decision === "flood-stage" && this.diskDecision !== "flood-stage") {
          this.opts.log?.(
            `[es-sim] flood stage disk watermark exceeded (${usage.freeBytes} of ${usage.totalBytes} bytes free), all indices on this node will be marked read-only`,
          );
        }
        this.diskDecision = decision;
        if (decision === "flood-stage") await this.updateMetadata(() => this.setReadOnlyAllowDelete(true));
        else if (decision === "below-high") await this.updateMetadata(() => this.setReadOnlyAllowDelete(false));
      } catch (e) {
        this.opts.log?.(`[es-sim] disk usage check failed: ${(e as Error)?.message ?? String(e)}`);
      } finally {
        this.diskCheck = undefined;
      }
    })();
    return this.diskCheck;
  }

  /** Whether the last disk check (or a failed write) found the node over the flood-stage watermark. */
  get floodStageExceeded(): boolean {
    return this.diskDecision === "flood-stage";
  }

  /**
   * Sets (on indices without a write block) or releases (where set) `index.blocks.read_only_allow_delete`,
   * as DiskThresholdMonitor.updateIndicesReadOnly does; the change is queued for the next commit
   * and tried now (a disk still full leaves it queued: the block holds in memory meanwhile).
   */
  private async setReadOnlyAllowDelete(block: boolean): Promise<void> {
    const changed: string[] = [];
    for (const shard of this.shards.values()) {
      const has = shard.meta.settings[READ_ONLY_ALLOW_DELETE] === "true";
      if (block === has) continue;
      if (block && (!shard.isOpen || shard.blocks().some((b) => b === "write" || b === "read_only"))) continue;
      const settings = { ...shard.meta.settings };
      if (block) settings[READ_ONLY_ALLOW_DELETE] = "true";
      else delete settings[READ_ONLY_ALLOW_DELETE];
      shard.updateMeta({ ...shard.meta, settings, settingsVersion: shard.meta.settingsVersion + 1 });
      changed.push(shard.name);
    }
    if (changed.length === 0) return;
    if (!block)
      this.opts.log?.(
        `[es-sim] releasing read-only block on indices [${changed.join(", ")}] since they are now allocated to nodes with sufficient disk space`,
      );
    await this.storage.commit().catch((e) => {
      if (!isStorageFull(e)) throw e;
    });
  }

  /** Periodic work: scheduled refreshes, lease expiry, translog-size flushes. */
  tick(): void {
    if (this.closed) return;
    const now = this.now();
    const interval = parseTimeValue("cluster.info.update.interval", String(this.clusterSetting("cluster.info.update.interval")));
    if (!this.diskCheck && now - this.lastDiskCheck >= interval) void this.checkDiskUsage();
    for (const shard of this.shards.values()) {
      shard
        .scheduledRefresh(now)
        ?.catch((e) => this.opts.log?.(`[es-sim] refresh of [${shard.name}] failed: ${(e as Error)?.message ?? String(e)}`));
      if (shard.leases.leases.length > 0) shard.expireLeases(now);
      if (this.storage.logBytes(shard.uuid) > shard.tickSettings().flushThresholdBytes) {
        this.snapshotShard(shard).catch((e) =>
          this.opts.log?.(`[es-sim] flush of [${shard.name}] failed: ${(e as Error)?.message ?? String(e)}`),
        );
      }
    }
  }

  /** Compacts one index's log into a snapshot (ES flush); concurrent requests for one index coalesce. */
  snapshotShard(shard: IndexShard): Promise<void> {
    if (this.snapshotsInFlight.has(shard.uuid) || this.shards.get(shard.name) !== shard) return Promise.resolve();
    shard.uncommittedOps = 0;
    shard.counters.flushTotal++;
    const run = this.storage
      .snapshot(shard.uuid, shard.toSnapshot())
      .catch((e) => {
        throw this.storageFailure(e);
      })
      .finally(() => this.snapshotsInFlight.delete(shard.uuid));
    this.snapshotsInFlight.set(shard.uuid, run);
    return run;
  }

  /** Stops timers and makes everything durable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const s of this.shards.values()) s.releaseWaiters();
    await this.storage.commit().catch((e) => {
      if (!isStorageFull(e)) throw e;
    });
  }

  /** Whether `close()` was called (waiting requests stop waiting). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Makes appended records durable and tells listeners (used by CCR after replicated writes). */
  async commit(indexName?: string): Promise<void> {
    await this.commitStorage();
    if (indexName) this.events.emit("ops-durable", indexName);
  }

  // ===========================================================================================
  // Metadata updates, one at a time.

  /**
   * Runs a change of the cluster metadata (create, auto-create, delete, close/open, settings,
   * mappings, aliases, cluster settings, customs, CCR follow and auto-follow patterns) after every
   * earlier one has finished, as ES's `MasterService` runs cluster-state update tasks one at a time
   * on the master. The check ("does the index exist?") and the change ("register it") therefore see
   * the same state even though the change awaits storage, and concurrent requests get ES's answers:
   * one `PUT /{index}` wins and the others see `resource_already_exists_exception`
   * (`MetadataCreateIndexService`), concurrent auto-creations share the one index they create.
   * Document writes into existing indices do not go through here and stay concurrent.
   *
   * A call made while a task of this queue runs, from within it (e.g. PUT follow creating its
   * follower index), joins that task instead of queueing behind it, so tasks may compose. Keep
   * remote calls and other long waits out of tasks: they hold up every other metadata change.
   */
  updateMetadata<T>(task: () => Promise<T> | T): Promise<T> {
    const current = this.metadataTask.getStore();
    if (current?.running) return Promise.resolve().then(task);
    const ctx = { running: false };
    const run = this.metadataTail.then(() =>
      this.metadataTask.run(ctx, async () => {
        ctx.running = true;
        try {
          return await task();
        } finally {
          ctx.running = false;
        }
      }),
    );
    this.metadataTail = run.catch(() => undefined);
    return run;
  }

  // ===========================================================================================
  // The index registry.

  /** The shard of a concrete index, or undefined. */
  shard(name: string): IndexShard | undefined {
    return this.shards.get(name);
  }

  /** The shard of a concrete index; `index_not_found_exception` otherwise. */
  requireShard(name: string): IndexShard {
    const s = this.shards.get(name);
    if (!s) throw errors.indexNotFound(name);
    return s;
  }

  /** All index names, sorted. */
  indexNames(): string[] {
    return [...this.shards.keys()].sort();
  }

  /** Every index's shard, in creation order. */
  indexShards(): IndexShard[] {
    return [...this.shards.values()];
  }

  /**
   * Registers a new index (metadata already validated) and persists it with the cluster state;
   * `now` is its creation time.
   */
  addIndex(meta: IndexMeta, now: number): Promise<IndexShard> {
    return this.updateMetadata(async () => {
      // the name is checked again in the same metadata update that registers it, as
      // MetadataCreateIndexService does: a name taken meanwhile is never registered twice
      const existing = this.shards.get(meta.name);
      if (existing) throw errors.indexAlreadyExists(meta.name, existing.uuid);
      // over the flood stage a new index is blocked as every other one (ES would not allocate it at all)
      if (this.floodStageExceeded) meta = { ...meta, settings: { ...meta.settings, [READ_ONLY_ALLOW_DELETE]: "true" } };
      const shard = new IndexShard(meta, this.searchLibrary, this.storage, this.nodeId, now, this.opts.slicer);
      await this.storage.createIndex(meta.uuid, shard.toSnapshot()).catch((e) => {
        throw this.storageFailure(e);
      });
      this.shards.set(meta.name, shard);
      try {
        await this.saveClusterState();
      } catch (e) {
        // not registered durably: an index that a restart would drop must not take writes
        this.shards.delete(meta.name);
        await this.storage.deleteIndex(meta.uuid).catch(() => undefined);
        throw e;
      }
      this.events.emit("index-created", meta.name);
      return shard;
    });
  }

  /** Removes an index from the cluster state, then its data. */
  removeIndex(name: string): Promise<void> {
    return this.updateMetadata(async () => {
      const shard = this.requireShard(name);
      // the cluster state without the index is durable before the index is gone from memory
      await this.saveClusterState(name);
      this.shards.delete(name);
      shard.releaseWaiters();
      shard.dropSearch();
      // ES closes a deleted shard once its in-flight operations are done: a flush of this index
      // under way, and writes that resolved it before it left the registry, finish before its
      // files go (otherwise they would fail on a closed log or a removed folder)
      await this.snapshotsInFlight.get(shard.uuid)?.catch(() => undefined);
      await this.storage.commit().catch(() => undefined);
      await this.storage.deleteIndex(shard.uuid);
      this.events.emit("index-deleted", name, shard.uuid);
    });
  }

  /** Bytes of an index's log not yet compacted into a snapshot (its translog size). */
  translogBytes(shard: IndexShard): number {
    return this.storage.logBytes(shard.uuid);
  }

  /**
   * CCR hook: replaces an index's settings without user-facing validation (sets or removes
   * `index.xpack.ccr.following_index`, copies leader settings) and records custom metadata.
   */
  setIndexMetaInternal(
    name: string,
    change: { settings?: Record<string, SettingValue>; custom?: Record<string, Json | null>; mappings?: Json },
  ): Promise<void> {
    return this.updateMetadata(() => this.setIndexMetaNow(name, change));
  }

  private async setIndexMetaNow(
    name: string,
    change: { settings?: Record<string, SettingValue>; custom?: Record<string, Json | null>; mappings?: Json },
  ): Promise<void> {
    const shard = this.requireShard(name);
    const settings: FlatSettings = { ...shard.meta.settings };
    for (const [k, v] of Object.entries(change.settings ?? {})) {
      if (v === null) delete settings[k];
      else settings[k] = v;
    }
    const custom = { ...shard.meta.custom };
    for (const [k, v] of Object.entries(change.custom ?? {})) {
      if (v === null) delete custom[k];
      else custom[k] = v;
    }
    shard.updateMeta({
      ...shard.meta,
      settings,
      custom,
      settingsVersion: shard.meta.settingsVersion + (change.settings ? 1 : 0),
      mappings: change.mappings ?? shard.meta.mappings,
      mappingVersion: shard.meta.mappingVersion + (change.mappings ? 1 : 0),
    });
    await this.commitStorage();
  }

  // ===========================================================================================
  // Cluster-state customs.

  /** CCR hook: a cluster-state custom (deep copy), or undefined. */
  customMetadata(key: string): Json | undefined {
    const v = this.custom[key];
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as Json);
  }

  /**
   * A cluster-state custom without a copy, for lookups on hot paths (every write checks the data
   * streams). Never mutate it: `putCustomMetadata` replaces a custom, it never changes one in place.
   */
  customMetadataView(key: string): Readonly<Json> | undefined {
    return this.custom[key] as Readonly<Json> | undefined;
  }

  /** CCR hook: stores (or with `null` removes) a cluster-state custom; resolves once durable. */
  putCustomMetadata(key: string, value: Json | null): Promise<void> {
    return this.updateMetadata(async () => {
      const next = { ...this.custom };
      if (value === null) delete next[key];
      else next[key] = JSON.parse(JSON.stringify(value)) as Json;
      this.custom = next;
      await this.saveClusterState();
    });
  }

  // ===========================================================================================
  // Cluster settings and their registry.

  /** Node settings given at start-up (`-E`). */
  get nodeSettings(): FlatSettings | undefined {
    return this.opts.nodeSettings;
  }

  /** Registers extra cluster settings (e.g. `cluster.remote.` affix) and an optional whole-update validator. */
  registerClusterSettings(defs: ClusterSettingDef[], validator?: ClusterSettingsValidator): void {
    this.settingDefs.push(...defs);
    if (validator) this.settingValidators.push(validator);
  }

  /** Every registered cluster-setting definition. */
  clusterSettingDefs(): readonly ClusterSettingDef[] {
    return this.settingDefs;
  }

  /** The definition a cluster-setting key falls under, or undefined when the key is not recognized. */
  clusterSettingDef(key: string): ClusterSettingDef | undefined {
    return findClusterSetting(this.settingDefs, key);
  }

  /** Effective cluster setting (transient over persistent over node over default). */
  clusterSetting(key: string): string | string[] | undefined {
    return (
      this.transient[key] ?? this.persistent[key] ?? this.opts.nodeSettings?.[key] ?? findClusterSetting(this.settingDefs, key)?.default
    );
  }

  /**
   * Installs the next persistent and transient settings (each key already checked against its
   * definition): runs the registered whole-update validators over each touched scope, persists the
   * persistent scope, and tells listeners which keys each scope touched. Call it inside the
   * `updateMetadata` task that computed `next` from the current settings.
   */
  async applyClusterSettings(next: Record<SettingsScope, FlatSettings>, touched: Record<SettingsScope, string[]>): Promise<void> {
    for (const scope of ["persistent", "transient"] as const) {
      if (touched[scope].length > 0) for (const v of this.settingValidators) v(next[scope], touched[scope], scope);
    }
    this.persistent = next.persistent;
    this.transient = next.transient;
    if (touched.persistent.length > 0) await this.saveClusterState();
    for (const scope of ["persistent", "transient"] as const) {
      if (touched[scope].length > 0) this.events.emit("settings-changed", scope, touched[scope]);
    }
  }

  // ===========================================================================================
  // Index expressions.

  private resolvable(): ResolvableIndex[] {
    const streams = dataStreams(this);
    return [...this.shards.values()].map((s) => {
      const ds = parentDataStream(streams, s.name);
      return {
        name: s.name,
        uuid: s.uuid,
        open: s.isOpen,
        hidden: s.meta.settings["index.hidden"] === "true",
        aliases: Object.keys(s.meta.aliases),
        ...(ds ? { dataStream: ds.name, dataStreamHidden: ds.hidden } : {}),
      };
    });
  }

  /** Resolves an index expression against this cluster. */
  resolve(expression: string | undefined, options: ResolveOptions = {}): string[] {
    // The name of an existing index (what every per-index API call sends) resolves to that index
    // alone: index names cannot contain `,` or `*` nor start with `_` or `-`, and no alias or data
    // stream may share an index's name, so resolveIndices would consult only this entry. Building
    // the whole list costs a walk over every index (and its data stream) per request.
    const named = expression === undefined ? undefined : this.shards.get(expression);
    if (named) {
      const only: ResolvableIndex = { name: named.name, uuid: named.uuid, open: named.isOpen, hidden: false, aliases: [] };
      return resolveIndices(expression, [only], options);
    }
    return resolveIndices(expression, this.resolvable(), options);
  }
}

function isStorageFull(e: unknown): boolean {
  return e instanceof StorageFullError || (e as { type?: string })?.type === "i_o_exception";
}
