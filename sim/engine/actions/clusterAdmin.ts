/**
 * Cluster-level actions: `GET /` (ES's `TransportMainAction`), cluster health
 * (`TransportClusterHealthAction`) and cluster settings (`TransportClusterGetSettingsAction`,
 * `TransportClusterUpdateSettingsAction`). Each takes the cluster state as its first argument.
 */
import { ES_VERSION, type Cluster } from "../cluster";
import { EsError, errors } from "../errors";
import { isWildcard, simpleMatch } from "../names";
import { flattenSettings, nestSettings, sortedFlat } from "../settings";
import type { Answer, FlatSettings, Json } from "../types";
import { replicasOf } from "./shardCopies";

/** Default `timeout` of `GET /_cluster/health` when waiting for a status. */
export const HEALTH_DEFAULT_TIMEOUT_MS = 30_000;
/** How often a waiting health request re-evaluates. */
const HEALTH_POLL_MS = 50;

/** `GET /` */
export function info(cluster: Cluster): Json {
  return {
    name: cluster.nodeName,
    cluster_name: cluster.clusterName,
    cluster_uuid: cluster.clusterUuid,
    version: { ...ES_VERSION },
    tagline: "You Know, for Search",
  };
}

function healthOf(
  cluster: Cluster,
  names: string[],
): { status: "green" | "yellow" | "red"; primaries: number; active: number; unassigned: number } {
  let primaries = 0;
  let unassigned = 0;
  for (const n of names) {
    const s = cluster.shard(n)!;
    const shards = Number(s.setting("index.number_of_shards"));
    const replicas = replicasOf(s);
    primaries += shards;
    unassigned += shards * replicas;
  }
  return { status: unassigned > 0 ? "yellow" : "green", primaries, active: primaries, unassigned };
}

/**
 * `GET /_cluster/health[/{index}]`: yellow while any index has replicas (they cannot be assigned
 * on one node). With `wait_for_status` it waits up to `timeout`, then answers 408 `timed_out`.
 */
export async function health(
  cluster: Cluster,
  index: string | undefined,
  opts: { waitForStatus?: string; timeoutMs?: number; level?: string },
): Promise<Answer> {
  const rank = { green: 0, yellow: 1, red: 2 } as const;
  const deadline = cluster.now() + (opts.timeoutMs ?? HEALTH_DEFAULT_TIMEOUT_MS);
  const waitFor = opts.waitForStatus as keyof typeof rank | undefined;
  if (waitFor !== undefined && !(waitFor in rank)) throw errors.illegalArgument(`unknown cluster health status [${waitFor}]`);
  for (;;) {
    let names: string[];
    let missing = false;
    try {
      names = cluster.resolve(index, { expandWildcards: ["open", "closed"] });
    } catch (e) {
      if (!(e instanceof EsError) || e.type !== "index_not_found_exception") throw e;
      names = [];
      missing = true;
    }
    const h = healthOf(cluster, names);
    const status = missing ? "red" : h.status;
    const satisfied = waitFor === undefined ? !missing : rank[status] <= rank[waitFor];
    const timedOut = !satisfied && cluster.now() >= deadline;
    if (satisfied || timedOut || cluster.isClosed) {
      const all = healthOf(cluster, cluster.indexNames());
      const scope = index === undefined ? all : h;
      const body: Json = {
        cluster_name: cluster.clusterName,
        status,
        timed_out: timedOut,
        number_of_nodes: 1,
        number_of_data_nodes: 1,
        active_primary_shards: scope.primaries,
        active_shards: scope.active,
        relocating_shards: 0,
        initializing_shards: 0,
        unassigned_shards: scope.unassigned,
        unassigned_primary_shards: 0,
        delayed_unassigned_shards: 0,
        number_of_pending_tasks: 0,
        number_of_in_flight_fetch: 0,
        task_max_waiting_in_queue_millis: 0,
        active_shards_percent_as_number: all.active + all.unassigned === 0 ? 100 : (all.active / (all.active + all.unassigned)) * 100,
      };
      if (opts.level === "indices" || opts.level === "shards") {
        const indices: Json = {};
        for (const n of names) {
          const one = healthOf(cluster, [n]);
          const s = cluster.shard(n)!;
          const entry: Json = {
            status: one.status,
            number_of_shards: Number(s.setting("index.number_of_shards")),
            number_of_replicas: replicasOf(s),
            active_primary_shards: one.primaries,
            active_shards: one.active,
            relocating_shards: 0,
            initializing_shards: 0,
            unassigned_shards: one.unassigned,
            unassigned_primary_shards: 0,
          };
          if (opts.level === "shards") {
            const shards: Json = {};
            for (let i = 0; i < Number(s.setting("index.number_of_shards")); i++) {
              shards[String(i)] = {
                status: one.status,
                primary_active: true,
                active_shards: 1,
                relocating_shards: 0,
                initializing_shards: 0,
                unassigned_shards: replicasOf(s),
                unassigned_primary_shards: 0,
              };
            }
            entry.shards = shards;
          }
          indices[n] = entry;
        }
        body.indices = indices;
      }
      return { status: timedOut ? 408 : 200, body };
    }
    await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
  }
}

/** `GET /_cluster/settings` */
export function getClusterSettings(cluster: Cluster, opts: { flat?: boolean; includeDefaults?: boolean }): Json {
  const render = (f: FlatSettings) => (opts.flat ? sortedFlat(f) : nestSettings(f));
  const body: Json = { persistent: render(cluster.persistent), transient: render(cluster.transient) };
  if (opts.includeDefaults) {
    const defaults: FlatSettings = { "cluster.name": cluster.clusterName, "node.name": cluster.nodeName, ...(cluster.nodeSettings ?? {}) };
    for (const d of cluster.clusterSettingDefs()) {
      if (!d.key.endsWith(".") && d.default !== undefined && !(d.key in cluster.persistent) && !(d.key in cluster.transient))
        defaults[d.key] = d.default;
    }
    body.defaults = render(defaults);
  }
  return body;
}

/**
 * `PUT /_cluster/settings`: validates every key (unknown → `not recognized`, static →
 * `not dynamically updateable`), applies `null` removals (wildcards allowed), persists the
 * persistent scope, and answers with what changed.
 */
export function putClusterSettings(cluster: Cluster, body: Json, opts: { flat?: boolean }): Promise<Json> {
  // TransportClusterUpdateSettingsAction: one cluster-state update that reads the current settings
  // and writes the next ones, so concurrent updates each see the one before
  return cluster.updateMetadata(() => putClusterSettingsNow(cluster, body, opts));
}

async function putClusterSettingsNow(cluster: Cluster, body: Json, opts: { flat?: boolean }): Promise<Json> {
  for (const key of Object.keys(body)) {
    if (key !== "persistent" && key !== "transient") {
      throw errors.illegalArgument(`request [/_cluster/settings] contains unknown field [${key}]`);
    }
  }
  const updates = {
    persistent: flattenSettings(body.persistent ?? {}),
    transient: flattenSettings(body.transient ?? {}),
  };
  // ClusterUpdateSettingsRequest.validate: empty is empty, whether the scopes are absent or `{}`.
  if (Object.keys(updates.persistent).length === 0 && Object.keys(updates.transient).length === 0) {
    throw errors.validation(["no settings to update"]);
  }
  const next = { persistent: { ...cluster.persistent }, transient: { ...cluster.transient } };
  const changed: { persistent: FlatSettings; transient: FlatSettings } = { persistent: {}, transient: {} };
  const touched: { persistent: string[]; transient: string[] } = { persistent: [], transient: [] };
  for (const scope of ["persistent", "transient"] as const) {
    for (const [key, value] of Object.entries(updates[scope])) {
      if (value === null) {
        for (const k of Object.keys(next[scope])) {
          if (k === key || (isWildcard(key) && simpleMatch(key, k))) {
            delete next[scope][k];
            touched[scope].push(k);
          }
        }
        if (!isWildcard(key)) touched[scope].push(key);
        continue;
      }
      const def = cluster.clusterSettingDef(key);
      if (!def) throw errors.clusterSettingNotRecognized(scope, key);
      if (!def.dynamic) throw errors.clusterSettingNotDynamic(scope, key);
      def.validate?.(key, value);
      next[scope][key] = value;
      changed[scope][key] = value;
      touched[scope].push(key);
    }
  }
  await cluster.applyClusterSettings(next, touched);
  const render = (f: FlatSettings) => (opts.flat ? sortedFlat(f) : nestSettings(f));
  return { acknowledged: true, persistent: render(changed.persistent), transient: render(changed.transient) };
}
