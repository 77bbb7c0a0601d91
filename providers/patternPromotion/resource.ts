/** The PatternPromotion resource (see lifecycle.ts): deleting it promotes the site's pattern-driven data. */
import type * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";

export interface PatternPromotionArgs {
  connection: ConnectionArgs;
  remoteCluster: pulumi.Input<string>;
  patterns: pulumi.Input<pulumi.Input<string>[]>;
  declaredIndices: pulumi.Input<pulumi.Input<string>[]>;
  deleteMeans?: pulumi.Input<string>;
}

export class PatternPromotion extends DynamicResource {
  constructor(name: string, args: PatternPromotionArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    super(
      "patternPromotion",
      name,
      {
        connection,
        credentials,
        remoteCluster: args.remoteCluster,
        patterns: args.patterns,
        declaredIndices: args.declaredIndices,
        deleteMeans: args.deleteMeans,
      },
      withSecretOutputs(opts, ["credentials"]),
    );
  }
}

/** `deleteMeans` of the resource: what a failover does through it. */
export const PATTERN_PROMOTION_DELETE_MEANS =
  "PROMOTE, not delete: pause the auto-follow patterns, promote + roll over replicated data streams, promote every other follower of the old primary";
