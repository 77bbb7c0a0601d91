/**
 * `cluster.remote.<alias>.*` settings with Elasticsearch's validators (`RemoteClusterSettings`,
 * `RemoteConnectionStrategy.StrategyValidator`, `RemoteConnectionEnabled`): sniff and proxy modes,
 * their defaults, the "cannot be used with the configured mode" and "remote cluster is not enabled"
 * cross-checks, and address syntax. Pure functions over flat settings; no connections here.
 */
import { errors } from "../engine/errors";
import { parseBool, parseTimeValue, type ClusterSettingDef } from "../engine/settings";
import type { FlatSettings } from "../engine/types";

/** Prefix of every remote-cluster setting. */
export const REMOTE_PREFIX = "cluster.remote.";
/** ES's affix key pattern: the alias is `[-\w]+`. */
const AFFIX_RE = /^cluster\.remote\.([-\w]+)\.(.+)$/;

/** Default `proxy_socket_connections` (`DEFAULT_REMOTE_SOCKET_CONNECTIONS`). */
export const DEFAULT_PROXY_SOCKET_CONNECTIONS = 18;
/** Default `node_connections` (`cluster.remote.connections_per_cluster`). */
export const DEFAULT_NODE_CONNECTIONS = 3;
/** `skip_unavailable` defaults to true from 8.15 on (es-sim answers as 8.19). */
export const DEFAULT_SKIP_UNAVAILABLE = true;
/** `cluster.remote.initial_connect_timeout` default, as `/_remote/info` shows it. */
export const DEFAULT_INITIAL_CONNECT_TIMEOUT = "30s";

/** Connection strategy of a remote. */
export type RemoteMode = "sniff" | "proxy";

/** One remote cluster as configured. */
export interface RemoteClusterConfig {
  alias: string;
  mode: RemoteMode;
  seeds: string[];
  nodeConnections: number;
  proxyAddress: string;
  serverName: string;
  proxySocketConnections: number;
  skipUnavailable: boolean;
  /** sniff with seeds, or proxy with a proxy address: only enabled remotes exist. */
  enabled: boolean;
}

type Validate = (key: string, value: string | string[], ctx: { mode: RemoteMode; enabled: boolean; present: boolean }) => void;

const strategy =
  (required: RemoteMode, alias: () => string): Validate =>
  (key, _v, ctx) => {
    if (ctx.present && ctx.mode !== required) {
      throw errors.illegalArgument(
        `Setting "${key}" cannot be used with the configured "cluster.remote.${alias()}.mode" [required=${required.toUpperCase()}, configured=${ctx.mode.toUpperCase()}]`,
      );
    }
  };

const asList = (v: string | string[]): string[] =>
  Array.isArray(v)
    ? v
    : v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
const asText = (v: string | string[]): string => (Array.isArray(v) ? v.join(",") : v);

/** `RemoteConnectionStrategy.parsePort` with ES's messages. */
export function parsePort(address: string): number {
  const sep = address.lastIndexOf(":");
  if (sep === -1 || sep === address.length) {
    throw errors.illegalArgument(`remote hosts need to be configured as [host:port], found [${address}] instead`);
  }
  const text = address.slice(sep + 1);
  if (!/^[-+]?\d+$/.test(text) || Math.abs(Number(text)) > 2147483647) throw errors.illegalArgument("failed to parse port");
  const port = Number(text);
  if (port <= 0) throw errors.illegalArgument(`port number must be > 0 but was: [${port}]`);
  return port;
}

function intAtLeast(key: string, value: string, min: number): number {
  if (!/^[-+]?\d+$/.test(value.trim())) throw errors.illegalArgument(`Failed to parse value [${value}] for setting [${key}]`);
  const n = Number(value);
  if (n < min) throw errors.illegalArgument(`Failed to parse value [${value}] for setting [${key}] must be >= ${min}`);
  return n;
}

function enabledCheck(key: string, ctx: { enabled: boolean; present: boolean }): void {
  if (ctx.present && !ctx.enabled) throw errors.illegalArgument(`Cannot configure setting [${key}] if remote cluster is not enabled.`);
}

/** Per-suffix parse + validation, in ES's order: value parser, then the dependency validator. */
function suffixValidators(alias: () => string): Record<string, Validate> {
  return {
    mode: (key, v) => {
      const text = asText(v).toLowerCase();
      if (text !== "sniff" && text !== "proxy") {
        throw errors.illegalArgument(
          `No enum constant org.elasticsearch.transport.RemoteConnectionStrategy.ConnectionStrategy.${asText(v).toUpperCase()}`,
        );
      }
      void key;
    },
    seeds: (key, v, ctx) => {
      for (const s of asList(v)) parsePort(s);
      strategy("sniff", alias)(key, v, ctx);
    },
    node_connections: (key, v, ctx) => {
      intAtLeast(key, asText(v), 1);
      strategy("sniff", alias)(key, v, ctx);
    },
    proxy: (key, v, ctx) => {
      if (asText(v).length > 0) parsePort(asText(v));
      strategy("sniff", alias)(key, v, ctx);
    },
    proxy_address: (key, v, ctx) => {
      if (asText(v).length > 0) parsePort(asText(v));
      strategy("proxy", alias)(key, v, ctx);
    },
    proxy_socket_connections: (key, v, ctx) => {
      intAtLeast(key, asText(v), 1);
      strategy("proxy", alias)(key, v, ctx);
    },
    server_name: (key, v, ctx) => strategy("proxy", alias)(key, v, ctx),
    skip_unavailable: (key, v, ctx) => {
      parseBool(key, asText(v));
      enabledCheck(key, ctx);
    },
    "transport.ping_schedule": (key, v, ctx) => {
      parseTimeValue(key, asText(v));
      enabledCheck(key, ctx);
    },
    "transport.compress": (key, v, ctx) => {
      const t = asText(v).toLowerCase();
      if (!["true", "false", "indexing_data"].includes(t)) {
        throw errors.illegalArgument(`No enum constant org.elasticsearch.transport.Compression.Enabled.${asText(v).toUpperCase()}`);
      }
      enabledCheck(key, ctx);
    },
    "transport.compression_scheme": (key, v, ctx) => {
      const t = asText(v).toLowerCase();
      if (!["deflate", "lz4"].includes(t)) {
        throw errors.illegalArgument(`No enum constant org.elasticsearch.transport.Compression.Scheme.${asText(v).toUpperCase()}`);
      }
      enabledCheck(key, ctx);
    },
  };
}

const KNOWN_SUFFIXES = new Set(Object.keys(suffixValidators(() => "")));

/** Splits `cluster.remote.<alias>.<suffix>`; undefined for node-level or unknown keys. */
export function splitRemoteKey(key: string): { alias: string; suffix: string } | undefined {
  const m = AFFIX_RE.exec(key);
  if (!m || !KNOWN_SUFFIXES.has(m[2]!)) return undefined;
  return { alias: m[1]!, suffix: m[2]! };
}

/** Reads one alias's configuration from flat settings (defaults applied). */
function configOf(alias: string, settings: FlatSettings): RemoteClusterConfig {
  const get = (suffix: string) => settings[`${REMOTE_PREFIX}${alias}.${suffix}`];
  const modeRaw = get("mode");
  const mode: RemoteMode = modeRaw !== undefined && asText(modeRaw).toLowerCase() === "proxy" ? "proxy" : "sniff";
  const seeds = get("seeds") === undefined ? [] : asList(get("seeds")!);
  const proxyAddress = get("proxy_address") === undefined ? "" : asText(get("proxy_address")!);
  const skip = get("skip_unavailable");
  return {
    alias,
    mode,
    seeds,
    nodeConnections: get("node_connections") === undefined ? DEFAULT_NODE_CONNECTIONS : Number(asText(get("node_connections")!)),
    proxyAddress,
    serverName: get("server_name") === undefined ? "" : asText(get("server_name")!),
    proxySocketConnections:
      get("proxy_socket_connections") === undefined ? DEFAULT_PROXY_SOCKET_CONNECTIONS : Number(asText(get("proxy_socket_connections")!)),
    skipUnavailable: skip === undefined ? DEFAULT_SKIP_UNAVAILABLE : asText(skip) === "true",
    enabled: mode === "sniff" ? seeds.length > 0 : proxyAddress.length > 0,
  };
}

/** Aliases mentioned by any remote key of `settings`. */
function aliasesIn(settings: FlatSettings): string[] {
  const out = new Set<string>();
  for (const key of Object.keys(settings)) {
    const parts = splitRemoteKey(key);
    if (parts) out.add(parts.alias);
  }
  return [...out].sort();
}

/** The enabled remotes configured by `settings` (node settings overlaid by persistent, then transient). */
export function readRemoteConfigs(settings: FlatSettings): Map<string, RemoteClusterConfig> {
  const out = new Map<string, RemoteClusterConfig>();
  for (const alias of aliasesIn(settings)) {
    const c = configOf(alias, settings);
    if (c.enabled) out.set(alias, c);
  }
  return out;
}

/**
 * Validates every remote key of one scope as it would be after an update, in sorted key order as
 * ES's `AbstractScopedSettings.validate` does; unknown suffixes among the touched keys are
 * "not recognized".
 */
export function validateRemoteSettings(merged: FlatSettings, touched: string[], scope: "persistent" | "transient"): void {
  for (const key of touched) {
    if (key.startsWith(REMOTE_PREFIX) && key in merged && !splitRemoteKey(key) && !NODE_LEVEL_KEYS.has(key)) {
      throw errors.clusterSettingNotRecognized(scope, key);
    }
  }
  const keys = Object.keys(merged)
    .filter((k) => splitRemoteKey(k))
    .sort();
  for (const key of keys) {
    const { alias, suffix } = splitRemoteKey(key)!;
    const config = configOf(alias, merged);
    const validators = suffixValidators(() => alias);
    validators[suffix]!(key, merged[key]!, { mode: config.mode, enabled: config.enabled, present: true });
  }
}

/** Node-level (static) remote settings: readable, not updatable through the API. */
const NODE_LEVEL_KEYS = new Set([
  "cluster.remote.initial_connect_timeout",
  "cluster.remote.connections_per_cluster",
  "cluster.remote.node.attr",
]);

/** Definitions to register with the engine's cluster-settings registry. */
export function remoteClusterSettingDefs(): ClusterSettingDef[] {
  return [
    { key: "cluster.remote.initial_connect_timeout", default: DEFAULT_INITIAL_CONNECT_TIMEOUT, dynamic: false },
    { key: "cluster.remote.connections_per_cluster", default: String(DEFAULT_NODE_CONNECTIONS), dynamic: false },
    { key: "cluster.remote.node.attr", dynamic: false },
    // the affix family; per-key and cross-key checks run in `validateRemoteSettings`
    { key: REMOTE_PREFIX, dynamic: true },
  ];
}
