/**
 * The cluster-state and nodes-info actions without I/O: the node description comes in as a plain
 * `NodeInfo` value, the engine runs on MemoryStorage with a stub search library.
 */
import { closeIndex, createIndex } from "../../../../sim/engine/actions/indexAdmin";
import { clusterState, clusterStateVersion } from "../../../../sim/engine/actions/clusterState";
import { nodesInfo, nodesStats, selectsNode } from "../../../../sim/engine/actions/nodesInfo";
import { Cluster } from "../../../../sim/engine/cluster";
import type { NodeInfo } from "../../../../sim/engine/node";
import { MemoryStorage } from "../../../../sim/engine/storage";
import { stubSearchLibrary } from "../../../helpers/sim";

let now = 1_700_000_000_000;
const clock = () => now;

const node: NodeInfo = {
  ephemeralId: "eph",
  host: "127.0.0.1",
  ip: "127.0.0.1",
  transportPublishAddress: "127.0.0.1:9300",
  transportBoundAddresses: ["127.0.0.1:9300"],
  httpPublishAddress: "127.0.0.1:9200",
  httpBoundAddresses: ["127.0.0.1:9200"],
  maxContentLengthBytes: 100 * 1024 * 1024,
  settings: { "cluster.name": "c", "node.name": "n", "path.data": "/data" },
  startedAt: now,
  os: { name: "Linux", prettyName: "Linux", arch: "x64", version: "6", availableProcessors: 2 },
  process: { pid: 42 },
  runtime: { name: "Node.js", version: "20", vendor: "Node.js" },
  usage: () => ({
    timestamp: now,
    heapUsedBytes: 10,
    heapTotalBytes: 100,
    rssBytes: 200,
    cpuMillis: 5,
    loadAverage: [0, 0, 0],
    totalMemoryBytes: 1000,
    freeMemoryBytes: 500,
    openHttpConnections: 1,
    totalHttpConnections: 3,
  }),
};

async function open() {
  return Cluster.open({
    clusterName: "c",
    nodeName: "n",
    storage: new MemoryStorage(),
    search: stubSearchLibrary,
    clock,
    startTimers: false,
  });
}

test("routing_num_shards follows MetadataCreateIndexService.calculateNumRoutingShards", async () => {
  const cluster = await open();
  for (const [shards, expected] of [
    [1, 1024],
    [2, 1024],
    [3, 768],
    [5, 640],
  ] as const) {
    await createIndex(cluster, `i${shards}`, { settings: { number_of_shards: shards } });
    const s = (await clusterState(cluster, node, { metric: "metadata", index: `i${shards}` })) as any;
    expect(s.metadata.indices[`i${shards}`].routing_num_shards).toBe(expected);
  }
});

test("the version counts observed changes and never goes back", async () => {
  const cluster = await open();
  const v1 = clusterStateVersion(cluster);
  expect(clusterStateVersion(cluster)).toEqual(v1);
  await createIndex(cluster, "a", {});
  const v2 = clusterStateVersion(cluster);
  expect(v2.version).toBe(v1.version + 1);
  expect(v2.stateUuid).not.toBe(v1.stateUuid);
  await closeIndex(cluster, "a", {});
  expect(clusterStateVersion(cluster).version).toBe(v2.version + 1);
});

test("wait_for_metadata_version waits for a change, then answers the state", async () => {
  const cluster = await open();
  const { version } = clusterStateVersion(cluster);
  const pending = clusterState(cluster, node, { metric: "version", waitForMetadataVersion: version + 1, waitForTimeoutMs: 5_000 });
  await createIndex(cluster, "b", {});
  const r = (await pending) as any;
  expect(r.wait_for_timed_out).toBe(false);
  expect(r.version).toBe(version + 1);
});

test("node selection as DiscoveryNodes.resolveNodes", async () => {
  const cluster = await open();
  for (const sel of [
    undefined,
    "_all",
    "_local",
    "_master",
    cluster.nodeId,
    "n",
    "n*",
    "127.0.0.1",
    "master:true",
    "data:true",
    "xpack.installed:true",
  ]) {
    expect([sel, selectsNode(cluster, node, sel)]).toEqual([sel, true]);
  }
  for (const sel of ["other", "master:false", "ml:true", "coordinating_only:true"])
    expect([sel, selectsNode(cluster, node, sel)]).toEqual([sel, false]);
});

test("nodes info and stats use the node description handed in", async () => {
  const cluster = await open();
  const info = nodesInfo(cluster, node, { metrics: ["transport", "settings"], flat: true }) as any;
  const n = info.nodes[cluster.nodeId];
  expect(n.transport).toEqual({ bound_address: ["127.0.0.1:9300"], publish_address: "127.0.0.1:9300", profiles: {} });
  expect(n.settings).toEqual({ "cluster.name": "c", "node.name": "n", "path.data": "/data" });
  expect(n.http).toBeUndefined();
  const stats = nodesStats(
    cluster,
    node,
    { metrics: ["http", "process"], path: "/_nodes/stats/http,process" },
    () => new Error("x"),
  ) as any;
  expect(stats.nodes[cluster.nodeId].http).toEqual({ current_open: 1, total_opened: 3, clients: [] });
  expect(stats.nodes[cluster.nodeId].process.cpu.total_in_millis).toBe(5);
  now += 1;
});
