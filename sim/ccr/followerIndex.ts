/**
 * The follower index's own CCR state and the writes the follow task makes to it. Follower state
 * lives in the index's metadata, so it is durable through the core's storage and disappears with
 * the index (ES's `ShardFollowTaskCleaner`):
 * - custom `ccr` — ES's keys: leader index uuid and name, remote cluster alias, history uuids;
 * - custom `es-sim_shard_follow_task` — the persistent task (its parameters) while following.
 */
import type { Cluster } from "../engine/cluster";
import { deepEqual } from "../engine/docUtils";
import { errors } from "../engine/errors";
import type { IndexShard } from "../engine/shard";
import type { FlatSettings, Operation } from "../engine/types";
import type { IndexView } from "./actions";
import { replicatedSettings } from "./followerSettings";
import type { FollowParametersWire } from "./followParameters";

/** Index custom-metadata key of ES's CCR metadata. */
export const CCR_CUSTOM_KEY = "ccr";
/** Index custom-metadata key of the persistent shard-follow task. */
export const TASK_CUSTOM_KEY = "es-sim_shard_follow_task";
/** Bound of any call to a leader other than a shard-changes long poll. */
export const REMOTE_CALL_TIMEOUT_MS = 60_000;

/** ES's `ccr` custom metadata (all strings, as ES stores them). */
export interface CcrCustom {
  leader_index_uuid: string;
  leader_index_name: string;
  remote_cluster_name: string;
  leader_index_shard_history_uuids: string;
}

/** The persistent task as stored in the follower's metadata. */
export interface TaskCustom {
  parameters: Required<FollowParametersWire>;
}

/** The follower index `name`, provided it is still the one with `uuid` (not deleted and re-created). */
export function requireFollowerShard(cluster: Cluster, name: string, uuid: string): IndexShard {
  const shard = cluster.shard(name);
  if (!shard || shard.uuid !== uuid) throw errors.indexNotFound(name);
  return shard;
}

/**
 * The follower side of a bulk of replicated operations (`TransportBulkShardOperationsAction`). A
 * large batch pauses between operations when its slice of the node's time is used up, as ES applies
 * it on a write thread while other requests go on; after a pause the index is looked up again (it
 * may have been closed or deleted meanwhile; the follow task then retries or stops, and operations
 * applied twice are skipped).
 */
export async function applyOperations(
  cluster: Cluster,
  name: string,
  uuid: string,
  ops: Operation[],
): Promise<{ globalCheckpoint: number; maxSeqNo: number }> {
  let shard = requireFollowerShard(cluster, name, uuid);
  if (!shard.isOpen) throw errors.indexClosed(name, uuid);
  const now = cluster.now();
  let sliceUsed = cluster.slicer.slice();
  for (const op of ops) {
    if (sliceUsed()) {
      await cluster.slicer.pause();
      shard = requireFollowerShard(cluster, name, uuid);
      if (!shard.isOpen) throw errors.indexClosed(name, uuid);
      sliceUsed = cluster.slicer.slice();
    }
    shard.applyReplicated(op, now);
  }
  const out = { globalCheckpoint: shard.globalCheckpoint, maxSeqNo: shard.maxSeqNo };
  await cluster.commit(name);
  return out;
}

/** Brings the leader's mappings, replicated settings and aliases to the follower (one metadata update). */
export async function applyLeaderMetadata(cluster: Cluster, name: string, uuid: string, view: IndexView): Promise<void> {
  const shard = requireFollowerShard(cluster, name, uuid);
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
  await cluster.commit();
}

function sortedObject(o: FlatSettings): FlatSettings {
  const out: FlatSettings = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}
