/**
 * The cross-cluster-replication part of es-sim's exception catalogue: every CCR and remote-cluster
 * error with Elasticsearch's own type, HTTP status and wording, as the real server's CCR plugin
 * (`x-pack/plugin/ccr`) and transport layer raise them, so clients can branch on them as on a real
 * cluster (docs/ccr.md lists the APIs). Handlers and the CCR engine throw these; the HTTP layer renders them like every other `EsError`.
 */
import { EsError, errors } from "../engine/errors";

export const ccrErrors = {
  /** `NoSuchRemoteClusterException` (404). */
  noSuchRemoteCluster: (alias: string) => new EsError("no_such_remote_cluster_exception", 404, `no such remote cluster: [${alias}]`),
  /** A proxy-mode remote none of whose sockets could be opened (`NoSeedNodeLeftException`, retried by followers). */
  noProxyConnection: (alias: string, address: string) =>
    new EsError("no_seed_node_left_exception", 500, `Unable to open any proxy connections to cluster [${alias}] at address [${address}]`),
  /** A sniff-mode remote none of whose seeds answered (`NoSeedNodeLeftException`). */
  noSeedNodeLeft: (alias: string) => new EsError("no_seed_node_left_exception", 500, `no seed node left for cluster: [${alias}]`),
  /** The connection dropped while a request was in flight (`NodeDisconnectedException`). */
  nodeDisconnected: (node: string, address: string, action: string) =>
    new EsError("node_disconnected_exception", 500, `[${node}][${address}][${action}] disconnected`),
  /** No answer within the request timeout (`ReceiveTimeoutTransportException`). */
  receiveTimeout: (node: string, address: string, action: string, detail: string) =>
    new EsError("receive_timeout_transport_exception", 500, `[${node}][${address}][${action}] ${detail}`),
  /** The local transport is shutting down (an `AlreadyClosedException`-like, retried). */
  transportClosed: () => new EsError("already_closed_exception", 500, "TransportService is closed stopped can't send request"),
  /** `CcrLicenseChecker`: the remote could not be asked (it is down or unreachable). */
  remoteLicenseUnknown: (alias: string, leaderIndex: string, cause: EsError) =>
    new EsError(
      "status_exception",
      400,
      `can not fetch remote index [${alias}:${leaderIndex}] metadata as the license state of the remote cluster [${alias}] could not be determined`,
      {},
      cause,
    ),
  /** PUT follow into the name of an open index (the restore from `_ccr_<alias>` refuses it; 500). */
  restoreOverOpenIndex: (alias: string, follower: string) =>
    new EsError(
      "snapshot_restore_exception",
      500,
      `[_ccr_${alias}:_latest_/_latest_] cannot restore index [${follower}] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name`,
    ),
  /** A shard-follow persistent task with this id exists already (resume on an active follower). */
  followTaskExists: (followerUuid: string) =>
    new EsError("resource_already_exists_exception", 400, `task with id {${followerUuid}-0} already exist`),
  notAFollower: (index: string) => errors.illegalArgument(`index [${index}] is not a follower index`),
  noShardFollowTasksFor: (index: string) => errors.illegalArgument(`no shard follow tasks for [${index}]`),
  noShardFollowTasksFound: () => errors.illegalArgument("no shard follow tasks found"),
  noCcrMetadata: (index: string) => errors.illegalArgument(`follow index [${index}] does not have ccr metadata`),
  unfollowNotClosed: (index: string) =>
    errors.illegalArgument(`cannot convert the follower index [${index}] to a non-follower, because it has not been closed`),
  unfollowNotPaused: (index: string) =>
    errors.illegalArgument(`cannot convert the follower index [${index}] to a non-follower, because it has not been paused`),
  noFollowTasksForIndices: (indices: string[]) =>
    errors.resourceNotFound(`No shard follow tasks for follower indices [${indices.join(",")}]`),
  leaderWithoutSoftDeletes: (leader: string) => errors.illegalArgument(`leader index [${leader}] does not have soft deletes enabled`),
  followerWithoutSoftDeletes: (follower: string) =>
    errors.illegalArgument(`follower index [${follower}] does not have soft deletes enabled`),
  leaderIsDataStream: (name: string) => errors.illegalArgument(`cannot follow [${name}], because it is a DATA_STREAM`),
  overrideLeaderSettings: (settings: Record<string, string>) =>
    errors.illegalArgument(`can not put follower index that could override leader settings ${JSON.stringify(settings)}`),
  unknownFollowerSettings: (keys: string[]) => errors.illegalArgument(`unknown setting${keys.length === 1 ? "" : "s"} [${keys.join(",")}]`),
  leaderAndFollowMustBeOpen: () => errors.illegalArgument("leader and follow index must be open"),
  settingsMustBeIdentical: (leader: string, follower: string) =>
    errors.illegalArgument(`the leader index settings [${leader}] and follower index settings [${follower}] must be identical`),
  shardCountMismatch: (leader: number, follower: number) =>
    errors.illegalArgument(
      `leader index primary shards [${leader}] does not match with the number of shards of the follow index [${follower}]`,
    ),
  leaderUuidMismatch: (follower: string, actual: string, recorded: string) =>
    errors.illegalArgument(
      `follow index [${follower}] should reference [${actual}] as leader index but instead reference [${recorded}] as leader index`,
    ),
  notReadyToFollow: (follower: string) =>
    errors.illegalArgument(
      `the following index [${follower}] is not ready to follow; the setting [index.xpack.ccr.following_index] must be enabled.`,
    ),
  /** Reads of a closed leader (`ClusterBlockException`, retried by the follower). */
  leaderClosedBlock: (leader: string) => errors.indexBlocked(leader, "FORBIDDEN/4/index closed"),
  /** Unfollow could not remove the follower's lease on the leader: ES wraps the cause in a generic exception. */
  leaseRemovalFailed: (leaseId: string, cause: EsError) =>
    new EsError("exception", 500, `${javaClassOf(cause.type)}: ${cause.reason}`, { failed_to_remove_retention_leases: [leaseId] }, cause),
  autoFollowPatternMissing: (name: string) => errors.resourceNotFound(`auto-follow pattern [${name}] is missing`),
  /** `ActiveShardCount.parseString`. */
  badActiveShardCount: (value: string) => errors.illegalArgument(`cannot parse ActiveShardCount[${value}]`),
} as const;

/** The Java class name ES prints for a wrapped exception (`Throwable.toString()`). */
function javaClassOf(type: string): string {
  const known: Record<string, string> = {
    no_seed_node_left_exception: "org.elasticsearch.transport.NoSeedNodeLeftException",
    no_such_remote_cluster_exception: "org.elasticsearch.transport.NoSuchRemoteClusterException",
    node_disconnected_exception: "org.elasticsearch.transport.NodeDisconnectedException",
    index_not_found_exception: "org.elasticsearch.index.IndexNotFoundException",
  };
  if (known[type]) return known[type]!;
  const camel = type
    .split("_")
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
  return `org.elasticsearch.${camel}`;
}

/**
 * Exception types a shard-follow task retries with back-off (`ShardFollowNodeTask.shouldRetry`);
 * every other exception is fatal and stops the task.
 */
export const RETRYABLE_EXCEPTION_TYPES: ReadonlySet<string> = new Set([
  "connect_transport_exception",
  "node_disconnected_exception",
  "node_not_connected_exception",
  "send_request_transport_exception",
  "shard_not_found_exception",
  "illegal_index_shard_state_exception",
  "no_shard_available_action_exception",
  "unavailable_shards_exception",
  "already_closed_exception",
  "security_exception",
  "cluster_block_exception",
  "index_closed_exception",
  "node_closed_exception",
  "no_such_remote_cluster_exception",
  "no_seed_node_left_exception",
  "es_rejected_execution_exception",
  "circuit_breaking_exception",
]);

/** Whether a follower task should retry after `error` (ES's `shouldRetry` on the unwrapped cause). */
export function isRetryable(error: EsError): boolean {
  return RETRYABLE_EXCEPTION_TYPES.has(error.type);
}
