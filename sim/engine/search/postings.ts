/**
 * The per-field structures of the inverted index, as Lucene keeps them per segment: postings lists
 * (term → document ordinals with frequencies, and positions for text fields), one-byte norms,
 * numeric and keyword doc values, and the field statistics BM25 needs.
 */
import { FieldInfo } from "./fields";
import { TermDictionary } from "./termDictionary";

/**
 * The positions of one text field. Each document's positions (grouped by term) take one
 * contiguous run of a block, so indexing writes them in one place and nothing is ever copied to
 * grow. An address is `block index × BLOCK_SIZE + offset`; a run longer than a block gets a block
 * of its own spanning as many block indices as it needs.
 */
export class PositionArena {
  static readonly BLOCK_SIZE = 1 << 16;
  /** Block of each block index (a large block appears at each index it spans). */
  private readonly blocks: Int32Array[] = [];
  /** First block index of the block at each index. */
  private readonly firsts: number[] = [];
  private current = new Int32Array(0);
  /** Next free address in the current block, and its end. */
  private next = 0;
  private end = 0;

  /** Reserves `n` consecutive positions; returns the address of the first. */
  reserve(n: number): number {
    if (this.next + n > this.end) {
      const size = PositionArena.BLOCK_SIZE;
      const spans = Math.max(1, Math.ceil(n / size));
      const first = this.blocks.length;
      this.current = new Int32Array(spans * size);
      for (let k = 0; k < spans; k++) {
        this.blocks.push(this.current);
        this.firsts.push(first);
      }
      this.next = first * size;
      this.end = this.next + spans * size;
    }
    const address = this.next;
    this.next += n;
    return address;
  }

  /** The block holding `address`, and (through {@link offset}) where in it. */
  block(address: number): Int32Array {
    return this.blocks[Math.floor(address / PositionArena.BLOCK_SIZE)];
  }

  offset(address: number): number {
    return address - this.firsts[Math.floor(address / PositionArena.BLOCK_SIZE)] * PositionArena.BLOCK_SIZE;
  }

  /** The `n` positions at `address`. */
  view(address: number, n: number): Int32Array {
    const at = this.offset(address);
    return this.block(address).subarray(at, at + n);
  }
}

/**
 * The postings of one term in one field, in growable typed arrays (compact, and nothing for the
 * garbage collector to trace): `count` entries of document ordinal (ascending) and frequency.
 */
export interface Posting {
  docs: Int32Array;
  freqs: Int32Array;
  count: number;
  /** Text fields: where each entry's positions are in the field's {@link PositionArena}. */
  posStart: Float64Array | null;
  /** Live documents among the entries as of the visible generation (what scoring and `docFreq` read); dead ordinals stay until the list is compacted. */
  live: number;
  /** Change of {@link live} the generation being built makes, applied when it is published. */
  staged: number;
  /** The generation that last staged a change here (to list each touched posting once). */
  stagedIn: number;
  /** Keyword-like fields: `[term]`, the doc values of every document with just this term (shared, read-only). */
  single: string[] | null;
  /** Indexing scratch: the add/remove operation that last touched the posting, and a per-document counter. */
  mark: number;
  pending: number;
}

export function newPosting(withPositions: boolean): Posting {
  return {
    docs: new Int32Array(4),
    freqs: new Int32Array(4),
    count: 0,
    posStart: withPositions ? new Float64Array(4) : null,
    live: 0,
    staged: 0,
    stagedIn: -1,
    single: null,
    mark: 0,
    pending: 0,
  };
}

function growInt32(arr: Int32Array, size: number): Int32Array {
  if (size <= arr.length) return arr;
  const next = new Int32Array(Math.max(size, arr.length * 2));
  next.set(arr);
  return next;
}

/**
 * Appends an entry (document `ord`, `freq` occurrences, positions at `posStart` for text postings)
 * to a posting. The caller counts it in `live`/`staged`: an entry of a not yet published generation
 * is in the list but not counted.
 */
export function appendEntry(p: Posting, ord: number, freq: number, posStart: number): void {
  const i = p.count;
  if (i === p.docs.length) {
    p.docs = growInt32(p.docs, i + 1);
    p.freqs = growInt32(p.freqs, i + 1);
    if (p.posStart) {
      const next = new Float64Array(p.docs.length);
      next.set(p.posStart);
      p.posStart = next;
    }
  }
  p.docs[i] = ord;
  p.freqs[i] = freq;
  if (p.posStart) p.posStart[i] = posStart;
  p.count = i + 1;
}

/** `arr`, or a copy of it at least `size` long (at least doubled; new slots set to `fill`). */
export function grow<T extends Float64Array | Uint8Array>(arr: T, size: number, make: (n: number) => T, fill?: number): T {
  if (size <= arr.length) return arr;
  const next = make(Math.max(size, arr.length * 2, 64));
  next.set(arr);
  if (fill !== undefined) next.fill(fill, arr.length);
  return next;
}

/** Per-field index structures. */
export class FieldData {
  readonly postings = new Map<string, Posting>();
  /** Text fields: term ids of the analysed values, the posting of each id (once indexed), the positions. */
  private textDict?: TermDictionary;
  readonly postingById: (Posting | undefined)[] = [];
  private positionArena?: PositionArena;
  norms = new Uint8Array(0);
  /** First (or only) numeric value per document; NaN when missing. */
  numbers = new Float64Array(0);
  /** All values of documents with more than one numeric value. */
  readonly multiNumbers = new Map<number, number[]>();
  /** Keyword doc values per document (arrays may be shared between documents: read-only). */
  readonly strings: (string[] | undefined)[] = [];
  present = new Uint8Array(0);
  /** Live documents with a value (what `exists` counts). */
  presentCount = 0;
  /** Live documents with at least one indexed term (Lucene's docCount). */
  docCount = 0;
  /** Sum of field lengths (text) or of distinct terms per doc (keyword-like, indexed without freqs). */
  sumLength = 0;
  /** Changes of the three counts above by the generation being built, applied when it is published. */
  stagedPresent = 0;
  stagedDocCount = 0;
  stagedSumLength = 0;
  /** The generation that last staged a change here. */
  stagedIn = -1;
  constructor(public info: FieldInfo) {}

  get dict(): TermDictionary {
    return (this.textDict ??= new TermDictionary());
  }

  get positions(): PositionArena {
    return (this.positionArena ??= new PositionArena());
  }

  /** Average field length over the documents with the field (BM25's avgdl). */
  avgLength(): number {
    return this.docCount === 0 ? 1 : this.sumLength / this.docCount;
  }

  /** Norm byte of a document: text fields store it, keyword-like fields omit norms (Lucene uses 1). */
  norm(ord: number): number {
    return this.info.kind === "text" ? this.norms[ord] : 1;
  }
}
