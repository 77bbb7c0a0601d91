/** providers/patternFailback/plan.ts: which indices and data streams of the new primary a failback follows, by table. */
import type { FollowerWorld, LocalIndex } from "../../../../providers/followerIndex/world";
import {
  describeOp,
  divergenceOf,
  type LocalStream,
  type Op,
  planPatternFailback,
  planStreamFailback,
  quarantineIndexOf,
  simpleMatch,
  streamLines,
} from "../../../../providers/patternFailback/plan";
import { quarantineIndexFor } from "../../../../providers/quarantineName/resource";

const T = {
  remoteCluster: "clusterB",
  patterns: [
    { name: "logs", leaderIndexPatterns: ["logs-*", "daily-*"], leaderIndexExclusionPatterns: ["daily-tmp-*"] },
    { name: "copies", leaderIndexPatterns: ["metrics-*"], followIndexPattern: "{{leader_index}}-copy" },
  ],
  declaredIndices: ["daily-declared"],
  quarantineName: "ccr-dr-quarantine-0123456789abcdef",
};
const STREAM = { name: "logs-generic-default", indices: [".ds-logs-generic-default-2026.12.02-000001"] };

test.each([
  ["a matching index", ["daily-1"], [], [["daily-1", "daily-1", "logs"]], 0],
  ["no pattern matches", ["orders", "kibana"], [], [], 0],
  ["an exclusion", ["daily-tmp-1", "daily-2"], [], [["daily-2", "daily-2", "logs"]], 0],
  ["a declared pair is left to its FollowerIndex", ["daily-declared"], [], [], 0],
  ["followIndexPattern renames", ["metrics-1"], [], [["metrics-1-copy", "metrics-1", "copies"]], 0],
  [
    "a matching data stream: its backing indices are not followed as plain indices (the stream's own failback does)",
    [...STREAM.indices, "daily-1"],
    [STREAM],
    [["daily-1", "daily-1", "logs"]],
    1,
  ],
  [
    "sorted by leader name",
    ["daily-b", "daily-a"],
    [],
    [
      ["daily-a", "daily-a", "logs"],
      ["daily-b", "daily-b", "logs"],
    ],
    0,
  ],
] as Array<[string, string[], Array<{ name: string; indices: string[] }>, Array<[string, string, string]>, number]>)(
  "%s",
  (_name, indices, streams, follows, matchingStreams) => {
    const plan = planPatternFailback({ indices, streams }, T);
    const ops = plan.ops.filter((o): o is Extract<Op, { kind: "follow" }> => o.kind === "follow");
    expect(ops).toHaveLength(plan.ops.length);
    expect(ops.map((o) => [o.index, o.leaderIndex, o.pattern])).toEqual(follows);
    for (const o of ops) expect(o.quarantineIndex).toBe(quarantineIndexFor(T.quarantineName, o.index));
    expect(plan.warnings).toEqual([]);
    expect(plan.streams).toHaveLength(matchingStreams);
  },
);

test("simpleMatch is Elasticsearch's: only * is special", () => {
  expect(simpleMatch("logs-*", "logs-a.b")).toBe(true);
  expect(simpleMatch("logs.*", "logsXa")).toBe(false);
  expect(simpleMatch("*-default", "logs-generic-default")).toBe(true);
  expect(simpleMatch("a*b*c", "aXXbYYc")).toBe(true);
  expect(simpleMatch("logs", "logs-1")).toBe(false);
});

test("quarantine names follow the program's rule, 255 bytes at most", () => {
  const long = "x".repeat(250);
  expect(quarantineIndexOf(T.quarantineName, long)).toBe(quarantineIndexFor(T.quarantineName, long));
  expect(Buffer.byteLength(quarantineIndexOf(T.quarantineName, long))).toBeLessThanOrEqual(255);
});

// ---- data streams -------------------------------------------------------------------------------

const S = "logs-generic-default";
const B1 = `.ds-${S}-2026.12.02-000001`;
const B2 = `.ds-${S}-2026.12.02-000002`;
const B3 = `.ds-${S}-2026.12.03-000003`;
const LEADER = { name: S, indices: [B3, B1, B2] }; // listed out of order on purpose: follows run in name order

const idx = (over: Partial<LocalIndex> = {}): FollowerWorld => ({
  index: { uuid: `uuid-${Math.random()}`, open: true, writeBlocked: false, numberOfShards: 1, settings: {}, ...over },
});
const follower = (leaderIndex: string, status: "active" | "paused" = "active"): FollowerWorld =>
  idx({ writeBlocked: true, follow: { remoteCluster: "clusterB", leaderIndex, status } as never });
const proven = { thresholds: [4], why: "were written after its last operation replicated to clusterB" };
const absent = { thresholds: [-1], why: "clusterB lacks (it has no backing index of that name): all of them" };
const ST = { remoteCluster: "clusterB", quarantineName: T.quarantineName, pattern: "logs", cluster: "clusterA" };

const shape = (ops: Op[]) =>
  ops.map((o) => {
    switch (o.kind) {
      case "follow":
        return `follow ${o.index}`;
      case "fenceBacking":
        return `fence ${o.index}${o.open ? "" : " (closed)"}`;
      case "quarantineBacking":
        return `quarantine ${o.index} above ${o.thresholds.join(",")} into ${o.quarantineIndex}`;
      case "deleteStream":
        return `delete ${o.stream} (${o.indices.join(",")})`;
      case "followBacking":
        return `followBacking ${o.index}`;
      case "resumeBacking":
        return `resume ${o.index}`;
    }
  });
const q = (i: string) => quarantineIndexOf(T.quarantineName, i);

test.each<[string, LocalStream, string[]]>([
  [
    "no local stream: follow every backing index in name order",
    { name: S, indices: {}, divergence: {} },
    [B1, B2, B3].map((i) => `followBacking ${i}`),
  ],
  [
    "a stale stream (B1, B2; B2 the write index with unreplicated writes): fence, quarantine each, delete, follow all",
    {
      name: S,
      stream: { replicated: false, indices: [B2, B1] },
      indices: { [B1]: idx(), [B2]: idx() },
      divergence: { [B1]: proven, [B2]: proven },
    },
    [
      `fence ${B1}`,
      `fence ${B2}`,
      `quarantine ${B1} above 4 into ${q(B1)}`,
      `quarantine ${B2} above 4 into ${q(B2)}`,
      `delete ${S} (${B1},${B2})`,
      ...[B1, B2, B3].map((i) => `followBacking ${i}`),
    ],
  ],
  [
    "a stale backing index the new primary never had: every document quarantined",
    {
      name: S,
      stream: { replicated: false, indices: [B1, ".ds-x-9"] },
      indices: { [B1]: idx({ writeBlocked: true }), ".ds-x-9": idx({ open: false }) },
      divergence: { [B1]: proven, ".ds-x-9": absent },
    },
    [
      "fence .ds-x-9 (closed)",
      `quarantine ${B1} above 4 into ${q(B1)}`,
      `quarantine .ds-x-9 above -1 into ${q(".ds-x-9")}`,
      `delete ${S} (${B1},.ds-x-9)`,
      ...[B1, B2, B3].map((i) => `followBacking ${i}`),
    ],
  ],
  [
    "re-run after the quarantine (fenced, records complete): only delete and follow",
    {
      name: S,
      stream: { replicated: false, indices: [B1] },
      indices: {
        [B1]: {
          ...idx({ uuid: "u1", writeBlocked: true }),
          quarantine: { exists: true, record: { sourceIndexUuid: "u1", complete: true } as never },
        },
      },
      divergence: { [B1]: proven },
    },
    [`delete ${S} (${B1})`, ...[B1, B2, B3].map((i) => `followBacking ${i}`)],
  ],
  [
    "re-run mid-quarantine (record incomplete): the quarantine runs again (same _ids: overwrites, never duplicates)",
    {
      name: S,
      stream: { replicated: false, indices: [B1] },
      indices: {
        [B1]: {
          ...idx({ uuid: "u1", writeBlocked: true }),
          quarantine: { exists: true, record: { sourceIndexUuid: "u1", complete: false } as never },
        },
      },
      divergence: { [B1]: proven },
    },
    [`quarantine ${B1} above 4 into ${q(B1)}`, `delete ${S} (${B1})`, ...[B1, B2, B3].map((i) => `followBacking ${i}`)],
  ],
  [
    "re-run after the first follow (a replicated stream of one): follow the rest",
    { name: S, stream: { replicated: true, indices: [B1] }, indices: { [B1]: follower(B1) }, divergence: {} },
    [`followBacking ${B2}`, `followBacking ${B3}`],
  ],
  [
    "a follow interrupted before its answer (the follower exists outside a stream listing): adopted, not followed twice",
    {
      name: S,
      stream: { replicated: true, indices: [B1, B2] },
      indices: { [B1]: follower(B1), [B2]: follower(B2, "paused") },
      divergence: {},
    },
    [`resume ${B2}`, `followBacking ${B3}`],
  ],
  [
    "already failed back: nothing",
    {
      name: S,
      stream: { replicated: true, indices: [B1, B2, B3] },
      indices: { [B1]: follower(B1), [B2]: follower(B2), [B3]: follower(B3) },
      divergence: {},
    },
    [],
  ],
  [
    "a stale stream with a follower backing index: not fenced nor quarantined (its documents are its leader's)",
    {
      name: S,
      stream: { replicated: false, indices: [B1, B2] },
      indices: { [B1]: follower(B1), [B2]: idx() },
      divergence: { [B2]: proven },
    },
    [
      `fence ${B2}`,
      `quarantine ${B2} above 4 into ${q(B2)}`,
      `delete ${S} (${B1},${B2})`,
      ...[B1, B2, B3].map((i) => `followBacking ${i}`),
    ],
  ],
])("stream: %s", (_name, local, expected) => {
  const plan = planStreamFailback(LEADER, local, ST);
  expect(shape(plan.ops)).toEqual(expected);
  // every divergent document is quarantined before the delete: no quarantine after it
  const del = plan.ops.findIndex((o) => o.kind === "deleteStream");
  if (del >= 0) expect(plan.ops.slice(del).some((o) => o.kind === "quarantineBacking" || o.kind === "fenceBacking")).toBe(false);
  for (const op of plan.ops) expect(describeOp(op)).toContain(S);
});

test("stream: a foreign quarantine index or an index of a backing name outside the stream is refused before any change", () => {
  expect(() =>
    planStreamFailback(
      LEADER,
      {
        name: S,
        stream: { replicated: false, indices: [B1] },
        indices: { [B1]: { ...idx({ uuid: "u1" }), quarantine: { exists: true } } },
        divergence: { [B1]: proven },
      },
      ST,
    ),
  ).toThrow(/quarantine index ".*" already exists and is not a ccr-dr quarantine of backing index/);
  expect(() => planStreamFailback(LEADER, { name: S, indices: { [B2]: idx() }, divergence: {} }, ST)).toThrow(
    /index ".*000002" exists outside data stream "logs-generic-default"/,
  );
});

test("stream: the planner fails a matching stream back only with its local side read; preview lines say what it does", () => {
  const listing = { indices: [B1, B2, B3], streams: [LEADER] };
  expect(planPatternFailback(listing, T).ops).toEqual([]);
  const local: LocalStream = {
    name: S,
    stream: { replicated: false, indices: [B1, B2] },
    indices: { [B1]: idx(), [B2]: idx() },
    divergence: { [B1]: proven, [B2]: proven },
  };
  const plan = planPatternFailback(listing, T, { [S]: local }, "clusterA");
  expect(plan.ops).toHaveLength(8);
  expect(streamLines(plan, "clusterA", "clusterB", { [S]: local }, { [B1]: 0, [B2]: 7 })).toEqual([
    `failback: data stream "${S}" on clusterA is a stale copy (not replicated; 2 backing indices): FENCE 2 backing indices (write block) → ` +
      `QUARANTINE 7 document(s) clusterB lacks from 2 backing indices (into "${q(B2)}": one quarantine index per backing index with any) → ` +
      `DELETE the stale data stream with its 2 backing indices → FOLLOW 3 backing indices of clusterB in name order into a replicated stream (auto-follow pattern "logs")`,
  ]);
  expect(
    streamLines(planPatternFailback(listing, T, { [S]: { name: S, indices: {}, divergence: {} } }), "clusterA", "clusterB", {}),
  ).toEqual([
    `failback: data stream "${S}" is not on clusterA: FOLLOW 3 backing indices of clusterB in name order into a replicated stream (auto-follow pattern "logs")`,
  ]);
});

test.each<[string, number | undefined, Parameters<typeof divergenceOf>[2], number[], RegExp]>([
  ["the new primary has no backing index of that name", 1_000, undefined, [-1, -1], /clusterB lacks/],
  ["lineage not proven", 1_000, { ok: false, reason: "no record" }, [-1, -1], /cannot be shown to have \(no record\)/],
  [
    "lineage proven, created before the promotion: above the checkpoints",
    Date.parse("2026-12-02T00:00:00Z"),
    { ok: true, thresholds: [4, 7], record: { promotedAt: "2026-12-03T00:00:00Z" } as never },
    [4, 7],
    /after its last operation replicated/,
  ],
  [
    "lineage proven by cluster UUID, but created after the promotion (a re-created stream): all of them",
    Date.parse("2026-12-03T00:00:01Z"),
    { ok: true, thresholds: [4, 7], record: { promotedAt: "2026-12-03T00:00:00Z" } as never },
    [-1, -1],
    /a later index of the same name/,
  ],
  [
    "no creation date readable: the checkpoints",
    undefined,
    { ok: true, thresholds: [4, 7], record: { promotedAt: "2026-12-03T00:00:00Z" } as never },
    [4, 7],
    /after its last operation replicated/,
  ],
])("divergence: %s", (_name, creationDate, verdict, thresholds, why) => {
  const d = divergenceOf("clusterB", { numberOfShards: 2, creationDate }, verdict);
  expect(d.thresholds).toEqual(thresholds);
  expect(d.why).toMatch(why);
});
