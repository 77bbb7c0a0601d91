/**
 * Program-side helpers for the resource classes (never loaded by a provider: they use the
 * Pulumi runtime). They split a connection into its non-secret and secret stored halves.
 * Values come from `@pulumi/pulumi/output`, not the package index, which would also load the
 * Automation API and TypeScript into every `pulumi up` (see providerCode.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { output, secret, unsecret } from "@pulumi/pulumi/output";
import type { Connection } from "../../es/connection";
import { type ConnectionState, type Credentials, splitConnection } from "./connectionInput";

/** A connection as the program passes it (any part may be an Output, e.g. a config secret). */
export type ConnectionArgs = pulumi.Input<
  Omit<Connection, "endpoints" | "basicAuth" | "apiKey"> & {
    endpoints: pulumi.Input<string> | pulumi.Input<pulumi.Input<string>[]>;
    basicAuth?: pulumi.Input<{ username: pulumi.Input<string>; password: pulumi.Input<string> }>;
    apiKey?: pulumi.Input<string>;
  }
>;

/**
 * The stored halves of a connection: `connection` stays readable (it holds no secret, so it is
 * un-secreted even when the program passed a secret password inside it), `credentials` is
 * always a secret.
 */
export function connectionInputs(c: ConnectionArgs): {
  connection: pulumi.Output<ConnectionState>;
  credentials: pulumi.Output<Credentials>;
} {
  const parts = output(c).apply((v) => splitConnection(v as unknown as Connection));
  return {
    connection: unsecret(parts.apply((p) => p.connection)),
    credentials: secret(parts.apply((p) => p.credentials)),
  };
}

/** Adds `names` to the resource option `additionalSecretOutputs`. */
export function withSecretOutputs<T extends pulumi.CustomResourceOptions>(opts: T | undefined, names: string[]): T {
  return { ...(opts ?? ({} as T)), additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...names] };
}
