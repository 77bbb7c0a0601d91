/**
 * The durable `EngineStorage` of an es-sim process, on `path.data`:
 *
 *   node.lock                      pid of the owning process, diagnostics only (the lock: lock.ts)
 *   _state/cluster.json            cluster uuid, node id, persistent settings, index registry (atomic)
 *   indices/<uuid>/snapshot.bin    a complete image of the index (atomic, framed, versioned)
 *   indices/<uuid>/log-<gen>.bin   append-only operation log after that image (framed, CRC'd)
 *
 * Writes are acknowledged only after `fdatasync` (ES's `index.translog.durability: request`).
 * Group commit: every `commit()` that arrives while a flush is running shares the next flush, so
 * concurrent writers pay for one fsync per round, not one each. On start-up a torn log tail (crash
 * mid-write) is truncated to the last good record; anything else unreadable is a clear error.
 */
import { mkdir, open, readdir, readFile, rm, stat, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterStateRecord, EngineStorage, IndexSnapshot, LoadedIndex, LogRecord } from "../engine/storage";
import { fsyncDir, writeFileAtomic } from "./atomicFile";
import { DataFormatError, decodeFile, encodeFrame, fileHeader, FORMAT_VERSION, LOG_MAGIC, SNAPSHOT_MAGIC } from "./frame";
import { acquireNodeLock, LOCK_FILE } from "./lock";

/** `format` marker of `_state/cluster.json`. */
export const CLUSTER_STATE_FORMAT = "es-sim-cluster-state";
/** Docs/history entries per snapshot frame. */
const SNAPSHOT_CHUNK = 2000;

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

/** The open log of one index. */
class IndexLog {
  actions: WriterAction[] = [];
  /** Bytes appended since the last snapshot (translog size). */
  bytesSinceSnapshot = 0;
  /** Generation the next rotation creates. */
  nextGen: number;

  constructor(
    readonly dir: string,
    public gen: number,
    public fd: FileHandle,
  ) {
    this.nextGen = gen + 1;
  }
}

/** Options of `DurableStorage.open`. */
export interface DurableStorageOptions {
  /** Called when a write or fsync fails: the process cannot keep serving safely. */
  onFatal?: (error: unknown) => void;
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
    const gens = (await readdir(dir))
      .map((f) => /^log-(\d+)\.bin$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .filter((g) => g >= snapshot.logGen)
      .sort((a, b) => a - b);
    const records: LogRecord[] = [];
    let lastGen = snapshot.logGen;
    for (let i = 0; i < gens.length; i++) {
      const gen = gens[i]!;
      const path = join(dir, `log-${gen}.bin`);
      const buf = await readFile(path);
      if (buf.length === 0 && i === gens.length - 1) {
        await rm(path); // created but its header never made it to disk
        continue;
      }
      const d = decodeFile(buf, LOG_MAGIC, path);
      if (d.torn) {
        if (i !== gens.length - 1)
          throw new DataFormatError(`[${path}] is corrupt (bad record at byte ${d.goodLength}) and is not the newest log`);
        await truncate(path, d.goodLength); // torn tail of the newest log: cut to the last good record
      }
      for (const v of d.values) records.push(v as LogRecord);
      lastGen = gen;
    }
    const logPath = join(dir, `log-${lastGen}.bin`);
    const exists = await stat(logPath).then(
      () => true,
      () => false,
    );
    const fd = await open(logPath, "a");
    if (!exists) {
      await fd.write(fileHeader(LOG_MAGIC));
      await fd.sync();
      await fsyncDir(dir);
    }
    const log = new IndexLog(dir, lastGen, fd);
    log.bytesSinceSnapshot = records.length === 0 ? 0 : (await fd.stat()).size;
    this.logs.set(uuid, log);
    return { snapshot: snapshot.snapshot, records };
  }

  async saveClusterState(state: ClusterStateRecord): Promise<void> {
    await mkdir(join(this.dataDir, "_state"), { recursive: true });
    await writeFileAtomic(this.statePath, JSON.stringify({ format: CLUSTER_STATE_FORMAT, version: FORMAT_VERSION, ...state }));
  }

  async createIndex(uuid: string, snapshot: IndexSnapshot): Promise<void> {
    const dir = this.indexDir(uuid);
    await mkdir(dir, { recursive: true });
    await fsyncDir(join(this.dataDir, "indices"));
    await writeFileAtomic(join(dir, "snapshot.bin"), encodeSnapshot(snapshot, 1));
    const fd = await open(join(dir, "log-1.bin"), "a");
    await fd.write(fileHeader(LOG_MAGIC));
    await fd.sync();
    await fsyncDir(dir);
    this.logs.set(uuid, new IndexLog(dir, 1, fd));
  }

  async deleteIndex(uuid: string): Promise<void> {
    const log = this.logs.get(uuid);
    this.logs.delete(uuid);
    if (log) await log.fd.close().catch(() => undefined);
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
        this.options.onFatal?.(e);
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

  /** Writes every index's pending actions in order and fdatasyncs each touched log. */
  private async flushAll(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const log of this.logs.values()) {
      if (log.actions.length === 0) continue;
      const actions = log.actions;
      log.actions = [];
      work.push(this.flushLog(log, actions));
    }
    await Promise.all(work);
  }

  private async flushLog(log: IndexLog, actions: WriterAction[]): Promise<void> {
    let batch: Buffer[] = [];
    const writeBatch = async () => {
      if (batch.length === 0) return;
      const buf = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
      batch = [];
      await log.fd.write(buf);
    };
    for (const a of actions) {
      if (a.kind === "data") {
        batch.push(a.buf);
        continue;
      }
      // rotation: everything before it must be durable before the new generation exists
      await writeBatch();
      await log.fd.datasync();
      await log.fd.close();
      const fd = await open(join(log.dir, `log-${a.gen}.bin`), "a");
      await fd.write(fileHeader(LOG_MAGIC));
      log.fd = fd;
      log.gen = a.gen;
      await fsyncDir(log.dir);
    }
    await writeBatch();
    await log.fd.datasync();
  }

  async snapshot(uuid: string, snapshot: IndexSnapshot): Promise<void> {
    const log = this.logs.get(uuid);
    if (!log) return;
    const gen = log.nextGen++;
    // serialised now, so the image matches the log position where the rotation is queued
    const image = encodeSnapshot(snapshot, gen);
    log.actions.push({ kind: "rotate", gen });
    log.bytesSinceSnapshot = 0;
    await this.commit();
    if (!this.logs.has(uuid)) return;
    await writeFileAtomic(join(log.dir, "snapshot.bin"), image);
    for (const f of await readdir(log.dir)) {
      const m = /^log-(\d+)\.bin$/.exec(f);
      if (m && Number(m[1]) < gen) await rm(join(log.dir, f), { force: true });
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
    } finally {
      for (const log of this.logs.values()) await log.fd.close().catch(() => undefined);
      this.logs.clear();
      this.releaseLock();
    }
  }
}

/** Snapshot file: header frame, docs chunks, history chunks, end frame (with counts to verify). */
function encodeSnapshot(s: IndexSnapshot, logGen: number): Buffer {
  const parts: Buffer[] = [fileHeader(SNAPSHOT_MAGIC)];
  parts.push(
    encodeFrame({
      t: "header",
      logGen,
      meta: s.meta,
      leases: s.leases,
      maxSeqNo: s.maxSeqNo,
      localCheckpoint: s.localCheckpoint,
      processedAbove: s.processedAbove,
    }),
  );
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
