/**
 * The auto-follow coordinator's data stream rules, by tables: which leader indices a pattern
 * matches (the index name, or the name of the data stream it backs; exclusions on both), and the
 * follower index and data stream names a follow pattern gives (AutoFollowCoordinator).
 */
import { followerDataStreamName, followerIndexName, patternMatches } from "../../../../sim/ccr/autoFollow";

const ds = (name: string) => ({ name, generation: 1, hidden: false });

test.each([
  [["logs-*"], [], { name: ".ds-logs-a-2026.01.05-000001", data_stream: ds("logs-a") }, true],
  [["logs-a"], [], { name: ".ds-logs-a-2026.01.05-000001", data_stream: ds("logs-a") }, true],
  [[".ds-*"], [], { name: ".ds-logs-a-2026.01.05-000001", data_stream: ds("logs-a") }, true],
  [["logs-*"], ["logs-a"], { name: ".ds-logs-a-2026.01.05-000001", data_stream: ds("logs-a") }, false],
  [["logs-*"], [], { name: ".ds-logs-a-2026.01.05-000001" }, false],
  [["logs-*"], [], { name: "logs-plain" }, true],
  [["logs-*"], ["logs-p*"], { name: "logs-plain" }, false],
] as const)("patterns %j excluding %j match %j → %s", (patterns, exclusions, index, expected) => {
  expect(patternMatches([...patterns], [...exclusions], index)).toBe(expected);
});

test.each([
  [undefined, ".ds-logs-a-2026.01.05-000001", ".ds-logs-a-2026.01.05-000001"],
  ["{{leader_index}}_copy", "plain", "plain_copy"],
  ["{{leader_index}}_copy", ".ds-logs-a-2026.01.05-000001", ".ds-logs-a_copy-2026.01.05-000001"],
  ["copy-{{leader_index}}", "restored-.ds-logs-a-2026.01.05-000002", "restored-.ds-copy-logs-a-2026.01.05-000002"],
])("follow pattern %s on %s → %s", (pattern, leader, expected) => {
  expect(followerIndexName(pattern, leader)).toBe(expected);
});

test("a .ds- name that is not a backing index name cannot be renamed", () => {
  expect(() => followerIndexName("{{leader_index}}_copy", ".ds-nodate")).toThrow(/unable to determine follower index name/);
});

test("the follower data stream is renamed only with a follow pattern", () => {
  expect(followerDataStreamName("{{leader_index}}_copy", { data_stream: ds("logs-a") })).toBe("logs-a_copy");
  expect(followerDataStreamName(undefined, { data_stream: ds("logs-a") })).toBeUndefined();
  expect(followerDataStreamName("{{leader_index}}_copy", {})).toBeUndefined();
});
