/**
 * The FollowerIndex resource: a CCR follower on the follower cluster. Deleting it promotes the
 * follower to a regular index (the failover); creating it over a stale old leader index, with
 * `failback.enabled`, fences, checks lineage, quarantines divergent writes and re-follows (the
 * failback).
 *
 * Type token `pulumi-nodejs:dynamic/ccr-dr/followerIndex:FollowerIndex` (providers/registry.ts),
 * shown by the CLI as `pulumi-nodejs:dynamic/ccr-dr:FollowerIndex`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FollowParameters } from "../../es/ccr";
import type { ConnectionState } from "../shared/connectionInput";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";
import type { DesiredStatus, FailbackPolicy, FailbackReport, LeaderIdentity, ObservedStatus, OnDelete, ShardProgress } from "./types";

/** Arguments of {@link FollowerIndex}. */
export interface FollowerIndexArgs {
  /** The follower cluster. Changing it never replaces the resource. */
  connection: ConnectionArgs;
  /**
   * The leader cluster over HTTP. Recommended always; required for failback. Used only by
   * create/update (never by preview, refresh or delete), to record the leader's identity for a
   * later failback and, during failback, to read the new leader's promotion record.
   */
  leaderConnection?: ConnectionArgs;
  /** Follower index name. Changing it replaces the resource (the old follower is promoted). */
  index: pulumi.Input<string>;
  /** Alias of the leader cluster on the follower cluster (a RemoteCluster). Changing it replaces the resource. */
  remoteCluster: pulumi.Input<string>;
  /** Leader index name. Changing it replaces the resource. */
  leaderIndex: pulumi.Input<string>;
  /** Follow parameters; changes are applied by pause + resume. */
  parameters?: pulumi.Input<FollowParameters>;
  /** Non-replicated follower index settings (e.g. `{ "index.number_of_replicas": "0" }`). */
  settings?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
  /** `wait_for_active_shards` of the follow request; default `"1"`. */
  waitForActiveShards?: pulumi.Input<string | number>;
  /** Desired follow state; default `active`. */
  status?: pulumi.Input<DesiredStatus>;
  /** What deleting the resource does; default `promote`. */
  onDelete?: pulumi.Input<OnDelete>;
  /** Failback opt-in. */
  failback?: pulumi.Input<{ enabled: pulumi.Input<boolean>; quarantineIndex: pulumi.Input<string> }>;
  /** Bound on waiting for the follower to become active (ms); default 120 000. */
  activeTimeoutMs?: pulumi.Input<number>;
  /** What deleting the resource does, in words, shown by `preview --diff` / `destroy --diff` for a removed follower (`deleteMeaning`, preview.ts). */
  deleteMeans?: pulumi.Input<string>;
}

/** A cross-cluster replication follower index. */
export class FollowerIndex extends DynamicResource {
  declare readonly index: pulumi.Output<string>;
  declare readonly remoteCluster: pulumi.Output<string>;
  declare readonly leaderIndex: pulumi.Output<string>;
  declare readonly connection: pulumi.Output<ConnectionState>;
  declare readonly leaderConnection: pulumi.Output<ConnectionState | undefined>;
  declare readonly parameters: pulumi.Output<FollowParameters | undefined>;
  declare readonly settings: pulumi.Output<Record<string, string> | undefined>;
  declare readonly onDelete: pulumi.Output<OnDelete>;
  declare readonly failback: pulumi.Output<FailbackPolicy | undefined>;
  /** Observed follow state as of the last create/update/refresh. */
  declare readonly status: pulumi.Output<ObservedStatus>;
  declare readonly fatalError: pulumi.Output<string | undefined>;
  declare readonly indexUuid: pulumi.Output<string | undefined>;
  declare readonly shards: pulumi.Output<ShardProgress[] | undefined>;
  /** Operations not yet replicated (Σ leader − follower global checkpoint), as last seen. */
  declare readonly globalCheckpointLag: pulumi.Output<number | undefined>;
  declare readonly leaderIdentity: pulumi.Output<LeaderIdentity | undefined>;
  /** Divergent documents quarantined by the failback that created this follower. */
  declare readonly quarantinedDocuments: pulumi.Output<number>;
  declare readonly failbackReport: pulumi.Output<FailbackReport | undefined>;
  declare readonly warnings: pulumi.Output<string[]>;

  constructor(name: string, args: FollowerIndexArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    const leader = args.leaderConnection ? connectionInputs(args.leaderConnection) : undefined;
    super(
      "followerIndex",
      name,
      {
        connection,
        credentials,
        leaderConnection: leader?.connection,
        leaderCredentials: leader?.credentials,
        index: args.index,
        remoteCluster: args.remoteCluster,
        leaderIndex: args.leaderIndex,
        parameters: args.parameters,
        settings: args.settings,
        waitForActiveShards: args.waitForActiveShards,
        status: args.status,
        onDelete: args.onDelete,
        failback: args.failback,
        activeTimeoutMs: args.activeTimeoutMs,
        deleteMeans: args.deleteMeans,
        fatalError: undefined,
        indexUuid: undefined,
        shards: undefined,
        globalCheckpointLag: undefined,
        leaderIdentity: undefined,
        quarantinedDocuments: undefined,
        failbackReport: undefined,
        warnings: undefined,
      },
      withSecretOutputs(opts, leader ? ["credentials", "leaderCredentials"] : ["credentials"]),
    );
  }
}
