/** Inputs and outputs of the RemoteCluster resource, as stored in the Pulumi state. */
import type { RemoteInfo } from "../../es/cluster";
import type { ConnectionState, Credentials } from "../shared/connectionInput";

/** How the local cluster reaches the remote one (ES `cluster.remote.<alias>.mode`). */
export type RemoteClusterMode = "proxy" | "sniff";

/** Stored inputs (after `check`). */
export interface RemoteClusterInputs {
  /** The cluster on which the alias is registered (non-secret part). */
  connection: ConnectionState;
  /** Secret part of `connection`. */
  credentials?: Credentials;
  /** The alias, e.g. `clusterA`. Changing it replaces the resource. */
  alias: string;
  /** `sniff` (ES default) or `proxy`. */
  mode: RemoteClusterMode;
  /** proxy: `host:port` of the remote's transport (or proxy) address. */
  proxyAddress?: string;
  /** proxy: TLS server name (SNI). */
  serverName?: string;
  /** proxy: sockets to open (ES default 18). */
  proxySocketConnections?: number;
  /** sniff: `host:port` seed nodes of the remote. */
  seeds?: string[];
  /** sniff: gateway nodes to connect to (ES default 3). */
  nodeConnections?: number;
  /** Whether cross-cluster search skips this remote when it is unavailable (ES default: true from 8.15). */
  skipUnavailable?: boolean;
  /**
   * The cross-cluster API key (the `encoded` value of `POST /_security/cross_cluster/api_key` on
   * the remote) this cluster must hold in its keystore as `cluster.remote.<alias>.credentials`.
   * REST cannot write a keystore: the provider reloads secure settings and checks that the alias
   * has credentials; it never sends the key anywhere (secret in the state).
   */
  crossClusterApiKey?: string;
}

/** Stored outputs: the inputs as observed, plus the connection state. */
export interface RemoteClusterOutputs extends RemoteClusterInputs {
  /** `_remote/info` says the local cluster is connected to the remote one. */
  connected: boolean;
  /** The `_remote/info` entry of the alias, if registered. */
  remoteInfo?: RemoteInfo;
}

/** The per-alias settings a RemoteCluster owns; `undefined` members mean "ES default". */
export interface OwnedRemoteSettings {
  mode: RemoteClusterMode;
  seeds?: string[];
  nodeConnections?: number;
  proxyAddress?: string;
  serverName?: string;
  proxySocketConnections?: number;
  skipUnavailable?: boolean;
}

/** Keys of {@link RemoteClusterInputs} that are user inputs (compared by `diff`). */
export const REMOTE_CLUSTER_INPUT_KEYS = [
  "connection",
  "credentials",
  "alias",
  "mode",
  "proxyAddress",
  "serverName",
  "proxySocketConnections",
  "seeds",
  "nodeConnections",
  "skipUnavailable",
  "crossClusterApiKey",
] as const;
