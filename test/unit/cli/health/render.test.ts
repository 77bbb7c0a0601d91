/**
 * `ccr-dr status` text (cli/health/render.ts): a quarantine index whose count could not be read is
 * shown as unknown, never as 0 documents.
 */
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
