/**
 * Index mappings as ES keeps them: validation of explicit mappings (`PUT /{index}`,
 * `PUT /{index}/_mapping`) and merging of updates with ES's conflict errors. Dynamic mapping of
 * incoming documents is dynamicMapping.ts.
 *
 * Mappings are plain JSON objects in ES's wire shape and are never mutated: every change returns a
 * new object, and "no change" returns the very same object so callers can compare by identity.
 */
import { EsError, errors } from "../errors";
import { analyzerByName, normalizerByName, UNSUPPORTED_BUILT_IN_ANALYZERS } from "./analysis";
import { compileDateFormat, DateParseError } from "./dates";
import { javaPreview, NUMERIC_TYPES } from "./fieldValues";

/** The `dynamic` setting of an object mapping. */
export type DynamicSetting = boolean | "true" | "false" | "strict";

/** One field's mapping, in ES's JSON shape (`{type, fields, properties, …params}`). */
export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  dynamic?: DynamicSetting;
  [param: string]: unknown;
}

/** An index's mappings, in ES's JSON shape (the object under `mappings`). */
export interface Mappings {
  dynamic?: DynamicSetting;
  properties?: Record<string, FieldMapping>;
  _meta?: Record<string, unknown>;
  date_detection?: boolean;
  numeric_detection?: boolean;
  dynamic_date_formats?: string[];
  [key: string]: unknown;
}

const COMMON_LEAF = ["meta", "copy_to", "store", "index", "doc_values", "fields", "script", "on_script_error", "boost"];

/** Parameters ES accepts per field type (unknown ones are rejected like ES's `unknown parameter`). */
const TYPE_PARAMS: Record<string, string[]> = {
  text: [
    "analyzer",
    "search_analyzer",
    "search_quote_analyzer",
    "norms",
    "fielddata",
    "fielddata_frequency_filter",
    "index_options",
    "index_phrases",
    "index_prefixes",
    "position_increment_gap",
    "similarity",
    "term_vector",
    "eager_global_ordinals",
  ],
  keyword: [
    "ignore_above",
    "normalizer",
    "null_value",
    "similarity",
    "norms",
    "eager_global_ordinals",
    "index_options",
    "split_queries_on_whitespace",
    "time_series_dimension",
  ],
  date: ["format", "locale", "ignore_malformed", "null_value", "print_format"],
  boolean: ["null_value", "ignore_malformed"],
  ip: ["null_value", "ignore_malformed", "time_series_dimension"],
  geo_point: ["ignore_malformed", "ignore_z_value", "null_value"],
  flattened: [
    "depth_limit",
    "eager_global_ordinals",
    "ignore_above",
    "index_options",
    "null_value",
    "similarity",
    "split_queries_on_whitespace",
    "time_series_dimensions",
  ],
  binary: [],
};
const NUMERIC_PARAMS = ["coerce", "ignore_malformed", "null_value", "time_series_metric", "time_series_dimension"];
for (const t of NUMERIC_TYPES) TYPE_PARAMS[t] = t === "scaled_float" ? [...NUMERIC_PARAMS, "scaling_factor"] : NUMERIC_PARAMS;

const OBJECT_PARAMS = new Set(["type", "properties", "dynamic", "enabled", "subobjects"]);
const NESTED_PARAMS = new Set([...OBJECT_PARAMS, "include_in_parent", "include_in_root"]);

/** Field types ES has but es-sim does not index or query. */
const UNSUPPORTED_TYPES = new Set([
  "alias",
  "completion",
  "search_as_you_type",
  "dense_vector",
  "sparse_vector",
  "semantic_text",
  "wildcard",
  "match_only_text",
  "constant_keyword",
  "unsigned_long",
  "date_nanos",
  "integer_range",
  "long_range",
  "float_range",
  "double_range",
  "date_range",
  "ip_range",
  "rank_feature",
  "rank_features",
  "token_count",
  "version",
  "histogram",
  "percolator",
  "join",
  "point",
  "shape",
  "geo_shape",
  "annotated_text",
  "murmur3",
  "aggregate_metric_double",
  "counted_keyword",
  "passthrough",
]);

/** Root-level mapping keys ES accepts. */
const ROOT_KEYS = new Set([
  "dynamic",
  "properties",
  "_meta",
  "date_detection",
  "numeric_detection",
  "dynamic_date_formats",
  "_source",
  "_routing",
  "dynamic_templates",
  "runtime",
  "subobjects",
  "enabled",
  "_field_names",
  "_data_stream_timestamp",
]);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `record` with its keys in sorted order, as ES keeps mapping properties. */
export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

/** Whether a mapping entry is an object (or nested) mapper rather than a leaf field. */
export function isObjectMapping(m: FieldMapping): boolean {
  return m.type === undefined || m.type === "object" || m.type === "nested";
}

function javaMapEntry(key: string, value: unknown): string {
  return `[${key} : ${javaPreview(value)}]`;
}

function checkDynamic(value: unknown, path: string): DynamicSetting {
  if (value === true || value === false || value === "true" || value === "false" || value === "strict") return value;
  if (value === "runtime") throw errors.notSupported(`[dynamic: runtime] (on [${path}])`);
  throw errors.mapperParsing(`Could not convert [dynamic] to boolean`);
}

function validateField(name: string, path: string, raw: unknown, isMultiField: boolean): FieldMapping {
  if (!isPlainObject(raw)) {
    throw errors.mapperParsing(
      `Expected map for property [fields] on field [${name}] but got a class java.lang.${typeof raw === "string" ? "String" : "Object"}`,
    );
  }
  const type = raw.type ?? (raw.properties !== undefined || !isMultiField ? "object" : undefined);
  if (typeof type !== "string") throw errors.mapperParsing(`No type specified for field [${name}]`);
  if (type === "object" || type === "nested") {
    if (isMultiField) throw errors.mapperParsing(`Type [${type}] cannot be used in multi field`);
    const allowed = type === "nested" ? NESTED_PARAMS : OBJECT_PARAMS;
    const unknown = Object.keys(raw).filter((k) => !allowed.has(k));
    if (unknown.length > 0) {
      throw errors.mapperParsing(
        `Mapping definition for [${name}] has unsupported parameters:  ${unknown.map((k) => javaMapEntry(k, raw[k])).join(" ")}`,
      );
    }
    if (raw.subobjects === false) throw errors.notSupported(`[subobjects: false] (on [${path}])`);
    const out: FieldMapping = {};
    if (type === "nested") out.type = "nested";
    if (raw.dynamic !== undefined) out.dynamic = checkDynamic(raw.dynamic, path);
    if (raw.enabled !== undefined) out.enabled = raw.enabled === true || raw.enabled === "true";
    for (const k of ["include_in_parent", "include_in_root"]) if (raw[k] !== undefined) out[k] = raw[k];
    if (raw.properties !== undefined) out.properties = validateProperties(raw.properties, path);
    else if (type === "object") out.type = "object";
    return out;
  }
  if (UNSUPPORTED_TYPES.has(type)) throw errors.notSupported(`field type [${type}] (on [${path}])`);
  const params = TYPE_PARAMS[type];
  if (!params) throw errors.mapperParsing(`No handler for type [${type}] declared on field [${name}]`);
  const out: FieldMapping = { type };
  for (const [key, value] of Object.entries(raw)) {
    if (key === "type") continue;
    if (!params.includes(key) && !COMMON_LEAF.includes(key)) {
      throw errors.mapperParsing(`unknown parameter [${key}] on mapper [${path}] of type [${type}]`);
    }
    if (key === "copy_to") throw errors.notSupported(`[copy_to] (on [${path}])`);
    if (key === "script") throw errors.notSupported(`[script] on a field (on [${path}])`);
    if (key === "fields") {
      if (isMultiField) throw errors.notSupported(`multi-fields inside multi-fields (on [${path}])`);
      if (!isPlainObject(value))
        throw errors.mapperParsing(`Expected map for property [fields] on field [${name}] but got a class java.lang.String`);
      const subs: Record<string, FieldMapping> = {};
      for (const [sub, subRaw] of Object.entries(value)) subs[sub] = validateField(sub, `${path}.${sub}`, subRaw, true);
      out.fields = sortedRecord(subs);
      continue;
    }
    out[key] = value;
  }
  checkLeafParams(out, name);
  return out;
}

function checkLeafParams(m: FieldMapping, name: string): void {
  for (const key of ["analyzer", "search_analyzer", "search_quote_analyzer"]) {
    const a = m[key];
    if (a === undefined) continue;
    if (typeof a !== "string") throw errors.mapperParsing(`analyzer [${String(a)}] has not been configured in mappings`);
    if (UNSUPPORTED_BUILT_IN_ANALYZERS.has(a)) throw errors.notSupported(`analyzer [${a}]`);
    if (!analyzerByName(a)) throw errors.mapperParsing(`analyzer [${a}] has not been configured in mappings`);
  }
  if (m.normalizer !== undefined && (typeof m.normalizer !== "string" || !normalizerByName(m.normalizer))) {
    throw errors.mapperParsing(`normalizer [${String(m.normalizer)}] not found for field [${name}]`);
  }
  if (m.type === "scaled_float" && typeof m.scaling_factor !== "number") throw errors.mapperParsing("Field [scaling_factor] is required");
  if (m.ignore_above !== undefined && !(typeof m.ignore_above === "number" && Number.isInteger(m.ignore_above))) {
    throw errors.mapperParsing(`Failed to parse mapping: [ignore_above] must be an integer`);
  }
  if (m.type === "date" && m.format !== undefined) {
    try {
      compileDateFormat(String(m.format));
    } catch (e) {
      if (!(e instanceof DateParseError)) throw e;
      throw errors.mapperParsing(`Invalid format: [${String(m.format)}]: ${e.message}`);
    }
  }
}

function validateProperties(raw: unknown, path: string): Record<string, FieldMapping> {
  if (!isPlainObject(raw))
    throw errors.mapperParsing(`Expected map for property [properties] on field [${path}] but got a class java.lang.String`);
  const out: Record<string, FieldMapping> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "") throw errors.mapperParsing("field name cannot be an empty string");
    const segments = key.split(".");
    if (segments.some((s) => s === "")) throw errors.illegalArgument(`field name cannot contain only whitespace: ['${key}']`);
    // Like ES, `"a.b": {...}` in properties is shorthand for object `a` holding `b`.
    let target = out;
    let prefix = path;
    for (const seg of segments.slice(0, -1)) {
      prefix = prefix ? `${prefix}.${seg}` : seg;
      const existing = target[seg];
      const obj: FieldMapping = existing && isObjectMapping(existing) ? existing : {};
      obj.properties = obj.properties ?? {};
      delete obj.type;
      target[seg] = obj;
      target = obj.properties;
    }
    const last = segments[segments.length - 1];
    const fullPath = prefix ? `${prefix}.${last}` : last;
    target[last] = validateField(last, fullPath, value, false);
  }
  return sortProperties(out);
}

function sortProperties(props: Record<string, FieldMapping>): Record<string, FieldMapping> {
  const out: Record<string, FieldMapping> = {};
  for (const key of Object.keys(props).sort()) {
    const m = props[key];
    out[key] = m.properties ? { ...m, properties: sortProperties(m.properties) } : m;
  }
  return out;
}

/**
 * Validates an explicit mapping body and returns it normalised the way `GET _mapping` shows it
 * (dotted names expanded into objects, properties sorted, `type: object` only on empty objects).
 * `createIndex` wraps errors as `PUT /{index}` does ("Failed to parse mapping: …"); `putMapping`
 * reports them bare as `PUT /{index}/_mapping` does.
 */
export function validateMappings(raw: unknown, mode: "createIndex" | "putMapping" = "putMapping"): Mappings {
  try {
    return validateRoot(raw);
  } catch (e) {
    // MapperService.parseMapping wraps every failure: `mapper_parsing_exception` "Failed to parse
    // mapping: <inner reason>" with the inner exception as `caused_by` (es-sim's own "does not
    // support" answers are not ES failures and stay bare).
    const wrapped =
      e instanceof EsError &&
      (e.type === "mapper_parsing_exception" ||
        (e.type === "illegal_argument_exception" && !e.reason.startsWith("es-sim does not support")));
    if (mode === "createIndex" && wrapped) {
      throw errors.mapperParsing(`Failed to parse mapping: ${e.reason}`, e);
    }
    throw e;
  }
}

function validateRoot(raw: unknown): Mappings {
  if (!isPlainObject(raw)) throw errors.mapperParsing("Failed to parse mapping: mapping must be an object");
  let body = raw;
  // ES 8 still accepts the legacy single-type wrapper `{"_doc": {...}}`.
  const keys = Object.keys(body);
  if (keys.length === 1 && keys[0] === "_doc" && isPlainObject(body._doc)) body = body._doc;
  const unknown = Object.keys(body).filter((k) => !ROOT_KEYS.has(k));
  if (unknown.length > 0) {
    throw errors.mapperParsing(
      `Root mapping definition has unsupported parameters:  ${unknown.map((k) => javaMapEntry(k, body[k])).join(" ")}`,
    );
  }
  const out: Mappings = {};
  if (body.dynamic !== undefined) out.dynamic = checkDynamic(body.dynamic, "_doc");
  for (const flag of ["date_detection", "numeric_detection"] as const) {
    if (body[flag] !== undefined) out[flag] = body[flag] === true || body[flag] === "true";
  }
  if (body.dynamic_date_formats !== undefined) {
    const formats = Array.isArray(body.dynamic_date_formats) ? body.dynamic_date_formats : [body.dynamic_date_formats];
    for (const f of formats) compileDateFormat(String(f));
    out.dynamic_date_formats = formats.map(String);
  }
  if (body._meta !== undefined) {
    if (!isPlainObject(body._meta)) throw errors.mapperParsing("[_meta] must be an object, got [" + javaPreview(body._meta) + "]");
    out._meta = body._meta;
  }
  if (body.dynamic_templates !== undefined && !(Array.isArray(body.dynamic_templates) && body.dynamic_templates.length === 0)) {
    throw errors.notSupported("[dynamic_templates] in mappings");
  }
  if (body.runtime !== undefined && !(isPlainObject(body.runtime) && Object.keys(body.runtime).length === 0)) {
    throw errors.notSupported("[runtime] fields in mappings");
  }
  if (body.subobjects === false) throw errors.notSupported("[subobjects: false]");
  if (body._source !== undefined) {
    const src = body._source;
    const trivial =
      isPlainObject(src) &&
      Object.entries(src).every(
        ([k, v]) => (k === "enabled" && v === true) || ((k === "includes" || k === "excludes") && Array.isArray(v) && v.length === 0),
      );
    if (!trivial) throw errors.notSupported("[_source] mapping options (enabled: false, includes, excludes, mode)");
    out._source = src;
  }
  if (body._routing !== undefined) out._routing = body._routing;
  if (body.properties !== undefined) out.properties = validateProperties(body.properties, "");
  return out;
}

/** Parameters whose value may change on an existing field through `PUT _mapping`. */
const UPDATABLE_PARAMS = new Set([
  "ignore_above",
  "meta",
  "search_analyzer",
  "search_quote_analyzer",
  "fielddata",
  "eager_global_ordinals",
  "ignore_malformed",
  "boost",
  "fields",
]);

/** Defaults used when comparing an omitted parameter with an explicit one. */
const PARAM_DEFAULTS: Record<string, unknown> = {
  analyzer: "standard",
  index: true,
  doc_values: true,
  store: false,
  norms: true,
  coerce: true,
  position_increment_gap: 100,
  format: "strict_date_optional_time||epoch_millis",
  null_value: null,
  index_options: "positions",
  similarity: "BM25",
};

function mergeLeaf(path: string, old: FieldMapping, update: FieldMapping): FieldMapping {
  if (old.type !== update.type)
    throw errors.illegalArgument(`mapper [${path}] cannot be changed from type [${old.type}] to [${update.type}]`);
  const conflicts: string[] = [];
  const keys = new Set([...Object.keys(old), ...Object.keys(update)]);
  const merged: FieldMapping = { ...old };
  for (const key of keys) {
    if (key === "type" || key === "fields") continue;
    const before = key in old ? old[key] : PARAM_DEFAULTS[key];
    const after = key in update ? update[key] : PARAM_DEFAULTS[key];
    if (!(key in update)) continue;
    if (!UPDATABLE_PARAMS.has(key) && JSON.stringify(before) !== JSON.stringify(after)) {
      conflicts.push(`Cannot update parameter [${key}] from [${javaPreview(before ?? null)}] to [${javaPreview(after ?? null)}]`);
      continue;
    }
    merged[key] = update[key];
  }
  if (conflicts.length > 0)
    throw errors.illegalArgument(`Mapper for [${path}] conflicts with existing mapper:\n\t${conflicts.join("\n\t")}`);
  if (update.fields) {
    const fields: Record<string, FieldMapping> = { ...(old.fields ?? {}) };
    for (const [sub, subMapping] of Object.entries(update.fields)) {
      fields[sub] = fields[sub] ? mergeLeaf(`${path}.${sub}`, fields[sub], subMapping) : subMapping;
    }
    merged.fields = sortedRecord(fields);
  }
  return merged;
}

function mergeField(path: string, old: FieldMapping, update: FieldMapping): FieldMapping {
  const oldObject = isObjectMapping(old);
  const newObject = isObjectMapping(update);
  if (oldObject && newObject) {
    if ((old.type === "nested") !== (update.type === "nested")) {
      throw errors.illegalArgument(
        `can't merge a ${old.type === "nested" ? "nested" : "non-nested"} mapping [${path}] with a ${update.type === "nested" ? "nested" : "non-nested"} mapping`,
      );
    }
    const merged: FieldMapping = { ...old, ...update };
    if (old.properties || update.properties) {
      merged.properties = mergeProperties(path, old.properties ?? {}, update.properties ?? {});
      if (merged.type === "object") delete merged.type;
    }
    return merged;
  }
  if (oldObject) throw errors.illegalArgument(`can't merge a non object mapping [${path}] with an object mapping`);
  if (newObject) throw errors.illegalArgument(`mapper [${path}] cannot be changed from type [${old.type}] to [${update.type ?? "object"}]`);
  return mergeLeaf(path, old, update);
}

function mergeProperties(
  prefix: string,
  old: Record<string, FieldMapping>,
  update: Record<string, FieldMapping>,
): Record<string, FieldMapping> {
  const out: Record<string, FieldMapping> = { ...old };
  for (const [name, m] of Object.entries(update)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out[name] = out[name] ? mergeField(path, out[name], m) : m;
  }
  return sortedRecord(out);
}

/**
 * Merges a `PUT _mapping` body into existing mappings as ES does: new fields are added, existing
 * fields keep their type (a change → `mapper [f] cannot be changed from type [a] to [b]`), only
 * updatable parameters change, `_meta` and the root flags are replaced wholesale.
 */
export function mergeMappings(old: Mappings, update: unknown): Mappings {
  const u = validateMappings(update, "putMapping");
  const merged: Mappings = { ...old };
  for (const [key, value] of Object.entries(u)) {
    if (key !== "properties") merged[key] = value;
  }
  if (u.properties) merged.properties = mergeProperties("", old.properties ?? {}, u.properties);
  return merged;
}
