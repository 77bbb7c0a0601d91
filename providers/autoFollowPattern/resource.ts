/** The AutoFollowPattern resource (see lifecycle.ts): a CCR auto-follow pattern on the follower site. */
import type * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";

export interface AutoFollowPatternArgs {
  connection: ConnectionArgs;
  name: pulumi.Input<string>;
  remoteCluster: pulumi.Input<string>;
  leaderIndexPatterns: pulumi.Input<pulumi.Input<string>[]>;
  leaderIndexExclusionPatterns?: pulumi.Input<pulumi.Input<string>[]>;
  followIndexPattern?: pulumi.Input<string>;
}

export class AutoFollowPattern extends DynamicResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly leaderIndexPatterns: pulumi.Output<string[]>;

  constructor(name: string, args: AutoFollowPatternArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    super(
      "autoFollowPattern",
      name,
      {
        connection,
        credentials,
        name: args.name,
        remoteCluster: args.remoteCluster,
        leaderIndexPatterns: args.leaderIndexPatterns,
        leaderIndexExclusionPatterns: args.leaderIndexExclusionPatterns,
        followIndexPattern: args.followIndexPattern,
      },
      withSecretOutputs(opts, ["credentials"]),
    );
  }
}
