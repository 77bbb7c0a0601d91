/**
 * Index administration, one function per ES transport action: create (`TransportCreateIndexAction`),
 * delete, exists, get, get/put settings, add block, close, open, get/put mapping, get/update
 * aliases, refresh, flush and force-merge. Each takes the cluster state as its first argument,
 * validates like ES, applies in memory and resolves once the change is durable.
 */
import type { Cluster, ExpressionOptions } from "../cluster";
import { checkNotWriteIndices, dataStreams, forgetBackingIndices, parentDataStream } from "../dataStreams";
import { deepEqual, randomUuid } from "../docUtils";
import { EsError, errors } from "../errors";
import { isWildcard, simpleMatch, validateIndexName } from "../names";
import {
  flattenSettings,
  indexSettingDefaults,
  mappingLimits,
  nestSettings,
  normaliseIndexKey,
  sortedFlat,
  validateIndexSettings,
  type SettingValue,
} from "../settings";
import type { IndexShard } from "../shard";
import { templateForNewIndex } from "./indexTemplates";
import type { AliasProps, Answer, FlatSettings, IndexMeta, Json } from "../types";
import { shardsHeader } from "./shardCopies";

/** `index.version.created` of new indices (an opaque IndexVersion id, 8.x range). */
export const INDEX_VERSION_CREATED = "8536000";

/** `PUT /{index}` */
export async function createIndex(cluster: Cluster, name: string, body: Json): Promise<Json> {
  for (const key of Object.keys(body)) {
    if (!["settings", "mappings", "aliases"].includes(key)) {
      throw errors.parse(`unknown key [${key}] for create index`);
    }
  }
  const shard = await createIndexInternal(
    cluster,
    name,
    (body.settings as Json) ?? {},
    (body.mappings as Json) ?? {},
    (body.aliases as Json) ?? {},
    {},
    { applyTemplates: true },
  );
  return { acknowledged: true, shards_acknowledged: true, index: shard.name };
}

/** How an index is created besides its body. */
export interface CreateIndexOptions {
  /**
   * Whether the matching composable index template applies (PUT /{index}, auto-creation, data
   * stream backing indices); a CCR follower is created from its leader's metadata alone.
   */
  applyTemplates?: boolean;
  /** The data stream the index is created as a backing index of (templates that create data streams only then apply). */
  dataStream?: string;
}

/**
 * Creates an index (validated like `PUT /{index}`). Also the CCR hook for creating a follower
 * with leader settings: `internalSettings` are applied after validation (e.g. the follower flag).
 * Runs as one metadata update (`Cluster.updateMetadata`), as `MetadataCreateIndexService` does: the
 * name is checked in the update that registers it, so of concurrent creations of one name exactly
 * one succeeds and the others answer `resource_already_exists_exception`.
 */
export function createIndexInternal(
  cluster: Cluster,
  name: string,
  settingsBody: Json,
  mappings: Json,
  aliases: Json,
  internalSettings: FlatSettings = {},
  opts: CreateIndexOptions = {},
): Promise<IndexShard> {
  return cluster.updateMetadata(() => createIndexNow(cluster, name, settingsBody, mappings, aliases, internalSettings, opts));
}

async function createIndexNow(
  cluster: Cluster,
  name: string,
  settingsBody: Json,
  mappings: Json,
  aliases: Json,
  internalSettings: FlatSettings = {},
  opts: CreateIndexOptions = {},
): Promise<IndexShard> {
  validateIndexName(name);
  const existing = cluster.shard(name);
  if (existing) throw errors.indexAlreadyExists(name, existing.uuid);
  if (cluster.indexShards().some((s) => Object.keys(s.meta.aliases).includes(name)))
    throw errors.invalidIndexName(name, "already exists as alias");
  const flat: Record<string, SettingValue> = {};
  for (const [k, v] of Object.entries(flattenSettings(settingsBody))) flat[normaliseIndexKey(k)] = v;
  // MetadataCreateIndexService.applyCreateIndexRequestWithV2Template: the template's settings,
  // mappings and aliases first, the request's own on top (explicit body wins)
  // a backing index takes the template of its data stream's name (MetadataCreateIndexService)
  const template = opts.applyTemplates
    ? templateForNewIndex(cluster, opts.dataStream ?? name, opts.dataStream === undefined && flat["index.hidden"] === "true")
    : undefined;
  if (template?.template.data_stream && opts.dataStream === undefined) {
    throw errors.illegalArgument(
      `cannot create index with name [${name}], because it matches with template [${template.name}] that creates data streams only, use create data stream api instead`,
    );
  }
  if (template) {
    for (const [k, v] of Object.entries(template.settings)) if (!(k in flat)) flat[k] = v;
    // a data stream template's aliases are data stream aliases, not put on backing indices
    if (opts.dataStream === undefined) aliases = { ...template.aliases, ...aliases };
  }
  if (flat["index.soft_deletes.enabled"] === "false") {
    throw errors.illegalArgument(
      "Creating indices with soft-deletes disabled is no longer supported. Please do not specify a value for setting [index.soft_deletes.enabled].",
    );
  }
  validateIndexSettings(flat, "create");
  const aliasMap = parseAliases(cluster, aliases, name);
  let finalMappings = cluster.searchLibrary.validateMappings(template ? template.mappings : mappings, "createIndex");
  if (template && Object.keys(mappings).length > 0) finalMappings = cluster.searchLibrary.mergeMappings(finalMappings, mappings);
  // MapperService.merge → MappingLookup.checkLimits, with the settings the index is created with
  const limitSettings: FlatSettings = {};
  for (const [k, v] of Object.entries(flat)) if (typeof v === "string") limitSettings[k] = v;
  cluster.searchLibrary.checkMappingLimits(finalMappings, mappingLimits(limitSettings));
  const now = cluster.now();
  const uuid = randomUuid();
  const settings: FlatSettings = {
    "index.routing.allocation.include._tier_preference": "data_content",
    "index.number_of_shards": "1",
    "index.number_of_replicas": "1",
  };
  for (const [k, v] of Object.entries(flat)) if (v !== null) settings[k] = v;
  Object.assign(settings, internalSettings, {
    "index.provided_name": name,
    "index.creation_date": String(now),
    "index.uuid": uuid,
    "index.version.created": INDEX_VERSION_CREATED,
  });
  const meta: IndexMeta = {
    name,
    uuid,
    settings,
    mappings: finalMappings,
    aliases: aliasMap,
    state: "open",
    primaryTerm: 1,
    mappingVersion: 1,
    settingsVersion: 1,
    aliasesVersion: 1,
    custom: {},
  };
  return cluster.addIndex(meta, now);
}

function parseAliases(cluster: Cluster, aliases: Json, indexName: string): Record<string, AliasProps> {
  const out: Record<string, AliasProps> = {};
  for (const [alias, raw] of Object.entries(aliases)) {
    out[alias] = parseAliasProps(cluster, alias, (raw ?? {}) as Json, indexName);
  }
  return out;
}

function parseAliasProps(cluster: Cluster, alias: string, raw: Json, indexName: string): AliasProps {
  validateAliasName(alias);
  if (cluster.shard(alias) !== undefined || alias === indexName) {
    throw new EsError(
      "invalid_alias_name_exception",
      400,
      `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`,
      { index_uuid: "_na_", index: alias },
    );
  }
  const props: AliasProps = {};
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case "is_write_index":
        props.is_write_index = v === true || v === "true";
        break;
      case "is_hidden":
        props.is_hidden = v === true || v === "true";
        break;
      case "routing":
      case "index_routing":
      case "search_routing":
        props[k] = String(v);
        break;
      case "filter":
        throw errors.notSupported(`filtered aliases ([filter] on alias [${alias}])`);
      default:
        throw errors.parse(`failed to parse alias [${alias}], unknown field [${k}]`);
    }
  }
  return props;
}

/** `DELETE /{index}` (wildcards only when `action.destructive_requires_name` is false); one metadata update. */
export function deleteIndex(cluster: Cluster, expression: string, opts: ExpressionOptions): Promise<Json> {
  return cluster.updateMetadata(() => deleteIndexNow(cluster, expression, opts));
}

async function deleteIndexNow(cluster: Cluster, expression: string, opts: ExpressionOptions): Promise<Json> {
  checkDestructive(cluster, expression);
  const names = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"], allowAliases: false });
  checkNotWriteIndices(cluster, names, "delete");
  await forgetBackingIndices(cluster, names);
  for (const name of names) await cluster.removeIndex(name);
  return { acknowledged: true };
}

function checkDestructive(cluster: Cluster, expression: string): void {
  const requiresName = String(cluster.clusterSetting("action.destructive_requires_name")) === "true";
  if (!requiresName) return;
  const parts = expression.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "_all" || isWildcard(p))) throw errors.destructiveRequiresName();
}

/** `HEAD /{index}` */
export function indexExists(cluster: Cluster, expression: string, opts: ExpressionOptions): boolean {
  try {
    return (
      cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] }).length > 0 ||
      !expression.split(",").some((p) => !isWildcard(p))
    );
  } catch (e) {
    if (e instanceof EsError && e.status === 404) return false;
    throw e;
  }
}

/** What `GET /{index}` returns (`features`, GetIndexRequest.Feature). */
export type IndexFeature = "aliases" | "mappings" | "settings";

/** `features=aliases,settings` as GetIndexRequest.Feature.fromRequest parses it (case-insensitive). */
export function parseIndexFeatures(value: string | undefined): IndexFeature[] {
  if (value === undefined) return ["aliases", "mappings", "settings"];
  const names = value.split(",");
  const invalid = names.filter((n) => !["aliases", "mappings", "settings"].includes(n.toLowerCase()));
  if (invalid.length > 0) throw errors.illegalArgument(`Invalid features specified [${invalid.join(",")}]`);
  return names.map((n) => n.toLowerCase() as IndexFeature);
}

/** `GET /{index}`: every index has `aliases`, `mappings` and `settings`, empty when not among `features` (GetIndexResponse). */
export function getIndex(
  cluster: Cluster,
  expression: string,
  opts: ExpressionOptions & { flat?: boolean; includeDefaults?: boolean; features?: IndexFeature[] },
): Json {
  const names = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
  const features = opts.features ?? ["aliases", "mappings", "settings"];
  const streams = dataStreams(cluster);
  const out: Json = {};
  for (const name of names) {
    const s = cluster.shard(name)!;
    const entry: Json = {
      aliases: features.includes("aliases") ? aliasesView(s.meta.aliases) : {},
      mappings: features.includes("mappings") ? s.meta.mappings : {},
      settings: !features.includes("settings") ? {} : opts.flat ? sortedFlat(s.meta.settings) : nestSettings(s.meta.settings),
    };
    if (opts.includeDefaults && features.includes("settings"))
      entry.defaults = opts.flat ? indexSettingDefaults(s.meta.settings) : nestSettings(indexSettingDefaults(s.meta.settings));
    // GetIndexResponse names the data stream a backing index belongs to
    const stream = parentDataStream(streams, name);
    if (stream) entry.data_stream = stream.name;
    out[name] = entry;
  }
  return out;
}

/** `GET /{index}/_settings[/{name}]` */
export function getSettings(
  cluster: Cluster,
  expression: string | undefined,
  names: string | undefined,
  opts: ExpressionOptions & { flat?: boolean; includeDefaults?: boolean },
): Json {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
  const filters = names && names !== "_all" ? names.split(",") : undefined;
  const pick = (f: FlatSettings) => {
    if (!filters) return f;
    const o: FlatSettings = {};
    for (const [k, v] of Object.entries(f)) if (filters.some((p) => simpleMatch(p, k))) o[k] = v;
    return o;
  };
  const out: Json = {};
  for (const name of indices) {
    const s = cluster.shard(name)!;
    const settings = pick(s.meta.settings);
    const entry: Json = { settings: opts.flat ? sortedFlat(settings) : nestSettings(settings) };
    if (opts.includeDefaults) {
      const d = pick(indexSettingDefaults(s.meta.settings));
      entry.defaults = opts.flat ? sortedFlat(d) : nestSettings(d);
    }
    if (filters && Object.keys(settings).length === 0 && !opts.includeDefaults) continue;
    out[name] = entry;
  }
  return out;
}

/** `PUT /{index}/_settings`; one metadata update. */
export function putSettings(
  cluster: Cluster,
  expression: string | undefined,
  body: Json,
  opts: ExpressionOptions & { preserveExisting?: boolean },
): Promise<Json> {
  return cluster.updateMetadata(() => putSettingsNow(cluster, expression, body, opts));
}

async function putSettingsNow(
  cluster: Cluster,
  expression: string | undefined,
  body: Json,
  opts: ExpressionOptions & { preserveExisting?: boolean },
): Promise<Json> {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
  const source = Object.keys(body).length === 1 && body.settings && typeof body.settings === "object" ? (body.settings as Json) : body;
  const flat: Record<string, SettingValue> = {};
  for (const [k, v] of Object.entries(flattenSettings(source))) flat[normaliseIndexKey(k)] = v;
  if (Object.keys(flat).length === 0) throw errors.validation(["no settings to update"]);
  for (const name of indices) {
    const s = cluster.shard(name)!;
    validateIndexSettings(flat, s.isOpen ? "update-open" : "update-closed", `${s.name}/${s.uuid}`);
    const onlyBlocks = Object.keys(flat).every((k) => k.startsWith("index.blocks."));
    if (!onlyBlocks) s.checkMetadataWritable();
  }
  for (const name of indices) {
    const s = cluster.shard(name)!;
    const settings = { ...s.meta.settings };
    for (const [k, v] of Object.entries(flat)) {
      if (v === null) delete settings[k];
      else if (!(opts.preserveExisting && k in settings)) settings[k] = v;
    }
    s.updateMeta({ ...s.meta, settings, settingsVersion: s.meta.settingsVersion + 1 });
  }
  await cluster.commit();
  return { acknowledged: true };
}

/** `PUT /{index}/_block/{block}`; one metadata update. */
export function addBlock(cluster: Cluster, expression: string, block: string, opts: ExpressionOptions): Promise<Json> {
  return cluster.updateMetadata(() => addBlockNow(cluster, expression, block, opts));
}

async function addBlockNow(cluster: Cluster, expression: string, block: string, opts: ExpressionOptions): Promise<Json> {
  if (!["metadata", "read", "read_only", "write"].includes(block)) throw errors.illegalArgument(`No such block [${block}]`);
  checkDestructive(cluster, expression);
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
  const result: Json[] = [];
  for (const name of indices) {
    const s = cluster.shard(name)!;
    s.updateMeta({
      ...s.meta,
      settings: { ...s.meta.settings, [`index.blocks.${block}`]: "true" },
      settingsVersion: s.meta.settingsVersion + 1,
    });
    result.push({ name, blocked: true });
  }
  await cluster.commit();
  return { acknowledged: true, shards_acknowledged: true, indices: result };
}

/** `POST /{index}/_close`; one metadata update. */
export function closeIndex(cluster: Cluster, expression: string, opts: ExpressionOptions): Promise<Json> {
  return cluster.updateMetadata(() => closeIndexNow(cluster, expression, opts));
}

async function closeIndexNow(cluster: Cluster, expression: string, opts: ExpressionOptions): Promise<Json> {
  checkDestructive(cluster, expression);
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
  checkNotWriteIndices(cluster, indices, "close");
  const out: Json = {};
  for (const name of indices) {
    const s = cluster.shard(name)!;
    if (s.isOpen) {
      s.refresh(cluster.now(), "internal");
      s.releaseWaiters();
      s.updateMeta({ ...s.meta, state: "close", primaryTerm: s.meta.primaryTerm + 1 });
      s.dropSearch();
      cluster.events.emit("index-closed", name);
    }
    out[name] = { closed: true };
  }
  await cluster.commit();
  return { acknowledged: true, shards_acknowledged: true, indices: out };
}

/** `POST /{index}/_open`; one metadata update. */
export function openIndex(cluster: Cluster, expression: string, opts: ExpressionOptions): Promise<Json> {
  return cluster.updateMetadata(() => openIndexNow(cluster, expression, opts));
}

async function openIndexNow(cluster: Cluster, expression: string, opts: ExpressionOptions): Promise<Json> {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["closed"] });
  for (const name of indices) {
    const s = cluster.shard(name)!;
    if (!s.isOpen) {
      s.updateMeta({ ...s.meta, state: "open", primaryTerm: s.meta.primaryTerm + 1 });
      s.reindexAllForSearch();
      await s.refreshInSlices(cluster.now(), "internal");
      cluster.events.emit("index-opened", name);
    }
  }
  await cluster.commit();
  return { acknowledged: true, shards_acknowledged: true };
}

/** `GET /{index}/_mapping` */
export function getMapping(cluster: Cluster, expression: string | undefined, opts: ExpressionOptions): Json {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
  const out: Json = {};
  for (const name of indices) out[name] = { mappings: cluster.shard(name)!.meta.mappings };
  return out;
}

/**
 * `GET /{index}/_mapping/field/{fields}` (TransportGetFieldMappingsIndexAction): per index, each
 * matching field by full path with its mapping under its leaf name. Fields are the leaf and
 * multi-field mappers; object paths match nothing, as in ES. Metadata fields (`_id`, `_source`, …),
 * which ES also matches, are not modelled.
 */
export function getFieldMapping(cluster: Cluster, expression: string | undefined, fields: string, opts: ExpressionOptions): Answer {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
  const patterns = fields.split(",").map((f) => f.trim());
  const out: Json = {};
  for (const name of indices) {
    const leaves = fieldMappers(cluster.shard(name)!.meta.mappings.properties as Json | undefined, "");
    const matched: Json = {};
    for (const pattern of patterns) {
      for (const [path, mapping] of leaves) {
        if (path in matched || !(isWildcard(pattern) ? simpleMatch(pattern, path) : pattern === path)) continue;
        matched[path] = { full_name: path, mapping: { [path.slice(path.lastIndexOf(".") + 1)]: mapping } };
      }
    }
    out[name] = { mappings: matched };
  }
  // RestGetFieldMappingAction: 404 only when no index answered.
  return { status: indices.length === 0 ? 404 : 200, body: out };
}

/** Every leaf field and multi-field of `properties`, by full path. */
function fieldMappers(properties: Json | undefined, prefix: string, out: Array<[string, Json]> = []): Array<[string, Json]> {
  for (const [key, raw] of Object.entries(properties ?? {})) {
    const m = raw as Json;
    const path = prefix ? `${prefix}.${key}` : key;
    if (m.properties !== undefined || m.type === undefined || m.type === "object" || m.type === "nested") {
      fieldMappers(m.properties as Json | undefined, path, out);
      continue;
    }
    out.push([path, m]);
    for (const [sub, subMapping] of Object.entries((m.fields as Json | undefined) ?? {})) out.push([`${path}.${sub}`, subMapping as Json]);
  }
  return out;
}

/** `PUT /{index}/_mapping` (refused on a follower, as CCR does); one metadata update. */
export function putMapping(cluster: Cluster, expression: string, body: Json, opts: ExpressionOptions): Promise<Json> {
  return cluster.updateMetadata(() => putMappingNow(cluster, expression, body, opts));
}

async function putMappingNow(cluster: Cluster, expression: string, body: Json, opts: ExpressionOptions): Promise<Json> {
  // RestPutMappingAction (8.x API): a body that is exactly `{"_doc": …}` is a typed mapping
  // (MapperService.isMappingSourceTyped), refused before the indices are resolved.
  const keys = Object.keys(body);
  if (keys.length === 1 && keys[0] === "_doc") throw errors.illegalArgument("Types cannot be provided in put mapping requests");
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"] });
  const followers = indices.filter((n) => cluster.shard(n)!.isFollower);
  if (followers.length > 0) {
    throw errors.status(
      403,
      `can't put mapping to the following indices [${followers.join(", ")}]; the mapping of the following indices are self-replicated from its leader indices`,
    );
  }
  const merged = new Map<string, Json>();
  for (const name of indices) {
    const s = cluster.shard(name)!;
    s.checkMetadataWritable();
    const mappings = cluster.searchLibrary.mergeMappings(s.meta.mappings, body);
    if (mappings !== s.meta.mappings) cluster.searchLibrary.checkMappingLimits(mappings, mappingLimits(s.meta.settings));
    merged.set(name, mappings);
  }
  for (const [name, mappings] of merged) {
    const s = cluster.shard(name)!;
    if (mappings !== s.meta.mappings && !deepEqual(mappings, s.meta.mappings)) {
      s.updateMeta({ ...s.meta, mappings, mappingVersion: s.meta.mappingVersion + 1 });
    }
  }
  await cluster.commit();
  return { acknowledged: true };
}

/** `GET /_alias`, `GET /{index}/_alias/{name}` */
export function getAliases(cluster: Cluster, expression: string | undefined, names: string | undefined, opts: ExpressionOptions): Answer {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open", "closed"] });
  const patterns = names && names !== "_all" && names !== "*" ? names.split(",") : undefined;
  const out: Json = {};
  const found = new Set<string>();
  for (const name of indices) {
    const s = cluster.shard(name)!;
    const matched: Record<string, AliasProps> = {};
    for (const [a, p] of Object.entries(s.meta.aliases)) {
      if (!patterns || patterns.some((pat) => simpleMatch(pat, a))) {
        matched[a] = p;
        found.add(a);
      }
    }
    if (patterns && Object.keys(matched).length === 0) continue;
    out[name] = { aliases: aliasesView(matched) };
  }
  const missing = patterns?.filter((p) => !isWildcard(p) && !found.has(p)) ?? [];
  if (missing.length > 0) {
    return { status: 404, body: { error: `alias [${missing.join(",")}] missing`, status: 404, ...out } };
  }
  return { status: 200, body: out };
}

/**
 * `POST /_aliases` with `add`/`remove`/`remove_index` actions; also `PUT|DELETE /{index}/_alias/{name}`.
 * All actions of one request are one metadata update, as `MetadataIndexAliasesService` applies them.
 */
export function updateAliases(cluster: Cluster, actions: Json[]): Promise<Json> {
  return cluster.updateMetadata(() => updateAliasesNow(cluster, actions));
}

async function updateAliasesNow(cluster: Cluster, actions: Json[]): Promise<Json> {
  type Planned = { kind: "add" | "remove"; index: string; alias: string; props?: AliasProps; mustExist?: boolean };
  const planned: Planned[] = [];
  const removedIndices = new Set<string>();
  for (const action of actions) {
    const [kind, raw] = Object.entries(action)[0] ?? [];
    if (kind !== "add" && kind !== "remove" && kind !== "remove_index") throw errors.parse(`[aliases] unknown field [${kind}]`);
    const spec = (raw ?? {}) as Json;
    const indexExpr = (spec.indices as string[] | undefined)?.join(",") ?? (spec.index as string | undefined);
    if (!indexExpr) throw errors.validation(["One of [index] or [indices] is required"]);
    const indices = cluster.resolve(indexExpr, { expandWildcards: ["open", "closed"], allowAliases: false });
    if (kind === "remove_index") {
      // AliasAction.RemoveIndex: the index is deleted in the same cluster-state update as the
      // other actions (a named alias is refused above, as for DELETE /{index}).
      for (const index of indices) removedIndices.add(index);
      continue;
    }
    const aliasNames = (spec.aliases as string[] | undefined) ?? (spec.alias !== undefined ? [String(spec.alias)] : []);
    if (aliasNames.length === 0) throw errors.validation(["One of [alias] or [aliases] is required"]);
    const followers = indices.filter((n) => cluster.shard(n)!.isFollower);
    if (followers.length > 0) {
      throw errors.status(
        403,
        `can't modify aliases on indices [${followers.join(", ")}]; aliases of following indices are self-replicated from their leader indices`,
      );
    }
    const propsRaw: Json = {};
    for (const k of ["is_write_index", "is_hidden", "routing", "index_routing", "search_routing", "filter"])
      if (k in spec) propsRaw[k] = spec[k];
    for (const index of indices) {
      for (const alias of aliasNames) {
        if (kind === "add") planned.push({ kind, index, alias, props: parseAliasProps(cluster, alias, propsRaw, index) });
        else planned.push({ kind, index, alias, mustExist: spec.must_exist === true });
      }
    }
  }
  for (const p of planned) {
    const s = cluster.shard(p.index)!;
    const matches = Object.keys(s.meta.aliases).filter((a) => simpleMatch(p.alias, a));
    // AliasAction.Remove: `must_exist: true` names the missing alias with a resource_not_found_exception.
    if (p.kind === "remove" && matches.length === 0 && p.mustExist)
      throw errors.resourceNotFound(`required alias [${p.alias}] does not exist`);
    if (p.kind === "remove" && matches.length === 0) throw errors.aliasesNotFound([p.alias]);
  }
  const touched = new Set<string>();
  for (const p of planned) {
    if (removedIndices.has(p.index)) continue;
    const s = cluster.shard(p.index)!;
    const aliases = { ...s.meta.aliases };
    if (p.kind === "add") aliases[p.alias] = p.props!;
    else for (const a of Object.keys(aliases)) if (simpleMatch(p.alias, a)) delete aliases[a];
    s.updateMeta({ ...s.meta, aliases, aliasesVersion: s.meta.aliasesVersion + 1 });
    touched.add(p.index);
  }
  await cluster.commit();
  for (const name of removedIndices) await cluster.removeIndex(name);
  return { acknowledged: true, errors: false };
}

/** `POST /{index}/_refresh` */
export async function refresh(cluster: Cluster, expression: string | undefined, opts: ExpressionOptions): Promise<Json> {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
  const now = cluster.now();
  await Promise.all(indices.map((n) => cluster.shard(n)!.refreshInSlices(now, "external")));
  return { _shards: shardsHeader(cluster, indices) };
}

/** `POST /{index}/_flush`: makes a durable snapshot of each index and truncates its log. */
export async function flush(cluster: Cluster, expression: string | undefined, opts: ExpressionOptions): Promise<Json> {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
  const shards = indices.map((n) => cluster.shard(n)!);
  await cluster.commit();
  return { _shards: await snapshotLive(cluster, shards) };
}

/**
 * Snapshots the shards still registered and answers the `_shards` header: an index deleted while
 * the action waited is a shard no longer available, not a failure (ES's broadcast actions).
 */
async function snapshotLive(cluster: Cluster, shards: IndexShard[]): Promise<Json> {
  const isGone = (s: IndexShard) => cluster.shard(s.name) !== s;
  await Promise.all(shards.filter((s) => !isGone(s)).map((s) => cluster.snapshotShard(s)));
  return shardsHeader(cluster, shards, new Set(shards.filter(isGone)));
}

/** `POST /{index}/_forcemerge`: discards soft-deleted history no retention lease retains. */
export async function forceMerge(
  cluster: Cluster,
  expression: string | undefined,
  opts: ExpressionOptions & { flush?: boolean },
): Promise<Json> {
  const indices = cluster.resolve(expression, { ...opts, expandWildcards: opts.expandWildcards ?? ["open"], forbidClosed: true });
  const now = cluster.now();
  const shards = indices.map((n) => cluster.shard(n)!);
  for (const s of shards) s.forceMerge(now);
  await cluster.commit();
  if (opts.flush !== false) return { _shards: await snapshotLive(cluster, shards) };
  return { _shards: shardsHeader(cluster, shards, new Set(shards.filter((s) => cluster.shard(s.name) !== s))) };
}

function aliasesView(aliases: Record<string, AliasProps>): Json {
  const out: Json = {};
  for (const [a, p] of Object.entries(aliases).sort(([x], [y]) => x.localeCompare(y))) out[a] = { ...p };
  return out;
}

function validateAliasName(alias: string): void {
  try {
    validateIndexName(alias.toLowerCase());
  } catch (e) {
    if (e instanceof EsError) {
      throw new EsError(
        "invalid_alias_name_exception",
        400,
        e.reason.replace(/^Invalid index name \[[^\]]*\], /, `Invalid alias name [${alias}]: `),
        { index_uuid: "_na_", index: alias },
      );
    }
    throw e;
  }
}
