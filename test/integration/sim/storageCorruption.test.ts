/**
 * Damage to an operation log on a real es-sim process: a flipped byte in the middle, or bytes cut
 * off the end, loses acknowledged records, so start-up refuses with the file and the byte offset
 * instead of cutting the file; `bin/es-sim repair` moves the damaged file aside and reports what was
 * lost. Bytes past the checkpoint (a torn final write, never acknowledged) are still cut silently
 * enough: start-up goes on and every acknowledged document is there.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ES_SIM_BIN, http, ndjson, runEsSim, spawnSim } from "../../helpers/sim";

const DOCS = 300;
const PER_BULK = 10;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A stopped node's data dir holding index `c` with DOCS acknowledged documents, and its log file. */
async function killedNodeWithDocs(): Promise<{ dir: string; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), "es-sim-corrupt-"));
  dirs.push(dir);
  const sim = await spawnSim({ dataDir: dir });
  try {
    for (let b = 0; b < DOCS / PER_BULK; b++) {
      const lines: unknown[] = [];
      for (let i = b * PER_BULK; i < (b + 1) * PER_BULK; i++)
        lines.push({ index: { _index: "c", _id: String(i) } }, { n: i, pad: "x".repeat(50) });
      const res = await http(sim.url, "POST", "/_bulk", ndjson(lines), { "content-type": "application/x-ndjson" });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBe(false);
    }
  } finally {
    await sim.kill("SIGKILL");
  }
  const [uuid] = readdirSync(join(dir, "indices"));
  const logs = readdirSync(join(dir, "indices", uuid!)).filter((f) => /^log-\d+\.bin$/.test(f));
  expect(logs).toHaveLength(1);
  return { dir, log: join(dir, "indices", uuid!, logs[0]!) };
}

function startArgs(dir: string): string[] {
  return ["-E", `path.data=${dir}`, "-E", "http.port=0", "-E", "transport.port=0"];
}

function repair(dir: string, ...extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ES_SIM_BIN, "repair", "-E", `path.data=${dir}`, ...extra], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the node on `dir`, returns the ids of index `c` it holds, stops it. */
async function idsAfterStart(dir: string): Promise<Set<string>> {
  const { child, start } = await runEsSim(startArgs(dir));
  try {
    const res = await http(start.http, "POST", "/c/_search", { size: 10_000, _source: false });
    expect(res.status).toBe(200);
    return new Set((res.body.hits.hits as Array<{ _id: string }>).map((h) => h._id));
  } finally {
    child.kill("SIGKILL");
  }
}

test("a flipped byte in the middle of a log refuses start-up; repair moves the file aside and names what was lost", async () => {
  const { dir, log } = await killedNodeWithDocs();
  const original = readFileSync(log);
  const flipAt = Math.floor(original.length / 2);
  const damaged = Buffer.from(original);
  damaged[flipAt] = damaged[flipAt]! ^ 0xff;
  writeFileSync(log, damaged);

  const refused = await runEsSim(startArgs(dir)).then(
    () => undefined,
    (e: { stderr?: string }) => e.stderr ?? "",
  );
  expect(refused).toBeDefined();
  const m = new RegExp(`operation log \\[${log.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\] is corrupt at byte (\\d+)`).exec(refused!);
  expect(m).not.toBeNull();
  const offset = Number(m![1]);
  expect(offset).toBeLessThanOrEqual(flipAt);
  expect(offset).toBeGreaterThan(flipAt - 200); // the frame holding the flipped byte
  expect(refused).toContain("es-sim repair");
  expect(statSync(log).size).toBe(original.length); // nothing cut

  const dry = repair(dir, "--dry-run");
  expect(dry.status).toBe(0);
  expect(dry.stdout).toContain(`damaged at byte ${offset}`);
  expect(dry.stdout).toContain("dry run: nothing moved");
  expect(readFileSync(log).equals(damaged)).toBe(true);

  const fixed = repair(dir);
  expect(fixed.status).toBe(0);
  const reportPath = /full report: (\S+)/.exec(fixed.stdout)![1]!;
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  expect(report.offset).toBe(offset);
  const aside = report.movedAside.find((x: { from: string }) => x.from === log).to as string;
  expect(readFileSync(aside).equals(damaged)).toBe(true); // moved, not deleted
  const droppedIds = new Set<string>(
    report.readableDropped.filter((d: { kind: string }) => d.kind === "op").map((d: { id: string }) => d.id),
  );
  // the damaged record itself cannot be read; every other dropped one can
  expect(report.lostAcknowledgedRecords).toBe(droppedIds.size + 1);

  const ids = await idsAfterStart(dir);
  expect(ids.size).toBeGreaterThan(0);
  for (let i = 0; i < DOCS; i++) {
    const id = String(i);
    // kept ∪ dropped-and-named ∪ the one unreadable record = everything acknowledged
    if (!ids.has(id) && !droppedIds.has(id)) expect(report.lostAcknowledgedRecords - droppedIds.size).toBe(1);
  }
  expect(ids.size + report.lostAcknowledgedRecords).toBe(DOCS);
});

test("a log cut short (2,000 bytes off the end) refuses start-up; repair reports the lost records by _id", async () => {
  const { dir, log } = await killedNodeWithDocs();
  const size = statSync(log).size;
  truncateSync(log, size - 2000);
  const refused = await runEsSim(startArgs(dir)).then(
    () => undefined,
    (e: { stderr?: string }) => e.stderr ?? "",
  );
  expect(refused).toContain(`is corrupt at byte ${size - 2000}: file is ${size - 2000} bytes but its checkpoint says ${size} bytes`);

  const fixed = repair(dir);
  expect(fixed.status).toBe(0);
  const report = JSON.parse(readFileSync(/full report: (\S+)/.exec(fixed.stdout)![1]!, "utf8"));
  const ids = await idsAfterStart(dir);
  expect(ids.size + report.lostAcknowledgedRecords).toBe(DOCS);
  // the records wholly inside the remaining bytes are named; the one cut through is counted only
  for (const d of report.readableDropped) expect(ids.has(d.id)).toBe(false);
  expect(fixed.stdout).toMatch(/lost: \d+ acknowledged records/);
});

test("bytes past the checkpoint (a torn final write) are cut and every acknowledged document is kept", async () => {
  const { dir, log } = await killedNodeWithDocs();
  const size = statSync(log).size;
  appendFileSync(log, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 123, 34, 105]));
  const ids = await idsAfterStart(dir);
  expect(ids.size).toBe(DOCS);
  expect(statSync(log).size).toBeGreaterThanOrEqual(size);
  expect(existsSync(`${log}.corrupt`)).toBe(false);
  expect(repair(dir).stdout).toContain("no damaged operation log");
});
