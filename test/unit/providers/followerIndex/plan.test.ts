/** Pure FollowerIndex planners: one row per transition, including every crash-intermediate state. */
import type { FollowInfo } from "../../../../es/ccr";
import { isPristinePromotion, type Op, planDelete, planEnsure } from "../../../../providers/followerIndex/plan";
import { decodePromotion, encodePromotion, type PromotionRecord } from "../../../../es/records";
import { verifyLineage } from "../../../../providers/followerIndex/lineage";
import type { FollowerWorld, LocalIndex } from "../../../../providers/followerIndex/world";
import { followerOnA, followerOnB, FOLLOWER, LEADER } from "../../../helpers/providerRuntime";

const kinds = (ops: Op[]) =>
  ops.map((o) =>
    o.kind === "setWriteBlock" ? `setWriteBlock:${o.blocked}` : o.kind === "recordPromotion" ? `record:${o.checkpoints}` : o.kind,
  );

function index(over: Partial<LocalIndex> = {}): LocalIndex {
  return {
    uuid: "u-1",
    open: true,
    writeBlocked: false,
    numberOfShards: 1,
    settings: {},
    seqNos: [{ shard: 0, maxSeqNo: 5, globalCheckpoint: 5, localCheckpoint: 5 }],
    ...over,
  };
}
const following = (status: "active" | "paused", over: Partial<FollowInfo> = {}): FollowInfo => ({
  followerIndex: FOLLOWER,
  remoteCluster: "clusterA",
  leaderIndex: LEADER,
  status,
  parameters: status === "active" ? {} : undefined,
  ...over,
});
const record = (over: Partial<PromotionRecord> = {}): PromotionRecord => ({
  version: 1,
  index: FOLLOWER,
  indexUuid: "u-1",
  cluster: "clusterB",
  promotedFrom: { remoteCluster: "clusterA", leaderIndex: LEADER },
  promotedAt: "t",
  checkpointsKnown: true,
  shards: [{ shard: 0, globalCheckpoint: 5, maxSeqNo: 5 }],
  writeBlockAdded: true,
  ...over,
});
const ctx = { cluster: "clusterB" };

describe("planEnsure (create and update)", () => {
  it.each<[string, FollowerWorld, string[]]>([
    ["absent → follow, wait", {}, ["follow", "waitActive"]],
    ["active, same parameters → nothing", { index: index({ follow: following("active") }) }, []],
    ["paused → resume, wait", { index: index({ follow: following("paused") }) }, ["resume", "waitActive"]],
    [
      "closed paused follower → open, resume, wait",
      { index: index({ open: false, follow: following("paused") }) },
      ["open", "resume", "waitActive"],
    ],
    [
      "fatal → pause, delete, follow, wait",
      { index: index({ follow: following("active"), fatalError: "x" }) },
      ["pause", "deleteIndex", "follow", "waitActive"],
    ],
    [
      "pristine promotion of ours → delete, follow, wait",
      { index: index({ ownPromotion: record() }) },
      ["deleteIndex", "follow", "waitActive"],
    ],
  ])("%s", (_n, world, expected) => {
    expect(kinds(planEnsure(world, followerOnB(), ctx).ops)).toEqual(expected);
  });

  it("parameter change on an active follower → pause, resume with the new parameters, wait", () => {
    const plan = planEnsure(
      { index: index({ follow: following("active") }) },
      followerOnB({ parameters: { maxOutstandingReadRequests: 2 } }),
      ctx,
    );
    expect(kinds(plan.ops)).toEqual(["pause", "resume", "waitActive"]);
    expect(plan.ops[1]).toEqual({ kind: "resume", index: FOLLOWER, parameters: { maxOutstandingReadRequests: 2 } });
  });

  it("desired paused: active → pause; absent → follow, wait, pause", () => {
    expect(kinds(planEnsure({ index: index({ follow: following("active") }) }, followerOnB({ status: "paused" }), ctx).ops)).toEqual([
      "pause",
    ]);
    expect(kinds(planEnsure({}, followerOnB({ status: "paused" }), ctx).ops)).toEqual(["follow", "waitActive", "pause"]);
  });

  it("settings: changed keys set, dropped keys reset to null, equal keys untouched", () => {
    const world = {
      index: index({ follow: following("active"), settings: { "index.number_of_replicas": "1", "index.refresh_interval": "1s" } }),
    };
    const plan = planEnsure(world, followerOnB({ settings: { "index.number_of_replicas": "0" } }), {
      ...ctx,
      previousSettings: { "index.refresh_interval": "1s" },
    });
    expect(plan.ops).toEqual([
      { kind: "putSettings", index: FOLLOWER, settings: { "index.number_of_replicas": "0", "index.refresh_interval": null } },
    ]);
  });

  it("refuses a follower of another leader and a regular index without failback", () => {
    expect(() => planEnsure({ index: index({ follow: following("active", { leaderIndex: "x" }) }) }, followerOnB(), ctx)).toThrow(
      /already follows clusterA:x/,
    );
    expect(() => planEnsure({ index: index() }, followerOnB(), ctx)).toThrow(/regular \(non-follower\) index/);
  });

  describe("failback", () => {
    const ok = { ok: true as const, thresholds: [3], record: record() };
    const d = followerOnA();
    it.each<[string, FollowerWorld, string[]]>([
      [
        "open stale index → fence, quarantine, delete, follow, wait",
        { index: index() },
        ["fence", "quarantine", "deleteIndex", "follow", "waitActive"],
      ],
      [
        "already fenced (crash after fence) → quarantine, delete, follow, wait",
        { index: index({ writeBlocked: true }) },
        ["quarantine", "deleteIndex", "follow", "waitActive"],
      ],
      [
        "closed stale index → block through settings, open, quarantine, …",
        { index: index({ open: false }) },
        ["setWriteBlock:true", "open", "quarantine", "deleteIndex", "follow", "waitActive"],
      ],
      [
        "quarantine half written (crash mid-copy) → copy again",
        {
          index: index({ writeBlocked: true }),
          quarantine: {
            exists: true,
            record: {
              version: 1,
              sourceIndex: LEADER,
              sourceIndexUuid: "u-1",
              sourceCluster: "clusterA",
              aboveSeqNo: [3],
              complete: false,
              documents: 0,
              createdAt: "t",
            },
          },
        },
        ["quarantine", "deleteIndex", "follow", "waitActive"],
      ],
      [
        "quarantine complete (crash before delete) → delete, follow, wait",
        {
          index: index({ writeBlocked: true }),
          quarantine: {
            exists: true,
            record: {
              version: 1,
              sourceIndex: LEADER,
              sourceIndexUuid: "u-1",
              sourceCluster: "clusterA",
              aboveSeqNo: [3],
              complete: true,
              documents: 2,
              createdAt: "t",
            },
          },
        },
        ["deleteIndex", "follow", "waitActive"],
      ],
      ["stale index deleted (crash before follow) → follow, wait", { quarantine: { exists: false } }, ["follow", "waitActive"]],
    ])("%s", (_n, world, expected) => {
      expect(kinds(planEnsure(world, d, { ...ctx, verdict: ok }).ops)).toEqual(expected);
    });

    it("passes the lineage thresholds to the quarantine", () => {
      const q = planEnsure({ index: index() }, d, { ...ctx, verdict: ok }).ops.find((o) => o.kind === "quarantine");
      expect(q).toMatchObject({ thresholds: [3], quarantineIndex: "ccr-dr-quarantine-x1", indexUuid: "u-1" });
    });

    it("refuses on a lineage mismatch and on a foreign quarantine index", () => {
      expect(() => planEnsure({ index: index() }, d, { ...ctx, verdict: { ok: false, reason: "nope" } })).toThrow(
        /failback refused: nope\. Nothing was changed/,
      );
      expect(() => planEnsure({ index: index(), quarantine: { exists: true } }, d, { ...ctx, verdict: ok })).toThrow(
        /does not belong to this failback/,
      );
    });
  });
});

describe("planDelete (promotion)", () => {
  const props = { index: FOLLOWER, remoteCluster: "clusterA", leaderIndex: LEADER, onDelete: "promote" as const };
  it.each<[string, FollowerWorld, string[]]>([
    [
      "active follower",
      { index: index({ follow: following("active") }) },
      ["captureFollowStats", "pause", "close", "unfollow", "setWriteBlock:true", "open", "record:exact", "setWriteBlock:false"],
    ],
    [
      "crash after pause: paused, open",
      { index: index({ follow: following("paused") }) },
      ["close", "unfollow", "setWriteBlock:true", "open", "record:exact", "setWriteBlock:false"],
    ],
    [
      "crash after close: paused, closed",
      { index: index({ open: false, follow: following("paused") }) },
      ["unfollow", "setWriteBlock:true", "open", "record:exact", "setWriteBlock:false"],
    ],
    [
      "crash after unfollow: regular, closed",
      { index: index({ open: false }) },
      ["setWriteBlock:true", "open", "record:exact", "setWriteBlock:false"],
    ],
    [
      "crash after block: regular, closed, blocked",
      { index: index({ open: false, writeBlocked: true }) },
      ["open", "record:exact", "setWriteBlock:false"],
    ],
    [
      "crash after open: regular, open, blocked, no record",
      { index: index({ writeBlocked: true }) },
      ["record:exact", "setWriteBlock:false"],
    ],
    ["crash after record: blocked, own record", { index: index({ writeBlocked: true, ownPromotion: record() }) }, ["setWriteBlock:false"]],
    ["done: own record, unblocked → nothing", { index: index({ ownPromotion: record() }) }, []],
    ["absent → nothing", {}, []],
    ["promoted outside ccr-dr → record without checkpoints", { index: index() }, ["record:unknown"]],
    ["now follows another leader → nothing", { index: index({ follow: following("active", { leaderIndex: "x" }) }) }, []],
  ])("%s", (_n, world, expected) => {
    expect(kinds(planDelete(world, props, "clusterB").ops)).toEqual(expected);
  });

  it("records the leader identity captured at create", () => {
    const plan = planDelete(
      { index: index({ follow: following("paused") }) },
      { ...props, leaderIdentity: { clusterName: "clusterA", clusterUuid: "cu", indexUuid: "iu" } },
      "clusterB",
    );
    expect(plan.ops.find((o) => o.kind === "recordPromotion")).toMatchObject({
      promotedFrom: {
        remoteCluster: "clusterA",
        leaderIndex: LEADER,
        leaderIndexUuid: "iu",
        leaderClusterUuid: "cu",
        leaderClusterName: "clusterA",
      },
    });
  });

  it.each<[string, FollowerWorld, string[]]>([
    ["active follower → pause, delete", { index: index({ follow: following("active") }) }, ["pause", "deleteIndex"]],
    ["paused follower → delete", { index: index({ follow: following("paused") }) }, ["deleteIndex"]],
    ["regular index (may hold writes) → nothing", { index: index() }, []],
  ])("onDelete deleteIndex: %s", (_n, world, expected) => {
    expect(kinds(planDelete(world, { ...props, onDelete: "deleteIndex" }, "clusterB").ops)).toEqual(expected);
  });
});

describe("promotion record and lineage", () => {
  it("round-trips through _meta and ignores records about another index (replicated from a leader)", () => {
    const r = record({ promotedFrom: { remoteCluster: "clusterA", leaderIndex: LEADER, leaderIndexUuid: "lu" } });
    const meta = { other: 1, ccr_dr: { promotion: encodePromotion(r) } };
    expect(decodePromotion(meta, "u-1")).toEqual(r);
    expect(decodePromotion(meta, "u-2")).toBeUndefined();
    expect(decodePromotion(undefined, "u-1")).toBeUndefined();
  });

  it("pristine means: own record, known checkpoints, no write since", () => {
    expect(isPristinePromotion(index({ ownPromotion: record() }))).toBe(true);
    expect(
      isPristinePromotion(index({ ownPromotion: record(), seqNos: [{ shard: 0, maxSeqNo: 6, globalCheckpoint: 6, localCheckpoint: 6 }] })),
    ).toBe(false);
    expect(isPristinePromotion(index({ ownPromotion: record({ checkpointsKnown: false, shards: [] }) }))).toBe(false);
    expect(isPristinePromotion(index({ ownPromotion: record(), open: false, seqNos: undefined }))).toBe(false);
  });

  const local = {
    leaderIndex: FOLLOWER,
    leaderCluster: "clusterB",
    localCluster: "clusterA",
    index: LEADER,
    indexUuid: "a-idx",
    numberOfShards: 1,
    clusterUuid: "a-cluster",
  };
  const rec = (from: PromotionRecord["promotedFrom"], over: Partial<PromotionRecord> = {}) =>
    record({ index: FOLLOWER, promotedFrom: from, ...over });
  it.each<[string, PromotionRecord | undefined, RegExp | number[]]>([
    ["no record", undefined, /carries no ccr-dr promotion record/],
    ["other index name", rec({ remoteCluster: "clusterA", leaderIndex: "x", leaderIndexUuid: "a-idx" }), /promoted from index "x"/],
    ["index UUID mismatch", rec({ remoteCluster: "clusterA", leaderIndex: LEADER, leaderIndexUuid: "old" }), /different index/],
    ["cluster UUID mismatch", rec({ remoteCluster: "clusterA", leaderIndex: LEADER, leaderClusterUuid: "other" }), /cluster UUID other/],
    ["no identity", rec({ remoteCluster: "clusterA", leaderIndex: LEADER }), /names no leader index or cluster UUID/],
    [
      "shard count mismatch",
      rec({ remoteCluster: "clusterA", leaderIndex: LEADER, leaderIndexUuid: "a-idx" }, { shards: [], checkpointsKnown: true }),
      /0 shard\(s\)/,
    ],
    ["index UUID match", rec({ remoteCluster: "clusterA", leaderIndex: LEADER, leaderIndexUuid: "a-idx" }), [5]],
    ["cluster UUID match", rec({ remoteCluster: "clusterA", leaderIndex: LEADER, leaderClusterUuid: "a-cluster" }), [5]],
    [
      "unknown checkpoints → quarantine everything",
      rec({ remoteCluster: "clusterA", leaderIndex: LEADER, leaderIndexUuid: "a-idx" }, { checkpointsKnown: false, shards: [] }),
      [-1],
    ],
  ])("%s", (_n, r, expected) => {
    const v = verifyLineage({ ...local, record: r });
    if (expected instanceof RegExp) {
      expect(v.ok).toBe(false);
      expect(!v.ok && v.reason).toMatch(expected);
    } else {
      expect(v.ok && v.thresholds).toEqual(expected);
    }
  });
});
