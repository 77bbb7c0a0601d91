/**
 * `ccr-dr status` text (cli/health/render.ts): a quarantine index whose count could not be read is
 * shown as unknown, never as 0 documents; a site stack that could not be opened is named, and its
 * cluster's role is unknown in the text and absent from the metrics.
 */
import { renderPrometheus } from "../../../../cli/health/prometheus";
import { renderStatus } from "../../../../cli/health/render";
import type { StatusReport } from "../../../../cli/status";

function report(quarantine: StatusReport["clusters"][number]["quarantine"]): StatusReport {
  return {
    primary: "clusterB",
    primaryBySite: { clusterA: "clusterB", clusterB: "clusterB" },
    health: "healthy",
    exitCode: 0,
    budget: { maxLagOperations: 1000, maxLagSeconds: 60 },
    fences: [],
    switchovers: [],
    readAt: "2026-12-02T12:00:00.000Z",
    clusters: [
      { cluster: "clusterA", endpoint: "http://127.0.0.1:1", reachable: true, configuredRole: "follower", quarantine, indices: [] },
    ],
  };
}

const plain = (_c: number, s: string): string => s;

describe("renderStatus: quarantine lines", () => {
  it.each([
    [
      { index: "ccr-dr-quarantine-x-orders", documents: 3, sourceIndex: "orders" },
      "  quarantine ccr-dr-quarantine-x-orders: 3 docs from orders",
    ],
    [{ index: "ccr-dr-quarantine-x-orders", documents: 0 }, "  quarantine ccr-dr-quarantine-x-orders: 0 docs"],
    [{ index: "ccr-dr-quarantine-x-orders" }, "  quarantine ccr-dr-quarantine-x-orders: unknown number of docs"],
  ])("%j", (q, line) => {
    expect(renderStatus(report([q]), plain)).toContain(line);
  });
});

describe("renderStatus / renderPrometheus: a site stack that could not be read", () => {
  const r: StatusReport = {
    ...report([]),
    primaryBySite: { clusterB: "clusterB" },
    health: "unknown",
    exitCode: 12,
    unreadableStacks: [{ site: "clusterA", stack: "dr-a", error: "opening stack dr-a failed: incorrect passphrase" }],
    clusters: [
      { cluster: "clusterA", endpoint: "http://127.0.0.1:1", reachable: false, configuredRole: "unknown", quarantine: [], indices: [] },
      { cluster: "clusterB", endpoint: "http://127.0.0.1:2", reachable: true, configuredRole: "primary", quarantine: [], indices: [] },
    ],
  };

  it("names the stack and why, and says nothing of the stacks disagreeing", () => {
    const lines = renderStatus(r, plain);
    expect(lines).toContain(
      "stack dr-a (clusterA) could not be read: opening stack dr-a failed: incorrect passphrase — clusterA is read through the other site's connection to it; its configured role is unknown",
    );
    expect(lines).toContain("clusterA (http://127.0.0.1:1) — unreachable, configured unknown");
    expect(lines.join("\n")).not.toContain("disagree");
  });

  it("gives no configured-primary sample for the unknown role", () => {
    const text = renderPrometheus(r);
    expect(text).toContain('ccr_dr_cluster_configured_primary{cluster="clusterB"} 1');
    expect(text).not.toContain('ccr_dr_cluster_configured_primary{cluster="clusterA"}');
  });
});
