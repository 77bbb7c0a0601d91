/**
 * The internal query tree every front end (JSON DSL, Lucene query string, simple query string)
 * compiles to; field names are concrete mapped fields and values are already analysed/parsed, so
 * the executor never looks at mappings. It mirrors the Lucene queries ES builds, with their scoring:
 * `term`/`phrase` score with BM25, the rest are constant-score unless they combine other queries.
 */
export type Query =
  | { kind: "all"; boost: number }
  | { kind: "none" }
  /** One indexed term, scored with BM25 (TermQuery). */
  | { kind: "term"; field: string; term: string; boost: number }
  /** Any of a set of terms, constant score (TermInSetQuery). */
  | { kind: "termSet"; field: string; terms: string[]; boost: number }
  /** Numeric/date doc values within [min, max] inclusive, constant score (point range). */
  | { kind: "numberRange"; field: string; min: number; max: number; boost: number }
  /** Term range over a keyword/text term dictionary, constant score. */
  | { kind: "termRange"; field: string; lower?: string; upper?: string; includeLower: boolean; includeUpper: boolean; boost: number }
  /** Terms matching a predicate (prefix, wildcard, regexp), constant score. */
  | { kind: "multiTerm"; field: string; matches: (term: string) => boolean; boost: number }
  /** Terms within an edit distance, scored per matching term (FuzzyQuery). */
  | {
      kind: "fuzzy";
      field: string;
      term: string;
      maxEdits: number;
      prefixLength: number;
      transpositions: boolean;
      maxExpansions: number;
      boost: number;
    }
  /** Terms at relative positions, scored with BM25 over summed idf (PhraseQuery). */
  | { kind: "phrase"; field: string; terms: string[]; positions: number[]; slop: number; boost: number }
  | { kind: "bool"; must: Query[]; should: Query[]; filter: Query[]; mustNot: Query[]; minimumShouldMatch: number; boost: number }
  | { kind: "disMax"; queries: Query[]; tieBreaker: number; boost: number }
  | { kind: "constant"; query: Query; boost: number }
  /** Documents with a value in any of the fields. */
  | { kind: "exists"; fields: string[]; boost: number }
  | { kind: "ids"; ids: string[]; boost: number };

/** The query matching nothing (unmapped fields, empty analysis). */
export const MATCH_NONE: Query = { kind: "none" };

/** A bool query with defaults filled in. */
export function bool(parts: Partial<Omit<Extract<Query, { kind: "bool" }>, "kind">>): Query {
  return {
    kind: "bool",
    must: parts.must ?? [],
    should: parts.should ?? [],
    filter: parts.filter ?? [],
    mustNot: parts.mustNot ?? [],
    minimumShouldMatch: parts.minimumShouldMatch ?? 0,
    boost: parts.boost ?? 1,
  };
}

/** Applies a boost to a query the way a Lucene BoostQuery wrapper would. */
export function withBoost(q: Query, boost: number): Query {
  if (boost === 1 || q.kind === "none") return q;
  return { ...q, boost: q.boost * boost };
}

/**
 * ES's `minimum_should_match` specification (`3`, `-2`, `75%`, `-25%`, `3<90%`, `2<-25% 9<-3`)
 * resolved against the number of optional clauses (Queries.calculateMinShouldMatch).
 */
export function resolveMinimumShouldMatch(optionalCount: number, spec: string | number | undefined): number {
  if (spec === undefined || spec === null) return 0;
  let text = String(spec).trim();
  if (text.includes("<")) {
    let result = optionalCount;
    for (const part of text.split(/\s+/)) {
      const [limit, rule] = part.split("<");
      if (optionalCount > Number(limit)) result = resolveMinimumShouldMatch(optionalCount, rule);
    }
    return result;
  }
  let result: number;
  if (text.endsWith("%")) {
    text = text.slice(0, -1);
    const percent = Number(text);
    const calc = Math.trunc((percent * optionalCount) / 100);
    result = percent < 0 ? optionalCount + calc : calc;
  } else {
    const n = Number(text);
    result = n < 0 ? optionalCount + n : n;
  }
  return result < 0 ? 0 : result;
}
