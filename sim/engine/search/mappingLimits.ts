/**
 * The mapping limits of an index, as ES's MappingLookup.checkLimits applies them after every
 * explicit mapping change (`PUT /{index}`, `PUT /{index}/_mapping`): total fields, object depth,
 * field name length and nested fields, in that order, each an `illegal_argument_exception`.
 * Dynamic mapping checks depth and total fields as it adds each new field
 * (DocumentParserContext.addDynamicMapper), see dynamicMapping.ts.
 *
 * Every walk here is iterative: a mapping may be as deep as the JSON parser allows.
 */
import { errors } from "../errors";
import type { MappingLimits } from "../types";
import type { FieldMapping, Mappings } from "./mappings";

export type { MappingLimits };

export const DEFAULT_MAPPING_LIMITS: MappingLimits = {
  totalFields: 1000,
  depth: 20,
  nestedFields: 50,
  fieldNameLength: Number.MAX_SAFE_INTEGER,
  ignoreDynamicBeyondLimit: false,
};

function isObject(m: FieldMapping): boolean {
  return m.type === undefined || m.type === "object" || m.type === "nested";
}

/**
 * How many fields a mapping entry counts for `index.mapping.total_fields.limit`: ES counts every
 * field mapper (multi-fields included), every object mapper (not the root), and runtime fields;
 * metadata fields do not count.
 */
export function fieldCount(m: FieldMapping): number {
  let n = 0;
  const stack: FieldMapping[] = [m];
  while (stack.length > 0) {
    const f = stack.pop()!;
    n++;
    if (f.fields) n += Object.keys(f.fields).length;
    if (f.properties) for (const sub of Object.values(f.properties)) stack.push(sub);
  }
  return n;
}

/** The number of fields of a whole mapping (properties and runtime fields). */
export function totalFieldCount(mappings: Mappings): number {
  let n = 0;
  for (const m of Object.values((mappings.properties as Record<string, FieldMapping> | undefined) ?? {})) n += fieldCount(m);
  const runtime = mappings.runtime;
  if (runtime && typeof runtime === "object") n += Object.keys(runtime).length;
  return n;
}

/** `MappingLookup.checkFieldLimit`'s message. */
export function totalFieldsMessage(limit: number, added = 0): string {
  return `Limit of total fields [${limit}] has been exceeded${added > 0 ? ` while adding new fields [${added}]` : ""}`;
}

/** `MappingLookup.checkObjectDepthLimit`'s message: an object at `path` sits at level dots + 2. */
export function depthMessage(limit: number, path: string): string {
  return `Limit of mapping depth [${limit}] has been exceeded due to object field [${path}]`;
}

/** `MappingLookup.validateMapperNameIn`'s message. */
export function nameLengthMessage(limit: number, name: string): string {
  return `Field name [${name}] is longer than the limit of [${limit}] characters`;
}

/** Throws ES's `illegal_argument_exception` for the first limit `mappings` exceeds. */
export function checkMappingLimits(mappings: Mappings, limits: MappingLimits): void {
  if (totalFieldCount(mappings) > limits.totalFields) throw errors.illegalArgument(totalFieldsMessage(limits.totalFields));
  // Breadth first, so the object reported is the shallowest one beyond the limit.
  type Entry = { path: string; level: number; m: FieldMapping; name: string };
  const root = (mappings.properties as Record<string, FieldMapping> | undefined) ?? {};
  let level: Entry[] = Object.entries(root).map(([name, m]) => ({ path: name, level: 2, m, name }));
  const all: Entry[] = [];
  while (level.length > 0) {
    const next: Entry[] = [];
    for (const e of level) {
      all.push(e);
      if (!isObject(e.m)) continue;
      if (e.level > limits.depth) throw errors.illegalArgument(depthMessage(limits.depth, e.path));
      for (const [name, m] of Object.entries(e.m.properties ?? {})) next.push({ path: `${e.path}.${name}`, level: e.level + 1, m, name });
    }
    level = next;
  }
  for (const e of all) {
    if (e.name.length > limits.fieldNameLength) throw errors.illegalArgument(nameLengthMessage(limits.fieldNameLength, e.name));
    for (const sub of Object.keys(e.m.fields ?? {})) {
      if (sub.length > limits.fieldNameLength) throw errors.illegalArgument(nameLengthMessage(limits.fieldNameLength, sub));
    }
  }
  const nested = all.filter((e) => e.m.type === "nested").length;
  if (nested > limits.nestedFields) throw errors.illegalArgument(`Limit of nested fields [${limits.nestedFields}] has been exceeded`);
}
