/**
 * Program-side (never loaded by a provider): the `__provider` code of each dynamic provider and the
 * resource base class that sends it.
 *
 * `pulumi.dynamic.Resource` serializes the provider object with everything it reaches — ~110 KB of
 * JavaScript for FollowerIndex — into every resource's inputs and outputs (pulumi-facts §A2). The
 * file backend writes the whole state before and after every step, so that text made a failover
 * of 200 index pairs write a 50 MB state 800 times (minutes), and serializing it cost every
 * `pulumi up` seconds of CPU. Here `__provider` is one line that loads the provider from the
 * program directory — where Pulumi starts the provider process — through loader.js. Otherwise the
 * resources register exactly as `dynamic.Resource` registers them.
 *
 * Consequence: `delete` and `read` run the provider code of the checkout `pulumi` runs from, as
 * with any other Pulumi provider, not a copy stored with the resource; and a new ccr-dr version
 * changes no `__provider`, so it shows no diff (docs/providers.md, "Provider code").
 *
 * The program-side modules take Pulumi's values from its modules (e.g. `@pulumi/pulumi/output`):
 * the package index also loads the Automation API, the closure serializer and TypeScript, half a
 * second of every `pulumi up`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/pulumi/resource";

/** Where each provider object is exported, relative to the program directory. */
const PROVIDERS = {
    remoteCluster: { file: "providers/remoteCluster/provider.ts", exportName: "remoteClusterProvider" },
    followerIndex: { file: "providers/followerIndex/provider.ts", exportName: "followerIndexProvider" },
    writeFence: { file: "providers/writeFence/provider.ts", exportName: "writeFenceProvider" },
    quarantineName: { file: "providers/quarantineName/provider.ts", exportName: "quarantineNameProvider" },
    autoFollowPattern: { file: "providers/autoFollowPattern/provider.ts", exportName: "autoFollowPatternProvider" },
} as const;

export type ProviderName = keyof typeof PROVIDERS;

/**
 * The `__provider` text for `name`: a module whose `handler()` returns the provider object, as the
 * dynamic-provider host expects (`requireFromString(text).handler()`, once per process). Constant
 * (no absolute path, no version) and short: it is stored twice in every resource's state.
 */
export function providerCode(name: ProviderName): string {
    const { file, exportName } = PROVIDERS[name];
    return `exports.handler=()=>require(require("path").join(process.cwd(),"loader.js")).provider(${JSON.stringify(file)},${JSON.stringify(exportName)})`;
}

/**
 * A dynamic resource served by the provider {@link providerCode} names. What it registers is what
 * `pulumi.dynamic.Resource` registers: type `pulumi-nodejs:dynamic/<module>:<type>`, the given
 * properties and `__provider`, handled by the `pulumi-nodejs` provider plugin.
 */
export abstract class DynamicResource extends CustomResource {
    protected constructor(provider: ProviderName, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined, module: string, type: string) {
        if (props["__provider"] !== undefined) throw new Error("A dynamic resource must not define the __provider key");
        super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: providerCode(provider) }, opts);
    }
}
