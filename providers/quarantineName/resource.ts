/** The QuarantineName resource (see provider.ts): a unique quarantine index name per failback. */
import * as pulumi from "@pulumi/pulumi";
import { quarantineNameProvider } from "./provider";

export interface QuarantineNameArgs {
    prefix: pulumi.Input<string>;
    keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class QuarantineName extends pulumi.dynamic.Resource {
    /** The generated index name: `<prefix>-<16 hex characters>`. */
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: QuarantineNameArgs, opts?: pulumi.CustomResourceOptions) {
        super(quarantineNameProvider, name, { prefix: args.prefix, keepers: args.keepers, name: undefined }, opts, "ccr-dr/quarantineName", "QuarantineName");
    }
}
