/**
 * Pure planners for RemoteCluster: the owned settings before and after → the settings request.
 * A RemoteCluster owns exactly the keys in {@link OWNED_SETTING_KEYS} of `cluster.remote.<alias>`;
 * it writes all of them on every change (`null` for "ES default") and nothing else, except on
 * delete, where every key of the alias must be nulled in the same request or ES refuses with
 * "Cannot configure setting [...] if remote cluster is not enabled" (docs/providers.md, "Facts").
 */
import type { SettingsBody } from "../../es/cluster";
import { deepEqual } from "../shared/util";
import type { OwnedRemoteSettings, RemoteClusterInputs, RemoteClusterMode } from "./types";

/** One step of a RemoteCluster plan. */
export type RemoteClusterOp =
  | {
      kind: "putSettings";
      /** The alias the settings belong to (for messages). */
      alias: string;
      /** Persistent settings to write, flat keys. */
      persistent: SettingsBody;
    }
  | {
      /** `POST _nodes/reload_secure_settings`: apply a key the operator added to the keystore. */
      kind: "reloadSecureSettings";
      alias: string;
    };

/** The settings step of a plan. */
export type PutSettingsOp = Extract<RemoteClusterOp, { kind: "putSettings" }>;

/** Setting suffixes (after `cluster.remote.<alias>.`) that a RemoteCluster owns, with their input names. */
export const OWNED_SETTING_KEYS: ReadonlyArray<readonly [keyof OwnedRemoteSettings, string]> = [
  ["mode", "mode"],
  ["seeds", "seeds"],
  ["nodeConnections", "node_connections"],
  ["proxyAddress", "proxy_address"],
  ["serverName", "server_name"],
  ["proxySocketConnections", "proxy_socket_connections"],
  ["skipUnavailable", "skip_unavailable"],
];

/** The setting-key prefix of an alias. */
export function aliasPrefix(alias: string): string {
  return `cluster.remote.${alias}.`;
}

/** The owned settings the inputs ask for (mode-foreign fields dropped; `check` rejects them anyway). */
export function desiredSettings(i: RemoteClusterInputs): OwnedRemoteSettings {
  const out: OwnedRemoteSettings = { mode: i.mode };
  if (i.mode === "proxy") {
    if (i.proxyAddress !== undefined) out.proxyAddress = i.proxyAddress;
    if (i.serverName !== undefined) out.serverName = i.serverName;
    if (i.proxySocketConnections !== undefined) out.proxySocketConnections = i.proxySocketConnections;
  } else {
    if (i.seeds !== undefined) out.seeds = [...i.seeds];
    if (i.nodeConnections !== undefined) out.nodeConnections = i.nodeConnections;
  }
  if (i.skipUnavailable !== undefined) out.skipUnavailable = i.skipUnavailable;
  return out;
}

/**
 * The owned settings of `alias` in flat persistent settings, or `undefined` when the alias has
 * no setting at all (never registered, or removed out of band).
 */
export function observedSettings(alias: string, persistent: Record<string, unknown>): OwnedRemoteSettings | undefined {
  const prefix = aliasPrefix(alias);
  const own = Object.keys(persistent).filter((k) => k.startsWith(prefix));
  if (own.length === 0) return undefined;
  const get = (suffix: string): unknown => {
    const direct = persistent[prefix + suffix];
    if (direct !== undefined) return direct;
    // Some renderings flatten lists as key.0, key.1, …
    const indexed = Object.keys(persistent)
      .filter((k) => k.startsWith(`${prefix}${suffix}.`) && /^\d+$/.test(k.slice(prefix.length + suffix.length + 1)))
      .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
    return indexed.length > 0 ? indexed.map((k) => persistent[k]) : undefined;
  };
  const modeRaw = get("mode");
  const mode: RemoteClusterMode = typeof modeRaw === "string" && modeRaw.toLowerCase() === "proxy" ? "proxy" : "sniff";
  const out: OwnedRemoteSettings = { mode };
  const seeds = get("seeds");
  if (seeds !== undefined && seeds !== null) {
    const list = Array.isArray(seeds)
      ? seeds.map(String)
      : String(seeds)
          .split(",")
          .map((s) => s.trim());
    const nonEmpty = list.filter((s) => s.length > 0);
    if (nonEmpty.length > 0) out.seeds = nonEmpty;
  }
  const num = (v: unknown): number | undefined => (v === undefined || v === null || v === "" ? undefined : Number(v));
  const str = (v: unknown): string | undefined => (v === undefined || v === null || v === "" ? undefined : String(v));
  const nodeConnections = num(get("node_connections"));
  if (nodeConnections !== undefined) out.nodeConnections = nodeConnections;
  const proxyAddress = str(get("proxy_address"));
  if (proxyAddress !== undefined) out.proxyAddress = proxyAddress;
  const serverName = str(get("server_name"));
  if (serverName !== undefined) out.serverName = serverName;
  const sockets = num(get("proxy_socket_connections"));
  if (sockets !== undefined) out.proxySocketConnections = sockets;
  const skip = get("skip_unavailable");
  if (skip !== undefined && skip !== null) out.skipUnavailable = String(skip) === "true";
  return out;
}

/** The request body that sets exactly the owned keys of `alias` to `desired` (`null` = ES default). */
export function settingsBody(alias: string, desired: OwnedRemoteSettings): SettingsBody {
  const body: SettingsBody = {};
  for (const [field, suffix] of OWNED_SETTING_KEYS) {
    const v = desired[field];
    body[aliasPrefix(alias) + suffix] = v === undefined ? null : Array.isArray(v) ? [...v] : (v as string | number | boolean);
  }
  return body;
}

/**
 * create/update: nothing when the owned settings already match, else one request writing all owned
 * keys. With a cross-cluster API key: secure settings are reloaded first when the key is new or
 * changed, or the alias does not show credentials yet (`hasCredentials`: `_remote/info`'s
 * `cluster_credentials`), so a key just added to the keystore is applied.
 */
export function planApply(
  observed: OwnedRemoteSettings | undefined,
  inputs: RemoteClusterInputs,
  credentials: { hasCredentials: boolean; keyChanged: boolean } = { hasCredentials: false, keyChanged: false },
): RemoteClusterOp[] {
  const ops: RemoteClusterOp[] = [];
  if (inputs.crossClusterApiKey !== undefined && (credentials.keyChanged || !credentials.hasCredentials)) {
    ops.push({ kind: "reloadSecureSettings", alias: inputs.alias });
  }
  const desired = desiredSettings(inputs);
  if (observed !== undefined && deepEqual(observed, desired)) return ops;
  ops.push({ kind: "putSettings", alias: inputs.alias, persistent: settingsBody(inputs.alias, desired) });
  return ops;
}

/**
 * Whether the credentials check fails after an apply: a key is configured but the alias shows no
 * `cluster_credentials` — the keystore of the cluster does not hold it.
 */
export function credentialsMissing(inputs: RemoteClusterInputs, hasCredentials: boolean): boolean {
  return inputs.crossClusterApiKey !== undefined && !hasCredentials;
}

/** The likely fix of missing credentials (never the key itself). */
export function credentialsFix(alias: string, cluster: string): string {
  return (
    `Likely fix: on every node of cluster "${cluster}" run \`bin/elasticsearch-keystore add cluster.remote.${alias}.credentials\` ` +
    `and paste the cross-cluster API key (the secret crossClusterApiKey; es-sim: \`bin/es-sim keystore add cluster.remote.${alias}.credentials -E path.data=<dir>\`), ` +
    `then run the update again: it reloads secure settings (POST _nodes/reload_secure_settings). ` +
    `Elasticsearch has no REST API that writes the keystore.`
  );
}

/**
 * delete: one request nulling every present key of the alias plus every owned key, so the
 * alias is disabled and removed in one step; nothing when the alias has no setting left.
 */
export function planDelete(alias: string, persistent: Record<string, unknown>): PutSettingsOp[] {
  const prefix = aliasPrefix(alias);
  const present = Object.keys(persistent).filter((k) => k.startsWith(prefix));
  if (present.length === 0) return [];
  const body: SettingsBody = {};
  for (const [, suffix] of OWNED_SETTING_KEYS) body[prefix + suffix] = null;
  for (const k of present) {
    // List renderings (key.0, key.1) reset through their base key.
    const m = /^(.*)\.\d+$/.exec(k);
    body[m && OWNED_SETTING_KEYS.some(([, s]) => prefix + s === m[1]) ? m[1]! : k] = null;
  }
  return [{ kind: "putSettings", alias, persistent: body }];
}
