/**
 * Set algebra over matching documents, as Lucene's conjunction and disjunction scorers do it:
 * document ordinals ascending, one score per document. Intersection, unions with a minimum match
 * count, dis-max, score addition, exclusion and scaling.
 */

/** Matching documents in ordinal order with their scores. */
export interface DocSet {
  docs: Int32Array;
  scores: Float32Array;
}

/** No documents. */
export const EMPTY_DOC_SET: DocSet = { docs: new Int32Array(0), scores: new Float32Array(0) };

/** Every document scoring `boost` (ConstantScoreQuery). */
export function constantScore(docs: Int32Array, boost: number): DocSet {
  return { docs, scores: new Float32Array(docs.length).fill(boost) };
}

/** Multiplies every score by `boost`. */
export function scale(set: DocSet, boost: number): DocSet {
  return { docs: set.docs, scores: set.scores.map((s) => s * boost) };
}

/** Adds the scores of `other` into `target` for documents present in both (both ordinal-sorted). */
export function addScores(target: DocSet, other: DocSet): void {
  let j = 0;
  for (let i = 0; i < target.docs.length && j < other.docs.length; i++) {
    const ord = target.docs[i];
    while (j < other.docs.length && other.docs[j] < ord) j++;
    if (j < other.docs.length && other.docs[j] === ord) target.scores[i] = Math.fround(target.scores[i] + other.scores[j]);
  }
}

/** The documents of `set` not marked in `excluded`. */
export function filterOut(set: DocSet, excluded: Uint8Array): DocSet {
  const docs: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < set.docs.length; i++) {
    if (excluded[set.docs[i]]) continue;
    docs.push(set.docs[i]);
    scores.push(set.scores[i]);
  }
  return { docs: Int32Array.from(docs), scores: Float32Array.from(scores) };
}

/** Intersection of two ascending ordinal lists. */
export function intersectDocs(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out[n++] = a[i];
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out.subarray(0, n);
}

/** The ordinals set in a bitmap, ascending. */
export function bitmapToDocs(bits: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < bits.length; i++) count += bits[i];
  const out = new Int32Array(count);
  let n = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[n++] = i;
  return out;
}

/**
 * Union where a document needs `minMatch` matching clauses; scores are summed (BooleanQuery
 * SHOULD). `size` bounds the ordinals (the index's ordinal count).
 */
export function sumUnion(sets: DocSet[], minMatch: number, size: number): DocSet {
  if (sets.length === 0) return EMPTY_DOC_SET;
  if (sets.length === 1 && minMatch <= 1) return sets[0];
  const sums = new Float64Array(size);
  const counts = new Uint16Array(size);
  for (const s of sets) {
    for (let i = 0; i < s.docs.length; i++) {
      sums[s.docs[i]] += s.scores[i];
      counts[s.docs[i]]++;
    }
  }
  let n = 0;
  for (let ord = 0; ord < size; ord++) if (counts[ord] >= minMatch && counts[ord] > 0) n++;
  const docs = new Int32Array(n);
  const scores = new Float32Array(n);
  n = 0;
  for (let ord = 0; ord < size; ord++) {
    if (counts[ord] >= minMatch && counts[ord] > 0) {
      docs[n] = ord;
      scores[n] = sums[ord];
      n++;
    }
  }
  return { docs, scores };
}

/** Dis-max (DisjunctionMaxQuery): the best clause score plus `tieBreaker` × the others'; `size` bounds the ordinals. */
export function disMax(sets: DocSet[], tieBreaker: number, boost: number, size: number): DocSet {
  if (sets.length === 1) return boost === 1 ? sets[0] : scale(sets[0], boost);
  const max = new Float64Array(size).fill(-1);
  const sums = new Float64Array(size);
  for (const s of sets) {
    for (let i = 0; i < s.docs.length; i++) {
      const ord = s.docs[i];
      const score = s.scores[i];
      if (score > max[ord]) max[ord] = score;
      sums[ord] += score;
    }
  }
  let n = 0;
  for (let ord = 0; ord < size; ord++) if (max[ord] >= 0) n++;
  const docs = new Int32Array(n);
  const scores = new Float32Array(n);
  n = 0;
  for (let ord = 0; ord < size; ord++) {
    if (max[ord] < 0) continue;
    docs[n] = ord;
    scores[n] = (max[ord] + tieBreaker * (sums[ord] - max[ord])) * boost;
    n++;
  }
  return { docs, scores };
}
