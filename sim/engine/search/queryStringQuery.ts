/**
 * ES's `query_string` query (and `q=`): the Lucene syntax from {@link parseQueryString} with
 * QueryStringQueryParser's field semantics: default field `*` = every searchable field (lenient),
 * `field:>=5` ranges, `_exists_:field`, `field:*` = exists, `*` = match_all, per-field analysis,
 * several fields combined in a dis_max (best_fields) or summed (most_fields).
 */
import { errors } from "../errors";
import {
  combineFields,
  existsQueryFor,
  FieldQueryContext,
  fuzzyQueryFor,
  isAllFields,
  matchQueryFor,
  phraseQueryFor,
  prefixQueryFor,
  rangeQueryFor,
  regexpQueryFor,
  resolveFields,
  wildcardQueryFor,
} from "./fieldQueries";
import { bool, MATCH_NONE, Query, resolveMinimumShouldMatch, withBoost } from "./query";
import { parseQueryString, QueryStringBuilder, QuerySyntaxError } from "./queryStringParser";
import { ShardFailure } from "./shardFailure";

/** Settings of a query_string query (URL `q=` maps onto the same). */
export interface QueryStringOptions {
  query: string;
  /** Fields searched when a clause names none: `fields`, else `default_field`/`df`, else `*`. */
  defaultFields: string[];
  defaultOperator: "OR" | "AND";
  analyzer?: string;
  quoteAnalyzer?: string;
  /** Undefined = ES's default: lenient only when searching all fields. */
  lenient?: boolean;
  phraseSlop: number;
  fuzziness?: unknown;
  fuzzyPrefixLength?: number;
  fuzzyMaxExpansions?: number;
  fuzzyTranspositions?: boolean;
  tieBreaker?: number;
  type?: string;
  minimumShouldMatch?: string | number;
  timeZone?: string;
  allowLeadingWildcard?: boolean;
  boost: number;
}

const RANGE_PREFIXES: [string, "lower" | "upper", boolean][] = [
  [">=", "lower", true],
  ["<=", "upper", true],
  [">", "lower", false],
  ["<", "upper", false],
];

/** Builds the query for a query_string; syntax errors become ES's `Failed to parse query [...]` shard failure. */
export function queryStringQuery(ctx: FieldQueryContext, o: QueryStringOptions): Query {
  const type = o.type ?? "best_fields";
  if (type !== "best_fields" && type !== "most_fields" && type !== "phrase") throw errors.notSupported(`query_string [type] [${type}]`);
  const tieBreaker = o.tieBreaker ?? (type === "most_fields" ? 1 : 0);
  // QueryStringQueryBuilder.doToQuery: lenient when asked, else always on the `*` field, else
  // `index.query_string.lenient`.
  const lenientFor = (fields: string[]) => o.lenient ?? (isAllFields(fields) || ctx.queryStringLenient === true);

  const fieldsOf = (field: string | undefined): string[] => (field === undefined ? o.defaultFields : [field]);
  const perField = (field: string | undefined, build: (name: string, lenient: boolean) => Query | null): Query | null => {
    const specs = fieldsOf(field);
    const lenient = lenientFor(specs);
    const resolved = resolveFields(ctx, specs);
    if (resolved.length === 0) return MATCH_NONE;
    return combine(
      resolved.map(({ name, boost }) => {
        const q = build(name, lenient);
        return q === null ? null : withBoost(q, boost);
      }),
    );
  };
  const combine = (queries: (Query | null)[]): Query | null => {
    if (tieBreaker === 1) {
      const present = queries.filter((q): q is Query => q !== null && q.kind !== "none");
      if (present.length > 1) return bool({ should: present });
    }
    return combineFields(queries, tieBreaker);
  };

  const builder: QueryStringBuilder = {
    defaultOperator: o.defaultOperator,
    fieldQuery(field, text, quoted, slop) {
      if (field === "_exists_") return existsQueryFor(ctx, text);
      if (!quoted && text.length > 1) {
        for (const [prefix, side, inclusive] of RANGE_PREFIXES) {
          if (!text.startsWith(prefix)) continue;
          const value = text.slice(prefix.length);
          return perField(field, (name, lenient) =>
            rangeQueryFor(
              ctx,
              name,
              side === "lower"
                ? { lower: value, includeLower: inclusive, includeUpper: true }
                : { upper: value, includeLower: true, includeUpper: inclusive },
              { timeZone: o.timeZone, lenient, normalize: true },
            ),
          );
        }
      }
      if (quoted || type === "phrase") {
        return perField(field, (name, lenient) =>
          phraseQueryFor(ctx, name, text, {
            slop: quoted ? slop || o.phraseSlop : o.phraseSlop,
            analyzer: o.quoteAnalyzer ?? o.analyzer,
            lenient,
          }),
        );
      }
      return perField(field, (name, lenient) =>
        matchQueryFor(ctx, name, text, { operator: o.defaultOperator, analyzer: o.analyzer, lenient }),
      );
    },
    wildcardQuery(field, pattern) {
      const target = field ?? (o.defaultFields.length === 1 ? o.defaultFields[0] : undefined);
      if (pattern === "*" && target !== undefined) return target === "*" ? { kind: "all", boost: 1 } : existsQueryFor(ctx, target);
      if (o.allowLeadingWildcard === false && /^[*?]/.test(pattern))
        throw new QuerySyntaxError(`'*' or '?' not allowed as first character in WildcardQuery`);
      return perField(field, (name, lenient) => wildcardQueryFor(ctx, name, pattern, { normalize: true, lenient }));
    },
    prefixQuery(field, prefix) {
      return perField(field, (name, lenient) => prefixQueryFor(ctx, name, prefix, { normalize: true, lenient }));
    },
    regexpQuery(field, regexp) {
      return perField(field, (name, lenient) => regexpQueryFor(ctx, name, regexp, { lenient }));
    },
    fuzzyQuery(field, term, fuzziness) {
      const options = {
        fuzziness: fuzziness ?? o.fuzziness ?? "AUTO",
        prefixLength: o.fuzzyPrefixLength,
        maxExpansions: o.fuzzyMaxExpansions,
        transpositions: o.fuzzyTranspositions,
      };
      return perField(field, (name, lenient) => fuzzyQueryFor(ctx, name, term, options, 1, lenient, true));
    },
    rangeQuery(field, lower, upper, includeLower, includeUpper) {
      return perField(field, (name, lenient) =>
        rangeQueryFor(
          ctx,
          name,
          { lower: lower ?? undefined, upper: upper ?? undefined, includeLower, includeUpper },
          { timeZone: o.timeZone, lenient, normalize: true },
        ),
      );
    },
  };

  let q: Query | null;
  try {
    q = parseQueryString(o.query, builder);
  } catch (e) {
    if (!(e instanceof QuerySyntaxError)) throw e;
    const inner = errors.cause("parse_exception", e.message);
    throw new ShardFailure(
      errors.queryShard(
        `Failed to parse query [${o.query}]`,
        ctx.indexName,
        ctx.indexUuid,
        errors.cause("parse_exception", `Cannot parse '${o.query}': ${e.message}`, inner),
      ),
    );
  }
  if (q === null) return MATCH_NONE;
  if (o.minimumShouldMatch !== undefined && q.kind === "bool" && q.should.length > 0) {
    q = { ...q, minimumShouldMatch: resolveMinimumShouldMatch(q.should.length, o.minimumShouldMatch) };
  }
  return withBoost(q, o.boost);
}
