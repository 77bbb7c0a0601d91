/**
 * providers/patternPromotion/plan.ts: the failover of pattern-driven data, one row per world a
 * run can find — first run, and a re-run after a crash after each kind of step.
 */
import type { FollowerWorld, LocalIndex } from "../../../../providers/followerIndex/world";
import {
  countWords,
  describeOp,
  leaderNames,
  planPatternPromotion,
  promotionLines,
  type Op,
  type PromotionCounts,
} from "../../../../providers/patternPromotion/plan";
import { PROMOTION_PLAN_INDEX } from "../../../../providers/patternPromotion/types";
import {
  decodePromotionPlan,
  encodePromotionPlan,
  type CandidateIndex,
  type PatternWorld,
  type StreamView,
} from "../../../../providers/patternPromotion/world";

const T = { remoteCluster: "clusterA", patterns: ["logs"], declaredIndices: ["orders-b"] };
const BACKING = ".ds-logs-generic-default-2026.12.02-000001";

function follower(index: string, status: "active" | "paused" = "active", open = true): FollowerWorld {
  const i: LocalIndex = {
    uuid: `uuid-${index}`,
    open,
    writeBlocked: false,
    numberOfShards: 1,
    settings: {},
    follow: { followerIndex: index, remoteCluster: "clusterA", leaderIndex: index, status, parameters: undefined },
  };
  return { index: i };
}
/** After unfollow: a regular closed index, no record. */
const unfollowed = (index: string): FollowerWorld => ({
  index: { uuid: `uuid-${index}`, open: false, writeBlocked: false, numberOfShards: 1, settings: {} },
});
/** Fully promoted: own record, unblocked. */
const promoted = (index: string): FollowerWorld => ({
  index: {
    uuid: `uuid-${index}`,
    open: true,
    writeBlocked: false,
    numberOfShards: 1,
    settings: {},
    ownPromotion: {
      version: 1,
      index,
      indexUuid: `uuid-${index}`,
      cluster: "clusterB",
      promotedFrom: { remoteCluster: "clusterA", leaderIndex: index },
      promotedAt: "2026-12-02T00:00:00.000Z",
      checkpointsKnown: true,
      shards: [],
      writeBlockAdded: true,
    },
  },
});
const cand = (index: string, world: FollowerWorld, stream?: string): CandidateIndex => ({
  index,
  leaderIndex: index,
  ...(stream ? { stream } : {}),
  world,
});
const stream = (replicated: boolean, writeIndexFollows: boolean): StreamView => ({
  name: "logs-generic-default",
  replicated,
  indices: [BACKING],
  template: "logs",
  writeIndexFollows,
});
const listed = {
  remoteCluster: "clusterA",
  indices: [
    { index: "logs-2026.12.02", leaderIndex: "logs-2026.12.02" },
    { index: BACKING, leaderIndex: BACKING },
  ],
};

/** An op in a word, for the tables. */
function short(op: Op): string {
  switch (op.kind) {
    case "pausePattern":
      return `pause ${op.name}`;
    case "recordPlan":
      return `list ${op.plan.indices.map((i) => i.index).join(",")}`;
    case "promoteStream":
      return `promote-stream ${op.stream}`;
    case "rollover":
      return `rollover ${op.stream}`;
    case "promoteIndex":
      return `promote ${op.index}: ${op.ops.map((o) => o.kind).join(" ")}`;
    case "forgetPlan":
      return "forget list";
  }
}

const FULL = "captureFollowStats pause close unfollow setWriteBlock open recordPromotion setWriteBlock";
const ROWS: Array<[string, PatternWorld, string[]]> = [
  ["nothing followed, pattern active", { patterns: [{ name: "logs", active: true }], streams: [], indices: [] }, ["pause logs"]],
  ["nothing to do", { patterns: [{ name: "logs", active: false }], streams: [], indices: [] }, []],
  [
    "first run: an index and a replicated stream",
    {
      patterns: [{ name: "logs", active: true }],
      streams: [stream(true, true)],
      indices: [cand(BACKING, follower(BACKING), "logs-generic-default"), cand("logs-2026.12.02", follower("logs-2026.12.02"))],
    },
    [
      "pause logs",
      `list ${BACKING},logs-2026.12.02`,
      "promote-stream logs-generic-default",
      "rollover logs-generic-default",
      `promote ${BACKING}: ${FULL}`,
      `promote logs-2026.12.02: ${FULL}`,
      "forget list",
    ],
  ],
  [
    "crash after promoting the stream (its write index still follows)",
    {
      patterns: [{ name: "logs", active: false }],
      streams: [stream(false, true)],
      indices: [cand(BACKING, follower(BACKING), "logs-generic-default"), cand("logs-2026.12.02", follower("logs-2026.12.02"))],
      plan: listed,
    },
    ["rollover logs-generic-default", `promote ${BACKING}: ${FULL}`, `promote logs-2026.12.02: ${FULL}`, "forget list"],
  ],
  [
    "crash after one unfollow (found only through the list) and a paused follower",
    {
      patterns: [{ name: "logs", active: false }],
      streams: [],
      indices: [
        cand(BACKING, unfollowed(BACKING), "logs-generic-default"),
        cand("logs-2026.12.02", follower("logs-2026.12.02", "paused", false)),
      ],
      plan: listed,
    },
    [
      `promote ${BACKING}: setWriteBlock open recordPromotion setWriteBlock`,
      "promote logs-2026.12.02: unfollow setWriteBlock open recordPromotion setWriteBlock",
      "forget list",
    ],
  ],
  [
    "crash before deleting the list",
    {
      patterns: [{ name: "logs", active: false }],
      streams: [],
      indices: [cand(BACKING, promoted(BACKING)), cand("logs-2026.12.02", promoted("logs-2026.12.02"))],
      plan: listed,
    },
    ["forget list"],
  ],
  [
    "a new follower beside a listed one: the list is rewritten with both",
    {
      patterns: [{ name: "logs", active: false }],
      streams: [],
      indices: [cand("logs-2026.12.02", unfollowed("logs-2026.12.02")), cand("logs-2026.12.03", follower("logs-2026.12.03"))],
      plan: { remoteCluster: "clusterA", indices: [{ index: "logs-2026.12.02", leaderIndex: "logs-2026.12.02" }] },
    },
    [
      "list logs-2026.12.02,logs-2026.12.03",
      "promote logs-2026.12.02: setWriteBlock open recordPromotion setWriteBlock",
      `promote logs-2026.12.03: ${FULL}`,
      "forget list",
    ],
  ],
];

describe("planPatternPromotion", () => {
  test.each(ROWS)("%s", (_name, world, expected) => {
    const plan = planPatternPromotion(world, T, "clusterB");
    expect(plan.ops.map(short)).toEqual(expected);
    for (const op of plan.ops) expect(describeOp(op)).not.toBe("");
    const forget = plan.ops.filter((o) => o.kind === "forgetPlan" || o.kind === "recordPlan");
    for (const op of forget) expect(op).toMatchObject({ index: PROMOTION_PLAN_INDEX });
  });

  test("the stream is promoted and rolled over before its backing index is closed (ES refuses to close a write index)", () => {
    const plan = planPatternPromotion(
      { patterns: [], streams: [stream(true, true)], indices: [cand(BACKING, follower(BACKING), "logs-generic-default")] },
      T,
      "clusterB",
    );
    const kinds = plan.ops.map((o) => o.kind);
    expect(kinds.indexOf("rollover")).toBeGreaterThan(kinds.indexOf("promoteStream"));
    expect(kinds.indexOf("promoteIndex")).toBeGreaterThan(kinds.indexOf("rollover"));
  });

  test("the preview names each pattern, stream and index, in the order they run", () => {
    const plan = planPatternPromotion(
      {
        patterns: [{ name: "logs", active: true }],
        streams: [stream(true, true)],
        indices: [cand(BACKING, follower(BACKING), "logs-generic-default"), cand("logs-2026.12.02", follower("logs-2026.12.02"))],
      },
      T,
      "clusterB",
    );
    const counts: PromotionCounts = {
      documents: new Map([
        ["logs-generic-default", 55],
        [BACKING, 30],
        ["logs-2026.12.02", 15],
      ]),
      leader: { readable: false, reason: "clusterA does not answer (connect ECONNREFUSED)" },
    };
    const down = "clusterA's count unknown: clusterA does not answer (connect ECONNREFUSED)";
    expect(promotionLines(plan, "clusterB", "clusterA", counts)).toEqual([
      'failover: PAUSE auto-follow pattern "logs" on clusterB first (nothing new starts following)',
      `failover: PROMOTE data stream "logs-generic-default" on clusterB (55 docs; ${down}), replicated from clusterA, to a writable stream`,
      'failover: ROLL OVER data stream "logs-generic-default" on clusterB: new writes go to a new local write index',
      `failover: PROMOTE "${BACKING}" on clusterB (30 docs; ${down}), backing index of data stream "logs-generic-default", followed from clusterA:${BACKING} (not a declared pair), to a writable index: pause → close → unfollow → write block → open → record promotion → unblock`,
      `failover: PROMOTE "logs-2026.12.02" on clusterB (15 docs; ${down}), followed from clusterA:logs-2026.12.02 (not a declared pair), to a writable index: pause → close → unfollow → write block → open → record promotion → unblock`,
    ]);
    // the old primary's names of the same data: a follower stream keeps its leader's name
    expect([...leaderNames(plan)]).toEqual([
      ["logs-generic-default", "logs-generic-default"],
      [BACKING, BACKING],
      ["logs-2026.12.02", "logs-2026.12.02"],
    ]);
  });

  const readable = (n: number | string): PromotionCounts["leader"] => ({ readable: true, documents: new Map([["s", n]]) });
  test.each<[string, number | undefined, PromotionCounts["leader"], string]>([
    ["both read, leader ahead", 40, readable(45), "40 docs; clusterA holds 45: 5 not replicated, lost by a failover now"],
    ["both read, in sync", 45, readable(45), "45 docs; clusterA holds 45: none lost by a failover now"],
    ["both read, leader behind (deletes)", 45, readable(43), "45 docs; clusterA holds 43: 2 fewer (deletes not yet replicated)"],
    [
      "leader down",
      45,
      { readable: false, reason: "clusterA does not answer (timeout)" },
      "45 docs; clusterA's count unknown: clusterA does not answer (timeout)",
    ],
    [
      "leader answers, this name unreadable",
      45,
      readable('"s" could not be counted (404)'),
      `45 docs; clusterA's count unknown: "s" could not be counted (404)`,
    ],
    ["leader answers, this name not asked", 45, { readable: true, documents: new Map() }, "45 docs; clusterA's count unknown: not read"],
    [
      "follower unreadable (closed)",
      undefined,
      readable(45),
      "document count unknown; clusterA holds 45, so what a failover now loses is unknown",
    ],
    [
      "neither",
      undefined,
      { readable: false, reason: "clusterA does not answer (x)" },
      "document count unknown; clusterA's count unknown: clusterA does not answer (x)",
    ],
  ])("counts in the preview: %s", (_name, here, leader, words) => {
    const documents = new Map<string, number | undefined>(here === undefined ? [] : [["s", here]]);
    expect(countWords("s", { documents, leader }, "clusterA")).toBe(words);
  });

  test("a stream without a data-stream template on this cluster is refused before anything changes", () => {
    const world: PatternWorld = {
      patterns: [{ name: "logs", active: true }],
      streams: [{ ...stream(true, true), template: undefined }],
      indices: [cand(BACKING, follower(BACKING), "logs-generic-default")],
    };
    expect(() => planPatternPromotion(world, T, "clusterB")).toThrow(
      /data stream\(s\) "logs-generic-default" match no index template .*Nothing was changed\. Create the template/,
    );
  });

  test("with the primary's recorded identity, every promotion record names its cluster (a failback's lineage proof)", () => {
    const plan = planPatternPromotion(
      { patterns: [], streams: [], indices: [cand("logs-2026.12.02", follower("logs-2026.12.02"))] },
      { ...T, leaderIdentity: { clusterName: "clusterA", clusterUuid: "uuid-A" } },
      "clusterB",
    );
    const promote = plan.ops.find((o) => o.kind === "promoteIndex");
    const record = promote?.kind === "promoteIndex" ? promote.ops.find((o) => o.kind === "recordPromotion") : undefined;
    expect(record).toMatchObject({
      promotedFrom: {
        remoteCluster: "clusterA",
        leaderIndex: "logs-2026.12.02",
        leaderClusterUuid: "uuid-A",
        leaderClusterName: "clusterA",
      },
    });
  });

  test("the list round-trips through the mapping _meta", () => {
    expect(decodePromotionPlan(encodePromotionPlan(listed, "2026-12-02T00:00:00.000Z"))).toEqual(listed);
    expect(decodePromotionPlan(undefined)).toBeUndefined();
    expect(decodePromotionPlan({ other: 1 })).toBeUndefined();
  });
});
