/**
 * `PUT /{index}/_ccr/follow` (`TransportPutFollowAction`) and the remote recovery that follows it
 * (ES's restore from the `_ccr_<alias>` repository): the follower index is created (or a closed
 * index restored into) with the leader's metadata, its content is copied from the leader's
 * retained history, then its shard-follow task starts.
 */
import { createIndexInternal, flush, openIndex } from "../engine/actions/indexAdmin";
import type { Cluster } from "../engine/cluster";
import { dataStreams, saveDataStreams, type StoredDataStream } from "../engine/dataStreams";
import { EsError, errors } from "../engine/errors";
import { validateIndexName } from "../engine/names";
import { flattenSettings, normaliseIndexKey, validateIndexSettings, type SettingValue } from "../engine/settings";
import type { IndexSnapshot } from "../engine/storage";
import type { DocEntry, FlatSettings, Json, Operation } from "../engine/types";
import { ACTIONS, type DataStreamView, type IndexView, type RestoreChunkResponse, type RestoreSessionPutResponse } from "./actions";
import { BodyReader } from "./bodyParser";
import type { CcrService } from "./ccrService";
import { ccrErrors } from "./errors";
import {
  applyLeaderMetadata,
  CCR_CUSTOM_KEY,
  REMOTE_CALL_TIMEOUT_MS,
  requireFollowerShard,
  TASK_CUSTOM_KEY,
  type CcrCustom,
} from "./followerIndex";
import { FOLLOWING_INDEX_SETTING, isKnownIndexSetting, NOT_COPIED, replicatedSettings } from "./followerSettings";
import {
  FOLLOW_PARAMETER_NAMES,
  followParameterProblems,
  readFollowParameters,
  withDefaults,
  type FollowParametersWire,
} from "./followParameters";

/** ObjectParser name ES reports in body errors. */
const PUT_FOLLOW_PARSER = "indices:admin/xpack/ccr/put_follow";
/** Operations per restore page (ES copies files in `ccr.indices.recovery.chunk_size` chunks; es-sim pages operations). */
export const RESTORE_CHUNK_OPERATIONS = 5_000;
/** Restore pages in flight at once (ES `ccr.indices.recovery.max_concurrent_file_chunks`, default 5). */
export const RESTORE_CONCURRENT_CHUNKS = 5;

/** `wait_for_active_shards` of PUT follow: absent and `index-setting` mean 0 (ES maps DEFAULT to NONE). */
export function parseActiveShardCount(value: string | undefined): number | "all" {
  if (value === undefined || value === "" || value === "index-setting") return 0;
  if (value === "all") return "all";
  if (!/^-?\d+$/.test(value)) throw ccrErrors.badActiveShardCount(value);
  const n = Number(value);
  if (n < 0) throw errors.illegalArgument("shard count cannot be a negative value");
  return n;
}

/**
 * `ccr.follow`. With `wait_for_active_shards` absent or 0 it answers once the follower index
 * exists and the remote recovery has started (`true, false, false`); with ≥ 1 it waits for the
 * recovery and the start of following (`true, true, true`; `true, false, false` if recovery failed).
 */
export async function putFollow(
  ccr: CcrService,
  follower: string,
  body: Json,
  bodyText: string | undefined,
  waitForActiveShards: string | undefined,
): Promise<Json> {
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
  return followInternal(ccr, { follower, remote: remote!, leaderIndex: leaderIndex!, settings, parameters, wfas, dataStreamName });
}

/** PUT follow after request parsing (also what auto-follow calls). */
export async function followInternal(
  ccr: CcrService,
  req: {
    follower: string;
    remote: string;
    leaderIndex: string;
    settings: Json;
    parameters: FollowParametersWire;
    wfas: number | "all";
    /** The local data stream a followed backing index joins (`data_stream_name`); the leader's stream name when absent. */
    dataStreamName?: string | undefined;
  },
): Promise<Json> {
  const leader = await ccr.fetchLeaderIndex(req.remote, req.leaderIndex);
  if (!leader.soft_deletes_enabled) throw ccrErrors.leaderWithoutSoftDeletes(leader.name);
  const userSettings = followerRequestSettings(req.settings);
  // TransportPutFollowAction: a backing index keeps its name unless the stream is renamed
  if (leader.data_stream && req.dataStreamName === undefined && req.follower !== req.leaderIndex) {
    throw errors.illegalArgument("a backing index name in the local and remote cluster must remain the same");
  }
  const localStream = leader.data_stream ? (req.dataStreamName ?? leader.data_stream.name) : undefined;
  // TransportPutFollowAction restores the follower through RestoreService, whose cluster-state
  // update checks the name and creates (or takes over) the index in one step: of concurrent follows
  // of one name, one creates the follower and the others find it (open, or being restored)
  const { done } = await ccr.cluster.updateMetadata(async () => {
    const existing = ccr.cluster.shard(req.follower);
    if (existing && existing.isOpen) throw ccrErrors.restoreOverOpenIndex(req.remote, req.follower);
    if (existing && (ccr.runningTask(req.follower) || ccr.isBootstrapping(req.follower))) throw ccrErrors.followTaskExists(existing.uuid);
    if (!existing) validateIndexName(req.follower);
    if (localStream !== undefined) checkLocalStreamReplicated(ccr.cluster, localStream, req.follower);
    const parameters = withDefaults(req.parameters);
    const ccrMeta = (): CcrCustom => ({
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
      for (const k of ["index.uuid", "index.creation_date", "index.provided_name", "index.version.created"])
        if (s.meta.settings[k] !== undefined) settings[k] = s.meta.settings[k]!;
      for (const [k, v] of Object.entries(leader.settings)) if (!NOT_COPIED.has(k)) settings[k] = v;
      for (const [k, v] of Object.entries(userSettings)) if (v !== null) settings[k] = v;
      settings[FOLLOWING_INDEX_SETTING] = "true";
      const custom: Record<string, Json> = { ...s.meta.custom, [CCR_CUSTOM_KEY]: ccrMeta() as unknown as Json };
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
      await ccr.cluster.commit();
      uuid = s.uuid;
    } else {
      const settingsBody: Json = {};
      for (const [k, v] of Object.entries(leader.settings)) if (!NOT_COPIED.has(k)) settingsBody[k] = v;
      for (const [k, v] of Object.entries(userSettings)) if (v !== null) settingsBody[k] = v;
      const shard = await createIndexInternal(ccr.cluster, req.follower, settingsBody, leader.mappings, leader.aliases as Json, {
        [FOLLOWING_INDEX_SETTING]: "true",
      });
      uuid = shard.uuid;
      await ccr.cluster.setIndexMetaInternal(req.follower, { custom: { [CCR_CUSTOM_KEY]: ccrMeta() as unknown as Json } });
    }
    if (localStream !== undefined) await joinLocalDataStream(ccr.cluster, localStream, req.follower, uuid, leader.data_stream!);
    const done = remoteRecovery(ccr, req.follower, uuid, req.remote, leader, parameters, existing !== undefined);
    ccr.trackBootstrap(req.follower, done);
    return { done };
  });
  if (req.wfas === 0) return { follow_index_created: true, follow_index_shards_acked: false, index_following_started: false };
  const ok = await done;
  return { follow_index_created: true, follow_index_shards_acked: ok, index_following_started: ok };
}

/** `updateLocalDataStream`: a local stream the follower would join must still be replicated. */
function checkLocalStreamReplicated(cluster: Cluster, stream: string, follower: string): void {
  const local = dataStreams(cluster)[stream];
  if (local && !local.replicated) {
    throw errors.illegalArgument(
      `cannot follow backing index [${follower}], because local data stream [${stream}] is no longer marked as replicated`,
    );
  }
}

/**
 * `TransportPutFollowAction.updateLocalDataStream`, in the same metadata update that created the
 * follower: a new local stream copies the leader's (generation, metadata, hidden) and is
 * `replicated`; an existing one gains the index, the backing indices sorted by name so the newest
 * generation stays the write index.
 */
async function joinLocalDataStream(
  cluster: Cluster,
  stream: string,
  follower: string,
  uuid: string,
  remote: DataStreamView,
): Promise<void> {
  const streams = dataStreams(cluster);
  const local = streams[stream];
  const index = { index_name: follower, index_uuid: uuid };
  let next: StoredDataStream;
  if (!local) {
    next = {
      name: stream,
      indices: [index],
      generation: remote.generation,
      hidden: remote.hidden,
      replicated: true,
      allow_custom_routing: false,
    };
    if (remote._meta !== undefined) next._meta = remote._meta;
  } else {
    const indices = local.indices.some((i) => i.index_name === follower)
      ? local.indices.map((i) => (i.index_name === follower ? index : i))
      : [...local.indices, index].sort((a, b) => (a.index_name < b.index_name ? -1 : a.index_name > b.index_name ? 1 : 0));
    next = { ...local, indices, generation: remote.generation };
    if (remote._meta !== undefined) next._meta = remote._meta;
  }
  await saveDataStreams(cluster, { ...streams, [stream]: next });
}

/**
 * `settings` of PUT follow: only non-replicated settings may be given (`TransportPutFollowAction`);
 * values are validated like index creation.
 */
function followerRequestSettings(raw: Json): Record<string, SettingValue> {
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
async function remoteRecovery(
  ccr: CcrService,
  follower: string,
  uuid: string,
  alias: string,
  leader: IndexView,
  parameters: Required<FollowParametersWire>,
  reopen: boolean,
): Promise<boolean> {
  try {
    const leaseId = ccr.leaseId(follower, uuid, alias, leader.name, leader.uuid);
    const session = (await ccr.remotes.call(
      alias,
      ACTIONS.restoreSessionPut,
      { index: leader.name, uuid: leader.uuid, lease_id: leaseId },
      REMOTE_CALL_TIMEOUT_MS,
    )) as unknown as RestoreSessionPutResponse;
    const gcp = session.global_checkpoint;
    // the leader's mappings, settings and aliases as of the copy come before its documents
    await applyLeaderMetadata(ccr.cluster, follower, uuid, session.index);
    let shard = requireFollowerShard(ccr.cluster, follower, uuid);
    // when the leader kept its whole history, a new follower replays it page by page as the pages
    // arrive (each operation logged like any replicated write); otherwise the retained history is
    // installed as the shard's content, checkpoint at the leader's, and persisted as a snapshot
    const replay = !reopen && shard.maxSeqNo === -1 && session.total_operations === gcp + 1;
    const collected: Operation[][] = [];
    try {
      await fetchRestorePages(ccr, alias, session, async (ops) => {
        if (!replay) {
          collected.push(ops);
          return;
        }
        // a page is thousands of operations: applied in slices, as ES's recovery runs on its own
        // threads while the node answers other requests (the index is looked up again after a pause)
        let s = requireFollowerShard(ccr.cluster, follower, uuid);
        const now = ccr.cluster.now();
        let sliceUsed = ccr.cluster.slicer.slice();
        for (const op of ops) {
          if (sliceUsed()) {
            await ccr.cluster.slicer.pause();
            s = requireFollowerShard(ccr.cluster, follower, uuid);
            sliceUsed = ccr.cluster.slicer.slice();
          }
          s.applyReplicated(op, now);
        }
      });
    } finally {
      ccr.remotes
        .call(alias, ACTIONS.restoreSessionClear, { session_id: session.session_id }, REMOTE_CALL_TIMEOUT_MS)
        .catch(() => undefined);
    }
    shard = requireFollowerShard(ccr.cluster, follower, uuid);
    if (replay) {
      if (shard.localCheckpoint !== gcp)
        throw new EsError(
          "illegal_state_exception",
          500,
          `restore of [${follower}] ended at checkpoint ${shard.localCheckpoint}, not ${gcp}`,
        );
      await ccr.cluster.commit(follower);
    } else {
      shard.restore(restoredImage(shard.toSnapshot(), collected.flat(), gcp, ccr.cluster.now()));
      shard.reindexAllForSearch();
      if (reopen) await openIndex(ccr.cluster, follower, {});
      await flush(ccr.cluster, follower, {});
    }
    // a recovered shard opens a new searcher: the copy is searchable at once (made so by the next search)
    shard.refreshBeforeSearch();
    requireFollowerShard(ccr.cluster, follower, uuid);
    await ccr.cluster.setIndexMetaInternal(follower, { custom: { [TASK_CUSTOM_KEY]: { parameters } as unknown as Json } });
    if (ccr.isClosed) return false;
    ccr.startTask(follower);
    return true;
  } catch (e) {
    ccr.log(
      `[es-sim] [ccr] remote recovery of [${follower}] from [${alias}:${leader.name}] failed: ${e instanceof EsError ? e.message : String(e)}`,
    );
    return false;
  }
}

/**
 * Pages through a restore session with `RESTORE_CONCURRENT_CHUNKS` requests in flight (the leader
 * encodes one page while we decode another) and hands the pages over in order, one at a time (a
 * page's handling may pause; the next waits for it).
 */
async function fetchRestorePages(
  ccr: CcrService,
  alias: string,
  session: RestoreSessionPutResponse,
  onPage: (ops: Operation[]) => void | Promise<void>,
): Promise<void> {
  const pageCount = Math.ceil(session.total_operations / RESTORE_CHUNK_OPERATIONS);
  const arrived = new Map<number, Operation[]>();
  let next = 0;
  let delivered = 0;
  let received = 0;
  let delivering: Promise<void> = Promise.resolve();
  const deliver = (): Promise<void> =>
    (delivering = delivering.then(async () => {
      while (arrived.has(delivered)) {
        const ops = arrived.get(delivered)!;
        arrived.delete(delivered++);
        received += ops.length;
        await onPage(ops);
      }
    }));
  const worker = async () => {
    while (next < pageCount) {
      const page = next++;
      const chunk = (await ccr.remotes.call(
        alias,
        ACTIONS.restoreChunkGet,
        { session_id: session.session_id, offset: page * RESTORE_CHUNK_OPERATIONS, max_operations: RESTORE_CHUNK_OPERATIONS },
        REMOTE_CALL_TIMEOUT_MS,
      )) as unknown as RestoreChunkResponse;
      arrived.set(page, chunk.operations);
      const handed = deliver();
      // fetch on while pages are applied, but not far ahead of them
      if (arrived.size > RESTORE_CONCURRENT_CHUNKS) await handed;
      else handed.catch(() => undefined); // a failure is seen by the wait below
    }
  };
  await Promise.all(Array.from({ length: Math.min(RESTORE_CONCURRENT_CHUNKS, pageCount) }, worker));
  await delivering;
  if (received !== session.total_operations) {
    throw new EsError("illegal_state_exception", 500, `restore received ${received} of ${session.total_operations} operations`);
  }
}

/** ES records one history uuid per leader shard; es-sim derives it from the leader index uuid. */
function historyUuidOf(leaderUuid: string): string {
  return leaderUuid;
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
    if (op.routing !== undefined) entry.routing = op.routing;
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
