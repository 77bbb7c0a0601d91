/**
 * Program-side (never loaded by a provider): the `__provider` code of each dynamic provider and the
 * resource base class that sends it.
 *
 * `pulumi.dynamic.Resource` serializes the provider object with everything it reaches — ~110 KB of
 * JavaScript for FollowerIndex — into every resource's inputs and outputs. The file backend writes
 * the whole state before and after every step, so that text made a failover of 200 index pairs
 * write a 50 MB state 800 times (minutes), and serializing it cost every `pulumi up` seconds of CPU
 * (docs/providers.md, "Provider code"). Here `__provider` is one line that names the provider's
 * kind (providers/registry.ts) and loads it from the program directory — where Pulumi starts the
 * provider process — through loader.js. Otherwise the resources register exactly as
 * `dynamic.Resource` registers them.
 *
 * Consequence: `delete` and `read` run the provider code of the checkout `pulumi` runs from, as
 * with any other Pulumi provider, not a copy stored with the resource; and since the text names a
 * kind, not a file, moving or changing a provider's code changes no `__provider`.
 *
 * The program-side modules take Pulumi's values from its modules (e.g. `@pulumi/pulumi/output`):
 * the package index also loads the Automation API, the closure serializer and TypeScript, half a
 * second of every `pulumi up` (bench/README.md).
 */
import type * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/pulumi/resource";
import { type ProviderName, typeToken } from "../registry";

/**
 * The `__provider` text for `name`: a module whose `handler()` returns the provider object, as the
 * dynamic-provider host expects (`requireFromString(text).handler()`, once per process). Constant
 * (no absolute path, no version) and short: it is stored twice in every resource's state.
 */
export function providerCode(name: ProviderName): string {
  return `exports.handler=()=>require(require("path").join(process.cwd(),"loader.js")).provider(${JSON.stringify(name)})`;
}

/**
 * A dynamic resource of the kind `provider`, served by the provider {@link providerCode} names.
 * What it registers is what `pulumi.dynamic.Resource` registers: the type token
 * `pulumi-nodejs:dynamic/<module>:<type>` of the kind, the given properties and `__provider`,
 * handled by the `pulumi-nodejs` provider plugin.
 */
export abstract class DynamicResource extends CustomResource {
  protected constructor(provider: ProviderName, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined) {
    if (props["__provider"] !== undefined) throw new Error("A dynamic resource must not define the __provider key");
    super(typeToken(provider), name, { ...props, __provider: providerCode(provider) }, opts);
  }
}
