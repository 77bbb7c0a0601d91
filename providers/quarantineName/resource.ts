/** The QuarantineName resource (see provider.ts): a unique quarantine index name per failback. */
import type * as pulumi from "@pulumi/pulumi";
import { DynamicResource } from "../shared/providerCode";

export interface QuarantineNameArgs {
    prefix: pulumi.Input<string>;
    keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class QuarantineName extends DynamicResource {
    /** The generated index name: `<prefix>-<16 hex characters>`. */
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: QuarantineNameArgs, opts?: pulumi.CustomResourceOptions) {
        super("quarantineName", name, { prefix: args.prefix, keepers: args.keepers, name: undefined }, opts, "ccr-dr/quarantineName", "QuarantineName");
    }
}
