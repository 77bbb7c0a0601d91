/** cli/planBinding.ts: when a saved plan may no longer be used, by table; durations of --plan-max-age. */
import { type PlanBinding, parseDuration, planStaleness, type WorldFingerprint } from "../../../cli/planBinding";

const follower = { exists: true, uuid: "u-b", follows: "active" as const, leader: "clusterA:orders", writeBlocked: false };
const leader = { exists: true, uuid: "u-a", follows: "none" as const, writeBlocked: false };
const world: WorldFingerprint = {
  clusterA: { reachable: true, indices: { orders: leader } },
  clusterB: { reachable: true, indices: { "orders-b": follower } },
};
const binding: PlanBinding = {
  version: 1,
  to: "clusterB",
  site: "clusterB",
  stack: "dr-b",
  madeAt: "2026-01-01T00:00:00.000Z",
  stackFileSha256: "abc",
  world,
};
const at = Date.parse(binding.madeAt) + 60_000;
const TEN_MIN = 600_000;

test.each<[string, { at?: number; sha?: string; world?: WorldFingerprint; maxAge?: number }, string | undefined]>([
  ["the same world a minute later", {}, undefined],
  ["older than the maximum age", { at: at + TEN_MIN }, "it was made 11 min ago, more than --plan-max-age 10 min"],
  ["older than a short maximum age", { maxAge: 1000 }, "it was made 60 s ago, more than --plan-max-age 1 s"],
  ["another stack file", { sha: "def" }, "Pulumi.dr-b.yaml has changed since it was made"],
  [
    "the old primary went down since",
    { world: { ...world, clusterA: { reachable: false, indices: {} } } },
    "clusterA was reachable when it was made and is unreachable now",
  ],
  [
    "the follower was paused since",
    { world: { ...world, clusterB: { reachable: true, indices: { "orders-b": { ...follower, follows: "paused" } } } } },
    "orders-b on clusterB was an active follower of clusterA:orders (uuid u-b) when it was made and is a paused follower of clusterA:orders (uuid u-b) now",
  ],
  [
    "the follower was promoted since",
    {
      world: {
        ...world,
        clusterB: {
          reachable: true,
          indices: { "orders-b": { exists: true, uuid: "u-b", follows: "none", writeBlocked: false, promotedAt: "2026-01-01T00:00:30Z" } },
        },
      },
    },
    "orders-b on clusterB was an active follower of clusterA:orders (uuid u-b) when it was made and is a regular index (uuid u-b, promoted 2026-01-01T00:00:30Z) now",
  ],
  [
    "the index was recreated (new UUID)",
    { world: { ...world, clusterA: { reachable: true, indices: { orders: { ...leader, uuid: "u-a2" } } } } },
    "orders on clusterA was a regular index (uuid u-a) when it was made and is a regular index (uuid u-a2) now",
  ],
  [
    "the index was fenced since",
    { world: { ...world, clusterA: { reachable: true, indices: { orders: { ...leader, writeBlocked: true } } } } },
    "orders on clusterA was a regular index (uuid u-a) when it was made and is a regular index (uuid u-a, write-blocked) now",
  ],
  [
    "the index was deleted",
    { world: { ...world, clusterA: { reachable: true, indices: { orders: { exists: false } } } } },
    "orders on clusterA was a regular index (uuid u-a) when it was made and is absent now",
  ],
])("%s", (_name, now, want) => {
  expect(
    planStaleness(binding, { at: now.at ?? at, stackFileSha256: now.sha ?? "abc", world: now.world ?? world }, now.maxAge ?? TEN_MIN),
  ).toBe(want);
});

test.each<[string, number | undefined]>([
  ["90", 90_000],
  ["90s", 90_000],
  ["10m", 600_000],
  ["1h", 3_600_000],
  ["500ms", 500],
  ["1.5m", 90_000],
  ["0", undefined],
  ["soon", undefined],
  ["-5m", undefined],
  ["10 m", undefined],
])("--plan-max-age %s", (v, want) => expect(parseDuration(v)).toBe(want));
