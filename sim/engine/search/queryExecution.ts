/**
 * Query execution over an inverted index (what Lucene's `IndexSearcher` does with a query's
 * weights and scorers): each compiled query node becomes the set of matching live documents with
 * their BM25 scores, built from postings with the set algebra of `docSets.ts`.
 */
import {
  addScores,
  bitmapToDocs,
  constantScore,
  disMax,
  EMPTY_DOC_SET,
  filterOut,
  intersectDocs,
  scale,
  sumUnion,
  type DocSet,
} from "./docSets";
import type { InvertedIndex } from "./invertedIndex";
import type { FieldData, Posting } from "./postings";
import { Query } from "./query";
import { Bm25Scorer, idf } from "./similarity";
import { editDistance, phraseFreq } from "./textDistance";

/** Runs a query: matching live documents in ordinal order, with scores. */
export function executeQuery(index: InvertedIndex, q: Query): DocSet {
  switch (q.kind) {
    case "all": {
      const docs = index.allDocs();
      return { docs, scores: new Float32Array(docs.length).fill(q.boost) };
    }
    case "none":
      return EMPTY_DOC_SET;
    case "term":
      return termQuery(index, q.field, q.term, q.boost);
    case "termSet":
      return constantScore(unionTerms(index, q.field, q.terms), q.boost);
    case "numberRange":
      return constantScore(numberRange(index, q.field, q.min, q.max), q.boost);
    case "termRange":
      return constantScore(
        matchingTerms(index, q.field, (t) => {
          if (q.lower !== undefined && (q.includeLower ? t < q.lower : t <= q.lower)) return false;
          if (q.upper !== undefined && (q.includeUpper ? t > q.upper : t >= q.upper)) return false;
          return true;
        }),
        q.boost,
      );
    case "multiTerm":
      return constantScore(matchingTerms(index, q.field, q.matches), q.boost);
    case "fuzzy":
      return fuzzy(index, q);
    case "phrase":
      return phrase(index, q.field, q.terms, q.positions, q.slop, q.boost);
    case "bool":
      return bool(index, q);
    case "disMax":
      return disMax(
        q.queries.map((sub) => executeQuery(index, sub)),
        q.tieBreaker,
        q.boost,
        index.maxOrd,
      );
    case "constant":
      return constantScore(executeQuery(index, q.query).docs, q.boost);
    case "exists":
      return constantScore(exists(index, q.fields), q.boost);
    case "ids": {
      const ords = q.ids.map((id) => index.ordOf(id)).filter((o): o is number => o !== undefined);
      return constantScore(Int32Array.from(new Set(ords)).sort(), q.boost);
    }
  }
}

function termQuery(index: InvertedIndex, field: string, term: string, boost: number): DocSet {
  const fd = index.field(field);
  const p = fd && index.livePosting(fd, term);
  if (!fd || !p) return EMPTY_DOC_SET;
  const scorer = termScorer(fd, p.live, boost);
  const docs = new Int32Array(p.live);
  const scores = new Float32Array(p.live);
  let n = 0;
  for (let i = 0; i < p.count; i++) {
    const ord = p.docs[i];
    if (!index.isLive(ord)) continue;
    docs[n] = ord;
    scores[n] = scorer.score(p.freqs[i], fd.norm(ord));
    n++;
  }
  return { docs: docs.subarray(0, n), scores: scores.subarray(0, n) };
}

function unionTerms(index: InvertedIndex, field: string, terms: Iterable<string>): Int32Array {
  const fd = index.field(field);
  if (!fd) return EMPTY_DOC_SET.docs;
  const bits = new Uint8Array(index.maxOrd);
  for (const term of terms) {
    const p = index.livePosting(fd, term);
    if (!p) continue;
    for (let i = 0; i < p.count; i++) if (index.isLive(p.docs[i])) bits[p.docs[i]] = 1;
  }
  return bitmapToDocs(bits);
}

function matchingTerms(index: InvertedIndex, field: string, matches: (term: string) => boolean): Int32Array {
  const fd = index.field(field);
  if (!fd) return EMPTY_DOC_SET.docs;
  const terms: string[] = [];
  for (const [term, p] of fd.postings) if (p.live > 0 && matches(term)) terms.push(term);
  return unionTerms(index, field, terms);
}

function numberRange(index: InvertedIndex, field: string, min: number, max: number): Int32Array {
  const inRange = (v: number) => v >= min && v <= max;
  if (field === "_seq_no") {
    const out: number[] = [];
    for (let ord = 0; ord < index.maxOrd; ord++) if (index.isLive(ord) && inRange(index.seqNo(ord))) out.push(ord);
    return Int32Array.from(out);
  }
  const fd = index.field(field);
  if (!fd) return EMPTY_DOC_SET.docs;
  const out: number[] = [];
  const values = fd.numbers;
  for (let ord = 0; ord < values.length; ord++) {
    const v = values[ord];
    if (Number.isNaN(v) || !index.isLive(ord)) continue;
    const multi = fd.multiNumbers.get(ord);
    if (multi ? multi.some(inRange) : inRange(v)) out.push(ord);
  }
  return Int32Array.from(out);
}

function exists(index: InvertedIndex, fields: string[]): Int32Array {
  const bits = new Uint8Array(index.maxOrd);
  for (const field of fields) {
    const fd = index.field(field);
    if (!fd) continue;
    for (let ord = 0; ord < fd.present.length; ord++) if (fd.present[ord] && index.isLive(ord)) bits[ord] = 1;
  }
  return bitmapToDocs(bits);
}

function fuzzy(index: InvertedIndex, q: Extract<Query, { kind: "fuzzy" }>): DocSet {
  const fd = index.field(q.field);
  if (!fd) return EMPTY_DOC_SET;
  const prefix = q.term.slice(0, q.prefixLength);
  const candidates: { term: string; distance: number }[] = [];
  for (const [term, p] of fd.postings) {
    if (p.live === 0 || !term.startsWith(prefix)) continue;
    const distance = editDistance(q.term, term, q.maxEdits, q.transpositions);
    if (distance <= q.maxEdits) candidates.push({ term, distance });
  }
  candidates.sort((a, b) => a.distance - b.distance || (a.term < b.term ? -1 : 1));
  const sets = candidates.slice(0, q.maxExpansions).map(({ term, distance }) => {
    // FuzzyQuery boosts each expansion by its similarity: 1 − edits / min(term length, query length).
    const similarity = 1 - distance / Math.min([...term].length, [...q.term].length);
    return termQuery(index, q.field, term, q.boost * Math.max(similarity, 0));
  });
  return sumUnion(sets, 1, index.maxOrd);
}

function phrase(index: InvertedIndex, field: string, terms: string[], offsets: number[], slop: number, boost: number): DocSet {
  const fd = index.field(field);
  if (!fd || terms.length === 0) return EMPTY_DOC_SET;
  const postings: Posting[] = [];
  for (const term of terms) {
    const p = index.livePosting(fd, term);
    if (!p || !p.posStart) return EMPTY_DOC_SET;
    postings.push(p);
  }
  const idfSum = [...new Set(terms)].reduce((sum, t) => sum + idf(fd.postings.get(t)!.live, fd.docCount), 0);
  const scorer = new Bm25Scorer(boost, Math.fround(idfSum), fd.avgLength());
  // Drive the intersection from the rarest term, advancing a cursor in every other posting list.
  let driver = 0;
  postings.forEach((p, k) => {
    if (p.live < postings[driver].live) driver = k;
  });
  const cursors = postings.map(() => 0);
  const docs: number[] = [];
  const scores: number[] = [];
  const lists: Int32Array[] = postings.map(() => new Int32Array(0));
  const driving = postings[driver];
  outer: for (let d = 0; d < driving.count; d++) {
    const ord = driving.docs[d];
    if (!index.isLive(ord)) continue;
    for (let k = 0; k < postings.length; k++) {
      const p = postings[k];
      let c = cursors[k];
      while (c < p.count && p.docs[c] < ord) c++;
      cursors[k] = c;
      if (c >= p.count) break outer;
      if (p.docs[c] !== ord) continue outer;
      lists[k] = fd.positions.view(p.posStart![c], p.freqs[c]);
    }
    const freq = phraseFreq(lists, offsets, slop);
    if (freq > 0) {
      docs.push(ord);
      scores.push(scorer.score(freq, fd.norm(ord)));
    }
  }
  return { docs: Int32Array.from(docs), scores: Float32Array.from(scores) };
}

function bool(index: InvertedIndex, q: Extract<Query, { kind: "bool" }>): DocSet {
  const scoringRequired = q.must.map((sub) => executeQuery(index, sub));
  const required: DocSet[] = [...scoringRequired];
  const filters = q.filter.map((sub) => ({ docs: executeQuery(index, sub).docs, scores: null }));
  const hasRequired = q.must.length + q.filter.length > 0;
  let result: DocSet;
  if (!hasRequired && q.should.length === 0) {
    // A bool of only must_not clauses matches everything else (ES adds a match_all FILTER: score 0).
    const docs = index.allDocs();
    result = { docs, scores: new Float32Array(docs.length) };
  } else if (!hasRequired) {
    result = sumUnion(
      q.should.map((sub) => executeQuery(index, sub)),
      Math.max(1, q.minimumShouldMatch),
      index.maxOrd,
    );
  } else {
    let docs: Int32Array | undefined;
    for (const set of [...required, ...filters].sort((a, b) => a.docs.length - b.docs.length)) {
      docs = docs === undefined ? set.docs : intersectDocs(docs, set.docs);
    }
    // With must/filter present, should clauses only add score unless minimum_should_match asks for them.
    const optional =
      q.should.length > 0
        ? sumUnion(
            q.should.map((sub) => executeQuery(index, sub)),
            Math.max(1, q.minimumShouldMatch),
            index.maxOrd,
          )
        : undefined;
    if (optional && q.minimumShouldMatch > 0) docs = intersectDocs(docs!, optional.docs);
    result = { docs: docs!, scores: new Float32Array(docs!.length) };
    for (const set of scoringRequired) addScores(result, set);
    if (optional) addScores(result, optional);
  }
  if (q.mustNot.length > 0) {
    const excluded = new Uint8Array(index.maxOrd);
    for (const sub of q.mustNot) for (const ord of executeQuery(index, sub).docs) excluded[ord] = 1;
    result = filterOut(result, excluded);
  }
  return q.boost === 1 ? result : scale(result, q.boost);
}

/** A BM25 scorer for a term of a field matching `docFreq` documents. */
function termScorer(fd: FieldData, docFreq: number, boost: number): Bm25Scorer {
  return new Bm25Scorer(boost, idf(docFreq, fd.docCount), fd.avgLength());
}
