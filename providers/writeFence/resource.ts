/**
 * The WriteFence resource: `PUT /{index}/_block/write` on the current primary, the first step of
 * a planned switchover (the program declares it while `ccr-dr:fenced` is true). Deleting it lifts
 * the block again unless the index has become a follower.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionState } from "../shared/connectionInput";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";
import { writeFenceProvider } from "./provider";

export interface WriteFenceArgs {
    connection: ConnectionArgs;
    index: pulumi.Input<string>;
}

export class WriteFence extends pulumi.dynamic.Resource {
    declare readonly index: pulumi.Output<string>;
    declare readonly connection: pulumi.Output<ConnectionState>;
    declare readonly blocked: pulumi.Output<boolean>;

    constructor(name: string, args: WriteFenceArgs, opts?: pulumi.CustomResourceOptions) {
        const { connection, credentials } = connectionInputs(args.connection);
        super(
            writeFenceProvider,
            name,
            { connection, credentials, index: args.index, blocked: undefined },
            withSecretOutputs(opts, ["credentials"]),
            "ccr-dr/writeFence",
            "WriteFence",
        );
    }
}
