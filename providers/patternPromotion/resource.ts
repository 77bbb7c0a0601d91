/** The PatternPromotion resource (see lifecycle.ts): deleting it promotes the site's pattern-driven data. */
import type * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";

export interface PatternPromotionArgs {
  connection: ConnectionArgs;
  /** The primary, read at create/update only to record its identity (never by delete: the failover runs without it). */
  leaderConnection?: ConnectionArgs;
  remoteCluster: pulumi.Input<string>;
  patterns: pulumi.Input<pulumi.Input<string>[]>;
  declaredIndices: pulumi.Input<pulumi.Input<string>[]>;
  deleteMeans?: pulumi.Input<string>;
}

export class PatternPromotion extends DynamicResource {
  constructor(name: string, args: PatternPromotionArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    const leader = args.leaderConnection ? connectionInputs(args.leaderConnection) : undefined;
    super(
      "patternPromotion",
      name,
      {
        connection,
        credentials,
        leaderConnection: leader?.connection,
        leaderCredentials: leader?.credentials,
        remoteCluster: args.remoteCluster,
        patterns: args.patterns,
        declaredIndices: args.declaredIndices,
        deleteMeans: args.deleteMeans,
        leaderIdentity: undefined,
        warnings: undefined,
      },
      withSecretOutputs(opts, leader ? ["credentials", "leaderCredentials"] : ["credentials"]),
    );
  }
}

/** `deleteMeans` of the resource: what a failover does through it. */
export const PATTERN_PROMOTION_DELETE_MEANS =
  "PROMOTE, not delete: pause the auto-follow patterns, promote + roll over replicated data streams, promote every other follower of the old primary";
