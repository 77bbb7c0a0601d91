/**
 * `bin/es-sim repair -E path.data=<dir>`: the counterpart of ES's `elasticsearch-shard
 * remove-corrupted-data` for es-sim's operation logs. Run with es-sim stopped (it takes the node
 * lock). For every index whose log start-up refuses (see checkpoint.ts), it:
 *
 *   1. moves the damaged log generation, its checkpoint and every later generation aside, renamed
 *      `<file>.corrupt-<time>` in the same directory (never deletes them);
 *   2. writes in its place a log holding the intact records before the damage, with a checkpoint;
 *   3. reports exactly what was dropped: the byte range, the record count the checkpoint vouches
 *      for, and the `_seq_no`, operation and `_id` of every dropped record that can still be read
 *      (frames found by scanning the damaged bytes), also written to `repair-<time>.json` beside it.
 *
 * Only a suffix of an index's history is ever dropped, so the remaining operations have no
 * `_seq_no` gaps; the next writes reuse the dropped numbers, as after ES's tool (which also gives
 * the shard a new history UUID; es-sim does not — see docs/known-gaps.md).
 */
import { readdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { LogRecord } from "../engine/storage";
import { fsyncDir, writeFileAtomic } from "./atomicFile";
import { checkpointFile, classifyLog, decodeCheckpoint } from "./checkpoint";
import { CLUSTER_STATE_FORMAT, logGenerations, logPaths } from "./durableStorage";
import { DataFormatError, decodeFile, FILE_HEADER_BYTES, fileHeader, LOG_MAGIC, salvageFrames, SNAPSHOT_MAGIC } from "./frame";
import { acquireNodeLock } from "./lock";

/** A dropped record that could still be read. */
export interface DroppedRecord {
  file: string;
  offset: number;
  kind: LogRecord["t"];
  seq_no?: number;
  op?: "index" | "delete";
  id?: string;
}

/** What was done to one index. */
export interface IndexRepair {
  index: string;
  uuid: string;
  /** The damaged file and where the damage starts. */
  file: string;
  offset: number;
  reason: string;
  /** Files moved aside: original → new name. */
  movedAside: Array<{ from: string; to: string }>;
  /** Intact records kept in the damaged generation. */
  keptRecords: number;
  /** Records dropped that the checkpoints vouch for (acknowledged), or null when no checkpoint could say. */
  lostAcknowledgedRecords: number | null;
  /** Byte ranges dropped, per file: [from, to). */
  lostBytes: Array<{ file: string; from: number; to: number }>;
  /** Dropped records that could still be read. */
  readableDropped: DroppedRecord[];
  /** Where the full report is written. */
  reportFile: string;
}

/** The outcome of a repair run. */
export interface RepairReport {
  dataDir: string;
  dryRun: boolean;
  repaired: IndexRepair[];
  /** Indices checked and found intact. */
  intact: string[];
}

function describe(file: string, offset: number, value: unknown): DroppedRecord {
  const r = value as LogRecord;
  const out: DroppedRecord = { file, offset, kind: r.t };
  if (r.t === "op") Object.assign(out, { seq_no: r.op.seqNo, op: r.op.op, id: r.op.id });
  return out;
}

/** Checks every index's logs and repairs the damaged ones (or only reports, with `dryRun`). */
export async function repairDataDir(dataDir: string, opts: { dryRun?: boolean; now?: Date } = {}): Promise<RepairReport> {
  const release = await acquireNodeLock(dataDir);
  try {
    return await repairLocked(dataDir, opts.dryRun ?? false, (opts.now ?? new Date()).toISOString().replace(/[:.]/g, "-"));
  } finally {
    release();
  }
}

async function repairLocked(dataDir: string, dryRun: boolean, stamp: string): Promise<RepairReport> {
  const statePath = join(dataDir, "_state", "cluster.json");
  let state: { format?: string; indices?: Array<{ name: string; uuid: string }> };
  try {
    state = JSON.parse(await readFile(statePath, "utf8"));
  } catch (e) {
    throw new DataFormatError(`[${statePath}] cannot be read (${(e as Error).message}); repair only mends operation logs`);
  }
  if (state.format !== CLUSTER_STATE_FORMAT) throw new DataFormatError(`[${statePath}] is not an es-sim cluster state file`);
  const report: RepairReport = { dataDir, dryRun, repaired: [], intact: [] };
  for (const { name, uuid } of state.indices ?? []) {
    const repaired = await repairIndex(dataDir, name, uuid, dryRun, stamp);
    if (repaired) report.repaired.push(repaired);
    else report.intact.push(name);
  }
  return report;
}

async function repairIndex(dataDir: string, name: string, uuid: string, dryRun: boolean, stamp: string): Promise<IndexRepair | undefined> {
  const dir = join(dataDir, "indices", uuid);
  const snapPath = join(dir, "snapshot.bin");
  const snap = decodeFile(await readFile(snapPath), SNAPSHOT_MAGIC, snapPath);
  const header = snap.values[0] as { t?: string; logGen?: number } | undefined;
  if (snap.torn || header?.t !== "header" || typeof header.logGen !== "number") {
    throw new DataFormatError(
      `[${snapPath}] of index [${name}] is corrupt (bad record at byte ${snap.goodLength}): repair only mends operation logs; restore this index from a snapshot`,
    );
  }
  const gens = logGenerations(await readdir(dir), header.logGen);
  let damage: { gen: number; offset: number; keep: number; reason: string; kept: number; lost: number | null; buf: Buffer } | undefined;
  let damagedIndex = -1;
  for (let i = 0; i < gens.length && !damage; i++) {
    const gen = gens[i]!;
    if (i > 0 && gen !== gens[i - 1]! + 1) {
      damage = { gen: gens[i - 1]! + 1, offset: 0, keep: 0, reason: "log generation missing", kept: 0, lost: null, buf: Buffer.alloc(0) };
      damagedIndex = i;
      break;
    }
    const paths = logPaths(dir, gen);
    const buf = await readFile(paths.log).catch(() => undefined);
    const ckpBuf = await readFile(paths.ckp).catch(() => undefined);
    const ckp = ckpBuf ? decodeCheckpoint(ckpBuf, gen) : undefined;
    if (!buf) {
      if (ckp && ckp.records > 0) {
        damage = { gen, offset: 0, keep: 0, reason: "file missing", kept: 0, lost: ckp.records, buf: Buffer.alloc(0) };
        damagedIndex = i;
      }
      continue;
    }
    let decoded: ReturnType<typeof decodeFile>;
    try {
      decoded = decodeFile(buf, LOG_MAGIC, paths.log);
    } catch (e) {
      damage = { gen, offset: 0, keep: 0, reason: (e as Error).message, kept: 0, lost: ckp ? ckp.records : null, buf };
      damagedIndex = i;
      break;
    }
    const verdict = classifyLog({ fileLength: buf.length, goodLength: decoded.goodLength, frameEnds: decoded.frameEnds }, ckp);
    if (verdict.kind === "damaged") {
      damage = {
        gen,
        offset: verdict.offset,
        keep: verdict.keepLength,
        reason: verdict.reason,
        kept: verdict.goodRecords,
        lost: verdict.lostRecords ?? null,
        buf,
      };
      damagedIndex = i;
    }
  }
  if (!damage) return undefined;

  const damaged = logPaths(dir, damage.gen);
  const out: IndexRepair = {
    index: name,
    uuid,
    file: damaged.log,
    offset: damage.offset,
    reason: damage.reason,
    movedAside: [],
    keptRecords: damage.kept,
    lostAcknowledgedRecords: damage.lost,
    lostBytes: [],
    readableDropped: [],
    reportFile: join(dir, `repair-${stamp}.json`),
  };
  const validStart = Math.max(damage.keep, FILE_HEADER_BYTES);
  if (damage.buf.length > validStart) out.lostBytes.push({ file: damaged.log, from: validStart, to: damage.buf.length });
  for (const f of salvageFrames(damage.buf, validStart)) out.readableDropped.push(describe(damaged.log, f.offset, f.value));
  // every later generation goes too: keeping it would leave a hole in the history
  const later = gens.slice(damagedIndex + 1).filter((g) => g > damage!.gen);
  for (const gen of later) {
    const paths = logPaths(dir, gen);
    const buf = await readFile(paths.log).catch(() => Buffer.alloc(0));
    const ckpBuf = await readFile(paths.ckp).catch(() => undefined);
    const ckp = ckpBuf ? decodeCheckpoint(ckpBuf, gen) : undefined;
    if (buf.length > FILE_HEADER_BYTES) out.lostBytes.push({ file: paths.log, from: FILE_HEADER_BYTES, to: buf.length });
    for (const f of salvageFrames(buf, FILE_HEADER_BYTES)) out.readableDropped.push(describe(paths.log, f.offset, f.value));
    if (out.lostAcknowledgedRecords !== null) out.lostAcknowledgedRecords = ckp ? out.lostAcknowledgedRecords + ckp.records : null;
  }
  if (dryRun) return out;

  const files = await readdir(dir);
  for (const gen of [damage.gen, ...later]) {
    for (const path of Object.values(logPaths(dir, gen))) {
      const base = path.slice(dir.length + 1);
      if (!files.includes(base)) continue;
      const to = `${path}.corrupt-${stamp}`;
      await rename(path, to);
      out.movedAside.push({ from: path, to });
    }
  }
  // the intact prefix of the damaged generation, as its own durable log with a checkpoint
  const kept = damage.keep >= FILE_HEADER_BYTES ? damage.buf.subarray(0, damage.keep) : undefined;
  const newLog = kept ?? fileHeader(LOG_MAGIC);
  await writeFileAtomic(damaged.log, newLog);
  await writeFileAtomic(
    damaged.ckp,
    checkpointFile({ sequence: 0, gen: damage.gen, length: newLog.length, records: kept ? damage.kept : 0 }),
  );
  await writeFileAtomic(out.reportFile, `${JSON.stringify(out, null, 2)}\n`);
  await fsyncDir(dir);
  return out;
}

/** The human-readable report `bin/es-sim repair` prints. */
export function formatRepairReport(r: RepairReport): string {
  const lines: string[] = [];
  if (r.repaired.length === 0) {
    lines.push(`es-sim repair: no damaged operation log under [${r.dataDir}] (${r.intact.length} indices checked); nothing changed.`);
    return `${lines.join("\n")}\n`;
  }
  for (const x of r.repaired) {
    lines.push(`index [${x.index}] (${x.uuid}): [${x.file}] damaged at byte ${x.offset}: ${x.reason}`);
    lines.push(`  kept ${x.keptRecords} intact records before the damage`);
    lines.push(
      `  lost: ${x.lostAcknowledgedRecords === null ? "an unknown number of" : x.lostAcknowledgedRecords} acknowledged records; bytes ${x.lostBytes.map((b) => `[${b.from}, ${b.to}) of ${b.file}`).join(", ") || "none"}`,
    );
    const ops = x.readableDropped.filter((d) => d.kind === "op");
    lines.push(`  readable among the dropped: ${x.readableDropped.length} records (${ops.length} operations)`);
    for (const d of ops.slice(0, 50)) lines.push(`    _seq_no ${d.seq_no} ${d.op} _id [${d.id}]`);
    if (ops.length > 50) lines.push(`    … ${ops.length - 50} more in the report file`);
    if (r.dryRun) lines.push("  dry run: nothing moved");
    else {
      for (const m of x.movedAside) lines.push(`  moved aside: ${m.from} -> ${m.to}`);
      lines.push(`  full report: ${x.reportFile}`);
    }
  }
  if (r.intact.length > 0) lines.push(`intact: [${r.intact.join(", ")}]`);
  return `${lines.join("\n")}\n`;
}
