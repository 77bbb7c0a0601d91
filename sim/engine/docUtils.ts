/**
 * Small document helpers with ES semantics: `_source` include/exclude filtering, the partial-doc
 * merge of `_update`, deep equality for `detect_noop`, and ES-style identifiers.
 */
import { randomBytes } from "node:crypto";
import { simpleMatch } from "./names";
import type { Json } from "./types";

/**
 * Filters a source like ES's `_source` includes/excludes: dotted paths, `*` wildcards, an object
 * included when any of its paths matches. Returns the source unchanged when there is no filter.
 */
export function filterSource(source: Json, includes: string[], excludes: string[]): Json {
  if (includes.length === 0 && excludes.length === 0) return source;
  return filterObject(source, "", includes, excludes);
}

function filterObject(obj: Json, prefix: string, includes: string[], excludes: string[]): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (excludes.some((p) => simpleMatch(p, path))) continue;
    const included = includes.length === 0 || includes.some((p) => simpleMatch(p, path));
    if (isPlainObject(value)) {
      const sub = filterObject(value, path, included ? [] : includes, excludes);
      if (included || Object.keys(sub).length > 0) out[key] = sub;
    } else if (included) {
      out[key] = value;
    }
  }
  return out;
}

/** What of `_source` to return: nothing (`enabled: false`) or the source filtered by includes/excludes. */
export interface SourceFilter {
  enabled: boolean;
  includes: string[];
  excludes: string[];
}

/** Parses `_source`/`_source_includes`/`_source_excludes` request values into a filter (or `false`). */
export function parseSourceParam(source: string | undefined, includes: string | undefined, excludes: string | undefined): SourceFilter {
  const list = (s: string | undefined) =>
    s
      ? s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean)
      : [];
  if (source === "false") return { enabled: false, includes: [], excludes: [] };
  const inc = source && source !== "true" ? list(source) : list(includes);
  return { enabled: true, includes: inc, excludes: list(excludes) };
}

/** A `_source` given in a body (`FetchSourceContext.fromXContent`): boolean, field(s), or `{includes, excludes}`. */
export function parseSourceValue(v: unknown): SourceFilter {
  if (typeof v === "boolean") return { enabled: v, includes: [], excludes: [] };
  if (typeof v === "string") return parseSourceParam(v, undefined, undefined);
  const list = (x: unknown) => (x === undefined || x === null ? [] : (Array.isArray(x) ? x : [x]).map(String));
  if (Array.isArray(v)) return { enabled: true, includes: list(v), excludes: [] };
  const o = (v ?? {}) as Json;
  return { enabled: true, includes: list(o.includes ?? o.include), excludes: list(o.excludes ?? o.exclude) };
}

/**
 * Values of the stored fields a get asks for (`stored_fields`), as ES's `fields` object: only
 * fields mapped with `store: true` are stored (a multi-field stores its parent's value); patterns
 * may use `*`. Values come from the source, always as arrays.
 */
export function storedFieldValues(mappings: Json, source: Json, patterns: string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [path, sourcePath] of storedPaths(mappings, "")) {
    if (!patterns.some((p) => simpleMatch(p, path))) continue;
    const values = valuesAt(source, sourcePath.split("."));
    if (values.length > 0) out[path] = values;
  }
  return out;
}

/** `[field path, source path]` of every mapped field with `store: true`. */
function storedPaths(mapping: Json, prefix: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const props = mapping.properties;
  if (!isPlainObject(props)) return out;
  for (const [name, def] of Object.entries(props)) {
    if (!isPlainObject(def)) continue;
    const path = prefix ? `${prefix}.${name}` : name;
    if (def.store === true) out.push([path, path]);
    if (isPlainObject(def.fields)) {
      for (const [sub, subDef] of Object.entries(def.fields)) {
        if (isPlainObject(subDef) && subDef.store === true) out.push([`${path}.${sub}`, path]);
      }
    }
    out.push(...storedPaths(def, path));
  }
  return out;
}

function valuesAt(value: unknown, path: string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (path.length === 0) return value === null || value === undefined ? [] : [value];
  if (!isPlainObject(value)) return [];
  const direct = value[path.join(".")];
  if (path.length > 1 && direct !== undefined) return valuesAt(direct, []);
  return valuesAt(value[path[0]!], path.slice(1));
}

/** The `_update` partial-doc merge: objects merge recursively, everything else is replaced. */
export function mergeDoc(target: Json, partial: Json): Json {
  const out: Json = { ...target };
  for (const [key, value] of Object.entries(partial)) {
    const cur = out[key];
    if (isPlainObject(value) && isPlainObject(cur)) out[key] = mergeDoc(cur, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Structural equality of JSON values (key order ignored), for `detect_noop`. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as Json);
  const kb = Object.keys(b as Json);
  return (
    ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Json)[k], (b as Json)[k]))
  );
}

let lastTimestamp = 0;
let sequence = randomBytes(3).readUIntBE(0, 3);

/**
 * A 20-character URL-safe id like ES's auto-generated `_id` (`TimeBasedUUIDGenerator`): time,
 * sequence and node bytes, base64url without padding.
 */
export function generateDocId(now: number): string {
  sequence = (sequence + 1) & 0xffffff;
  const ts = Math.max(now, lastTimestamp);
  lastTimestamp = ts;
  const buf = Buffer.alloc(15);
  buf.writeUIntBE(ts, 0, 6);
  buf.writeUIntBE(sequence, 6, 3);
  randomBytes(6).copy(buf, 9);
  return buf.toString("base64url");
}

/** A 22-character random base64url id, as ES's index and cluster UUIDs look. */
export function randomUuid(): string {
  return randomBytes(16).toString("base64url");
}
