/**
 * Record framing shared by es-sim's log and snapshot files:
 *
 *   file   = magic (8 bytes) · format version (u32 LE) · frame*
 *   frame  = payload length (u32 LE) · CRC-32 of payload (u32 LE) · payload (UTF-8 JSON)
 *
 * A reader stops at the first frame that is short or fails its CRC and reports how many bytes were
 * good, so a torn tail left by a crash mid-write can be cut off (ES's translog does the same with
 * its checksummed operations).
 */
import { crc32 } from "node:zlib";

/** Current on-disk format version of every es-sim data file. */
export const FORMAT_VERSION = 1;
/** Magic of an index's operation log. */
export const LOG_MAGIC = "ESSIMLOG";
/** Magic of an index snapshot. */
export const SNAPSHOT_MAGIC = "ESSIMSNP";
const HEADER_BYTES = 12;
const FRAME_HEADER_BYTES = 8;
/** Frames larger than this are treated as garbage (a torn length field). */
const MAX_FRAME_BYTES = 1 << 30;

/** Thrown for a file that is not an es-sim file of the expected kind/version. */
export class DataFormatError extends Error {
  override readonly name = "DataFormatError";
}

/** The fixed header that starts a file. */
export function fileHeader(magic: string): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(magic, 0, 8, "latin1");
  b.writeUInt32LE(FORMAT_VERSION, 8);
  return b;
}

/** Encodes one JSON value as a frame. */
export function encodeFrame(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), "utf8");
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

/** Result of decoding a file. */
export interface DecodedFile {
  values: unknown[];
  /** Bytes up to the end of the last good frame (header included). */
  goodLength: number;
  /** Whether bytes after `goodLength` were present (torn or corrupt tail). */
  torn: boolean;
  /** Where each decoded frame ends, in order. */
  frameEnds: number[];
}

/** Checks the header and decodes frames until the end or the first bad frame. */
export function decodeFile(buf: Buffer, magic: string, path: string): DecodedFile {
  if (buf.length < HEADER_BYTES || buf.toString("latin1", 0, 8) !== magic) {
    throw new DataFormatError(`[${path}] is not an es-sim ${magic === LOG_MAGIC ? "operation log" : "snapshot"} file (bad magic)`);
  }
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw new DataFormatError(`[${path}] has format version [${version}]; this es-sim reads version [${FORMAT_VERSION}]`);
  }
  const values: unknown[] = [];
  const frameEnds: number[] = [];
  let pos = HEADER_BYTES;
  while (pos + FRAME_HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32LE(pos);
    const crc = buf.readUInt32LE(pos + 4);
    const end = pos + FRAME_HEADER_BYTES + len;
    if (len > MAX_FRAME_BYTES || end > buf.length) break;
    const payload = buf.subarray(pos + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== crc) break;
    try {
      values.push(JSON.parse(payload.toString("utf8")));
    } catch {
      break;
    }
    pos = end;
    frameEnds.push(end);
  }
  return { values, goodLength: pos, torn: pos < buf.length, frameEnds };
}

/** Length of a file header. */
export const FILE_HEADER_BYTES = HEADER_BYTES;

/**
 * Finds the frames that still decode in a damaged region (from `from` to the end), trying every
 * byte offset: what the repair command can still name of the records it has to drop.
 */
export function salvageFrames(buf: Buffer, from: number): Array<{ offset: number; end: number; value: unknown }> {
  const found: Array<{ offset: number; end: number; value: unknown }> = [];
  let pos = from;
  while (pos + FRAME_HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32LE(pos);
    const end = pos + FRAME_HEADER_BYTES + len;
    if (len > 0 && len <= MAX_FRAME_BYTES && end <= buf.length) {
      const payload = buf.subarray(pos + FRAME_HEADER_BYTES, end);
      if (crc32(payload) === buf.readUInt32LE(pos + 4)) {
        try {
          found.push({ offset: pos, end, value: JSON.parse(payload.toString("utf8")) });
          pos = end;
          continue;
        } catch {
          // not a frame after all
        }
      }
    }
    pos++;
  }
  return found;
}
