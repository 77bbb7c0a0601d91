/**
 * `_source` filtering as ES applies it to hits: `true`/`false`, include and exclude patterns
 * (wildcards over full dotted paths) in any of the request forms, applied to objects and to the
 * objects inside arrays; an included object keeps its whole subtree, excludes win over includes.
 */
import { errors } from "../errors";
import { globToRegExp } from "./patterns";

/** A parsed `_source` request: fetch or not, and which paths. */
export interface SourceFilter {
  fetch: boolean;
  includes: string[];
  excludes: string[];
}

/** Fetch the whole source: ES's default. */
export const FETCH_ALL: SourceFilter = { fetch: true, includes: [], excludes: [] };

function patterns(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw errors.parsing(`Expected one of [TRUE, FALSE, VALUE_STRING, START_ARRAY, START_OBJECT] but found [${where}]`);
}

/** Parses the body form: boolean, pattern, pattern list, or `{includes, excludes}`. */
export function parseSourceBody(value: unknown): SourceFilter {
  if (value === true || value === "true") return FETCH_ALL;
  if (value === false || value === "false") return { fetch: false, includes: [], excludes: [] };
  if (typeof value === "string" || Array.isArray(value)) return { fetch: true, includes: patterns(value, "_source"), excludes: [] };
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!["includes", "include", "excludes", "exclude"].includes(key))
        throw errors.parsing(`Unknown key for a VALUE_STRING in [${key}].`);
    }
    return {
      fetch: true,
      includes: patterns(obj.includes ?? obj.include, "includes"),
      excludes: patterns(obj.excludes ?? obj.exclude, "excludes"),
    };
  }
  throw errors.parsing("Expected one of [TRUE, FALSE, VALUE_STRING, START_ARRAY, START_OBJECT] but found [VALUE_NULL]");
}

/** Parses the URL form: `_source` (true/false/comma list), `_source_includes`, `_source_excludes`. */
export function parseSourceParams(source?: string, includes?: string, excludes?: string): SourceFilter | undefined {
  const list = (s: string | undefined) =>
    s === undefined || s === ""
      ? []
      : s
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean);
  if (source === undefined && includes === undefined && excludes === undefined) return undefined;
  if (source === "false") return { fetch: false, includes: [], excludes: [] };
  const inc = source === undefined || source === "true" ? list(includes) : [...list(source), ...list(includes)];
  return { fetch: true, includes: inc, excludes: list(excludes) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Applies a filter to one document source; the input is never modified. */
export function filterSource(source: Record<string, unknown>, filter: SourceFilter): Record<string, unknown> {
  if (filter.includes.length === 0 && filter.excludes.length === 0) return source;
  const includes = filter.includes.map((p) => globToRegExp(p));
  const excludes = filter.excludes.map((p) => globToRegExp(p));
  const excluded = (path: string) => excludes.some((r) => r.test(path));
  const included = (path: string) => includes.length === 0 || includes.some((r) => r.test(path));

  const filterValue = (value: unknown, path: string, whole: boolean): unknown => {
    if (isPlainObject(value)) {
      const sub = filterObject(value, path, whole);
      return whole || Object.keys(sub).length > 0 ? sub : undefined;
    }
    if (Array.isArray(value)) {
      const items = value.map((v) => filterValue(v, path, whole)).filter((v) => v !== undefined);
      return whole || items.length > 0 ? items : undefined;
    }
    return whole ? value : undefined;
  };
  const filterObject = (obj: Record<string, unknown>, prefix: string, whole: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (excluded(path)) continue;
      const v = filterValue(value, path, whole || included(path));
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
  return filterObject(source, "", false);
}
