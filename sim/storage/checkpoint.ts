/**
 * The checkpoint beside each operation log (`log-<gen>.ckp` next to `log-<gen>.bin`), as ES keeps
 * `translog.ckp` beside its translog: the length of the log that is known to be on disk and the
 * number of records in it. A write is acknowledged only after its bytes are fsynced AND the
 * checkpoint covering them is fsynced, so at start-up:
 *
 *   - bytes after the checkpointed length are a torn final write, never acknowledged: cut;
 *   - a bad record at or before the checkpointed length, or a file shorter than it, means
 *     acknowledged records are damaged or gone: refuse to start, name the file and the offset.
 *
 * The file has two fixed 32-byte slots written alternately in place (no new blocks are allocated,
 * so updating it cannot fail for lack of space once created); a slot torn by a crash fails its CRC
 * and the other slot, one commit older, is used — that older commit was never acknowledged beyond.
 *
 *   slot = magic "ESSIMCKP" · sequence u32 · generation u32 · length u64 · records u32 · CRC-32 u32
 */
import { crc32 } from "node:zlib";

export const CHECKPOINT_MAGIC = "ESSIMCKP";
export const CHECKPOINT_SLOT_BYTES = 32;
export const CHECKPOINT_FILE_BYTES = 2 * CHECKPOINT_SLOT_BYTES;

/** What a checkpoint says about its log. */
export interface Checkpoint {
  /** Increases with every write; picks the newer slot. */
  sequence: number;
  /** Generation of the log it describes. */
  gen: number;
  /** Durable length of the log, header included. */
  length: number;
  /** Records in the first `length` bytes. */
  records: number;
}

/** One slot's bytes. */
export function encodeCheckpointSlot(c: Checkpoint): Buffer {
  const b = Buffer.alloc(CHECKPOINT_SLOT_BYTES);
  b.write(CHECKPOINT_MAGIC, 0, 8, "latin1");
  b.writeUInt32LE(c.sequence >>> 0, 8);
  b.writeUInt32LE(c.gen, 12);
  b.writeBigUInt64LE(BigInt(c.length), 16);
  b.writeUInt32LE(c.records, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

/** Byte position of the slot a checkpoint with this sequence is written to. */
export function checkpointSlotOffset(sequence: number): number {
  return (sequence % 2) * CHECKPOINT_SLOT_BYTES;
}

function decodeSlot(b: Buffer, gen: number): Checkpoint | undefined {
  if (b.length < CHECKPOINT_SLOT_BYTES || b.toString("latin1", 0, 8) !== CHECKPOINT_MAGIC) return undefined;
  if (crc32(b.subarray(0, 28)) !== b.readUInt32LE(28)) return undefined;
  const c = { sequence: b.readUInt32LE(8), gen: b.readUInt32LE(12), length: Number(b.readBigUInt64LE(16)), records: b.readUInt32LE(24) };
  return c.gen === gen ? c : undefined;
}

/** The newest valid slot of a checkpoint file for log generation `gen`, or undefined if none is valid. */
export function decodeCheckpoint(buf: Buffer, gen: number): Checkpoint | undefined {
  const a = decodeSlot(buf.subarray(0, CHECKPOINT_SLOT_BYTES), gen);
  const b = decodeSlot(buf.subarray(CHECKPOINT_SLOT_BYTES, CHECKPOINT_FILE_BYTES), gen);
  if (a && b) return a.sequence >= b.sequence ? a : b;
  return a ?? b;
}

/** A full checkpoint file holding `c` in its slot (the other slot empty). */
export function checkpointFile(c: Checkpoint): Buffer {
  const file = Buffer.alloc(CHECKPOINT_FILE_BYTES);
  encodeCheckpointSlot(c).copy(file, checkpointSlotOffset(c.sequence));
  return file;
}

/** What decoding a log found (see `decodeFile` in frame.ts). */
export interface LogScan {
  /** File length on disk. */
  fileLength: number;
  /** End of the last frame that decoded (header included). */
  goodLength: number;
  /** Frames that decoded, in order, with where each ends. */
  frameEnds: number[];
}

/** What start-up does with one log. */
export type LogVerdict =
  /** Everything up to the checkpoint is intact; `cutTo` < fileLength means a torn, unacknowledged tail is cut. */
  | { kind: "ok"; records: number; cutTo: number; tornBytes: number }
  /** Acknowledged records are damaged or missing: refuse to start. */
  | {
      kind: "damaged";
      /** Where the damage is (the first bad byte, or the end of a file shorter than its checkpoint). */
      offset: number;
      reason: string;
      /** End of the intact records before the damage. */
      keepLength: number;
      goodRecords: number;
      lostRecords: number | undefined;
    };

/**
 * Classifies one log against its checkpoint. `checkpoint` undefined means the checkpoint file is
 * missing or unreadable: then only a log with no bytes past its header-and-frames, i.e. one that
 * decodes completely, is trusted (a log of an older es-sim, or one created just before a crash);
 * anything else cannot be told apart from lost acknowledged records.
 */
export function classifyLog(scan: LogScan, checkpoint: Checkpoint | undefined): LogVerdict {
  if (!checkpoint) {
    if (scan.goodLength === scan.fileLength) return { kind: "ok", records: scan.frameEnds.length, cutTo: scan.fileLength, tornBytes: 0 };
    return {
      kind: "damaged",
      offset: scan.goodLength,
      reason: "bad record and no readable checkpoint to tell a torn final write from lost acknowledged records",
      keepLength: scan.goodLength,
      goodRecords: scan.frameEnds.length,
      lostRecords: undefined,
    };
  }
  const within = scan.frameEnds.filter((e) => e <= checkpoint.length);
  const endOfGood = within.length > 0 ? within[within.length - 1]! : Math.min(scan.goodLength, checkpoint.length);
  if (scan.fileLength < checkpoint.length) {
    return {
      kind: "damaged",
      offset: scan.fileLength,
      reason: `file is ${scan.fileLength} bytes but its checkpoint says ${checkpoint.length} bytes (${checkpoint.records} records) were acknowledged`,
      keepLength: endOfGood,
      goodRecords: within.length,
      lostRecords: checkpoint.records - within.length,
    };
  }
  if (endOfGood !== checkpoint.length || within.length !== checkpoint.records) {
    return {
      kind: "damaged",
      offset: endOfGood,
      reason: `bad record at byte ${endOfGood}, before the checkpointed length ${checkpoint.length}`,
      keepLength: endOfGood,
      goodRecords: within.length,
      lostRecords: checkpoint.records - within.length,
    };
  }
  return { kind: "ok", records: within.length, cutTo: checkpoint.length, tornBytes: scan.fileLength - checkpoint.length };
}
