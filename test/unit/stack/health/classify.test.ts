/**
 * The health verdicts (stack/health/classify.ts) by table: what Elasticsearch reports about a
 * follower, and what `ccr-dr status` must make of it. The bug this guards: a follower whose remote
 * points at a wrong proxy was "active, lag 0" while its reads failed with
 * no_seed_node_left_exception and it missed documents.
 */
import type { FollowShardStats } from "../../../../es/ccr";
import type { ShardSeqNoAndLeases } from "../../../../es/indices";
import type { PromotionRecord } from "../../../../es/records";
import { classifyFollower, fenceOf, type BlockedIndex } from "../../../../stack/health/classify";
import { DEFAULT_LAG_BUDGET, type Fence, type FollowerObservation, type HealthState } from "../../../../stack/health/model";
import { reportHealth, statusExitCode } from "../../../../cli/health/exit";

const NOW = Date.parse("2026-12-02T12:00:00.000Z");
const UUID = "fUUID";
const LEASE_ID = `clusterB/orders-b/${UUID}-following-clusterA/orders-a/lUUID`;

function shardStats(p: Partial<FollowShardStats> = {}): FollowShardStats {
  return {
    shard: 0,
    leaderGlobalCheckpoint: 9,
    leaderMaxSeqNo: 9,
    followerGlobalCheckpoint: 9,
    followerMaxSeqNo: 9,
    fatalError: undefined,
    timeSinceLastReadMillis: 200,
    readExceptions: [],
    ...p,
  };
}

function leaderShard(p: Partial<ShardSeqNoAndLeases> = {}): ShardSeqNoAndLeases {
  return {
    shard: 0,
    maxSeqNo: 9,
    globalCheckpoint: 9,
    localCheckpoint: 9,
    retentionLeases: [{ id: LEASE_ID, retainingSeqNo: 10, timestamp: NOW - 60_000, source: "ccr" }],
    ...p,
  };
}

/** A healthy, caught-up, active follower of clusterA:orders-a on clusterB; `p` changes one thing. */
function obs(p: Partial<FollowerObservation> = {}): FollowerObservation {
  return {
    cluster: "clusterB",
    stack: "dr-b",
    index: "orders-b",
    leaderCluster: "clusterA",
    leaderIndex: "orders-a",
    exists: true,
    uuid: UUID,
    follow: { status: "active", remoteCluster: "clusterA", leaderIndex: "orders-a" },
    remote: { connected: true, mode: "proxy", proxyAddress: "127.0.0.1:9300", numProxySocketsConnected: 18, skipUnavailable: true },
    stats: [shardStats()],
    followerShards: [{ shard: 0, maxSeqNo: 9, globalCheckpoint: 9, localCheckpoint: 9 }],
    leader: { reachable: true, shards: [leaderShard()], leasePeriodMs: 12 * 3_600_000 },
    now: NOW,
    ...p,
  };
}

const noSeed = {
  fromSeqNo: 10,
  retries: 7,
  type: "no_seed_node_left_exception",
  error: "no_seed_node_left_exception: Unable to open any proxy connections to cluster [clusterA] at address [127.0.0.1:1]",
};

interface Case {
  name: string;
  o: FollowerObservation;
  state: HealthState;
  lag: Record<string, unknown>;
  reason?: RegExp;
  fix?: RegExp;
}

const cases: Case[] = [
  { name: "caught up: healthy, 0 ops and 0 s read from the leader", o: obs(), state: "healthy", lag: { operations: 0, seconds: 0 } },
  {
    name: "a few operations behind, within the budget: healthy, ops known, seconds unknown without @timestamp",
    o: obs({ leader: { reachable: true, shards: [leaderShard({ maxSeqNo: 12 })], leasePeriodMs: 43_200_000 } }),
    state: "healthy",
    lag: { operations: 3, unknownReason: expect.stringContaining("no @timestamp") },
  },
  {
    name: "behind beyond the operations budget: lagging",
    o: obs({ leader: { reachable: true, shards: [leaderShard({ maxSeqNo: 5000 })], leasePeriodMs: 43_200_000 } }),
    state: "lagging",
    lag: { operations: 4991, unknownReason: expect.stringContaining("no @timestamp") },
    reason: /4991 operations behind clusterA:orders-a \(budget 1000\)/,
  },
  {
    name: "the oldest missing document is older than the seconds budget: lagging",
    o: obs({ leader: { reachable: true, shards: [leaderShard({ maxSeqNo: 10 })], leasePeriodMs: 43_200_000, oldestMissingAgeMs: 95_500 } }),
    state: "lagging",
    lag: { operations: 1, secondsAtLeast: 95 },
    reason: /at least 95 s behind/,
  },
  {
    name: "wrong proxy: reads fail with no_seed_node_left_exception, remote not connected: broken, although the follower's own view says lag 0",
    o: obs({
      remote: { connected: false, mode: "proxy", proxyAddress: "127.0.0.1:1", numProxySocketsConnected: 0, skipUnavailable: true },
      stats: [shardStats({ readExceptions: [noSeed], timeSinceLastReadMillis: 42_000 })],
      leader: { reachable: true, shards: [leaderShard({ maxSeqNo: 11 })], leasePeriodMs: 43_200_000 },
    }),
    state: "broken",
    lag: { operations: 2, unknownReason: expect.stringContaining("no @timestamp") },
    reason: /reads from clusterA:orders-a are failing .*no_seed_node_left_exception.*last successful read 42\.0 s ago/,
    fix: /ccr-dr:clusters\.clusterA \(proxyAddress or seeds.*pulumi up -s dr-b/,
  },
  {
    name: "fatal exception: broken, re-created by pulumi up --refresh",
    o: obs({ stats: [shardStats({ fatalError: "illegal_state_exception: operations missing" })] }),
    state: "broken",
    lag: { operations: 0, seconds: 0 },
    reason: /fatal_exception\): illegal_state_exception/,
    fix: /pulumi up --refresh -s dr-b/,
  },
  {
    name: "paused with leader writes: lagging, resumed by pulumi up --refresh",
    o: obs({
      follow: { status: "paused", remoteCluster: "clusterA", leaderIndex: "orders-a" },
      stats: undefined,
      leader: { reachable: true, shards: [leaderShard({ maxSeqNo: 14 })], leasePeriodMs: 43_200_000 },
    }),
    state: "lagging",
    lag: { operations: 5, unknownReason: expect.stringContaining("no @timestamp") },
    reason: /paused/,
    fix: /pulumi up --refresh -s dr-b/,
  },
  {
    name: "leader unreachable: unknown, never lag 0; a lower bound from the follower's last view",
    o: obs({
      stats: [shardStats({ leaderMaxSeqNo: 12 })],
      leader: { reachable: false, reason: "connect ECONNREFUSED 127.0.0.1:9" },
    }),
    state: "unknown",
    lag: { operationsAtLeast: 3, unknownReason: expect.stringContaining("ECONNREFUSED") },
    reason: /leader clusterA could not be read/,
  },
  {
    name: "leader down for everyone: the follower's failing reads and lost connection are unknown, not broken",
    o: obs({
      remote: { connected: false, mode: "proxy", proxyAddress: "127.0.0.1:9300", numProxySocketsConnected: 0, skipUnavailable: true },
      stats: [shardStats({ readExceptions: [noSeed] })],
      leader: { reachable: false, reason: "connect ECONNREFUSED 127.0.0.1:9200" },
    }),
    state: "unknown",
    lag: { operationsAtLeast: 0, unknownReason: expect.stringContaining("ECONNREFUSED") },
    reason: /no_seed_node_left_exception/,
    fix: /^if clusterA is lost: ccr-dr plan --to clusterB, then ccr-dr failover --to clusterB/,
  },
  {
    name: "follower cluster unreadable: unknown",
    o: obs({ followerError: "connect ECONNREFUSED 127.0.0.1:8", leader: { reachable: false, reason: "not read" } }),
    state: "unknown",
    lag: { unknownReason: "clusterB could not be read" },
  },
  {
    name: "a regular index where the stack configures a follower: broken, resolved by a failback",
    o: obs({ follow: undefined, stats: undefined }),
    state: "broken",
    lag: { operations: 0, seconds: 0 },
    reason: /regular index, not a follower/,
    fix: /^ccr-dr failback --to clusterA$/,
  },
  {
    name: "absent follower: broken",
    o: obs({ exists: false, follow: undefined, stats: undefined, followerShards: undefined, uuid: undefined }),
    state: "broken",
    lag: { unknownReason: expect.stringContaining("checkpoints could not be read") },
    fix: /pulumi up -s dr-b/,
  },
  {
    name: "remote alias not registered: broken",
    o: obs({ remote: undefined }),
    state: "broken",
    lag: { operations: 0, seconds: 0 },
    reason: /not registered/,
  },
  {
    name: "follows another leader than configured: broken",
    o: obs({ follow: { status: "active", remoteCluster: "clusterA", leaderIndex: "other" } }),
    state: "broken",
    lag: { operations: 0, seconds: 0 },
    reason: /follows clusterA:other, but stack dr-b configures clusterA:orders-a/,
  },
  {
    name: "leader index absent: broken, lag unknown",
    o: obs({ leader: { reachable: true, shards: undefined, leasePeriodMs: 43_200_000 } }),
    state: "broken",
    lag: { unknownReason: expect.stringContaining("absent") },
  },
];

describe("classifyFollower", () => {
  test.each(cases)("$name", ({ o, state, lag, reason, fix }) => {
    const h = classifyFollower(o, DEFAULT_LAG_BUDGET);
    expect(h.state).toBe(state);
    expect(h.lag).toEqual(lag);
    if (state === "healthy") expect(h.reasons).toEqual([]);
    else expect(h.reasons.length).toBeGreaterThan(0);
    if (reason) expect(h.reasons.join("\n")).toMatch(reason);
    if (fix) expect(h.fix).toMatch(fix);
    // Never "lag 0" for what is not known.
    if (lag["operations"] === undefined) expect(h.lag.operations).toBeUndefined();
  });

  test("the budget decides: the same 3 operations are lagging with --max-lag-ops 2", () => {
    const o = obs({ leader: { reachable: true, shards: [leaderShard({ maxSeqNo: 12 })], leasePeriodMs: 43_200_000 } });
    expect(classifyFollower(o, { maxLagOperations: 2, maxLagSeconds: 60 }).state).toBe("lagging");
    expect(classifyFollower(o, { maxLagOperations: 3, maxLagSeconds: 60 }).state).toBe("healthy");
  });

  test("failback window: the earliest of the shards' lease timestamps plus the leader's period", () => {
    const two = [
      leaderShard({ shard: 0, retentionLeases: [{ id: LEASE_ID, retainingSeqNo: 1, timestamp: NOW - 1000, source: "ccr" }] }),
      leaderShard({ shard: 1, retentionLeases: [{ id: LEASE_ID, retainingSeqNo: 1, timestamp: NOW - 5000, source: "ccr" }] }),
    ];
    const h = classifyFollower(
      obs({
        followerShards: [
          { shard: 0, maxSeqNo: 9, globalCheckpoint: 9, localCheckpoint: 9 },
          { shard: 1, maxSeqNo: 9, globalCheckpoint: 9, localCheckpoint: 9 },
        ],
        leader: { reachable: true, shards: two, leasePeriodMs: 60_000 },
      }),
      DEFAULT_LAG_BUDGET,
    );
    expect(h.failbackWindow).toEqual({
      leaseExpiresAtMs: NOW - 5000 + 60_000,
      leaseExpiresAt: new Date(NOW + 55_000).toISOString(),
      leasePeriodMs: 60_000,
    });
  });

  test("failback window: a lease of another follower does not count; unknown when the leader is unreachable", () => {
    const other = [
      leaderShard({
        retentionLeases: [
          { id: "clusterC/orders-b/xyz-following-clusterA/orders-a/lUUID", retainingSeqNo: 1, timestamp: NOW, source: "ccr" },
        ],
      }),
    ];
    const h = classifyFollower(obs({ leader: { reachable: true, shards: other, leasePeriodMs: 1000 } }), DEFAULT_LAG_BUDGET);
    expect(h.failbackWindow.leaseExpiresAt).toBeUndefined();
    expect(h.failbackWindow.unknownReason).toMatch(/holds no retention lease for this follower/);
    const down = classifyFollower(obs({ leader: { reachable: false, reason: "timeout" } }), DEFAULT_LAG_BUDGET);
    expect(down.failbackWindow).toEqual({ unknownReason: "leader clusterA could not be read (timeout)" });
  });
});

describe("fenceOf", () => {
  const promotion = { promotedAt: "2026-12-01T00:00:00.000Z", writeBlockAdded: true } as PromotionRecord;
  const blocked = (p: Partial<BlockedIndex>): BlockedIndex => ({
    cluster: "clusterA",
    index: "orders-a",
    stack: "dr-a",
    siteFenced: false,
    configuredRole: "primary",
    primary: "clusterA",
    isFollower: false,
    ...p,
  });
  test.each([
    [
      "a switchover's fence (ccr-dr:fenced true)",
      blocked({ siteFenced: true }),
      "switchover",
      /config set ccr-dr:fenced false -s dr-a && .*pulumi up -s dr-a/,
    ],
    [
      "an interrupted promotion",
      blocked({ cluster: "clusterB", index: "orders-b", promotion }),
      "promotion",
      /^ccr-dr failover --to clusterB$/,
    ],
    [
      "an interrupted failback",
      blocked({ configuredRole: "follower", primary: "clusterB" }),
      "failback",
      /^ccr-dr failback --to clusterB$/,
    ],
    ["a block set outside ccr-dr", blocked({}), "outside", /index\.blocks\.write": null/],
    [
      "its site's stack unreadable: not claimed to be outside ccr-dr",
      blocked({ configuredRole: "unknown" }),
      "unknown",
      /^ccr-dr status where stack dr-a can be read/,
    ],
    [
      "its site's stack unreadable, a promotion record on the index",
      blocked({ configuredRole: "unknown", cluster: "clusterB", index: "orders-b", promotion }),
      "promotion",
      /^ccr-dr failover --to clusterB$/,
    ],
  ] as const)("%s", (_name, b, origin, command) => {
    const f = fenceOf(b);
    expect(f.origin).toBe(origin);
    expect(f.command).toMatch(command);
  });
});

describe("report state and exit code", () => {
  const none = { followers: [] as HealthState[], unreachableClusters: 0, fences: [], switchovers: [] };
  test.each([
    ["all healthy", none, "healthy", 0],
    ["one lagging", { ...none, followers: ["healthy", "lagging"] as HealthState[] }, "lagging", 10],
    ["broken outranks lagging and unknown", { ...none, followers: ["lagging", "broken", "unknown"] as HealthState[] }, "broken", 11],
    ["an unreachable cluster: unknown", { ...none, unreachableClusters: 1 }, "unknown", 12],
    ["an unreadable site stack: unknown", { ...none, unreadableStacks: 1 }, "unknown", 12],
    ["an unreadable site stack does not hide a fence", { ...none, unreadableStacks: 1, fences: [{} as Fence] }, "broken", 11],
    ["stacks naming different primaries (failover without failback): broken", { ...none, stacksDisagree: true }, "broken", 11],
    [
      "a fence refuses writes: broken",
      {
        ...none,
        fences: [
          fenceOf({
            cluster: "clusterA",
            index: "x",
            stack: "dr-a",
            siteFenced: true,
            configuredRole: "primary",
            primary: "clusterA",
            isFollower: false,
          }),
        ],
      },
      "broken",
      11,
    ],
  ] as const)("%s", (_name, input, state, code) => {
    const s = reportHealth(input as never);
    expect(s).toBe(state);
    expect(statusExitCode(s)).toBe(code);
  });
});
