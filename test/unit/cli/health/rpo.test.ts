/**
 * The plan's RPO totals and words (cli/health/rpo.ts) and the status options (cli/health/command.ts):
 * a total only when every part is known, a bound said as a bound, bad options refused with exit 2.
 */
import { statusOptions } from "../../../../cli/health/command";
import { renderRpo, type RpoIndex, summarizeRpo } from "../../../../cli/health/rpo";
import { CliError } from "../../../../cli/errors";

const failover = (p: Partial<RpoIndex>): RpoIndex => ({
  index: "orders-b",
  cluster: "clusterB",
  kind: "failover",
  leader: "clusterA:orders-a",
  ...p,
});

describe("summarizeRpo / renderRpo", () => {
  test("every failover index known: the sum", () => {
    const r = summarizeRpo([failover({ lagOperations: 2 }), failover({ index: "x", lagOperations: 3 })]);
    expect(r).toMatchObject({ operations: 5 });
    expect(r.operationsAtLeast).toBeUndefined();
    expect(renderRpo(r)).toContain("estimated RPO: 5 operations not yet replicated");
  });

  test("one leader unreadable: no total, a lower bound and why — never 0", () => {
    const r = summarizeRpo([
      failover({ lagOperations: 2 }),
      failover({ index: "x", operationsAtLeast: 4, unknownReason: "leader clusterA could not be read" }),
    ]);
    expect(r.operations).toBeUndefined();
    expect(r.operationsAtLeast).toBe(6);
    const text = renderRpo(r).join("\n");
    expect(text).toMatch(
      /RPO x on clusterB: ≥ 4 operations of clusterA:orders-a not replicated, upper bound unknown: leader clusterA could not be read/,
    );
    expect(text).toMatch(/estimated RPO: ≥ 6 operations, upper bound unknown: clusterB x: leader clusterA could not be read/);
  });

  test("a failback: documents to quarantine and to copy, no operations total", () => {
    const r = summarizeRpo([
      {
        index: "orders-b",
        cluster: "clusterB",
        kind: "failback",
        leader: "clusterB:orders-b",
        quarantineDocuments: 1,
        copyDocuments: 505,
        thresholds: [41],
      },
    ]);
    expect(r).toEqual({ indices: r.indices, quarantineDocuments: 1, copyDocuments: 505 });
    const text = renderRpo(r).join("\n");
    expect(text).toMatch(
      /failback orders-b on clusterB: 1 document\(s\) of the stale index above the promotion checkpoint will be quarantined; 505 document\(s\) to copy from clusterB:orders-b/,
    );
    expect(text).not.toMatch(/estimated RPO/);
  });

  test("a failback whose stale side cannot be read: counts unknown, with the reason", () => {
    const r = summarizeRpo([
      { index: "orders-b", cluster: "clusterB", kind: "failback", copyDocuments: 9, unknownReason: "clusterA could not be read" },
    ]);
    expect(r.quarantineDocuments).toBeUndefined();
    expect(renderRpo(r).join("\n")).toMatch(
      /failback: unknown document\(s\) to quarantine, 9 to copy \(clusterB orders-b: clusterA could not be read\)/,
    );
  });
});

describe("statusOptions", () => {
  test("defaults and budgets", () => {
    expect(statusOptions({})).toEqual({ format: "text", budget: {} });
    expect(statusOptions({ format: "prometheus", maxLagOps: "0", maxLagSeconds: "2.5" })).toEqual({
      format: "prometheus",
      budget: { maxLagOperations: 0, maxLagSeconds: 2.5 },
    });
  });
  test.each([
    [{ format: "yaml" }, /--format yaml is not a status format/],
    [{ maxLagOps: "-1" }, /--max-lag-ops -1 must be a number ≥ 0/],
    [{ maxLagSeconds: "soon" }, /--max-lag-seconds soon must be a number ≥ 0/],
  ])("%j is a usage error (exit 2)", (o, message) => {
    try {
      statusOptions(o);
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(message);
    }
  });
});
