/**
 * The lifecycle of a following index after PUT follow: pause (`TransportPauseFollowAction`),
 * resume (`TransportResumeFollowAction`) and unfollow (`TransportUnfollowAction`). A follower is
 * active (task running) ⇄ paused (no task); closed + paused + unfollow turns it into a plain index.
 */
import { deepEqual } from "../engine/docUtils";
import { EsError, errors } from "../engine/errors";
import type { Json } from "../engine/types";
import { ACTIONS } from "./actions";
import { BodyReader } from "./bodyParser";
import type { CcrService } from "./ccrService";
import { ccrErrors } from "./errors";
import { CCR_CUSTOM_KEY, REMOTE_CALL_TIMEOUT_MS, TASK_CUSTOM_KEY, type CcrCustom } from "./followerIndex";
import { FOLLOWING_INDEX_SETTING, replicatedSettings, settingsToString } from "./followerSettings";
import { FOLLOW_PARAMETER_NAMES, followParameterProblems, readFollowParameters, withDefaults } from "./followParameters";

/** ObjectParser name ES reports in body errors. */
const RESUME_FOLLOW_PARSER = "cluster:admin/xpack/ccr/resume_follow";

/** `ccr.pause_follow`: removes the task (its parameters are forgotten; resume starts from defaults). */
export async function pauseFollow(ccr: CcrService, name: string): Promise<Json> {
  const shard = ccr.cluster.shard(name);
  if (!shard) throw errors.indexNotFound(name);
  if (!shard.meta.custom[CCR_CUSTOM_KEY]) throw ccrErrors.notAFollower(name);
  if (!ccr.runningTask(name) && !shard.meta.custom[TASK_CUSTOM_KEY]) throw ccrErrors.noShardFollowTasksFor(name);
  ccr.stopTask(name);
  await ccr.cluster.setIndexMetaInternal(name, { custom: { [TASK_CUSTOM_KEY]: null } });
  return { acknowledged: true };
}

/** `ccr.resume_follow`: validates leader and follower like ES, then starts a task with the given parameters (others default). */
export async function resumeFollow(ccr: CcrService, name: string, body: Json, bodyText: string | undefined): Promise<Json> {
  const reader = new BodyReader(RESUME_FOLLOW_PARSER, body, bodyText);
  reader.rejectUnknown(FOLLOW_PARAMETER_NAMES);
  const parameters = readFollowParameters(reader);
  const problems = followParameterProblems(parameters);
  if (problems.length > 0) throw errors.validation(problems);
  const shard = ccr.cluster.shard(name);
  if (!shard) throw errors.indexNotFound(name);
  const ccrMeta = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom | undefined;
  if (!ccrMeta) throw ccrErrors.noCcrMetadata(name);
  const leader = await ccr.fetchLeaderIndex(ccrMeta.remote_cluster_name, ccrMeta.leader_index_name);
  if (leader.uuid !== ccrMeta.leader_index_uuid) throw ccrErrors.leaderUuidMismatch(name, leader.uuid, ccrMeta.leader_index_uuid);
  if (!leader.soft_deletes_enabled) throw ccrErrors.leaderWithoutSoftDeletes(leader.name);
  if (shard.setting("index.soft_deletes.enabled") === "false") throw ccrErrors.followerWithoutSoftDeletes(name);
  const followerShards = Number(shard.setting("index.number_of_shards"));
  if (leader.number_of_shards !== followerShards) throw ccrErrors.shardCountMismatch(leader.number_of_shards, followerShards);
  if (leader.state !== "open" || !shard.isOpen) throw ccrErrors.leaderAndFollowMustBeOpen();
  if (shard.meta.settings[FOLLOWING_INDEX_SETTING] !== "true") throw ccrErrors.notReadyToFollow(name);
  const l = replicatedSettings(leader.settings);
  const f = replicatedSettings(shard.meta.settings);
  if (!deepEqual(l, f)) throw ccrErrors.settingsMustBeIdentical(settingsToString(l), settingsToString(f));
  if (ccr.runningTask(name)) throw ccrErrors.followTaskExists(shard.uuid);
  await ccr.cluster.setIndexMetaInternal(name, {
    custom: { [TASK_CUSTOM_KEY]: { parameters: withDefaults(parameters) } as unknown as Json },
  });
  ccr.startTask(name);
  return { acknowledged: true };
}

/**
 * `ccr.unfollow`: closed and paused followers only. Turns the index into a plain one (removes
 * `index.xpack.ccr.following_index` and the `ccr` metadata), then removes the follower's lease on
 * the leader. As in ES the conversion stands even when the lease cannot be removed (leader down):
 * the call then fails with `failed_to_remove_retention_leases` naming the lease.
 */
export async function unfollow(ccr: CcrService, name: string): Promise<Json> {
  const shard = ccr.cluster.shard(name);
  if (!shard) throw errors.indexNotFound(name);
  const ccrMeta = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom | undefined;
  if (!ccrMeta) throw ccrErrors.notAFollower(name);
  if (shard.isOpen) throw ccrErrors.unfollowNotClosed(name);
  if (ccr.runningTask(name) || shard.meta.custom[TASK_CUSTOM_KEY]) throw ccrErrors.unfollowNotPaused(name);
  await ccr.cluster.setIndexMetaInternal(name, {
    settings: { [FOLLOWING_INDEX_SETTING]: null },
    custom: { [CCR_CUSTOM_KEY]: null, [TASK_CUSTOM_KEY]: null },
  });
  const leaseId = ccr.leaseId(name, shard.uuid, ccrMeta.remote_cluster_name, ccrMeta.leader_index_name, ccrMeta.leader_index_uuid);
  try {
    await ccr.remotes.call(
      ccrMeta.remote_cluster_name,
      ACTIONS.removeRetentionLease,
      { index: ccrMeta.leader_index_name, uuid: ccrMeta.leader_index_uuid, id: leaseId },
      REMOTE_CALL_TIMEOUT_MS,
    );
  } catch (e) {
    const err = e instanceof EsError ? e : new EsError("exception", 500, String(e));
    if (err.type !== "retention_lease_not_found_exception") throw ccrErrors.leaseRemovalFailed(leaseId, err);
  }
  return { acknowledged: true };
}
