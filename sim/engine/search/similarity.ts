/**
 * Scoring as ES 8 does it by default: Lucene BM25 with k1 = 1.2, b = 0.75, in ES's
 * LegacyBM25Similarity form (the `(k1 + 1)` factor kept, so a lone match in a one-document index
 * scores 0.2876821 as on a real server), with field lengths stored lossily in one byte as Lucene's
 * norms are (SmallFloat.intToByte4), and all arithmetic rounded to 32-bit floats.
 */

const K1 = Math.fround(1.2);
const B = 0.75;
const f = Math.fround;

function longToInt4(i: number): number {
  const numBits = 32 - Math.clz32(i);
  if (numBits < 4) return i;
  const shift = numBits - 4;
  return ((i >>> shift) & 0x07) | ((shift + 1) << 3);
}

function int4ToLong(i: number): number {
  const bits = i & 0x07;
  const shift = (i >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

const MAX_INT4 = longToInt4(0x7fffffff);
const NUM_FREE_VALUES = 255 - MAX_INT4;

/** Encodes a field length into Lucene's one-byte norm. */
export function encodeNorm(length: number): number {
  return length < NUM_FREE_VALUES ? length : NUM_FREE_VALUES + longToInt4(length - NUM_FREE_VALUES);
}

/** The field length a one-byte norm stands for. */
export function decodeNorm(norm: number): number {
  return norm < NUM_FREE_VALUES ? norm : NUM_FREE_VALUES + int4ToLong(norm - NUM_FREE_VALUES);
}

const LENGTH_TABLE = Float64Array.from({ length: 256 }, (_, i) => decodeNorm(i));

/** Lucene's BM25 idf: ln(1 + (N − n + 0.5) / (n + 0.5)), as a float. */
export function idf(docFreq: number, docCount: number): number {
  return Math.fround(Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5)));
}

/** Scores documents of one term (or phrase) over one field: weight × tf-normalisation per doc. */
export class Bm25Scorer {
  private readonly weight: number;
  private readonly normCache: Float32Array;

  /**
   * @param boost query boost
   * @param idfValue summed idf of the term(s)
   * @param avgFieldLength sumTotalTermFreq / docCount of the field
   */
  constructor(boost: number, idfValue: number, avgFieldLength: number) {
    // LegacyBM25Similarity folds (k1 + 1) into the boost before BM25Scorer multiplies by idf.
    this.weight = f(f(boost * f(1 + K1)) * idfValue);
    const avgdl = f(avgFieldLength);
    this.normCache = Float32Array.from(LENGTH_TABLE, (len) => f(1 / f(K1 * f(1 - B + f(f(B * len) / avgdl)))));
  }

  /** Score of a document where the term occurs `freq` times and whose encoded field length is `norm`. */
  score(freq: number, norm: number): number {
    const normInverse = this.normCache[norm];
    return f(this.weight - f(this.weight / f(1 + f(freq * normInverse))));
  }
}

/**
 * The shortest decimal that reads back as the same 32-bit float, i.e. Java's `Float.toString`
 * digits, so `_score` renders as `0.2876821` like ES and not `0.28768208622932434`.
 */
export function floatForJson(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const single = f(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (f(candidate) === single) return candidate;
  }
  return single;
}
