/** The preview words (providers/followerIndex/preview.ts): from the planners, with numbers only where they were read. */
import type { FollowStats } from "../../../../es/ccr";
import { deleteMeaning, failbackLine, failoverLine, rpoEstimate } from "../../../../providers/followerIndex/preview";
import { planDelete } from "../../../../providers/followerIndex/plan";
import type { LocalIndex } from "../../../../providers/followerIndex/world";

const stats = (leaderMax: number, followerMax: number, lag: number): FollowStats => ({
  shards: [
    {
      shard: 0,
      leaderGlobalCheckpoint: leaderMax,
      leaderMaxSeqNo: leaderMax,
      followerGlobalCheckpoint: followerMax,
      followerMaxSeqNo: followerMax,
      fatalError: undefined,
      timeSinceLastReadMillis: 10,
      readExceptions: [],
    },
  ],
  globalCheckpointLag: lag,
  fatalError: undefined,
});

const follower = (over: Partial<LocalIndex> = {}): LocalIndex => ({
  uuid: "u1",
  open: true,
  writeBlocked: false,
  numberOfShards: 1,
  settings: {},
  follow: { followerIndex: "orders", remoteCluster: "clusterA", leaderIndex: "orders", status: "active", parameters: undefined },
  followStats: stats(9, 7, 2),
  seqNos: [{ shard: 0, maxSeqNo: 7, globalCheckpoint: 7, localCheckpoint: 7 }],
  ...over,
});

describe("rpoEstimate", () => {
  test.each<[string, LocalIndex, Parameters<typeof rpoEstimate>[1], ReturnType<typeof rpoEstimate>]>([
    [
      "leader read now: exact, from both max _seq_no",
      follower(),
      { readable: true, seqNos: [{ shard: 0, maxSeqNo: 12, globalCheckpoint: 12, localCheckpoint: 12 }] },
      { kind: "exact", operations: 5 },
    ],
    [
      "leader down: a lower bound from what the follower last saw",
      follower(),
      { readable: false, reason: "clusterA down" },
      {
        kind: "atLeast",
        operations: 2,
        reason: "clusterA down",
      },
    ],
    [
      "leader down and follower paused (no follow stats): unknown",
      follower({ followStats: undefined }),
      { readable: false, reason: "clusterA down" },
      { kind: "unknown", reason: "clusterA down, and the follower has no follow stats (paused)" },
    ],
    [
      "closed follower without stats: unknown",
      follower({ followStats: undefined, seqNos: undefined, open: false }),
      { readable: true, seqNos: [] },
      { kind: "unknown", reason: "the follower's sequence numbers could not be read" },
    ],
  ])("%s", (_name, local, leader, expected) => {
    expect(rpoEstimate(local, leader)).toEqual(expected);
  });
});

test("failoverLine: the promotion plan, docs, lag and RPO; never a number it did not read", () => {
  const local = follower();
  const plan = planDelete(
    { index: local },
    { index: "orders", remoteCluster: "clusterA", leaderIndex: "orders", onDelete: "promote" },
    "clusterB",
  );
  const line = failoverLine({
    index: "orders",
    cluster: "clusterB",
    leader: "clusterA:orders",
    leaderCluster: "clusterA",
    plan,
    local,
    documents: undefined,
    leaderSeqNos: { readable: false, reason: "clusterA does not answer (ECONNREFUSED)" },
  });
  expect(line).toBe(
    'failover: PROMOTE "orders" on clusterB (document count unknown), follower of clusterA:orders, to a writable index: ' +
      "pause → close → unfollow → write block → open → record promotion → unblock; replication lag 2 operation(s) as the follower last saw clusterA; " +
      "RPO estimate: ≥ 2 operation(s) not replicated (as the follower last saw clusterA), upper bound unknown: clusterA does not answer (ECONNREFUSED)",
  );
});

describe("failbackLine", () => {
  const stale: LocalIndex = { ...follower(), follow: undefined, followStats: undefined };
  const plan = {
    ok: true as const,
    plan: {
      ops: [
        { kind: "fence" as const, index: "orders" },
        { kind: "quarantine" as const, index: "orders", indexUuid: "u1", quarantineIndex: "q-orders", thresholds: [4] },
        { kind: "deleteIndex" as const, index: "orders", why: "stale" },
        {
          kind: "follow" as const,
          index: "orders",
          remoteCluster: "clusterB",
          leaderIndex: "orders",
          waitForActiveShards: "1",
          timeoutMs: 1,
        },
        { kind: "waitActive" as const, index: "orders", timeoutMs: 1 },
      ],
      warnings: [],
    },
  };
  const base = { index: "orders", cluster: "clusterA", leader: "clusterB:orders", local: stale, documents: 505, plan };
  test("fence, quarantine M into Q, delete, re-follow with K to copy", () => {
    expect(failbackLine({ ...base, divergent: 1, leaderDocuments: 504 })).toBe(
      'failback: "orders" on clusterA (505 docs) will be FENCED (write block), 1 divergent document(s) (above the promotion checkpoint) QUARANTINED into q-orders, ' +
        "DELETED and re-followed from clusterB:orders (504 docs to copy): fence → quarantine → DELETE → follow clusterB:orders → wait until active",
    );
  });
  test("counts that could not be read are unknown, with the reason", () => {
    const line = failbackLine({
      ...base,
      documents: undefined,
      divergent: "search failed",
      leaderDocuments: "clusterB could not be read (timeout)",
    });
    expect(line).toContain("(document count unknown)");
    expect(line).toContain("divergent documents (count unknown: search failed) (above the promotion checkpoint)");
    expect(line).toContain("docs to copy unknown: clusterB could not be read (timeout)");
  });
  test("no local index: a new follower, with the documents it copies", () => {
    const follow = { ok: true as const, plan: { ops: plan.plan.ops.slice(3), warnings: [] } };
    expect(
      failbackLine({ ...base, local: undefined, documents: undefined, plan: follow, divergent: undefined, leaderDocuments: 504 }),
    ).toBe('follow: clusterB:orders into a new "orders" on clusterA (504 docs to copy): follow clusterB:orders → wait until active');
  });
  test("a refusal says the index is not replaced, and why", () => {
    expect(failbackLine({ ...base, plan: { ok: false, refused: "lineage refused" }, divergent: undefined, leaderDocuments: 3 })).toBe(
      'failback: "orders" on clusterA (505 docs) will NOT be replaced: lineage refused',
    );
  });
});

test("deleteMeaning: promote (the default) or delete, from planDelete, short enough for Pulumi's diff display", () => {
  const p = { index: "orders", cluster: "clusterB", remoteCluster: "clusterA", leaderIndex: "orders" };
  const promote = deleteMeaning({ ...p, onDelete: "promote" });
  expect(promote).toBe("PROMOTE, not delete (documents kept): pause → close → unfollow → write block → open → record promotion → unblock");
  expect(promote.length).toBeLessThanOrEqual(140); // `pulumi preview --diff` cuts longer strings
  expect(deleteMeaning({ ...p, onDelete: "deleteIndex" })).toBe("DELETE the follower and its documents: pause → DELETE");
});
