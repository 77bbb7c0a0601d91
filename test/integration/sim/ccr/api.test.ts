/**
 * CCR response shapes and every error case of Elasticsearch's CCR APIs (docs/ccr.md, "Following"), against two running es-sim
 * processes (leader and follower over the transport) and one cluster that is its own remote, as
 * Elasticsearch's own CCR YAML tests run.
 */
import { http, ndjson } from "../../../helpers/sim";
import { addRemote, bulkIndex, ok, SimFleet, shardStats, waitCaughtUp, waitFor } from "../../../helpers/ccr";
import type { SpawnedSim } from "../../../helpers/sim";

const fleet = new SimFleet();
let leader: SpawnedSim;
let follower: SpawnedSim;

beforeAll(async () => {
  [leader, follower] = await Promise.all([
    fleet.spawn({ clusterName: "leader-cluster" }),
    fleet.spawn({ clusterName: "follower-cluster" }),
  ]);
  await addRemote(follower.url, "leader_cluster", leader.transportAddress);
  // the leader is also its own remote (sniff mode), as in ES's CcrRestIT
  await ok(leader.url, "PUT", "/_cluster/settings", {
    persistent: { cluster: { remote: { local: { seeds: [leader.transportAddress] } } } },
  });
});
afterAll(() => fleet.cleanup());

const DEFAULT_PARAMETERS = {
  max_read_request_operation_count: 5120,
  max_read_request_size: "32mb",
  max_outstanding_read_requests: 12,
  max_write_request_operation_count: 5120,
  max_write_request_size: "9223372036854775807b",
  max_outstanding_write_requests: 9,
  max_write_buffer_count: 2147483647,
  max_write_buffer_size: "512mb",
  max_retry_delay: "500ms",
  read_poll_timeout: "1m",
};

const SHARD_STATUS_FIELDS = [
  "remote_cluster",
  "leader_index",
  "follower_index",
  "shard_id",
  "leader_global_checkpoint",
  "leader_max_seq_no",
  "follower_global_checkpoint",
  "follower_max_seq_no",
  "last_requested_seq_no",
  "outstanding_read_requests",
  "outstanding_write_requests",
  "write_buffer_operation_count",
  "write_buffer_size_in_bytes",
  "follower_mapping_version",
  "follower_settings_version",
  "follower_aliases_version",
  "total_read_time_millis",
  "total_read_remote_exec_time_millis",
  "successful_read_requests",
  "failed_read_requests",
  "operations_read",
  "bytes_read",
  "total_write_time_millis",
  "successful_write_requests",
  "failed_write_requests",
  "operations_written",
  "read_exceptions",
  "time_since_last_read_millis",
];

/** Asserts an ES error envelope. */
async function expectError(
  res: Promise<{ status: number; body: any }>,
  status: number,
  type: string,
  reason?: string | RegExp,
): Promise<any> {
  const r = await res;
  expect({ status: r.status, type: r.body?.error?.type }).toEqual({ status, type });
  expect(r.body.status).toBe(status);
  expect(r.body.error.root_cause[0].type).toBeDefined();
  if (typeof reason === "string") expect(r.body.error.reason).toBe(reason);
  else if (reason) expect(r.body.error.reason).toMatch(reason);
  return r.body.error;
}

async function leaderIndex(name: string, docs = 3, settings: Record<string, unknown> = {}): Promise<void> {
  await ok(leader.url, "PUT", `/${name}`, { settings: { number_of_replicas: 0, ...settings } });
  if (docs > 0) await bulkIndex(leader.url, name, docs);
}

async function follow(
  name: string,
  leaderName: string,
  extra: Record<string, unknown> = {},
  query = "?wait_for_active_shards=1",
): Promise<any> {
  return ok(follower.url, "PUT", `/${name}/_ccr/follow${query}`, { remote_cluster: "leader_cluster", leader_index: leaderName, ...extra });
}

async function pauseCloseUnfollow(url: string, name: string): Promise<void> {
  await ok(url, "POST", `/${name}/_ccr/pause_follow`);
  await ok(url, "POST", `/${name}/_close`);
  await ok(url, "POST", `/${name}/_ccr/unfollow`);
}

describe("follow, pause, resume, unfollow: response shapes", () => {
  test("wait_for_active_shards absent answers at once (created, not acked, not started); following starts by itself", async () => {
    await leaderIndex("shape-wfas0", 5);
    const r = await ok(follower.url, "PUT", "/shape-wfas0-f/_ccr/follow", {
      remote_cluster: "leader_cluster",
      leader_index: "shape-wfas0",
    });
    expect(r).toEqual({ follow_index_created: true, follow_index_shards_acked: false, index_following_started: false });
    expect(Object.keys(r)).toEqual(["follow_index_created", "follow_index_shards_acked", "index_following_started"]);
    await waitFor(
      "follower active",
      async () => (await ok(follower.url, "GET", "/shape-wfas0-f/_ccr/info")).follower_indices[0]?.status === "active",
    );
    await waitCaughtUp(leader.url, "shape-wfas0", follower.url, "shape-wfas0-f");
  });

  test("wait_for_active_shards=1: all three flags; bootstrap copies documents, mappings, settings and shard count", async () => {
    await ok(leader.url, "PUT", "/shape-copy", {
      settings: { number_of_shards: 3, number_of_replicas: 0, "index.mapping.total_fields.limit": 500 },
      mappings: { properties: { title: { type: "text" }, code: { type: "keyword" } } },
      aliases: { "shape-copy-alias": {} },
    });
    await bulkIndex(leader.url, "shape-copy", 20);
    await ok(leader.url, "DELETE", "/shape-copy/_doc/d3");
    const r = await follow("shape-copy-f", "shape-copy");
    expect(r).toEqual({ follow_index_created: true, follow_index_shards_acked: true, index_following_started: true });
    const s = (await ok(follower.url, "GET", "/shape-copy-f/_settings?flat_settings=true"))["shape-copy-f"].settings;
    expect(s["index.number_of_shards"]).toBe("3");
    expect(s["index.mapping.total_fields.limit"]).toBe("500");
    expect(s["index.xpack.ccr.following_index"]).toBe("true");
    const m = await ok(follower.url, "GET", "/shape-copy-f/_mapping");
    expect(m["shape-copy-f"].mappings.properties.code).toEqual({ type: "keyword" });
    expect(Object.keys((await ok(follower.url, "GET", "/shape-copy-f/_alias"))["shape-copy-f"].aliases)).toEqual(["shape-copy-alias"]);
    expect((await ok(follower.url, "GET", "/shape-copy-f/_count")).count).toBe(19);
    const doc = await ok(follower.url, "GET", "/shape-copy-f/_doc/d7");
    const src = await ok(leader.url, "GET", "/shape-copy/_doc/d7");
    expect({ seq: doc._seq_no, term: doc._primary_term, v: doc._version }).toEqual({
      seq: src._seq_no,
      term: src._primary_term,
      v: src._version,
    });
  });

  test("follow info: active with the ten default parameters, paused without them; plain index skipped; unknown → 404", async () => {
    await leaderIndex("shape-info", 1);
    await follow("shape-info-f", "shape-info");
    const active = await ok(follower.url, "GET", "/shape-info-f/_ccr/info");
    expect(active).toEqual({
      follower_indices: [
        {
          follower_index: "shape-info-f",
          remote_cluster: "leader_cluster",
          leader_index: "shape-info",
          status: "active",
          parameters: DEFAULT_PARAMETERS,
        },
      ],
    });
    expect(Object.keys(active.follower_indices[0].parameters)).toEqual(Object.keys(DEFAULT_PARAMETERS));
    expect(await ok(follower.url, "POST", "/shape-info-f/_ccr/pause_follow")).toEqual({ acknowledged: true });
    expect(await ok(follower.url, "GET", "/shape-info-f/_ccr/info")).toEqual({
      follower_indices: [
        { follower_index: "shape-info-f", remote_cluster: "leader_cluster", leader_index: "shape-info", status: "paused" },
      ],
    });
    await ok(follower.url, "PUT", "/plain-index");
    expect(await ok(follower.url, "GET", "/plain-index/_ccr/info")).toEqual({ follower_indices: [] });
    await expectError(
      http(follower.url, "GET", "/no-such-index/_ccr/info"),
      404,
      "index_not_found_exception",
      "no such index [no-such-index]",
    );
  });

  test("resume: given parameters are used, omitted ones return to the defaults (not the previous values)", async () => {
    await leaderIndex("shape-resume", 2);
    await follow("shape-resume-f", "shape-resume", {
      max_read_request_operation_count: 7,
      max_retry_delay: "2s",
      max_read_request_size: "1kb",
    });
    let info = (await ok(follower.url, "GET", "/shape-resume-f/_ccr/info")).follower_indices[0];
    expect(info.parameters).toMatchObject({ max_read_request_operation_count: 7, max_retry_delay: "2s", max_read_request_size: "1kb" });
    await ok(follower.url, "POST", "/shape-resume-f/_ccr/pause_follow");
    expect(await ok(follower.url, "POST", "/shape-resume-f/_ccr/resume_follow", { max_outstanding_read_requests: 3 })).toEqual({
      acknowledged: true,
    });
    info = (await ok(follower.url, "GET", "/shape-resume-f/_ccr/info")).follower_indices[0];
    expect(info.parameters).toEqual({ ...DEFAULT_PARAMETERS, max_outstanding_read_requests: 3 });
    await ok(follower.url, "POST", "/shape-resume-f/_ccr/pause_follow");
    await ok(follower.url, "POST", "/shape-resume-f/_ccr/resume_follow");
    expect((await ok(follower.url, "GET", "/shape-resume-f/_ccr/info")).follower_indices[0].parameters).toEqual(DEFAULT_PARAMETERS);
  });

  test("unfollow (closed and paused) makes a plain index and removes the follower's lease from the leader", async () => {
    await leaderIndex("shape-unfollow", 2);
    await follow("shape-unfollow-f", "shape-unfollow");
    const leases = async () =>
      (await ok(leader.url, "GET", "/shape-unfollow/_stats?level=shards")).indices["shape-unfollow"].shards["0"][0].retention_leases
        .leases as any[];
    const uuid = (await ok(follower.url, "GET", "/shape-unfollow-f/_settings?flat_settings=true"))["shape-unfollow-f"].settings[
      "index.uuid"
    ];
    const expectedId = `follower-cluster/shape-unfollow-f/${uuid}-following-leader_cluster/shape-unfollow/`;
    await waitFor("the follower's lease on the leader", async () =>
      (await leases()).some((l) => l.id.startsWith(expectedId) && l.source === "ccr"),
    );
    await ok(follower.url, "POST", "/shape-unfollow-f/_ccr/pause_follow");
    await ok(follower.url, "POST", "/shape-unfollow-f/_close");
    expect(await ok(follower.url, "POST", "/shape-unfollow-f/_ccr/unfollow")).toEqual({ acknowledged: true });
    expect((await leases()).some((l) => l.source === "ccr")).toBe(false);
    await ok(follower.url, "POST", "/shape-unfollow-f/_open");
    expect(await ok(follower.url, "GET", "/shape-unfollow-f/_ccr/info")).toEqual({ follower_indices: [] });
    expect((await http(follower.url, "PUT", "/shape-unfollow-f/_doc/x", { now: "writable" })).status).toBe(201);
  });

  test("a cluster may be its own remote", async () => {
    await leaderIndex("self-leader", 4);
    const info = await ok(leader.url, "GET", "/_remote/info");
    await waitFor("self connection", async () => (await ok(leader.url, "GET", "/_remote/info")).local.connected);
    expect(info.local.mode).toBe("sniff");
    const r = await ok(leader.url, "PUT", "/self-follower/_ccr/follow?wait_for_active_shards=1", {
      remote_cluster: "local",
      leader_index: "self-leader",
    });
    expect(r.index_following_started).toBe(true);
    await bulkIndex(leader.url, "self-leader", 3, "more-");
    await waitCaughtUp(leader.url, "self-leader", leader.url, "self-follower");
    await ok(leader.url, "POST", "/self-follower/_refresh");
    expect((await ok(leader.url, "GET", "/self-follower/_count")).count).toBe(7);
    await pauseCloseUnfollow(leader.url, "self-follower");
  });
});

describe("stats", () => {
  test("follow stats: ES field names in order, initial values on an empty leader, total_global_checkpoint_lag", async () => {
    await leaderIndex("stats-empty", 0);
    await follow("stats-empty-f", "stats-empty");
    const all = await ok(follower.url, "GET", "/_all/_ccr/stats");
    const entry = all.indices.find((i: any) => i.index === "stats-empty-f");
    expect(Object.keys(entry)).toEqual(["index", "total_global_checkpoint_lag", "shards"]);
    expect(entry.total_global_checkpoint_lag).toBe(0);
    const s = entry.shards[0];
    expect(Object.keys(s)).toEqual(SHARD_STATUS_FIELDS);
    expect(s).toMatchObject({
      remote_cluster: "leader_cluster",
      leader_index: "stats-empty",
      follower_index: "stats-empty-f",
      shard_id: 0,
      leader_global_checkpoint: -1,
      leader_max_seq_no: -1,
      follower_global_checkpoint: -1,
      follower_max_seq_no: -1,
      last_requested_seq_no: -1,
      operations_written: 0,
      operations_read: 0,
      failed_read_requests: 0,
      read_exceptions: [],
    });
    expect(s.fatal_exception).toBeUndefined();
    const sorted = all.indices.map((i: any) => i.index);
    expect(sorted).toEqual([...sorted].sort());
    await bulkIndex(leader.url, "stats-empty", 4);
    await waitCaughtUp(leader.url, "stats-empty", follower.url, "stats-empty-f");
    const after = await shardStats(follower.url, "stats-empty-f");
    expect(after).toMatchObject({
      leader_global_checkpoint: 3,
      follower_global_checkpoint: 3,
      follower_max_seq_no: 3,
      operations_written: 4,
    });
    expect(after.time_since_last_read_millis).toBeGreaterThanOrEqual(0);
    const human = await ok(follower.url, "GET", "/stats-empty-f/_ccr/stats?human=true");
    expect(human.indices[0].shards[0]).toHaveProperty("write_buffer_size");
    expect(human.indices[0].shards[0]).toHaveProperty("total_read_time");
  });

  test("GET /_ccr/stats has auto_follow_stats and follow_stats", async () => {
    const r = await ok(follower.url, "GET", "/_ccr/stats");
    expect(Object.keys(r)).toEqual(["auto_follow_stats", "follow_stats"]);
    expect(Object.keys(r.auto_follow_stats)).toEqual([
      "number_of_failed_follow_indices",
      "number_of_failed_remote_cluster_state_requests",
      "number_of_successful_follow_indices",
      "recent_auto_follow_errors",
      "auto_followed_clusters",
    ]);
    expect(r.follow_stats.indices.length).toBeGreaterThan(0);
  });

  test("stats of an index without a task → 404; `_all` on a cluster without followers → empty list", async () => {
    await expectError(
      http(follower.url, "GET", "/shape-info-f/_ccr/stats"),
      404,
      "resource_not_found_exception",
      "No shard follow tasks for follower indices [shape-info-f]",
    );
    await expectError(
      http(follower.url, "GET", "/unknown/_ccr/stats"),
      404,
      "resource_not_found_exception",
      "No shard follow tasks for follower indices [unknown]",
    );
    const fresh = await fleet.spawn({ clusterName: "empty" });
    expect(await ok(fresh.url, "GET", "/_all/_ccr/stats")).toEqual({ indices: [] });
  });
});

describe("the follower refuses writes, mapping and alias changes, and changes of its CCR setting", () => {
  beforeAll(async () => {
    await leaderIndex("guard", 2);
    await follow("guard-f", "guard");
  });
  test("index / delete → 403 status_exception", async () => {
    const reason = "a following engine does not accept operations without an assigned sequence number";
    await expectError(http(follower.url, "PUT", "/guard-f/_doc/1", { a: 1 }), 403, "status_exception", reason);
    await expectError(http(follower.url, "DELETE", "/guard-f/_doc/d0"), 403, "status_exception", reason);
  });
  test("_bulk: 200 with errors=true and a 403 per item", async () => {
    const r = await http(
      follower.url,
      "POST",
      "/_bulk",
      ndjson([{ index: { _index: "guard-f", _id: "x" } }, { a: 1 }, { delete: { _index: "guard-f", _id: "d1" } }]),
      {
        "content-type": "application/x-ndjson",
      },
    );
    expect(r.status).toBe(200);
    expect(r.body.errors).toBe(true);
    for (const item of r.body.items) {
      const inner = Object.values(item)[0] as any;
      expect(inner.status).toBe(403);
      expect(inner.error.type).toBe("status_exception");
    }
  });
  test("put mapping and aliases → 403; the internal setting → 400", async () => {
    await expectError(
      http(follower.url, "PUT", "/guard-f/_mapping", { properties: { x: { type: "keyword" } } }),
      403,
      "status_exception",
      "can't put mapping to the following indices [guard-f]; the mapping of the following indices are self-replicated from its leader indices",
    );
    await expectError(
      http(follower.url, "POST", "/_aliases", { actions: [{ add: { index: "guard-f", alias: "a1" } }] }),
      403,
      "status_exception",
      "can't modify aliases on indices [guard-f]; aliases of following indices are self-replicated from their leader indices",
    );
    await expectError(
      http(follower.url, "PUT", "/guard-f/_settings", { "index.xpack.ccr.following_index": false }),
      400,
      "illegal_argument_exception",
      "can not update internal setting [index.xpack.ccr.following_index]; this setting is managed via a dedicated API",
    );
  });
  test("leader mapping and alias changes are replicated", async () => {
    await ok(leader.url, "PUT", "/guard/_mapping", { properties: { added: { type: "keyword" } } });
    await ok(leader.url, "POST", "/_aliases", { actions: [{ add: { index: "guard", alias: "guard-alias" } }] });
    await ok(leader.url, "PUT", "/guard/_doc/late", { added: "yes" }, 201);
    await waitCaughtUp(leader.url, "guard", follower.url, "guard-f");
    expect((await ok(follower.url, "GET", "/guard-f/_mapping"))["guard-f"].mappings.properties.added).toEqual({ type: "keyword" });
    expect(Object.keys((await ok(follower.url, "GET", "/guard-f/_alias"))["guard-f"].aliases)).toContain("guard-alias");
  });
});

describe("error cases", () => {
  test("PUT follow into an open index → 500 snapshot_restore_exception", async () => {
    await leaderIndex("err-open", 1);
    await ok(follower.url, "PUT", "/err-open-existing");
    await expectError(
      http(follower.url, "PUT", "/err-open-existing/_ccr/follow", { remote_cluster: "leader_cluster", leader_index: "err-open" }),
      500,
      "snapshot_restore_exception",
      "[_ccr_leader_cluster:_latest_/_latest_] cannot restore index [err-open-existing] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name",
    );
  });

  test("PUT follow into a closed follower that is still following → 400 resource_already_exists; closed and paused → re-bootstrap", async () => {
    await leaderIndex("err-refollow", 3);
    await follow("err-refollow-f", "err-refollow");
    await ok(follower.url, "POST", "/err-refollow-f/_close");
    await expectError(
      http(follower.url, "PUT", "/err-refollow-f/_ccr/follow", { remote_cluster: "leader_cluster", leader_index: "err-refollow" }),
      400,
      "resource_already_exists_exception",
      /^task with id \{.+-0\} already exist$/,
    );
    await ok(follower.url, "POST", "/err-refollow-f/_ccr/pause_follow");
    await bulkIndex(leader.url, "err-refollow", 2, "extra-");
    expect((await follow("err-refollow-f", "err-refollow")).index_following_started).toBe(true);
    expect((await ok(follower.url, "GET", "/err-refollow-f/_count")).count).toBe(5);
  });

  test("unknown remote cluster → 404 no_such_remote_cluster_exception", async () => {
    await expectError(
      http(follower.url, "PUT", "/x/_ccr/follow", { remote_cluster: "nowhere", leader_index: "a" }),
      404,
      "no_such_remote_cluster_exception",
      "no such remote cluster: [nowhere]",
    );
  });

  test("missing leader index → 404 index_not_found_exception", async () => {
    const e = await expectError(
      http(follower.url, "PUT", "/x/_ccr/follow", { remote_cluster: "leader_cluster", leader_index: "no-such-leader" }),
      404,
      "index_not_found_exception",
      "no such index [no-such-leader]",
    );
    expect(e.index).toBe("no-such-leader");
  });

  test("closed leader index → 400 index_closed_exception on follow and on resume", async () => {
    await leaderIndex("err-closed", 1);
    await follow("err-closed-f", "err-closed");
    await ok(follower.url, "POST", "/err-closed-f/_ccr/pause_follow");
    await ok(leader.url, "POST", "/err-closed/_close");
    await expectError(
      http(follower.url, "PUT", "/err-closed-2/_ccr/follow", { remote_cluster: "leader_cluster", leader_index: "err-closed" }),
      400,
      "index_closed_exception",
      "closed",
    );
    await expectError(http(follower.url, "POST", "/err-closed-f/_ccr/resume_follow"), 400, "index_closed_exception", "closed");
    await ok(leader.url, "POST", "/err-closed/_open");
  });

  test("soft deletes cannot be disabled on an 8.x index (so every leader has them)", async () => {
    await expectError(
      http(leader.url, "PUT", "/no-soft-deletes", { settings: { "index.soft_deletes.enabled": false } }),
      400,
      "illegal_argument_exception",
      "Creating indices with soft-deletes disabled is no longer supported. Please do not specify a value for setting [index.soft_deletes.enabled].",
    );
  });

  test("settings: replicated ones cannot be overridden; unknown ones are refused; non-replicated ones apply", async () => {
    await leaderIndex("err-settings", 1);
    await expectError(
      http(follower.url, "PUT", "/err-settings-f/_ccr/follow", {
        remote_cluster: "leader_cluster",
        leader_index: "err-settings",
        settings: { "index.number_of_shards": 5 },
      }),
      400,
      "illegal_argument_exception",
      'can not put follower index that could override leader settings {"index.number_of_shards":"5"}',
    );
    await expectError(
      http(follower.url, "PUT", "/err-settings-f/_ccr/follow", {
        remote_cluster: "leader_cluster",
        leader_index: "err-settings",
        settings: { "index.non_existent_setting": 1 },
      }),
      400,
      "illegal_argument_exception",
      "unknown setting [index.non_existent_setting]",
    );
    await expectError(
      http(follower.url, "PUT", "/err-settings-f/_ccr/follow", {
        remote_cluster: "leader_cluster",
        leader_index: "err-settings",
        settings: { "index.a": 1, "index.b": 2 },
      }),
      400,
      "illegal_argument_exception",
      "unknown settings [index.a,index.b]",
    );
    await follow("err-settings-f", "err-settings", { settings: { index: { number_of_replicas: 0, refresh_interval: "2s" } } });
    const s = (await ok(follower.url, "GET", "/err-settings-f/_settings?flat_settings=true"))["err-settings-f"].settings;
    expect({ r: s["index.number_of_replicas"], i: s["index.refresh_interval"] }).toEqual({ r: "0", i: "2s" });
  });

  test("request validation: parameters, missing fields, body, wait_for_active_shards", async () => {
    await expectError(
      http(follower.url, "PUT", "/v/_ccr/follow", {
        max_read_request_operation_count: 0,
        max_write_buffer_size: "0",
        max_retry_delay: "-1",
      }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: max_read_request_operation_count must be larger than 0;2: max_write_buffer_size must be larger than 0;3: [max_retry_delay] must be positive but was [-1];4: remote_cluster is missing;5: leader_index is missing;",
    );
    await expectError(
      http(follower.url, "PUT", "/v/_ccr/follow", { remote_cluster: "leader_cluster", leader_index: "x", max_retry_delay: "6m" }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: [max_retry_delay] must be less than [5m] but was [6m];",
    );
    await expectError(
      http(follower.url, "PUT", "/v/_ccr/follow", { remote_cluster: "leader_cluster", leader_index: "x", bogus: 1 }),
      400,
      "x_content_parse_exception",
      /\[indices:admin\/xpack\/ccr\/put_follow\] unknown field \[bogus\]$/,
    );
    await expectError(http(follower.url, "PUT", "/v/_ccr/follow"), 400, "parse_exception", "request body or source parameter is required");
    await expectError(
      http(follower.url, "PUT", "/v/_ccr/follow?wait_for_active_shards=lots", { remote_cluster: "leader_cluster", leader_index: "x" }),
      400,
      "illegal_argument_exception",
      "cannot parse ActiveShardCount[lots]",
    );
    await expectError(
      http(follower.url, "PUT", "/v/_ccr/follow", {
        remote_cluster: "leader_cluster",
        leader_index: "x",
        max_read_request_size: "12parsecs",
      }),
      400,
      "x_content_parse_exception",
      /failed to parse field \[max_read_request_size\]$/,
    );
  });

  test("pause / resume / unfollow of a missing index → 404 index_not_found_exception", async () => {
    for (const action of ["pause_follow", "resume_follow", "unfollow"]) {
      await expectError(
        http(follower.url, "POST", `/missing-idx/_ccr/${action}`),
        404,
        "index_not_found_exception",
        "no such index [missing-idx]",
      );
    }
  });

  test("pause: non-follower → IAE; already paused → IAE", async () => {
    await ok(follower.url, "PUT", "/plain-pause");
    await expectError(
      http(follower.url, "POST", "/plain-pause/_ccr/pause_follow"),
      400,
      "illegal_argument_exception",
      "index [plain-pause] is not a follower index",
    );
    await expectError(
      http(follower.url, "POST", "/shape-info-f/_ccr/pause_follow"),
      400,
      "illegal_argument_exception",
      "no shard follow tasks for [shape-info-f]",
    );
  });

  test("resume: non-follower → IAE; active follower → resource_already_exists; closed follower → IAE", async () => {
    await ok(follower.url, "PUT", "/plain-resume");
    await expectError(
      http(follower.url, "POST", "/plain-resume/_ccr/resume_follow"),
      400,
      "illegal_argument_exception",
      "follow index [plain-resume] does not have ccr metadata",
    );
    await expectError(
      http(follower.url, "POST", "/guard-f/_ccr/resume_follow"),
      400,
      "resource_already_exists_exception",
      /^task with id \{.+-0\} already exist$/,
    );
    await leaderIndex("err-resume-closed", 1);
    await follow("err-resume-closed-f", "err-resume-closed");
    await ok(follower.url, "POST", "/err-resume-closed-f/_ccr/pause_follow");
    await ok(follower.url, "POST", "/err-resume-closed-f/_close");
    await expectError(
      http(follower.url, "POST", "/err-resume-closed-f/_ccr/resume_follow"),
      400,
      "illegal_argument_exception",
      "leader and follow index must be open",
    );
  });

  test("resume after the leader was deleted and recreated → IAE (leader uuid mismatch)", async () => {
    await leaderIndex("err-uuid", 1);
    await follow("err-uuid-f", "err-uuid");
    await ok(follower.url, "POST", "/err-uuid-f/_ccr/pause_follow");
    await ok(leader.url, "DELETE", "/err-uuid");
    await leaderIndex("err-uuid", 1);
    await expectError(
      http(follower.url, "POST", "/err-uuid-f/_ccr/resume_follow"),
      400,
      "illegal_argument_exception",
      /^follow index \[err-uuid-f\] should reference \[.+\] as leader index but instead reference \[.+\] as leader index$/,
    );
  });

  test("resume when a replicated setting changed on the leader meanwhile → IAE (settings must be identical)", async () => {
    await leaderIndex("err-diff", 1);
    await follow("err-diff-f", "err-diff");
    await ok(follower.url, "POST", "/err-diff-f/_ccr/pause_follow");
    await ok(leader.url, "PUT", "/err-diff/_settings", { "index.mapping.total_fields.limit": 1234 });
    await expectError(
      http(follower.url, "POST", "/err-diff-f/_ccr/resume_follow"),
      400,
      "illegal_argument_exception",
      /^the leader index settings \[\{.*"index.mapping.total_fields.limit":"1234".*\}\] and follower index settings \[\{.*\}\] must be identical$/,
    );
  });

  test("unfollow: non-follower → IAE; open follower → IAE not closed; closed but following → IAE not paused", async () => {
    await expectError(
      http(follower.url, "POST", "/plain-pause/_ccr/unfollow"),
      400,
      "illegal_argument_exception",
      "index [plain-pause] is not a follower index",
    );
    await leaderIndex("err-unf", 1);
    await follow("err-unf-f", "err-unf");
    await expectError(
      http(follower.url, "POST", "/err-unf-f/_ccr/unfollow"),
      400,
      "illegal_argument_exception",
      "cannot convert the follower index [err-unf-f] to a non-follower, because it has not been closed",
    );
    await ok(follower.url, "POST", "/err-unf-f/_close");
    await expectError(
      http(follower.url, "POST", "/err-unf-f/_ccr/unfollow"),
      400,
      "illegal_argument_exception",
      "cannot convert the follower index [err-unf-f] to a non-follower, because it has not been paused",
    );
  });

  test("remote unreachable → 400 status_exception (licence state unknown) with the transport cause", async () => {
    await ok(follower.url, "PUT", "/_cluster/settings", {
      persistent: { "cluster.remote.dead.mode": "proxy", "cluster.remote.dead.proxy_address": "127.0.0.1:1" },
    });
    const e = await expectError(
      http(follower.url, "PUT", "/x/_ccr/follow", { remote_cluster: "dead", leader_index: "a" }),
      400,
      "status_exception",
      "can not fetch remote index [dead:a] metadata as the license state of the remote cluster [dead] could not be determined",
    );
    expect(e.caused_by).toEqual({
      type: "no_seed_node_left_exception",
      reason: "Unable to open any proxy connections to cluster [dead] at address [127.0.0.1:1]",
    });
    await ok(follower.url, "PUT", "/_cluster/settings", { persistent: { "cluster.remote.dead.*": null } });
  });

  test("deleting the follower removes its task", async () => {
    await leaderIndex("err-delf", 1);
    await follow("err-delf-f", "err-delf");
    await ok(follower.url, "DELETE", "/err-delf-f");
    await expectError(http(follower.url, "GET", "/err-delf-f/_ccr/stats"), 404, "resource_not_found_exception");
  });
});

describe("forget follower", () => {
  test("removes the follower's lease on the leader (`_shards` 1/1/0); an unknown lease is a shard failure", async () => {
    await leaderIndex("forget", 1);
    await follow("forget-f", "forget");
    const uuid = (await ok(follower.url, "GET", "/forget-f/_settings?flat_settings=true"))["forget-f"].settings["index.uuid"];
    await ok(follower.url, "POST", "/forget-f/_ccr/pause_follow");
    const body = {
      follower_cluster: "follower-cluster",
      follower_index: "forget-f",
      follower_index_uuid: uuid,
      leader_remote_cluster: "leader_cluster",
    };
    expect(await ok(leader.url, "POST", "/forget/_ccr/forget_follower", body)).toEqual({ _shards: { total: 1, successful: 1, failed: 0 } });
    const leases = (await ok(leader.url, "GET", "/forget/_stats?level=shards")).indices.forget.shards["0"][0].retention_leases.leases;
    expect(leases.filter((l: any) => l.source === "ccr")).toEqual([]);
    const again = await ok(leader.url, "POST", "/forget/_ccr/forget_follower", body);
    expect(again._shards).toMatchObject({ total: 1, successful: 0, failed: 1 });
    expect(again._shards.failures[0].reason.type).toBe("retention_lease_not_found_exception");
    await ok(follower.url, "POST", "/forget-f/_close");
    expect(await ok(follower.url, "POST", "/forget-f/_ccr/unfollow")).toEqual({ acknowledged: true });
    await expectError(http(leader.url, "POST", "/nope/_ccr/forget_follower", body), 404, "index_not_found_exception");
  });
});
