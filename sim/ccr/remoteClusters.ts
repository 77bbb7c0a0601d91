/**
 * The remote-cluster registry of a node (`RemoteClusterService`): one link per enabled
 * `cluster.remote.<alias>` remote, rebuilt when its connection settings change, dropped when the
 * remote is disabled, and `/_remote/info` with the live state. Transport failures are turned into
 * the exceptions ES reports for them (`no_seed_node_left_exception`, `node_disconnected_exception`…).
 *
 * The links themselves come from an injected factory (the TCP transport in a process, anything in
 * unit tests), so this module does no I/O.
 */
import { EsError } from "../engine/errors";
import type { FlatSettings, Json } from "../engine/types";
import type { PeerIdentity } from "../transport/protocol";
import { ccrErrors } from "./errors";
import { DEFAULT_INITIAL_CONNECT_TIMEOUT, readRemoteConfigs, REMOTE_PREFIX, type RemoteClusterConfig } from "./remoteSettings";

/** A connection to one remote cluster, as the transport provides it. */
export interface RemoteLink {
  readonly isConnected: boolean;
  readonly peer: PeerIdentity | undefined;
  /** Whether the keystore holds `cluster.remote.<alias>.credentials` for this remote (API-key model). */
  readonly hasCredentials?: boolean;
  start(): void;
  ensureConnected(): Promise<void>;
  request(action: string, body: unknown, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/** Builds a link to the first reachable address of a list, for remote `alias` (whose credentials it presents). */
export type LinkFactory = (addresses: string[], alias: string) => RemoteLink;

/** A transport failure as raised by the link (no ES exception came back). */
interface LinkFailure {
  kind: "connect" | "disconnected" | "timeout" | "closed";
  message: string;
  address: string;
}

function asLinkFailure(e: unknown): LinkFailure | undefined {
  if (e instanceof Error && typeof (e as unknown as LinkFailure).kind === "string" && !(e instanceof EsError))
    return e as unknown as LinkFailure;
  return undefined;
}

interface Entry {
  config: RemoteClusterConfig;
  link: RemoteLink;
}

/** Connection-affecting parts of a config: a change rebuilds the link (ES `shouldRebuildConnection`). */
function connectionKey(c: RemoteClusterConfig): string {
  return JSON.stringify([c.mode, c.seeds, c.nodeConnections, c.proxyAddress, c.serverName, c.proxySocketConnections]);
}

/** The registry. */
export class RemoteClusterService {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly linkFactory: LinkFactory) {}

  /** Applies the effective settings (node < persistent < transient): creates, rebuilds, updates, removes. */
  update(effective: FlatSettings): void {
    if (this.closed) return;
    const wanted = readRemoteConfigs(effective);
    for (const [alias, entry] of this.entries) {
      const next = wanted.get(alias);
      if (!next) {
        entry.link.close();
        this.entries.delete(alias);
      } else if (connectionKey(next) !== connectionKey(entry.config)) {
        entry.link.close();
        this.entries.set(alias, this.connect(next));
      } else {
        entry.config = next; // skip_unavailable: updated in place
      }
    }
    for (const [alias, config] of wanted) if (!this.entries.has(alias)) this.entries.set(alias, this.connect(config));
  }

  private connect(config: RemoteClusterConfig): Entry {
    const addresses = config.mode === "proxy" ? [config.proxyAddress] : config.seeds;
    const link = this.linkFactory(addresses, config.alias);
    link.start();
    return { config, link };
  }

  /** Whether `alias` is a registered (enabled) remote. */
  has(alias: string): boolean {
    return this.entries.has(alias);
  }

  /** Registered aliases, sorted. */
  aliases(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The remote's identity once connected. */
  peer(alias: string): PeerIdentity | undefined {
    return this.entries.get(alias)?.link.peer;
  }

  /**
   * Sends one request to a remote. Unknown alias → `no_such_remote_cluster_exception`; the peer's own
   * exceptions come back unchanged; transport failures become ES's exceptions for them.
   */
  async call(alias: string, action: string, body: unknown, timeoutMs?: number): Promise<Json> {
    const entry = this.entries.get(alias);
    if (!entry) throw ccrErrors.noSuchRemoteCluster(alias);
    try {
      return (await entry.link.request(action, body, timeoutMs)) as Json;
    } catch (e) {
      const failure = asLinkFailure(e);
      if (!failure) throw e;
      const node = entry.link.peer?.nodeName ?? "";
      switch (failure.kind) {
        case "connect":
          throw entry.config.mode === "proxy"
            ? ccrErrors.noProxyConnection(alias, entry.config.proxyAddress)
            : ccrErrors.noSeedNodeLeft(alias);
        case "disconnected":
          throw ccrErrors.nodeDisconnected(node, failure.address, action);
        case "timeout":
          throw ccrErrors.receiveTimeout(node, failure.address, action, failure.message);
        case "closed":
          throw ccrErrors.transportClosed();
        default: {
          const never: never = failure.kind;
          throw new Error(`unknown transport failure ${String(never)}`);
        }
      }
    }
  }

  /** `GET /_remote/info`: per alias, the live state and the exact field set of its mode. */
  info(): Json {
    const out: Json = {};
    for (const alias of this.aliases()) {
      const { config, link } = this.entries.get(alias)!;
      const connected = link.isConnected;
      const entry: Json = { connected, mode: config.mode };
      if (config.mode === "sniff") {
        entry.seeds = [...config.seeds];
        entry.num_nodes_connected = connected ? Math.min(1, config.nodeConnections) : 0;
        entry.max_connections_per_cluster = config.nodeConnections;
      } else {
        entry.proxy_address = config.proxyAddress;
        entry.server_name = config.serverName;
        // one multiplexed socket stands for the configured pool (see docs/known-gaps.md)
        entry.num_proxy_sockets_connected = connected ? config.proxySocketConnections : 0;
        entry.max_proxy_socket_connections = config.proxySocketConnections;
      }
      entry.initial_connect_timeout = DEFAULT_INITIAL_CONNECT_TIMEOUT;
      entry.skip_unavailable = config.skipUnavailable;
      // ES 8.10+: an API-key remote shows that it has credentials, never their value
      if (link.hasCredentials) entry.cluster_credentials = "::es_redacted::";
      out[alias] = entry;
    }
    return out;
  }

  /** Drops every link. */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) e.link.close();
    this.entries.clear();
  }
}

/** The effective remote settings: node settings overlaid by persistent, then transient. */
export function effectiveRemoteSettings(node: FlatSettings, persistent: FlatSettings, transient: FlatSettings): FlatSettings {
  const out: FlatSettings = {};
  for (const layer of [node, persistent, transient]) {
    for (const [k, v] of Object.entries(layer)) if (k.startsWith(REMOTE_PREFIX)) out[k] = v;
  }
  return out;
}
