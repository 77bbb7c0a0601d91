/** The drill's closing table: figures as read, "unknown" for what was not read — never 0. */
import { drillTable, type DrillReport } from "../../../../cli/drill/harness";

const base: DrillReport = { scenario: "data-stream", verdict: "fail", phases: [], documents: 120 };

describe("drillTable", () => {
  test.each<[string, Partial<DrillReport>, string[]]>([
    [
      "nothing read past the kill",
      {},
      [
        "RTO (disaster → clusterB writable): unknown (not reached)",
        "RPO (acknowledged on clusterA, missing on clusterB): unknown (not read)",
        "quarantined documents: unknown (not read)",
        "acknowledged: 120 on clusterA before the kill, unknown (not read)",
        "acknowledged documents lost: unknown (not read)",
        "verdict: FAIL",
      ],
    ],
    [
      "every figure read",
      { rtoMs: 3140, rpoDocuments: 2, quarantinedDocuments: 2, documentsOnB: 15, lostDocuments: 0, verdict: "pass" },
      [
        "RTO (disaster → clusterB writable): 3.1 s",
        "RPO (acknowledged on clusterA, missing on clusterB): 2 documents",
        "quarantined documents: 2",
        "acknowledged: 120 on clusterA before the kill, 15 on clusterB after the failover",
        "acknowledged documents lost: 0",
        "verdict: PASS",
      ],
    ],
  ])("%s", (_name, r, lines) => {
    const out = drillTable({ ...base, ...r });
    for (const l of lines) expect(out).toContain(l);
    expect(out.join("\n")).not.toContain("n/a");
  });

  test("the tutorial has no data-stream lines", () => {
    const out = drillTable({ ...base, scenario: "tutorial", rpoDocuments: 0 });
    expect(out.some((l) => l.startsWith("acknowledged"))).toBe(false);
    expect(out).toContain("RPO (acknowledged on clusterA, missing on clusterB): 0 documents");
  });
});
