/** The PatternFailback resource (see lifecycle.ts): a failback follows every existing index the patterns match. */
import type * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";

export interface PatternFailbackArgs {
  connection: ConnectionArgs;
  leaderConnection: ConnectionArgs;
  remoteCluster: pulumi.Input<string>;
  patterns: pulumi.Input<
    Array<{ name: string; leaderIndexPatterns: string[]; leaderIndexExclusionPatterns?: string[]; followIndexPattern?: string }>
  >;
  declaredIndices: pulumi.Input<pulumi.Input<string>[]>;
  quarantineName: pulumi.Input<string>;
}

export class PatternFailback extends DynamicResource {
  declare readonly quarantinedDocuments: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: PatternFailbackArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    const leader = connectionInputs(args.leaderConnection);
    super(
      "patternFailback",
      name,
      {
        connection,
        credentials,
        leaderConnection: leader.connection,
        leaderCredentials: leader.credentials,
        remoteCluster: args.remoteCluster,
        patterns: args.patterns,
        declaredIndices: args.declaredIndices,
        quarantineName: args.quarantineName,
        quarantinedDocuments: undefined,
        warnings: undefined,
      },
      withSecretOutputs(opts, ["credentials", "leaderCredentials"]),
    );
  }
}
