/**
 * The providers as Pulumi really runs them: serialized by value and loaded in a plain Node
 * process. Errors must keep their messages across serialization (the engine shows `e.message`).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../../cli/toolchain";

test("serialized providers load, check, and report create errors with their messages", () => {
  const out = execFileSync(process.execPath, ["-r", path.join(repoRoot, "scripts/register.js"), path.join(repoRoot, "test/helpers/serializeProviders.ts"), "http://127.0.0.1:9"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const report = JSON.parse(out.trim().split("\n").pop()!);
  for (const name of ["remoteCluster", "followerIndex", "writeFence"]) {
    expect(report[name].checkFailures).toBe(0);
    expect(report[name].absolutePaths).toBe(false);
    // A dead endpoint: the message names the cluster, never "undefined".
    expect(report[name].createError).toMatch(/clusterB/);
  }
  expect(report.quarantineName.checkFailures).toBe(0);
});
