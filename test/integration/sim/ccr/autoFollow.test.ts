/**
 * Auto-follow patterns against two running es-sim processes: the API (put/get/delete/pause/resume,
 * validation and 404s, as ES's auto_follow.yml), following of leader indices created after the
 * pattern (existing ones are not), exclusion patterns, `{{leader_index}}`, settings and parameters,
 * auto-follow stats in `GET /_ccr/stats`, and patterns surviving a restart.
 */
import { http } from "../../../helpers/sim";
import { addRemote, bulkIndex, documents, ok, SimFleet, waitCaughtUp, waitFor } from "../../../helpers/ccr";
import type { SpawnedSim } from "../../../helpers/sim";

const fleet = new SimFleet();
let leader: SpawnedSim;
let follower: SpawnedSim;

beforeAll(async () => {
  [leader, follower] = await Promise.all([fleet.spawn({ clusterName: "af-leader" }), fleet.spawn({ clusterName: "af-follower" })]);
  await addRemote(follower.url, "leader_cluster", leader.transportAddress);
});
afterAll(() => fleet.cleanup());

const exists = async (url: string, index: string) => (await http(url, "HEAD", `/${index}`)).status === 200;

test("put, get one and all, pause/resume flip `active`, delete; unknown pattern → 404", async () => {
  expect(await ok(follower.url, "GET", "/_ccr/auto_follow")).toEqual({ patterns: [] });
  expect(
    await ok(follower.url, "PUT", "/_ccr/auto_follow/my_pattern", {
      remote_cluster: "leader_cluster",
      leader_index_patterns: ["logs-*"],
      max_outstanding_read_requests: 2,
    }),
  ).toEqual({ acknowledged: true });
  await ok(follower.url, "PUT", "/_ccr/auto_follow/other", {
    remote_cluster: "leader_cluster",
    leader_index_patterns: ["other-*"],
    leader_index_exclusion_patterns: ["other-private-*"],
    follow_index_pattern: "copy-{{leader_index}}",
    settings: { index: { number_of_replicas: 0 } },
  });
  expect(await ok(follower.url, "GET", "/_ccr/auto_follow/my_pattern")).toEqual({
    patterns: [
      {
        name: "my_pattern",
        pattern: {
          active: true,
          remote_cluster: "leader_cluster",
          leader_index_patterns: ["logs-*"],
          leader_index_exclusion_patterns: [],
          max_outstanding_read_requests: 2,
        },
      },
    ],
  });
  const all = await ok(follower.url, "GET", "/_ccr/auto_follow");
  expect(all.patterns.map((p: any) => p.name)).toEqual(["my_pattern", "other"]);
  expect(all.patterns[1].pattern).toEqual({
    active: true,
    remote_cluster: "leader_cluster",
    leader_index_patterns: ["other-*"],
    leader_index_exclusion_patterns: ["other-private-*"],
    follow_index_pattern: "copy-{{leader_index}}",
    settings: { index: { number_of_replicas: 0 } },
  });
  expect(await ok(follower.url, "POST", "/_ccr/auto_follow/my_pattern/pause")).toEqual({ acknowledged: true });
  expect((await ok(follower.url, "GET", "/_ccr/auto_follow/my_pattern")).patterns[0].pattern.active).toBe(false);
  expect(await ok(follower.url, "POST", "/_ccr/auto_follow/my_pattern/resume")).toEqual({ acknowledged: true });
  expect((await ok(follower.url, "GET", "/_ccr/auto_follow/my_pattern")).patterns[0].pattern.active).toBe(true);
  expect(await ok(follower.url, "DELETE", "/_ccr/auto_follow/my_pattern")).toEqual({ acknowledged: true });
  for (const [method, path] of [
    ["GET", "/_ccr/auto_follow/my_pattern"],
    ["DELETE", "/_ccr/auto_follow/my_pattern"],
    ["POST", "/_ccr/auto_follow/my_pattern/pause"],
    ["POST", "/_ccr/auto_follow/my_pattern/resume"],
  ] as const) {
    const r = await http(follower.url, method, path);
    expect({ status: r.status, type: r.body.error.type, reason: r.body.error.reason }).toEqual({
      status: 404,
      type: "resource_not_found_exception",
      reason: "auto-follow pattern [my_pattern] is missing",
    });
  }
});

test("validation: name rules, missing fields, parameters; unknown remote → 404", async () => {
  const bad = await http(follower.url, "PUT", "/_ccr/auto_follow/_bad,name", { max_retry_delay: "0s" });
  expect(bad.status).toBe(400);
  expect(bad.body.error.type).toBe("action_request_validation_exception");
  expect(bad.body.error.reason).toBe(
    "Validation Failed: 1: [name] name must not contain a ',';2: [name] name must not start with '_';3: [remote_cluster] is missing;4: [leader_index_patterns] is missing;5: [max_retry_delay] must be positive but was [0s];",
  );
  const long = await http(follower.url, "PUT", `/_ccr/auto_follow/${"n".repeat(256)}`, {
    remote_cluster: "leader_cluster",
    leader_index_patterns: ["x"],
  });
  expect(long.body.error.reason).toBe("Validation Failed: 1: [name] name is too long (256 > 255);");
  const unknown = await http(follower.url, "PUT", "/_ccr/auto_follow/p", { remote_cluster: "nope", leader_index_patterns: ["x"] });
  expect({ status: unknown.status, type: unknown.body.error.type, reason: unknown.body.error.reason }).toEqual({
    status: 404,
    type: "no_such_remote_cluster_exception",
    reason: "no such remote cluster: [nope]",
  });
});

test("indices created after the pattern are followed (not existing or excluded ones); {{leader_index}}, settings and parameters apply; stats", async () => {
  await ok(leader.url, "PUT", "/metrics-existing", { settings: { number_of_replicas: 0 } });
  await ok(follower.url, "PUT", "/_ccr/auto_follow/metrics", {
    remote_cluster: "leader_cluster",
    leader_index_patterns: ["metrics-*"],
    leader_index_exclusion_patterns: ["metrics-private-*"],
    follow_index_pattern: "{{leader_index}}-copy",
    settings: { "index.number_of_replicas": 0 },
    max_read_request_operation_count: 100,
  });
  await ok(leader.url, "PUT", "/metrics-new", { settings: { number_of_replicas: 1 } });
  await bulkIndex(leader.url, "metrics-new", 25);
  await ok(leader.url, "PUT", "/metrics-private-x");
  await waitFor(
    "metrics-new-copy to be followed",
    async () => (await ok(follower.url, "GET", "/metrics-new-copy/_ccr/info")).follower_indices[0]?.status === "active",
  );
  await waitCaughtUp(leader.url, "metrics-new", follower.url, "metrics-new-copy");
  expect(await documents(follower.url, "metrics-new-copy")).toEqual(await documents(leader.url, "metrics-new"));
  const info = (await ok(follower.url, "GET", "/metrics-new-copy/_ccr/info")).follower_indices[0];
  expect(info.parameters.max_read_request_operation_count).toBe(100);
  const s = (await ok(follower.url, "GET", "/metrics-new-copy/_settings?flat_settings=true"))["metrics-new-copy"].settings;
  expect(s["index.number_of_replicas"]).toBe("0");
  expect(await exists(follower.url, "metrics-existing-copy")).toBe(false);
  expect(await exists(follower.url, "metrics-private-x-copy")).toBe(false);
  const stats = (await ok(follower.url, "GET", "/_ccr/stats")).auto_follow_stats;
  expect(stats.number_of_successful_follow_indices).toBe(1);
  expect(stats.number_of_failed_follow_indices).toBe(0);
  expect(stats.auto_followed_clusters).toHaveLength(1);
  expect(stats.auto_followed_clusters[0].cluster_name).toBe("leader_cluster");
  expect(stats.auto_followed_clusters[0].last_seen_metadata_version).toBeGreaterThan(0);
  expect(Object.keys(stats.auto_followed_clusters[0])).toEqual([
    "cluster_name",
    "time_since_last_check_millis",
    "last_seen_metadata_version",
  ]);
});

test("a failing auto-follow is counted and listed in recent_auto_follow_errors", async () => {
  await ok(follower.url, "PUT", "/_ccr/auto_follow/broken", {
    remote_cluster: "leader_cluster",
    leader_index_patterns: ["broken-*"],
    follow_index_pattern: "{{leader_index}}#bad",
  });
  await ok(leader.url, "PUT", "/broken-1");
  const stats = await waitFor("a recorded error", async () => {
    const st = (await ok(follower.url, "GET", "/_ccr/stats")).auto_follow_stats;
    return st.number_of_failed_follow_indices > 0 ? st : undefined;
  });
  const error = stats.recent_auto_follow_errors.find((e: any) => e.leader_index === "leader_cluster:broken-1");
  expect(error.auto_follow_exception.type).toBe("invalid_index_name_exception");
  expect(typeof error.timestamp).toBe("number");
  await ok(follower.url, "DELETE", "/_ccr/auto_follow/broken");
});

test("paused patterns follow nothing; patterns survive a restart of the follower", async () => {
  await ok(follower.url, "PUT", "/_ccr/auto_follow/durable", { remote_cluster: "leader_cluster", leader_index_patterns: ["durable-*"] });
  await ok(follower.url, "POST", "/_ccr/auto_follow/durable/pause");
  await ok(leader.url, "PUT", "/durable-while-paused");
  await follower.restart();
  const pattern = (await ok(follower.url, "GET", "/_ccr/auto_follow/durable")).patterns[0].pattern;
  expect(pattern).toMatchObject({ active: false, leader_index_patterns: ["durable-*"] });
  await ok(follower.url, "POST", "/_ccr/auto_follow/durable/resume");
  await ok(leader.url, "PUT", "/durable-after-restart");
  await bulkIndex(leader.url, "durable-after-restart", 3);
  await waitFor("durable-after-restart followed", async () => exists(follower.url, "durable-after-restart"));
  await waitCaughtUp(leader.url, "durable-after-restart", follower.url, "durable-after-restart");
  // created while the pattern was paused: ES follows it when the pattern resumes (not yet recorded as followed)
  await waitFor("durable-while-paused followed after resume", async () => exists(follower.url, "durable-while-paused"));
  // the follower created before the restart keeps following
  await bulkIndex(leader.url, "metrics-new", 5, "post-restart-");
  await waitCaughtUp(leader.url, "metrics-new", follower.url, "metrics-new-copy");
});
