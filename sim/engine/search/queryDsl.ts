/**
 * The JSON query DSL: parses a `query` object the way ES's QueryBuilders do (short and long forms,
 * their parsing errors with `line`/`col`) and compiles it to the internal {@link Query} tree with
 * the field semantics of {@link ./fieldQueries}.
 *
 * One file, above the tree's ~600 lines, on purpose: every query type is a handler in one table
 * that the compound queries recurse through and ES's "did you mean" suggestions are drawn from, and
 * most of its length is parameter parsing, one `case` per parameter as ES's QueryBuilders read them;
 * the field semantics are already apart (fieldQueries.ts, queryStringQuery.ts, simpleQueryString.ts).
 */
import { EsError, errors } from "../errors";
import {
  combineFields,
  existsQueryFor,
  FieldQueryContext,
  fuzzyQueryFor,
  isAllFields,
  MatchOptions,
  matchQueryFor,
  phraseQueryFor,
  prefixQueryFor,
  rangeQueryFor,
  regexpQueryFor,
  resolveFields,
  termQueryFor,
  wildcardQueryFor,
} from "./fieldQueries";
import { resolveRegexpFlags } from "./automaton";
import { locateInJson } from "./jsonLocation";
import { editDistance } from "./textDistance";
import { bool, MATCH_NONE, Query, resolveMinimumShouldMatch, withBoost } from "./query";
import { queryStringQuery } from "./queryStringQuery";
import { simpleQueryStringQuery } from "./simpleQueryString";

type JsonPath = (string | number)[];

/** Compilation context: the index's fields, plus the request body (for error locations). */
export interface DslContext extends FieldQueryContext {
  readonly body: unknown;
  /** Terms of a field starting with a prefix, for match_phrase_prefix expansion. */
  readonly termsWithPrefix: (field: string, prefix: string) => string[];
}

/** Query types ES has that es-sim does not implement (a clear error rather than "unknown query"). */
const UNSUPPORTED_QUERIES = new Set([
  "nested",
  "has_child",
  "has_parent",
  "parent_id",
  "function_score",
  "script_score",
  "script",
  "boosting",
  "geo_bounding_box",
  "geo_distance",
  "geo_polygon",
  "geo_shape",
  "shape",
  "more_like_this",
  "percolate",
  "span_term",
  "span_multi",
  "span_first",
  "span_near",
  "span_or",
  "span_not",
  "span_containing",
  "span_within",
  "span_field_masking",
  "intervals",
  "distance_feature",
  "rank_feature",
  "wrapper",
  "pinned",
  "knn",
  "terms_set",
  "combined_fields",
  "match_bool_prefix",
  "semantic",
  "sparse_vector",
  "text_expansion",
  "weighted_tokens",
  "rule",
  "type",
]);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** How close two names are, for ES's "did you mean" suggestions (Lucene LevenshteinDistance). */
function similarity(a: string, b: string): number {
  return 1 - editDistance(a, b, Math.max(a.length, b.length), false) / Math.max(a.length, b.length);
}

/**
 * ES's `indices.query.max_nested_depth` (SearchModule, default 30): how many query objects may
 * nest inside each other. AbstractQueryBuilder.parseTopLevelQuery counts them while parsing and
 * refuses the one beyond, so no deep query reaches the recursive compile and execute steps.
 */
export const MAX_QUERY_NESTED_DEPTH = 30;

class DslCompiler {
  private depth = 0;

  constructor(private readonly ctx: DslContext) {}

  private parsing(reason: string, path: JsonPath) {
    const { line, col } = locateInJson(this.ctx.body, path);
    return errors.parsing(reason, { line, col });
  }

  private number(value: unknown, name: string, param: string, path: JsonPath): number {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n)) throw this.parsing(`[${name}] failed to parse field [${param}]`, path);
    return n;
  }

  private bool(value: unknown): boolean {
    return value === true || value === "true";
  }

  compile(json: unknown, path: JsonPath): Query {
    if (++this.depth > MAX_QUERY_NESTED_DEPTH) throw this.tooDeep(path);
    try {
      return this.compileOne(json, path);
    } finally {
      this.depth--;
    }
  }

  /**
   * The error of a query nested too deep. In ES the limit's IllegalArgumentException surfaces
   * through the ObjectParser of every enclosing compound query, each wrapping it as
   * `[name] failed to parse field [clause]`; es-sim keeps the outermost wrapper (the clause of the
   * top-level query) and the limit's message as its cause.
   */
  private tooDeep(path: JsonPath): EsError {
    const cause = errors.illegalArgument(
      "The nested depth of the query exceeds the maximum nested depth for queries set in [indices.query.max_nested_depth]",
    );
    // path = [...prefix, <query name>, <clause>, …]: the first string key after the top query's name
    const first = path.findIndex((p) => typeof p === "string" && this.handlers[p] !== undefined);
    const clauseIndex = path.findIndex((p, i) => i > first && typeof p === "string");
    if (first < 0 || clauseIndex < 0) return cause;
    const { line, col } = locateInJson(this.ctx.body, path.slice(0, clauseIndex + 1));
    return new EsError(
      "x_content_parse_exception",
      400,
      `[${line}:${col}] [${String(path[first])}] failed to parse field [${String(path[clauseIndex])}]`,
      {},
      cause,
    );
  }

  private compileOne(json: unknown, path: JsonPath): Query {
    if (!isPlainObject(json)) throw this.parsing("[_na] query malformed, must start with start_object", path);
    const keys = Object.keys(json);
    if (keys.length === 0) {
      const { line, col } = locateInJson(this.ctx.body, path);
      throw errors.illegalArgument(`query malformed, empty clause found at [${line}:${col}]`);
    }
    const name = keys[0];
    if (keys.length > 1) throw this.parsing(`[${name}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`, [...path, keys[1]]);
    const body = json[name];
    const bodyPath = [...path, name];
    const handler = this.handlers[name];
    if (!handler) {
      if (UNSUPPORTED_QUERIES.has(name)) throw errors.notSupported(`the [${name}] query`);
      const { line, col } = locateInJson(this.ctx.body, bodyPath);
      const candidates = Object.keys(this.handlers)
        .map((c) => ({ c, s: similarity(name, c) }))
        .filter((x) => x.s > 0.5)
        .sort((a, b) => b.s - a.s || (a.c < b.c ? -1 : 1))
        .map((x) => x.c);
      const hint =
        candidates.length === 0
          ? ""
          : candidates.length === 1
            ? ` did you mean [${candidates[0]}]?`
            : ` did you mean any of [${candidates.join(", ")}]?`;
      throw errors.unknownQuery(name, line, col, hint);
    }
    if (!isPlainObject(body)) throw this.parsing(`[${name}] query malformed, no start_object after query name`, bodyPath);
    return handler(body, bodyPath);
  }

  /** The single `{field: value}` entry of a field-keyed query (term, match, prefix…). */
  private fieldEntry(
    name: string,
    body: Record<string, unknown>,
    path: JsonPath,
    topLevel: string[] = [],
  ): { field: string; value: unknown; valuePath: JsonPath; extra: Record<string, unknown> } {
    const extra: Record<string, unknown> = {};
    const fields: string[] = [];
    for (const key of Object.keys(body)) {
      if (topLevel.includes(key)) extra[key] = body[key];
      else fields.push(key);
    }
    if (fields.length > 1)
      throw this.parsing(`[${name}] query doesn't support multiple fields, found [${fields[0]}] and [${fields[1]}]`, [...path, fields[1]]);
    if (fields.length === 0) throw this.parsing(`[${name}] query requires a field name`, path);
    return { field: fields[0], value: body[fields[0]], valuePath: [...path, fields[0]], extra };
  }

  /** Splits a long-form `{field: {value, params…}}` entry, rejecting unknown parameters as ES does. */
  private longForm(
    name: string,
    value: unknown,
    path: JsonPath,
    valueKeys: string[],
    params: string[],
  ): { value: unknown; params: Record<string, unknown> } {
    if (!isPlainObject(value)) {
      if (Array.isArray(value)) throw this.parsing(`[${name}] query does not support array of values`, path);
      return { value, params: {} };
    }
    let v: unknown;
    const out: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(value)) {
      if (valueKeys.includes(k)) v = p;
      else if (params.includes(k) || k === "boost" || k === "_name") out[k] = p;
      else throw this.parsing(`[${name}] query does not support [${k}]`, [...path, k]);
    }
    return { value: v, params: out };
  }

  private boostOf(params: Record<string, unknown>, name: string, path: JsonPath): number {
    return params.boost === undefined ? 1 : this.number(params.boost, name, "boost", path);
  }

  /** The regexp query's syntax flags: `flags` names (RegexpFlag.resolveValue) or `flags_value`; ALL by default. */
  private regexpFlags(params: Record<string, unknown>): number | undefined {
    if (params.flags_value !== undefined) return Number(params.flags_value);
    if (params.flags === undefined || params.flags === null) return undefined;
    try {
      return resolveRegexpFlags(String(params.flags));
    } catch (e) {
      throw errors.illegalArgument((e as Error).message);
    }
  }

  private clauses(value: unknown, path: JsonPath): Query[] {
    if (Array.isArray(value)) return value.map((q, i) => this.compile(q, [...path, i]));
    return [this.compile(value, path)];
  }

  private matchOptions(name: string, params: Record<string, unknown>, path: JsonPath): MatchOptions {
    const operator = params.operator === undefined ? "OR" : String(params.operator).toUpperCase();
    if (operator !== "OR" && operator !== "AND")
      throw this.parsing(`[${name}] query does not support [operator] value [${String(params.operator)}]`, path);
    const zero = params.zero_terms_query === undefined ? "none" : String(params.zero_terms_query).toLowerCase();
    if (zero !== "none" && zero !== "all")
      throw this.parsing(`Unsupported zero_terms_query value [${String(params.zero_terms_query)}]`, path);
    return {
      operator,
      minimumShouldMatch: params.minimum_should_match as string | number | undefined,
      analyzer: params.analyzer as string | undefined,
      lenient: params.lenient === undefined ? undefined : this.bool(params.lenient),
      zeroTermsQuery: zero,
      fuzzy:
        params.fuzziness === undefined
          ? undefined
          : {
              fuzziness: params.fuzziness,
              prefixLength: params.prefix_length as number | undefined,
              maxExpansions: params.max_expansions as number | undefined,
              transpositions: params.fuzzy_transpositions === undefined ? undefined : this.bool(params.fuzzy_transpositions),
            },
      boost: this.boostOf(params, name, path),
    };
  }

  private readonly handlers: Record<string, (body: Record<string, unknown>, path: JsonPath) => Query> = {
    match_all: (body, path) => {
      for (const k of Object.keys(body))
        if (k !== "boost" && k !== "_name") throw this.parsing(`[match_all] query does not support [${k}]`, [...path, k]);
      return { kind: "all", boost: this.boostOf(body, "match_all", path) };
    },
    match_none: (body, path) => {
      for (const k of Object.keys(body))
        if (k !== "boost" && k !== "_name") throw this.parsing(`[match_none] query does not support [${k}]`, [...path, k]);
      return MATCH_NONE;
    },
    term: (body, path) => {
      const e = this.fieldEntry("term", body, path);
      const { value, params } = this.longForm("term", e.value, e.valuePath, ["value"], ["case_insensitive"]);
      if (value === undefined || value === null) throw this.parsing("value cannot be null", e.valuePath);
      if (isPlainObject(value) || Array.isArray(value)) throw this.parsing(`[term] query does not support array of values`, e.valuePath);
      const boost = this.boostOf(params, "term", e.valuePath);
      if (this.bool(params.case_insensitive)) {
        const info = this.ctx.table.fields.get(e.field);
        if (info && (info.kind === "keyword" || info.kind === "text")) {
          const wanted = String(value).toLowerCase();
          return { kind: "multiTerm", field: e.field, matches: (t) => t.toLowerCase() === wanted, boost };
        }
      }
      return termQueryFor(this.ctx, e.field, value, boost);
    },
    terms: (body, path) => {
      const e = this.fieldEntry("terms", body, path, ["boost", "_name"]);
      if (isPlainObject(e.value)) throw errors.notSupported("the terms lookup form of the [terms] query");
      if (!Array.isArray(e.value)) throw this.parsing(`[terms] query does not support [${e.field}]`, e.valuePath);
      const boost = this.boostOf(e.extra, "terms", path);
      const values = e.value;
      if (e.field === "_id") return { kind: "ids", ids: values.map(String), boost };
      const info = this.ctx.table.fields.get(e.field);
      if (!info) return MATCH_NONE;
      if (info.kind === "text" || info.kind === "keyword" || info.kind === "ip" || info.kind === "boolean") {
        const terms = values.map((v) => {
          const q = termQueryFor(this.ctx, e.field, v);
          return q.kind === "term" ? q.term : undefined;
        });
        return { kind: "termSet", field: e.field, terms: terms.filter((t): t is string => t !== undefined), boost };
      }
      return { kind: "constant", query: bool({ should: values.map((v) => termQueryFor(this.ctx, e.field, v)) }), boost };
    },
    range: (body, path) => {
      const e = this.fieldEntry("range", body, path);
      if (!isPlainObject(e.value)) throw this.parsing(`[range] query malformed, no start_object after query name`, e.valuePath);
      const r: { lower?: unknown; upper?: unknown; includeLower: boolean; includeUpper: boolean } = {
        includeLower: true,
        includeUpper: true,
      };
      let format: string | undefined;
      let timeZone: string | undefined;
      let boost = 1;
      for (const [k, v] of Object.entries(e.value)) {
        const p = [...e.valuePath, k];
        switch (k) {
          case "gt":
            r.lower = v;
            r.includeLower = false;
            break;
          case "gte":
            r.lower = v;
            r.includeLower = true;
            break;
          case "lt":
            r.upper = v;
            r.includeUpper = false;
            break;
          case "lte":
            r.upper = v;
            r.includeUpper = true;
            break;
          case "from":
            r.lower = v;
            break;
          case "to":
            r.upper = v;
            break;
          case "include_lower":
            r.includeLower = this.bool(v);
            break;
          case "include_upper":
            r.includeUpper = this.bool(v);
            break;
          case "format":
            format = String(v);
            break;
          case "time_zone":
            timeZone = String(v);
            break;
          case "boost":
            boost = this.number(v, "range", "boost", p);
            break;
          case "_name":
            break;
          case "relation":
            if (String(v).toUpperCase() !== "INTERSECTS") throw errors.notSupported(`[range] [relation] [${String(v)}]`);
            break;
          default:
            throw this.parsing(`[range] query does not support [${k}]`, p);
        }
      }
      return rangeQueryFor(this.ctx, e.field, r, { format, timeZone, boost });
    },
    exists: (body, path) => {
      let field: string | undefined;
      let boost = 1;
      for (const [k, v] of Object.entries(body)) {
        if (k === "field") field = String(v);
        else if (k === "boost") boost = this.number(v, "exists", "boost", [...path, k]);
        else if (k !== "_name") throw this.parsing(`[exists] query does not support [${k}]`, [...path, k]);
      }
      if (field === undefined) throw this.parsing("[exists] must be provided with a [field]", path);
      return existsQueryFor(this.ctx, field, boost);
    },
    ids: (body, path) => {
      let ids: string[] = [];
      let boost = 1;
      for (const [k, v] of Object.entries(body)) {
        if (k === "values") {
          if (!Array.isArray(v)) throw this.parsing(`[ids] failed to parse field [values]`, [...path, k]);
          ids = v.map(String);
        } else if (k === "boost") boost = this.number(v, "ids", "boost", [...path, k]);
        else if (k !== "_name") throw this.parsing(`[ids] unknown field [${k}]`, [...path, k]);
      }
      return { kind: "ids", ids, boost };
    },
    prefix: (body, path) => {
      const e = this.fieldEntry("prefix", body, path);
      const { value, params } = this.longForm("prefix", e.value, e.valuePath, ["value", "prefix"], ["case_insensitive", "rewrite"]);
      return prefixQueryFor(this.ctx, e.field, String(value), {
        boost: this.boostOf(params, "prefix", e.valuePath),
        caseInsensitive: this.bool(params.case_insensitive),
      });
    },
    wildcard: (body, path) => {
      const e = this.fieldEntry("wildcard", body, path);
      const { value, params } = this.longForm("wildcard", e.value, e.valuePath, ["value", "wildcard"], ["case_insensitive", "rewrite"]);
      return wildcardQueryFor(this.ctx, e.field, String(value), {
        boost: this.boostOf(params, "wildcard", e.valuePath),
        caseInsensitive: this.bool(params.case_insensitive),
      });
    },
    regexp: (body, path) => {
      const e = this.fieldEntry("regexp", body, path);
      const { value, params } = this.longForm(
        "regexp",
        e.value,
        e.valuePath,
        ["value"],
        ["flags", "flags_value", "case_insensitive", "max_determinized_states", "rewrite"],
      );
      return regexpQueryFor(this.ctx, e.field, String(value), {
        boost: this.boostOf(params, "regexp", e.valuePath),
        caseInsensitive: this.bool(params.case_insensitive),
        flags: this.regexpFlags(params),
        maxDeterminizedStates:
          params.max_determinized_states === undefined
            ? undefined
            : this.number(params.max_determinized_states, "regexp", "max_determinized_states", [...e.valuePath, "max_determinized_states"]),
        maxRegexLength: this.ctx.maxRegexLength ?? 1000,
      });
    },
    fuzzy: (body, path) => {
      const e = this.fieldEntry("fuzzy", body, path);
      const { value, params } = this.longForm(
        "fuzzy",
        e.value,
        e.valuePath,
        ["value"],
        ["fuzziness", "prefix_length", "max_expansions", "transpositions", "rewrite"],
      );
      return fuzzyQueryFor(
        this.ctx,
        e.field,
        String(value),
        {
          fuzziness: params.fuzziness ?? "AUTO",
          prefixLength: params.prefix_length as number | undefined,
          maxExpansions: params.max_expansions as number | undefined,
          transpositions: params.transpositions === undefined ? undefined : this.bool(params.transpositions),
        },
        this.boostOf(params, "fuzzy", e.valuePath),
      );
    },
    match: (body, path) => {
      const e = this.fieldEntry("match", body, path);
      const { value, params } = this.longForm(
        "match",
        e.value,
        e.valuePath,
        ["query"],
        [
          "operator",
          "minimum_should_match",
          "analyzer",
          "lenient",
          "fuzziness",
          "prefix_length",
          "max_expansions",
          "fuzzy_transpositions",
          "fuzzy_rewrite",
          "zero_terms_query",
          "auto_generate_synonyms_phrase_query",
        ],
      );
      if (value === undefined) throw this.parsing("[match] requires query value", e.valuePath);
      return matchQueryFor(this.ctx, e.field, value, this.matchOptions("match", params, e.valuePath)) ?? MATCH_NONE;
    },
    match_phrase: (body, path) => {
      const e = this.fieldEntry("match_phrase", body, path);
      const { value, params } = this.longForm("match_phrase", e.value, e.valuePath, ["query"], ["slop", "analyzer", "zero_terms_query"]);
      const zero = String(params.zero_terms_query ?? "none").toLowerCase() as "none" | "all";
      return (
        phraseQueryFor(this.ctx, e.field, value, {
          slop: params.slop === undefined ? 0 : this.number(params.slop, "match_phrase", "slop", e.valuePath),
          analyzer: params.analyzer as string | undefined,
          boost: this.boostOf(params, "match_phrase", e.valuePath),
          zeroTermsQuery: zero,
        }) ?? MATCH_NONE
      );
    },
    match_phrase_prefix: (body, path) => {
      const e = this.fieldEntry("match_phrase_prefix", body, path);
      const { value, params } = this.longForm(
        "match_phrase_prefix",
        e.value,
        e.valuePath,
        ["query"],
        ["slop", "analyzer", "max_expansions", "zero_terms_query"],
      );
      return (
        phraseQueryFor(this.ctx, e.field, value, {
          slop: params.slop === undefined ? 0 : this.number(params.slop, "match_phrase_prefix", "slop", e.valuePath),
          analyzer: params.analyzer as string | undefined,
          boost: this.boostOf(params, "match_phrase_prefix", e.valuePath),
          prefixLast: {
            maxExpansions:
              params.max_expansions === undefined
                ? 50
                : this.number(params.max_expansions, "match_phrase_prefix", "max_expansions", e.valuePath),
            terms: (prefix) => this.ctx.termsWithPrefix(e.field, prefix),
          },
        }) ?? MATCH_NONE
      );
    },
    multi_match: (body, path) => this.multiMatch(body, path),
    bool: (body, path) => {
      const parts = { must: [] as Query[], should: [] as Query[], filter: [] as Query[], mustNot: [] as Query[] };
      let msm: unknown;
      let boost = 1;
      for (const [k, v] of Object.entries(body)) {
        const p = [...path, k];
        switch (k) {
          case "must":
            parts.must.push(...this.clauses(v, p));
            break;
          case "should":
            parts.should.push(...this.clauses(v, p));
            break;
          case "filter":
            parts.filter.push(...this.clauses(v, p));
            break;
          case "must_not":
          case "mustNot":
            parts.mustNot.push(...this.clauses(v, p));
            break;
          case "minimum_should_match":
            msm = v;
            break;
          case "boost":
            boost = this.number(v, "bool", "boost", p);
            break;
          case "_name":
          case "adjust_pure_negative":
            break;
          default:
            throw this.parsing(`[bool] query does not support [${k}]`, p);
        }
      }
      const minimumShouldMatch = resolveMinimumShouldMatch(parts.should.length, msm as string | number | undefined);
      if (parts.should.length > 0 && minimumShouldMatch > parts.should.length) return MATCH_NONE;
      return bool({ ...parts, minimumShouldMatch, boost });
    },
    constant_score: (body, path) => {
      let filter: Query | undefined;
      let boost = 1;
      for (const [k, v] of Object.entries(body)) {
        if (k === "filter") filter = this.compile(v, [...path, k]);
        else if (k === "boost") boost = this.number(v, "constant_score", "boost", [...path, k]);
        else if (k !== "_name") throw this.parsing(`[constant_score] query does not support [${k}]`, [...path, k]);
      }
      if (!filter) throw this.parsing("[constant_score] requires a 'filter' element", path);
      return { kind: "constant", query: filter, boost };
    },
    dis_max: (body, path) => {
      let queries: Query[] = [];
      let tieBreaker = 0;
      let boost = 1;
      for (const [k, v] of Object.entries(body)) {
        if (k === "queries") queries = this.clauses(v, [...path, k]);
        else if (k === "tie_breaker") tieBreaker = this.number(v, "dis_max", "tie_breaker", [...path, k]);
        else if (k === "boost") boost = this.number(v, "dis_max", "boost", [...path, k]);
        else if (k !== "_name") throw this.parsing(`[dis_max] query does not support [${k}]`, [...path, k]);
      }
      if (queries.length === 0) throw this.parsing("[dis_max] requires 'queries' field with at least one clause", path);
      return { kind: "disMax", queries, tieBreaker, boost };
    },
    query_string: (body, path) => {
      const known = [
        "query",
        "default_field",
        "fields",
        "default_operator",
        "analyzer",
        "quote_analyzer",
        "allow_leading_wildcard",
        "analyze_wildcard",
        "fuzziness",
        "fuzzy_max_expansions",
        "fuzzy_prefix_length",
        "fuzzy_transpositions",
        "lenient",
        "boost",
        "minimum_should_match",
        "phrase_slop",
        "tie_breaker",
        "time_zone",
        "type",
        "auto_generate_synonyms_phrase_query",
        "enable_position_increments",
        "max_determinized_states",
        "rewrite",
        "escape",
        "_name",
        "quote_field_suffix",
        "fuzzy_rewrite",
      ];
      for (const k of Object.keys(body))
        if (!known.includes(k)) throw this.parsing(`[query_string] query does not support [${k}]`, [...path, k]);
      if (body.query === undefined) throw this.parsing("[query_string] must be provided with a [query]", path);
      if (body.quote_field_suffix !== undefined) throw errors.notSupported("[quote_field_suffix] of query_string");
      const fields = Array.isArray(body.fields) ? body.fields.map(String) : undefined;
      const defaultFields =
        fields && fields.length > 0
          ? fields
          : body.default_field !== undefined
            ? [String(body.default_field)]
            : [...(this.ctx.defaultFields ?? ["*"])];
      return queryStringQuery(this.ctx, {
        query: String(body.query),
        defaultFields,
        defaultOperator: String(body.default_operator ?? "OR").toUpperCase() === "AND" ? "AND" : "OR",
        analyzer: body.analyzer as string | undefined,
        quoteAnalyzer: body.quote_analyzer as string | undefined,
        lenient: body.lenient === undefined ? undefined : this.bool(body.lenient),
        phraseSlop: body.phrase_slop === undefined ? 0 : this.number(body.phrase_slop, "query_string", "phrase_slop", path),
        fuzziness: body.fuzziness,
        fuzzyPrefixLength: body.fuzzy_prefix_length as number | undefined,
        fuzzyMaxExpansions: body.fuzzy_max_expansions as number | undefined,
        fuzzyTranspositions: body.fuzzy_transpositions === undefined ? undefined : this.bool(body.fuzzy_transpositions),
        tieBreaker: body.tie_breaker === undefined ? undefined : this.number(body.tie_breaker, "query_string", "tie_breaker", path),
        type: body.type === undefined ? undefined : String(body.type).toLowerCase(),
        minimumShouldMatch: body.minimum_should_match as string | number | undefined,
        timeZone: body.time_zone as string | undefined,
        allowLeadingWildcard: body.allow_leading_wildcard === undefined ? true : this.bool(body.allow_leading_wildcard),
        boost: this.boostOf(body, "query_string", path),
      });
    },
    simple_query_string: (body, path) => {
      const known = [
        "query",
        "fields",
        "default_operator",
        "analyzer",
        "flags",
        "lenient",
        "minimum_should_match",
        "quote_field_suffix",
        "analyze_wildcard",
        "auto_generate_synonyms_phrase_query",
        "fuzzy_prefix_length",
        "fuzzy_max_expansions",
        "fuzzy_transpositions",
        "boost",
        "_name",
      ];
      for (const k of Object.keys(body))
        if (!known.includes(k)) throw this.parsing(`[simple_query_string] unknown token [${k}] after [${k}]`, [...path, k]);
      if (body.query === undefined) throw this.parsing("[simple_query_string] query text missing", path);
      if (body.quote_field_suffix !== undefined) throw errors.notSupported("[quote_field_suffix] of simple_query_string");
      const fields =
        Array.isArray(body.fields) && body.fields.length > 0 ? body.fields.map(String) : [...(this.ctx.defaultFields ?? ["*"])];
      return simpleQueryStringQuery(this.ctx, {
        query: String(body.query),
        fields,
        defaultOperator: String(body.default_operator ?? "OR").toUpperCase() === "AND" ? "AND" : "OR",
        analyzer: body.analyzer as string | undefined,
        lenient: body.lenient === undefined ? undefined : this.bool(body.lenient),
        flags: body.flags === undefined ? undefined : String(body.flags),
        minimumShouldMatch: body.minimum_should_match as string | number | undefined,
        fuzzyPrefixLength: body.fuzzy_prefix_length as number | undefined,
        fuzzyMaxExpansions: body.fuzzy_max_expansions as number | undefined,
        fuzzyTranspositions: body.fuzzy_transpositions === undefined ? undefined : this.bool(body.fuzzy_transpositions),
        boost: this.boostOf(body, "simple_query_string", path),
      });
    },
  };

  private multiMatch(body: Record<string, unknown>, path: JsonPath): Query {
    const known = [
      "query",
      "fields",
      "type",
      "operator",
      "minimum_should_match",
      "tie_breaker",
      "analyzer",
      "fuzziness",
      "prefix_length",
      "max_expansions",
      "fuzzy_transpositions",
      "fuzzy_rewrite",
      "lenient",
      "zero_terms_query",
      "boost",
      "_name",
      "slop",
      "auto_generate_synonyms_phrase_query",
    ];
    for (const k of Object.keys(body))
      if (!known.includes(k)) throw this.parsing(`[multi_match] query does not support [${k}]`, [...path, k]);
    if (body.query === undefined) throw this.parsing("[multi_match] requires query value", path);
    const type = String(body.type ?? "best_fields").toLowerCase();
    if (!["best_fields", "most_fields", "phrase", "phrase_prefix"].includes(type)) {
      if (["cross_fields", "bool_prefix"].includes(type)) throw errors.notSupported(`multi_match [type] [${type}]`);
      throw this.parsing(`[multi_match] query does not support type ${type}`, [...path, "type"]);
    }
    const specs =
      body.fields === undefined
        ? [...(this.ctx.defaultFields ?? ["*"])]
        : Array.isArray(body.fields)
          ? body.fields.map(String)
          : [String(body.fields)];
    const options = this.matchOptions("multi_match", body, path);
    if (options.lenient === undefined && isAllFields(specs)) options.lenient = true;
    const tieBreaker =
      body.tie_breaker === undefined ? (type === "most_fields" ? 1 : 0) : this.number(body.tie_breaker, "multi_match", "tie_breaker", path);
    const slop = body.slop === undefined ? 0 : this.number(body.slop, "multi_match", "slop", path);
    const perField = resolveFields(this.ctx, specs.length === 0 ? ["*"] : specs).map(({ name, boost }) => {
      let q: Query | null;
      if (type === "phrase" || type === "phrase_prefix") {
        q = phraseQueryFor(this.ctx, name, body.query, {
          slop,
          analyzer: options.analyzer,
          lenient: options.lenient,
          zeroTermsQuery: options.zeroTermsQuery,
          prefixLast:
            type === "phrase_prefix"
              ? { maxExpansions: Number(body.max_expansions ?? 50), terms: (prefix) => this.ctx.termsWithPrefix(name, prefix) }
              : undefined,
        });
      } else {
        q = matchQueryFor(this.ctx, name, body.query, { ...options, boost: 1 });
      }
      return q === null ? null : withBoost(q, boost);
    });
    let combined: Query | null;
    if (tieBreaker === 1) {
      const present = perField.filter((q): q is Query => q !== null && q.kind !== "none");
      combined = present.length > 1 ? bool({ should: present }) : combineFields(perField, 0);
    } else {
      combined = combineFields(perField, tieBreaker);
    }
    return withBoost(combined ?? MATCH_NONE, options.boost ?? 1);
  }
}

/** Compiles a DSL query object found at `path` in the request body. */
export function compileQuery(ctx: DslContext, json: unknown, path: JsonPath): Query {
  return new DslCompiler(ctx).compile(json, path);
}
