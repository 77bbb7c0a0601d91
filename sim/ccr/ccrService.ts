/**
 * Cross-cluster replication of one es-sim cluster: the follower-side APIs (follow, pause, resume,
 * unfollow, follow info and stats, forget follower), the shard-follow tasks, the remote-cluster
 * registry and the leader actions other clusters call.
 *
 * Follower state lives in the follower index's own metadata, so it is durable through the core's
 * storage and disappears with the index (ES's `ShardFollowTaskCleaner`):
 * - custom `ccr` — ES's keys: leader index uuid and name, remote cluster alias, history uuids;
 * - custom `es-sim_shard_follow_task` — the persistent task (its parameters) while following.
 * A restarted follower starts its task again from its durable checkpoint: no re-copy, no gap and
 * no duplicate, since replicated operations below the checkpoint are skipped by `_seq_no`.
 *
 * Lifecycle of a follower: bootstrapping (remote recovery) → active (task running) ⇄ paused
 * (no task); active may turn fatal (task kept, stopped, `fatal_exception`); closed + paused +
 * unfollow → a plain index. See docs/ccr.md.
 */
import { createIndexInternal, flush, openIndex } from "../engine/actions/indexAdmin";
import type { Cluster } from "../engine/cluster";
import { deepEqual } from "../engine/docUtils";
import { EsError, errors } from "../engine/errors";
import { simpleMatch, validateIndexName } from "../engine/names";
import { flattenSettings, normaliseIndexKey, validateIndexSettings, type SettingValue } from "../engine/settings";
import type { IndexSnapshot } from "../engine/storage";
import type { DocEntry, FlatSettings, Json, Operation } from "../engine/types";
import {
  ACTIONS,
  type ClusterStateResponse,
  type IndexView,
  type RestoreChunkResponse,
  type RestoreSessionPutResponse,
  type ShardChangesResponse,
} from "./actions";
import { AutoFollowService, type ClusterCustomStore, MemoryCustomStore } from "./autoFollow";
import { BodyReader } from "./bodyParser";
import { ccrErrors } from "./errors";
import { FOLLOWING_INDEX_SETTING, isKnownIndexSetting, NOT_COPIED, replicatedSettings, settingsToString } from "./followerSettings";
import {
  FOLLOW_PARAMETER_NAMES,
  followParameterProblems,
  readFollowParameters,
  resolveFollowParameters,
  withDefaults,
  type FollowParametersWire,
} from "./followParameters";
import { CCR_LEASE_SOURCE, LeaderService } from "./leader";
import { effectiveRemoteSettings, RemoteClusterService, type LinkFactory } from "./remoteClusters";
import { remoteClusterSettingDefs, validateRemoteSettings } from "./remoteSettings";
import { ShardFollowTask } from "./shardFollowTask";

/** Index custom-metadata key of ES's CCR metadata. */
export const CCR_CUSTOM_KEY = "ccr";
/** Index custom-metadata key of the persistent shard-follow task. */
export const TASK_CUSTOM_KEY = "es-sim_shard_follow_task";
/** ObjectParser names ES reports in body errors. */
const PUT_FOLLOW_PARSER = "indices:admin/xpack/ccr/put_follow";
const RESUME_FOLLOW_PARSER = "cluster:admin/xpack/ccr/resume_follow";
const FORGET_FOLLOWER_PARSER = "indices:admin/xpack/ccr/forget_follower";
/** Operations per restore page (ES copies files in `ccr.indices.recovery.chunk_size` chunks; es-sim pages operations). */
export const RESTORE_CHUNK_OPERATIONS = 5_000;
/** Restore pages in flight at once (ES `ccr.indices.recovery.max_concurrent_file_chunks`, default 5). */
export const RESTORE_CONCURRENT_CHUNKS = 5;
/** A shard-changes call may take `read_poll_timeout`; the transport waits this much longer for the answer. */
const READ_TIMEOUT_MARGIN_MS = 30_000;
/** Bound of any other call to a leader. */
const REMOTE_CALL_TIMEOUT_MS = 60_000;

/** ES's `ccr` custom metadata (all strings, as ES stores them). */
interface CcrCustom {
  leader_index_uuid: string;
  leader_index_name: string;
  remote_cluster_name: string;
  leader_index_shard_history_uuids: string;
}

/** The persistent task as stored in the follower's metadata. */
interface TaskCustom {
  parameters: Required<FollowParametersWire>;
}

interface RunningTask {
  uuid: string;
  task: ShardFollowTask;
  parameters: Required<FollowParametersWire>;
}

/** How to build the CCR service of a cluster. */
export interface CcrServiceOptions {
  cluster: Cluster;
  /** Opens links to remote clusters (the TCP transport in a process). */
  linkFactory: LinkFactory;
  /** Node settings (`-E`), the lowest layer of `cluster.remote.*`. */
  nodeSettings?: FlatSettings;
  /** Durable cluster-level metadata (auto-follow patterns); in-memory when absent. */
  customStore?: ClusterCustomStore;
  /** Diagnostics (stderr in the process). */
  log?: (line: string) => void;
}

/** `wait_for_active_shards` of PUT follow: absent and `index-setting` mean 0 (ES maps DEFAULT to NONE). */
export function parseActiveShardCount(value: string | undefined): number | "all" {
  if (value === undefined || value === "" || value === "index-setting") return 0;
  if (value === "all") return "all";
  if (!/^-?\d+$/.test(value)) throw ccrErrors.badActiveShardCount(value);
  const n = Number(value);
  if (n < 0) throw errors.illegalArgument("shard count cannot be a negative value");
  return n;
}

const services = new WeakMap<Cluster, CcrService>();

/** The CCR service attached to a cluster (HTTP handlers use this). */
export function ccrServiceOf(cluster: Cluster): CcrService {
  const s = services.get(cluster);
  if (!s) throw errors.notSupported("cross-cluster replication on this node (no CCR service attached)");
  return s;
}

/** CCR for one cluster. */
export class CcrService {
  readonly cluster: Cluster;
  readonly remotes: RemoteClusterService;
  readonly leader: LeaderService;
  readonly autoFollow: AutoFollowService;
  private readonly tasks = new Map<string, RunningTask>();
  private readonly bootstraps = new Map<string, Promise<boolean>>();
  private readonly nodeSettings: FlatSettings;
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(opts: CcrServiceOptions) {
    this.cluster = opts.cluster;
    this.nodeSettings = opts.nodeSettings ?? {};
    this.log = opts.log ?? (() => undefined);
    this.cluster.registerClusterSettings(remoteClusterSettingDefs(), validateRemoteSettings);
    // remotes from node settings are checked at start-up, as ES checks elasticsearch.yml
    validateRemoteSettings(effectiveRemoteSettings(this.nodeSettings, {}, {}), [], "persistent");
    this.remotes = new RemoteClusterService(opts.linkFactory);
    this.leader = new LeaderService(this.cluster);
    this.autoFollow = new AutoFollowService(this, opts.customStore ?? new MemoryCustomStore(), this.log);
    this.cluster.events.on("settings-changed", () => this.refreshRemotes());
    this.cluster.events.on("index-deleted", (name, uuid) => {
      const running = this.tasks.get(name);
      if (running && running.uuid === uuid) {
        running.task.stop();
        this.tasks.delete(name);
      }
    });
    services.set(this.cluster, this);
  }

  /** Connects to configured remotes, restarts persisted follow tasks, starts auto-follow. */
  start(): void {
    this.refreshRemotes();
    for (const name of this.cluster.indexNames()) {
      const shard = this.cluster.shard(name)!;
      if (shard.meta.custom[TASK_CUSTOM_KEY] && shard.meta.custom[CCR_CUSTOM_KEY]) this.startTask(name);
    }
    this.autoFollow.start();
  }

  /** Stops tasks, long-polls and connections. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.autoFollow.stop();
    for (const t of this.tasks.values()) t.task.stop();
    this.tasks.clear();
    this.leader.close();
    this.remotes.close();
  }

  private refreshRemotes(): void {
    this.remotes.update(effectiveRemoteSettings(this.nodeSettings, this.cluster.persistent, this.cluster.transient));
  }

  /** `GET /_remote/info` */
  remoteInfo(): Json {
    return this.remotes.info();
  }

  // ===========================================================================================
  // Talking to the leader.

  /**
   * Fetches a leader index's metadata (`CcrLicenseChecker`): unknown alias → 404; a remote that
   * cannot be asked → `status_exception` "license state … could not be determined" with the cause;
   * a missing leader → the leader's `index_not_found_exception`; a closed one → `index_closed_exception`.
   */
  async fetchLeaderIndex(alias: string, leaderIndex: string): Promise<IndexView> {
    if (!this.remotes.has(alias)) throw ccrErrors.noSuchRemoteCluster(alias);
    let state: ClusterStateResponse;
    try {
      state = (await this.remotes.call(alias, ACTIONS.clusterState, { indices: [leaderIndex] }, REMOTE_CALL_TIMEOUT_MS)) as unknown as ClusterStateResponse;
    } catch (e) {
      if (e instanceof EsError && isTransportLevel(e)) throw ccrErrors.remoteLicenseUnknown(alias, leaderIndex, e);
      throw e;
    }
    const view = state.indices[0];
    if (!view) throw errors.indexNotFound(leaderIndex);
    if (view.state !== "open") throw errors.indexClosed(view.name, view.uuid);
    return view;
  }

  /** The follower's retention-lease id on the leader (`CcrRetentionLeases.retentionLeaseId`). */
  leaseId(followerIndex: string, followerUuid: string, alias: string, leaderIndex: string, leaderUuid: string): string {
    return `${this.cluster.clusterName}/${followerIndex}/${followerUuid}-following-${alias}/${leaderIndex}/${leaderUuid}`;
  }

  // ===========================================================================================
  // PUT /{index}/_ccr/follow

  /**
   * `ccr.follow`. With `wait_for_active_shards` absent or 0 it answers once the follower index
   * exists and the remote recovery has started (`true, false, false`); with ≥ 1 it waits for the
   * recovery and the start of following (`true, true, true`; `true, false, false` if recovery failed).
   */
  async follow(follower: string, body: Json, bodyText: string | undefined, waitForActiveShards: string | undefined): Promise<Json> {
    const wfas = parseActiveShardCount(waitForActiveShards);
    const reader = new BodyReader(PUT_FOLLOW_PARSER, body, bodyText);
    reader.rejectUnknown(["remote_cluster", "leader_index", "settings", "data_stream_name", ...FOLLOW_PARAMETER_NAMES]);
    const remote = reader.string("remote_cluster");
    const leaderIndex = reader.string("leader_index");
    const dataStreamName = reader.string("data_stream_name");
    const settings = reader.object("settings") ?? {};
    const parameters = readFollowParameters(reader);
    const problems = followParameterProblems(parameters);
    if (remote === undefined) problems.push("remote_cluster is missing");
    if (leaderIndex === undefined) problems.push("leader_index is missing");
    if (dataStreamName !== undefined && dataStreamName.trim().length === 0) problems.push("data stream name must contain text if present");
    if (problems.length > 0) throw errors.validation(problems);
    if (dataStreamName !== undefined) throw errors.notSupported("[data_stream_name] of ccr.follow (data streams)");
    return this.followInternal({ follower, remote: remote!, leaderIndex: leaderIndex!, settings, parameters, wfas });
  }

  /** PUT follow after request parsing (also what auto-follow calls). */
  async followInternal(req: {
    follower: string;
    remote: string;
    leaderIndex: string;
    settings: Json;
    parameters: FollowParametersWire;
    wfas: number | "all";
  }): Promise<Json> {
    const leader = await this.fetchLeaderIndex(req.remote, req.leaderIndex);
    if (!leader.soft_deletes_enabled) throw ccrErrors.leaderWithoutSoftDeletes(leader.name);
    const userSettings = this.followerRequestSettings(req.settings);
    const existing = this.cluster.shard(req.follower);
    if (existing && existing.isOpen) throw ccrErrors.restoreOverOpenIndex(req.remote, req.follower);
    if (existing && (this.tasks.has(req.follower) || this.bootstraps.has(req.follower))) throw ccrErrors.followTaskExists(existing.uuid);
    if (!existing) validateIndexName(req.follower);
    const parameters = withDefaults(req.parameters);
    const ccr = (): CcrCustom => ({
      leader_index_uuid: leader.uuid,
      leader_index_name: leader.name,
      remote_cluster_name: req.remote,
      leader_index_shard_history_uuids: historyUuidOf(leader.uuid),
    });
    let uuid: string;
    if (existing) {
      // restore into the closed index: it takes the leader's metadata and keeps its identity
      const s = existing;
      const settings: FlatSettings = {};
      for (const k of ["index.uuid", "index.creation_date", "index.provided_name", "index.version.created"]) if (s.meta.settings[k] !== undefined) settings[k] = s.meta.settings[k]!;
      for (const [k, v] of Object.entries(leader.settings)) if (!NOT_COPIED.has(k)) settings[k] = v;
      for (const [k, v] of Object.entries(userSettings)) if (v !== null) settings[k] = v;
      settings[FOLLOWING_INDEX_SETTING] = "true";
      const custom: Record<string, Json> = { ...s.meta.custom, [CCR_CUSTOM_KEY]: ccr() as unknown as Json };
      delete custom[TASK_CUSTOM_KEY];
      s.updateMeta({
        ...s.meta,
        settings,
        mappings: leader.mappings,
        aliases: leader.aliases,
        custom,
        settingsVersion: s.meta.settingsVersion + 1,
        mappingVersion: s.meta.mappingVersion + 1,
        aliasesVersion: s.meta.aliasesVersion + 1,
      });
      await this.cluster.commit();
      uuid = s.uuid;
    } else {
      const settingsBody: Json = {};
      for (const [k, v] of Object.entries(leader.settings)) if (!NOT_COPIED.has(k)) settingsBody[k] = v;
      for (const [k, v] of Object.entries(userSettings)) if (v !== null) settingsBody[k] = v;
      const shard = await createIndexInternal(this.cluster, req.follower, settingsBody, leader.mappings, leader.aliases as Json, {
        [FOLLOWING_INDEX_SETTING]: "true",
      });
      uuid = shard.uuid;
      await this.cluster.setIndexMetaInternal(req.follower, { custom: { [CCR_CUSTOM_KEY]: ccr() as unknown as Json } });
    }
    const done = this.bootstrap(req.follower, uuid, req.remote, leader, parameters, existing !== undefined);
    this.bootstraps.set(req.follower, done);
    void done.finally(() => {
      if (this.bootstraps.get(req.follower) === done) this.bootstraps.delete(req.follower);
    });
    if (req.wfas === 0) return { follow_index_created: true, follow_index_shards_acked: false, index_following_started: false };
    const ok = await done;
    return { follow_index_created: true, follow_index_shards_acked: ok, index_following_started: ok };
  }

  /**
   * `settings` of PUT follow: only non-replicated settings may be given (`TransportPutFollowAction`);
   * values are validated like index creation.
   */
  private followerRequestSettings(raw: Json): Record<string, SettingValue> {
    const flat: Record<string, SettingValue> = {};
    for (const [k, v] of Object.entries(flattenSettings(raw))) flat[normaliseIndexKey(k)] = v;
    const nonNull: FlatSettings = {};
    for (const [k, v] of Object.entries(flat)) if (v !== null) nonNull[k] = v;
    const replicated = replicatedSettings(nonNull);
    if (Object.keys(replicated).length > 0) {
      const unknown = Object.keys(replicated).filter((k) => !isKnownIndexSetting(k));
      if (unknown.length > 0) throw ccrErrors.unknownFollowerSettings(unknown);
      throw ccrErrors.overrideLeaderSettings(replicated as Record<string, string>);
    }
    delete flat[FOLLOWING_INDEX_SETTING];
    validateIndexSettings(flat, "create");
    return flat;
  }

  /**
   * Remote recovery (ES's restore from the `_ccr_<alias>` repository): takes the lease, copies the
   * leader's retained history up to its global checkpoint, installs it as the follower shard's
   * content (documents, history, checkpoints), persists it, then starts following. Resolves false
   * when the recovery failed (the follower index stays, without a task, as a failed restore does).
   */
  private async bootstrap(
    follower: string,
    uuid: string,
    alias: string,
    leader: IndexView,
    parameters: Required<FollowParametersWire>,
    reopen: boolean,
  ): Promise<boolean> {
    try {
      const leaseId = this.leaseId(follower, uuid, alias, leader.name, leader.uuid);
      const session = (await this.remotes.call(
        alias,
        ACTIONS.restoreSessionPut,
        { index: leader.name, uuid: leader.uuid, lease_id: leaseId },
        REMOTE_CALL_TIMEOUT_MS,
      )) as unknown as RestoreSessionPutResponse;
      const gcp = session.global_checkpoint;
      // the leader's mappings, settings and aliases as of the copy come before its documents
      await this.applyLeaderMetadata(follower, uuid, session.index);
      let shard = this.requireFollowerShard(follower, uuid);
      // when the leader kept its whole history, a new follower replays it page by page as the pages
      // arrive (each operation logged like any replicated write); otherwise the retained history is
      // installed as the shard's content, checkpoint at the leader's, and persisted as a snapshot
      const replay = !reopen && shard.maxSeqNo === -1 && session.total_operations === gcp + 1;
      const collected: Operation[][] = [];
      try {
        await this.fetchRestorePages(alias, session, (ops) => {
          if (!replay) {
            collected.push(ops);
            return;
          }
          const s = this.requireFollowerShard(follower, uuid);
          const now = this.cluster.now();
          for (const op of ops) s.applyReplicated(op, now);
        });
      } finally {
        this.remotes.call(alias, ACTIONS.restoreSessionClear, { session_id: session.session_id }, REMOTE_CALL_TIMEOUT_MS).catch(() => undefined);
      }
      shard = this.requireFollowerShard(follower, uuid);
      if (replay) {
        if (shard.localCheckpoint !== gcp) throw new EsError("illegal_state_exception", 500, `restore of [${follower}] ended at checkpoint ${shard.localCheckpoint}, not ${gcp}`);
        await this.cluster.commit(follower);
      } else {
        shard.restore(restoredImage(shard.toSnapshot(), collected.flat(), gcp, this.cluster.now()));
        shard.reindexAllForSearch();
        if (reopen) await openIndex(this.cluster, follower, {});
        await flush(this.cluster, follower, {});
      }
      // a recovered shard opens a new searcher: the copy is searchable at once (made so by the next search)
      shard.refreshBeforeSearch();
      this.requireFollowerShard(follower, uuid);
      await this.cluster.setIndexMetaInternal(follower, { custom: { [TASK_CUSTOM_KEY]: { parameters } as unknown as Json } });
      if (this.closed) return false;
      this.startTask(follower);
      return true;
    } catch (e) {
      this.log(`[es-sim] [ccr] remote recovery of [${follower}] from [${alias}:${leader.name}] failed: ${e instanceof EsError ? e.message : String(e)}`);
      return false;
    }
  }

  /**
   * Pages through a restore session with `RESTORE_CONCURRENT_CHUNKS` requests in flight (the leader
   * encodes one page while we decode another) and hands the pages over in order.
   */
  private async fetchRestorePages(alias: string, session: RestoreSessionPutResponse, onPage: (ops: Operation[]) => void): Promise<void> {
    const pageCount = Math.ceil(session.total_operations / RESTORE_CHUNK_OPERATIONS);
    const arrived = new Map<number, Operation[]>();
    let next = 0;
    let delivered = 0;
    let received = 0;
    const worker = async () => {
      while (next < pageCount) {
        const page = next++;
        const chunk = (await this.remotes.call(
          alias,
          ACTIONS.restoreChunkGet,
          { session_id: session.session_id, offset: page * RESTORE_CHUNK_OPERATIONS, max_operations: RESTORE_CHUNK_OPERATIONS },
          REMOTE_CALL_TIMEOUT_MS,
        )) as unknown as RestoreChunkResponse;
        arrived.set(page, chunk.operations);
        while (arrived.has(delivered)) {
          const ops = arrived.get(delivered)!;
          arrived.delete(delivered++);
          received += ops.length;
          onPage(ops);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RESTORE_CONCURRENT_CHUNKS, pageCount) }, worker));
    if (received !== session.total_operations) {
      throw new EsError("illegal_state_exception", 500, `restore received ${received} of ${session.total_operations} operations`);
    }
  }

  private requireFollowerShard(name: string, uuid: string) {
    const shard = this.cluster.shard(name);
    if (!shard || shard.uuid !== uuid) throw errors.indexNotFound(name);
    return shard;
  }

  // ===========================================================================================
  // Tasks.

  /** Starts the shard-follow task of a follower from its durable checkpoint. */
  private startTask(follower: string): void {
    const shard = this.cluster.requireShard(follower);
    const ccr = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom;
    const stored = shard.meta.custom[TASK_CUSTOM_KEY] as unknown as TaskCustom;
    const uuid = shard.uuid;
    const alias = ccr.remote_cluster_name;
    const leaderRef = { index: ccr.leader_index_name, uuid: ccr.leader_index_uuid };
    const leaseId = this.leaseId(follower, uuid, alias, leaderRef.index, leaderRef.uuid);
    const task = new ShardFollowTask(
      { remoteCluster: alias, leaderIndex: leaderRef.index, followerIndex: follower, shardId: 0, parameters: resolveFollowParameters(stored.parameters) },
      {
        now: () => this.cluster.now(),
        schedule: (ms, fn) => {
          const t = setTimeout(fn, ms);
          t.unref();
          return () => clearTimeout(t);
        },
        readChanges: async (r) =>
          (await this.remotes.call(
            alias,
            ACTIONS.shardChanges,
            {
              ...leaderRef,
              from_seq_no: r.fromSeqNo,
              max_operation_count: r.maxOperationCount,
              max_batch_size_bytes: r.maxBatchSizeBytes,
              poll_timeout_ms: r.pollTimeoutMs,
              mapping_version: r.mappingVersion,
              settings_version: r.settingsVersion,
              aliases_version: r.aliasesVersion,
            },
            r.pollTimeoutMs + READ_TIMEOUT_MARGIN_MS,
          )) as unknown as ShardChangesResponse,
        write: (ops) => this.applyOperations(follower, uuid, ops),
        applyMetadata: (view) => this.applyLeaderMetadata(follower, uuid, view),
        renewLease: async (retaining) => {
          const body = { ...leaderRef, id: leaseId, retaining_seq_no: retaining, source: CCR_LEASE_SOURCE };
          try {
            await this.remotes.call(alias, ACTIONS.renewRetentionLease, body, REMOTE_CALL_TIMEOUT_MS);
          } catch (e) {
            if (!(e instanceof EsError) || e.type !== "retention_lease_not_found_exception") throw e;
            await this.remotes.call(alias, ACTIONS.addRetentionLease, body, REMOTE_CALL_TIMEOUT_MS);
          }
        },
      },
    );
    this.tasks.get(follower)?.task.stop();
    this.tasks.set(follower, { uuid, task, parameters: stored.parameters });
    task.start(shard.globalCheckpoint, shard.maxSeqNo);
  }

  /** The follower side of a bulk of replicated operations (`TransportBulkShardOperationsAction`). */
  private async applyOperations(name: string, uuid: string, ops: Operation[]): Promise<{ globalCheckpoint: number; maxSeqNo: number }> {
    const shard = this.requireFollowerShard(name, uuid);
    if (!shard.isOpen) throw errors.indexClosed(name, uuid);
    const now = this.cluster.now();
    for (const op of ops) shard.applyReplicated(op, now);
    const out = { globalCheckpoint: shard.globalCheckpoint, maxSeqNo: shard.maxSeqNo };
    await this.cluster.commit(name);
    return out;
  }

  /** Brings the leader's mappings, replicated settings and aliases to the follower (one metadata update). */
  private async applyLeaderMetadata(name: string, uuid: string, view: IndexView): Promise<void> {
    const shard = this.requireFollowerShard(name, uuid);
    const meta = shard.meta;
    const next = { ...meta };
    let changed = false;
    if (!deepEqual(meta.mappings, view.mappings)) {
      next.mappings = view.mappings;
      next.mappingVersion = meta.mappingVersion + 1;
      changed = true;
    }
    const settings: FlatSettings = {};
    for (const [k, v] of Object.entries(meta.settings)) if (!(k in replicatedSettings({ [k]: v }))) settings[k] = v;
    for (const [k, v] of Object.entries(replicatedSettings(view.settings))) settings[k] = v;
    if (!deepEqual(sortedObject(settings), sortedObject(meta.settings))) {
      next.settings = settings;
      next.settingsVersion = meta.settingsVersion + 1;
      changed = true;
    }
    if (!deepEqual(meta.aliases, view.aliases)) {
      next.aliases = view.aliases;
      next.aliasesVersion = meta.aliasesVersion + 1;
      changed = true;
    }
    if (!changed) return;
    shard.updateMeta(next);
    await this.cluster.commit();
  }

  // ===========================================================================================
  // pause / resume / unfollow

  /** `ccr.pause_follow`: removes the task (its parameters are forgotten; resume starts from defaults). */
  async pauseFollow(name: string): Promise<Json> {
    const shard = this.cluster.shard(name);
    if (!shard) throw errors.indexNotFound(name);
    if (!shard.meta.custom[CCR_CUSTOM_KEY]) throw ccrErrors.notAFollower(name);
    const running = this.tasks.get(name);
    if (!running && !shard.meta.custom[TASK_CUSTOM_KEY]) throw ccrErrors.noShardFollowTasksFor(name);
    running?.task.stop();
    this.tasks.delete(name);
    await this.cluster.setIndexMetaInternal(name, { custom: { [TASK_CUSTOM_KEY]: null } });
    return { acknowledged: true };
  }

  /** `ccr.resume_follow`: validates leader and follower like ES, then starts a task with the given parameters (others default). */
  async resumeFollow(name: string, body: Json, bodyText: string | undefined): Promise<Json> {
    const reader = new BodyReader(RESUME_FOLLOW_PARSER, body, bodyText);
    reader.rejectUnknown(FOLLOW_PARAMETER_NAMES);
    const parameters = readFollowParameters(reader);
    const problems = followParameterProblems(parameters);
    if (problems.length > 0) throw errors.validation(problems);
    const shard = this.cluster.shard(name);
    if (!shard) throw errors.indexNotFound(name);
    const ccr = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom | undefined;
    if (!ccr) throw ccrErrors.noCcrMetadata(name);
    const leader = await this.fetchLeaderIndex(ccr.remote_cluster_name, ccr.leader_index_name);
    if (leader.uuid !== ccr.leader_index_uuid) throw ccrErrors.leaderUuidMismatch(name, leader.uuid, ccr.leader_index_uuid);
    if (!leader.soft_deletes_enabled) throw ccrErrors.leaderWithoutSoftDeletes(leader.name);
    if (shard.setting("index.soft_deletes.enabled") === "false") throw ccrErrors.followerWithoutSoftDeletes(name);
    const followerShards = Number(shard.setting("index.number_of_shards"));
    if (leader.number_of_shards !== followerShards) throw ccrErrors.shardCountMismatch(leader.number_of_shards, followerShards);
    if (leader.state !== "open" || !shard.isOpen) throw ccrErrors.leaderAndFollowMustBeOpen();
    if (shard.meta.settings[FOLLOWING_INDEX_SETTING] !== "true") throw ccrErrors.notReadyToFollow(name);
    const l = replicatedSettings(leader.settings);
    const f = replicatedSettings(shard.meta.settings);
    if (!deepEqual(l, f)) throw ccrErrors.settingsMustBeIdentical(settingsToString(l), settingsToString(f));
    if (this.tasks.has(name)) throw ccrErrors.followTaskExists(shard.uuid);
    await this.cluster.setIndexMetaInternal(name, { custom: { [TASK_CUSTOM_KEY]: { parameters: withDefaults(parameters) } as unknown as Json } });
    this.startTask(name);
    return { acknowledged: true };
  }

  /**
   * `ccr.unfollow`: closed and paused followers only. Turns the index into a plain one (removes
   * `index.xpack.ccr.following_index` and the `ccr` metadata), then removes the follower's lease on
   * the leader. As in ES the conversion stands even when the lease cannot be removed (leader down):
   * the call then fails with `failed_to_remove_retention_leases` naming the lease.
   */
  async unfollow(name: string): Promise<Json> {
    const shard = this.cluster.shard(name);
    if (!shard) throw errors.indexNotFound(name);
    const ccr = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom | undefined;
    if (!ccr) throw ccrErrors.notAFollower(name);
    if (shard.isOpen) throw ccrErrors.unfollowNotClosed(name);
    if (this.tasks.has(name) || shard.meta.custom[TASK_CUSTOM_KEY]) throw ccrErrors.unfollowNotPaused(name);
    await this.cluster.setIndexMetaInternal(name, {
      settings: { [FOLLOWING_INDEX_SETTING]: null },
      custom: { [CCR_CUSTOM_KEY]: null, [TASK_CUSTOM_KEY]: null },
    });
    const leaseId = this.leaseId(name, shard.uuid, ccr.remote_cluster_name, ccr.leader_index_name, ccr.leader_index_uuid);
    try {
      await this.remotes.call(
        ccr.remote_cluster_name,
        ACTIONS.removeRetentionLease,
        { index: ccr.leader_index_name, uuid: ccr.leader_index_uuid, id: leaseId },
        REMOTE_CALL_TIMEOUT_MS,
      );
    } catch (e) {
      const err = e instanceof EsError ? e : new EsError("exception", 500, String(e));
      if (err.type !== "retention_lease_not_found_exception") throw ccrErrors.leaseRemovalFailed(leaseId, err);
    }
    return { acknowledged: true };
  }

  // ===========================================================================================
  // info and stats

  /** `ccr.follow_info`: followers among the resolved indices (open and closed); others are skipped. */
  followInfo(expression: string | undefined): Json {
    const names = this.cluster.resolve(expression ?? "_all", { expandWildcards: ["open", "closed"] });
    const out: Json[] = [];
    for (const name of names) {
      const shard = this.cluster.shard(name)!;
      const ccr = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom | undefined;
      if (!ccr) continue;
      const running = this.tasks.get(name);
      const entry: Json = {
        follower_index: name,
        remote_cluster: ccr.remote_cluster_name,
        leader_index: ccr.leader_index_name,
        status: running ? "active" : "paused",
      };
      if (running) entry.parameters = { ...running.parameters };
      out.push(entry);
    }
    return { follower_indices: out };
  }

  /** `ccr.follow_stats`: per follower with a task (fatal included), sorted by name. */
  followStats(expression: string | undefined, human = false): Json {
    const patterns = expression === undefined ? [] : expression.split(",").map((p) => p.trim()).filter(Boolean);
    const all = patterns.length === 0 || patterns.some((p) => p === "_all" || p === "*");
    const names = [...this.tasks.keys()].filter((n) => all || patterns.some((p) => simpleMatch(p, n))).sort();
    if (!all && names.length === 0) throw ccrErrors.noFollowTasksForIndices(patterns);
    return {
      indices: names.map((name) => {
        const { task } = this.tasks.get(name)!;
        return { index: name, total_global_checkpoint_lag: task.globalCheckpointLag, shards: [task.status(human)] };
      }),
    };
  }

  /** `ccr.stats` */
  stats(human = false): Json {
    return { auto_follow_stats: this.autoFollow.stats(), follow_stats: this.followStats(undefined, human) };
  }

  /** The running task of a follower (benchmarks, tests). */
  taskOf(name: string): ShardFollowTask | undefined {
    return this.tasks.get(name)?.task;
  }

  // ===========================================================================================
  // forget follower (leader side)

  /** `ccr.forget_follower`: removes a follower's lease from the leader index; does not stop the follower. */
  async forgetFollower(leaderIndex: string, body: Json, bodyText: string | undefined): Promise<Json> {
    const reader = new BodyReader(FORGET_FOLLOWER_PARSER, body, bodyText);
    const fields = ["follower_cluster", "follower_index", "follower_index_uuid", "leader_remote_cluster"] as const;
    reader.rejectUnknown(fields);
    const values: Record<string, string> = {};
    for (const f of fields) {
      const v = reader.string(f);
      // ES dereferences the four fields without a check: a missing one is a NullPointerException
      if (v === undefined) throw new EsError("null_pointer_exception", 500, `Cannot invoke "String.length()" because [${f}] is null`);
      values[f] = v;
    }
    const shard = this.cluster.shard(leaderIndex);
    if (!shard) throw errors.indexNotFound(leaderIndex);
    if (!shard.isOpen) throw errors.indexClosed(shard.name, shard.uuid);
    const id = `${values.follower_cluster}/${values.follower_index}/${values.follower_index_uuid}-following-${values.leader_remote_cluster}/${shard.name}/${shard.uuid}`;
    try {
      shard.removeRetentionLease(id);
      await this.cluster.commit();
      return { _shards: { total: 1, successful: 1, failed: 0 } };
    } catch (e) {
      if (!(e instanceof EsError)) throw e;
      return {
        _shards: {
          total: 1,
          successful: 0,
          failed: 1,
          failures: [{ shard: 0, index: shard.name, status: statusName(e.status), reason: e.toJSON() }],
        },
      };
    }
  }
}

/** Exceptions that mean "the remote could not be asked" rather than "the remote said no". */
function isTransportLevel(e: EsError): boolean {
  return [
    "no_seed_node_left_exception",
    "node_disconnected_exception",
    "receive_timeout_transport_exception",
    "already_closed_exception",
    "connect_transport_exception",
  ].includes(e.type);
}

/** ES records one history uuid per leader shard; es-sim derives it from the leader index uuid. */
function historyUuidOf(leaderUuid: string): string {
  return leaderUuid;
}

function statusName(status: number): string {
  const names: Record<number, string> = { 400: "BAD_REQUEST", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 500: "INTERNAL_SERVER_ERROR" };
  return names[status] ?? String(status);
}

function sortedObject(o: FlatSettings): FlatSettings {
  const out: FlatSettings = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}

/**
 * The follower shard's content after a remote recovery: the leader's retained history up to the
 * global checkpoint, the version map rebuilt from it, and both checkpoints at that global
 * checkpoint (as a file-based recovery leaves a shard). Its own metadata and leases are kept.
 */
function restoredImage(current: IndexSnapshot, operations: Operation[], globalCheckpoint: number, now: number): IndexSnapshot {
  const docs = new Map<string, DocEntry>();
  for (const op of operations) {
    const entry: DocEntry = { seqNo: op.seqNo, primaryTerm: op.primaryTerm, version: op.version, source: op.source };
    if (op.source === null) entry.deletedAt = now;
    docs.set(op.id, entry);
  }
  return {
    meta: current.meta,
    leases: current.leases,
    maxSeqNo: globalCheckpoint,
    localCheckpoint: globalCheckpoint,
    processedAbove: [],
    docs: [...docs.entries()],
    history: operations,
  };
}

