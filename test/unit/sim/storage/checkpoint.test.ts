/**
 * The checkpoint beside each operation log: slot encoding (a torn slot falls back to the other
 * one), the start-up verdict for every shape of log against its checkpoint (table), full writes
 * that continue after a short write, and the durable storage writing a checkpoint per commit.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIndex } from "../../../../sim/engine/actions/indexAdmin";
import { indexDoc } from "../../../../sim/engine/actions/documents";
import { Cluster } from "../../../../sim/engine/cluster";
import {
  checkpointFile,
  checkpointSlotOffset,
  classifyLog,
  decodeCheckpoint,
  encodeCheckpointSlot,
  CHECKPOINT_FILE_BYTES,
  type Checkpoint,
  type LogScan,
} from "../../../../sim/storage/checkpoint";
import { DurableStorage, writeFully } from "../../../../sim/storage/durableStorage";
import { stubSearchLibrary } from "../../../helpers/sim";

describe("checkpoint slots", () => {
  test("round trip, newer sequence wins, a torn slot falls back to the other", () => {
    const a: Checkpoint = { sequence: 6, gen: 3, length: 1000, records: 9 };
    const b: Checkpoint = { sequence: 7, gen: 3, length: 1200, records: 11 };
    const file = checkpointFile(a);
    encodeCheckpointSlot(b).copy(file, checkpointSlotOffset(b.sequence));
    expect(file.length).toBe(CHECKPOINT_FILE_BYTES);
    expect(decodeCheckpoint(file, 3)).toEqual(b);
    const torn = Buffer.from(file);
    torn[checkpointSlotOffset(b.sequence) + 20] ^= 0xff;
    expect(decodeCheckpoint(torn, 3)).toEqual(a);
    expect(decodeCheckpoint(file, 4)).toBeUndefined(); // a checkpoint of another generation
    expect(decodeCheckpoint(Buffer.alloc(64), 3)).toBeUndefined();
  });
});

describe("classifyLog", () => {
  // frames end at 40, 80, 120; the header is 12 bytes
  const scan = (fileLength: number, goodLength: number, frameEnds: number[]): LogScan => ({ fileLength, goodLength, frameEnds });
  const ckp = (length: number, records: number): Checkpoint => ({ sequence: 1, gen: 1, length, records });
  test.each<[string, LogScan, Checkpoint | undefined, Partial<ReturnType<typeof classifyLog>>]>([
    ["intact, ends at the checkpoint", scan(120, 120, [40, 80, 120]), ckp(120, 3), { kind: "ok", records: 3, cutTo: 120, tornBytes: 0 }],
    [
      "torn write after the checkpoint: cut",
      scan(150, 120, [40, 80, 120]),
      ckp(120, 3),
      { kind: "ok", records: 3, cutTo: 120, tornBytes: 30 },
    ],
    [
      "whole unacknowledged frame after the checkpoint: cut",
      scan(160, 160, [40, 80, 120, 160]),
      ckp(120, 3),
      { kind: "ok", records: 3, cutTo: 120, tornBytes: 40 },
    ],
    [
      "bad record before the checkpoint",
      scan(120, 40, [40]),
      ckp(120, 3),
      { kind: "damaged", offset: 40, keepLength: 40, goodRecords: 1, lostRecords: 2 },
    ],
    [
      "file shorter than the checkpoint",
      scan(100, 80, [40, 80]),
      ckp(120, 3),
      { kind: "damaged", offset: 100, keepLength: 80, goodRecords: 2, lostRecords: 1 },
    ],
    ["file cut at a frame boundary", scan(80, 80, [40, 80]), ckp(120, 3), { kind: "damaged", offset: 80, lostRecords: 1 }],
    ["checkpoint inside a frame", scan(120, 120, [40, 80, 120]), ckp(100, 3), { kind: "damaged", offset: 80 }],
    ["header only", scan(12, 12, []), ckp(12, 0), { kind: "ok", records: 0, cutTo: 12, tornBytes: 0 }],
    ["no checkpoint, decodes completely (older es-sim)", scan(80, 80, [40, 80]), undefined, { kind: "ok", records: 2, cutTo: 80 }],
    [
      "no checkpoint and a bad record: cannot tell",
      scan(100, 80, [40, 80]),
      undefined,
      { kind: "damaged", offset: 80, lostRecords: undefined },
    ],
  ])("%s", (_what, s, c, expected) => {
    expect(classifyLog(s, c)).toMatchObject(expected);
  });
});

describe("writeFully", () => {
  /** A file handle whose writes take at most `max` bytes each, recording what landed where. */
  function shortWriter(max: number) {
    const landed = Buffer.alloc(64);
    const calls: number[] = [];
    const fd = {
      write: async (buf: Buffer, offset: number, length: number, position: number) => {
        const n = Math.min(max, length);
        buf.copy(landed, position, offset, offset + n);
        calls.push(n);
        return { bytesWritten: n, buffer: buf };
      },
    } as unknown as FileHandle;
    return { fd, landed, calls };
  }
  test("a short write is continued until every byte is written, at the right positions", async () => {
    const w = shortWriter(3);
    await writeFully(w.fd, Buffer.from("0123456789"), 5);
    expect(w.landed.subarray(5, 15).toString()).toBe("0123456789");
    expect(w.calls).toEqual([3, 3, 3, 1]);
  });
  test("a write that makes no progress fails instead of counting as done", async () => {
    const w = shortWriter(0);
    await expect(writeFully(w.fd, Buffer.from("abc"), 0)).rejects.toThrow(/short write: 0 of 3 bytes/);
  });
});

test("every commit advances the checkpoint to the log's length; a restart reads it back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "es-sim-ckp-"));
  try {
    const storage = await DurableStorage.open(dir);
    const cluster = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, startTimers: false });
    await createIndex(cluster, "i", {});
    const uuid = cluster.requireShard("i").uuid;
    for (let n = 0; n < 5; n++) await indexDoc(cluster, "i", String(n), { n }, {});
    const idxDir = join(dir, "indices", uuid);
    expect(readdirSync(idxDir).sort()).toEqual(["log-1.bin", "log-1.ckp", "snapshot.bin"]);
    const ckp = decodeCheckpoint(readFileSync(join(idxDir, "log-1.ckp")), 1)!;
    expect(ckp.length).toBe(statSync(join(idxDir, "log-1.bin")).size);
    expect(ckp.records).toBeGreaterThanOrEqual(5);
    await cluster.close();
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a write that finds no space left acknowledges nothing, keeps the records queued, and the next commit lands them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "es-sim-enospc-"));
  try {
    const fatal: unknown[] = [];
    const storage = await DurableStorage.open(dir, { onFatal: (e) => fatal.push(e) });
    const cluster = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, startTimers: false });
    await createIndex(cluster, "i", {});
    await indexDoc(cluster, "i", "kept", { n: 0 }, {});
    const log = (storage as unknown as { logs: Map<string, { fd: FileHandle }> }).logs.get(cluster.requireShard("i").uuid)!;
    const realFd = log.fd;
    const noSpace = Object.assign(Object.create(realFd) as FileHandle, {
      write: async () => {
        throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      },
      truncate: (len: number) => realFd.truncate(len),
    });
    log.fd = noSpace;
    await expect(indexDoc(cluster, "i", "refused", { n: 1 }, {})).rejects.toMatchObject({ status: 500, type: "i_o_exception" });
    expect(fatal).toEqual([]); // the node keeps running
    expect(cluster.requireShard("i").meta.settings["index.blocks.read_only_allow_delete"]).toBe("true");
    await expect(indexDoc(cluster, "i", "blocked", { n: 2 }, {})).rejects.toMatchObject({ status: 429 });
    // space again: the queued records (the refused write, the block) are written in order by the next commit
    log.fd = realFd;
    await cluster.commit();
    await cluster.close();
    await storage.close();
    const again = await DurableStorage.open(dir);
    // the monitor off: the real disk has room, and the monitor would release the block (tested elsewhere)
    const c2 = await Cluster.open({
      clusterName: "c",
      nodeName: "n",
      storage: again,
      search: stubSearchLibrary,
      startTimers: false,
      nodeSettings: { "cluster.routing.allocation.disk.threshold_enabled": "false" },
    });
    const shard = c2.requireShard("i");
    expect([shard.docs.has("kept"), shard.docs.has("refused"), shard.docs.has("blocked")]).toEqual([true, true, false]);
    expect(shard.meta.settings["index.blocks.read_only_allow_delete"]).toBe("true");
    await c2.close();
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
