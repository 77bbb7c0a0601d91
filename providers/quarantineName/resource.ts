/** The QuarantineName resource (see lifecycle.ts): a unique quarantine index name per failback. */
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
    super("quarantineName", name, { prefix: args.prefix, keepers: args.keepers, name: undefined }, opts);
  }
}

/**
 * The quarantine index of `index` in the failback that `name` identifies: `<name>-<index>`, cut to
 * Elasticsearch's 255-byte limit on index names (whole characters only).
 */
export function quarantineIndexFor(name: string, index: string): string {
  let out = `${name}-${index}`;
  while (Buffer.byteLength(out, "utf8") > 255) out = out.slice(0, -1);
  return out;
}
