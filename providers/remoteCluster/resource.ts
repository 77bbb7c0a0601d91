/**
 * The RemoteCluster resource: registers a peer cluster under an alias on one cluster
 * (`cluster.remote.<alias>.*` persistent settings).
 *
 * Type token `pulumi-nodejs:dynamic/ccr-dr/remoteCluster:RemoteCluster` (providers/registry.ts);
 * previews read `pulumi-nodejs:dynamic/ccr-dr:RemoteCluster` (docs/providers.md, "Type tokens").
 */
import type * as pulumi from "@pulumi/pulumi";
import { secret } from "@pulumi/pulumi/output";
import type { RemoteInfo } from "../../es/cluster";
import type { ConnectionState } from "../shared/connectionInput";
import { DynamicResource } from "../shared/providerCode";
import { type ConnectionArgs, connectionInputs, withSecretOutputs } from "../shared/resourceInputs";
import type { RemoteClusterMode } from "./types";

/** Arguments of {@link RemoteCluster}. */
export interface RemoteClusterArgs {
  /** The cluster on which to register the alias. Changing it never replaces the resource. */
  connection: ConnectionArgs;
  /** The alias, e.g. `clusterA` (letters, digits, `_`, `-`). Changing it replaces the resource. */
  alias: pulumi.Input<string>;
  /** `sniff` (ES default) or `proxy`. */
  mode?: pulumi.Input<RemoteClusterMode>;
  /** proxy mode: `host:port` of the remote's transport address (or a proxy in front of it). */
  proxyAddress?: pulumi.Input<string>;
  /** proxy mode: TLS server name. */
  serverName?: pulumi.Input<string>;
  /** proxy mode: number of sockets (ES default 18). */
  proxySocketConnections?: pulumi.Input<number>;
  /** sniff mode: seed nodes, `host:port`. */
  seeds?: pulumi.Input<pulumi.Input<string>[]>;
  /** sniff mode: gateway nodes to connect to (ES default 3). */
  nodeConnections?: pulumi.Input<number>;
  /** Cross-cluster search skips this remote when unavailable (ES default true from 8.15). */
  skipUnavailable?: pulumi.Input<boolean>;
  /**
   * The remote's cross-cluster API key (`encoded`), which the cluster must hold in its keystore as
   * `cluster.remote.<alias>.credentials` (ES 8 API-key remotes). A secret. REST cannot write a
   * keystore: the provider reloads secure settings and fails, naming the keystore command, while
   * `_remote/info` shows no credentials for the alias.
   */
  crossClusterApiKey?: pulumi.Input<string>;
}

/** A remote cluster alias registered on one cluster. */
export class RemoteCluster extends DynamicResource {
  declare readonly alias: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<RemoteClusterMode>;
  declare readonly connection: pulumi.Output<ConnectionState>;
  declare readonly proxyAddress: pulumi.Output<string | undefined>;
  declare readonly serverName: pulumi.Output<string | undefined>;
  declare readonly proxySocketConnections: pulumi.Output<number | undefined>;
  declare readonly seeds: pulumi.Output<string[] | undefined>;
  declare readonly nodeConnections: pulumi.Output<number | undefined>;
  declare readonly skipUnavailable: pulumi.Output<boolean | undefined>;
  /** `_remote/info` reports the local cluster connected to the remote one (as of the last create/update/refresh). */
  declare readonly connected: pulumi.Output<boolean>;
  /** The `_remote/info` entry of the alias. */
  declare readonly remoteInfo: pulumi.Output<RemoteInfo | undefined>;

  constructor(name: string, args: RemoteClusterArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, credentials } = connectionInputs(args.connection);
    super(
      "remoteCluster",
      name,
      {
        connection,
        credentials,
        alias: args.alias,
        mode: args.mode,
        proxyAddress: args.proxyAddress,
        serverName: args.serverName,
        proxySocketConnections: args.proxySocketConnections,
        seeds: args.seeds,
        nodeConnections: args.nodeConnections,
        skipUnavailable: args.skipUnavailable,
        crossClusterApiKey: args.crossClusterApiKey === undefined ? undefined : secret(args.crossClusterApiKey),
        connected: undefined,
        remoteInfo: undefined,
      },
      withSecretOutputs(opts, ["credentials", "crossClusterApiKey"]),
    );
  }
}
