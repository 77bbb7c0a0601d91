/**
 * `_mget`, as ES's `MultiGetRequest` (body parsing and validation) and `TransportMultiGetAction`
 * (each item resolved and read on its own): a missing index, an alias over several indices, a
 * closed index or a version conflict fail only their item, which then carries `error` in place of
 * `found`; a missing document answers `found: false`. Takes the cluster state first.
 */
import type { Cluster } from "../cluster";
import type { SourceFilter } from "../docUtils";
import { EsError, errors } from "../errors";
import type { Json } from "../types";
import { defaultSourceFilter, foundDocBody, parseVersionType, readDoc, readTarget, validateGetVersion, type GetOptions } from "./documents";

/** One document of an `_mget` request (`MultiGetRequest.Item`). */
export interface MultiGetItem {
  index?: string;
  id?: string;
  routing?: string;
  storedFields?: string[];
  version?: number;
  versionType?: GetOptions["versionType"];
  /** `_source` of this item, or the request's default; absent when neither said. */
  source?: SourceFilter;
}

/** Defaults an `_mget` body inherits from the path and query (`RestMultiGetAction`). */
export interface MultiGetDefaults {
  index?: string;
  routing?: string;
  storedFields?: string[];
  /** From `_source`, `_source_includes`, `_source_excludes`; absent when none was given. */
  source?: SourceFilter;
}

/**
 * Parses the body as `MultiGetRequest.add`: `docs` (objects with `_index`, `_id`, `routing`,
 * `stored_fields`, `version`, `version_type`, `_source`) and/or `ids` (taking the path's index),
 * then validates it (`MultiGetRequest.validate`: "no documents to get", "index is missing for doc
 * N", "id is missing for doc N", all problems in one error).
 */
export function parseMultiGetBody(body: Json, defaults: MultiGetDefaults): MultiGetItem[] {
  const items: MultiGetItem[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!Array.isArray(value)) {
      throw errors.parsing(`unexpected token [${tokenName(value)}], expected [FIELD_NAME] or [START_ARRAY]`);
    }
    if (key === "docs") items.push(...value.map((doc) => parseDoc(doc, defaults)));
    else if (key === "ids") {
      for (const id of value) {
        // VALUE_NULL is not a value token for XContentParser, so null is refused like an object
        if (id === null || typeof id === "object") throw errors.illegalArgument("ids array element should only contain ids");
        items.push(inherit(defaults, { id: String(id) }));
      }
    } else throw errors.parsing(`unknown key [${key}] for a START_ARRAY, expected [docs] or [ids]`);
  }
  const problems: string[] = [];
  if (items.length === 0) problems.push("no documents to get");
  items.forEach((item, i) => {
    if (item.index === undefined) problems.push(`index is missing for doc ${i}`);
    if (item.id === undefined) problems.push(`id is missing for doc ${i}`);
  });
  if (problems.length > 0) throw errors.validation(problems);
  return items;
}

function inherit(defaults: MultiGetDefaults, item: Partial<MultiGetItem>): MultiGetItem {
  const out: MultiGetItem = { ...item };
  if (out.source === undefined && defaults.source !== undefined) out.source = defaults.source;
  if (out.index === undefined && defaults.index !== undefined) out.index = defaults.index;
  if (out.routing === undefined && defaults.routing !== undefined) out.routing = defaults.routing;
  if (out.storedFields === undefined && defaults.storedFields !== undefined) out.storedFields = defaults.storedFields;
  return out;
}

/** One `docs` entry (`MultiGetRequest.parseDocuments`); its own `_source` replaces the request's. */
function parseDoc(doc: unknown, defaults: MultiGetDefaults): MultiGetItem {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw errors.illegalArgument("docs array element should include an object");
  }
  const item: Partial<MultiGetItem> = {};
  let source: SourceFilter | undefined;
  for (const [key, value] of Object.entries(doc as Json)) {
    if (value === null) continue; // VALUE_NULL: neither a value nor a structure, skipped
    if (key === "fields") throw errors.parsing("Unsupported field [fields] used, expected [stored_fields] instead");
    if (key === "_source") {
      source = parseItemSource(value, source);
      continue;
    }
    if (key === "stored_fields") {
      item.storedFields = (Array.isArray(value) ? value : [value]).map(String);
      continue;
    }
    if (value !== null && typeof value === "object") {
      // ES skips an empty array of an unknown key and fails on the first value inside anything else
      if (Array.isArray(value) && value.length === 0) continue;
      throw errors.parse(`failed to parse multi get request. unknown field [${key}]`);
    }
    switch (key) {
      case "_index":
        item.index = String(value);
        break;
      case "_id":
        item.id = String(value);
        break;
      case "routing":
        item.routing = String(value);
        break;
      case "version":
        item.version = Number(value);
        break;
      case "version_type":
        item.versionType = parseVersionType(String(value));
        break;
      default:
        throw errors.parse(`failed to parse multi get request. unknown field [${key}]`);
    }
  }
  if (source !== undefined) item.source = source;
  return inherit(defaults, item);
}

/** A `docs[]._source`: boolean, one include, a list of includes, or `{includes, excludes}`. */
function parseItemSource(value: unknown, current: SourceFilter | undefined): SourceFilter {
  const enabled = current?.enabled ?? true;
  const excludes = current?.excludes ?? [];
  if (typeof value === "boolean") return { enabled: value, includes: current?.includes ?? [], excludes };
  if (typeof value === "string") return { enabled, includes: [value], excludes };
  if (Array.isArray(value)) return { enabled, includes: value.map(String), excludes };
  if (value !== null && typeof value === "object") {
    const out: SourceFilter = { enabled, includes: [], excludes: [] };
    for (const [k, v] of Object.entries(value as Json)) {
      const list = k === "includes" || k === "include" ? out.includes : k === "excludes" || k === "exclude" ? out.excludes : undefined;
      if (!list) throw errors.parse(`source definition may not contain [${k}]`);
      list.push(...(Array.isArray(v) ? v : [v]).map(String));
    }
    return out;
  }
  throw errors.parse(`illegal type for _source: [${tokenName(value)}]`);
}

function tokenName(v: unknown): string {
  if (v === null) return "VALUE_NULL";
  if (Array.isArray(v)) return "START_ARRAY";
  if (typeof v === "string") return "VALUE_STRING";
  if (typeof v === "number") return Number.isInteger(v) ? "VALUE_NUMBER_INT" : "VALUE_NUMBER_FLOAT";
  if (typeof v === "boolean") return "VALUE_BOOLEAN";
  return "START_OBJECT";
}

/**
 * `POST /_mget`: reads every item on its own, in request order. A failed item answers
 * `{_index, _id, error}` with the error as ES nests it (`root_cause`, `type`, `reason`, …), the
 * requested index name kept as given (`MultiGetResponse.Failure`).
 */
export function multiGet(cluster: Cluster, items: MultiGetItem[], opts: { realtime?: boolean; refresh?: boolean }): Json {
  const docs: Json[] = [];
  for (const item of items) {
    const index = item.index!;
    const id = item.id!;
    try {
      const readOpts: GetOptions = { realtime: opts.realtime ?? true, refresh: opts.refresh ?? false };
      if (item.version !== undefined) readOpts.version = item.version;
      if (item.versionType !== undefined) readOpts.versionType = item.versionType;
      if (item.routing !== undefined) readOpts.routing = item.routing;
      validateGetVersion(readOpts);
      const shard = readTarget(cluster, index);
      const doc = readDoc(cluster, shard, index, id, readOpts);
      const filter = item.source ?? defaultSourceFilter(item.storedFields);
      docs.push(doc ? foundDocBody(shard, doc, filter, item.storedFields) : { _index: shard.name, _id: id, found: false });
    } catch (e) {
      if (!(e instanceof EsError)) throw e;
      docs.push({ _index: index, _id: id, error: nestedError(e) });
    }
  }
  return { docs };
}

/** `ElasticsearchException.generateFailureXContent` for a nested failure: root cause first. */
function nestedError(e: EsError): Json {
  const top = e.toJSON();
  const { caused_by: _cause, ...root } = top;
  void _cause;
  return { root_cause: [root], ...top };
}
