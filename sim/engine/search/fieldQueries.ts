/**
 * Per-field query construction with ES's field-type semantics (MappedFieldType.termQuery,
 * rangeQuery, prefixQuery… and MatchQueryParser): what a value means for a text, keyword, numeric,
 * date, boolean or ip field, and the errors ES raises when it means nothing. Shared by the JSON DSL,
 * `query_string` and `simple_query_string`.
 */
import { errors, EsError } from "../errors";
import { Analyzer, analyzerByName } from "./analysis";
import { compileDateFormat, DateFormat, DateParseError, parseDateMath, parseTimeZone } from "./dates";
import { FieldInfo, FieldTable } from "./fields";
import { FieldValueError, isIntegerType, toBoolean, toNumber } from "./fieldValues";
import { AutomatonSyntaxError, regexpMatcher, TooComplexToDeterminizeError, wildcardMatcher } from "./automaton";
import { editDistanceLimit, globToRegExp } from "./patterns";
import { bool, MATCH_NONE, Query, resolveMinimumShouldMatch } from "./query";
import { ShardFailure } from "./shardFailure";

/** What building a query needs to know about the index it runs on. */
export interface FieldQueryContext {
  readonly table: FieldTable;
  readonly indexName: string;
  readonly indexUuid: string;
  /** `now` for date math, in epoch millis. */
  readonly now: number;
  /** Whether any searchable document has a value for the field (ES skips empty fields in `*` expansion). */
  readonly hasValues: (field: string) => boolean;
  /** `index.query_string.lenient` (false when absent). */
  readonly queryStringLenient?: boolean;
  /** `index.query.default_field` (`*` when absent). */
  readonly defaultFields?: readonly string[];
  /** `index.max_regex_length` (1000 when absent). */
  readonly maxRegexLength?: number;
}

/** The `_seq_no` metadata field, which ES indexes as a long point with doc values. */
const SEQ_NO_INFO = { kind: "number", type: "long", path: "_seq_no", scalingFactor: 1 } as FieldInfo;

function shardError(ctx: FieldQueryContext, reason: string, cause?: EsError): ShardFailure {
  return new ShardFailure(errors.queryShard(reason, ctx.indexName, ctx.indexUuid, cause));
}

function createFailure(ctx: FieldQueryContext, e: unknown): ShardFailure {
  if (e instanceof FieldValueError) {
    const type = e.reason.startsWith("For input string") ? "number_format_exception" : e.esType;
    return shardError(ctx, `failed to create query: ${e.reason}`, errors.cause(type, e.reason));
  }
  if (e instanceof DateParseError) {
    return shardError(ctx, `failed to create query: ${e.message}`, errors.cause("parse_exception", e.message));
  }
  throw e;
}

/** The field of that name, or undefined when unmapped (queries on unmapped fields match nothing). */
function fieldInfo(ctx: FieldQueryContext, name: string): FieldInfo | undefined {
  return ctx.table.fields.get(name);
}

function textValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A single-value numeric query: exact match, constant score (point query). */
function numberTerm(info: FieldInfo, value: unknown, boost: number): Query {
  if (isIntegerType(info.type) && typeof value === "number" && !Number.isInteger(value)) return MATCH_NONE;
  if (isIntegerType(info.type) && typeof value === "string" && /^[+-]?\d+\.\d*[1-9]\d*$/.test(value.trim())) return MATCH_NONE;
  const n = toNumber(info.type, typeof value === "boolean" ? String(value) : value, true, info.scalingFactor);
  if (n === undefined) return MATCH_NONE;
  return { kind: "numberRange", field: info.path, min: n, max: n, boost };
}

/** Term-level query for one exact value (the `term` query and non-text `match`). */
export function termQueryFor(ctx: FieldQueryContext, field: string, value: unknown, boost = 1, lenient = false): Query {
  if (field === "_id") return { kind: "ids", ids: [textValue(value)], boost };
  if (field === "_index") return globToRegExp(textValue(value)).test(ctx.indexName) ? { kind: "all", boost } : MATCH_NONE;
  if (field === "_seq_no") return numberTerm(SEQ_NO_INFO, value, boost);
  const info = fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  if (!info.indexed && info.kind !== "number" && info.kind !== "date") {
    throw shardError(ctx, `failed to create query: Cannot search on field [${field}] since it is not indexed.`);
  }
  try {
    switch (info.kind) {
      case "text":
        return { kind: "term", field, term: textValue(value), boost };
      case "keyword":
        return { kind: "term", field, term: info.normalizer ? info.normalizer(textValue(value)) : textValue(value), boost };
      case "ip":
        return { kind: "term", field, term: textValue(value).toLowerCase(), boost };
      case "boolean": {
        const b = value === true || value === false ? value : toBooleanQueryValue(textValue(value));
        return { kind: "term", field, term: b ? "T" : "F", boost };
      }
      case "number":
        return numberTerm(info, value, boost);
      case "date": {
        const [min, max] = dateBounds(ctx, info, value, true, value, true);
        return { kind: "numberRange", field, min, max, boost };
      }
      case "opaque":
        throw errors.notSupported(`queries on [${info.type}] fields (field [${field}])`);
    }
  } catch (e) {
    if (e instanceof EsError || e instanceof ShardFailure) throw e;
    if (lenient) return MATCH_NONE;
    throw createFailure(ctx, e);
  }
}

function toBooleanQueryValue(text: string): boolean {
  try {
    return toBoolean(text)!;
  } catch {
    throw new FieldValueError("illegal_argument_exception", `Can't parse boolean value [${text}], expected [true] or [false]`);
  }
}

function dateFormatFor(info: FieldInfo, format?: string): DateFormat {
  return format ? compileDateFormat(format) : info.dateFormat!;
}

/** [min, max] epoch millis a date range covers, with ES's rounding of coarse upper bounds. */
function dateBounds(
  ctx: FieldQueryContext,
  info: FieldInfo,
  lower: unknown,
  includeLower: boolean,
  upper: unknown,
  includeUpper: boolean,
  format?: string,
  timeZone?: string,
): [number, number] {
  const fmt = dateFormatFor(info, format);
  let offset = 0;
  if (timeZone !== undefined) {
    const parsed = parseTimeZone(timeZone);
    if (parsed === undefined)
      throw errors.notSupported(`named time zones ([time_zone] = [${timeZone}]); use a fixed offset such as +01:00`);
    offset = parsed;
  }
  const parse = (v: unknown, roundUp: boolean): number =>
    typeof v === "number" ? Math.trunc(v) : parseDateMath(String(v), fmt, ctx.now, roundUp, offset);
  // JavaDateMathParser rounds `gt` and `lte` up, `gte` and `lt` down.
  let min = Number.NEGATIVE_INFINITY;
  let max = Number.POSITIVE_INFINITY;
  if (lower !== undefined && lower !== null) min = includeLower ? parse(lower, false) : parse(lower, true) + 1;
  if (upper !== undefined && upper !== null) max = includeUpper ? parse(upper, true) : parse(upper, false) - 1;
  return [min, max];
}

const scratch = new DataView(new ArrayBuffer(8));

function nextFloat(v: number, up: boolean, single: boolean): number {
  if (!Number.isFinite(v)) return v;
  if (single) {
    scratch.setFloat32(0, v === 0 ? (up ? 0 : -0) : v);
    let bits = scratch.getInt32(0);
    if (v === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
    bits += v > 0 === up ? 1 : -1;
    scratch.setInt32(0, bits);
    return scratch.getFloat32(0);
  }
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  scratch.setFloat64(0, v);
  let bits = scratch.getBigInt64(0);
  bits += v > 0 === up ? 1n : -1n;
  scratch.setBigInt64(0, bits);
  return scratch.getFloat64(0);
}

/** Range bounds as given by the DSL or the query string. */
export interface RangeBounds {
  lower?: unknown;
  upper?: unknown;
  includeLower: boolean;
  includeUpper: boolean;
}

/** A range query on one field, constant score. */
export function rangeQueryFor(
  ctx: FieldQueryContext,
  field: string,
  r: RangeBounds,
  opts: { format?: string; timeZone?: string; boost?: number; lenient?: boolean; normalize?: boolean } = {},
): Query {
  const boost = opts.boost ?? 1;
  if (field === "_id") throw errors.notSupported("range queries on [_id]");
  const info = field === "_seq_no" ? SEQ_NO_INFO : fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  const has = (v: unknown) => v !== undefined && v !== null;
  try {
    switch (info.kind) {
      case "number": {
        const integer = isIntegerType(info.type);
        const single = info.type === "float" || info.type === "half_float";
        let min = Number.NEGATIVE_INFINITY;
        let max = Number.POSITIVE_INFINITY;
        if (has(r.lower)) {
          const raw = Number(toNumber("double", r.lower));
          const v = single ? Math.fround(raw) : raw;
          if (integer) min = r.includeLower ? Math.ceil(raw) : Math.floor(raw) + 1;
          else min = r.includeLower ? (single && v < raw ? nextFloat(v, true, true) : v) : nextFloat(v, true, single);
        }
        if (has(r.upper)) {
          const raw = Number(toNumber("double", r.upper));
          const v = single ? Math.fround(raw) : raw;
          if (integer) max = r.includeUpper ? Math.floor(raw) : Math.ceil(raw) - 1;
          else max = r.includeUpper ? (single && v > raw ? nextFloat(v, false, true) : v) : nextFloat(v, false, single);
        }
        return min > max ? MATCH_NONE : { kind: "numberRange", field: info.path, min, max, boost };
      }
      case "date": {
        const [min, max] = dateBounds(ctx, info, r.lower, r.includeLower, r.upper, r.includeUpper, opts.format, opts.timeZone);
        return min > max ? MATCH_NONE : { kind: "numberRange", field, min, max, boost };
      }
      case "boolean": {
        const min = has(r.lower) ? (toBooleanQueryValue(textValue(r.lower)) ? 1 : 0) + (r.includeLower ? 0 : 1) : 0;
        const max = has(r.upper) ? (toBooleanQueryValue(textValue(r.upper)) ? 1 : 0) - (r.includeUpper ? 0 : 1) : 1;
        return { kind: "numberRange", field, min, max, boost };
      }
      case "text":
      case "keyword":
      case "ip": {
        const norm = (v: unknown): string => {
          const t = textValue(v);
          if (info.normalizer) return info.normalizer(t);
          return opts.normalize && info.kind === "text" ? t.toLowerCase() : t;
        };
        return {
          kind: "termRange",
          field,
          lower: has(r.lower) ? norm(r.lower) : undefined,
          upper: has(r.upper) ? norm(r.upper) : undefined,
          includeLower: r.includeLower,
          includeUpper: r.includeUpper,
          boost,
        };
      }
      case "opaque":
        throw errors.notSupported(`range queries on [${info.type}] fields (field [${field}])`);
    }
  } catch (e) {
    if (e instanceof EsError || e instanceof ShardFailure) throw e;
    if (opts.lenient) return MATCH_NONE;
    throw createFailure(ctx, e);
  }
}

/** `exists` for a field name or object path (an object exists when any field under it does). */
export function existsQueryFor(ctx: FieldQueryContext, name: string, boost = 1): Query {
  if (name === "_id" || name === "_index" || name === "_seq_no") return { kind: "all", boost };
  const pattern = name.includes("*") ? globToRegExp(name) : undefined;
  const fields = [...ctx.table.fields.keys()].filter((path) =>
    pattern ? pattern.test(path) : path === name || (ctx.table.objects.has(name) && path.startsWith(`${name}.`)),
  );
  return fields.length === 0 ? MATCH_NONE : { kind: "exists", fields, boost };
}

function requireStringField(ctx: FieldQueryContext, info: FieldInfo, what: string, allowed: string): void {
  if (info.kind === "text" || info.kind === "keyword") return;
  throw shardError(
    ctx,
    `failed to create query: Can only use ${what} queries on ${allowed} fields - not on [${info.path}] which is of type [${info.type}]`,
    errors.cause(
      "illegal_argument_exception",
      `Can only use ${what} queries on ${allowed} fields - not on [${info.path}] which is of type [${info.type}]`,
    ),
  );
}

/** The normalisation ES applies to multi-term query text for a field (`analyzer.normalize`). */
function multiTermNormalizer(info: FieldInfo, normalize: boolean): (s: string) => string {
  if (info.normalizer) return info.normalizer;
  if (normalize && info.kind === "text" && info.analyzerName !== "whitespace" && info.analyzerName !== "keyword")
    return (s) => s.toLowerCase();
  return (s) => s;
}

/** `prefix` on a keyword/text field (constant score); `normalize` as query_string does it. */
export function prefixQueryFor(
  ctx: FieldQueryContext,
  field: string,
  prefix: string,
  opts: { boost?: number; caseInsensitive?: boolean; normalize?: boolean; lenient?: boolean } = {},
): Query {
  if (field === "_id") throw errors.notSupported("prefix queries on [_id]");
  const info = fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  if (info.kind !== "text" && info.kind !== "keyword" && opts.lenient) return MATCH_NONE;
  requireStringField(ctx, info, "prefix", "keyword, text and wildcard");
  const p = multiTermNormalizer(info, opts.normalize ?? false)(prefix);
  const matches = opts.caseInsensitive ? (t: string) => t.toLowerCase().startsWith(p.toLowerCase()) : (t: string) => t.startsWith(p);
  return { kind: "multiTerm", field, matches, boost: opts.boost ?? 1 };
}

/**
 * Compiles a pattern the way Lucene does (an automaton, determinized under the work limit) and
 * reports failures as ES does: SearchExecutionContext.toQuery wraps the IllegalArgumentException or
 * TooComplexToDeterminizeException in a query_shard_exception "failed to create query: …"; a
 * lenient query_string (QueryStringQueryParser) turns them into a query that matches nothing.
 */
function compilePattern(ctx: FieldQueryContext, lenient: boolean | undefined, compile: () => (t: string) => boolean) {
  try {
    return compile();
  } catch (e) {
    const type =
      e instanceof TooComplexToDeterminizeError
        ? "too_complex_to_determinize_exception"
        : e instanceof AutomatonSyntaxError
          ? "illegal_argument_exception"
          : undefined;
    if (type === undefined) throw e;
    if (lenient) return undefined;
    const reason = (e as Error).message;
    throw shardError(ctx, `failed to create query: ${reason}`, errors.cause(type, reason));
  }
}

/** `wildcard` (`*`, `?`, backslash escapes) on a keyword/text field, matched by an automaton (see ./automaton.ts). */
export function wildcardQueryFor(
  ctx: FieldQueryContext,
  field: string,
  pattern: string,
  opts: { boost?: number; caseInsensitive?: boolean; normalize?: boolean; lenient?: boolean } = {},
): Query {
  const info = fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  if (info.kind !== "text" && info.kind !== "keyword" && opts.lenient) return MATCH_NONE;
  requireStringField(ctx, info, "wildcard", "keyword and text");
  const normalize = multiTermNormalizer(info, opts.normalize ?? false);
  const matches = compilePattern(ctx, opts.lenient, () => wildcardMatcher(pattern, { caseInsensitive: opts.caseInsensitive, normalize }));
  return matches ? { kind: "multiTerm", field, matches, boost: opts.boost ?? 1 } : MATCH_NONE;
}

/**
 * `regexp` on a keyword/text field: Lucene RegExp syntax with `flags` (default ALL), matched by an
 * automaton (see ./automaton.ts). `maxRegexLength` is RegexpQueryBuilder's `index.max_regex_length`
 * check, which the query_string form does not make.
 */
export function regexpQueryFor(
  ctx: FieldQueryContext,
  field: string,
  source: string,
  opts: {
    boost?: number;
    caseInsensitive?: boolean;
    lenient?: boolean;
    flags?: number;
    maxDeterminizedStates?: number;
    maxRegexLength?: number;
  } = {},
): Query {
  if (opts.maxRegexLength !== undefined && source.length > opts.maxRegexLength) {
    const reason =
      `The length of regex [${source.length}] used in the Regexp Query request has exceeded the allowed maximum of ` +
      `[${opts.maxRegexLength}]. This maximum can be set by changing the [index.max_regex_length] index level setting.`;
    throw shardError(ctx, `failed to create query: ${reason}`, errors.cause("illegal_argument_exception", reason));
  }
  const info = fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  if (info.kind !== "text" && info.kind !== "keyword" && opts.lenient) return MATCH_NONE;
  requireStringField(ctx, info, "regexp", "keyword and text");
  const matches = compilePattern(ctx, opts.lenient, () =>
    regexpMatcher(source, { flags: opts.flags, caseInsensitive: opts.caseInsensitive, maxDeterminizedStates: opts.maxDeterminizedStates }),
  );
  return matches ? { kind: "multiTerm", field, matches, boost: opts.boost ?? 1 } : MATCH_NONE;
}

/** Fuzziness options (`AUTO`, `AUTO:3,6`, `0`, `1`, `2`). */
export interface FuzzyOptions {
  fuzziness?: unknown;
  prefixLength?: number;
  maxExpansions?: number;
  transpositions?: boolean;
}

/** A fuzzy query for one (already analysed/normalised) term. */
function fuzzyTermQuery(field: string, term: string, o: FuzzyOptions, boost = 1): Query {
  return {
    kind: "fuzzy",
    field,
    term,
    maxEdits: editDistanceLimit(o.fuzziness ?? "AUTO", term),
    prefixLength: o.prefixLength ?? 0,
    transpositions: o.transpositions ?? true,
    maxExpansions: o.maxExpansions ?? 50,
    boost,
  };
}

/** `fuzzy` on a keyword/text field (term not analysed, like ES's FuzzyQueryBuilder). */
export function fuzzyQueryFor(
  ctx: FieldQueryContext,
  field: string,
  value: string,
  o: FuzzyOptions,
  boost = 1,
  lenient = false,
  normalize = false,
): Query {
  const info = fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  if (info.kind !== "text" && info.kind !== "keyword") {
    if (lenient) return MATCH_NONE;
    requireStringField(ctx, info, "fuzzy", "keyword and text");
  }
  return fuzzyTermQuery(field, multiTermNormalizer(info, normalize)(value), o, boost);
}

/** Options of full-text (match-family) queries. */
export interface MatchOptions {
  operator?: "OR" | "AND";
  minimumShouldMatch?: string | number;
  analyzer?: string;
  lenient?: boolean;
  fuzzy?: FuzzyOptions;
  zeroTermsQuery?: "none" | "all";
  boost?: number;
}

function analyzerFor(ctx: FieldQueryContext, info: FieldInfo, name: string | undefined, quoted: boolean): Analyzer {
  if (name !== undefined) {
    const a = analyzerByName(name);
    if (!a) throw shardError(ctx, `[match] analyzer [${name}] not found`);
    return a;
  }
  return quoted ? info.searchQuoteAnalyzer : info.searchAnalyzer;
}

function zeroTerms(o: MatchOptions): Query {
  return o.zeroTermsQuery === "all" ? { kind: "all", boost: o.boost ?? 1 } : MATCH_NONE;
}

/**
 * The `match` query on one field (MatchQueryParser, type boolean): text is analysed with the
 * field's search analyzer; one token → term query, several → a bool of terms combined with the
 * operator and `minimum_should_match`. Non-text fields take the text as one exact value.
 * Returns null when analysis produced no tokens and `zero_terms_query` is `none`.
 */
export function matchQueryFor(ctx: FieldQueryContext, field: string, value: unknown, o: MatchOptions = {}): Query | null {
  const boost = o.boost ?? 1;
  const info = fieldInfo(ctx, field);
  if (!info) return field.startsWith("_") ? termQueryFor(ctx, field, value, boost, o.lenient) : MATCH_NONE;
  if (info.kind !== "text" && info.kind !== "keyword") {
    if (info.kind === "opaque") {
      if (o.lenient) return MATCH_NONE;
      throw errors.notSupported(`full-text queries on [${info.type}] fields (field [${field}])`);
    }
    return termQueryFor(ctx, field, value, boost, o.lenient);
  }
  const text = textValue(value);
  const terms = analyzerFor(
    ctx,
    info,
    o.analyzer,
    false,
  )(text).map((t) => (info.kind === "keyword" && info.normalizer ? info.normalizer(t.term) : t.term));
  if (terms.length === 0) return o.zeroTermsQuery === "all" ? zeroTerms(o) : null;
  const termQuery = (term: string): Query =>
    o.fuzzy && o.fuzzy.fuzziness !== undefined ? fuzzyTermQuery(field, term, o.fuzzy) : { kind: "term", field, term, boost: 1 };
  if (terms.length === 1) {
    const q = termQuery(terms[0]);
    return boost === 1 ? q : ({ ...q, boost: (q as { boost: number }).boost * boost } as Query);
  }
  const clauses = terms.map(termQuery);
  if (o.operator === "AND") return bool({ must: clauses, boost });
  return bool({ should: clauses, minimumShouldMatch: resolveMinimumShouldMatch(clauses.length, o.minimumShouldMatch), boost });
}

/**
 * `match_phrase` on one field: analysed tokens at their positions; one token → term query.
 * With `prefixLast`, the last term is expanded as a prefix (match_phrase_prefix).
 */
export function phraseQueryFor(
  ctx: FieldQueryContext,
  field: string,
  value: unknown,
  o: {
    slop?: number;
    analyzer?: string;
    boost?: number;
    lenient?: boolean;
    zeroTermsQuery?: "none" | "all";
    prefixLast?: { maxExpansions: number; terms: (prefix: string) => string[] };
  } = {},
): Query | null {
  const boost = o.boost ?? 1;
  const info = fieldInfo(ctx, field);
  if (!info) return MATCH_NONE;
  if (info.kind !== "text" && info.kind !== "keyword") {
    if (info.kind === "opaque") return MATCH_NONE;
    return termQueryFor(ctx, field, value, boost, o.lenient);
  }
  const tokens = analyzerFor(ctx, info, o.analyzer, true)(textValue(value));
  if (tokens.length === 0) return o.zeroTermsQuery === "all" ? { kind: "all", boost } : null;
  const terms = tokens.map((t) => (info.normalizer ? info.normalizer(t.term) : t.term));
  const positions = tokens.map((t) => t.position);
  if (o.prefixLast) {
    const expansions = o.prefixLast.terms(terms[terms.length - 1]).slice(0, o.prefixLast.maxExpansions);
    if (terms.length === 1) {
      return expansions.length === 0
        ? MATCH_NONE
        : bool({ should: expansions.map((term) => ({ kind: "term", field, term, boost: 1 }) as Query), boost });
    }
    const phrases = expansions.map(
      (last) => ({ kind: "phrase", field, terms: [...terms.slice(0, -1), last], positions, slop: o.slop ?? 0, boost: 1 }) as Query,
    );
    return phrases.length === 0 ? MATCH_NONE : bool({ should: phrases, boost });
  }
  if (terms.length === 1) return { kind: "term", field, term: terms[0], boost };
  return { kind: "phrase", field, terms, positions, slop: o.slop ?? 0, boost };
}

/** A field name with an optional `^boost` suffix, as in `fields: ["title^2", "body"]`. */
export function parseFieldSpec(spec: string): { name: string; boost: number } {
  const caret = spec.lastIndexOf("^");
  if (caret <= 0) return { name: spec, boost: 1 };
  const boost = Number(spec.slice(caret + 1));
  return Number.isFinite(boost) ? { name: spec.slice(0, caret), boost } : { name: spec, boost: 1 };
}

/**
 * Expands field names and patterns into concrete fields with boosts (QueryParserHelper):
 * `*` means every field ES would search by default (not metadata, not geo/flattened, and only
 * fields that have values), wildcards match full paths, plain names stay as they are even when
 * unmapped (they then match nothing).
 */
export function resolveFields(ctx: FieldQueryContext, specs: readonly string[]): { name: string; boost: number }[] {
  const out = new Map<string, number>();
  for (const spec of specs) {
    const { name, boost } = parseFieldSpec(spec);
    if (name.includes("*")) {
      const all = name === "*";
      const pattern = globToRegExp(name);
      for (const [path, info] of ctx.table.fields) {
        if (!pattern.test(path) || info.kind === "opaque") continue;
        if (all && !ctx.hasValues(path)) continue;
        out.set(path, (out.get(path) ?? 1) * boost);
      }
    } else {
      out.set(name, (out.get(name) ?? 1) * boost);
    }
  }
  return [...out].map(([name, boost]) => ({ name, boost }));
}

/** Whether a field list means "all fields" (lenient by default in ES). */
export function isAllFields(specs: readonly string[]): boolean {
  return specs.length === 1 && parseFieldSpec(specs[0]).name === "*";
}

/** Combines per-field queries as ES's multi-field parsers do: one stays itself, several go into a dis_max. */
export function combineFields(queries: (Query | null)[], tieBreaker: number): Query | null {
  const present = queries.filter((q): q is Query => q !== null && q.kind !== "none");
  if (present.length === 0) return queries.some((q) => q !== null) ? MATCH_NONE : null;
  if (present.length === 1) return present[0];
  return { kind: "disMax", queries: present, tieBreaker, boost: 1 };
}
