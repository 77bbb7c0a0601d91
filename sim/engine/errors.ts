/**
 * The Elasticsearch exception catalogue of es-sim: every error the engine raises is an `EsError`
 * carrying ES's own `type`, HTTP status and reason text, so the HTTP layer renders the envelope
 * `{"error":{"root_cause":[…],"type":…,"reason":…,…},"status":…}` from one place.
 *
 * Wording and statuses are copied from the real server, since clients (and this repository's
 * providers) match on them; add a factory here rather than building an EsError inline in handlers.
 */
export class EsError extends Error {
  override readonly name = "EsError";
  constructor(
    /** ES exception type, e.g. `index_not_found_exception`. */
    readonly type: string,
    /** HTTP status the real server answers with. */
    readonly status: number,
    /** ES `reason` text. */
    readonly reason: string,
    /** Extra top-level fields of the error object (`index`, `index_uuid`, `resource.id`, …). */
    readonly extra: Record<string, unknown> = {},
    /** A nested `caused_by`, rendered as ES does. */
    readonly causedBy?: EsError,
  ) {
    super(`[${type}] ${reason}`);
  }

  /** The JSON object ES puts under `error` (without `root_cause`). */
  toJSON(): Record<string, unknown> {
    const body: Record<string, unknown> = { type: this.type, reason: this.reason, ...this.extra };
    if (this.causedBy) body.caused_by = this.causedBy.toJSON();
    return body;
  }
}

const indexFields = (index: string) => ({ "resource.type": "index_or_alias", "resource.id": index, index_uuid: "_na_", index });

export const errors = {
  indexNotFound: (index: string) => new EsError("index_not_found_exception", 404, `no such index [${index}]`, indexFields(index)),
  /**
   * A write with `require_alias=true` whose target is not an alias (TransportBulkAction and
   * TransportUpdateAction use IndexNotFoundException's message form: "no such index [x] and …").
   */
  requireAliasNotAlias: (index: string) =>
    new EsError(
      "index_not_found_exception",
      404,
      `no such index [${index}] and [require_alias] request flag is [true] and [${index}] is not an alias`,
      { index_uuid: "_na_", index },
    ),
  /** An id-based operation without routing on an index whose mapping has `_routing.required` (RoutingMissingException). */
  routingMissing: (index: string, id: string) =>
    new EsError("routing_missing_exception", 400, `routing is required for [${index}]/[${id}]`, { index_uuid: "_na_", index }),
  indexAlreadyExists: (index: string, uuid: string) =>
    new EsError("resource_already_exists_exception", 400, `index [${index}/${uuid}] already exists`, { index_uuid: uuid, index }),
  invalidIndexName: (index: string, why: string) =>
    new EsError("invalid_index_name_exception", 400, `Invalid index name [${index}], ${why}`, { index_uuid: "_na_", index }),
  indexClosed: (index: string, uuid: string) => new EsError("index_closed_exception", 400, "closed", { index_uuid: uuid, index }),
  illegalArgument: (reason: string) => new EsError("illegal_argument_exception", 400, reason),
  /** An alias named where only concrete indices are taken (`IndexNameExpressionResolver.aliasesNotSupportedException`). */
  aliasesNotSupported: (expression: string) =>
    new EsError(
      "illegal_argument_exception",
      400,
      `The provided expression [${expression}] matches an alias, specify the corresponding concrete indices instead.`,
    ),
  parsing: (reason: string, extra: Record<string, unknown> = {}) => new EsError("parsing_exception", 400, reason, extra),
  xContentParse: (reason: string) => new EsError("x_content_parse_exception", 400, reason),
  mapperParsing: (reason: string, causedBy?: EsError) => new EsError("mapper_parsing_exception", 400, reason, {}, causedBy),
  documentParsing: (reason: string, causedBy?: EsError) => new EsError("document_parsing_exception", 400, reason, {}, causedBy),
  versionConflict: (id: string, reason: string, index: string, uuid: string) =>
    new EsError("version_conflict_engine_exception", 409, `[${id}]: ${reason}`, { index_uuid: uuid, shard: "0", index }),
  documentMissing: (id: string, index: string, uuid: string) =>
    new EsError("document_missing_exception", 404, `[${id}]: document missing`, { index_uuid: uuid, shard: "0", index }),
  /** A write refused by an index block, e.g. `index.blocks.write` (ClusterBlockException). */
  clusterBlock: (reason: string) => new EsError("cluster_block_exception", 403, reason),
  status: (status: number, reason: string) => new EsError("status_exception", status, reason),
  resourceNotFound: (reason: string, extra: Record<string, unknown> = {}) =>
    new EsError("resource_not_found_exception", 404, reason, extra),
  security: (reason: string) => new EsError("security_exception", 401, reason),
  mediaType: (reason: string) => new EsError("media_type_header_exception", 400, reason),
  /** Anything es-sim does not implement: an explicit error naming what is missing, never a silent 200. */
  notSupported: (what: string) => new EsError("illegal_argument_exception", 400, `es-sim does not support ${what}; see docs/known-gaps.md`),
  unrecognizedParameters: (path: string, params: string[]) =>
    new EsError(
      "illegal_argument_exception",
      400,
      `request [${path}] contains unrecognized parameter${params.length > 1 ? "s" : ""}: [${params.join("], [")}]`,
    ),
  /** `ActionRequestValidationException`: `Validation Failed: 1: …;2: …;`. */
  validation: (messages: string[]) =>
    new EsError("action_request_validation_exception", 400, `Validation Failed: ${messages.map((m, i) => `${i + 1}: ${m};`).join("")}`),
  /** Generic `ElasticsearchParseException` (`request body is required`, …). */
  parse: (reason: string) => new EsError("parse_exception", 400, reason),
  /** A write on an index that carries a block (`index.blocks.write`, `read_only`, …). */
  /** A write that found no space left on the data path (Java's `IOException` text). */
  noSpaceLeft: () => new EsError("i_o_exception", 500, "No space left on device"),
  indexBlocked: (index: string, block: string, status = 403) =>
    new EsError("cluster_block_exception", status, `index [${index}] blocked by: [${block}];`),
  /** A client write into a CCR follower index (`FollowingEngine`). */
  followerWrite: () =>
    new EsError("status_exception", 403, "a following engine does not accept operations without an assigned sequence number"),
  noWriteIndex: (alias: string) =>
    new EsError(
      "illegal_argument_exception",
      400,
      `no write index is defined for alias [${alias}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
    ),
  retentionLeaseAlreadyExists: (id: string) =>
    new EsError("retention_lease_already_exists_exception", 400, `retention lease with ID [${id}] already exists`),
  retentionLeaseNotFound: (id: string) =>
    new EsError("retention_lease_not_found_exception", 404, `retention lease with ID [${id}] not found`),
  /** The leader no longer has the requested history (`ShardChangesAction`); fatal for a follower. */
  operationsMissing: (fromSeqNo: number, toSeqNo: number, leases: string) =>
    new EsError(
      "resource_not_found_exception",
      404,
      `Operations are no longer available for replicating. Existing retention leases [${leases}]; maybe increase the retention lease period setting [index.soft_deletes.retention_lease.period]?`,
      { requested_operations_missing: [String(fromSeqNo), String(toSeqNo)] },
    ),
  aliasesNotFound: (names: string[]) =>
    new EsError("aliases_not_found_exception", 404, `aliases [${names.join(",")}] missing`, {
      "resource.type": "aliases",
      "resource.id": names.join(","),
    }),
  /** A cluster setting update ES refuses (`persistent setting [x], not recognized`). */
  clusterSettingNotRecognized: (scope: string, key: string) =>
    new EsError("illegal_argument_exception", 400, `${scope} setting [${key}], not recognized`),
  clusterSettingNotDynamic: (scope: string, key: string) =>
    new EsError("illegal_argument_exception", 400, `${scope} setting [${key}], not dynamically updateable`),
  /** Wildcard or `_all` destructive action while `action.destructive_requires_name` is true. */
  destructiveRequiresName: () => new EsError("illegal_argument_exception", 400, "Wildcard expressions or all indices are not allowed"),
  // --- appended by the search and mapping engine (sim/engine/search) ------------------------------
  /** A field outside the mapping of a `dynamic: strict` object (StrictDynamicMappingException, a DocumentParsingException). */
  strictDynamicMapping: (reason: string) => new EsError("strict_dynamic_mapping_exception", 400, reason),
  /** A query that fails to build on the shard (QueryShardException), e.g. a query_string syntax error. */
  queryShard: (reason: string, index: string, indexUuid: string, causedBy?: EsError) =>
    new EsError("query_shard_exception", 400, reason, { index_uuid: indexUuid, index }, causedBy),
  /**
   * Every shard failed a search: ES reports the shard's own exception under `failed_shards` and
   * takes its root cause from there (SearchPhaseExecutionException.guessRootCauses).
   */
  searchPhaseFailed: (shardError: EsError, index: string, node: string, causedBy?: EsError) =>
    new EsError(
      "search_phase_execution_exception",
      shardError.status,
      "all shards failed",
      { phase: "query", grouped: true, failed_shards: [{ shard: 0, index, node, reason: shardError.toJSON() }] },
      causedBy,
    ),
  /** `unknown query [x]` (plus ES's " did you mean [y]?" hint) with the NamedObjectNotFoundException ES nests under it. */
  unknownQuery: (name: string, line: number, col: number, hint = "") =>
    new EsError(
      "parsing_exception",
      400,
      `unknown query [${name}]${hint}`,
      { line, col },
      new EsError("named_object_not_found_exception", 400, `[${line}:${col}] unknown field [${name}]`),
    ),
  /** A nested `caused_by` entry (never thrown on its own): ES's type and reason for an inner exception. */
  cause: (type: string, reason: string, causedBy?: EsError) => new EsError(type, 400, reason, {}, causedBy),
} as const;
