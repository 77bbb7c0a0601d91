/**
 * Dynamic mapping of incoming documents, as ES's DynamicFieldsBuilder: new fields get a mapping
 * inferred from their JSON value (dates detected with `dynamic_date_formats`, numbers, booleans,
 * text with a `keyword` sub-field), values of mapped fields are checked against their type, and
 * `dynamic: strict` / `false` are honoured per object. Like mappings.ts, it never mutates a
 * mapping: "no new field" returns the very same object.
 */
import { EsError, errors } from "../errors";
import { compileDateFormat, SLASH_DATE_FORMAT } from "./dates";
import { FieldValueError, javaPreview, NUMERIC_TYPES, toBoolean, toDate, toIp, toNumber, toText } from "./fieldValues";
import { locateInJson } from "./jsonLocation";
import {
  DEFAULT_MAPPING_LIMITS,
  depthMessage,
  fieldCount,
  type MappingLimits,
  nameLengthMessage,
  totalFieldCount,
  totalFieldsMessage,
} from "./mappingLimits";
import { type DynamicSetting, type FieldMapping, isObjectMapping, isPlainObject, type Mappings, sortedRecord } from "./mappings";

/** ES's default `dynamic_date_formats`. */
const DEFAULT_DYNAMIC_DATE_FORMATS = ["strict_date_optional_time", SLASH_DATE_FORMAT];

type JsonPath = (string | number)[];

interface MapContext {
  readonly original: Mappings;
  working: Mappings;
  cloned: boolean;
  readonly source: Record<string, unknown>;
  readonly id: string;
  readonly limits: MappingLimits;
  /** Fields of the mapping before this document (counted when the first new field comes). */
  existingFields?: number;
  /** Fields this document added so far (multi-fields included). */
  newFields: number;
  /** Objects of the working copy that got new properties (sorted once, at the end). */
  touched: Set<{ properties?: Record<string, FieldMapping> }>;
}

function dynamicOf(m: { dynamic?: DynamicSetting }, inherited: DynamicSetting): DynamicSetting {
  return m.dynamic ?? inherited;
}

function location(ctx: MapContext, jsonPath: JsonPath): string {
  const { line, col } = locateInJson(ctx.source, jsonPath);
  return `[${line}:${col}]`;
}

/** The object mapping at `path` (root for []), in the working copy. */
function objectAt(ctx: MapContext, path: string[]): { properties?: Record<string, FieldMapping>; dynamic?: DynamicSetting } {
  let node: { properties?: Record<string, FieldMapping> } = ctx.working;
  for (const seg of path) node = node.properties![seg];
  return node;
}

/**
 * Adds a dynamically mapped field, first applying the limits ES checks eagerly for each new mapper
 * (DocumentParserContext.addDynamicMapper): object depth, then total fields — so a document with
 * thousands of new fields is refused at field 1001 instead of being mapped whole. Returns false
 * when the field is left unmapped (`ignore_dynamic_beyond_limit`).
 */
function addField(ctx: MapContext, parent: string[], name: string, mapping: FieldMapping, jsonPath: JsonPath): boolean {
  const limits = ctx.limits;
  const path = [...parent, name].join(".");
  if (isObjectMapping(mapping) && parent.length + 2 > limits.depth) {
    const reason = depthMessage(limits.depth, path);
    throw errors.documentParsing(`${location(ctx, jsonPath)} failed to parse: ${reason}`, errors.illegalArgument(reason));
  }
  ctx.existingFields ??= totalFieldCount(ctx.original);
  const added = fieldCount(mapping);
  if (ctx.existingFields + ctx.newFields + added > limits.totalFields) {
    if (limits.ignoreDynamicBeyondLimit) return false;
    const reason = totalFieldsMessage(limits.totalFields, ctx.newFields + added);
    throw errors.documentParsing(`${location(ctx, jsonPath)} failed to parse: ${reason}`, errors.illegalArgument(reason));
  }
  // checked by ES when it merges the mapping update (MappingLookup.checkFieldNameLengthLimit): no wrapper
  for (const n of [name, ...Object.keys(mapping.fields ?? {})]) {
    if (n.length > limits.fieldNameLength) throw errors.illegalArgument(nameLengthMessage(limits.fieldNameLength, n));
  }
  ctx.newFields += added;
  if (!ctx.cloned) {
    ctx.working = structuredClone(ctx.original);
    ctx.cloned = true;
  }
  const obj = objectAt(ctx, parent);
  // The working copy is this call's own (cloned above): add in place, sort once at the end.
  obj.properties ??= {};
  obj.properties[name] = mapping;
  ctx.touched.add(obj);
  if ((obj as FieldMapping).type === "object") delete (obj as FieldMapping).type;
  return true;
}

function looksLikeDate(ctx: MapContext, text: string): string | undefined {
  if (ctx.working.date_detection === false) return undefined;
  // DynamicFieldsBuilder refuses pure numbers: too likely to be false positives with epoch formats.
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return undefined;
  for (const pattern of ctx.working.dynamic_date_formats ?? DEFAULT_DYNAMIC_DATE_FORMATS) {
    // Both default formats start with the year's digits: skip the (costly) parse attempt for any
    // other text, so documents with many new string fields map quickly.
    if (DEFAULT_DYNAMIC_DATE_FORMATS.includes(pattern) && !/^[+-]?\d/.test(text)) continue;
    try {
      compileDateFormat(pattern).parse(text);
      return pattern;
    } catch {
      // not this format
    }
  }
  return undefined;
}

function inferMapping(ctx: MapContext, value: unknown): FieldMapping | undefined {
  if (typeof value === "boolean") return { type: "boolean" };
  if (typeof value === "number") return { type: Number.isInteger(value) ? "long" : "float" };
  if (typeof value === "string") {
    if (ctx.working.numeric_detection === true && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) {
      return { type: /^[+-]?\d+$/.test(value.trim()) ? "long" : "float" };
    }
    const dateFormat = looksLikeDate(ctx, value);
    if (dateFormat !== undefined)
      return dateFormat === "strict_date_optional_time" ? { type: "date" } : { type: "date", format: dateFormat };
    return { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };
  }
  return undefined;
}

function failedToParse(ctx: MapContext, path: string, type: string, value: unknown, jsonPath: JsonPath, e: FieldValueError): EsError {
  const toEs = (f: FieldValueError): EsError => errors.cause(f.esType, f.reason, f.cause && toEs(f.cause));
  const reason = `${location(ctx, jsonPath)} failed to parse field [${path}] of type [${type}] in document with id '${ctx.id}'. Preview of field's value: '${javaPreview(value)}'`;
  const cause =
    e.esType === "illegal_state_exception" ? errors.cause(e.esType, `${e.reason} at ${location(ctx, jsonPath).slice(1, -1)}`) : toEs(e);
  return errors.documentParsing(reason, cause);
}

/** Checks one scalar (or object) value against an existing leaf mapping, throwing ES's parse error. */
function checkLeafValue(ctx: MapContext, path: string, m: FieldMapping, value: unknown, jsonPath: JsonPath): void {
  const type = m.type!;
  if (type === "geo_point" || type === "flattened" || type === "binary") return;
  try {
    if (isPlainObject(value)) throw new FieldValueError("illegal_state_exception", "Can't get text on a START_OBJECT");
    if (NUMERIC_TYPES.has(type)) toNumber(type, value, m.coerce !== false, typeof m.scaling_factor === "number" ? m.scaling_factor : 1);
    else if (type === "boolean") toBoolean(value);
    else if (type === "date") toDate(value, compileDateFormat(typeof m.format === "string" ? m.format : undefined));
    else if (type === "ip") toIp(value);
    else toText(value);
  } catch (e) {
    if (!(e instanceof FieldValueError)) throw e;
    if (m.ignore_malformed === true) return;
    throw failedToParse(ctx, path, type, value, jsonPath, e);
  }
}

function handleValue(ctx: MapContext, parent: string[], name: string, value: unknown, inherited: DynamicSetting, jsonPath: JsonPath): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((el, i) => handleValue(ctx, parent, name, el, inherited, [...jsonPath, i]));
    return;
  }
  const fullPath = parent.length === 0 ? name : `${parent.join(".")}.${name}`;
  const parentObj = objectAt(ctx, parent);
  let existing = parentObj.properties?.[name];
  if (!existing) {
    const dynamic = dynamicOf(parentObj, inherited);
    if (dynamic === false || dynamic === "false") return;
    if (dynamic === "strict") {
      throw errors.strictDynamicMapping(
        `${location(ctx, jsonPath)} mapping set to strict, dynamic introduction of [${name}] within [${parent.length ? parent.join(".") : "_doc"}] is not allowed`,
      );
    }
    const inferred = isPlainObject(value) ? { properties: {} } : inferMapping(ctx, value);
    if (!inferred) return;
    if (!addField(ctx, parent, name, isPlainObject(value) && Object.keys(value).length === 0 ? { type: "object" } : inferred, jsonPath))
      return;
    existing = objectAt(ctx, parent).properties![name];
  }
  if (isObjectMapping(existing)) {
    if (!isPlainObject(value)) {
      throw errors.documentParsing(
        `${location(ctx, jsonPath)} object mapping for [${fullPath}] tried to parse field [${name}] as object, but found a concrete value`,
      );
    }
    if (existing.enabled === false) return;
    walkObject(ctx, [...parent, name], value, dynamicOf(parentObj, inherited), jsonPath);
    return;
  }
  checkLeafValue(ctx, fullPath, existing, value, jsonPath);
}

function walkObject(ctx: MapContext, path: string[], obj: Record<string, unknown>, inherited: DynamicSetting, jsonPath: JsonPath): void {
  for (const [key, value] of Object.entries(obj)) {
    const keyPath = [...jsonPath, key];
    if (key.trim() === "") {
      throw errors.documentParsing(`${location(ctx, keyPath)} field name cannot be an empty string`);
    }
    if (!key.includes(".")) {
      // The common case: a plain field name (what the general path below does for one segment).
      handleValue(ctx, path, key, value, inherited, keyPath);
      continue;
    }
    const segments = key.split(".");
    if (segments.some((s) => s === "")) {
      throw errors.documentParsing(`${location(ctx, keyPath)} field name cannot contain only whitespace: ['${key}']`);
    }
    // `{"a.b": 1}` means `{"a": {"b": 1}}` for the mapping: walk the intermediate objects first.
    let parent = path;
    let dynamic = inherited;
    for (const seg of segments.slice(0, -1)) {
      const parentObj = objectAt(ctx, parent);
      const existing = parentObj.properties?.[seg];
      if (existing && !isObjectMapping(existing)) {
        throw errors.documentParsing(
          `${location(ctx, keyPath)} Could not dynamically add mapping for field [${[...parent, ...segments].join(".")}]. Existing mapping for [${[...parent, seg].join(".")}] must be of type object but found [${existing.type}].`,
        );
      }
      if (!existing) {
        const d = dynamicOf(parentObj, dynamic);
        if (d === false || d === "false") break;
        if (d === "strict") {
          throw errors.strictDynamicMapping(
            `${location(ctx, keyPath)} mapping set to strict, dynamic introduction of [${seg}] within [${parent.length ? parent.join(".") : "_doc"}] is not allowed`,
          );
        }
        if (!addField(ctx, parent, seg, { properties: {} }, keyPath)) break;
      }
      dynamic = dynamicOf(parentObj, dynamic);
      parent = [...parent, seg];
    }
    if (parent.length - path.length !== segments.length - 1) continue;
    handleValue(ctx, parent, segments[segments.length - 1], value, dynamic, keyPath);
  }
}

/**
 * Applies dynamic mapping to one document, as ES does while indexing it: unmapped fields are added
 * (strings → text + `.keyword`, date-looking strings → date, integers → long, fractions → float,
 * booleans → boolean, objects → object), `dynamic: false` ignores them, `strict` rejects them, and
 * values that do not fit an existing field are rejected with `document_parsing_exception`.
 *
 * Returns `mappings` itself when nothing was added, otherwise a new object.
 * @param id the document's `_id`, quoted in error messages as ES does.
 */
export function mapDocument(
  mappings: Mappings,
  source: Record<string, unknown>,
  id = "",
  limits: MappingLimits = DEFAULT_MAPPING_LIMITS,
): Mappings {
  const ctx: MapContext = { original: mappings, working: mappings, cloned: false, source, id, limits, newFields: 0, touched: new Set() };
  walkObject(ctx, [], source, mappings.dynamic ?? true, []);
  for (const obj of ctx.touched) obj.properties = sortedRecord(obj.properties!);
  return ctx.working;
}
