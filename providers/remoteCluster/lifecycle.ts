/**
 * RemoteCluster lifecycle as plain async functions (callable from tests and the CLI without the
 * Pulumi engine) and the dynamic provider object that delegates to them. Every method builds its
 * client inside itself from the stored inputs (docs/providers.md, "Facts").
 */
import type * as pulumi from "@pulumi/pulumi";
import { clusterGetSettings, type RemoteInfo, remoteInfo } from "../../es/cluster";
import { connectShared as realConnect, type Connection, type Es } from "../../es/connection";
import { Failures, UNKNOWN } from "../shared/check";
import { checkConnection, joinConnection } from "../shared/connectionInput";
import { changedKeys } from "../shared/diff";
import { compact, deepEqual, sleep } from "../shared/util";
import { ProviderError } from "../shared/errors";
import { executeRemoteClusterOps } from "./execute";
import { credentialsFix, credentialsMissing, desiredSettings, observedSettings, planApply, planDelete } from "./plan";
import { type OwnedRemoteSettings, REMOTE_CLUSTER_INPUT_KEYS, type RemoteClusterInputs, type RemoteClusterOutputs } from "./types";

/** What the lifecycle functions need from outside; tests inject a fake connection. */
export interface RemoteClusterDeps {
  connect?: (conn: Connection) => Es;
  /** Bound on waiting for `_remote/info` to report `connected` after a change. */
  connectWaitMs?: number;
}

/**
 * How long create/update wait for the new remote connection to come up before reporting
 * `connected: false`. Short on purpose: during a disaster the peer is down, and registering it
 * must still succeed (skip_unavailable) without stalling the update.
 */
export const REMOTE_CONNECT_WAIT_MS = 3_000;
const REMOTE_CONNECT_POLL_MS = 250;

/** `check`: validates every input and reports every problem; fills `mode` with the ES default. */
export function checkRemoteCluster(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: Array<{ property: string; reason: string }>;
} {
  const f = new Failures();
  checkConnection(f, "connection", "credentials", news["connection"], news["credentials"]);
  f.alias("alias", news["alias"]);
  const mode = news["mode"] ?? "sniff";
  f.optionalEnum("mode", mode, ["proxy", "sniff"]);
  const present = (k: string) => news[k] !== undefined && news[k] !== null;
  if (mode === "proxy") {
    if (news["proxyAddress"] === undefined || news["proxyAddress"] === null) {
      f.add("proxyAddress", 'proxyAddress (host:port) is required when mode is "proxy".');
    } else f.hostPort("proxyAddress", news["proxyAddress"]);
    f.optionalString("serverName", news["serverName"]);
    f.optionalInteger("proxySocketConnections", news["proxySocketConnections"], 1, 1024);
    for (const k of ["seeds", "nodeConnections"]) {
      if (present(k)) f.add(k, `${k} applies to mode "sniff" only; remove it or set mode: "sniff".`);
    }
  } else if (mode === "sniff") {
    const seeds = news["seeds"];
    if (seeds !== UNKNOWN) {
      if (!Array.isArray(seeds) || seeds.length === 0) f.add("seeds", 'seeds (a list of host:port) is required when mode is "sniff".');
      else seeds.forEach((s, i) => f.hostPort(`seeds[${i}]`, s));
    }
    f.optionalInteger("nodeConnections", news["nodeConnections"], 1, 1024);
    for (const k of ["proxyAddress", "serverName", "proxySocketConnections"]) {
      if (present(k)) f.add(k, `${k} applies to mode "proxy" only; remove it or set mode: "proxy".`);
    }
  }
  f.optionalBoolean("skipUnavailable", news["skipUnavailable"]);
  const key = news["crossClusterApiKey"];
  if (key !== undefined && key !== null && key !== UNKNOWN) {
    const decoded = typeof key === "string" ? Buffer.from(key, "base64").toString("utf8") : "";
    if (typeof key !== "string" || !/^[A-Za-z0-9+/=_-]+$/.test(key) || decoded.indexOf(":") <= 0) {
      f.add(
        "crossClusterApiKey",
        "crossClusterApiKey must be the `encoded` value returned by POST /_security/cross_cluster/api_key on the remote cluster.",
      );
    }
  }
  return { inputs: { ...news, mode }, failures: f.list };
}

/** `diff`: alias change = replace; any other input or provider-code change = update. */
export function diffRemoteCluster(olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const changed = changedKeys(olds, news, REMOTE_CLUSTER_INPUT_KEYS);
  const replaces = changed.filter((k) => k === "alias");
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
}

function connectionOf(i: RemoteClusterInputs): Connection {
  return joinConnection(i.connection, i.credentials);
}

async function applyAndDescribe(i: RemoteClusterInputs, deps: RemoteClusterDeps, oldKey?: string): Promise<RemoteClusterOutputs> {
  const es = (deps.connect ?? realConnect)(connectionOf(i));
  const before = observedSettings(i.alias, (await clusterGetSettings(es)).persistent);
  const hasCredentials = i.crossClusterApiKey !== undefined && (await remoteInfo(es))[i.alias]?.clusterCredentials === true;
  const ops = planApply(before, i, { hasCredentials, keyChanged: i.crossClusterApiKey !== oldKey });
  await executeRemoteClusterOps(es, ops);
  const wait = ops.length > 0 ? (deps.connectWaitMs ?? REMOTE_CONNECT_WAIT_MS) : 0;
  const info = await waitForConnection(es, i.alias, wait);
  if (credentialsMissing(i, info?.clusterCredentials === true)) {
    throw new ProviderError(
      "step_failed",
      `RemoteCluster "${i.alias}" on cluster "${es.cluster}": a cross-cluster API key is configured but the cluster's keystore holds no ` +
        `cluster.remote.${i.alias}.credentials (GET _remote/info shows no cluster_credentials for "${i.alias}" after reloading secure settings); ` +
        `a secured "${i.alias}" refuses this cluster's transport connections without it. ${credentialsFix(i.alias, es.cluster)}`,
    );
  }
  return outputsOf(i, desiredSettings(i), info);
}

async function waitForConnection(es: Es, alias: string, waitMs: number): Promise<RemoteInfo | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const info = (await remoteInfo(es))[alias];
    if (info?.connected || Date.now() >= deadline) return info;
    await sleep(REMOTE_CONNECT_POLL_MS);
  }
}

function outputsOf(i: RemoteClusterInputs, s: OwnedRemoteSettings, info: RemoteInfo | undefined): RemoteClusterOutputs {
  const base: RemoteClusterInputs = compact({
    connection: i.connection,
    credentials: i.credentials,
    alias: i.alias,
    mode: s.mode,
    proxyAddress: s.proxyAddress,
    serverName: s.serverName,
    proxySocketConnections: s.proxySocketConnections,
    seeds: s.seeds,
    nodeConnections: s.nodeConnections,
    skipUnavailable: s.skipUnavailable,
    crossClusterApiKey: i.crossClusterApiKey,
  });
  return compact({ ...base, connected: info?.connected ?? false, remoteInfo: info ? compact({ ...info }) : undefined });
}

/** `create`: writes the owned settings (adopting an alias that already has them) and reports the connection. */
export async function createRemoteCluster(
  inputs: RemoteClusterInputs,
  deps: RemoteClusterDeps = {},
): Promise<{ id: string; outs: RemoteClusterOutputs }> {
  return { id: inputs.alias, outs: await applyAndDescribe(inputs, deps) };
}

/** `update`: the same convergence as create, for the new inputs. */
export async function updateRemoteCluster(
  news: RemoteClusterInputs,
  deps: RemoteClusterDeps = {},
  olds?: RemoteClusterInputs,
): Promise<{ outs: RemoteClusterOutputs }> {
  return { outs: await applyAndDescribe(news, deps, olds?.crossClusterApiKey) };
}

/**
 * `read` (refresh): the settings as they are. An alias removed out of band drops the resource
 * from the state (the next `up` re-creates it); changed settings come back as outputs and as
 * inputs, so `preview --diff` shows old → desired and `up` writes them again.
 */
export async function readRemoteCluster(
  id: string,
  props: RemoteClusterOutputs,
  deps: RemoteClusterDeps = {},
): Promise<{ id?: string; props?: RemoteClusterOutputs; inputs?: RemoteClusterInputs }> {
  const es = (deps.connect ?? realConnect)(connectionOf(props));
  const observed = observedSettings(props.alias, (await clusterGetSettings(es)).persistent);
  if (observed === undefined) return {};
  const info = (await remoteInfo(es))[props.alias];
  const outs = outputsOf(props, observed, info);
  const drifted = !deepEqual(observed, desiredSettings(props));
  if (!drifted) return { id, props: outs };
  const { connected: _c, remoteInfo: _r, ...inputs } = outs;
  return { id, props: outs, inputs };
}

/** `delete`: nulls every key of the alias in one request; an alias already gone is done. */
export async function deleteRemoteCluster(props: RemoteClusterOutputs, deps: RemoteClusterDeps = {}): Promise<void> {
  const es = (deps.connect ?? realConnect)(connectionOf(props));
  const ops = planDelete(props.alias, (await clusterGetSettings(es)).persistent);
  await executeRemoteClusterOps(es, ops);
}

/** The dynamic provider: thin delegation to the functions above. */
export const remoteClusterProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return checkRemoteCluster(news);
  },
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return diffRemoteCluster(olds, news);
  },
  async create(inputs: RemoteClusterInputs) {
    return createRemoteCluster(inputs);
  },
  async read(id: string, props: RemoteClusterOutputs) {
    return readRemoteCluster(id, props);
  },
  async update(_id: string, olds: RemoteClusterOutputs, news: RemoteClusterInputs) {
    return updateRemoteCluster(news, {}, olds);
  },
  async delete(_id: string, props: RemoteClusterOutputs) {
    await deleteRemoteCluster(props);
  },
};
