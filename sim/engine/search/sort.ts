/**
 * Search `sort`: parsing of every request form (`"f"`, `{"f":"desc"}`, `{"f":{"order","missing",
 * "mode","unmapped_type"}}`, URL `f:asc`) and per-document sort keys with ES's rules: `_score`
 * descends by default, missing values go last, multi-valued fields sort by their min (asc) or max
 * (desc), text fields refuse to sort without fielddata.
 */
import { errors } from "../errors";
import { FieldTable } from "./fields";
import { isIntegerType } from "./fieldValues";
import { InvertedIndex } from "./invertedIndex";
import { ShardFailure } from "./shardFailure";
import { floatForJson } from "./similarity";

/** One parsed sort clause. */
export interface SortSpec {
  field: string;
  order: "asc" | "desc";
  missing?: unknown;
  mode?: string;
  unmappedType?: string;
}

const SORT_PARAMS = new Set(["order", "missing", "mode", "unmapped_type", "numeric_type", "format"]);

function order(value: unknown): "asc" | "desc" {
  const o = String(value).toLowerCase();
  if (o !== "asc" && o !== "desc")
    throw errors.illegalArgument(`No enum constant org.elasticsearch.search.sort.SortOrder.${String(value).toUpperCase()}`);
  return o;
}

function defaultOrder(field: string): "asc" | "desc" {
  return field === "_score" ? "desc" : "asc";
}

function parseOne(entry: unknown): SortSpec {
  if (typeof entry === "string") return { field: entry, order: defaultOrder(entry) };
  if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
    const keys = Object.keys(entry);
    if (keys.length !== 1) throw errors.parsing(`[sort] expected a single field per sort object, found [${keys.join(", ")}]`);
    const field = keys[0];
    const value = (entry as Record<string, unknown>)[field];
    if (typeof value === "string") return { field, order: order(value) };
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const opts = value as Record<string, unknown>;
      for (const k of Object.keys(opts)) {
        if (!SORT_PARAMS.has(k)) throw errors.parsing(`[field_sort] unknown field [${k}]`);
        if (k === "nested" || k === "format" || k === "numeric_type") throw errors.notSupported(`[${k}] in sort`);
      }
      if (field === "_geo_distance" || field === "_script") throw errors.notSupported(`[${field}] sorting`);
      return {
        field,
        order: opts.order === undefined ? defaultOrder(field) : order(opts.order),
        missing: opts.missing,
        mode: opts.mode === undefined ? undefined : String(opts.mode),
        unmappedType: opts.unmapped_type === undefined ? undefined : String(opts.unmapped_type),
      };
    }
  }
  throw errors.parsing("[sort] malformed, expected a field name, an object or an array");
}

/** Parses the body `sort` value (string, object, or array of those). */
export function parseSortBody(value: unknown): SortSpec[] {
  return (Array.isArray(value) ? value : [value]).map(parseOne);
}

/** Parses the URL `sort` parameter: `field`, `field:asc`, comma separated. */
export function parseSortParam(param: string): SortSpec[] {
  return param
    .split(",")
    .filter((s) => s !== "")
    .map((part) => {
      const colon = part.lastIndexOf(":");
      if (colon < 0) return { field: part, order: defaultOrder(part) };
      return { field: part.slice(0, colon), order: order(part.slice(colon + 1)) };
    });
}

/** How one sort clause reads a document. */
interface SortKey {
  spec: SortSpec;
  /** Comparable value: number, string, or undefined when missing. */
  read(ord: number, score: number): number | string | undefined;
  /** The value ES puts into the hit's `sort` array. */
  render(value: number | string | undefined): unknown;
}

const LONG_MAX = Number("9223372036854775807");
const LONG_MIN = -LONG_MAX;

function reduce(values: number[], mode: string | undefined, order: "asc" | "desc"): number | undefined {
  if (values.length === 0) return undefined;
  switch (mode ?? (order === "asc" ? "min" : "max")) {
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "median": {
      const s = [...values].sort((a, b) => a - b);
      const mid = s.length >> 1;
      return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }
    default:
      throw errors.illegalArgument(`Unknown SortMode [${mode}]`);
  }
}

/** Builds the sort keys for a request, failing like ES on the shard for unsortable fields. */
export function buildSortKeys(
  specs: SortSpec[],
  table: FieldTable,
  index: InvertedIndex,
  indexName: string,
  fail: (e: ShardFailure) => never,
): SortKey[] {
  return specs.map((spec): SortKey => {
    const { field } = spec;
    if (field === "_score") return { spec, read: (_ord, score) => score, render: (v) => floatForJson(v as number) };
    if (field === "_doc") return { spec, read: (ord) => ord, render: (v) => v };
    if (field === "_index") return { spec, read: () => indexName, render: (v) => v };
    if (field === "_id") {
      return fail(
        new ShardFailure(
          errors.illegalArgument(
            "Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled",
          ),
          true,
        ),
      );
    }
    const numeric = (read: (ord: number) => number[], integer: boolean, float: boolean): SortKey => ({
      spec,
      read: (ord) => reduce(read(ord), spec.mode, spec.order),
      render: (v) => {
        if (v !== undefined) return float ? floatForJson(v as number) : v;
        if (spec.missing !== undefined && spec.missing !== "_last" && spec.missing !== "_first") return spec.missing;
        const high = (spec.missing === "_first") === (spec.order === "desc");
        if (integer) return high ? LONG_MAX : LONG_MIN;
        return high ? "Infinity" : "-Infinity";
      },
    });
    if (field === "_seq_no") return numeric((ord) => index.numbersOf("_seq_no", ord), true, false);
    const info = table.fields.get(field);
    if (!info) {
      if (spec.unmappedType === undefined) {
        return fail(new ShardFailure(errors.queryShard(`No mapping found for [${field}] in order to sort on`, indexName, "_na_")));
      }
      return { spec, read: () => undefined, render: () => null };
    }
    switch (info.kind) {
      case "number":
        return numeric((ord) => index.numbersOf(field, ord), isIntegerType(info.type), info.type === "float" || info.type === "half_float");
      case "date":
      case "boolean":
        return numeric((ord) => index.numbersOf(field, ord), true, false);
      case "keyword":
      case "ip":
      case "text": {
        if (info.kind === "text" && !info.fielddata) {
          return fail(
            new ShardFailure(
              errors.illegalArgument(
                `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
              ),
              true,
            ),
          );
        }
        const values = info.kind === "text" ? (ord: number) => index.termsOf(field, ord) : (ord: number) => index.stringsOf(field, ord);
        return {
          spec,
          read: (ord) => {
            const v = values(ord);
            if (v.length === 0) return undefined;
            const useMax = spec.mode === "max" || (spec.mode === undefined && spec.order === "desc");
            return useMax ? v[v.length - 1] : v[0];
          },
          render: (v) => (v === undefined ? (typeof spec.missing === "string" && !spec.missing.startsWith("_") ? spec.missing : null) : v),
        };
      }
      case "opaque":
        return fail(new ShardFailure(errors.illegalArgument(`Field [${field}] of type [${info.type}] does not support sorting`), true));
    }
  });
}

/** A document's values for all sort keys. */
export type SortValues = (number | string | undefined)[];

function missingValue(key: SortKey): number | string | undefined {
  const m = key.spec.missing;
  if (m === undefined || m === "_last" || m === "_first") return undefined;
  return typeof m === "number" ? m : String(m);
}

/** Reads a document's sort values, substituting a custom `missing` value where set. */
export function readSortValues(keys: SortKey[], ord: number, score: number): SortValues {
  return keys.map((k) => k.read(ord, score) ?? missingValue(k));
}

/** The hit's `sort` array. */
export function renderSortValues(keys: SortKey[], values: SortValues): unknown[] {
  return keys.map((k, i) => k.render(values[i]));
}

/** Compares two documents' sort values (missing last unless `missing: _first`), ties by ordinal. */
export function compareSortValues(keys: SortKey[], a: SortValues, b: SortValues): number {
  for (let i = 0; i < keys.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const first = keys[i].spec.missing === "_first";
    if (x === undefined) return first ? -1 : 1;
    if (y === undefined) return first ? 1 : -1;
    const c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return keys[i].spec.order === "asc" ? c : -c;
  }
  return 0;
}

/** Converts `search_after` values into comparable sort values. */
export function parseSearchAfter(values: unknown, keys: SortKey[]): SortValues {
  if (!Array.isArray(values)) throw errors.parsing("[search_after] must be an array");
  if (values.length !== keys.length) {
    throw errors.illegalArgument(`search_after has ${values.length} value(s) but sort has ${keys.length}.`);
  }
  return values.map((v, i) => {
    if (v === null) return undefined;
    const field = keys[i].spec.field;
    if (typeof v === "number" && (v >= LONG_MAX || v <= LONG_MIN)) return undefined;
    if (v === "Infinity" || v === "-Infinity") return undefined;
    return typeof v === "number" || field === "_doc" || field === "_score" ? Number(v) : (v as string);
  });
}
