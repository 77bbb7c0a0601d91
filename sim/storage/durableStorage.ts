/**
 * The durable `EngineStorage` of an es-sim process, on `path.data`:
 *
 *   node.lock                      pid of the owning process, diagnostics only (the lock: lock.ts)
 *   _state/cluster.json            cluster uuid, node id, persistent settings, index registry (atomic)
 *   indices/<uuid>/snapshot.bin    a complete image of the index (atomic, framed, versioned)
 *   indices/<uuid>/log-<gen>.bin   append-only operation log after that image (framed, CRC'd)
 *   indices/<uuid>/log-<gen>.ckp   its checkpoint: durable length and record count (checkpoint.ts)
 *
 * A commit writes the queued records at the checkpointed length (every byte asked for, or it
 * fails), fdatasyncs the log, then writes and fdatasyncs the checkpoint; only then is anything
 * acknowledged (ES's `index.translog.durability: request`, with `translog.ckp` written after the
 * translog sync). Group commit: every `commit()` that arrives while a flush is running shares the
 * next flush, so concurrent writers pay for one round of fsyncs, not one each.
 *
 * A failed write acknowledges nothing and loses nothing queued: the records stay queued in order
 * and the next commit writes them again from the checkpointed length. No space left on device is
 * `StorageFullError` (the engine answers with the flood-stage block and keeps serving); any other
 * I/O failure is reported to `onFatal`.
 *
 * On start-up bytes past a log's checkpoint (a torn final write, never acknowledged) are cut; damage
 * at or before it, or a log shorter than it, refuses start-up with `CorruptLogError` naming the file
 * and the byte offset — `es-sim repair` (repair.ts) then moves the file aside and reports the loss.
 */
import { mkdir, open, readdir, readFile, rm, stat, statfs, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import {
  StorageFullError,
  type ClusterStateRecord,
  type DiskUsage,
  type EngineStorage,
  type IndexSnapshot,
  type LoadedIndex,
  type LogRecord,
} from "../engine/storage";
import { fsyncDir, writeFileAtomic } from "./atomicFile";
import { checkpointFile, checkpointSlotOffset, classifyLog, decodeCheckpoint, encodeCheckpointSlot } from "./checkpoint";
import {
  DataFormatError,
  decodeFile,
  encodeFrame,
  fileHeader,
  FILE_HEADER_BYTES,
  FORMAT_VERSION,
  LOG_MAGIC,
  SNAPSHOT_MAGIC,
} from "./frame";
import { acquireNodeLock, LOCK_FILE } from "./lock";

/** `format` marker of `_state/cluster.json`. */
export const CLUSTER_STATE_FORMAT = "es-sim-cluster-state";
/**
 * Docs/history entries per snapshot frame (a reader takes any number): ~0.5 MB of ~1 KB documents,
 * a few ms of encoding, the unit a flush pauses between.
 */
const SNAPSHOT_CHUNK = 500;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type WriterAction = { kind: "data"; buf: Buffer } | { kind: "rotate"; gen: number };

/** Start-up found acknowledged records of a log damaged or missing (see checkpoint.ts). */
export class CorruptLogError extends DataFormatError {
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly detail: string,
    dataDir: string,
  ) {
    super(
      `operation log [${path}] is corrupt at byte ${offset}: ${detail}; acknowledged records may be lost, so es-sim refuses to start. ` +
        `Run [bin/es-sim repair -E path.data=${dataDir}] (with es-sim stopped) to move the damaged file aside and report what was lost`,
    );
  }
}

/** Paths of a log generation and its checkpoint. */
export function logPaths(dir: string, gen: number): { log: string; ckp: string } {
  return { log: join(dir, `log-${gen}.bin`), ckp: join(dir, `log-${gen}.ckp`) };
}

/** Whether an I/O error means the file system is full. */
export function isNoSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

function asStorageError(e: unknown, path: string): unknown {
  return isNoSpace(e) && !(e instanceof StorageFullError) ? new StorageFullError(path, e) : e;
}

/**
 * Writes all of `buf` at `position`: a write that returns fewer bytes than asked is continued, one
 * that makes no progress fails — a short write is never taken for a complete one.
 */
export async function writeFully(fd: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fd.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error(`short write: 0 of ${buf.length - done} bytes written`), { code: "EIO" });
    done += bytesWritten;
  }
}

/** The open log of one index. */
class IndexLog {
  /** Queued records and rotations, written in order; removed only once durable. */
  actions: WriterAction[] = [];
  /** Bytes appended since the last snapshot (translog size). */
  bytesSinceSnapshot = 0;
  /** Generation the next rotation creates. */
  nextGen: number;
  /** Set when the index is deleted: a flush still running for it has nothing left to make durable. */
  deleted = false;

  constructor(
    readonly dir: string,
    public gen: number,
    public fd: FileHandle,
    public ckpFd: FileHandle,
    /** Checkpointed (durable, acknowledged) length and record count of the current generation. */
    public durable: { length: number; records: number; sequence: number },
  ) {
    this.nextGen = gen + 1;
  }
}

/** Options of `DurableStorage.open`. */
export interface DurableStorageOptions {
  /** Called when a write or fsync fails for a reason other than a full disk: the process cannot keep serving safely. */
  onFatal?: (error: unknown) => void;
  /** Diagnostics (a torn tail cut at start-up). */
  log?: (line: string) => void;
}

/** The durable storage; `open()` takes the node lock. */
export class DurableStorage implements EngineStorage {
  private readonly logs = new Map<string, IndexLog>();
  private running: Promise<void> | null = null;
  private queued: Deferred | null = null;
  private closed = false;

  private constructor(
    readonly dataDir: string,
    private readonly releaseLock: () => void,
    private readonly options: DurableStorageOptions,
  ) {}

  /**
   * Opens `dataDir` (created if missing), takes `node.lock`, and checks the directory is an es-sim
   * data dir (empty, or holding `_state/cluster.json` of a known format).
   */
  static async open(dataDir: string, options: DurableStorageOptions = {}): Promise<DurableStorage> {
    await mkdir(dataDir, { recursive: true });
    const release = await acquireNodeLock(dataDir);
    try {
      const storage = new DurableStorage(dataDir, release, options);
      await storage.checkDataDir();
      return storage;
    } catch (e) {
      release();
      throw e;
    }
  }

  private get statePath(): string {
    return join(this.dataDir, "_state", "cluster.json");
  }

  private indexDir(uuid: string): string {
    return join(this.dataDir, "indices", uuid);
  }

  private async checkDataDir(): Promise<void> {
    const entries = (await readdir(this.dataDir)).filter((e) => e !== LOCK_FILE && !e.startsWith("."));
    if (entries.length === 0) return;
    const hasState = await stat(this.statePath).then(
      () => true,
      () => false,
    );
    if (!hasState) {
      throw new DataFormatError(
        `path.data [${this.dataDir}] is not an es-sim data directory: it holds [${entries.sort().join(", ")}] but no [_state/cluster.json]; use an empty directory`,
      );
    }
    const unexpected = entries.filter((e) => e !== "_state" && e !== "indices");
    if (unexpected.length > 0) {
      throw new DataFormatError(`path.data [${this.dataDir}] holds files es-sim did not write: [${unexpected.sort().join(", ")}]`);
    }
  }

  async load(): Promise<{ cluster: ClusterStateRecord | null; indices: Map<string, LoadedIndex> }> {
    const indices = new Map<string, LoadedIndex>();
    let text: string;
    try {
      text = await readFile(this.statePath, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { cluster: null, indices };
      throw e;
    }
    let parsed: { format?: string; version?: number } & Partial<ClusterStateRecord>;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DataFormatError(`[${this.statePath}] is corrupt (not JSON)`);
    }
    if (parsed.format !== CLUSTER_STATE_FORMAT) throw new DataFormatError(`[${this.statePath}] is not an es-sim cluster state file`);
    if (parsed.version !== FORMAT_VERSION) {
      throw new DataFormatError(
        `[${this.statePath}] has format version [${parsed.version}]; this es-sim reads version [${FORMAT_VERSION}]`,
      );
    }
    const cluster: ClusterStateRecord = {
      clusterUuid: parsed.clusterUuid!,
      nodeId: parsed.nodeId!,
      persistent: parsed.persistent ?? {},
      indices: parsed.indices ?? [],
      custom: parsed.custom ?? {},
    };
    const dirs = await readdir(join(this.dataDir, "indices")).catch(() => [] as string[]);
    for (const uuid of dirs) {
      const listed = cluster.indices.some((i) => i.uuid === uuid);
      if (!listed) {
        indices.set(uuid, { snapshot: undefined as unknown as IndexSnapshot, records: [] }); // orphan: the engine deletes it
        continue;
      }
      indices.set(uuid, await this.loadIndex(uuid));
    }
    return { cluster, indices };
  }

  private async loadIndex(uuid: string): Promise<LoadedIndex> {
    const dir = this.indexDir(uuid);
    const snapPath = join(dir, "snapshot.bin");
    const snapBuf = await readFile(snapPath).catch((e: NodeJS.ErrnoException) => {
      throw new DataFormatError(`index [${uuid}] has no readable snapshot [${snapPath}]: ${e.code ?? e.message}`);
    });
    const decoded = decodeFile(snapBuf, SNAPSHOT_MAGIC, snapPath);
    const snapshot = assembleSnapshot(decoded.values, snapPath);
    if (decoded.torn) throw new DataFormatError(`[${snapPath}] is corrupt (bad record at byte ${decoded.goodLength})`);
    const gens = logGenerations(await readdir(dir), snapshot.logGen);
    for (let i = 1; i < gens.length; i++) {
      if (gens[i] !== gens[i - 1]! + 1) {
        const missing = logPaths(dir, gens[i - 1]! + 1).log;
        throw new CorruptLogError(missing, 0, "the log generation is missing between its neighbours", this.dataDir);
      }
    }
    const records: LogRecord[] = [];
    let last: { gen: number; length: number; records: number; sequence: number } | undefined;
    for (let i = 0; i < gens.length; i++) {
      const gen = gens[i]!;
      const newest = i === gens.length - 1;
      const paths = logPaths(dir, gen);
      const buf = await readFile(paths.log).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return undefined;
        throw e;
      });
      const ckpBuf = await readFile(paths.ckp).catch(() => undefined);
      const ckp = ckpBuf ? decodeCheckpoint(ckpBuf, gen) : undefined;
      if (buf === undefined) {
        if (ckp && ckp.records > 0)
          throw new CorruptLogError(
            paths.log,
            0,
            `the file is missing but its checkpoint lists ${ckp.records} acknowledged records`,
            this.dataDir,
          );
        await rm(paths.ckp, { force: true });
        continue;
      }
      if (newest && !ckp && buf.length < FILE_HEADER_BYTES) {
        // created by a rotation whose header and checkpoint never made it to disk: nothing was written to it
        await rm(paths.log);
        await rm(paths.ckp, { force: true });
        continue;
      }
      let d: ReturnType<typeof decodeFile>;
      try {
        d = decodeFile(buf, LOG_MAGIC, paths.log);
      } catch (e) {
        throw new CorruptLogError(paths.log, 0, (e as Error).message, this.dataDir);
      }
      const verdict = classifyLog({ fileLength: buf.length, goodLength: d.goodLength, frameEnds: d.frameEnds }, ckp);
      if (verdict.kind === "damaged") throw new CorruptLogError(paths.log, verdict.offset, verdict.reason, this.dataDir);
      if (verdict.tornBytes > 0) {
        this.options.log?.(
          `[es-sim] [${paths.log}]: cut ${verdict.tornBytes} bytes after the checkpointed length ${verdict.cutTo} (a write torn by a crash, never acknowledged)`,
        );
        await truncate(paths.log, verdict.cutTo);
      }
      for (let r = 0; r < verdict.records; r++) records.push(d.values[r] as LogRecord);
      if (!ckp) await this.writeNewCheckpoint(paths.ckp, gen, verdict.cutTo, verdict.records, 0);
      last = { gen, length: verdict.cutTo, records: verdict.records, sequence: ckp?.sequence ?? 0 };
    }
    if (!last) {
      const gen = gens.length > 0 ? gens[gens.length - 1]! : snapshot.logGen;
      await this.createLogGeneration(dir, gen);
      last = { gen, length: FILE_HEADER_BYTES, records: 0, sequence: 0 };
    }
    const paths = logPaths(dir, last.gen);
    const fd = await open(paths.log, "r+");
    const ckpFd = await open(paths.ckp, "r+");
    const log = new IndexLog(dir, last.gen, fd, ckpFd, { length: last.length, records: last.records, sequence: last.sequence });
    log.bytesSinceSnapshot = records.length === 0 ? 0 : last.length;
    this.logs.set(uuid, log);
    return { snapshot: snapshot.snapshot, records };
  }

  /** Writes a checkpoint file from scratch (new generation, or a log of an older es-sim that had none). */
  private async writeNewCheckpoint(path: string, gen: number, length: number, records: number, sequence: number): Promise<void> {
    const fd = await open(path, "w");
    try {
      await writeFully(fd, checkpointFile({ sequence, gen, length, records }), 0);
      await fd.sync();
    } finally {
      await fd.close();
    }
  }

  /** Creates `log-<gen>.bin` (header only) and its checkpoint, durably (files and directory entry). */
  private async createLogGeneration(dir: string, gen: number): Promise<void> {
    const paths = logPaths(dir, gen);
    const fd = await open(paths.log, "w");
    try {
      await writeFully(fd, fileHeader(LOG_MAGIC), 0);
      await fd.sync();
    } finally {
      await fd.close();
    }
    await this.writeNewCheckpoint(paths.ckp, gen, FILE_HEADER_BYTES, 0, 0);
    await fsyncDir(dir);
  }

  async saveClusterState(state: ClusterStateRecord): Promise<void> {
    try {
      await mkdir(join(this.dataDir, "_state"), { recursive: true });
      await writeFileAtomic(this.statePath, JSON.stringify({ format: CLUSTER_STATE_FORMAT, version: FORMAT_VERSION, ...state }));
    } catch (e) {
      throw asStorageError(e, this.statePath);
    }
  }

  async createIndex(uuid: string, snapshot: IndexSnapshot): Promise<void> {
    const dir = this.indexDir(uuid);
    try {
      await mkdir(dir, { recursive: true });
      await fsyncDir(join(this.dataDir, "indices"));
      await writeFileAtomic(join(dir, "snapshot.bin"), encodeSnapshot(snapshot, 1));
      await this.createLogGeneration(dir, 1);
    } catch (e) {
      // the index is registered only after this succeeds: leave no half-created directory behind
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw asStorageError(e, dir);
    }
    const paths = logPaths(dir, 1);
    const fd = await open(paths.log, "r+");
    const ckpFd = await open(paths.ckp, "r+");
    this.logs.set(uuid, new IndexLog(dir, 1, fd, ckpFd, { length: FILE_HEADER_BYTES, records: 0, sequence: 0 }));
  }

  async deleteIndex(uuid: string): Promise<void> {
    const log = this.logs.get(uuid);
    this.logs.delete(uuid);
    if (log) {
      log.deleted = true;
      await log.fd.close().catch(() => undefined);
      await log.ckpFd.close().catch(() => undefined);
    }
    await rm(this.indexDir(uuid), { recursive: true, force: true });
  }

  append(uuid: string, record: LogRecord): void {
    const log = this.logs.get(uuid);
    if (!log) return; // index deleted concurrently; nothing to make durable
    const buf = encodeFrame(record);
    log.actions.push({ kind: "data", buf });
    log.bytesSinceSnapshot += buf.length;
  }

  private hasPending(): boolean {
    for (const l of this.logs.values()) if (l.actions.length > 0) return true;
    return false;
  }

  commit(): Promise<void> {
    if (!this.hasPending()) return this.running ?? Promise.resolve();
    if (!this.running) return this.startFlush();
    if (!this.queued) this.queued = deferred();
    return this.queued.promise;
  }

  private startFlush(): Promise<void> {
    const p = this.flushAll().then(
      () => this.afterFlush(),
      (e) => {
        this.afterFlush();
        if (!(e instanceof StorageFullError)) this.options.onFatal?.(e);
        throw e;
      },
    );
    this.running = p;
    return p;
  }

  private afterFlush(): void {
    this.running = null;
    const q = this.queued;
    if (q) {
      this.queued = null;
      this.startFlush().then(q.resolve, q.reject);
    }
  }

  /** Writes every index's queued actions in order; each index's log is fsynced, then its checkpoint. */
  private async flushAll(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const log of this.logs.values()) {
      if (log.actions.length > 0) work.push(this.flushLog(log, log.actions.length));
    }
    const results = await Promise.allSettled(work);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /**
   * Makes the first `count` queued actions of `log` durable; each is removed from the queue only
   * once its bytes and the checkpoint covering them are fsynced. On failure the rest stay queued
   * and the file is cut back to the checkpoint (best effort: the checkpoint decides anyway).
   */
  private async flushLog(log: IndexLog, count: number): Promise<void> {
    let done = 0;
    try {
      while (done < count) {
        const action = log.actions[0]!;
        if (action.kind === "rotate") {
          await this.rotate(log, action.gen);
          log.actions.shift();
          done++;
          continue;
        }
        let n = 0;
        while (done + n < count && log.actions[n]!.kind === "data") n++;
        const bufs = log.actions.slice(0, n).map((a) => (a as { buf: Buffer }).buf);
        const buf = bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
        await writeFully(log.fd, buf, log.durable.length);
        await log.fd.datasync();
        await this.writeCheckpoint(log, log.durable.length + buf.length, log.durable.records + n);
        log.actions.splice(0, n);
        done += n;
      }
    } catch (e) {
      if (log.deleted) return; // its files were closed and removed under the flush
      await log.fd.truncate(log.durable.length).catch(() => undefined);
      throw asStorageError(e, logPaths(log.dir, log.gen).log);
    }
  }

  /** Overwrites the older checkpoint slot in place and fsyncs it; then the new length counts as acknowledged. */
  private async writeCheckpoint(log: IndexLog, length: number, records: number): Promise<void> {
    const next = { sequence: log.durable.sequence + 1, gen: log.gen, length, records };
    await writeFully(log.ckpFd, encodeCheckpointSlot(next), checkpointSlotOffset(next.sequence));
    await log.ckpFd.datasync();
    log.durable = { length, records, sequence: next.sequence };
  }

  /** Starts generation `gen`: everything before it is durable (checkpointed) already. */
  private async rotate(log: IndexLog, gen: number): Promise<void> {
    await this.createLogGeneration(log.dir, gen);
    const paths = logPaths(log.dir, gen);
    const fd = await open(paths.log, "r+");
    const ckpFd = await open(paths.ckp, "r+");
    await log.fd.close().catch(() => undefined);
    await log.ckpFd.close().catch(() => undefined);
    log.fd = fd;
    log.ckpFd = ckpFd;
    log.gen = gen;
    log.durable = { length: FILE_HEADER_BYTES, records: 0, sequence: 0 };
  }

  async snapshot(uuid: string, snapshot: IndexSnapshot): Promise<void> {
    const log = this.logs.get(uuid);
    if (!log) return;
    const gen = log.nextGen++;
    // The image is of the shard at the log position where the rotation is queued: its content is
    // fixed now (the version map's entries are replaced on a write, never changed, and the caller's
    // `docs` is a copy; the history array is copied here), and it is encoded frame by frame with a
    // pause between frames, so that a flush of a large index does not hold the node's one thread
    // (ES writes a commit on a flush thread while indexing and searches go on). Until the new
    // snapshot is in place, the previous one and every log generation since stay on disk.
    const fixed: IndexSnapshot = { ...snapshot, history: snapshot.history.slice() };
    log.actions.push({ kind: "rotate", gen });
    log.bytesSinceSnapshot = 0;
    const image = await encodeSnapshotInSlices(fixed, gen);
    if (!this.logs.has(uuid)) return;
    await this.commit();
    if (!this.logs.has(uuid)) return;
    const snapPath = join(log.dir, "snapshot.bin");
    await writeFileAtomic(snapPath, image).catch((e) => {
      throw asStorageError(e, snapPath);
    });
    for (const f of await readdir(log.dir)) {
      const m = /^log-(\d+)\.(bin|ckp)$/.exec(f);
      if (m && Number(m[1]) < gen) await rm(join(log.dir, f), { force: true });
    }
  }

  async diskUsage(): Promise<DiskUsage | undefined> {
    try {
      const s = await statfs(this.dataDir);
      return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    } catch {
      return undefined;
    }
  }

  logBytes(uuid: string): number {
    return this.logs.get(uuid)?.bytesSinceSnapshot ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.commit();
      await this.running;
    } catch (e) {
      // with no space left what is still queued was never acknowledged: it is dropped, as a kill would
      if (!(e instanceof StorageFullError)) throw e;
      this.options.log?.(`[es-sim] closing with unwritten, unacknowledged records: ${e.message}`);
    } finally {
      for (const log of this.logs.values()) {
        await log.fd.close().catch(() => undefined);
        await log.ckpFd.close().catch(() => undefined);
      }
      this.logs.clear();
      this.releaseLock();
    }
  }
}

/** Log generations in a directory listing (logs and orphan checkpoints) at or after `from`, ascending. */
export function logGenerations(files: string[], from: number): number[] {
  const gens = new Set<number>();
  for (const f of files) {
    const m = /^log-(\d+)\.(bin|ckp)$/.exec(f);
    if (m && Number(m[1]) >= from) gens.add(Number(m[1]));
  }
  return [...gens].sort((a, b) => a - b);
}

/** Longest run of snapshot encoding before other work on the node gets a turn (ms). */
const SNAPSHOT_SLICE_MS = 10;

/** {@link encodeSnapshot}'s frames, encoded with a pause (`setImmediate`) whenever a slice of SNAPSHOT_SLICE_MS is used up. */
async function encodeSnapshotInSlices(s: IndexSnapshot, logGen: number): Promise<Buffer[]> {
  const parts: Buffer[] = [fileHeader(SNAPSHOT_MAGIC), snapshotHeaderFrame(s, logGen)];
  let sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
  const frame = async (value: unknown) => {
    parts.push(encodeFrame(value));
    if (performance.now() < sliceEnd) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
  };
  for (let i = 0; i < s.docs.length; i += SNAPSHOT_CHUNK) await frame({ t: "docs", docs: s.docs.slice(i, i + SNAPSHOT_CHUNK) });
  for (let i = 0; i < s.history.length; i += SNAPSHOT_CHUNK) await frame({ t: "history", ops: s.history.slice(i, i + SNAPSHOT_CHUNK) });
  parts.push(encodeFrame({ t: "end", docs: s.docs.length, history: s.history.length }));
  return parts;
}

function snapshotHeaderFrame(s: IndexSnapshot, logGen: number): Buffer {
  return encodeFrame({
    t: "header",
    logGen,
    meta: s.meta,
    leases: s.leases,
    maxSeqNo: s.maxSeqNo,
    localCheckpoint: s.localCheckpoint,
    processedAbove: s.processedAbove,
  });
}

/** Snapshot file: header frame, docs chunks, history chunks, end frame (with counts to verify). */
function encodeSnapshot(s: IndexSnapshot, logGen: number): Buffer {
  const parts: Buffer[] = [fileHeader(SNAPSHOT_MAGIC), snapshotHeaderFrame(s, logGen)];
  for (let i = 0; i < s.docs.length; i += SNAPSHOT_CHUNK) parts.push(encodeFrame({ t: "docs", docs: s.docs.slice(i, i + SNAPSHOT_CHUNK) }));
  for (let i = 0; i < s.history.length; i += SNAPSHOT_CHUNK)
    parts.push(encodeFrame({ t: "history", ops: s.history.slice(i, i + SNAPSHOT_CHUNK) }));
  parts.push(encodeFrame({ t: "end", docs: s.docs.length, history: s.history.length }));
  return Buffer.concat(parts);
}

function assembleSnapshot(values: unknown[], path: string): { snapshot: IndexSnapshot; logGen: number } {
  const header = values[0] as (Omit<IndexSnapshot, "docs" | "history"> & { t: string; logGen: number }) | undefined;
  const end = values[values.length - 1] as { t: string; docs: number; history: number } | undefined;
  if (!header || header.t !== "header" || !end || end.t !== "end") throw new DataFormatError(`[${path}] is corrupt (incomplete snapshot)`);
  const docs: IndexSnapshot["docs"] = [];
  const history: IndexSnapshot["history"] = [];
  for (const v of values.slice(1, -1) as Array<{ t: string; docs?: IndexSnapshot["docs"]; ops?: IndexSnapshot["history"] }>) {
    if (v.t === "docs") for (const d of v.docs!) docs.push(d);
    else if (v.t === "history") for (const o of v.ops!) history.push(o);
    else throw new DataFormatError(`[${path}] is corrupt (unknown record [${v.t}])`);
  }
  if (docs.length !== end.docs || history.length !== end.history)
    throw new DataFormatError(`[${path}] is corrupt (record counts do not match)`);
  return {
    logGen: header.logGen,
    snapshot: {
      meta: header.meta,
      leases: header.leases,
      maxSeqNo: header.maxSeqNo,
      localCheckpoint: header.localCheckpoint,
      processedAbove: header.processedAbove,
      docs,
      history,
    },
  };
}
