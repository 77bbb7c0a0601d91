/**
 * `ccr-dr status --format prometheus` (cli/health/prometheus.ts): valid exposition text (every
 * family with HELP and TYPE before its samples, label values escaped), one-hot states, and unknown
 * values absent rather than 0.
 */
import { escapeLabelValue, renderPrometheus } from "../../../../cli/health/prometheus";
import type { StatusReport } from "../../../../cli/status";
import { parseExposition, samples } from "../../../helpers/prometheus";

const tricky = 'we\\ird "index"\nname';

function report(): StatusReport {
  return {
    primary: "clusterA",
    primaryBySite: { clusterA: "clusterA", clusterB: "clusterA" },
    health: "broken",
    exitCode: 11,
    budget: { maxLagOperations: 1000, maxLagSeconds: 60 },
    fences: [{ cluster: "clusterA", index: tricky, origin: "switchover", detail: "d", command: "c" }],
    switchovers: [
      {
        cluster: "clusterA",
        index: tricky,
        from: "clusterA",
        to: "clusterB",
        startedAt: "2026-12-02T11:59:00.000Z",
        host: "h",
        pid: 4242,
        running: false,
        command: "ccr-dr switchover --to clusterB --yes",
      },
    ],
    readAt: "2026-12-02T12:00:00.000Z",
    clusters: [
      {
        cluster: "clusterA",
        endpoint: "http://127.0.0.1:1",
        reachable: true,
        configuredRole: "primary",
        quarantine: [],
        indices: [
          {
            index: tricky,
            role: "leader",
            writeBlocked: true,
            promotion: {
              version: 1,
              index: tricky,
              indexUuid: "u",
              cluster: "clusterA",
              promotedFrom: { remoteCluster: "clusterB", leaderIndex: "b" },
              promotedAt: "2026-12-01T00:00:00.000Z",
              checkpointsKnown: true,
              shards: [],
              writeBlockAdded: false,
            },
          },
        ],
      },
      {
        cluster: "clusterB",
        endpoint: "http://127.0.0.1:2",
        reachable: true,
        configuredRole: "follower",
        quarantine: [],
        indices: [
          {
            index: "known",
            role: "follower",
            health: {
              state: "healthy",
              reasons: [],
              lag: { operations: 0, seconds: 0 },
              lastReadAgoMs: 1500,
              remote: { alias: "clusterA", connected: true },
              failbackWindow: { leaseExpiresAtMs: 1_800_000_000_000, leaseExpiresAt: "x", leasePeriodMs: 1 },
            },
          },
          {
            index: "unknown",
            role: "follower",
            health: {
              state: "unknown",
              reasons: ["leader unreachable"],
              lag: { operationsAtLeast: 4, unknownReason: "leader unreachable" },
              remote: { alias: "clusterA", connected: false },
              failbackWindow: { unknownReason: "leader unreachable" },
            },
          },
        ],
      },
    ],
  };
}

describe("renderPrometheus", () => {
  const text = renderPrometheus(report());
  const e = parseExposition(text);

  test("is valid exposition text: every family has HELP and TYPE gauge", () => {
    const names = new Set(e.samples.map((s) => s.name));
    for (const n of names) {
      expect(e.type[n]).toBe("gauge");
      expect(e.help[n]).toBeTruthy();
    }
    expect(Object.keys(e.type).sort()).toEqual(Object.keys(e.help).sort());
  });

  test("label values with backslash, quote and line feed are escaped and read back unchanged", () => {
    expect(escapeLabelValue(tricky)).toBe('we\\\\ird \\"index\\"\\nname');
    expect(text).toContain('index="we\\\\ird \\"index\\"\\nname"');
    expect(samples(e, "ccr_dr_index_write_blocked", { index: tricky, origin: "switchover" })).toHaveLength(1);
    expect(samples(e, "ccr_dr_last_promotion_timestamp_seconds", { index: tricky })[0]!.value).toBe(
      Date.parse("2026-12-01T00:00:00.000Z") / 1000,
    );
  });

  test("states are one-hot; the overall state and exit code are there", () => {
    const known = samples(e, "ccr_dr_follower_state", { index: "known" });
    expect(known.map((s) => [s.labels["state"], s.value])).toEqual([
      ["healthy", 1],
      ["lagging", 0],
      ["broken", 0],
      ["unknown", 0],
    ]);
    expect(samples(e, "ccr_dr_follower_state", { index: "unknown", state: "unknown" })[0]!.value).toBe(1);
    expect(samples(e, "ccr_dr_health", { state: "broken" })[0]!.value).toBe(1);
    expect(samples(e, "ccr_dr_status_exit_code")[0]!.value).toBe(11);
    expect(samples(e, "ccr_dr_switchover_records", { state: "interrupted" })[0]!.value).toBe(1);
    expect(samples(e, "ccr_dr_switchover_records", { state: "running" })[0]!.value).toBe(0);
    expect(samples(e, "ccr_dr_switchover_records", { state: "unknown" })[0]!.value).toBe(0);
  });

  test("a known lag is a sample; an unknown one is absent (not 0), with lag_known 0 and the lower bound", () => {
    expect(samples(e, "ccr_dr_follower_lag_operations", { index: "known" })[0]!.value).toBe(0);
    expect(samples(e, "ccr_dr_follower_lag_seconds", { index: "known" })[0]!.value).toBe(0);
    expect(samples(e, "ccr_dr_follower_lag_known", { index: "known" })[0]!.value).toBe(1);
    expect(samples(e, "ccr_dr_follower_lag_operations", { index: "unknown" })).toEqual([]);
    expect(samples(e, "ccr_dr_follower_lag_seconds", { index: "unknown" })).toEqual([]);
    expect(samples(e, "ccr_dr_follower_lag_known", { index: "unknown" })[0]!.value).toBe(0);
    expect(samples(e, "ccr_dr_follower_lag_operations_min", { index: "unknown" })[0]!.value).toBe(4);
    expect(samples(e, "ccr_dr_follower_lease_expiry_timestamp_seconds", { index: "known" })[0]!.value).toBe(1_800_000_000);
    expect(samples(e, "ccr_dr_follower_lease_expiry_timestamp_seconds", { index: "unknown" })).toEqual([]);
    expect(samples(e, "ccr_dr_follower_remote_connected", { index: "unknown" })[0]!.value).toBe(0);
  });

  test("the reader used here refuses broken text (it can fail)", () => {
    expect(() => parseExposition('x{a="unterminated} 1\n')).toThrow();
    expect(() => parseExposition("x 1\n")).toThrow(/before its TYPE/);
    expect(() => parseExposition("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n")).toThrow(/not together/);
    expect(() => parseExposition('# TYPE x gauge\nx{a="\\q"} 1\n')).toThrow(/bad escape/);
  });
});
