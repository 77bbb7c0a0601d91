/**
 * The WriteFence resource: `PUT /{index}/_block/write` on the current primary, the first step of
 * a planned switchover (the program declares it while `ccr-dr:fenced` is true). Deleting it lifts
 * the block again unless the index has become a follower.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ConnectionState } from "../shared/connectionInput";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";

export interface WriteFenceArgs {
  connection: ConnectionArgs;
  index: pulumi.Input<string>;
  /** `keep`: deleting the resource leaves the block in place (a forced failover's fence on the old primary). Default `lift`. */
  onDelete?: pulumi.Input<"lift" | "keep">;
}

export class WriteFence extends DynamicResource {
  declare readonly index: pulumi.Output<string>;
  declare readonly connection: pulumi.Output<ConnectionState>;
  declare readonly blocked: pulumi.Output<boolean>;

  constructor(name: string, args: WriteFenceArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    super(
      "writeFence",
      name,
      { connection, credentials, index: args.index, onDelete: args.onDelete, blocked: undefined },
      withSecretOutputs(opts, ["credentials"]),
    );
  }
}
