/**
 * Framing of the es-sim transport protocol: `"ES"` + uint32 big-endian payload length + JSON.
 * The decoder accepts bytes in arbitrary chunks (TCP gives no message boundaries) and yields whole
 * messages; anything that is not a well-formed frame is a `FrameError`, after which the
 * connection must be dropped.
 */
import { FRAME_HEADER_BYTES, FRAME_MAGIC, MAX_FRAME_BYTES, type Message } from "./protocol";

/** The byte stream is not es-sim transport frames. */
export class FrameError extends Error {
  override readonly name = "FrameError";
}

/** Encodes one message as a frame: header and payload, to be written in this order (no copy of large payloads). */
export function encodeFrameParts(message: Message): [header: Buffer, payload: Buffer] {
  const payload = Buffer.from(JSON.stringify(message), "utf8");
  if (payload.length > MAX_FRAME_BYTES)
    throw new FrameError(`message of ${payload.length} bytes exceeds the ${MAX_FRAME_BYTES}-byte frame limit`);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  FRAME_MAGIC.copy(header, 0);
  header.writeUInt32BE(payload.length, 2);
  return [header, payload];
}

/** Encodes one message as a single frame buffer. */
export function encodeFrame(message: Message): Buffer {
  return Buffer.concat(encodeFrameParts(message));
}

/** Writes one message to a stream-like sink without concatenating header and payload. */
export function writeFrame(sink: { write(chunk: Buffer): boolean }, message: Message): void {
  const [header, payload] = encodeFrameParts(message);
  sink.write(header);
  sink.write(payload);
}

/** Incremental frame decoder for one connection. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** `maxFrameBytes`: the largest payload accepted now (raised once a handshake completed). */
  constructor(public maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes held, waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Adds received bytes; returns every message completed by them, in order. */
  push(chunk: Buffer): Message[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Message[] = [];
    for (;;) {
      if (this.buffered < FRAME_HEADER_BYTES) return out;
      const head = this.peek(FRAME_HEADER_BYTES);
      if (head[0] !== FRAME_MAGIC[0] || head[1] !== FRAME_MAGIC[1]) {
        throw new FrameError("invalid frame marker: the peer does not speak the es-sim transport protocol");
      }
      const length = head.readUInt32BE(2);
      if (length > this.maxFrameBytes) {
        this.chunks = [];
        this.buffered = 0;
        throw new FrameError(`frame of ${length} bytes exceeds the ${this.maxFrameBytes}-byte limit`);
      }
      if (this.buffered < FRAME_HEADER_BYTES + length) return out;
      const frame = this.take(FRAME_HEADER_BYTES + length);
      let message: unknown;
      try {
        message = JSON.parse(frame.toString("utf8", FRAME_HEADER_BYTES));
      } catch {
        throw new FrameError("frame payload is not JSON");
      }
      if (message === null || typeof message !== "object" || typeof (message as { k?: unknown }).k !== "string") {
        throw new FrameError("frame payload is not a protocol message");
      }
      out.push(message as Message);
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const frame = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
