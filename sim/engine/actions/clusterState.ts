/**
 * `GET /_cluster/state[/{metric}[/{index}]]` (ES's `TransportClusterStateAction` and the rendering
 * of `ClusterState`, `DiscoveryNode`, `Metadata`, `IndexMetadata` and `ShardRouting` in the API
 * context). es-sim keeps no cluster-state object of its own, so the answer is assembled from the
 * engine's registry each time; the version number is derived from what changed since the last look.
 */
import { createHash } from "node:crypto";
import { ES_VERSION, type Cluster, type ExpressionOptions } from "../cluster";
import { randomUuid } from "../docUtils";
import { NODE_ATTRIBUTES, NODE_ROLES, NODE_VERSIONS, type NodeInfo } from "../node";
import { nestSettings, sortedFlat } from "../settings";
import type { IndexShard } from "../shard";
import type { Json } from "../types";
import { INDEX_VERSION_CREATED } from "./indexAdmin";
import { replicasOf } from "./shardCopies";

/** `ClusterState.Metric`: every metric `_all` stands for. Unknown names are ignored, as ES does. */
export const CLUSTER_STATE_METRICS = ["version", "master_node", "blocks", "nodes", "metadata", "routing_table", "routing_nodes", "customs"];

/** `ClusterStateRequest.DEFAULT_WAIT_FOR_NODE_TIMEOUT`: how long `wait_for_metadata_version` waits by default. */
export const DEFAULT_WAIT_FOR_TIMEOUT_MS = 60_000;
const WAIT_POLL_MS = 50;

/** Options of one cluster-state request. */
export interface ClusterStateOptions extends ExpressionOptions {
  /** Comma list of metrics (default `_all`). */
  metric?: string;
  /** Index expression limiting `metadata` and `routing_table` (default every index). */
  index?: string;
  flat?: boolean;
  waitForMetadataVersion?: number;
  waitForTimeoutMs?: number;
}

interface VersionTrack {
  version: number;
  stateUuid: string;
  fingerprint: string;
}

const versions = new WeakMap<Cluster, VersionTrack>();

/**
 * The cluster-state version: ES bumps it on every published change. es-sim compares a fingerprint of
 * everything the state shows (settings, customs, every index's metadata versions, state, terms)
 * with the one seen last and counts one version per observed change, so it only ever grows and a
 * change is never missed, though several changes between two reads count as one.
 */
export function clusterStateVersion(cluster: Cluster): { version: number; stateUuid: string } {
  const fingerprint = JSON.stringify([
    cluster.persistent,
    cluster.transient,
    ...["ccr_auto_follow"].map((k) => cluster.customMetadata(k) ?? null),
    cluster.indexShards().map((s) => [s.name, s.uuid, s.meta.state, s.meta.settingsVersion, s.meta.mappingVersion, s.meta.aliasesVersion]),
  ]);
  let t = versions.get(cluster);
  if (!t) {
    t = { version: 1, stateUuid: randomUuid(), fingerprint };
    versions.set(cluster, t);
  } else if (t.fingerprint !== fingerprint) {
    t.version++;
    t.stateUuid = randomUuid();
    t.fingerprint = fingerprint;
  }
  return { version: t.version, stateUuid: t.stateUuid };
}

/** A stable allocation id for one shard copy (ES's `AllocationId`, 22 url-safe base64 characters). */
export function allocationId(cluster: Cluster, s: IndexShard, shard: number, copy: number): string {
  return createHash("sha256").update(`${s.uuid}/${shard}/${copy}/${cluster.nodeId}`).digest("base64url").slice(0, 22);
}

/** `DiscoveryNode.toXContent`: the node as the cluster state lists it. */
export function discoveryNode(cluster: Cluster, node: NodeInfo): Json {
  return {
    name: cluster.nodeName,
    ephemeral_id: node.ephemeralId,
    transport_address: node.transportPublishAddress,
    external_id: cluster.nodeName,
    attributes: { ...NODE_ATTRIBUTES },
    roles: [...NODE_ROLES],
    version: ES_VERSION.number,
    min_index_version: NODE_VERSIONS.minIndexVersion,
    max_index_version: NODE_VERSIONS.maxIndexVersion,
  };
}

/** `MetadataCreateIndexService.calculateNumRoutingShards`: room to split up to 1024 shards by default. */
function routingNumShards(s: IndexShard): number {
  const explicit = s.meta.settings["index.number_of_routing_shards"];
  if (explicit !== undefined) return Number(explicit);
  const shards = Number(s.setting("index.number_of_shards"));
  const log2Shards = shards <= 1 ? 0 : 32 - Math.clz32(shards - 1);
  return shards * 2 ** Math.max(1, 10 - log2Shards);
}

/** `IndexMetadata.Builder.toXContent` in the API context (aliases as names, terms by shard). */
function indexMetadata(cluster: Cluster, s: IndexShard, flat: boolean): Json {
  const m = s.meta;
  const shards = Number(s.setting("index.number_of_shards"));
  const primaryTerms: Json = {};
  const inSync: Json = {};
  for (let i = 0; i < shards; i++) {
    primaryTerms[String(i)] = m.primaryTerm;
    inSync[String(i)] = [allocationId(cluster, s, i, 0)];
  }
  return {
    version: m.settingsVersion + m.mappingVersion + m.aliasesVersion + (m.state === "close" ? 1 : 0),
    mapping_version: m.mappingVersion,
    settings_version: m.settingsVersion,
    aliases_version: m.aliasesVersion,
    routing_num_shards: routingNumShards(s),
    state: m.state,
    settings: flat ? sortedFlat(m.settings) : nestSettings(m.settings),
    // the API context names the mapping by its type, `_doc`; an index without mappings shows `{}`
    mappings: Object.keys(m.mappings ?? {}).length > 0 ? { _doc: m.mappings } : {},
    aliases: Object.keys(m.aliases).sort(),
    primary_terms: primaryTerms,
    in_sync_allocations: inSync,
    rollover_info: {},
    mappings_updated_version: Number(INDEX_VERSION_CREATED),
    system: false,
    timestamp_range: { shards: [] },
    event_ingested_range: { shards: [] },
  };
}

/** `ClusterBlock.toXContent` of the index blocks es-sim enforces (`IndexMetadata.INDEX_*_BLOCK`, `MetadataIndexStateService.INDEX_CLOSED_BLOCK`). */
const INDEX_BLOCKS: Record<string, [id: string, description: string, retryable: boolean, levels: string[]]> = {
  read_only: ["5", "index read-only (api)", false, ["write", "metadata_write"]],
  read: ["7", "index read (api)", false, ["read"]],
  write: ["8", "index write (api)", false, ["write"]],
  metadata: ["9", "index metadata (api)", false, ["metadata_read", "metadata_write"]],
  read_only_allow_delete: [
    "12",
    "disk usage exceeded flood-stage watermark, index has read-only-allow-delete block",
    true,
    ["write", "metadata_write"],
  ],
};

function blocksOf(s: IndexShard): Json | undefined {
  const out: Json = {};
  if (s.meta.state === "close") out["4"] = { description: "index closed", retryable: false, levels: ["read", "write"] };
  for (const b of s.blocks()) {
    const [id, description, retryable, levels] = INDEX_BLOCKS[b]!;
    out[id] = { description, retryable, levels };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `ShardRouting.toXContent` for each copy of each shard: primaries started here, replicas unassigned. */
function shardCopies(cluster: Cluster, s: IndexShard): Json[][] {
  const shards = Number(s.setting("index.number_of_shards"));
  const replicas = replicasOf(s);
  const created = new Date(Number(s.meta.settings["index.creation_date"] ?? cluster.now())).toISOString();
  const out: Json[][] = [];
  for (let i = 0; i < shards; i++) {
    const copies: Json[] = [
      {
        state: "STARTED",
        primary: true,
        node: cluster.nodeId,
        relocating_node: null,
        shard: i,
        index: s.name,
        allocation_id: { id: allocationId(cluster, s, i, 0) },
        relocation_failure_info: { failed_attempts: 0 },
      },
    ];
    for (let r = 1; r <= replicas; r++) {
      copies.push({
        state: "UNASSIGNED",
        primary: false,
        node: null,
        relocating_node: null,
        shard: i,
        index: s.name,
        recovery_source: { type: "PEER" },
        unassigned_info: { reason: "INDEX_CREATED", at: created, delayed: false, allocation_status: "no_attempt" },
        relocation_failure_info: { failed_attempts: 0 },
      });
    }
    out.push(copies);
  }
  return out;
}

function render(cluster: Cluster, node: NodeInfo, opts: ClusterStateOptions, waitedOut: boolean | undefined): Json {
  const parts = (opts.metric ?? "_all").split(",").map((p) => p.trim());
  const metrics = new Set(parts.includes("_all") ? CLUSTER_STATE_METRICS : parts.filter((p) => CLUSTER_STATE_METRICS.includes(p)));
  const body: Json = {};
  if (waitedOut !== undefined) body.wait_for_timed_out = waitedOut;
  body.cluster_name = cluster.clusterName;
  if (waitedOut) return body; // ES answers no state when the wait timed out
  body.cluster_uuid = cluster.clusterUuid;
  if (metrics.has("version")) {
    const v = clusterStateVersion(cluster);
    body.version = v.version;
    body.state_uuid = v.stateUuid;
  }
  if (metrics.has("master_node")) body.master_node = cluster.nodeId;
  const filtered = opts.index !== undefined && opts.index !== "_all" && opts.index !== "";
  // ClusterStateRequest's default options are lenientExpandOpen: missing names are skipped
  const names = filtered
    ? cluster.resolve(opts.index, {
        ignoreUnavailable: opts.ignoreUnavailable ?? true,
        allowNoIndices: opts.allowNoIndices ?? true,
        expandWildcards: opts.expandWildcards ?? ["open"],
      })
    : cluster.indexNames();
  if (metrics.has("blocks")) {
    const indices: Json = {};
    for (const n of cluster.indexNames()) {
      const b = blocksOf(cluster.shard(n)!);
      if (b) indices[n] = b;
    }
    body.blocks = Object.keys(indices).length > 0 ? { indices } : {};
  }
  if (metrics.has("nodes")) {
    body.nodes = { [cluster.nodeId]: discoveryNode(cluster, node) };
    body.nodes_versions = [{ node_id: cluster.nodeId, transport_version: String(NODE_VERSIONS.transportVersion), mappings_versions: {} }];
    body.nodes_features = [{ node_id: cluster.nodeId, features: [] }];
  }
  if (metrics.has("metadata")) {
    const indices: Json = {};
    for (const n of names) indices[n] = indexMetadata(cluster, cluster.shard(n)!, opts.flat ?? false);
    const metadata: Json = {
      cluster_uuid: cluster.clusterUuid,
      cluster_uuid_committed: true,
      cluster_coordination: {
        term: 1,
        last_committed_config: [cluster.nodeId],
        last_accepted_config: [cluster.nodeId],
        voting_config_exclusions: [],
      },
      templates: {},
      indices,
    };
    // with an index filter ES builds the metadata from the matching indices only, without customs
    if (!filtered) {
      metadata["index-graveyard"] = { tombstones: [] };
      const autoFollow = cluster.customMetadata("ccr_auto_follow");
      if (autoFollow) metadata.ccr_auto_follow = { patterns: {}, follower_indices: {}, headers: {}, ...autoFollow };
      metadata.reserved_state = {};
    }
    body.metadata = metadata;
  }
  const routing = metrics.has("routing_table") || metrics.has("routing_nodes");
  const copies = routing ? names.map((n) => [n, shardCopies(cluster, cluster.shard(n)!)] as const) : [];
  if (metrics.has("routing_table")) {
    const indices: Json = {};
    for (const [n, shards] of copies) {
      const byId: Json = {};
      shards.forEach((c, i) => (byId[String(i)] = c));
      indices[n] = { shards: byId };
    }
    body.routing_table = { indices };
  }
  if (metrics.has("routing_nodes")) {
    const all = copies.flatMap(([, shards]) => shards.flat());
    body.routing_nodes = {
      unassigned: all.filter((c) => c.state === "UNASSIGNED"),
      nodes: { [cluster.nodeId]: all.filter((c) => c.state !== "UNASSIGNED") },
    };
  }
  return body;
}

/**
 * `GET /_cluster/state`. With `wait_for_metadata_version` it first waits (up to `wait_for_timeout`)
 * until the state's version reaches it, then answers `wait_for_timed_out` before the state, as
 * `RestClusterStateAction` does; on a timeout the state is left out.
 */
export async function clusterState(cluster: Cluster, node: NodeInfo, opts: ClusterStateOptions): Promise<Json> {
  if (opts.waitForMetadataVersion === undefined) return render(cluster, node, opts, undefined);
  const deadline = cluster.now() + (opts.waitForTimeoutMs ?? DEFAULT_WAIT_FOR_TIMEOUT_MS);
  for (;;) {
    if (clusterStateVersion(cluster).version >= opts.waitForMetadataVersion) return render(cluster, node, opts, false);
    if (cluster.now() >= deadline || cluster.isClosed) return render(cluster, node, opts, true);
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}
