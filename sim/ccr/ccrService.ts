/**
 * Cross-cluster replication of one es-sim cluster: the service that owns the shard-follow tasks
 * (ES's persistent-task executor `ShardFollowTasksExecutor`), the remote-cluster registry, the
 * leader actions other clusters call and the auto-follow coordinator. The follower-side APIs live
 * beside it, one module per action family, each taking this service as its first argument:
 * `putFollow.ts` (PUT follow and remote recovery), `followLifecycle.ts` (pause, resume, unfollow),
 * `followStats.ts` (follow info and stats), `forgetFollower.ts`; `followerIndex.ts` holds the
 * follower's durable CCR metadata and the writes its task makes.
 *
 * A restarted follower starts its task again from its durable checkpoint: no re-copy, no gap and
 * no duplicate, since replicated operations below the checkpoint are skipped by `_seq_no`.
 * Lifecycle of a follower: bootstrapping (remote recovery) → active (task running) ⇄ paused
 * (no task); active may turn fatal (task kept, stopped, `fatal_exception`); closed + paused +
 * unfollow → a plain index. See docs/ccr.md.
 */
import type { Cluster } from "../engine/cluster";
import { EsError, errors } from "../engine/errors";
import type { FlatSettings, Json } from "../engine/types";
import { ACTIONS, type ClusterStateResponse, type IndexView, type ShardChangesResponse } from "./actions";
import { AutoFollowService, type ClusterCustomStore, MemoryCustomStore } from "./autoFollow";
import { ccrErrors } from "./errors";
import {
  applyLeaderMetadata,
  applyOperations,
  CCR_CUSTOM_KEY,
  REMOTE_CALL_TIMEOUT_MS,
  TASK_CUSTOM_KEY,
  type CcrCustom,
  type TaskCustom,
} from "./followerIndex";
import { resolveFollowParameters, type FollowParametersWire } from "./followParameters";
import { CCR_LEASE_SOURCE, LeaderService } from "./leader";
import { effectiveRemoteSettings, RemoteClusterService, type LinkFactory } from "./remoteClusters";
import { remoteClusterSettingDefs, validateRemoteSettings } from "./remoteSettings";
import { ShardFollowTask } from "./shardFollowTask";

/** A follower's running shard-follow task. */
export interface RunningTask {
  /** The follower index's uuid when the task started (a re-created index is another follower). */
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

/** CCR for one cluster. */
export class CcrService {
  readonly cluster: Cluster;
  readonly remotes: RemoteClusterService;
  readonly leader: LeaderService;
  readonly autoFollow: AutoFollowService;
  private readonly tasks = new Map<string, RunningTask>();
  private readonly bootstraps = new Map<string, Promise<boolean>>();
  private readonly nodeSettings: FlatSettings;
  /** Diagnostics (stderr in the process). */
  readonly log: (line: string) => void;
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

  /** Whether `close()` was called (a recovery finishing later does not start its task). */
  get isClosed(): boolean {
    return this.closed;
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
      state = (await this.remotes.call(
        alias,
        ACTIONS.clusterState,
        { indices: [leaderIndex] },
        REMOTE_CALL_TIMEOUT_MS,
      )) as unknown as ClusterStateResponse;
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
  // Tasks.

  /** Starts the shard-follow task of a follower from its durable checkpoint. */
  startTask(follower: string): void {
    const shard = this.cluster.requireShard(follower);
    const ccrMeta = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom;
    const stored = shard.meta.custom[TASK_CUSTOM_KEY] as unknown as TaskCustom;
    const uuid = shard.uuid;
    const alias = ccrMeta.remote_cluster_name;
    const leaderRef = { index: ccrMeta.leader_index_name, uuid: ccrMeta.leader_index_uuid };
    const leaseId = this.leaseId(follower, uuid, alias, leaderRef.index, leaderRef.uuid);
    const task = new ShardFollowTask(
      {
        remoteCluster: alias,
        leaderIndex: leaderRef.index,
        followerIndex: follower,
        shardId: 0,
        parameters: resolveFollowParameters(stored.parameters),
      },
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
            // no receive timeout: ShardFollowTasksExecutor sends shard changes with the transport's
            // default options, so a leader that stops answering (a stalled process, a long GC) holds
            // the read open until it answers or the connection drops (node_disconnected_exception,
            // retried). A timeout would end in receive_timeout_transport_exception, which
            // ShardFollowNodeTask.shouldRetry does not retry: the follower would stop for good.
            undefined,
          )) as unknown as ShardChangesResponse,
        write: (ops) => applyOperations(this.cluster, follower, uuid, ops),
        applyMetadata: (view) => applyLeaderMetadata(this.cluster, follower, uuid, view),
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

  /** The running task of a follower, or undefined (paused, bootstrapping, or not a follower). */
  runningTask(follower: string): RunningTask | undefined {
    return this.tasks.get(follower);
  }

  /** Followers with a running task (fatal ones included), in start order. */
  runningTaskNames(): string[] {
    return [...this.tasks.keys()];
  }

  /** Stops and forgets a follower's task, if it has one. */
  stopTask(follower: string): void {
    this.tasks.get(follower)?.task.stop();
    this.tasks.delete(follower);
  }

  /** Whether a remote recovery into `follower` is under way. */
  isBootstrapping(follower: string): boolean {
    return this.bootstraps.has(follower);
  }

  /** Records a remote recovery into `follower` until it settles. */
  trackBootstrap(follower: string, done: Promise<boolean>): void {
    this.bootstraps.set(follower, done);
    void done.finally(() => {
      if (this.bootstraps.get(follower) === done) this.bootstraps.delete(follower);
    });
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
