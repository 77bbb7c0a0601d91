/**
 * The one place responses are rendered: ES's error envelope, `?pretty`, `?filter_path`, and the
 * headers every Elasticsearch response carries (`X-elastic-product: Elasticsearch`, JSON type).
 */
import { EsError } from "../engine/errors";
import { simpleMatch } from "../engine/names";

/** Header value the official clients check on every 2xx response. */
export const PRODUCT_HEADER = "Elasticsearch";

/** ES's `{"error":{"root_cause":[…],"type":…,"reason":…,…},"status":…}` for an EsError. */
export function errorEnvelope(error: EsError): Record<string, unknown> {
  const top = error.toJSON();
  const rootCauses: unknown[] =
    error.type === "search_phase_execution_exception" && Array.isArray(error.extra.failed_shards)
      ? (error.extra.failed_shards as Array<{ reason: Record<string, unknown> }>).map((f) => withoutCause(f.reason))
      : [withoutCause(rootCauseOf(error).toJSON())];
  return { error: { root_cause: rootCauses, ...top }, status: error.status };
}

/**
 * Causes that are themselves ElasticsearchExceptions in ES, through which
 * `ElasticsearchException.guessRootCauses` descends (a Java exception such as
 * IllegalArgumentException stops it). Only the wrappings es-sim reproduces and that were checked are
 * listed: `mapper_parsing_exception` "Failed to parse mapping: …" around its cause at index creation.
 */
const DESCENDED_CAUSES = new Set(["mapper_parsing_exception"]);

function rootCauseOf(error: EsError): EsError {
  let e = error;
  while (e.causedBy && DESCENDED_CAUSES.has(e.causedBy.type) && DESCENDED_CAUSES.has(e.type)) e = e.causedBy;
  return e;
}

function withoutCause(o: Record<string, unknown>): Record<string, unknown> {
  const { caused_by: _drop, ...rest } = o;
  void _drop;
  return rest;
}

/** ES's flat error body used by the REST controller itself (no handler, bad method, bad content type). */
export function simpleError(status: number, message: string): Record<string, unknown> {
  return { error: message, status };
}

/**
 * `filter_path`: comma-separated paths with `*` (one level) and `**` (any depth); a leading `-`
 * excludes. Arrays are transparent (a path applies to each element).
 */
export function applyFilterPath(value: unknown, filterPath: string): unknown {
  const filters = filterPath
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  const includes = filters.filter((f) => !f.startsWith("-")).map((f) => f.split("."));
  const excludes = filters.filter((f) => f.startsWith("-")).map((f) => f.slice(1).split("."));
  let out = value;
  if (includes.length > 0) out = include(out, includes) ?? {};
  if (excludes.length > 0) out = exclude(out, excludes);
  return out;
}

function include(value: unknown, paths: string[][]): unknown {
  if (paths.some((p) => p.length === 0)) return value;
  if (Array.isArray(value)) {
    const arr = value.map((v) => include(v, paths)).filter((v) => v !== undefined);
    return arr.length > 0 ? arr : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const next: string[][] = [];
    for (const p of paths) {
      if (p[0] === "**") {
        next.push(p); // ** may consume this level
        if (p.length > 1 && simpleMatch(p[1]!, k)) next.push(p.slice(2));
      } else if (simpleMatch(p[0]!, k)) next.push(p.slice(1));
    }
    if (next.length === 0) continue;
    const sub = include(v, next);
    if (sub !== undefined) out[k] = sub;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function exclude(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((v) => exclude(v, paths));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const matching = paths.filter((p) => p[0] === "**" || simpleMatch(p[0]!, k));
    if (matching.some((p) => p.length === 1)) continue;
    out[k] =
      matching.length > 0
        ? exclude(
            v,
            matching.map((p) => (p[0] === "**" ? p : p.slice(1))),
          )
        : v;
  }
  return out;
}

/** Serialises a JSON body, pretty when asked (ES appends a newline to pretty output). */
export function serialize(body: unknown, pretty: boolean): string {
  return pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
}
