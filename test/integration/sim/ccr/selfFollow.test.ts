/**
 * Elasticsearch's own CCR REST tests (x-pack/plugin/ccr yamlRestTest) run against one cluster that
 * is its own remote: each test finds the node's transport address through `GET _cluster/state`
 * (`master_node`) and `GET _nodes` (`nodes.$master.transport_address`), registers it as remote
 * `local` in sniff mode, and follows an index of the same cluster. This suite replays that flow
 * against one es-sim process, using only what the two discovery APIs answer.
 */
import { http } from "../../../helpers/sim";
import { bulkIndex, documents, ok, SimFleet, waitCaughtUp, waitFor } from "../../../helpers/ccr";
import type { SpawnedSim } from "../../../helpers/sim";

const fleet = new SimFleet();
let sim: SpawnedSim;

beforeAll(async () => {
  sim = await fleet.spawn({ clusterName: "self-follow" });
});
afterAll(() => fleet.cleanup());

test("cluster state → master node → its transport address → remote `local` → follow, pause, close, unfollow, open", async () => {
  const state = await ok(sim.url, "GET", "/_cluster/state");
  const master = state.master_node as string;
  expect(typeof master).toBe("string");

  const nodes = await ok(sim.url, "GET", "/_nodes");
  const localIp = nodes.nodes[master].transport_address as string;
  // the address the yaml test reads is the one the transport really listens on
  expect(localIp).toBe(sim.transportAddress);

  const put = await ok(sim.url, "PUT", "/_cluster/settings?flat_settings=true", {
    persistent: { "cluster.remote.local.seeds": localIp },
  });
  expect(put.persistent).toEqual({ "cluster.remote.local.seeds": localIp });
  const info = await waitFor("remote local connected", async () => {
    const r = await ok(sim.url, "GET", "/_remote/info");
    return r.local?.connected ? r : undefined;
  });
  expect(info.local.mode).toBe("sniff");
  expect(info.local.seeds).toEqual([localIp]);

  await ok(sim.url, "PUT", "/foo", {
    settings: { index: { soft_deletes: { enabled: true } } },
    mappings: { properties: { field: { type: "keyword" } } },
  });
  await bulkIndex(sim.url, "foo", 5);

  const follow = await ok(sim.url, "PUT", "/bar/_ccr/follow?wait_for_active_shards=1", { remote_cluster: "local", leader_index: "foo" });
  expect(follow).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });

  await bulkIndex(sim.url, "foo", 3, "late-");
  await waitCaughtUp(sim.url, "foo", sim.url, "bar");
  const leaderDocs = await documents(sim.url, "foo");
  expect(leaderDocs).toHaveLength(8);
  expect((await documents(sim.url, "bar")).map((d) => [d.id, d.seq, d.source])).toEqual(leaderDocs.map((d) => [d.id, d.seq, d.source]));

  // the follower appears in the cluster state like any index, with its CCR settings
  const meta = await ok(sim.url, "GET", "/_cluster/state/metadata,routing_table/bar?flat_settings=true");
  expect(meta.metadata.indices.bar.settings["index.xpack.ccr.following_index"]).toBe("true");
  expect(meta.routing_table.indices.bar.shards["0"][0]).toMatchObject({ state: "STARTED", primary: true, node: master });

  expect((await ok(sim.url, "POST", "/bar/_ccr/pause_follow")).acknowledged).toBe(true);
  expect((await ok(sim.url, "POST", "/bar/_ccr/resume_follow", {})).acknowledged).toBe(true);
  expect((await ok(sim.url, "POST", "/bar/_ccr/pause_follow")).acknowledged).toBe(true);
  expect((await ok(sim.url, "POST", "/bar/_close")).acknowledged).toBe(true);
  const closed = await ok(sim.url, "GET", "/_cluster/state/metadata,blocks/bar");
  expect(closed.metadata.indices.bar.state).toBe("close");
  expect(closed.blocks.indices.bar["4"]).toEqual({ description: "index closed", retryable: false, levels: ["read", "write"] });
  expect((await ok(sim.url, "POST", "/bar/_ccr/unfollow")).acknowledged).toBe(true);
  expect((await ok(sim.url, "POST", "/bar/_open")).acknowledged).toBe(true);

  // no longer a follower: it takes writes of its own
  const w = await http(sim.url, "PUT", "/bar/_doc/own?refresh=true", { field: "mine" });
  expect(w.status).toBe(201);
  expect((await ok(sim.url, "GET", "/bar/_count")).count).toBe(9);
});
