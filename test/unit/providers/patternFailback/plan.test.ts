/** providers/patternFailback/plan.ts: which indices of the new primary a failback follows, by table. */
import { planPatternFailback, quarantineIndexOf, simpleMatch } from "../../../../providers/patternFailback/plan";
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
    "a matching data stream: its backing indices are not followed, with a warning",
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
  (_name, indices, streams, follows, warnings) => {
    const plan = planPatternFailback({ indices, streams }, T);
    expect(plan.ops.map((o) => [o.index, o.leaderIndex, o.pattern])).toEqual(follows);
    for (const o of plan.ops) expect(o.quarantineIndex).toBe(quarantineIndexFor(T.quarantineName, o.index));
    expect(plan.warnings).toHaveLength(warnings);
    expect(plan.streams).toHaveLength(warnings);
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
