/**
 * The es-sim engine: one single-node Elasticsearch cluster. Holds cluster settings (persistent and
 * transient), the index registry and one `IndexShard` per index, and implements every REST action
 * as a method returning the body Elasticsearch would answer. No HTTP and no file system here:
 * durability goes through `EngineStorage`, searching through the injected `SearchLibrary`.
 *
 * Every write method applies in memory, then awaits `storage.commit()` (fsync, shared by concurrent
 * writers) before returning — so a caller that answers after the promise resolves acknowledges only
 * durable writes, as ES does with `index.translog.durability: request`.
 */
import { EventEmitter } from "node:events";
import { EsError, errors } from "./errors";
import { deepEqual, filterSource, generateDocId, mergeDoc, parseSourceParam, randomUuid } from "./docUtils";
import { isWildcard, resolveIndices, simpleMatch, validateIndexName, type ResolvableIndex, type ResolveOptions } from "./names";
import {
  DEFAULT_CLUSTER_SETTINGS,
  findClusterSetting,
  flattenSettings,
  indexSetting,
  indexSettingDefaults,
  nestSettings,
  normaliseIndexKey,
  parseByteSize,
  parseIntSetting,
  sortedFlat,
  validateIndexSettings,
  type ClusterSettingDef,
  type ClusterSettingsValidator,
  type SettingValue,
} from "./settings";
import { IndexShard, MAX_DOCUMENT_ID_BYTES, type WriteOptions, type WriteResult } from "./shard";
import type { ClusterStateRecord, EngineStorage } from "./storage";
import type { AliasProps, FlatSettings, IndexMeta, Json, SearchHits, SearchLibrary, SearchRequest } from "./types";

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

/** `index.version.created` of new indices (an opaque IndexVersion id, 8.x range). */
export const INDEX_VERSION_CREATED = "8536000";
/** How often the periodic work (scheduled refresh, lease expiry, translog size check) runs. */
export const TICK_INTERVAL_MS = 100;
/** Default `timeout` of `GET /_cluster/health` when waiting for a status. */
export const HEALTH_DEFAULT_TIMEOUT_MS = 30_000;
/** How often a waiting health request re-evaluates. */
const HEALTH_POLL_MS = 50;

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
}

/** `refresh` request parameter. */
export type RefreshPolicy = "true" | "false" | "wait_for";

/** A write's response body and HTTP status. */
export interface Answer {
  status: number;
  body: Json;
}

/** One parsed `_bulk` item. */
export interface BulkItem {
  action: "index" | "create" | "update" | "delete";
  index?: string;
  id?: string;
  /** Document (index/create) or update body. */
  source?: Json;
  opts: WriteOptions & { requireAlias?: boolean };
  /** A problem found while parsing this item's lines; reported in its slot. */
  error?: EsError;
}

/** Options shared by APIs taking an index expression. */
export type ExpressionOptions = Pick<ResolveOptions, "ignoreUnavailable" | "allowNoIndices" | "expandWildcards">;

/** Events the engine emits for layers built on it (CCR). */
export interface ClusterEventMap {
  "settings-changed": [scope: "persistent" | "transient", keys: string[]];
  "index-created": [name: string];
  "index-deleted": [name: string, uuid: string];
  "index-closed": [name: string];
  "index-opened": [name: string];
  /** After writes to an index were made durable (lets followers poll less). */
  "ops-durable": [name: string];
}

/** The engine. Create it with `Cluster.open`. */
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
  private readonly shards = new Map<string, IndexShard>();
  private readonly settingDefs: ClusterSettingDef[] = [...DEFAULT_CLUSTER_SETTINGS];
  private readonly settingValidators: ClusterSettingsValidator[] = [];
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly snapshotsInFlight = new Set<string>();

  private constructor(
    private readonly opts: ClusterOptions,
    private readonly storage: EngineStorage,
    private readonly lib: SearchLibrary,
  ) {
    this.clusterName = opts.clusterName;
    this.nodeName = opts.nodeName;
    this.clock = opts.clock ?? Date.now;
  }

  /** Loads (or initialises) the cluster from storage and starts the periodic work. */
  static async open(opts: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(opts, opts.storage, opts.search);
    await c.recover();
    if (opts.startTimers !== false) {
      c.timer = setInterval(() => c.tick(), TICK_INTERVAL_MS);
      c.timer.unref();
    }
    return c;
  }

  now(): number {
    return this.clock();
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
      const shard = new IndexShard(loaded.snapshot.meta, this.lib, this.storage, this.nodeId, now);
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
    await this.storage.commit();
  }

  /**
   * Writes the cluster state. Writes are serialised and each one takes the state at its turn, so
   * concurrent updates (an index created while a custom is stored) never land out of order.
   */
  private saveClusterState(): Promise<void> {
    const run = this.stateWrites.then(() => {
      const state: ClusterStateRecord = {
        clusterUuid: this.clusterUuid,
        nodeId: this.nodeId,
        persistent: this.persistent,
        indices: [...this.shards.values()].map((s) => ({ name: s.name, uuid: s.uuid })),
        custom: this.custom,
      };
      return this.storage.saveClusterState(state);
    });
    this.stateWrites = run.catch(() => undefined);
    return run;
  }

  /** Periodic work: scheduled refreshes, lease expiry, translog-size flushes. */
  tick(): void {
    if (this.closed) return;
    const now = this.now();
    for (const shard of this.shards.values()) {
      shard.scheduledRefresh(now);
      if (shard.leases.leases.length > 0) shard.expireLeases(now);
      const threshold = parseByteSize("index.translog.flush_threshold_size", shard.setting("index.translog.flush_threshold_size"));
      if (this.storage.logBytes(shard.uuid) > threshold) this.snapshotShard(shard);
    }
  }

  /** Compacts one index's log into a snapshot (ES flush); concurrent requests for one index coalesce. */
  private snapshotShard(shard: IndexShard): Promise<void> {
    if (this.snapshotsInFlight.has(shard.uuid)) return Promise.resolve();
    this.snapshotsInFlight.add(shard.uuid);
    shard.uncommittedOps = 0;
    shard.counters.flushTotal++;
    return this.storage.snapshot(shard.uuid, shard.toSnapshot()).finally(() => this.snapshotsInFlight.delete(shard.uuid));
  }

  /** Stops timers and makes everything durable. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const s of this.shards.values()) s.releaseWaiters();
    await this.storage.commit();
  }

  // ===========================================================================================
  // Extension points for CCR.

  /** Registers extra cluster settings (e.g. `cluster.remote.` affix) and an optional whole-update validator. */
  registerClusterSettings(defs: ClusterSettingDef[], validator?: ClusterSettingsValidator): void {
    this.settingDefs.push(...defs);
    if (validator) this.settingValidators.push(validator);
  }

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

  /** Effective cluster setting (transient over persistent over node over default). */
  clusterSetting(key: string): string | string[] | undefined {
    return this.transient[key] ?? this.persistent[key] ?? this.opts.nodeSettings?.[key] ?? findClusterSetting(this.settingDefs, key)?.default;
  }

  /** Makes appended records durable and tells listeners (used by CCR after replicated writes). */
  async commit(indexName?: string): Promise<void> {
    await this.storage.commit();
    if (indexName) this.events.emit("ops-durable", indexName);
  }

  /**
   * CCR hook: replaces an index's settings without user-facing validation (sets or removes
   * `index.xpack.ccr.following_index`, copies leader settings) and records custom metadata.
   */
  async setIndexMetaInternal(name: string, change: { settings?: Record<string, SettingValue>; custom?: Record<string, Json | null>; mappings?: Json }): Promise<void> {
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
    await this.storage.commit();
  }

  /** CCR hook: a cluster-state custom (deep copy), or undefined. */
  customMetadata(key: string): Json | undefined {
    const v = this.custom[key];
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as Json);
  }

  /** CCR hook: stores (or with `null` removes) a cluster-state custom; resolves once durable. */
  async putCustomMetadata(key: string, value: Json | null): Promise<void> {
    const next = { ...this.custom };
    if (value === null) delete next[key];
    else next[key] = JSON.parse(JSON.stringify(value)) as Json;
    this.custom = next;
    await this.saveClusterState();
  }

  // ===========================================================================================
  // Cluster-level APIs.

  /** `GET /` */
  info(): Json {
    return {
      name: this.nodeName,
      cluster_name: this.clusterName,
      cluster_uuid: this.clusterUuid,
      version: { ...ES_VERSION },
      tagline: "You Know, for Search",
    };
  }

  private resolvable(): ResolvableIndex[] {
    return [...this.shards.values()].map((s) => ({
      name: s.name,
      uuid: s.uuid,
      open: s.isOpen,
      hidden: s.meta.settings["index.hidden"] === "true",
      aliases: Object.keys(s.meta.aliases),
    }));
  }

  /** Resolves an index expression against this cluster. */
  resolve(expression: string | undefined, options: ResolveOptions = {}): string[] {
    return resolveIndices(expression, this.resolvable(), options);
  }

  private healthOf(names: string[]): { status: "green" | "yellow" | "red"; primaries: number; active: number; unassigned: number } {
    let primaries = 0;
    let unassigned = 0;
    for (const n of names) {
      const s = this.shards.get(n)!;
      const shards = Number(s.setting("index.number_of_shards"));
      const replicas = replicasOf(s);
      primaries += shards;
      unassigned += shards * replicas;
    }
    return { status: unassigned > 0 ? "yellow" : "green", primaries, active: primaries, unassigned };
  }

  /**
   * `GET /_cluster/health[/{index}]`: yellow while any index has replicas (they cannot be assigned
   * on one node). With `wait_for_status` it waits up to `timeout`, then answers 408 `timed_out`.
   */
  async health(index: string | undefined, opts: { waitForStatus?: string; timeoutMs?: number; level?: string }): Promise<Answer> {
    const rank = { green: 0, yellow: 1, red: 2 } as const;
    const deadline = this.now() + (opts.timeoutMs ?? HEALTH_DEFAULT_TIMEOUT_MS);
    const waitFor = opts.waitForStatus as keyof typeof rank | undefined;
    if (waitFor !== undefined && !(waitFor in rank)) throw errors.illegalArgument(`unknown cluster health status [${waitFor}]`);
    for (;;) {
      let names: string[];
      let missing = false;
      try {
        names = this.resolve(index, { expandWildcards: ["open", "closed"] });
      } catch (e) {
        if (!(e instanceof EsError) || e.type !== "index_not_found_exception") throw e;
        names = [];
        missing = true;
      }
      const h = this.healthOf(names);
      const status = missing ? "red" : h.status;
      const satisfied = waitFor === undefined ? !missing : rank[status] <= rank[waitFor];
      const timedOut = !satisfied && this.now() >= deadline;
      if (satisfied || timedOut || this.closed) {
        const all = this.healthOf(this.indexNames());
        const scope = index === undefined ? all : h;
        const body: Json = {
          cluster_name: this.clusterName,
          status,
          timed_out: timedOut,
          number_of_nodes: 1,
          number_of_data_nodes: 1,
          active_primary_shards: scope.primaries,
          active_shards: scope.active,
          relocating_shards: 0,
          initializing_shards: 0,
          unassigned_shards: scope.unassigned,
          unassigned_primary_shards: 0,
          delayed_unassigned_shards: 0,
          number_of_pending_tasks: 0,
          number_of_in_flight_fetch: 0,
          task_max_waiting_in_queue_millis: 0,
          active_shards_percent_as_number: all.active + all.unassigned === 0 ? 100 : (all.active / (all.active + all.unassigned)) * 100,
        };
        if (opts.level === "indices" || opts.level === "shards") {
          const indices: Json = {};
          for (const n of names) {
            const one = this.healthOf([n]);
            const s = this.shards.get(n)!;
            const entry: Json = {
              status: one.status,
              number_of_shards: Number(s.setting("index.number_of_shards")),
              number_of_replicas: replicasOf(s),
              active_primary_shards: one.primaries,
              active_shards: one.active,
              relocating_shards: 0,
              initializing_shards: 0,
              unassigned_shards: one.unassigned,
              unassigned_primary_shards: 0,
            };
            if (opts.level === "shards") {
              const shards: Json = {};
              for (let i = 0; i < Number(s.setting("index.number_of_shards")); i++) {
                shards[String(i)] = {
                  status: one.status, primary_active: true, active_shards: 1, relocating_shards: 0, initializing_shards: 0,
                  unassigned_shards: replicasOf(s), unassigned_primary_shards: 0,
                };
              }
              entry.shards = shards;
            }
            indices[n] = entry;
          }
          body.indices = indices;
        }
        return { status: timedOut ? 408 : 200, body };
      }
      await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
    }
  }

  /** `GET /_cluster/settings` */
  getClusterSettings(opts: { flat?: boolean; includeDefaults?: boolean }): Json {
    const render = (f: FlatSettings) => (opts.flat ? sortedFlat(f) : nestSettings(f));
    const body: Json = { persistent: render(this.persistent), transient: render(this.transient) };
    if (opts.includeDefaults) {
      const defaults: FlatSettings = { "cluster.name": this.clusterName, "node.name": this.nodeName, ...(this.opts.nodeSettings ?? {}) };
      for (const d of this.settingDefs) {
        if (!d.key.endsWith(".") && d.default !== undefined && !(d.key in this.persistent) && !(d.key in this.transient)) defaults[d.key] = d.default;
      }
      body.defaults = render(defaults);
    }
    return body;
  }

  /**
   * `PUT /_cluster/settings`: validates every key (unknown → `not recognized`, static →
   * `not dynamically updateable`), applies `null` removals (wildcards allowed), persists the
   * persistent scope, and answers with what changed.
   */
  async putClusterSettings(body: Json, opts: { flat?: boolean }): Promise<Json> {
    for (const key of Object.keys(body)) {
      if (key !== "persistent" && key !== "transient") {
        throw errors.illegalArgument(`request [/_cluster/settings] contains unknown field [${key}]`);
      }
    }
    if (!("persistent" in body) && !("transient" in body)) {
      throw errors.validation(["no settings to update"]);
    }
    const updates = {
      persistent: flattenSettings(body.persistent ?? {}),
      transient: flattenSettings(body.transient ?? {}),
    };
    const next = { persistent: { ...this.persistent }, transient: { ...this.transient } };
    const changed: { persistent: FlatSettings; transient: FlatSettings } = { persistent: {}, transient: {} };
    const touched: { persistent: string[]; transient: string[] } = { persistent: [], transient: [] };
    for (const scope of ["persistent", "transient"] as const) {
      for (const [key, value] of Object.entries(updates[scope])) {
        if (value === null) {
          for (const k of Object.keys(next[scope])) {
            if (k === key || (isWildcard(key) && simpleMatch(key, k))) {
              delete next[scope][k];
              touched[scope].push(k);
            }
          }
          if (!isWildcard(key)) touched[scope].push(key);
          continue;
        }
        const def = findClusterSetting(this.settingDefs, key);
        if (!def) throw errors.clusterSettingNotRecognized(scope, key);
        if (!def.dynamic) throw errors.clusterSettingNotDynamic(scope, key);
        def.validate?.(key, value);
        next[scope][key] = value;
        changed[scope][key] = value;
        touched[scope].push(key);
      }
    }
    for (const scope of ["persistent", "transient"] as const) {
      if (touched[scope].length > 0) for (const v of this.settingValidators) v(next[scope], touched[scope], scope);
    }
    this.persistent = next.persistent;
    this.transient = next.transient;
    if (touched.persistent.length > 0) await this.saveClusterState();
    for (const scope of ["persistent", "transient"] as const) {
      if (touched[scope].length > 0) this.events.emit("settings-changed", scope, touched[scope]);
    }
    const render = (f: FlatSettings) => (opts.flat ? sortedFlat(f) : nestSettings(f));
    return { acknowledged: true, persistent: render(changed.persistent), transient: render(changed.transient) };
  }

  // ===========================================================================================
  // Index lifecycle.

  /** `PUT /{index}` */
  async createIndex(name: string, body: Json): Promise<Json> {
    for (const key of Object.keys(body)) {
      if (!["settings", "mappings", "aliases"].includes(key)) {
        throw errors.parse(`unknown key [${key}] for create index`);
      }
    }
    const shard = await this.createIndexInternal(name, (body.settings as Json) ?? {}, (body.mappings as Json) ?? {}, (body.aliases as Json) ?? {});
    return { acknowledged: true, shards_acknowledged: true, index: shard.name };
  }

  /**
   * Creates an index (validated like `PUT /{index}`). Also the CCR hook for creating a follower
   * with leader settings: `internalSettings` are applied after validation (e.g. the follower flag).
   */
  async createIndexInternal(name: string, settingsBody: Json, mappings: Json, aliases: Json, internalSettings: FlatSettings = {}): Promise<IndexShard> {
    validateIndexName(name);
    const existing = this.shards.get(name);
    if (existing) throw errors.indexAlreadyExists(name, existing.uuid);
    if (this.resolvable().some((i) => i.aliases.includes(name))) throw errors.invalidIndexName(name, "already exists as alias");
    const flat: Record<string, SettingValue> = {};
    for (const [k, v] of Object.entries(flattenSettings(settingsBody))) flat[normaliseIndexKey(k)] = v;
    if (flat["index.soft_deletes.enabled"] === "false") {
      throw errors.illegalArgument(
        "Creating indices with soft-deletes disabled is no longer supported. Please do not specify a value for setting [index.soft_deletes.enabled].",
      );
    }
    validateIndexSettings(flat, "create");
    const aliasMap = this.parseAliases(aliases, name);
    const finalMappings = this.lib.validateMappings(mappings, "createIndex");
    const now = this.now();
    const uuid = randomUuid();
    const settings: FlatSettings = {
      "index.routing.allocation.include._tier_preference": "data_content",
      "index.number_of_shards": "1",
      "index.number_of_replicas": "1",
    };
    for (const [k, v] of Object.entries(flat)) if (v !== null) settings[k] = v;
    Object.assign(settings, internalSettings, {
      "index.provided_name": name,
      "index.creation_date": String(now),
      "index.uuid": uuid,
      "index.version.created": INDEX_VERSION_CREATED,
    });
    const meta: IndexMeta = {
      name, uuid, settings, mappings: finalMappings, aliases: aliasMap, state: "open", primaryTerm: 1,
      mappingVersion: 1, settingsVersion: 1, aliasesVersion: 1, custom: {},
    };
    const shard = new IndexShard(meta, this.lib, this.storage, this.nodeId, now);
    await this.storage.createIndex(uuid, shard.toSnapshot());
    this.shards.set(name, shard);
    await this.saveClusterState();
    this.events.emit("index-created", name);
    return shard;
  }

  private parseAliases(aliases: Json, indexName: string): Record<string, AliasProps> {
    const out: Record<string, AliasProps> = {};
    for (const [alias, raw] of Object.entries(aliases)) {
      out[alias] = this.parseAliasProps(alias, (raw ?? {}) as Json, indexName);
    }
    return out;
  }

  private parseAliasProps(alias: string, raw: Json, indexName: string): AliasProps {
    validateAliasName(alias);
    if (this.shards.has(alias) || alias === indexName) {
      throw new EsError("invalid_alias_name_exception", 400, `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`, { index_uuid: "_na_", index: alias });
    }
    const props: AliasProps = {};
    for (const [k, v] of Object.entries(raw)) {
      switch (k) {
        case "is_write_index":
          props.is_write_index = v === true || v === "true";
          break;
        case "is_hidden":
          props.is_hidden = v === true || v === "true";
          break;
        case "routing":
        case "index_routing":
        case "search_routing":
          props[k] = String(v);
          break;
        case "filter":
          throw errors.notSupported(`filtered aliases ([filter] on alias [${alias}])`);
        default:
          throw errors.parse(`failed to parse alias [${alias}], unknown field [${k}]`);
      }
    }
    return props;
  }

  /** `DELETE /{index}` (wildcards only when `action.destructive_requires_name` is false). */
  async deleteIndex(expression: string, opts: ExpressionOptions): Promise<Json> {
    this.checkDestructive(expression);
    const names = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"], allowAliases: false });
    for (const name of names) {
      const shard = this.shards.get(name)!;
      this.shards.delete(name);
      shard.releaseWaiters();
      shard.dropSearch();
      await this.saveClusterState();
      await this.storage.deleteIndex(shard.uuid);
      this.events.emit("index-deleted", name, shard.uuid);
    }
    return { acknowledged: true };
  }

  private checkDestructive(expression: string): void {
    const requiresName = String(this.clusterSetting("action.destructive_requires_name")) === "true";
    if (!requiresName) return;
    const parts = expression.split(",").map((p) => p.trim());
    if (parts.some((p) => p === "_all" || isWildcard(p))) throw errors.destructiveRequiresName();
  }

  /** `HEAD /{index}` */
  indexExists(expression: string, opts: ExpressionOptions): boolean {
    try {
      return this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] }).length > 0 || !expression.split(",").some((p) => !isWildcard(p));
    } catch (e) {
      if (e instanceof EsError && e.status === 404) return false;
      throw e;
    }
  }

  /** `GET /{index}` */
  getIndex(expression: string, opts: ExpressionOptions & { flat?: boolean; includeDefaults?: boolean }): Json {
    const names = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
    const out: Json = {};
    for (const name of names) {
      const s = this.shards.get(name)!;
      const entry: Json = {
        aliases: aliasesView(s.meta.aliases),
        mappings: s.meta.mappings,
        settings: opts.flat ? sortedFlat(s.meta.settings) : nestSettings(s.meta.settings),
      };
      if (opts.includeDefaults) entry.defaults = opts.flat ? indexSettingDefaults(s.meta.settings) : nestSettings(indexSettingDefaults(s.meta.settings));
      out[name] = entry;
    }
    return out;
  }

  /** `GET /{index}/_settings[/{name}]` */
  getSettings(expression: string | undefined, names: string | undefined, opts: ExpressionOptions & { flat?: boolean; includeDefaults?: boolean }): Json {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
    const filters = names && names !== "_all" ? names.split(",") : undefined;
    const pick = (f: FlatSettings) => {
      if (!filters) return f;
      const o: FlatSettings = {};
      for (const [k, v] of Object.entries(f)) if (filters.some((p) => simpleMatch(p, k))) o[k] = v;
      return o;
    };
    const out: Json = {};
    for (const name of indices) {
      const s = this.shards.get(name)!;
      const settings = pick(s.meta.settings);
      const entry: Json = { settings: opts.flat ? sortedFlat(settings) : nestSettings(settings) };
      if (opts.includeDefaults) {
        const d = pick(indexSettingDefaults(s.meta.settings));
        entry.defaults = opts.flat ? sortedFlat(d) : nestSettings(d);
      }
      if (filters && Object.keys(settings).length === 0 && !opts.includeDefaults) continue;
      out[name] = entry;
    }
    return out;
  }

  /** `PUT /{index}/_settings` */
  async putSettings(expression: string | undefined, body: Json, opts: ExpressionOptions & { preserveExisting?: boolean }): Promise<Json> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
    const source = Object.keys(body).length === 1 && body.settings && typeof body.settings === "object" ? (body.settings as Json) : body;
    const flat: Record<string, SettingValue> = {};
    for (const [k, v] of Object.entries(flattenSettings(source))) flat[normaliseIndexKey(k)] = v;
    if (Object.keys(flat).length === 0) throw errors.validation(["no settings to update"]);
    for (const name of indices) {
      const s = this.shards.get(name)!;
      validateIndexSettings(flat, s.isOpen ? "update-open" : "update-closed", `${s.name}/${s.uuid}`);
      const onlyBlocks = Object.keys(flat).every((k) => k.startsWith("index.blocks."));
      if (!onlyBlocks) s.checkMetadataWritable();
    }
    for (const name of indices) {
      const s = this.shards.get(name)!;
      const settings = { ...s.meta.settings };
      for (const [k, v] of Object.entries(flat)) {
        if (v === null) delete settings[k];
        else if (!(opts.preserveExisting && k in settings)) settings[k] = v;
      }
      s.updateMeta({ ...s.meta, settings, settingsVersion: s.meta.settingsVersion + 1 });
    }
    await this.storage.commit();
    return { acknowledged: true };
  }

  /** `PUT /{index}/_block/{block}` */
  async addBlock(expression: string, block: string, opts: ExpressionOptions): Promise<Json> {
    if (!["metadata", "read", "read_only", "write"].includes(block)) throw errors.illegalArgument(`No such block [${block}]`);
    this.checkDestructive(expression);
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
    const result: Json[] = [];
    for (const name of indices) {
      const s = this.shards.get(name)!;
      s.updateMeta({ ...s.meta, settings: { ...s.meta.settings, [`index.blocks.${block}`]: "true" }, settingsVersion: s.meta.settingsVersion + 1 });
      result.push({ name, blocked: true });
    }
    await this.storage.commit();
    return { acknowledged: true, shards_acknowledged: true, indices: result };
  }

  /** `POST /{index}/_close` */
  async closeIndex(expression: string, opts: ExpressionOptions): Promise<Json> {
    this.checkDestructive(expression);
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
    const out: Json = {};
    for (const name of indices) {
      const s = this.shards.get(name)!;
      if (s.isOpen) {
        s.refresh(this.now(), "internal");
        s.releaseWaiters();
        s.updateMeta({ ...s.meta, state: "close", primaryTerm: s.meta.primaryTerm + 1 });
        s.dropSearch();
        this.events.emit("index-closed", name);
      }
      out[name] = { closed: true };
    }
    await this.storage.commit();
    return { acknowledged: true, shards_acknowledged: true, indices: out };
  }

  /** `POST /{index}/_open` */
  async openIndex(expression: string, opts: ExpressionOptions): Promise<Json> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["closed"] });
    for (const name of indices) {
      const s = this.shards.get(name)!;
      if (!s.isOpen) {
        s.updateMeta({ ...s.meta, state: "open", primaryTerm: s.meta.primaryTerm + 1 });
        s.reindexAllForSearch();
        s.refresh(this.now(), "internal");
        this.events.emit("index-opened", name);
      }
    }
    await this.storage.commit();
    return { acknowledged: true, shards_acknowledged: true };
  }

  /** `GET /{index}/_mapping` */
  getMapping(expression: string | undefined, opts: ExpressionOptions): Json {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
    const out: Json = {};
    for (const name of indices) out[name] = { mappings: this.shards.get(name)!.meta.mappings };
    return out;
  }

  /** `PUT /{index}/_mapping` (refused on a follower, as CCR does). */
  async putMapping(expression: string, body: Json, opts: ExpressionOptions): Promise<Json> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
    const followers = indices.filter((n) => this.shards.get(n)!.isFollower);
    if (followers.length > 0) {
      throw errors.status(403, `can't put mapping to the following indices [${followers.join(", ")}]; the mapping of the following indices are self-replicated from its leader indices`);
    }
    const merged = new Map<string, Json>();
    for (const name of indices) {
      const s = this.shards.get(name)!;
      s.checkMetadataWritable();
      merged.set(name, this.lib.mergeMappings(s.meta.mappings, body));
    }
    for (const [name, mappings] of merged) {
      const s = this.shards.get(name)!;
      if (mappings !== s.meta.mappings && !deepEqual(mappings, s.meta.mappings)) {
        s.updateMeta({ ...s.meta, mappings, mappingVersion: s.meta.mappingVersion + 1 });
      }
    }
    await this.storage.commit();
    return { acknowledged: true };
  }

  /** `GET /_alias`, `GET /{index}/_alias/{name}` */
  getAliases(expression: string | undefined, names: string | undefined, opts: ExpressionOptions): Answer {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
    const patterns = names && names !== "_all" && names !== "*" ? names.split(",") : undefined;
    const out: Json = {};
    const found = new Set<string>();
    for (const name of indices) {
      const s = this.shards.get(name)!;
      const matched: Record<string, AliasProps> = {};
      for (const [a, p] of Object.entries(s.meta.aliases)) {
        if (!patterns || patterns.some((pat) => simpleMatch(pat, a))) {
          matched[a] = p;
          found.add(a);
        }
      }
      if (patterns && Object.keys(matched).length === 0) continue;
      out[name] = { aliases: aliasesView(matched) };
    }
    const missing = patterns?.filter((p) => !isWildcard(p) && !found.has(p)) ?? [];
    if (missing.length > 0) {
      return { status: 404, body: { error: `alias [${missing.join(",")}] missing`, status: 404, ...out } };
    }
    return { status: 200, body: out };
  }

  /** `POST /_aliases` with `add`/`remove`/`remove_index` actions; also `PUT|DELETE /{index}/_alias/{name}`. */
  async updateAliases(actions: Json[]): Promise<Json> {
    type Planned = { kind: "add" | "remove"; index: string; alias: string; props?: AliasProps; mustExist?: boolean };
    const planned: Planned[] = [];
    for (const action of actions) {
      const [kind, raw] = Object.entries(action)[0] ?? [];
      if (kind !== "add" && kind !== "remove" && kind !== "remove_index") throw errors.parse(`[aliases] unknown field [${kind}]`);
      const spec = (raw ?? {}) as Json;
      const indexExpr = (spec.indices as string[] | undefined)?.join(",") ?? (spec.index as string | undefined);
      if (!indexExpr) throw errors.validation(["One of [index] or [indices] is required"]);
      const indices = this.resolve(indexExpr, { expandWildcards: ["open", "closed"], allowAliases: false });
      if (kind === "remove_index") {
        throw errors.notSupported("alias action [remove_index]");
      }
      const aliasNames = (spec.aliases as string[] | undefined) ?? (spec.alias !== undefined ? [String(spec.alias)] : []);
      if (aliasNames.length === 0) throw errors.validation(["One of [alias] or [aliases] is required"]);
      const followers = indices.filter((n) => this.shards.get(n)!.isFollower);
      if (followers.length > 0) {
        throw errors.status(403, `can't modify aliases on indices [${followers.join(", ")}]; aliases of following indices are self-replicated from their leader indices`);
      }
      const propsRaw: Json = {};
      for (const k of ["is_write_index", "is_hidden", "routing", "index_routing", "search_routing", "filter"]) if (k in spec) propsRaw[k] = spec[k];
      for (const index of indices) {
        for (const alias of aliasNames) {
          if (kind === "add") planned.push({ kind, index, alias, props: this.parseAliasProps(alias, propsRaw, index) });
          else planned.push({ kind, index, alias, mustExist: spec.must_exist === true });
        }
      }
    }
    for (const p of planned) {
      const s = this.shards.get(p.index)!;
      const matches = Object.keys(s.meta.aliases).filter((a) => simpleMatch(p.alias, a));
      if (p.kind === "remove" && matches.length === 0) throw errors.aliasesNotFound([p.alias]);
    }
    const touched = new Set<string>();
    for (const p of planned) {
      const s = this.shards.get(p.index)!;
      const aliases = { ...s.meta.aliases };
      if (p.kind === "add") aliases[p.alias] = p.props!;
      else for (const a of Object.keys(aliases)) if (simpleMatch(p.alias, a)) delete aliases[a];
      s.updateMeta({ ...s.meta, aliases, aliasesVersion: s.meta.aliasesVersion + 1 });
      touched.add(p.index);
    }
    await this.storage.commit();
    return { acknowledged: true, errors: false };
  }

  private shardsHeader(indices: string[]): Json {
    let total = 0;
    let successful = 0;
    for (const n of indices) {
      const s = this.shards.get(n)!;
      const shards = Number(s.setting("index.number_of_shards"));
      total += shards * (1 + replicasOf(s));
      successful += shards;
    }
    return { total, successful, failed: 0 };
  }

  /** `POST /{index}/_refresh` */
  async refresh(expression: string | undefined, opts: ExpressionOptions): Promise<Json> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
    const now = this.now();
    for (const n of indices) this.shards.get(n)!.refresh(now, "external");
    return { _shards: this.shardsHeader(indices) };
  }

  /** `POST /{index}/_flush`: makes a durable snapshot of each index and truncates its log. */
  async flush(expression: string | undefined, opts: ExpressionOptions): Promise<Json> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
    await this.storage.commit();
    await Promise.all(indices.map((n) => this.snapshotShard(this.shards.get(n)!)));
    return { _shards: this.shardsHeader(indices) };
  }

  /** `POST /{index}/_forcemerge`: discards soft-deleted history no retention lease retains. */
  async forceMerge(expression: string | undefined, opts: ExpressionOptions & { flush?: boolean }): Promise<Json> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
    const now = this.now();
    for (const n of indices) this.shards.get(n)!.forceMerge(now);
    await this.storage.commit();
    if (opts.flush !== false) await Promise.all(indices.map((n) => this.snapshotShard(this.shards.get(n)!)));
    return { _shards: this.shardsHeader(indices) };
  }

  /** `GET /{index}/_stats[/{metric}]` with `level=cluster|indices|shards`. */
  stats(expression: string | undefined, metrics: string[] | undefined, opts: ExpressionOptions & { level?: string }): Json {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
    const level = opts.level ?? "indices";
    if (!["cluster", "indices", "shards"].includes(level)) {
      throw errors.illegalArgument(`level parameter must be one of [cluster] or [indices] or [shards] but was [${level}]`);
    }
    const now = this.now();
    const wanted = (m: string) => !metrics || metrics.includes("_all") || metrics.includes(m);
    const section = (s: IndexShard): Json => {
      const out: Json = {};
      const bytes = this.storage.logBytes(s.uuid);
      const storeSize = approximateStoreSize(s);
      if (wanted("docs")) out.docs = { count: s.isOpen ? s.visibleCount : 0, deleted: s.isOpen ? s.softDeletedCount : 0, total_size_in_bytes: storeSize };
      if (wanted("store")) out.store = { size_in_bytes: storeSize, total_data_set_size_in_bytes: storeSize, reserved_in_bytes: 0 };
      if (wanted("indexing")) {
        out.indexing = {
          index_total: s.counters.indexTotal, index_time_in_millis: 0, index_current: 0, index_failed: s.counters.indexFailed,
          delete_total: s.counters.deleteTotal, delete_time_in_millis: 0, delete_current: 0, noop_update_total: s.counters.noopUpdateTotal,
          is_throttled: false, throttle_time_in_millis: 0, write_load: 0,
        };
      }
      if (wanted("get")) {
        out.get = {
          total: s.counters.getTotal, time_in_millis: 0, exists_total: s.counters.getExists, exists_time_in_millis: 0,
          missing_total: s.counters.getMissing, missing_time_in_millis: 0, current: 0,
        };
      }
      if (wanted("search")) {
        out.search = {
          open_contexts: 0, query_total: s.counters.queryTotal, query_time_in_millis: 0, query_current: 0, fetch_total: s.counters.queryTotal,
          fetch_time_in_millis: 0, fetch_current: 0, scroll_total: 0, scroll_time_in_millis: 0, scroll_current: 0, suggest_total: 0,
          suggest_time_in_millis: 0, suggest_current: 0,
        };
      }
      if (wanted("merge")) {
        out.merges = {
          current: 0, current_docs: 0, current_size_in_bytes: 0, total: s.counters.mergeTotal, total_time_in_millis: 0, total_docs: 0,
          total_size_in_bytes: 0, total_stopped_time_in_millis: 0, total_throttled_time_in_millis: 0, total_auto_throttle_in_bytes: 20971520,
        };
      }
      if (wanted("refresh")) {
        out.refresh = {
          total: s.counters.refreshTotal, total_time_in_millis: 0, external_total: s.counters.externalRefreshTotal,
          external_total_time_in_millis: 0, listeners: 0,
        };
      }
      if (wanted("flush")) out.flush = { total: s.counters.flushTotal, periodic: 0, total_time_in_millis: 0, total_time_excluding_waiting_on_lock_in_millis: 0 };
      if (wanted("translog")) {
        out.translog = {
          operations: s.uncommittedOps, size_in_bytes: bytes, uncommitted_operations: s.uncommittedOps, uncommitted_size_in_bytes: bytes,
          earliest_last_modified_age: 0,
        };
      }
      return out;
    };
    const sum = (a: Json, b: Json): Json => {
      const out: Json = { ...a };
      for (const [k, v] of Object.entries(b)) {
        if (typeof v === "number" && typeof out[k] === "number") out[k] = (out[k] as number) + v;
        else if (v && typeof v === "object" && out[k] && typeof out[k] === "object") out[k] = sum(out[k] as Json, v as Json);
        else if (!(k in out)) out[k] = v;
      }
      return out;
    };
    let all: Json = {};
    const perIndex: Json = {};
    for (const n of indices) {
      const s = this.shards.get(n)!;
      const prim = section(s);
      all = Object.keys(all).length === 0 ? prim : sum(all, prim);
      const entry: Json = { uuid: s.uuid, health: replicasOf(s) > 0 ? "yellow" : "green", status: s.meta.state, primaries: prim, total: prim };
      if (level === "shards") {
        entry.shards = {
          "0": [
            {
              routing: { state: "STARTED", primary: true, node: this.nodeId, relocating_node: null },
              ...prim,
              commit: { id: s.uuid, generation: s.counters.flushTotal + 1, user_data: {}, num_docs: s.visibleCount },
              seq_no: { max_seq_no: s.maxSeqNo, local_checkpoint: s.localCheckpoint, global_checkpoint: s.globalCheckpoint },
              retention_leases: leasesJson(s.retentionLeases(now)),
              shard_path: { state_path: this.nodeId, data_path: this.nodeId, is_custom_data_path: false },
            },
          ],
        };
      }
      perIndex[n] = entry;
    }
    const body: Json = { _shards: this.shardsHeader(indices), _all: { primaries: all, total: all } };
    if (level !== "cluster") body.indices = perIndex;
    return body;
  }

  /** Rows of `GET /_cat/indices` (values as strings, as ES's JSON cat output). */
  catIndices(expression: string | undefined, opts: ExpressionOptions & { health?: string; pri?: boolean }): Array<Record<string, string | null>> {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["all"] });
    const rows: Array<Record<string, string | null>> = [];
    for (const n of indices) {
      const s = this.shards.get(n)!;
      const health = replicasOf(s) > 0 ? "yellow" : "green";
      if (opts.health && opts.health !== health) continue;
      const size = approximateStoreSize(s);
      rows.push({
        health,
        status: s.meta.state,
        index: n,
        uuid: s.uuid,
        pri: s.setting("index.number_of_shards"),
        rep: String(replicasOf(s)),
        "docs.count": s.isOpen ? String(s.visibleCount) : null,
        "docs.deleted": s.isOpen ? String(s.softDeletedCount) : null,
        "store.size": s.isOpen ? String(size) : null,
        "pri.store.size": s.isOpen ? String(size) : null,
        "dataset.size": s.isOpen ? String(size) : null,
      });
    }
    return rows;
  }

  // ===========================================================================================
  // Documents.

  /** Resolves the index a write goes to: a concrete index, an alias's write index, or an auto-created index. */
  private async writeTarget(name: string, requireAlias = false): Promise<IndexShard> {
    const concrete = this.shards.get(name);
    if (concrete) {
      if (requireAlias) throw errors.indexNotFound(name);
      return concrete;
    }
    const aliased = [...this.shards.values()].filter((s) => name in s.meta.aliases);
    if (aliased.length === 1 && aliased[0]!.meta.aliases[name]!.is_write_index !== false) return aliased[0]!;
    if (aliased.length > 0) {
      const w = aliased.filter((s) => s.meta.aliases[name]!.is_write_index === true);
      if (w.length === 1) return w[0]!;
      throw errors.noWriteIndex(name);
    }
    if (requireAlias) throw errors.indexNotFound(name);
    this.checkAutoCreate(name);
    validateIndexName(name);
    return this.createIndexInternal(name, {}, {}, {});
  }

  private checkAutoCreate(name: string): void {
    const raw = this.clusterSetting("action.auto_create_index");
    const value = Array.isArray(raw) ? raw.join(",") : String(raw ?? "true");
    if (value === "true") return;
    if (value === "false") {
      throw new EsError("index_not_found_exception", 404, `no such index [${name}] and [action.auto_create_index] is [false]`, {
        "resource.type": "index_expression", "resource.id": name, index_uuid: "_na_", index: name,
      });
    }
    for (const pattern of value.split(",").map((p) => p.trim())) {
      const negative = pattern.startsWith("-");
      const p = pattern.replace(/^[+-]/, "");
      if (simpleMatch(p, name)) {
        if (negative) break;
        return;
      }
    }
    throw new EsError("index_not_found_exception", 404, `no such index [${name}] and [action.auto_create_index] ([${value}]) doesn't match`, {
      "resource.type": "index_expression", "resource.id": name, index_uuid: "_na_", index: name,
    });
  }

  /** Resolves the single index a document read goes to. */
  private readTarget(name: string): IndexShard {
    const concrete = this.shards.get(name);
    if (concrete) return concrete;
    const aliased = [...this.shards.values()].filter((s) => name in s.meta.aliases);
    if (aliased.length === 1) return aliased[0]!;
    if (aliased.length > 1) {
      throw errors.illegalArgument(`alias [${name}] has more than one index associated with it [${aliased.map((s) => s.name).sort().join(", ")}], can't execute a single index op`);
    }
    throw errors.indexNotFound(name);
  }

  private writeBody(shard: IndexShard, r: WriteResult, forcedRefresh: boolean): Json {
    const body: Json = { _index: r._index, _id: r._id, _version: r._version, result: r.result };
    if (forcedRefresh) body.forced_refresh = true;
    body._shards = r.result === "noop" ? { total: 0, successful: 0, failed: 0 } : { total: 1 + replicasOf(shard), successful: 1, failed: 0 };
    body._seq_no = r._seq_no;
    body._primary_term = r._primary_term;
    return body;
  }

  /** Applies `refresh=true|wait_for` after a durable write; returns whether a refresh was forced. */
  private async afterWrite(shard: IndexShard, seqNo: number, refresh: RefreshPolicy | undefined): Promise<boolean> {
    if (refresh === "true") {
      shard.refresh(this.now(), "internal");
      return true;
    }
    if (refresh === "wait_for") return shard.waitForRefresh(seqNo, this.now());
    return false;
  }

  /** `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc`, `PUT /{index}/_create/{id}` */
  async indexDoc(index: string, id: string | undefined, source: Json, opts: WriteOptions & { refresh?: RefreshPolicy; requireAlias?: boolean }): Promise<Answer> {
    validateWriteOptions(opts, id);
    const shard = await this.writeTarget(index, opts.requireAlias);
    const docId = id ?? generateDocId(this.now());
    const r = shard.index(docId, source, id === undefined ? { ...opts, opType: "create" } : opts, this.now());
    await this.storage.commit();
    this.events.emit("ops-durable", shard.name);
    const forced = await this.afterWrite(shard, r._seq_no, opts.refresh);
    return { status: r.status, body: this.writeBody(shard, r, forced) };
  }

  /** `DELETE /{index}/_doc/{id}` */
  async deleteDoc(index: string, id: string, opts: WriteOptions & { refresh?: RefreshPolicy }): Promise<Answer> {
    validateWriteOptions(opts, id);
    const shard = this.writeTargetNoCreate(index);
    const r = shard.delete(id, opts, this.now());
    await this.storage.commit();
    this.events.emit("ops-durable", shard.name);
    const forced = await this.afterWrite(shard, r._seq_no, opts.refresh);
    return { status: r.status, body: this.writeBody(shard, r, forced) };
  }

  /** Deletes do not auto-create (ES 8 `TransportBulkAction`: a delete into a missing index is `index_not_found`). */
  private writeTargetNoCreate(index: string): IndexShard {
    const concrete = this.shards.get(index);
    if (concrete) return concrete;
    const aliased = [...this.shards.values()].filter((s) => index in s.meta.aliases);
    if (aliased.length === 1) return aliased[0]!;
    const w = aliased.filter((s) => s.meta.aliases[index]!.is_write_index === true);
    if (w.length === 1) return w[0]!;
    if (aliased.length > 1) throw errors.noWriteIndex(index);
    throw errors.indexNotFound(index);
  }

  /** `GET /{index}/_doc/{id}` (realtime by default) */
  getDoc(index: string, id: string, opts: { realtime?: boolean; source?: string; sourceIncludes?: string; sourceExcludes?: string }): Answer {
    const shard = this.readTarget(index);
    const doc = shard.get(id, opts.realtime ?? true);
    if (!doc) return { status: 404, body: { _index: shard.name, _id: id, found: false } };
    const body: Json = { _index: shard.name, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: doc.primaryTerm, found: true };
    const filter = parseSourceParam(opts.source, opts.sourceIncludes, opts.sourceExcludes);
    if (filter.enabled) body._source = filterSource(doc.source, filter.includes, filter.excludes);
    return { status: 200, body };
  }

  /** `GET /{index}/_source/{id}` */
  getSource(index: string, id: string, opts: { realtime?: boolean; source?: string; sourceIncludes?: string; sourceExcludes?: string }): Answer {
    const shard = this.readTarget(index);
    const doc = shard.get(id, opts.realtime ?? true);
    if (!doc) {
      throw new EsError("resource_not_found_exception", 404, `Document not found [${shard.name}]/[${id}]`);
    }
    const filter = parseSourceParam(opts.source, opts.sourceIncludes, opts.sourceExcludes);
    return { status: 200, body: filterSource(doc.source, filter.includes, filter.excludes) };
  }

  /** `POST /{index}/_update/{id}` with `doc`, `doc_as_upsert`, `upsert`, `detect_noop`. */
  async updateDoc(index: string, id: string, body: Json, opts: WriteOptions & { refresh?: RefreshPolicy; source?: string; requireAlias?: boolean }): Promise<Answer> {
    const shard = await this.writeTarget(index, opts.requireAlias);
    const r = this.updateOnShard(shard, id, body, opts);
    if (r.result !== "noop") {
      await this.storage.commit();
      this.events.emit("ops-durable", shard.name);
    }
    const forced = r.result === "noop" ? false : await this.afterWrite(shard, r._seq_no, opts.refresh);
    const out = this.writeBody(shard, r, forced);
    const wantSource = opts.source ?? (body._source === undefined ? undefined : String(body._source));
    if (wantSource !== undefined && wantSource !== "false") {
      const doc = shard.docs.get(id);
      if (doc && doc.source !== null) {
        const filter = parseSourceParam(wantSource, undefined, undefined);
        out.get = { _seq_no: doc.seqNo, _primary_term: doc.primaryTerm, found: true, _source: filterSource(doc.source, filter.includes, filter.excludes) };
      }
    }
    return { status: r.status, body: out };
  }

  private updateOnShard(shard: IndexShard, id: string, body: Json, opts: WriteOptions): WriteResult {
    for (const key of Object.keys(body)) {
      if (!["doc", "upsert", "doc_as_upsert", "detect_noop", "script", "scripted_upsert", "_source", "lang"].includes(key)) {
        throw errors.xContentParse(`[1:2] [UpdateRequest] unknown field [${key}]`);
      }
    }
    if (body.script !== undefined) throw errors.notSupported("scripted updates ([script] in _update)");
    const doc = body.doc as Json | undefined;
    if (doc === undefined && body.upsert === undefined) throw errors.validation(["script or doc is missing"]);
    if (doc !== undefined && (doc === null || typeof doc !== "object" || Array.isArray(doc))) throw errors.parse("[doc] must be an object");
    shard.checkWritable();
    const now = this.now();
    const existing = shard.docs.get(id);
    if (!existing || existing.source === null) {
      const upsertDoc = body.doc_as_upsert === true ? doc : (body.upsert as Json | undefined);
      if (!upsertDoc) throw errors.documentMissing(id, shard.name, shard.uuid);
      return shard.index(id, upsertDoc, { ...opts, opType: "create" }, now);
    }
    if (opts.ifSeqNo !== undefined && (existing.seqNo !== opts.ifSeqNo || existing.primaryTerm !== opts.ifPrimaryTerm)) {
      return shard.index(id, existing.source, opts, now); // raises ES's version conflict
    }
    const merged = doc ? mergeDoc(existing.source, doc) : existing.source;
    if (body.detect_noop !== false && deepEqual(merged, existing.source)) return shard.noop(id);
    return shard.index(id, merged, { ifSeqNo: opts.ifSeqNo, ifPrimaryTerm: opts.ifPrimaryTerm }, now);
  }

  /**
   * `POST /_bulk`: executes items in order, each answering its own result or error; one fsync for
   * the whole request; `errors` is true if any item failed (a `not_found` delete is not a failure).
   */
  async bulk(items: BulkItem[], opts: { refresh?: RefreshPolicy }): Promise<Json> {
    const started = this.now();
    const results: Json[] = [];
    const touched = new Map<IndexShard, number>();
    let anyError = false;
    for (const item of items) {
      const index = item.index ?? "";
      try {
        if (item.error) throw item.error;
        let shard: IndexShard;
        let r: WriteResult;
        const now = this.now();
        switch (item.action) {
          case "index":
          case "create": {
            validateWriteOptions(item.opts, item.id);
            shard = await this.writeTarget(index, item.opts.requireAlias);
            const id = item.id ?? generateDocId(now);
            const opType = item.action === "create" || item.id === undefined ? "create" : item.opts.opType;
            r = shard.index(id, item.source ?? {}, { ...item.opts, opType }, now);
            break;
          }
          case "delete":
            validateWriteOptions(item.opts, item.id);
            shard = this.writeTargetNoCreate(index);
            r = shard.delete(item.id!, item.opts, now);
            break;
          case "update":
            shard = await this.writeTarget(index, item.opts.requireAlias);
            r = this.updateOnShard(shard, item.id!, item.source ?? {}, item.opts);
            break;
          default: {
            const never: never = item.action;
            throw new Error(`unknown bulk action ${String(never)}`);
          }
        }
        if (r.result !== "noop") touched.set(shard, Math.max(touched.get(shard) ?? -1, r._seq_no));
        const body = this.writeBody(shard, r, false);
        body.status = r.status;
        results.push({ [item.action]: body });
      } catch (e) {
        const err = e instanceof EsError ? e : errors.illegalArgument(String((e as Error).message ?? e));
        anyError = true;
        const failed: Json = { _index: this.shards.get(index)?.name ?? index, _id: item.id ?? null, status: err.status, error: err.toJSON() };
        results.push({ [item.action]: failed });
      }
    }
    await this.storage.commit();
    for (const shard of touched.keys()) this.events.emit("ops-durable", shard.name);
    let forced = false;
    for (const [shard, seq] of touched) forced = (await this.afterWrite(shard, seq, opts.refresh)) || forced;
    if (forced) {
      for (const r of results) {
        const inner = Object.values(r)[0] as Json;
        if (inner.error === undefined && inner.result !== "noop") inner.forced_refresh = true;
      }
    }
    return { errors: anyError, took: Math.max(0, this.now() - started), items: results };
  }

  // ===========================================================================================
  // Search.

  /**
   * `GET|POST /{index}/_search`: resolves targets, runs the search library per index and merges,
   * wrapping it in ES's envelope (`took`, `timed_out`, `_shards`, `hits`).
   */
  search(expression: string | undefined, request: SearchRequest, opts: ExpressionOptions): Json {
    const started = this.now();
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
    const shards = indices.map((n) => this.shards.get(n)!).filter((s) => s.isOpen);
    const from = intParam(request.body.from ?? request.params.from, 0);
    const size = intParam(request.body.size ?? request.params.size, 10);
    for (const s of shards) {
      const window = parseIntSetting("index.max_result_window", s.setting("index.max_result_window"));
      if (from + size > window) {
        throw shardFailure(s, errors.illegalArgument(
          `Result window is too large, from + size must be less than or equal to: [${window}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
        ), this.nodeId);
      }
    }
    const wantsAggregations = request.body.aggs !== undefined || request.body.aggregations !== undefined;
    // Aggregations are computed per index by the search library; reducing them across indices
    // (re-ranking terms buckets, combining averages) is not implemented.
    if (wantsAggregations && shards.length !== 1) throw errors.notSupported(`aggregations over ${shards.length === 0 ? "no" : "more than one"} index (es-sim aggregates one index at a time)`);
    const now = this.now();
    for (const s of shards) s.beforeSearch(now);
    let hits: SearchHits;
    let aggregations: Json | undefined;
    if (shards.length === 1) {
      ({ hits, aggregations } = this.runShardSearch(shards[0]!, request));
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
      const parts = shards.map((s) => this.runShardSearch(s, widened).hits);
      hits = mergeHits(parts, request.body.sort ?? request.params.sort, from, size);
    }
    const count = Number(shards.reduce((n, s) => n + Number(s.setting("index.number_of_shards")), 0));
    return {
      took: Math.max(0, this.now() - started),
      timed_out: false,
      _shards: { total: count, successful: count, skipped: 0, failed: 0 },
      hits,
      ...(aggregations !== undefined ? { aggregations } : {}),
    };
  }

  private runShardSearch(shard: IndexShard, request: SearchRequest): { hits: SearchHits; aggregations?: Json } {
    try {
      return shard.searchResponse(request);
    } catch (e) {
      if (e instanceof EsError && (e.type === "query_shard_exception" || e.type === "search_context_exception")) throw shardFailure(shard, e, this.nodeId);
      throw e;
    }
  }

  /** `GET|POST /{index}/_count` */
  count(expression: string | undefined, request: SearchRequest, opts: ExpressionOptions): Json {
    const indices = this.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
    const shards = indices.map((n) => this.shards.get(n)!).filter((s) => s.isOpen);
    const now = this.now();
    let count = 0;
    for (const s of shards) {
      s.beforeSearch(now);
      try {
        count += s.count(request);
      } catch (e) {
        if (e instanceof EsError && e.type === "query_shard_exception") throw shardFailure(s, e, this.nodeId);
        throw e;
      }
    }
    const n = shards.reduce((a, s) => a + Number(s.setting("index.number_of_shards")), 0);
    return { count, _shards: { total: n, successful: n, skipped: 0, failed: 0 } };
  }
}

// =============================================================================================
// Helpers.

function replicasOf(s: IndexShard): number {
  const auto = indexSetting(s.meta.settings, "index.auto_expand_replicas");
  if (auto && auto !== "false") return 0; // auto-expand on one node resolves to its minimum, 0 for "0-…"
  return Number(s.setting("index.number_of_replicas"));
}

/** A rough on-disk size: ES reports Lucene segment bytes; we report the JSON size of live sources. */
function approximateStoreSize(s: IndexShard): number {
  return 225 + s.liveCount * 64 + s.history.length * 32;
}

/** Shard-stats rendering of retention leases (snake_case, as ES prints them). */
function leasesJson(l: { primaryTerm: number; version: number; leases: unknown[] }): Json {
  return { primary_term: l.primaryTerm, version: l.version, leases: l.leases };
}

function aliasesView(aliases: Record<string, AliasProps>): Json {
  const out: Json = {};
  for (const [a, p] of Object.entries(aliases).sort(([x], [y]) => x.localeCompare(y))) out[a] = { ...p };
  return out;
}

function validateAliasName(alias: string): void {
  try {
    validateIndexName(alias.toLowerCase());
  } catch (e) {
    if (e instanceof EsError) {
      throw new EsError("invalid_alias_name_exception", 400, e.reason.replace(/^Invalid index name \[[^\]]*\], /, `Invalid alias name [${alias}]: `), { index_uuid: "_na_", index: alias });
    }
    throw e;
  }
}

/** ES's request validation of id and concurrency parameters (`IndexRequest.validate`). */
function validateWriteOptions(opts: WriteOptions, id: string | undefined): void {
  const problems: string[] = [];
  if (id !== undefined && Buffer.byteLength(id, "utf8") > MAX_DOCUMENT_ID_BYTES) {
    problems.push(`id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id, "utf8")}`);
  }
  if (opts.ifSeqNo !== undefined && opts.ifPrimaryTerm === undefined) problems.push("ifSeqNo is set, but primary term is [0]");
  if (opts.ifSeqNo === undefined && opts.ifPrimaryTerm !== undefined) problems.push(`ifSeqNo is unassigned, but primary term is [${opts.ifPrimaryTerm}]`);
  if (opts.ifSeqNo !== undefined && opts.ifSeqNo < 0) problems.push(`sequence numbers must be non negative. got [${opts.ifSeqNo}].`);
  if ((opts.versionType === "external" || opts.versionType === "external_gte") && opts.version === undefined) {
    problems.push(`illegal version value [-3] for version type [${opts.versionType.toUpperCase()}]`);
  }
  if (opts.versionType === "external" && opts.opType === "create") problems.push("create operations only support internal versioning. use index instead");
  if (problems.length > 0) throw errors.validation(problems);
}

function intParam(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** Wraps a shard-level failure the way ES reports "all shards failed". */
function shardFailure(shard: IndexShard, cause: EsError, nodeId: string): EsError {
  return new EsError("search_phase_execution_exception", 400, "all shards failed", {
    phase: "query",
    grouped: true,
    failed_shards: [{ shard: 0, index: shard.name, node: nodeId, reason: cause.toJSON() }],
  }, cause);
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
