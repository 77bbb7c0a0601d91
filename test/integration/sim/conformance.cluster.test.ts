/**
 * Conformance of the cluster-discovery family: `GET _cluster/state` and `GET _nodes` /
 * `GET _nodes/stats`, against es-sim or, with `ES_URL`, a real cluster (test/helpers/conformance.ts).
 * Cases assert the keys, shapes and types Elasticsearch 8.x guarantees (RestClusterStateAction,
 * ClusterState, NodesInfoResponse, RestNodesStatsAction), never es-sim's own values; a real
 * cluster may have more nodes and indices than the case created.
 */
import { connect } from "node:net";
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";

const { name, req } = conformanceTarget("conformance-cluster");

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await req(method, path, body);
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
  return r.body;
}

describe("cluster.state", () => {
  test("GET _cluster/state: every section, the master among the nodes", async () => {
    const s = await ok("GET", "/_cluster/state");
    for (const k of [
      "cluster_name",
      "cluster_uuid",
      "version",
      "state_uuid",
      "master_node",
      "blocks",
      "nodes",
      "metadata",
      "routing_table",
    ]) {
      expect(s).toHaveProperty([k]);
    }
    expect(Object.keys(s).slice(0, 2)).toEqual(["cluster_name", "cluster_uuid"]);
    expect(typeof s.version).toBe("number");
    expect(typeof s.state_uuid).toBe("string");
    const master = s.master_node as string;
    const node = s.nodes[master];
    expect(node).toMatchObject({ name: expect.any(String), ephemeral_id: expect.any(String), transport_address: expect.any(String) });
    expect(node.transport_address).toMatch(/:\d+$/);
    expect(Array.isArray(node.roles)).toBe(true);
    expect(node.roles).toContain("master");
    expect(typeof node.attributes).toBe("object");
    expect(node.version).toMatch(/^8\.\d+\.\d+/);
    expect(s.metadata.cluster_uuid).toBe(s.cluster_uuid);
    expect(typeof s.metadata.cluster_uuid_committed).toBe("boolean");
    expect(s.metadata.cluster_coordination).toMatchObject({ term: expect.any(Number), last_committed_config: expect.any(Array) });
    expect(typeof s.metadata.templates).toBe("object");
    expect(typeof s.metadata.indices).toBe("object");
    // in the API context the persistent settings are not part of the metadata
    expect(s.metadata.settings).toBeUndefined();
    expect(typeof s.routing_table.indices).toBe("object");
    const info = await ok("GET", "/");
    expect(s.cluster_name).toBe(info.cluster_name);
    expect(s.cluster_uuid).toBe(info.cluster_uuid);
  });

  test("one metric at a time: cluster_name and cluster_uuid always, unknown metrics ignored", async () => {
    expect(Object.keys(await ok("GET", "/_cluster/state/master_node"))).toEqual(["cluster_name", "cluster_uuid", "master_node"]);
    expect(Object.keys(await ok("GET", "/_cluster/state/version"))).toEqual(["cluster_name", "cluster_uuid", "version", "state_uuid"]);
    expect(Object.keys(await ok("GET", "/_cluster/state/no_such_metric"))).toEqual(["cluster_name", "cluster_uuid"]);
    const mv = await ok("GET", "/_cluster/state/master_node,version");
    expect(Object.keys(mv)).toEqual(["cluster_name", "cluster_uuid", "version", "state_uuid", "master_node"]);
    const nodes = await ok("GET", "/_cluster/state/nodes");
    expect(nodes.master_node).toBeUndefined();
    expect(Object.keys(nodes.nodes).length).toBeGreaterThanOrEqual(1);
    expect(nodes.metadata).toBeUndefined();
    const all = await ok("GET", "/_cluster/state/_all");
    for (const k of ["version", "master_node", "blocks", "nodes", "metadata", "routing_table"]) expect(all).toHaveProperty([k]);
  });

  test("metadata and routing table of one index", async () => {
    const idx = name("cs-one");
    await ok("PUT", `/${idx}`, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { field: { type: "keyword" } } },
      aliases: { [name("cs-alias")]: {} },
    });
    const s = await ok("GET", `/_cluster/state/metadata,routing_table,master_node/${idx}`);
    expect(Object.keys(s.metadata.indices)).toEqual([idx]);
    expect(Object.keys(s.routing_table.indices)).toEqual([idx]);
    const m = s.metadata.indices[idx];
    for (const k of ["version", "mapping_version", "settings_version", "aliases_version", "routing_num_shards"])
      expect(typeof m[k]).toBe("number");
    expect(m.routing_num_shards).toBe(1024);
    expect(m.state).toBe("open");
    expect(m.settings.index).toMatchObject({ number_of_shards: "1", number_of_replicas: "0", provided_name: idx });
    expect(m.mappings).toEqual({ _doc: { properties: { field: { type: "keyword" } } } });
    expect(m.aliases).toEqual([name("cs-alias")]);
    expect(typeof m.primary_terms["0"]).toBe("number");
    expect(m.in_sync_allocations["0"]).toHaveLength(1);
    const copies = s.routing_table.indices[idx].shards["0"];
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ state: "STARTED", primary: true, node: s.master_node, relocating_node: null, shard: 0, index: idx });
    expect(copies[0].allocation_id.id).toBe(m.in_sync_allocations["0"][0]);
    const flat = await ok("GET", `/_cluster/state/metadata/${idx}?flat_settings=true`);
    expect(flat.metadata.indices[idx].settings["index.number_of_shards"]).toBe("1");
  });

  test("a replica that cannot be assigned is listed UNASSIGNED", async () => {
    const idx = name("cs-replica");
    await ok("PUT", `/${idx}`, { settings: { number_of_shards: 1, number_of_replicas: 5 } });
    const s = await ok("GET", `/_cluster/state/routing_table/${idx}`);
    const copies = s.routing_table.indices[idx].shards["0"] as any[];
    expect(copies).toHaveLength(6);
    const unassigned = copies.filter((c) => c.state === "UNASSIGNED");
    expect(unassigned.length).toBeGreaterThanOrEqual(1);
    expect(unassigned[0]).toMatchObject({ primary: false, node: null, unassigned_info: { reason: "INDEX_CREATED" } });
  });

  test("missing indices are skipped, not an error", async () => {
    const s = await ok("GET", `/_cluster/state/metadata/${name("cs-missing")}`);
    expect(s.metadata.indices).toEqual({});
  });

  test("blocks: closed and write-blocked indices", async () => {
    const closed = name("cs-closed");
    const blocked = name("cs-blocked");
    await ok("PUT", `/${closed}`, { settings: { number_of_replicas: 0 } });
    await ok("PUT", `/${blocked}`, { settings: { number_of_replicas: 0 } });
    await ok("POST", `/${closed}/_close`);
    await ok("PUT", `/${blocked}/_block/write`);
    const s = await ok("GET", "/_cluster/state/blocks,metadata");
    expect(s.blocks.indices[closed]["4"]).toMatchObject({ description: "index closed", retryable: false, levels: ["read", "write"] });
    expect(s.blocks.indices[blocked]["8"]).toMatchObject({ description: "index write (api)", retryable: false, levels: ["write"] });
    expect(s.metadata.indices[closed].state).toBe("close");
  });

  test("filter_path, local, master_timeout", async () => {
    const s = await ok("GET", "/_cluster/state?filter_path=master_node,nodes.*.transport_address&local=true&master_timeout=30s");
    expect(Object.keys(s)).toEqual(["master_node", "nodes"]);
    expect(Object.keys(s.nodes[s.master_node])).toEqual(["transport_address"]);
  });

  test("wait_for_metadata_version: reached at once, or timed out without a state", async () => {
    const now = await ok("GET", "/_cluster/state/version");
    const reached = await ok("GET", `/_cluster/state/master_node?wait_for_metadata_version=1`);
    expect(Object.keys(reached)).toEqual(["wait_for_timed_out", "cluster_name", "cluster_uuid", "master_node"]);
    expect(reached.wait_for_timed_out).toBe(false);
    const later = await ok("GET", `/_cluster/state?wait_for_metadata_version=${now.version + 1_000_000}&wait_for_timeout=100ms`);
    expect(later).toEqual({ wait_for_timed_out: true, cluster_name: now.cluster_name });
    const bad = await req("GET", "/_cluster/state?wait_for_metadata_version=abc");
    expectError(bad, 400, "illegal_argument_exception");
  });
});

describe("nodes.info", () => {
  test("GET _nodes: header, the master node with its addresses, settings and sections", async () => {
    const state = await ok("GET", "/_cluster/state/master_node");
    const r = await ok("GET", "/_nodes");
    expect(Object.keys(r)).toEqual(["_nodes", "cluster_name", "nodes"]);
    expect(r._nodes).toMatchObject({ total: expect.any(Number), successful: expect.any(Number), failed: 0 });
    expect(r.cluster_name).toBe(state.cluster_name);
    const n = r.nodes[state.master_node];
    expect(n).toMatchObject({
      name: expect.any(String),
      transport_address: expect.stringMatching(/:\d+$/),
      host: expect.any(String),
      ip: expect.any(String),
      version: expect.stringMatching(/^8\.\d+\.\d+/),
      build_flavor: "default",
      build_type: expect.any(String),
      build_hash: expect.any(String),
      roles: expect.arrayContaining(["master"]),
    });
    expect(n.settings.cluster.name).toBe(r.cluster_name);
    expect(n.settings.node.name).toBe(n.name);
    expect(n.transport).toMatchObject({ bound_address: expect.any(Array), publish_address: n.transport_address, profiles: {} });
    expect(n.http).toMatchObject({
      bound_address: expect.any(Array),
      publish_address: expect.any(String),
      max_content_length_in_bytes: expect.any(Number),
    });
    for (const k of ["os", "process", "jvm", "thread_pool", "plugins", "modules", "ingest", "aggregations"]) expect(n).toHaveProperty([k]);
    expect(n.os.available_processors).toEqual(expect.any(Number));
    expect(n.process.id).toEqual(expect.any(Number));
  });

  test("node selectors: _local, _master, the id, the name; unknown → no nodes", async () => {
    const state = await ok("GET", "/_cluster/state/master_node");
    const master = state.master_node as string;
    const all = await ok("GET", `/_nodes/${master}`);
    const nodeName = all.nodes[master].name as string;
    for (const sel of ["_master", master, encodeURIComponent(nodeName), `_master,${master}`]) {
      const r = await ok("GET", `/_nodes/${sel}`);
      expect(Object.keys(r.nodes)).toEqual([master]);
      expect(r._nodes.total).toBe(1);
    }
    const local = await ok("GET", "/_nodes/_local");
    expect(Object.keys(local.nodes)).toHaveLength(1);
    const none = await ok("GET", `/_nodes/${name("no-such-node")}`);
    expect(none._nodes).toEqual({ total: 0, successful: 0, failed: 0 });
    expect(none.nodes).toEqual({});
  });

  test("metrics: /_nodes/{metric} and /_nodes/{node_id}/{metric} limit the sections", async () => {
    const only = await ok("GET", "/_nodes/_master/transport,http");
    const n = Object.values(only.nodes)[0] as any;
    expect(n.transport).toBeDefined();
    expect(n.http).toBeDefined();
    for (const k of ["settings", "os", "jvm", "process", "plugins", "thread_pool"]) expect(n[k]).toBeUndefined();
    expect(n.roles).toBeDefined();
    const byMetric = await ok("GET", "/_nodes/settings");
    const m = Object.values(byMetric.nodes)[0] as any;
    expect(m.settings).toBeDefined();
    expect(m.transport).toBeUndefined();
    const flat = await ok("GET", "/_nodes/_master/settings?flat_settings=true");
    expect((Object.values(flat.nodes)[0] as any).settings["cluster.name"]).toBe(flat.cluster_name);
    const filtered = await ok("GET", "/_nodes?filter_path=nodes.*.transport_address");
    const addresses = Object.values(filtered.nodes).map((x: any) => Object.keys(x));
    expect(addresses[0]).toEqual(["transport_address"]);
  });

  test("the node id is the same in the cluster state, _nodes and _nodes/stats", async () => {
    const state = await ok("GET", "/_cluster/state/master_node,nodes");
    const info = await ok("GET", "/_nodes/_master");
    const stats = await ok("GET", "/_nodes/_master/stats/jvm");
    expect(Object.keys(info.nodes)).toEqual([state.master_node]);
    expect(Object.keys(stats.nodes)).toEqual([state.master_node]);
    expect(info.nodes[state.master_node].transport_address).toBe(state.nodes[state.master_node].transport_address);
  });
});

describe("nodes.stats", () => {
  test("GET _nodes/stats: header and the node's sections", async () => {
    await ok("PUT", `/${name("ns-docs")}/_doc/1?refresh=true`, { a: 1 });
    const r = await ok("GET", "/_nodes/_master/stats");
    expect(Object.keys(r)).toEqual(["_nodes", "cluster_name", "nodes"]);
    const n = Object.values(r.nodes)[0] as any;
    expect(n).toMatchObject({ timestamp: expect.any(Number), name: expect.any(String), transport_address: expect.any(String) });
    expect(n.roles).toEqual(expect.arrayContaining(["master"]));
    expect(n.indices.docs.count).toEqual(expect.any(Number));
    expect(n.indices.indexing.index_total).toEqual(expect.any(Number));
    expect(n.jvm.mem.heap_used_in_bytes).toEqual(expect.any(Number));
    expect(n.process.cpu.total_in_millis).toEqual(expect.any(Number));
    expect(n.os.mem.total_in_bytes).toEqual(expect.any(Number));
    expect(n.http.current_open).toEqual(expect.any(Number));
    for (const k of ["thread_pool", "fs", "transport", "breakers"]) expect(n).toHaveProperty([k]);
  });

  test("metric and index-metric selection", async () => {
    const jvm = Object.values((await ok("GET", "/_nodes/stats/jvm")).nodes)[0] as any;
    expect(jvm.jvm).toBeDefined();
    expect(jvm.indices).toBeUndefined();
    expect(jvm.os).toBeUndefined();
    const docs = Object.values((await ok("GET", "/_nodes/_master/stats/indices/docs")).nodes)[0] as any;
    expect(docs.indices.docs).toBeDefined();
    expect(docs.indices.search).toBeUndefined();
  });

  test("metric errors as RestNodesStatsAction words them", async () => {
    expectError(
      await req("GET", "/_nodes/stats/no_such_metric"),
      400,
      "illegal_argument_exception",
      "request [/_nodes/stats/no_such_metric] contains unrecognized metric: [no_such_metric]",
    );
    expectError(
      await req("GET", "/_nodes/stats/_all,os"),
      400,
      "illegal_argument_exception",
      "request [/_nodes/stats/_all,os] contains _all and individual metrics [_all,os]",
    );
    expectError(
      await req("GET", "/_nodes/stats/os/docs"),
      400,
      "illegal_argument_exception",
      "request [/_nodes/stats/os/docs] contains index metrics [docs] but indices stats not requested",
    );
  });
});

describe("es-sim only", () => {
  simOnly("the published transport address accepts connections (it is the listener remote clusters use)", async () => {
    const r = await ok("GET", "/_nodes/_local/transport");
    const address = (Object.values(r.nodes)[0] as any).transport.publish_address as string;
    const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
    await new Promise<void>((resolve, reject) => {
      const s = connect(port, host, () => {
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    });
  });

  simOnly("the node settings as started, and roles without ml/transform", async () => {
    const r = await ok("GET", "/_nodes/_local/settings?flat_settings=true");
    const n = Object.values(r.nodes)[0] as any;
    expect(n.settings).toMatchObject({ "cluster.name": "conformance-cluster", "http.port": "0", "transport.port": "0" });
    expect(typeof n.settings["path.data"]).toBe("string");
    expect(n.roles).not.toContain("ml");
    expect(n.attributes).toEqual({ "xpack.installed": "true" });
  });

  simOnly("the cluster-state version grows with every observed change", async () => {
    const before = (await ok("GET", "/_cluster/state/version")).version as number;
    expect((await ok("GET", "/_cluster/state/version")).version).toBe(before);
    await ok("PUT", `/${name("cs-version")}`);
    const after = await ok("GET", "/_cluster/state/version");
    expect(after.version).toBe(before + 1);
    const waited = await ok("GET", `/_cluster/state/version?wait_for_metadata_version=${after.version}`);
    expect(waited.wait_for_timed_out).toBe(false);
  });

  simOnly("other _nodes APIs are refused explicitly, not taken for node ids", async () => {
    expectError(
      await req("GET", "/_nodes/hot_threads"),
      400,
      "illegal_argument_exception",
      /es-sim does not support the \[nodes.hot_threads\] API/,
    );
    expectError(await req("GET", "/_nodes/usage"), 400, "illegal_argument_exception", /es-sim does not support the \[nodes.usage\] API/);
  });
});
