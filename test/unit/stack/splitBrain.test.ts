/** The split-brain rule (stack/splitBrain.ts): what "answers and its indices take writes" means, and what a failover does about it. */
import { failoverGuard, type OldPrimaryProbe, type ProbedIndex, takesWrites } from "../../../stack/splitBrain";

describe("takesWrites: what Elasticsearch checks before it accepts an index request", () => {
  const open: ProbedIndex = { index: "i", exists: true, open: true, blocked: false, follower: false };
  test.each<[string, ProbedIndex, boolean | undefined]>([
    ["open, no block, not a follower", open, true],
    ["absent", { index: "i", exists: false }, false],
    ["closed", { ...open, open: false }, false],
    ["write block (or read_only, read_only_allow_delete)", { ...open, blocked: true }, false],
    ["a CCR follower (rejects client writes)", { ...open, follower: true }, false],
    ["answered with an error about it: unknown", { index: "i", exists: true, error: "403 security_exception" }, undefined],
  ])("%s", (_name, probe, expected) => {
    expect(takesWrites(probe)).toBe(expected);
  });
});

describe("failoverGuard", () => {
  const writable: ProbedIndex = { index: "orders", exists: true, open: true, blocked: false, follower: false };
  const fenced: ProbedIndex = { ...writable, blocked: true };
  const up = (...indices: ProbedIndex[]): OldPrimaryProbe => ({ cluster: "clusterA", reachable: true, indices });
  const down: OldPrimaryProbe = { cluster: "clusterA", reachable: false, reason: "connect ECONNREFUSED 127.0.0.1:9200" };
  test.each<[string, OldPrimaryProbe, boolean, string, string[] | undefined]>([
    ["old primary down: the disaster case, proceed", down, false, "proceed-unreachable", undefined],
    ["old primary down, forced: proceed (nothing to fence)", down, true, "proceed-unreachable", undefined],
    ["old primary up, every index fenced: proceed", up(fenced), false, "proceed", undefined],
    [
      "old primary up, index closed or absent: proceed",
      up({ ...writable, open: false }, { index: "x", exists: false }),
      false,
      "proceed",
      undefined,
    ],
    ["old primary up and writable: refuse", up(writable, fenced), false, "refuse", ["orders"]],
    ["old primary up and writable, forced: fence the writable ones", up(writable, { ...fenced, index: "done" }), true, "fence", ["orders"]],
    [
      "old primary up, an index could not be read: refuse (it may take writes)",
      up({ index: "orders", exists: true, error: "500" }),
      false,
      "refuse",
      ["orders"],
    ],
  ])("%s", (_name, probe, force, action, indices) => {
    const g = failoverGuard(probe, "clusterB", force);
    expect(g.action).toBe(action);
    if (indices) expect("indices" in g ? g.indices : undefined).toEqual(indices);
  });

  test("the refusal names both ways on and says nothing changed", () => {
    const g = failoverGuard(up(writable), "clusterB", false);
    expect(g.message).toMatch(/Nothing was changed/);
    expect(g.message).toContain("ccr-dr switchover --to clusterB");
    expect(g.message).toContain("ccr-dr failover --to clusterB --force");
    expect(g.message).toContain("ccr-dr:force true");
  });

  test("unreachable: clients must be kept away from the old primary until failback", () => {
    expect(failoverGuard(down, "clusterB", false).message).toMatch(/Keep clients away from clusterA until the failback/);
  });
});
