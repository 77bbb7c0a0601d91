/**
 * The follower world read for a list of indices (providers/followerIndex/world.ts
 * `readFollowerWorldList`, what the failover preview uses) against a real es-sim pair: for every
 * kind of index a pair can be in — active, paused, closed follower, promoted regular index, plain
 * index, missing — it must equal the one-index read (`readFollowerWorld`), which the providers use.
 */
import { ccrFollowInfo, ccrFollowInfoList, type FollowInfo } from "../../../es/ccr";
import { connect, type Es } from "../../../es/connection";
import { readFollowerWorld, readFollowerWorldList } from "../../../providers/followerIndex/world";
import { addRemote, ok, SimFleet, waitFor } from "../../helpers/ccr";

jest.setTimeout(120_000);

describe("readFollowerWorldList", () => {
  const fleet = new SimFleet();
  let es: Es;
  const names = ["active-1", "paused-1", "closed-1", "promoted-1", "plain-1", "active-2"];

  beforeAll(async () => {
    const a = await fleet.spawn({ clusterName: "clusterA" });
    const b = await fleet.spawn({ clusterName: "clusterB" });
    await addRemote(b.url, "clusterA", a.transportAddress);
    for (const n of ["active-1", "paused-1", "closed-1", "promoted-1", "active-2"]) {
      await ok(a.url, "PUT", `/${n}`, { settings: { number_of_shards: n === "active-2" ? 2 : 1, number_of_replicas: 0 } });
      await ok(a.url, "POST", `/${n}/_doc?refresh=true`, { user: "kimchy" }, 201);
      await ok(b.url, "PUT", `/${n}/_ccr/follow?wait_for_active_shards=1`, { remote_cluster: "clusterA", leader_index: n });
    }
    await ok(b.url, "PUT", "/plain-1", { settings: { number_of_replicas: 0 } });
    for (const n of ["paused-1", "closed-1", "promoted-1"]) await ok(b.url, "POST", `/${n}/_ccr/pause_follow`);
    await ok(b.url, "POST", "/closed-1/_close");
    await ok(b.url, "POST", "/promoted-1/_close");
    await ok(b.url, "POST", "/promoted-1/_ccr/unfollow");
    await ok(b.url, "POST", "/promoted-1/_open");
    await ok(b.url, "PUT", "/promoted-1/_block/write");
    await ok(b.url, "PUT", "/promoted-1/_mapping", { _meta: { note: "kept" } });
    es = connect({ name: "clusterB", endpoints: [b.url] });
    await waitFor("active followers", async () =>
      (await ok(b.url, "GET", "/active-1,active-2/_ccr/stats")).indices?.length === 2 ? true : undefined,
    );
  });
  afterAll(() => fleet.cleanup());

  test("equals the one-index read for every kind of index; follow info of a list with a missing index is refused whole", async () => {
    const follows = await ccrFollowInfoList(es, names);
    expect(follows).toBeDefined();
    const one = new Map<string, FollowInfo>();
    for (const n of names) {
      const info = await ccrFollowInfo(es, n);
      if (info) one.set(n, info);
    }
    expect([...follows!.keys()].sort()).toEqual([...one.keys()].sort());
    expect([...one.keys()].sort()).toEqual(["active-1", "active-2", "closed-1", "paused-1"]);
    const worlds = await readFollowerWorldList(es, [...names, "missing-1"], follows!);
    for (const n of [...names, "missing-1"]) {
      const single = await readFollowerWorld(es, n);
      // time_since_last_read moves between the two reads
      const strip = (w: unknown) => JSON.parse(JSON.stringify(w, (k, v) => (k === "timeSinceLastReadMillis" ? undefined : v)));
      expect([n, strip(worlds.get(n))]).toEqual([n, strip(single)]);
    }
    expect(worlds.get("active-2")!.index!.followStats).toBeDefined();
    expect(worlds.get("closed-1")!.index!.open).toBe(false);
    expect(worlds.get("missing-1")).toEqual({});
    expect(await ccrFollowInfoList(es, ["active-1", "missing-1"])).toBeUndefined();
  });
});
