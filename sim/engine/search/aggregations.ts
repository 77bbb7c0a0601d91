/**
 * The aggregations es-sim computes over a search's matching documents: `terms` (with
 * sub-aggregations), `value_count`, `min`, `max`, `avg`, `sum`, shaped as ES renders them
 * (`doc_count_error_upper_bound`, `sum_other_doc_count`, `key_as_string` for dates and booleans).
 */
import { errors } from "../errors";
import { FieldTable } from "./fields";
import { InvertedIndex } from "./invertedIndex";
import { ShardFailure } from "./shardFailure";

const METRICS = new Set(["value_count", "min", "max", "avg", "sum"]);
/** Aggregation types ES has that es-sim does not compute. */
const UNSUPPORTED = new Set([
  "date_histogram",
  "histogram",
  "range",
  "date_range",
  "filter",
  "filters",
  "cardinality",
  "stats",
  "extended_stats",
  "percentiles",
  "percentile_ranks",
  "top_hits",
  "composite",
  "significant_terms",
  "nested",
  "reverse_nested",
  "missing",
  "global",
  "geo_bounds",
  "scripted_metric",
  "bucket_sort",
  "bucket_script",
  "bucket_selector",
  "avg_bucket",
  "max_bucket",
  "min_bucket",
  "sum_bucket",
  "stats_bucket",
  "cumulative_sum",
  "derivative",
  "multi_terms",
  "rare_terms",
  "auto_date_histogram",
  "variable_width_histogram",
  "weighted_avg",
  "median_absolute_deviation",
  "string_stats",
  "boxplot",
  "t_test",
  "rate",
  "matrix_stats",
  "adjacency_matrix",
  "sampler",
  "diversified_sampler",
  "ip_range",
  "geo_distance",
  "geohash_grid",
  "geotile_grid",
  "frequent_item_sets",
  "categorize_text",
]);

type AggRequest = Record<string, unknown>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Validates an `aggs` object before the search runs (request-parsing errors, as ES raises them). */
export function checkAggregations(aggs: unknown): void {
  if (!isPlainObject(aggs)) throw errors.parsing("Found two aggregation type definitions in [aggs]");
  for (const [name, def] of Object.entries(aggs)) {
    if (!isPlainObject(def)) throw errors.parsing(`Expected [START_OBJECT] under [${name}], but got a [VALUE_STRING] in [${name}]`);
    const types = Object.keys(def).filter((k) => k !== "aggs" && k !== "aggregations" && k !== "meta");
    if (types.length === 0) throw errors.parsing(`Missing definition for aggregation [${name}]`);
    if (types.length > 1) throw errors.parsing(`Found two aggregation type definitions in [${name}]: [${types[0]}] and [${types[1]}]`);
    const type = types[0];
    if (UNSUPPORTED.has(type)) throw errors.notSupported(`the [${type}] aggregation`);
    if (type !== "terms" && !METRICS.has(type)) throw errors.parsing(`Unknown aggregation type [${type}]`);
    const params = def[type];
    if (!isPlainObject(params) || typeof params.field !== "string")
      throw errors.notSupported(`aggregation [${name}] without a [field] (scripts are not supported)`);
    const sub = def.aggs ?? def.aggregations;
    if (sub !== undefined) {
      if (type !== "terms") throw errors.parsing(`Aggregator [${name}] of type [${type}] cannot accept sub-aggregations`);
      checkAggregations(sub);
    }
  }
}

/** Computes the aggregations over the matching documents. */
export function computeAggregations(
  aggs: AggRequest,
  docs: Int32Array,
  table: FieldTable,
  index: InvertedIndex,
  indexName: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(aggs) as [string, Record<string, unknown>][]) {
    const type = Object.keys(def).find((k) => k !== "aggs" && k !== "aggregations" && k !== "meta")!;
    const params = def[type] as Record<string, unknown>;
    const field = String(params.field);
    const info = table.fields.get(field);
    if (info?.kind === "text" && !info.fielddata) {
      throw new ShardFailure(
        errors.illegalArgument(
          `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
        ),
        true,
      );
    }
    const numeric = !info || info.kind === "number" || info.kind === "date" || info.kind === "boolean";
    const valuesOf = (ord: number): (number | string)[] =>
      !info ? [] : numeric ? index.numbersOf(field, ord) : info.kind === "text" ? index.termsOf(field, ord) : index.stringsOf(field, ord);
    const asString = (v: number): string | undefined =>
      info?.kind === "date" ? new Date(v).toISOString() : info?.kind === "boolean" ? (v === 1 ? "true" : "false") : undefined;
    const result: Record<string, unknown> = {};
    if (def.meta !== undefined) result.meta = def.meta;
    if (type === "terms") {
      const counts = new Map<number | string, number[]>();
      for (const ord of docs) {
        for (const v of new Set(valuesOf(ord))) {
          const list = counts.get(v);
          if (list) list.push(ord);
          else counts.set(v, [ord]);
        }
      }
      const size = params.size === undefined ? 10 : Number(params.size);
      const minDocCount = params.min_doc_count === undefined ? 1 : Number(params.min_doc_count);
      const order = (params.order ?? { _count: "desc" }) as Record<string, string>;
      const [orderKey, orderDir] = Object.entries(Array.isArray(order) ? order[0] : order)[0] ?? ["_count", "desc"];
      if (orderKey !== "_count" && orderKey !== "_key") throw errors.notSupported(`terms aggregation ordered by [${orderKey}]`);
      const sign = orderDir === "asc" ? 1 : -1;
      const byKey = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
      const entries = [...counts].filter(([, ords]) => ords.length >= minDocCount);
      entries.sort(([ka, a], [kb, b]) => (orderKey === "_count" ? sign * (a.length - b.length) || byKey(ka, kb) : sign * byKey(ka, kb)));
      const kept = entries.slice(0, size);
      const sub = (def.aggs ?? def.aggregations) as AggRequest | undefined;
      result.doc_count_error_upper_bound = 0;
      result.sum_other_doc_count = entries.slice(size).reduce((sum, [, ords]) => sum + ords.length, 0);
      result.buckets = kept.map(([key, ords]) => {
        const bucket: Record<string, unknown> = { key };
        const str = typeof key === "number" ? asString(key) : undefined;
        if (str !== undefined) bucket.key_as_string = str;
        bucket.doc_count = ords.length;
        if (sub) Object.assign(bucket, computeAggregations(sub, Int32Array.from(ords), table, index, indexName));
        return bucket;
      });
    } else {
      const values: number[] = [];
      let count = 0;
      for (const ord of docs) {
        const vs = valuesOf(ord);
        count += vs.length;
        if (numeric) for (const v of vs) values.push(v as number);
      }
      if (type === "value_count") {
        result.value = count;
      } else if (!numeric) {
        throw new ShardFailure(
          errors.illegalArgument(`Field [${field}] of type [${info!.type}] is not supported for aggregation [${type}]`),
          true,
        );
      } else {
        const sum = values.reduce((a, b) => a + b, 0);
        const value =
          type === "sum"
            ? sum
            : values.length === 0
              ? null
              : type === "avg"
                ? sum / values.length
                : type === "min"
                  ? Math.min(...values)
                  : Math.max(...values);
        result.value = value;
        const str = value === null || type === "sum" || type === "avg" ? undefined : asString(value);
        if (str !== undefined) result.value_as_string = str;
      }
    }
    out[name] = result;
  }
  return out;
}
