/**
 * Distances used in matching: how far a phrase's terms are from their expected relative positions
 * (Lucene's exact and sloppy phrase matchers) and how many edits separate two terms (fuzzy queries,
 * Lucene's Levenshtein automata).
 */

/**
 * How often a phrase occurs, given each phrase term's positions in a document. Exact phrases count occurrences; with slop, each
 * match adds 1 / (1 + distance) as Lucene's sloppy phrase scorer does, where distance is how far
 * the terms are from their expected relative positions.
 */
export function phraseFreq(lists: ArrayLike<number>[], offsets: number[], slop: number): number {
  for (const l of lists) if (l.length === 0) return 0;
  const includes = (l: ArrayLike<number>, value: number) => {
    for (let i = 0; i < l.length; i++) if (l[i] === value) return true;
    return false;
  };
  let freq = 0;
  const first = lists[0];
  for (let s = 0; s < first.length; s++) {
    const anchor = first[s] - offsets[0];
    if (slop === 0) {
      if (lists.every((l, k) => includes(l, anchor + offsets[k]))) freq++;
      continue;
    }
    let lo = 0;
    let hi = 0;
    let ok = true;
    for (let k = 1; k < lists.length; k++) {
      let best: number | undefined;
      const list = lists[k];
      for (let i = 0; i < list.length; i++) {
        const delta = list[i] - offsets[k] - anchor;
        if (best === undefined || Math.abs(delta) < Math.abs(best)) best = delta;
      }
      if (best === undefined) {
        ok = false;
        break;
      }
      lo = Math.min(lo, best);
      hi = Math.max(hi, best);
    }
    const distance = hi - lo;
    if (ok && distance <= slop) freq += 1 / (1 + distance);
  }
  return freq;
}

/** Levenshtein (optionally Damerau, adjacent transpositions) distance, giving up beyond `max`. */
export function editDistance(a: string, b: string, max: number, transpositions: boolean): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (transpositions && i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[t.length];
}
