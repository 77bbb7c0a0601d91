/**
 * Composable index template actions (`TransportPutComposableIndexTemplateAction`,
 * `TransportGetComposableIndexTemplateAction`, `TransportDeleteComposableIndexTemplateAction`),
 * each one metadata update over the cluster-state custom `index_template`, so concurrent puts of
 * overlapping templates see each other (one wins, the other gets ES's overlap error) and survive
 * a restart as the other customs do. `templateForNewIndex` is what index creation applies.
 */
import type { Cluster } from "../cluster";
import { EsError, errors } from "../errors";
import {
  findTemplate,
  INDEX_TEMPLATE_CUSTOM_KEY,
  invalidTemplate,
  javaList,
  overlapError,
  parseComposableTemplate,
  renderTemplate,
  templateValidationProblems,
  type ComposableTemplate,
  type TemplateMap,
} from "../indexTemplates";
import { isWildcard, simpleMatch } from "../names";
import { mappingLimits, nestSettings, validateIndexSettings } from "../settings";
import type { Answer, FlatSettings, Json } from "../types";
import { dataStreamNames } from "../dataStreams";

/** The stored templates (a copy). */
export function indexTemplates(cluster: Cluster): TemplateMap {
  const custom = cluster.customMetadata(INDEX_TEMPLATE_CUSTOM_KEY) as { index_template?: TemplateMap } | undefined;
  return (custom?.index_template ?? {}) as TemplateMap;
}

function saveTemplates(cluster: Cluster, templates: TemplateMap): Promise<void> {
  return cluster.putCustomMetadata(
    INDEX_TEMPLATE_CUSTOM_KEY,
    Object.keys(templates).length === 0 ? null : ({ index_template: templates } as unknown as Json),
  );
}

/** `PUT|POST /_index_template/{name}` (`create=true` refuses to replace); one metadata update. */
export function putIndexTemplate(cluster: Cluster, name: string, body: Json, opts: { create?: boolean } = {}): Promise<Json> {
  const template = parseComposableTemplate(body);
  // addIndexTemplateV2 rebuilds a template that has a `template` section with composedOf(),
  // which is an empty list for none: such templates then render `composed_of: []`
  if (template.template && template.composed_of === undefined) template.composed_of = [];
  return cluster.updateMetadata(async () => {
    const templates = indexTemplates(cluster);
    // validateV2TemplateRequest: component templates are not modelled, so every named one is missing
    if (template.composed_of && template.composed_of.length > 0) {
      throw new EsError(
        "invalid_index_template_exception",
        400,
        `index template [${name}] specifies component templates ${javaList(template.composed_of)} that do not exist`,
      );
    }
    if (opts.create && templates[name]) throw errors.illegalArgument(`index template [${name}] already exists`);
    const overlap = overlapError(templates, name, template);
    if (overlap) throw overlap;
    validateTemplate(cluster, name, template);
    checkDataStreamsStillMatched(cluster, templates, name, template);
    await saveTemplates(cluster, { ...templates, [name]: template });
    return { acknowledged: true };
  });
}

/** `validate` then `validateCompositeTemplate` of MetadataIndexTemplateService.validateIndexTemplateV2. */
function validateTemplate(cluster: Cluster, name: string, t: ComposableTemplate): void {
  const problems = templateValidationProblems(name, t);
  const settings = t.template?.settings ?? {};
  try {
    validateIndexSettings({ ...settings }, "create");
  } catch (e) {
    if (!(e instanceof EsError)) throw e;
    problems.push(e.reason);
  }
  if (problems.length > 0) throw invalidTemplate(name, problems);
  for (const alias of Object.keys(t.template?.aliases ?? {})) {
    if (t.index_patterns.includes(alias)) {
      throw errors.illegalArgument(`alias [${alias}] cannot be the same as any pattern in [${t.index_patterns.join(", ")}]`);
    }
  }
  try {
    const mappings = cluster.searchLibrary.validateMappings(withTimestamp(t), "createIndex");
    cluster.searchLibrary.checkMappingLimits(mappings, mappingLimits(settings));
  } catch (e) {
    if (!(e instanceof EsError)) throw e;
    throw new EsError("illegal_argument_exception", 400, `composable template [${name}] template after composition is invalid`, {}, e);
  }
}

/**
 * The mappings a template gives new indices: a data-stream template's backing indices also map
 * `@timestamp` as `date` (MetadataIndexTemplateService.collectMappings adds
 * DEFAULT_TIMESTAMP_MAPPING_WITHOUT_ROUTING first, so the template's own mapping of it wins).
 */
export function withTimestamp(t: ComposableTemplate): Json {
  const own = (t.template?.mappings ?? {}) as Json;
  if (!t.data_stream) return own;
  const props = (own.properties ?? {}) as Json;
  return { ...own, properties: { "@timestamp": { type: "date" }, ...props } };
}

/** validateDataStreamsStillReferenced: a change may not leave a data stream without a data-stream template. */
function checkDataStreamsStillMatched(cluster: Cluster, templates: TemplateMap, name: string, t: ComposableTemplate): void {
  const streams = dataStreamNames(cluster);
  if (streams.length === 0) return;
  const unmatched = (m: TemplateMap) => streams.filter((s) => !findTemplate(m, s)?.[1].data_stream);
  const before = unmatched(templates);
  const after = unmatched({ ...templates, [name]: t });
  if (after.length > before.length) {
    throw errors.illegalArgument(
      `composable template [${name}] with index patterns ${javaList(t.index_patterns)}, priority [${t.priority ?? null}] ` +
        `${t.data_stream ? "" : "and no data stream configuration "}would cause data streams ${javaList(after)} to no longer match a data stream template`,
    );
  }
}

/**
 * `GET /_index_template[/{name}]`: one name or a wildcard (TransportGetComposableIndexTemplateAction);
 * a missing exact name is resource_not_found_exception, a wildcard matching nothing an empty list
 * answered 404 (RestGetComposableIndexTemplateAction), a request without a name 200.
 */
export function getIndexTemplates(cluster: Cluster, name: string | undefined): Answer {
  const templates = indexTemplates(cluster);
  let names: string[];
  if (name === undefined || name === "*") names = Object.keys(templates);
  else if (isWildcard(name)) names = Object.keys(templates).filter((n) => simpleMatch(name, n));
  else if (templates[name]) names = [name];
  else throw errors.resourceNotFound(`index template matching [${name}] not found`);
  names.sort();
  const list = names.map((n) => ({ name: n, index_template: renderTemplate(templates[n]!, nestSettings) }));
  return { status: list.length > 0 || name === undefined ? 200 : 404, body: { index_templates: list } };
}

/** `HEAD /_index_template/{name}` */
export function indexTemplateExists(cluster: Cluster, name: string): boolean {
  try {
    return getIndexTemplates(cluster, name).status === 200;
  } catch (e) {
    if (e instanceof EsError && e.status === 404) return false;
    throw e;
  }
}

/**
 * `DELETE /_index_template/{name}` (`innerRemoveIndexTemplateV2`): a comma list of exact names, or
 * one name or wildcard; a template that is the only one a data stream matches cannot go.
 */
export function deleteIndexTemplate(cluster: Cluster, name: string): Promise<Json> {
  return cluster.updateMetadata(async () => {
    const templates = indexTemplates(cluster);
    const names = name.split(",");
    const remove = new Set<string>();
    if (names.length > 1) {
      const missing = names.filter((n) => !templates[n]);
      if (missing.length > 0) throw templateMissing(missing.join(","));
      names.forEach((n) => remove.add(n));
    } else {
      for (const n of Object.keys(templates)) if (simpleMatch(name, n)) remove.add(n);
      if (remove.size === 0) {
        if (name === "*") return { acknowledged: true };
        throw templateMissing(name);
      }
    }
    const rest: TemplateMap = {};
    for (const [n, t] of Object.entries(templates)) if (!remove.has(n)) rest[n] = t;
    // dataStreamsExclusivelyUsingTemplates: streams that no remaining template would match
    const inUse = dataStreamNames(cluster).filter((s) => findTemplate(templates, s) && !findTemplate(rest, s));
    if (inUse.length > 0) {
      throw errors.illegalArgument(
        `unable to remove composable templates ${javaList([...remove].sort())} as they are in use by a data streams ${javaList(inUse.sort())}`,
      );
    }
    await saveTemplates(cluster, rest);
    return { acknowledged: true };
  });
}

function templateMissing(name: string): EsError {
  return new EsError("index_template_missing_exception", 404, `index_template [${name}] missing`);
}

/** What a matching template contributes to a new index. */
export interface AppliedTemplate {
  name: string;
  template: ComposableTemplate;
  settings: FlatSettings;
  mappings: Json;
  aliases: Json;
}

/** The template `findV2Template` picks for a new index (hidden indices skip match-all templates), or undefined. */
export function templateForNewIndex(cluster: Cluster, indexName: string, hidden: boolean): AppliedTemplate | undefined {
  const found = findTemplate(indexTemplates(cluster), indexName, hidden);
  if (!found) return undefined;
  const [name, t] = found;
  return {
    name,
    template: t,
    settings: { ...(t.template?.settings ?? {}) },
    mappings: withTimestamp(t),
    aliases: t.template?.aliases ?? {},
  };
}
