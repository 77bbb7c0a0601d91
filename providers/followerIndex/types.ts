/** Inputs and outputs of the FollowerIndex resource, as stored in the Pulumi state. */
import type { FollowParameters } from "../../es/ccr";
import type { ConnectionState, Credentials } from "../shared/connectionInput";

/** The follow state asked for. */
export type DesiredStatus = "active" | "paused";

/**
 * The follow state observed: `fatal` = the follower's task stopped on a non-retryable error (e.g.
 * the leader no longer has the history it needs); `unfollowed` = the index exists but is no longer
 * a follower (converted outside ccr-dr). Both need the follower re-created.
 */
export type ObservedStatus = "active" | "paused" | "fatal" | "unfollowed";

/** What deleting the resource does to the index. */
export type OnDelete =
  /** Promote: pause → close → unfollow → open, recording the promotion in the mapping `_meta` (default). */
  | "promote"
  /** Delete the follower index (its data exists on the leader). */
  | "deleteIndex";

/** Opt-in to fail back onto a cluster that still holds the old leader index under the follower's name. */
export interface FailbackPolicy {
  /** Must be `true` for create to ever delete an existing non-follower index. */
  enabled: boolean;
  /** Where divergent documents are copied before the stale index is deleted (unique per failback, e.g. from `@pulumi/random`). */
  quarantineIndex: string;
}

/** Stored inputs (after `check`, defaults filled in). */
export interface FollowerIndexInputs {
  /** The follower cluster (non-secret part). */
  connection: ConnectionState;
  /** Secret part of `connection`. */
  credentials?: Credentials;
  /**
   * The leader cluster, reached directly over HTTP. Used only by create/update: to record the
   * leader's identity (cluster and index UUIDs) for a later failback's lineage check, and, during
   * failback, to read the new leader's promotion record. Never used by check, diff, read or delete,
   * so the follower's stack plans and promotes while the leader is down.
   */
  leaderConnection?: ConnectionState;
  /** Secret part of `leaderConnection`. */
  leaderCredentials?: Credentials;
  /** Name of the follower index on the follower cluster. Changing it replaces the resource. */
  index: string;
  /** Alias under which the leader cluster is registered on the follower cluster. */
  remoteCluster: string;
  /** Name of the leader index on the leader cluster. */
  leaderIndex: string;
  /** Follow parameters; omitted ones take ES defaults. Changing them = pause + resume. */
  parameters?: FollowParameters;
  /** Non-replicated index settings of the follower (e.g. `index.number_of_replicas`), values as strings. */
  settings?: Record<string, string>;
  /** `wait_for_active_shards` of the follow request (default `"1"`: wait until the restore is done). */
  waitForActiveShards: string;
  /** Desired follow state (default `active`). */
  status: DesiredStatus;
  /** What delete does (default `promote`). */
  onDelete: OnDelete;
  /** Failback opt-in. */
  failback?: FailbackPolicy;
  /** Bound on waiting for the follower to become active (default {@link FOLLOWER_ACTIVE_TIMEOUT_MS}). */
  activeTimeoutMs?: number;
  /**
   * What deleting this resource will do, in words (`deleteMeaning`, preview.ts), set by the program.
   * Pulumi shows a removed resource's inputs in `preview --diff` and `destroy --diff`, and nothing
   * else of the provider, so this is what makes a delete that promotes say "promote". Not compared
   * by `diff` (words change nothing on a cluster).
   */
  deleteMeans?: string;
}

/** The leader as recorded when the follower was created (from `leaderConnection`). */
export interface LeaderIdentity {
  clusterName: string;
  clusterUuid: string;
  indexUuid: string;
}

/** Replication progress of one shard. */
export interface ShardProgress {
  shard: number;
  followerGlobalCheckpoint: number;
  followerMaxSeqNo: number;
  leaderGlobalCheckpoint?: number;
  leaderMaxSeqNo?: number;
}

/** What a failback did (kept in the outputs of the follower it created). */
export interface FailbackReport {
  at: string;
  staleIndexUuid: string;
  quarantineIndex: string;
  quarantinedDocuments: number;
}

/** Stored outputs: the inputs, with `status` as observed, plus what was observed and done. */
export interface FollowerIndexOutputs extends Omit<FollowerIndexInputs, "status"> {
  status: ObservedStatus;
  /** Reason of a fatal follower error. */
  fatalError?: string;
  /** UUID of the follower index. */
  indexUuid?: string;
  /** Per-shard checkpoints (when the follower has tasks). */
  shards?: ShardProgress[];
  /** Σ leader − follower global checkpoint (operations not yet replicated, as last seen). */
  globalCheckpointLag?: number;
  /** Identity of the leader, recorded for failback lineage. */
  leaderIdentity?: LeaderIdentity;
  /** Divergent documents quarantined by the failback that created this follower (0 if none). */
  quarantinedDocuments: number;
  /** The failback that created this follower, if any. */
  failbackReport?: FailbackReport;
  /** Warnings of the last create/update (also logged). */
  warnings: string[];
}

/** Keys compared by `diff` (all user inputs). */
export const FOLLOWER_INPUT_KEYS = [
  "connection",
  "credentials",
  "leaderConnection",
  "leaderCredentials",
  "index",
  "remoteCluster",
  "leaderIndex",
  "parameters",
  "settings",
  "waitForActiveShards",
  "status",
  "onDelete",
  "failback",
  "activeTimeoutMs",
] as const;

/**
 * Bound on waiting for a new follower to become active. The follow call returns before the
 * shard-follow tasks start, and follow-info reports "paused" in that window (docs/providers.md, "Facts");
 * two minutes covers the restore of a small index, and a leader that is unreachable or not
 * eligible (no soft deletes) fails within it with a clear message instead of hanging `up`.
 */
export const FOLLOWER_ACTIVE_TIMEOUT_MS = 120_000;

/** Poll interval of that wait. */
export const FOLLOWER_ACTIVE_POLL_MS = 500;
