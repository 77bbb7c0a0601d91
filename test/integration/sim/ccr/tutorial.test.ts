/**
 * The seed tutorial ("Tutorial: Disaster recovery based on uni-directional cross-cluster
 * replication", ES 8.9 docs) as an HTTP-level run against two es-sim processes: clusterB follows
 * clusterA; clusterA dies (kill -9); clusterB promotes its follower (pause, close, unfollow, open)
 * and takes writes; clusterA returns on its data dir, drops its stale index and follows clusterB.
 */
import { http } from "../../../helpers/sim";
import { bulkIndex, documents, ok, operations, SimFleet, waitCaughtUp, waitFor } from "../../../helpers/ccr";

const fleet = new SimFleet();
afterAll(() => fleet.cleanup());

test("uni-directional DR tutorial: failover to clusterB, failback with clusterA following clusterB", async () => {
  const a = await fleet.spawn({ clusterName: "clusterA" });
  const b = await fleet.spawn({ clusterName: "clusterB" });
  await ok(a.url, "PUT", "/kibana_sample_data_ecommerce", { settings: { number_of_shards: 1 } });
  await bulkIndex(a.url, "kibana_sample_data_ecommerce", 300, "order-");

  // ### On clusterB ### — the tutorial's body, with the proxy address of clusterA's transport port
  const put = await http(b.url, "PUT", "/_cluster/settings", {
    persistent: {
      cluster: {
        remote: {
          clusterA: {
            mode: "proxy",
            skip_unavailable: "true",
            server_name: "clustera.es.region-a.gcp.elastic-cloud.com",
            proxy_socket_connections: "18",
            proxy_address: a.transportAddress,
          },
        },
      },
    },
  });
  expect(put.status).toBe(200);
  expect(put.body.persistent.cluster.remote.clusterA).toEqual({
    mode: "proxy",
    skip_unavailable: "true",
    server_name: "clustera.es.region-a.gcp.elastic-cloud.com",
    proxy_socket_connections: "18",
    proxy_address: a.transportAddress,
  });

  const follow = await http(b.url, "PUT", "/kibana_sample_data_ecommerce2/_ccr/follow?wait_for_active_shards=1", {
    remote_cluster: "clusterA",
    leader_index: "kibana_sample_data_ecommerce",
  });
  expect(follow.status).toBe(200);
  expect(follow.body).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });
  expect((await ok(b.url, "GET", "/_remote/info")).clusterA.connected).toBe(true);

  // writes go to the leader only; the follower refuses them
  await bulkIndex(a.url, "kibana_sample_data_ecommerce", 50, "late-");
  const refused = await http(b.url, "POST", "/kibana_sample_data_ecommerce2/_doc", { user: "nope" });
  expect(refused.status).toBe(403);
  await waitCaughtUp(a.url, "kibana_sample_data_ecommerce", b.url, "kibana_sample_data_ecommerce2");
  const leaderDocs = await documents(a.url, "kibana_sample_data_ecommerce");
  expect(await documents(b.url, "kibana_sample_data_ecommerce2")).toEqual(leaderDocs);

  // ### clusterA goes down ###
  await a.kill("SIGKILL");
  await waitFor("clusterA to show as disconnected", async () => (await ok(b.url, "GET", "/_remote/info")).clusterA.connected === false);

  // ### On clusterB ### promote the follower
  expect(await ok(b.url, "POST", "/kibana_sample_data_ecommerce2/_ccr/pause_follow")).toEqual({ acknowledged: true });
  expect((await ok(b.url, "POST", "/kibana_sample_data_ecommerce2/_close")).acknowledged).toBe(true);
  const unfollow = await http(b.url, "POST", "/kibana_sample_data_ecommerce2/_ccr/unfollow");
  // as in Elasticsearch: the follower is converted, but its lease on the unreachable leader cannot
  // be removed, so the call reports that lease (TransportUnfollowAction.onLeaseRemovalFailure)
  expect(unfollow.status).toBe(500);
  expect(unfollow.body.error.type).toBe("exception");
  expect(unfollow.body.error.failed_to_remove_retention_leases).toHaveLength(1);
  expect(unfollow.body.error.failed_to_remove_retention_leases[0]).toMatch(
    /^clusterB\/kibana_sample_data_ecommerce2\/[^/]+-following-clusterA\/kibana_sample_data_ecommerce\/[^/]+$/,
  );
  expect(unfollow.body.error.caused_by.type).toBe("no_seed_node_left_exception");
  expect((await ok(b.url, "POST", "/kibana_sample_data_ecommerce2/_open")).acknowledged).toBe(true);
  expect(await ok(b.url, "GET", "/kibana_sample_data_ecommerce2/_ccr/info")).toEqual({ follower_indices: [] });
  const settings = await ok(b.url, "GET", "/kibana_sample_data_ecommerce2/_settings?flat_settings=true");
  expect(settings.kibana_sample_data_ecommerce2.settings["index.xpack.ccr.following_index"]).toBeUndefined();

  // ### On clusterB ### the index now takes writes
  const kimchy = await http(b.url, "POST", "/kibana_sample_data_ecommerce2/_doc/", { user: "kimchy" });
  expect(kimchy.status).toBe(201);

  // ### clusterA returns ### on its data dir
  await a.restart();
  const put2 = await http(a.url, "PUT", "/_cluster/settings", {
    persistent: {
      cluster: {
        remote: {
          clusterB: {
            mode: "proxy",
            skip_unavailable: "true",
            server_name: "clusterb.es.region-b.gcp.elastic-cloud.com",
            proxy_socket_connections: "18",
            proxy_address: b.transportAddress,
          },
        },
      },
    },
  });
  expect(put2.status).toBe(200);
  // the stale leader index survived the crash; it must be discarded before following
  expect((await ok(a.url, "GET", "/kibana_sample_data_ecommerce/_count")).count).toBe(350);
  expect(await ok(a.url, "DELETE", "/kibana_sample_data_ecommerce")).toEqual({ acknowledged: true });
  const back = await http(a.url, "PUT", "/kibana_sample_data_ecommerce/_ccr/follow?wait_for_active_shards=1", {
    remote_cluster: "clusterB",
    leader_index: "kibana_sample_data_ecommerce2",
  });
  expect(back.body).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });

  // ### On clusterA ### the follower holds the document written during the failover, and everything else
  const search = await ok(a.url, "GET", "/kibana_sample_data_ecommerce/_search?q=kimchy");
  expect(search.hits.total.value).toBe(1);
  expect(search.hits.hits[0]._source).toEqual({ user: "kimchy" });
  const onA = await documents(a.url, "kibana_sample_data_ecommerce");
  const onB = await documents(b.url, "kibana_sample_data_ecommerce2");
  expect(onA).toHaveLength(351);
  expect(onA).toEqual(onB);
  expect(await operations(a.url, "kibana_sample_data_ecommerce")).toEqual(await operations(b.url, "kibana_sample_data_ecommerce2"));
});
