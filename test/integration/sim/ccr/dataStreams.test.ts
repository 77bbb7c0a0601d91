/**
 * CCR of data streams between two running es-sim processes, as ES's FollowIndexIT/AutoFollowIT
 * data stream cases: an auto-follow pattern matching the stream's name follows each new backing
 * index and builds a replicated follower stream; a replicated stream refuses rollover and writes;
 * promote, then rollover, makes the follower stream writable again into a local write index;
 * `PUT {backing}/_ccr/follow` keeps backing index names unless `data_stream_name` renames the stream,
 * and keeps the local stream's backing indices in name order whatever order they are followed in.
 */
import { http } from "../../../helpers/sim";
import { addRemote, ok, SimFleet, waitFor } from "../../../helpers/ccr";
import type { SpawnedSim } from "../../../helpers/sim";

const fleet = new SimFleet();
let leader: SpawnedSim;
let follower: SpawnedSim;

const template = { index_patterns: ["logs-*"], data_stream: {}, priority: 50, template: { settings: { number_of_replicas: 0 } } };

beforeAll(async () => {
  [leader, follower] = await Promise.all([fleet.spawn({ clusterName: "ds-leader" }), fleet.spawn({ clusterName: "ds-follower" })]);
  await addRemote(follower.url, "leader_cluster", leader.transportAddress);
  await ok(leader.url, "PUT", "/_index_template/logs", template);
});
afterAll(() => fleet.cleanup());

const stream = async (url: string, name: string) => {
  const r = await http(url, "GET", `/_data_stream/${name}`);
  return r.status === 200 ? r.body.data_streams[0] : undefined;
};

test("auto-follow by stream name: backing indices followed, follower stream replicated; rollover and writes refused until promoted", async () => {
  // the pattern names the stream, not its `.ds-` backing indices (AutoFollowPattern.match on the parent data stream)
  await ok(follower.url, "PUT", "/_ccr/auto_follow/logs", { remote_cluster: "leader_cluster", leader_index_patterns: ["logs-app"] });
  const first = await ok(leader.url, "POST", "/logs-app/_doc?refresh=true", { "@timestamp": "2025-01-01T00:00:00Z", m: 1 }, 201);
  const followed = await waitFor("the follower data stream", async () => stream(follower.url, "logs-app"));
  expect(followed).toMatchObject({ name: "logs-app", generation: 1, replicated: true, hidden: false });
  expect(followed.indices.map((i: any) => i.index_name)).toEqual([first._index]);
  await waitFor("the first document replicated", async () => {
    await http(follower.url, "POST", "/logs-app/_refresh");
    return (await http(follower.url, "GET", "/logs-app/_count")).body.count === 1;
  });

  // a leader rollover: the new backing index is followed too and becomes the follower's write index
  const rolled = await ok(leader.url, "POST", "/logs-app/_rollover");
  await waitFor("the second backing index followed", async () => {
    const ds = await stream(follower.url, "logs-app");
    return ds?.indices.length === 2 ? ds : undefined;
  });
  const both = await stream(follower.url, "logs-app");
  expect(both.generation).toBe(2);
  expect(both.indices.map((i: any) => i.index_name)).toEqual([first._index, rolled.new_index]);

  const stats = await ok(follower.url, "GET", "/_ccr/stats");
  expect(stats.auto_follow_stats.number_of_successful_follow_indices).toBe(2);
  expect(stats.auto_follow_stats.number_of_failed_follow_indices).toBe(0);

  const r = await http(follower.url, "POST", "/logs-app/_rollover");
  expect(r.status).toBe(400);
  expect(r.body.error).toMatchObject({
    type: "illegal_argument_exception",
    reason: "data stream [logs-app] cannot be rolled over, because it is a replicated data stream",
  });
  const w = await http(follower.url, "POST", "/logs-app/_doc", { "@timestamp": "2025-01-03T00:00:00Z" });
  expect(w.status).toBe(403);
  expect(w.body.error.reason).toBe("a following engine does not accept operations without an assigned sequence number");

  // failover: stop following new backing indices, promote, roll over into a local write index
  await ok(follower.url, "POST", "/_ccr/auto_follow/logs/pause");
  expect(await ok(follower.url, "POST", "/_data_stream/_promote/logs-app")).toEqual({ acknowledged: true });
  expect((await stream(follower.url, "logs-app")).replicated).toBe(false);
  const local = await ok(follower.url, "POST", "/logs-app/_rollover");
  expect(local.old_index).toBe(rolled.new_index);
  expect(local.new_index).toMatch(/^\.ds-logs-app-\d{4}\.\d{2}\.\d{2}-000003$/);
  const written = await ok(follower.url, "POST", "/logs-app/_doc?refresh=true", { "@timestamp": "2025-01-04T00:00:00Z" }, 201);
  expect(written._index).toBe(local.new_index);
  // the followed backing indices are still followers (until unfollowed), the new write index is not
  const info = await ok(follower.url, "GET", `/${first._index}/_ccr/info`);
  expect(info.follower_indices[0].status).toBe("active");
});

test("PUT {backing}/_ccr/follow: the name must stay unless data_stream_name renames the stream", async () => {
  const created = await ok(leader.url, "POST", "/logs-db/_doc", { "@timestamp": "2025-02-01T00:00:00Z" }, 201);
  const backing = created._index as string;
  const renamedBacking = backing.replace(".ds-logs-db-", ".ds-logs-db-copy-");
  const bad = await http(follower.url, "PUT", `/${renamedBacking}/_ccr/follow`, {
    remote_cluster: "leader_cluster",
    leader_index: backing,
  });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({
    type: "illegal_argument_exception",
    reason: "a backing index name in the local and remote cluster must remain the same",
  });
  expect((await http(follower.url, "HEAD", `/${renamedBacking}`)).status).toBe(404);

  const put = await ok(follower.url, "PUT", `/${renamedBacking}/_ccr/follow?wait_for_active_shards=1`, {
    remote_cluster: "leader_cluster",
    leader_index: backing,
    data_stream_name: "logs-db-copy",
  });
  expect(put).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });
  const ds = await stream(follower.url, "logs-db-copy");
  expect(ds).toMatchObject({ name: "logs-db-copy", replicated: true, generation: 1 });
  expect(ds.indices.map((i: any) => i.index_name)).toEqual([renamedBacking]);
  expect((await http(follower.url, "GET", "/_data_stream/logs-db")).status).toBe(404);

  // a local stream of that name that is no longer replicated takes no more followers
  await ok(follower.url, "POST", "/_data_stream/_promote/logs-db-copy");
  const rolled = await ok(leader.url, "POST", "/logs-db/_rollover");
  const renamed2 = (rolled.new_index as string).replace(".ds-logs-db-", ".ds-logs-db-copy-");
  const refused = await http(follower.url, "PUT", `/${renamed2}/_ccr/follow`, {
    remote_cluster: "leader_cluster",
    leader_index: rolled.new_index,
    data_stream_name: "logs-db-copy",
  });
  expect(refused.status).toBe(400);
  expect(refused.body.error.reason).toBe(
    `cannot follow backing index [${renamed2}], because local data stream [logs-db-copy] is no longer marked as replicated`,
  );
});

test("PUT {backing}/_ccr/follow of an older backing index after a newer one: the local stream keeps its backing indices in name order", async () => {
  // TransportPutFollowAction.updateLocalDataStream sorts the backing indices by name, so that the
  // newest generation stays the write index whatever order they are followed in
  const first = await ok(leader.url, "POST", "/logs-order/_doc", { "@timestamp": "2025-03-01T00:00:00Z" }, 201);
  const rolled = await ok(leader.url, "POST", "/logs-order/_rollover");
  const follow = (index: string) =>
    ok(follower.url, "PUT", `/${index}/_ccr/follow?wait_for_active_shards=1`, {
      remote_cluster: "leader_cluster",
      leader_index: index,
      data_stream_name: "logs-order",
    });
  await follow(rolled.new_index);
  expect((await stream(follower.url, "logs-order")).indices.map((i: any) => i.index_name)).toEqual([rolled.new_index]);
  await follow(first._index);
  const ds = await stream(follower.url, "logs-order");
  expect(ds).toMatchObject({ name: "logs-order", replicated: true, generation: 2 });
  expect(ds.indices.map((i: any) => i.index_name)).toEqual([first._index, rolled.new_index]);
});

test("templates and data streams survive a process restart (durable cluster-state customs)", async () => {
  const before = await stream(leader.url, "logs-app");
  await leader.restart();
  expect((await http(leader.url, "HEAD", "/_index_template/logs")).status).toBe(200);
  const after = await stream(leader.url, "logs-app");
  expect(after).toMatchObject({ name: "logs-app", generation: before.generation, replicated: false, template: "logs" });
  expect(after.indices).toEqual(before.indices);
  const w = await ok(leader.url, "POST", "/logs-app/_doc", { "@timestamp": "2025-03-01T00:00:00Z" }, 201);
  expect(w._index).toBe(before.indices[before.indices.length - 1].index_name);
});
