/**
 * The searchable view of a mapping: every concrete field (multi-fields included, as `title.keyword`)
 * with what indexing and querying need to know about it. Compiled once per mappings object.
 */
import { Analyzer, analyzerByName, keywordAnalyzer, normalizerByName, standardAnalyzer } from "./analysis";
import { compileDateFormat, DateFormat } from "./dates";
import { NUMERIC_TYPES } from "./fieldValues";
import { FieldMapping, isObjectMapping, Mappings } from "./mappings";

/** How a field is indexed. */
export type FieldKind = "text" | "keyword" | "number" | "date" | "boolean" | "ip" | "opaque";

/** One concrete field of the mapping. */
export interface FieldInfo {
  readonly path: string;
  readonly type: string;
  readonly kind: FieldKind;
  /** Whether the field has an inverted index (`index: false` turns it off). */
  readonly indexed: boolean;
  readonly analyzer: Analyzer;
  readonly searchAnalyzer: Analyzer;
  readonly searchQuoteAnalyzer: Analyzer;
  readonly analyzerName: string;
  readonly normalizer?: (s: string) => string;
  /** Keyword values longer than this (in characters) are not indexed. */
  readonly ignoreAbove: number;
  readonly dateFormat?: DateFormat;
  readonly scalingFactor: number;
  readonly coerce: boolean;
  readonly ignoreMalformed: boolean;
  readonly nullValue: unknown;
  /** Text fields sort/aggregate only with `fielddata: true`. */
  readonly fielddata: boolean;
  readonly positionIncrementGap: number;
  readonly multiFields: readonly FieldInfo[];
}

/** The compiled field table of one mappings object. */
export interface FieldTable {
  readonly mappings: Mappings;
  /** Concrete fields by full path, in mapping order (properties sorted as ES keeps them). */
  readonly fields: ReadonlyMap<string, FieldInfo>;
  /** Object (and nested) paths, with whether their content is indexed (`enabled`). */
  readonly objects: ReadonlyMap<string, { enabled: boolean; nested: boolean }>;
}

function kindOf(type: string): FieldKind {
  if (type === "text") return "text";
  if (type === "keyword") return "keyword";
  if (NUMERIC_TYPES.has(type)) return "number";
  if (type === "date") return "date";
  if (type === "boolean") return "boolean";
  if (type === "ip") return "ip";
  return "opaque";
}

function analyzerParam(m: FieldMapping, key: string): Analyzer | undefined {
  const name = m[key];
  return typeof name === "string" ? analyzerByName(name) : undefined;
}

function compileLeaf(path: string, m: FieldMapping): FieldInfo {
  const type = m.type ?? "object";
  const kind = kindOf(type);
  const analyzer = kind === "text" ? (analyzerParam(m, "analyzer") ?? standardAnalyzer) : keywordAnalyzer;
  const searchAnalyzer = kind === "text" ? (analyzerParam(m, "search_analyzer") ?? analyzer) : analyzer;
  const multiFields = Object.entries(m.fields ?? {}).map(([sub, subMapping]) => compileLeaf(`${path}.${sub}`, subMapping));
  return {
    path,
    type,
    kind,
    indexed: m.index !== false && kind !== "opaque",
    analyzer,
    searchAnalyzer,
    searchQuoteAnalyzer: kind === "text" ? (analyzerParam(m, "search_quote_analyzer") ?? searchAnalyzer) : analyzer,
    analyzerName: typeof m.analyzer === "string" ? m.analyzer : kind === "text" ? "standard" : "keyword",
    normalizer: typeof m.normalizer === "string" ? normalizerByName(m.normalizer) : undefined,
    ignoreAbove: typeof m.ignore_above === "number" ? m.ignore_above : Number.POSITIVE_INFINITY,
    dateFormat: kind === "date" ? compileDateFormat(typeof m.format === "string" ? m.format : undefined) : undefined,
    scalingFactor: typeof m.scaling_factor === "number" ? m.scaling_factor : 1,
    coerce: m.coerce !== false,
    ignoreMalformed: m.ignore_malformed === true,
    nullValue: m.null_value ?? undefined,
    fielddata: m.fielddata === true,
    positionIncrementGap: typeof m.position_increment_gap === "number" ? m.position_increment_gap : 100,
    multiFields,
  };
}

/** Compiles the field table of a mapping. */
export function compileFieldTable(mappings: Mappings): FieldTable {
  const fields = new Map<string, FieldInfo>();
  const objects = new Map<string, { enabled: boolean; nested: boolean }>();
  const visit = (props: Record<string, FieldMapping>, prefix: string, enabled: boolean) => {
    for (const [name, m] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (isObjectMapping(m)) {
        const objEnabled = enabled && m.enabled !== false;
        objects.set(path, { enabled: objEnabled, nested: m.type === "nested" });
        if (m.properties) visit(m.properties, path, objEnabled);
        continue;
      }
      if (!enabled) continue;
      const info = compileLeaf(path, m);
      fields.set(path, info);
      for (const sub of info.multiFields) fields.set(sub.path, sub);
    }
  };
  visit(mappings.properties ?? {}, "", true);
  return { mappings, fields, objects };
}
