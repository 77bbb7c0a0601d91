/** Typed cluster-level calls (rest-api-spec `info`, `cluster.*`). */
import type { Es } from "./connection";
import { call } from "./request";

/** Identity of a cluster (`GET /`). */
export interface ClusterInfo {
  clusterName: string;
  clusterUuid: string;
  version: string | undefined;
}

/** `info`: the cluster's name and UUID. */
export async function info(es: Es): Promise<ClusterInfo> {
  const r = (await call(es, "info", undefined, (c) => c.info())) as unknown as Record<string, unknown>;
  const version = r["version"] as { number?: string } | undefined;
  return { clusterName: String(r["cluster_name"] ?? ""), clusterUuid: String(r["cluster_uuid"] ?? ""), version: version?.number };
}

/** Flat cluster settings by scope. Values are as ES renders them: strings, or arrays for lists. */
export interface ClusterSettings {
  persistent: Record<string, unknown>;
  transient: Record<string, unknown>;
}

/** `cluster.get_settings` with `flat_settings=true`. */
export async function clusterGetSettings(es: Es): Promise<ClusterSettings> {
  const r = (await call(es, "cluster.get_settings", undefined, (c) => c.cluster.getSettings({ flat_settings: true }))) as unknown as Record<
    string,
    unknown
  >;
  return { persistent: flatten(r["persistent"]), transient: flatten(r["transient"]) };
}

/** Settings values to write; `null` resets a key to its default. */
export type SettingsBody = Record<string, string | number | boolean | string[] | null>;

/** `cluster.put_settings` of persistent settings, in one request. */
export async function clusterPutSettings(es: Es, persistent: SettingsBody): Promise<void> {
  await call(es, "cluster.put_settings", undefined, (c) => c.cluster.putSettings({ persistent: persistent as never }));
}

/**
 * `nodes.reload_secure_settings`: every node re-reads its keystore (the only way to apply a
 * `cluster.remote.<alias>.credentials` added with `elasticsearch-keystore` without a restart;
 * REST cannot write the keystore). Returns the nodes that failed to reload, with their reasons.
 */
export async function nodesReloadSecureSettings(es: Es): Promise<string[]> {
  const r = (await call(es, "nodes.reload_secure_settings", undefined, (c) => c.nodes.reloadSecureSettings())) as unknown as {
    nodes?: Record<string, { name?: string; reload_exception?: { reason?: string } }>;
  };
  return Object.entries(r?.nodes ?? {})
    .filter(([, n]) => n.reload_exception)
    .map(([id, n]) => `${n.name ?? id}: ${n.reload_exception?.reason ?? "reload failed"}`);
}

/** One alias of `GET /_remote/info`. */
export interface RemoteInfo {
  connected: boolean;
  mode: string | undefined;
  seeds?: string[];
  numNodesConnected?: number;
  proxyAddress?: string;
  serverName?: string;
  numProxySocketsConnected?: number;
  skipUnavailable: boolean | undefined;
  /** ES 8.10+: the alias has `cluster.remote.<alias>.credentials` in the keystore (`cluster_credentials`, redacted). */
  clusterCredentials?: boolean;
}

/** `cluster.remote_info`: connection state per registered alias. */
export async function remoteInfo(es: Es): Promise<Record<string, RemoteInfo>> {
  const r = (await call(es, "cluster.remote_info", undefined, (c) => c.cluster.remoteInfo())) as unknown as Record<
    string,
    Record<string, unknown>
  >;
  const out: Record<string, RemoteInfo> = {};
  for (const [alias, v] of Object.entries(r ?? {})) {
    const entry: RemoteInfo = {
      connected: v["connected"] === true,
      mode: typeof v["mode"] === "string" ? (v["mode"] as string) : undefined,
      skipUnavailable: typeof v["skip_unavailable"] === "boolean" ? (v["skip_unavailable"] as boolean) : undefined,
    };
    if (Array.isArray(v["seeds"])) entry.seeds = (v["seeds"] as unknown[]).map(String);
    if (typeof v["num_nodes_connected"] === "number") entry.numNodesConnected = v["num_nodes_connected"] as number;
    if (typeof v["proxy_address"] === "string") entry.proxyAddress = v["proxy_address"] as string;
    if (typeof v["server_name"] === "string") entry.serverName = v["server_name"] as string;
    if (typeof v["num_proxy_sockets_connected"] === "number") entry.numProxySocketsConnected = v["num_proxy_sockets_connected"] as number;
    if (v["cluster_credentials"] !== undefined) entry.clusterCredentials = true;
    out[alias] = entry;
  }
  return out;
}

/** Flattens nested settings objects into dotted keys (ES answers flat with `flat_settings`, but be lenient). */
export function flatten(v: unknown, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof val === "object" && val !== null && !Array.isArray(val)) Object.assign(out, flatten(val, key));
    else out[key] = val;
  }
  return out;
}
