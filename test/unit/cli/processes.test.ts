import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { processRuns } from "../../../cli/processes";

/** A fake /proc with one process entry per [pid, stat line]. */
function fakeProc(entries: Array<[number, string]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-proc-"));
  fs.mkdirSync(path.join(dir, "self"));
  for (const [pid, stat] of entries) {
    fs.mkdirSync(path.join(dir, String(pid)));
    fs.writeFileSync(path.join(dir, String(pid), "stat"), stat);
  }
  return dir;
}

describe("processRuns: whether the pulumi that holds a stack lock still runs", () => {
  const proc = fakeProc([
    [100, "100 (pulumi) S 1 100 100 0 -1 4194560 0 0"],
    [101, "101 (pulumi) Z 1 101 101 0 -1 4194564 0 0"],
    [102, "102 (bash) S 1 102 102 0 -1 4194560 0 0"],
    [103, "103 (pulumi (x) y) R 1 103 103 0 -1 4194560 0 0"],
  ]);

  test.each([
    [100, true, "a sleeping pulumi holds it"],
    [101, false, "a zombie pulumi (killed, never reaped by PID 1 in a container) does not"],
    [102, false, "a pid reused by another program does not"],
    [103, true, "a comm with spaces and parentheses is read up to the last parenthesis"],
    [104, false, "a pid that is gone does not"],
  ])("pid %d → %s (%s)", (pid, expected) => {
    expect(processRuns(pid, { comm: "pulumi", proc })).toBe(expected);
  });

  test("on this machine's /proc, this process is not a pulumi and a free pid is gone", () => {
    expect(processRuns(process.pid, { comm: "pulumi" })).toBe(false);
    expect(processRuns(2 ** 22 + 1)).toBe(false);
  });
});
