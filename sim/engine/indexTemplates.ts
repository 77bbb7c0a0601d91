/**
 * Composable index templates as Elasticsearch 8.x keeps them (`ComposableIndexTemplate`,
 * `MetadataIndexTemplateService`): the stored form, request validation with ES's messages, the
 * same-priority overlap check, and which template an index name picks at creation
 * (`findV2Template`). Pure functions over plain data; the actions in `./actions/indexTemplates.ts`
 * store the templates as the cluster-state custom `index_template`.
 */
import { errors, EsError } from "./errors";
import { simpleMatch } from "./names";
import { flattenSettings, normaliseIndexKey, type SettingValue } from "./settings";
import type { FlatSettings, Json } from "./types";

/** Cluster-state custom key of the templates (ES's `ComposableIndexTemplateMetadata.TYPE`). */
export const INDEX_TEMPLATE_CUSTOM_KEY = "index_template";

/** `ComposableIndexTemplate.DataStreamTemplate`. */
export interface DataStreamTemplate {
  hidden: boolean;
  allow_custom_routing: boolean;
}

/** One stored composable index template, fields as ES renders them (absent = not given). */
export interface ComposableTemplate {
  index_patterns: string[];
  template?: {
    /** Flat `index.`-normalised settings (rendered nested). */
    settings?: FlatSettings;
    mappings?: Json;
    aliases?: Json;
  };
  composed_of?: string[];
  priority?: number;
  version?: number;
  _meta?: Json;
  data_stream?: DataStreamTemplate;
  allow_auto_create?: boolean;
}

/** The templates by name. */
export type TemplateMap = Record<string, ComposableTemplate>;

/** Fields `ComposableIndexTemplate.PARSER` declares. */
export const TEMPLATE_FIELDS = [
  "index_patterns",
  "template",
  "composed_of",
  "priority",
  "version",
  "_meta",
  "data_stream",
  "allow_auto_create",
  "ignore_missing_component_templates",
  "deprecated",
] as const;
/** Fields `Template.PARSER` declares (lifecycle and data_stream_options are not modelled). */
const INNER_TEMPLATE_FIELDS = ["settings", "mappings", "aliases"];

/** ObjectParser's array fields take a single value as a one-element list. */
function stringList(field: string, v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x !== "string") throw errors.xContentParse(`[index_template] failed to parse field [${field}]`);
    return x;
  });
}

function longField(field: string, v: unknown): number {
  const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw errors.xContentParse(`[index_template] failed to parse field [${field}]`);
  return n;
}

/**
 * Parses a `PUT /_index_template/{name}` body (unknown fields were refused by the caller, with
 * their location). Settings are flattened and `index.`-prefixed as `addIndexTemplateV2` normalises
 * them; mappings lose a `_doc` wrapper, which ES adds on storage and strips on rendering.
 */
export function parseComposableTemplate(body: Json): ComposableTemplate {
  if (body.index_patterns === undefined) throw errors.illegalArgument("Required [index_patterns]");
  const out: ComposableTemplate = { index_patterns: stringList("index_patterns", body.index_patterns) };
  if (body.template !== undefined && body.template !== null) {
    const t = body.template as Json;
    if (typeof t !== "object" || Array.isArray(t)) throw errors.xContentParse("[index_template] failed to parse field [template]");
    for (const k of Object.keys(t)) {
      if (!INNER_TEMPLATE_FIELDS.includes(k)) {
        if (k === "lifecycle" || k === "data_stream_options") throw errors.notSupported(`[${k}] in index templates`);
        throw errors.xContentParse(`[template] unknown field [${k}]`);
      }
    }
    const inner: NonNullable<ComposableTemplate["template"]> = {};
    if (t.settings !== undefined && t.settings !== null) {
      const flat: Record<string, SettingValue> = {};
      for (const [k, v] of Object.entries(flattenSettings(t.settings))) flat[normaliseIndexKey(k)] = v;
      const settings: FlatSettings = {};
      for (const [k, v] of Object.entries(flat)) if (v !== null) settings[k] = v;
      inner.settings = settings;
    }
    if (t.mappings !== undefined && t.mappings !== null) {
      const m = t.mappings as Json;
      const keys = Object.keys(m);
      inner.mappings = keys.length === 1 && keys[0] === "_doc" ? (m._doc as Json) : m;
    }
    if (t.aliases !== undefined && t.aliases !== null) inner.aliases = t.aliases as Json;
    out.template = inner;
  }
  if (body.composed_of !== undefined && body.composed_of !== null) out.composed_of = stringList("composed_of", body.composed_of);
  if (body.priority !== undefined && body.priority !== null) out.priority = longField("priority", body.priority);
  if (body.version !== undefined && body.version !== null) out.version = longField("version", body.version);
  if (body._meta !== undefined && body._meta !== null) out._meta = body._meta as Json;
  if (body.data_stream !== undefined && body.data_stream !== null) {
    const ds = body.data_stream as Json;
    for (const k of Object.keys(ds)) {
      if (k !== "hidden" && k !== "allow_custom_routing") throw errors.xContentParse(`[data_stream_template] unknown field [${k}]`);
    }
    out.data_stream = { hidden: ds.hidden === true, allow_custom_routing: ds.allow_custom_routing === true };
  }
  if (body.allow_auto_create !== undefined && body.allow_auto_create !== null) out.allow_auto_create = body.allow_auto_create === true;
  return out;
}

/** `MetadataIndexTemplateService.validate`: name and pattern rules, as one invalid_index_template_exception. */
export function templateValidationProblems(name: string, t: ComposableTemplate): string[] {
  const problems: string[] = [];
  if (name.includes(" ")) problems.push("name must not contain a space");
  if (name.includes(",")) problems.push("name must not contain a ','");
  if (name.includes("#")) problems.push("name must not contain a '#'");
  if (name.includes("*")) problems.push("name must not contain a '*'");
  if (name.startsWith("_")) problems.push("name must not start with '_'");
  if (name.toLowerCase() !== name) problems.push("name must be lower cased");
  for (const p of t.index_patterns) {
    if (p.includes(" ")) problems.push(`index_patterns [${p}] must not contain a space`);
    if (p.includes(",")) problems.push(`index_pattern [${p}] must not contain a ','`);
    if (p.includes("#")) problems.push(`index_pattern [${p}] must not contain a '#'`);
    if (p.includes(":")) problems.push(`index_pattern [${p}] must not contain a ':'`);
    if (p.startsWith("_")) problems.push(`index_pattern [${p}] must not start with '_'`);
    // Strings.validFileNameExcludingAstrix; INVALID_FILENAME_CHARS as a Java HashSet prints it
    if (/[\\/?"<>| ,]/.test(p))
      problems.push(`index_pattern [${p}] must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]`);
  }
  if (t.index_patterns.some((p) => p === "*") && t.template?.settings?.["index.hidden"] !== undefined) {
    problems.push("global templates may not specify the setting index.hidden");
  }
  return problems;
}

/** `InvalidIndexTemplateException` around a `ValidationException`'s message. */
export function invalidTemplate(name: string, problems: string[]): EsError {
  const cause = `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join("")}`;
  return new EsError("invalid_index_template_exception", 400, `index_template [${name}] invalid, cause [${cause}]`);
}

/**
 * Whether some name matches both simple-match patterns (`*` only), i.e. ES's
 * `Operations.isEmpty(Operations.intersection(a, b)) == false` on `Regex.simpleMatchToAutomaton`.
 */
export function patternsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (a[i] === "*") r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (b[j] === "*") r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else r = i < a.length && j < b.length && a[i] === b[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/**
 * `findConflictingV2Templates` with `checkPriority`: the other templates of the same priority whose
 * patterns overlap the candidate's, in name order, each with its patterns.
 */
export function conflictingTemplates(templates: TemplateMap, name: string, candidate: ComposableTemplate): Array<[string, string[]]> {
  const priority = candidate.priority ?? 0;
  const out: Array<[string, string[]]> = [];
  for (const [other, t] of Object.entries(templates).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (other === name || (t.priority ?? 0) !== priority) continue;
    if (candidate.index_patterns.some((p) => t.index_patterns.some((q) => patternsIntersect(p, q)))) out.push([other, t.index_patterns]);
  }
  return out;
}

/** Java's `List.toString()`. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(", ")}]`;
}

/** `v2TemplateOverlaps` with validation: the illegal_argument_exception ES answers, or undefined. */
export function overlapError(templates: TemplateMap, name: string, candidate: ComposableTemplate): EsError | undefined {
  const overlaps = conflictingTemplates(templates, name, candidate);
  if (overlaps.length === 0) return undefined;
  return errors.illegalArgument(
    `index template [${name}] has index patterns ${javaList(candidate.index_patterns)} matching patterns from existing templates ` +
      `[${overlaps.map(([n]) => n).join(",")}] with patterns (${overlaps.map(([n, p]) => `${n} => ${javaList(p)}`).join(",")}) ` +
      `that have the same priority [${candidate.priority ?? 0}], multiple index templates may not match during index creation, ` +
      "please use a different priority",
  );
}

/**
 * `findV2Template`: the highest-priority template whose patterns match the index name; a hidden
 * index skips templates with a match-all pattern. Ties cannot exist (the overlap check refuses them).
 */
export function findTemplate(templates: TemplateMap, indexName: string, hidden = false): [string, ComposableTemplate] | undefined {
  let best: [string, ComposableTemplate] | undefined;
  for (const [name, t] of Object.entries(templates)) {
    if (hidden && t.index_patterns.some((p) => p === "*")) continue;
    if (!t.index_patterns.some((p) => simpleMatch(p, indexName))) continue;
    if (!best || (t.priority ?? 0) > (best[1].priority ?? 0)) best = [name, t];
  }
  return best;
}

/** `ComposableIndexTemplate.toXContent` (settings nested by the caller's renderer). */
export function renderTemplate(t: ComposableTemplate, nest: (flat: FlatSettings) => Json): Json {
  const out: Json = { index_patterns: [...t.index_patterns] };
  if (t.template) {
    const inner: Json = {};
    if (t.template.settings) inner.settings = nest(t.template.settings);
    if (t.template.mappings && Object.keys(t.template.mappings).length > 0) inner.mappings = t.template.mappings;
    if (t.template.aliases) inner.aliases = t.template.aliases;
    out.template = inner;
  }
  if (t.composed_of) out.composed_of = [...t.composed_of];
  if (t.priority !== undefined) out.priority = t.priority;
  if (t.version !== undefined) out.version = t.version;
  if (t._meta !== undefined) out._meta = t._meta;
  if (t.data_stream) out.data_stream = { hidden: t.data_stream.hidden, allow_custom_routing: t.data_stream.allow_custom_routing };
  if (t.allow_auto_create !== undefined) out.allow_auto_create = t.allow_auto_create;
  return out;
}
