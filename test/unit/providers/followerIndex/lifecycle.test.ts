/**
 * FollowerIndex lifecycle functions against the in-memory fake ES (real client, fake
 * connection): every path of docs/providers.md (create, adopt, update, refresh, promote, failback), including a crash after every state change of promotion and
 * failback followed by a re-run.
 */
import {
  createFollowerIndex,
  deleteFollowerIndex,
  diffFollowerIndex,
  readFollowerIndex,
  updateFollowerIndex,
} from "../../../../providers/followerIndex/lifecycle";
import { decodePromotion, decodeQuarantine } from "../../../../es/records";
import type { FollowerIndexOutputs } from "../../../../providers/followerIndex/types";
import { ProviderError } from "../../../../providers/shared/errors";
import { FakeCluster } from "../../../helpers/fakeEs";
import { fakeRuntime, FOLLOWER, followerOnA, followerOnB, LEADER, twoClusters } from "../../../helpers/providerRuntime";

function setup() {
  const t = twoClusters();
  t.a.createIndex(LEADER, { d1: { user: "a" }, d2: { user: "b" }, d3: { user: "c" } });
  const runtime = fakeRuntime();
  const deps = { connect: FakeCluster.connector(t.world), runtime };
  return { ...t, runtime, deps };
}

describe("FollowerIndex create", () => {
  it("follows, waits until active and reports status, checkpoints and leader identity", async () => {
    const { a, b, deps } = setup();
    const { id, outs } = await createFollowerIndex(followerOnB(), deps);
    expect(id).toBe(FOLLOWER);
    expect(outs.status).toBe("active");
    expect(outs.shards?.[0]).toMatchObject({ shard: 0, followerGlobalCheckpoint: 2, leaderGlobalCheckpoint: 2 });
    expect(outs.globalCheckpointLag).toBe(0);
    expect(outs.leaderIdentity).toEqual({ clusterName: "clusterA", clusterUuid: a.uuid, indexUuid: a.index(LEADER)!.uuid });
    expect(outs.quarantinedDocuments).toBe(0);
    expect(b.index(FOLLOWER)!.docs.size).toBe(3);
  });

  it("gives the follow call (which returns once the restore is done) the follower's activation bound, not the client's 30 s", async () => {
    const { b, deps } = setup();
    await createFollowerIndex(followerOnB(), deps);
    expect(b.timeouts.get(`PUT /${FOLLOWER}/_ccr/follow`)).toBe(120_000);
    expect(b.timeouts.get(`GET /${FOLLOWER}/_ccr/info`)).toBe(30_000);
    const t = setup();
    await createFollowerIndex(followerOnB({ activeTimeoutMs: 900_000 }), t.deps);
    expect(t.b.timeouts.get(`PUT /${FOLLOWER}/_ccr/follow`)).toBe(900_000);
  });

  it("adopts an index that already follows the same leader, without any change", async () => {
    const { b, deps } = setup();
    await createFollowerIndex(followerOnB(), deps);
    b.resetCounter();
    const { outs } = await createFollowerIndex(followerOnB(), deps);
    expect(outs.status).toBe("active");
    expect(b.mutationCount).toBe(0);
  });

  it("adopting a paused follower resumes it", async () => {
    const { b, deps } = setup();
    await createFollowerIndex(followerOnB(), deps);
    b.index(FOLLOWER)!.follow!.active = false;
    const { outs } = await createFollowerIndex(followerOnB(), deps);
    expect(outs.status).toBe("active");
  });

  it("refuses an index that follows another leader, changing nothing", async () => {
    const { a, b, deps } = setup();
    a.createIndex("other");
    await createFollowerIndex(followerOnB({ leaderIndex: "other" }), deps);
    b.resetCounter();
    await expect(createFollowerIndex(followerOnB(), deps)).rejects.toMatchObject({ code: "follows_other_leader" });
    expect(b.mutationCount).toBe(0);
  });

  it("refuses a regular index of the same name unless failback is enabled, changing nothing", async () => {
    const { b, deps } = setup();
    b.createIndex(FOLLOWER, { x: { y: 1 } });
    b.resetCounter();
    const err = await createFollowerIndex(followerOnB(), deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe("index_exists");
    expect((err as Error).message).toMatch(/clusterB.*failback/);
    expect(b.mutationCount).toBe(0);
  });

  it("names the cluster, the index, the operation and the fix when the alias is missing", async () => {
    const { b, deps } = setup();
    delete b.persistent["cluster.remote.clusterA.mode"];
    delete b.persistent["cluster.remote.clusterA.proxy_address"];
    const err = (await createFollowerIndex(followerOnB({ leaderConnection: undefined }), deps).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('FollowerIndex "kibana_sample_data_ecommerce2" on cluster "clusterB"');
    expect(err.message).toContain("ccr.follow");
    expect(err.message).toContain("no_such_remote_cluster_exception");
    expect(err.message).toMatch(/declare a RemoteCluster/);
    expect(err.message).not.toContain("s3cret");
  });
});

describe("FollowerIndex update and read", () => {
  it("changes parameters by pause + resume, and no change means no request", async () => {
    const { b, deps } = setup();
    const { outs } = await createFollowerIndex(followerOnB(), deps);
    b.resetCounter();
    await updateFollowerIndex(outs, followerOnB(), deps);
    expect(b.mutationCount).toBe(0);
    const news = followerOnB({ parameters: { maxReadRequestOperationCount: 1000 } });
    await updateFollowerIndex(outs, news, deps);
    expect(b.log.filter((l) => l.includes("pause_follow") || l.includes("resume_follow"))).toEqual([
      "POST /kibana_sample_data_ecommerce2/_ccr/pause_follow",
      "POST /kibana_sample_data_ecommerce2/_ccr/resume_follow",
    ]);
    expect(b.index(FOLLOWER)!.follow!.parameters["max_read_request_operation_count"]).toBe(1000);
  });

  it("an out-of-band pause shows as drift with a reason, and update resumes it", async () => {
    const { b, deps } = setup();
    const { outs } = await createFollowerIndex(followerOnB(), deps);
    b.index(FOLLOWER)!.follow!.active = false;
    const r = await readFollowerIndex(FOLLOWER, outs, deps);
    expect(r.props?.status).toBe("paused");
    expect(r.inputs?.["status"]).toBe("paused");
    expect(r.inputs?.["driftReason"]).toMatch(/paused outside ccr-dr/);
    const d = diffFollowerIndex(r.props as never, { ...followerOnB() } as never);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    const u = await updateFollowerIndex(r.props!, followerOnB(), deps);
    expect(u.outs.status).toBe("active");
    const again = await readFollowerIndex(FOLLOWER, u.outs, deps);
    expect(again.inputs).toBeUndefined();
  });

  it("a vanished index drops out of the state", async () => {
    const { b, deps } = setup();
    const { outs } = await createFollowerIndex(followerOnB(), deps);
    b.indices.delete(FOLLOWER);
    expect(await readFollowerIndex(FOLLOWER, outs, deps)).toEqual({});
  });

  it("a fatal follower is replaced: diff asks delete-before-replace; delete promotes, create re-follows the pristine copy", async () => {
    const { a, b, world, deps } = setup();
    const { outs } = await createFollowerIndex(followerOnB(), deps);
    b.index(FOLLOWER)!.follow!.fatal = "Operations are no longer available for replicating.";
    const r = await readFollowerIndex(FOLLOWER, outs, deps);
    expect(r.props?.status).toBe("fatal");
    expect(String(r.inputs?.["driftReason"])).toContain("Operations are no longer available");
    expect(diffFollowerIndex(r.props as never, followerOnB() as never)).toMatchObject({
      changes: true,
      replaces: ["status"],
      deleteBeforeReplace: true,
    });
    await deleteFollowerIndex(r.props!, deps);
    a.writeDoc(LEADER, "d4", { user: "new" });
    const created = await createFollowerIndex(followerOnB(), deps);
    expect(created.outs.status).toBe("active");
    world.replicate();
    expect(b.index(FOLLOWER)!.docs.has("d4")).toBe(true);
  });
});

/** Runs `op` with the cluster crashing at mutation n (1-based); returns whether it crashed. */
async function withCrash(cluster: FakeCluster, n: number, mode: "before" | "after", op: () => Promise<unknown>): Promise<boolean> {
  cluster.crashOnMutation(n, mode);
  let crashed = false;
  try {
    await op();
  } catch (e) {
    crashed = true;
    expect(e).toBeInstanceOf(ProviderError);
  }
  cluster.recover();
  return crashed;
}

describe("FollowerIndex delete = promotion", () => {
  async function promotedState() {
    const s = setup();
    const { outs } = await createFollowerIndex(followerOnB(), s.deps);
    return { ...s, outs };
  }

  function expectPromoted(s: Awaited<ReturnType<typeof promotedState>>) {
    const idx = s.b.index(FOLLOWER)!;
    expect(idx.ccr).toBe(false);
    expect(idx.open).toBe(true);
    expect(idx.settings["index.blocks.write"]).toBeUndefined();
    const record = decodePromotion(idx.meta, idx.uuid);
    expect(record).toMatchObject({
      index: FOLLOWER,
      cluster: "clusterB",
      checkpointsKnown: true,
      shards: [{ shard: 0, globalCheckpoint: 2, maxSeqNo: 2 }],
      promotedFrom: { remoteCluster: "clusterA", leaderIndex: LEADER, leaderIndexUuid: s.a.index(LEADER)!.uuid },
    });
    s.b.writeDoc(FOLLOWER, "kimchy", { user: "kimchy" });
  }

  it("pauses, closes, unfollows, opens, records the promotion, and accepts writes; the leader is never called", async () => {
    const s = await promotedState();
    s.a.down = true;
    const before = s.a.log.length;
    const bBefore = s.b.log.length;
    await deleteFollowerIndex(s.outs, s.deps);
    expect(s.a.log.length).toBe(before);
    expectPromoted(s);
    expect(s.runtime.warnings.join("\n")).toMatch(/retention leases/);
    expect(s.b.log.slice(bBefore).filter((l) => !l.startsWith("GET"))).toEqual([
      "POST /kibana_sample_data_ecommerce2/_ccr/pause_follow",
      "POST /kibana_sample_data_ecommerce2/_close",
      "POST /kibana_sample_data_ecommerce2/_ccr/unfollow",
      "PUT /kibana_sample_data_ecommerce2/_settings",
      "POST /kibana_sample_data_ecommerce2/_open",
      "PUT /kibana_sample_data_ecommerce2/_mapping",
      "PUT /kibana_sample_data_ecommerce2/_settings",
    ]);
  });

  it("reads only what the promotion plan uses: 13 requests per index, the follow stats once, right before the pause", async () => {
    const s = await promotedState();
    const bBefore = s.b.log.length;
    await deleteFollowerIndex(s.outs, s.deps);
    const i = FOLLOWER;
    expect(s.b.log.slice(bBefore)).toEqual([
      `GET /${i}`,
      `GET /_cat/indices/${i}`,
      `GET /${i}/_ccr/info`,
      `GET /${i}/_ccr/stats`,
      `POST /${i}/_ccr/pause_follow`,
      `POST /${i}/_close`,
      `POST /${i}/_ccr/unfollow`,
      `PUT /${i}/_settings`,
      `POST /${i}/_open`,
      `GET /${i}/_stats`,
      `GET /${i}/_mapping`,
      `PUT /${i}/_mapping`,
      `PUT /${i}/_settings`,
    ]);
  });

  it("records the leader checkpoints seen before the pause (the RPO)", async () => {
    const s = await promotedState();
    s.a.writeDoc(LEADER, "late", { user: "never replicated" });
    await deleteFollowerIndex(s.outs, s.deps);
    const idx = s.b.index(FOLLOWER)!;
    expect(decodePromotion(idx.meta, idx.uuid)!.shards[0]).toMatchObject({ maxSeqNo: 2, leaderMaxSeqNo: 3 });
  });

  for (const mode of ["before", "after"] as const) {
    for (let n = 1; n <= 7; n++) {
      it(`converges when the run dies ${mode} state change #${n}, then runs again`, async () => {
        const s = await promotedState();
        s.a.down = true;
        const crashed = await withCrash(s.b, n, mode, () => deleteFollowerIndex(s.outs, s.deps));
        expect(crashed).toBe(true);
        await deleteFollowerIndex(s.outs, s.deps);
        expectPromoted(s);
        s.b.resetCounter();
        await deleteFollowerIndex(s.outs, s.deps);
        expect(s.b.mutationCount).toBe(0);
      });
    }
  }

  it("onDelete: deleteIndex pauses and deletes the follower", async () => {
    const s = setup();
    const { outs } = await createFollowerIndex(followerOnB({ onDelete: "deleteIndex" }), s.deps);
    await deleteFollowerIndex(outs, s.deps);
    expect(s.b.index(FOLLOWER)).toBeUndefined();
    expect(s.a.index(LEADER)).toBeDefined();
  });

  it("an index converted outside ccr-dr gets a record without checkpoints, and a warning", async () => {
    const s = await promotedState();
    const idx = s.b.index(FOLLOWER)!;
    idx.ccr = false;
    delete idx.follow;
    await deleteFollowerIndex(s.outs, s.deps);
    expect(decodePromotion(idx.meta, idx.uuid)).toMatchObject({ checkpointsKnown: false, shards: [] });
    expect(s.runtime.warnings.join("\n")).toMatch(/outside ccr-dr/);
  });
});

describe("FollowerIndex failback create", () => {
  /** The seed tutorial up to "restart A": B promoted with A down, kimchy written to B, A had a write B never got. */
  async function afterFailover() {
    const s = setup();
    const { outs } = await createFollowerIndex(followerOnB(), s.deps);
    s.a.writeDoc(LEADER, "lost-1", { user: "acknowledged on A only" });
    s.a.writeDoc(LEADER, "d2", { user: "b, updated on A only" });
    s.a.down = true;
    await deleteFollowerIndex(outs, s.deps);
    s.b.writeDoc(FOLLOWER, "kimchy", { user: "kimchy" });
    s.a.down = false;
    return s;
  }

  function expectFailedBack(s: Awaited<ReturnType<typeof afterFailover>>, outs?: FollowerIndexOutputs) {
    const idx = s.a.index(LEADER)!;
    expect(idx.ccr).toBe(true);
    expect(idx.follow).toMatchObject({ alias: "clusterB", leaderIndex: FOLLOWER, active: true });
    expect(idx.docs.has("kimchy")).toBe(true);
    const q = s.a.index("ccr-dr-quarantine-x1")!;
    expect([...q.docs.keys()].sort()).toEqual(["d2", "lost-1"]);
    expect(q.docs.get("d2")!.source).toEqual({ user: "b, updated on A only" });
    expect(decodeQuarantine(q.meta)).toMatchObject({ complete: true, documents: 2, sourceIndex: LEADER });
    if (outs) {
      expect(outs.quarantinedDocuments).toBe(2);
      expect(outs.failbackReport).toMatchObject({ quarantineIndex: "ccr-dr-quarantine-x1", quarantinedDocuments: 2 });
    }
  }

  it("fences, checks lineage, quarantines divergent writes, deletes the stale index and follows the new leader", async () => {
    const s = await afterFailover();
    const { outs } = await createFollowerIndex(followerOnA(), s.deps);
    expectFailedBack(s, outs);
    expect(s.runtime.warnings.join("\n")).toMatch(/2 document\(s\).*ccr-dr-quarantine-x1/);
    expect(outs.warnings.join("\n")).toMatch(/2 document\(s\)/);
    const writes = s.a.log.filter((l) => !l.startsWith("GET") && !l.includes("_search") && !l.includes("_refresh"));
    expect(writes[0]).toBe("PUT /kibana_sample_data_ecommerce/_block/write");
    expect(writes.indexOf("DELETE /kibana_sample_data_ecommerce")).toBeGreaterThan(writes.indexOf("POST /_bulk"));
  });

  it("quarantines nothing and creates no quarantine index when nothing diverged", async () => {
    const s = setup();
    const { outs } = await createFollowerIndex(followerOnB(), s.deps);
    await deleteFollowerIndex(outs, s.deps);
    const r = await createFollowerIndex(followerOnA(), s.deps);
    expect(r.outs.quarantinedDocuments).toBe(0);
    expect(s.a.index("ccr-dr-quarantine-x1")).toBeUndefined();
    expect(s.a.index(LEADER)!.ccr).toBe(true);
  });

  it("refuses when the leader was not promoted from this index, changing nothing", async () => {
    const s = setup();
    s.b.createIndex(FOLLOWER, { z: { user: "unrelated" } });
    s.a.resetCounter();
    s.b.resetCounter();
    const err = (await createFollowerIndex(followerOnA(), s.deps).catch((e: unknown) => e)) as ProviderError;
    expect(err.code).toBe("lineage_refused");
    expect(err.message).toMatch(/no ccr-dr promotion record.*Nothing was changed/);
    expect(s.a.mutationCount).toBe(0);
    expect(s.b.mutationCount).toBe(0);
    expect(s.a.index(LEADER)!.settings["index.blocks.write"]).toBeUndefined();
  });

  it("refuses when the record names another incarnation of the index (UUID mismatch)", async () => {
    const s = await afterFailover();
    s.a.indices.delete(LEADER);
    s.a.createIndex(LEADER, { other: { user: "recreated" } });
    s.a.resetCounter();
    const err = (await createFollowerIndex(followerOnA(), s.deps).catch((e: unknown) => e)) as ProviderError;
    expect(err.code).toBe("lineage_refused");
    expect(err.message).toMatch(/different index/);
    expect(s.a.mutationCount).toBe(0);
  });

  for (const mode of ["before", "after"] as const) {
    for (let n = 1; n <= 8; n++) {
      it(`converges when the run dies ${mode} state change #${n}, nothing lost`, async () => {
        const s = await afterFailover();
        const crashed = await withCrash(s.a, n, mode, () => createFollowerIndex(followerOnA(), s.deps));
        if (!crashed) return; // fewer state changes than n
        const { outs } = await createFollowerIndex(followerOnA(), s.deps);
        expectFailedBack(s, outs);
      });
    }
  }

  it("secrets never appear in failure messages", async () => {
    const s = await afterFailover();
    s.b.down = true;
    const err = (await createFollowerIndex(followerOnA(), s.deps).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/clusterB/);
    expect(JSON.stringify(err)).not.toContain("s3cret");
    expect(err.message).not.toContain("s3cret");
  });
});

describe("the seed tutorial, twice round", () => {
  it("failover, failback, switch back: every write survives, replicated records are never mistaken for own ones", async () => {
    const s = setup();
    // dr-b: B follows A.
    const b1 = await createFollowerIndex(followerOnB(), s.deps);
    // Failover with A down; kimchy into B.
    s.a.down = true;
    await deleteFollowerIndex(b1.outs, s.deps);
    s.b.writeDoc(FOLLOWER, "kimchy", { user: "kimchy" });
    s.a.down = false;
    // dr-a: A fails back onto B.
    const a1 = await createFollowerIndex(followerOnA(), s.deps);
    s.world.replicate();
    expect(s.a.index(LEADER)!.docs.has("kimchy")).toBe(true);
    // A's follower now carries B's promotion record, replicated through the mapping: not A's own.
    const aIdx = s.a.index(LEADER)!;
    expect(decodePromotion(aIdx.meta, aIdx.uuid)).toBeUndefined();
    // Planned switchover back to A: fence B (the primary), catch up, promote A, then B fails back onto A.
    await s.b.es().client.indices.addBlock({ index: FOLLOWER, block: "write" });
    s.world.replicate();
    await deleteFollowerIndex(a1.outs, s.deps);
    expect(decodePromotion(aIdx.meta, aIdx.uuid)).toMatchObject({ promotedFrom: { remoteCluster: "clusterB", leaderIndex: FOLLOWER } });
    s.a.writeDoc(LEADER, "after-switch", { user: "on A again" });
    const b2 = await createFollowerIndex(followerOnB({ failback: { enabled: true, quarantineIndex: "ccr-dr-quarantine-x2" } }), s.deps);
    expect(b2.outs.quarantinedDocuments).toBe(0);
    s.world.replicate();
    expect([...s.b.index(FOLLOWER)!.docs.keys()].sort()).toEqual(["after-switch", "d1", "d2", "d3", "kimchy"]);
  });
});
