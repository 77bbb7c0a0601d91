/**
 * Failure modes a DR procedure must survive, with real processes and kill -9: leader process lost
 * and back, leader index deleted, follower process lost and back (no re-copy, no gap, no
 * duplicate), leader or follower index closed, and retention leases — renewed while following,
 * protecting history from `_forcemerge`, and, once expired, the fatal "operations are no longer
 * available" that only a re-bootstrap (close, pause, follow again) cures.
 */
import { http } from "../../../helpers/sim";
import {
  addRemote,
  bulkIndex,
  documents,
  history,
  ok,
  operations,
  SimFleet,
  shardStats,
  waitCaughtUp,
  waitFor,
} from "../../../helpers/ccr";
import type { SpawnedSim } from "../../../helpers/sim";

const fleet = new SimFleet();
let leader: SpawnedSim;
let follower: SpawnedSim;

beforeAll(async () => {
  [leader, follower] = await Promise.all([fleet.spawn({ clusterName: "fault-leader" }), fleet.spawn({ clusterName: "fault-follower" })]);
  await addRemote(follower.url, "leader", leader.transportAddress);
});
afterAll(() => fleet.cleanup());

async function setup(
  name: string,
  docs: number,
  settings: Record<string, unknown> = {},
  params: Record<string, unknown> = {},
): Promise<void> {
  await ok(leader.url, "PUT", `/${name}`, { settings: { number_of_replicas: 0, ...settings } });
  if (docs > 0) await bulkIndex(leader.url, name, docs);
  const r = await ok(follower.url, "PUT", `/${name}-f/_ccr/follow?wait_for_active_shards=1`, {
    remote_cluster: "leader",
    leader_index: name,
    ...params,
  });
  expect(r.index_following_started).toBe(true);
}

/** Same documents, and the same history from `from` (below it a merged leader may have dropped operations). */
async function expectIdentical(name: string, from = 0): Promise<void> {
  await waitCaughtUp(leader.url, name, follower.url, `${name}-f`);
  expect(await documents(follower.url, `${name}-f`)).toEqual(await documents(leader.url, name));
  expect(await operations(follower.url, `${name}-f`, from)).toEqual(await operations(leader.url, name, from));
}

async function leases(name: string): Promise<any[]> {
  const s = await ok(leader.url, "GET", `/${name}/_stats?level=shards`);
  return s.indices[name].shards["0"][0].retention_leases.leases.filter((l: any) => l.source === "ccr");
}

test("leader process killed: follower keeps its data, retries with bounded back-off, catches up when the leader returns", async () => {
  await setup("lk", 50);
  await expectIdentical("lk");
  await leader.kill("SIGKILL");
  const during = await waitFor("read exceptions with several retries", async () => {
    const s = await shardStats(follower.url, "lk-f");
    return s.read_exceptions.length > 0 && s.read_exceptions[0].retries >= 3 ? s : undefined;
  });
  expect(during.fatal_exception).toBeUndefined();
  expect(during.failed_read_requests).toBeGreaterThanOrEqual(3);
  expect(["no_seed_node_left_exception", "node_disconnected_exception"]).toContain(during.read_exceptions[0].exception.type);
  expect((await ok(follower.url, "GET", "/lk-f/_count")).count).toBe(50);
  expect((await ok(follower.url, "GET", "/lk-f/_ccr/info")).follower_indices[0].status).toBe("active");
  await leader.restart();
  await bulkIndex(leader.url, "lk", 30, "after-");
  await ok(leader.url, "DELETE", "/lk/_doc/d1");
  await expectIdentical("lk");
  const after = await shardStats(follower.url, "lk-f");
  expect(after.read_exceptions).toEqual([]);
  expect(after.fatal_exception).toBeUndefined();
  // the leader restarted: operations after it carry the new primary term
  const ops = await operations(follower.url, "lk-f");
  expect(ops[ops.length - 1]![2]).toBeGreaterThan(ops[0]![2]);
});

test("leader index deleted: fatal index_not_found_exception; the task stays until paused", async () => {
  await setup("ld", 5);
  await ok(leader.url, "DELETE", "/ld");
  const s = await waitFor("fatal exception", async () => {
    const st = await shardStats(follower.url, "ld-f");
    return st.fatal_exception ? st : undefined;
  });
  expect(s.fatal_exception).toMatchObject({ type: "index_not_found_exception", reason: "no such index [ld]" });
  expect((await ok(follower.url, "GET", "/ld-f/_ccr/info")).follower_indices[0].status).toBe("active");
  expect((await ok(follower.url, "GET", "/ld-f/_count")).count).toBe(5);
  await ok(follower.url, "POST", "/ld-f/_ccr/pause_follow");
});

test("follower process killed and restarted: resumes from its persisted checkpoint, no re-copy, no gap, no duplicate", async () => {
  await setup("fk", 40);
  await expectIdentical("fk");
  const before = await shardStats(follower.url, "fk-f");
  await follower.kill("SIGKILL");
  await bulkIndex(leader.url, "fk", 25, "while-down-");
  await ok(leader.url, "DELETE", "/fk/_doc/d2");
  await ok(leader.url, "POST", "/fk/_update/d3", { doc: { updated: true } });
  await follower.restart();
  await expectIdentical("fk");
  const after = await shardStats(follower.url, "fk-f");
  // only the 27 operations made while it was down were read and written after the restart
  expect(after.operations_written).toBe(27);
  expect(after.follower_global_checkpoint).toBe(before.follower_global_checkpoint + 27);
  expect((await ok(follower.url, "GET", "/fk-f/_ccr/info")).follower_indices[0].status).toBe("active");
});

test("leader index closed: reads fail with the closed-index block and are retried; following resumes after reopen", async () => {
  await setup("lc", 10);
  await ok(leader.url, "POST", "/lc/_close");
  const s = await waitFor("read exception for the closed leader", async () => {
    const st = await shardStats(follower.url, "lc-f");
    return st.read_exceptions.length > 0 && st.failed_read_requests >= 1 ? st : undefined;
  });
  expect(s.read_exceptions[0].exception).toMatchObject({
    type: "cluster_block_exception",
    reason: "index [lc] blocked by: [FORBIDDEN/4/index closed];",
  });
  expect(s.fatal_exception).toBeUndefined();
  await ok(leader.url, "POST", "/lc/_open");
  await bulkIndex(leader.url, "lc", 5, "reopened-");
  await expectIdentical("lc");
});

test("follower index closed: writes fail and are retried; replication resumes after reopen", async () => {
  await setup("fc", 10);
  await ok(follower.url, "POST", "/fc-f/_close");
  await bulkIndex(leader.url, "fc", 5, "closed-");
  const s = await waitFor("failed writes on the closed follower", async () => {
    const st = await shardStats(follower.url, "fc-f");
    return st.failed_write_requests >= 2 ? st : undefined;
  });
  expect(s.fatal_exception).toBeUndefined();
  await ok(follower.url, "POST", "/fc-f/_open");
  await expectIdentical("fc");
});

test("retention lease: held and renewed while following; the history it retains survives _forcemerge", async () => {
  await setup("rl", 10, { "index.soft_deletes.retention_lease.period": "1s" });
  const first = await waitFor("the follower's lease", async () => (await leases("rl"))[0]);
  expect(first.id).toMatch(/^fault-follower\/rl-f\/[^/]+-following-leader\/rl\/[^/]+$/);
  // renewed again and again: across several renewals (together longer than the 1s period) it never lapses
  let last = first.timestamp;
  let lapsed = false;
  for (let renewals = 0; renewals < 4; renewals++) {
    last = await waitFor("a renewal (newer timestamp)", async () => {
      const l = await leases("rl");
      if (l.length !== 1) lapsed = true;
      return l[0]?.timestamp > last ? (l[0].timestamp as number) : undefined;
    });
  }
  expect(lapsed).toBe(false);
  expect(last - first.timestamp).toBeGreaterThan(1000);
  // paused: the lease still protects operations above the follower's checkpoint from a merge
  await ok(leader.url, "PUT", "/rl/_settings", { "index.soft_deletes.retention_lease.period": "1h" });
  await waitFor("a renewal under the new period", async () => (await leases("rl"))[0]?.timestamp > Date.now() - 1000);
  await ok(follower.url, "POST", "/rl-f/_ccr/pause_follow");
  for (let i = 0; i < 5; i++) await ok(leader.url, "POST", `/rl/_update/d${i}`, { doc: { round: 1 } });
  await ok(leader.url, "DELETE", "/rl/_doc/d9");
  await ok(leader.url, "POST", "/rl/_forcemerge");
  await ok(follower.url, "POST", "/rl-f/_ccr/resume_follow");
  // operations 10..15 (five updates and a delete) were merged away nowhere: the lease retained them
  await expectIdentical("rl", 10);
  expect((await operations(follower.url, "rl-f", 10)).map((o) => o[0])).toEqual(["INDEX", "INDEX", "INDEX", "INDEX", "INDEX", "DELETE"]);
  expect((await shardStats(follower.url, "rl-f")).fatal_exception).toBeUndefined();
});

test("lease expired and history merged away: fatal resource_not_found_exception; close + pause + follow again re-bootstraps", async () => {
  await setup("fb", 10, { "index.soft_deletes.retention_lease.period": "1s" });
  await waitFor("the follower's lease", async () => (await leases("fb")).length === 1);
  await ok(follower.url, "POST", "/fb-f/_ccr/pause_follow");
  await waitFor("the lease to expire on the leader", async () => (await leases("fb")).length === 0);
  for (let i = 0; i < 5; i++) await ok(leader.url, "POST", `/fb/_update/d${i}`, { doc: { round: 2 } });
  await ok(leader.url, "DELETE", "/fb/_doc/d8");
  await ok(leader.url, "POST", "/fb/_forcemerge");
  await ok(follower.url, "POST", "/fb-f/_ccr/resume_follow");
  const s = await waitFor("fatal exception", async () => {
    const st = await shardStats(follower.url, "fb-f");
    return st.fatal_exception ? st : undefined;
  });
  expect(s.fatal_exception.type).toBe("resource_not_found_exception");
  expect(s.fatal_exception.reason).toMatch(
    /^Operations are no longer available for replicating\. Existing retention leases \[RetentionLeases\{.*\}\]; maybe increase the retention lease period setting \[index\.soft_deletes\.retention_lease\.period\]\?$/,
  );
  expect(s.fatal_exception.requested_operations_missing).toEqual(["10", "15"]);
  expect(s.read_exceptions).toHaveLength(1);
  expect(s.read_exceptions[0]).toMatchObject({ from_seq_no: 10, retries: 0, exception: { type: "resource_not_found_exception" } });
  expect(s.failed_read_requests).toBe(1);
  expect((await ok(follower.url, "GET", "/fb-f/_ccr/info")).follower_indices[0].status).toBe("active");
  // the recovery procedure of IndexFollowingIT.runFallBehindTest
  await ok(follower.url, "POST", "/fb-f/_close");
  await ok(follower.url, "POST", "/fb-f/_ccr/pause_follow");
  const again = await http(follower.url, "PUT", "/fb-f/_ccr/follow?wait_for_active_shards=1", {
    remote_cluster: "leader",
    leader_index: "fb",
  });
  expect(again.body).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });
  await waitCaughtUp(leader.url, "fb", follower.url, "fb-f");
  expect(await documents(follower.url, "fb-f")).toEqual(await documents(leader.url, "fb"));
  // the copy is of the merged leader: its checkpoint is the leader's, its history what the leader retained
  expect((await history(follower.url, "fb-f", Number.MAX_SAFE_INTEGER)).global_checkpoint).toBe(15);
  expect((await shardStats(follower.url, "fb-f")).fatal_exception).toBeUndefined();
});

/** Longer than the receive timeout es-sim used to put on shard-changes reads (`read_poll_timeout` + 30s). */
const STALL_MS = 34_000;

test("leader process stalled (SIGSTOP): the read waits, nothing goes fatal; after SIGCONT the follower catches up on its own", async () => {
  await setup("st", 20, {}, { read_poll_timeout: "1s", max_retry_delay: "1s" });
  await expectIdentical("st");
  process.kill(leader.pid, "SIGSTOP");
  let stalled: any;
  let info: any;
  try {
    await new Promise((r) => setTimeout(r, STALL_MS));
    stalled = await shardStats(follower.url, "st-f");
    info = await ok(follower.url, "GET", "/st-f/_ccr/info");
  } finally {
    process.kill(leader.pid, "SIGCONT");
  }
  // as ES (ShardFollowTasksExecutor sends shard changes without a transport timeout): the peek read
  // stays outstanding while the leader is silent, and time_since_last_read shows the stall
  expect(stalled.fatal_exception).toBeUndefined();
  expect(stalled.read_exceptions).toEqual([]);
  expect(stalled.outstanding_read_requests).toBe(1);
  expect(stalled.time_since_last_read_millis).toBeGreaterThan(STALL_MS / 2);
  expect(info.follower_indices[0].status).toBe("active");
  await bulkIndex(leader.url, "st", 15, "after-stall-");
  await ok(leader.url, "DELETE", "/st/_doc/d3");
  await expectIdentical("st");
  const after = await shardStats(follower.url, "st-f");
  expect(after.fatal_exception).toBeUndefined();
  expect(after.read_exceptions).toEqual([]);
});
