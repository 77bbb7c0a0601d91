/**
 * The search side of one ES index: what refresh makes searchable ({@link SearchIndex.apply}, or in
 * slices through {@link SearchIndex.beginRefresh}) and the `_search` / `_count` semantics over it: request parsing (body and URL parameters), query
 * compilation, scoring, sorting, paging, `track_total_hits`, `_source` filtering and the hit shape.
 */
import { errors } from "../errors";
import { checkAggregations, computeAggregations } from "./aggregations";
import { compileFieldTable, FieldTable } from "./fields";
import { intersectDocs, type DocSet } from "./docSets";
import { InvertedIndex, StoredDoc } from "./invertedIndex";
import { executeQuery } from "./queryExecution";
import { Mappings } from "./mappings";
import { locateInJson } from "./jsonLocation";
import { Query } from "./query";
import { compileQuery, DslContext } from "./queryDsl";
import { queryStringQuery } from "./queryStringQuery";
import { ShardFailure } from "./shardFailure";
import { floatForJson } from "./similarity";
import {
  buildSortKeys,
  compareSortValues,
  parseSearchAfter,
  parseSortBody,
  parseSortParam,
  readSortValues,
  renderSortValues,
  SortSpec,
  SortValues,
} from "./sort";
import { FETCH_ALL, filterSource, parseSourceBody, parseSourceParams, SourceFilter } from "./sourceFilter";

export type { StoredDoc } from "./invertedIndex";

/** URL parameters of `_search` / `_count`, as received (strings) or absent. */
export interface SearchParams {
  q?: string;
  df?: string;
  default_operator?: string;
  analyzer?: string;
  analyze_wildcard?: string;
  lenient?: string;
  size?: string;
  from?: string;
  sort?: string;
  _source?: string;
  _source_includes?: string;
  _source_excludes?: string;
  track_total_hits?: string;
  track_scores?: string;
  seq_no_primary_term?: string;
  version?: string;
  explain?: string;
}

/** A search request: the JSON body (possibly empty) and the URL parameters. */
export interface SearchRequest {
  body: Record<string, unknown>;
  params: SearchParams;
}

/** One hit, shaped and ordered like ES's SearchHit. */
export interface SearchHit {
  _index: string;
  _id: string;
  _version?: number;
  _seq_no?: number;
  _primary_term?: number;
  _score: number | null;
  _routing?: string;
  _source?: Record<string, unknown>;
  sort?: unknown[];
}

/** The `hits` section of a search response. */
export interface SearchHits {
  total?: { value: number; relation: "eq" | "gte" };
  max_score: number | null;
  hits: SearchHit[];
}

/** What {@link SearchIndex.searchResponse} returns: the `hits` section and the `aggregations` section when requested. */
export interface SearchResponseParts {
  hits: SearchHits;
  aggregations?: Record<string, unknown>;
}

/** A change made searchable by a refresh: the document's new state, or null when it was deleted. */
export interface IndexChange {
  id: string;
  doc: StoredDoc | null;
}

/**
 * The next searchable generation of a {@link SearchIndex}, being built. ES's refresh builds a new
 * segment and opens a new reader while searches keep using the previous one; here the changes are
 * staged in {@link step}s that the caller may spread over many event-loop turns, and searches see
 * nothing of them until {@link publish}.
 */
export interface RefreshBuild {
  /**
   * Stages changes one document at a time until `enough()` says the slice is used up (asked after
   * each document, so a slice overruns by at most one) or none is left. Returns whether none is left.
   */
  step(enough: () => boolean): boolean;
  /** Makes the generation visible, at once (call after `step` returned true). */
  publish(): void;
}

/** Options of a {@link SearchIndex}. */
export interface SearchIndexOptions {
  /** Clock for date math (`now-1d`); defaults to the system clock. */
  now?: () => number;
  /** `index_uuid` reported in query_shard_exception. */
  indexUuid?: string;
  /** Node id reported in failed shards. */
  nodeId?: string;
}

/** The index settings a search reads (structurally the engine's `IndexSearchSettings`). */
export interface IndexSearchSettings {
  maxResultWindow: number;
  queryStringLenient: boolean;
  defaultFields: string[];
  maxRegexLength: number;
}

/** ES's `index.max_result_window` default. */
const MAX_RESULT_WINDOW = 10_000;
/** ES's default `track_total_hits`: exact up to 10,000, then a lower bound. */
const DEFAULT_TRACK_TOTAL_HITS = 10_000;
const DEFAULT_SIZE = 10;

/** Body keys of a search request es-sim implements. */
const BODY_KEYS = new Set([
  "query",
  "from",
  "size",
  "sort",
  "_source",
  "track_total_hits",
  "track_scores",
  "seq_no_primary_term",
  "version",
  "search_after",
  "timeout",
  "min_score",
  "post_filter",
  "explain",
  "stored_fields",
  "profile",
  "aggs",
  "aggregations",
]);
/** Body keys ES knows that es-sim does not implement. */
const UNSUPPORTED_BODY_KEYS = new Set([
  "highlight",
  "suggest",
  "rescore",
  "collapse",
  "slice",
  "pit",
  "runtime_mappings",
  "knn",
  "indices_boost",
  "terminate_after",
  "stats",
  "ext",
  "rank",
  "retriever",
  "docvalue_fields",
  "fields",
  "script_fields",
  "sub_searches",
  "point_in_time",
]);

function tokenOf(value: unknown): string {
  if (Array.isArray(value)) return "START_ARRAY";
  if (value !== null && typeof value === "object") return "START_OBJECT";
  if (typeof value === "number") return "VALUE_NUMBER";
  if (typeof value === "boolean") return "VALUE_BOOLEAN";
  if (value === null) return "VALUE_NULL";
  return "VALUE_STRING";
}

function intParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw errors.illegalArgument(`Failed to parse int parameter [${name}] with value [${value}]`);
  return Number(value);
}

function boolParam(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "" || value === "true") return true;
  if (value === "false") return false;
  throw errors.illegalArgument(`Failed to parse value [${value}] as only [true] or [false] are allowed.`);
}

function bodyInt(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) {
    const { line, col } = locateInJson(body, [key]);
    throw errors.xContentParse(`[${line}:${col}] [${key}] failed to parse field [${key}]`);
  }
  return n;
}

/** How `track_total_hits` resolved: an exact count up to `limit` (Infinity = always exact), or no total. */
function trackTotalHits(bodyValue: unknown, param: string | undefined): number | false {
  const raw = param !== undefined ? param : bodyValue;
  if (raw === undefined || raw === null) return DEFAULT_TRACK_TOTAL_HITS;
  if (raw === true || raw === "true") return Number.POSITIVE_INFINITY;
  if (raw === false || raw === "false") return false;
  const n = Number(raw);
  if (!Number.isInteger(n))
    throw errors.illegalArgument(`[track_total_hits] parameter must be a boolean or an integer, got [${String(raw)}]`);
  if (n === -1) return Number.POSITIVE_INFINITY;
  if (n < 0) throw errors.illegalArgument(`[track_total_hits] parameter must be positive or equals to -1, got ${n}`);
  return n;
}

/** The searchable documents of one index, with ES's `_search` and `_count` on top. */
export class SearchIndex {
  private index = new InvertedIndex();
  /** The generation being built, if any (one at a time). */
  private building: object | undefined;
  private table?: FieldTable;
  private readonly now: () => number;
  private readonly indexUuid: string;
  private readonly nodeId: string;

  constructor(options: SearchIndexOptions = {}) {
    this.now = options.now ?? Date.now;
    this.indexUuid = options.indexUuid ?? "_na_";
    this.nodeId = options.nodeId ?? "es-sim";
  }

  /** Number of searchable documents (what a refresh has made visible). */
  get docCount(): number {
    return this.index.size;
  }

  /** Forgets every document (index deleted or closed and reopened empty); a build under way comes to nothing. */
  clear(): void {
    this.index.clear();
    this.building = undefined;
  }

  private fieldTable(mappings: Mappings): FieldTable {
    if (!this.table || this.table.mappings !== mappings) this.table = compileFieldTable(mappings);
    return this.table;
  }

  /**
   * Makes changes searchable, as an ES refresh does: each document is (re)indexed under the current
   * mappings, `doc: null` removes it. Cost is proportional to the changes, not to the index size
   * (but for the occasional compaction). All at once: {@link beginRefresh} spreads the same work.
   */
  apply(changes: Iterable<IndexChange>, mappings: Mappings): void {
    const build = this.beginRefresh(changes, mappings);
    build.step(() => false);
    build.publish();
  }

  /**
   * Starts building the next generation from `changes` (an id listed twice counts once, at its last
   * place). Until the build is published, searches answer from the current generation. When dead
   * documents outnumber live ones, the generation is a new index holding the live documents not
   * changed and then the changes (as a Lucene merge rewrites segments), swapped in at publish.
   */
  beginRefresh(changes: Iterable<IndexChange>, mappings: Mappings): RefreshBuild {
    if (this.building) throw new Error("es-sim: a refresh is already being built on this index");
    const token = {};
    this.building = token;
    const table = this.fieldTable(mappings);
    // last occurrence wins, at its own place: as applying them one after the other would leave it
    const byId = new Map<string, StoredDoc | null>();
    for (const { id, doc } of changes) {
      byId.delete(id);
      byId.set(id, doc);
    }
    const current = this.index;
    const target = current.compactionDue ? new InvertedIndex() : current;
    const kept = target === current ? undefined : current.liveDocs();
    const changed = byId.entries();
    return {
      step: (enough) => {
        if (this.building !== token) return true;
        if (kept) {
          for (let next = kept.next(); !next.done; next = kept.next()) {
            const [doc, docTable] = next.value;
            if (!byId.has(doc.id)) target.stage(doc.id, doc, docTable);
            if (enough()) return false;
          }
        }
        for (let next = changed.next(); !next.done; next = changed.next()) {
          target.stage(next.value[0], next.value[1], table);
          if (enough()) return false;
        }
        return true;
      },
      publish: () => {
        if (this.building !== token) return;
        this.building = undefined;
        target.publish();
        this.index = target;
      },
    };
  }

  private context(mappings: Mappings, indexName: string, body: unknown, settings?: IndexSearchSettings): DslContext {
    const table = this.fieldTable(mappings);
    return {
      queryStringLenient: settings?.queryStringLenient ?? false,
      defaultFields: settings?.defaultFields ?? ["*"],
      maxRegexLength: settings?.maxRegexLength ?? 1000,
      table,
      indexName,
      indexUuid: this.indexUuid,
      now: this.now(),
      body,
      hasValues: (field) => this.index.hasField(field),
      termsWithPrefix: (field, prefix) => this.index.termsWithPrefix(field, prefix),
    };
  }

  private wrapShardFailures<T>(indexName: string, run: () => T): T {
    try {
      return run();
    } catch (e) {
      if (!(e instanceof ShardFailure)) throw e;
      throw errors.searchPhaseFailed(e.error, indexName, this.nodeId, e.repeatAsCause ? e.error : undefined);
    }
  }

  private buildQuery(ctx: DslContext, body: Record<string, unknown>, params: SearchParams): Query {
    if (params.q !== undefined) {
      const operator = (params.default_operator ?? "OR").toUpperCase();
      if (operator !== "OR" && operator !== "AND")
        throw errors.illegalArgument(`operator [${params.default_operator}] is not allowed, use [AND] or [OR]`);
      return queryStringQuery(ctx, {
        query: params.q,
        defaultFields: params.df !== undefined ? [params.df] : [...(ctx.defaultFields ?? ["*"])],
        defaultOperator: operator,
        analyzer: params.analyzer,
        lenient: boolParam(params.lenient),
        phraseSlop: 0,
        boost: 1,
      });
    }
    if (body.query === undefined) return { kind: "all", boost: 1 };
    return compileQuery(ctx, body.query, ["query"]);
  }

  private checkBody(body: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(body)) {
      if (BODY_KEYS.has(key)) continue;
      if (UNSUPPORTED_BODY_KEYS.has(key)) throw errors.notSupported(`[${key}] in a search request`);
      const { line, col } = locateInJson(body, [key]);
      throw errors.parsing(`Unknown key for a ${tokenOf(value)} in [${key}].`, { line, col });
    }
    if (body.aggs !== undefined && body.aggregations !== undefined)
      throw errors.parsing("Found two aggregation definitions: [aggs] and [aggregations]");
    const aggs = body.aggs ?? body.aggregations;
    if (aggs !== undefined) checkAggregations(aggs);
    if (body.explain === true || body.profile === true) throw errors.notSupported(body.explain === true ? "[explain]" : "[profile]");
    if (body.stored_fields !== undefined && body.stored_fields !== "_none_")
      throw errors.notSupported("[stored_fields] in a search request");
    if (body.query !== undefined && (body.query === null || typeof body.query !== "object" || Array.isArray(body.query))) {
      const { line, col } = locateInJson(body, ["query"]);
      throw errors.parsing(`Unknown key for a ${tokenOf(body.query)} in [query].`, { line, col });
    }
  }

  /**
   * Runs the query part of a request: the hits' documents with scores (after `post_filter` and
   * `min_score`) and the documents aggregations see (before `post_filter`, as in ES).
   */
  private matches(ctx: DslContext, body: Record<string, unknown>, params: SearchParams): { set: DocSet; aggregationDocs: Int32Array } {
    let set = executeQuery(this.index, this.buildQuery(ctx, body, params));
    if (body.min_score !== undefined) {
      const min = Number(body.min_score);
      set = filterSet(set, (_ord, score) => score >= min);
    }
    const aggregationDocs = set.docs;
    if (body.post_filter !== undefined) {
      const allowed = executeQuery(this.index, compileQuery(ctx, body.post_filter, ["post_filter"])).docs;
      const keep = new Set(intersectDocs(set.docs, allowed));
      set = filterSet(set, (ord) => keep.has(ord));
    }
    return { set, aggregationDocs };
  }

  /**
   * `_search` on this index: the `hits` section. Request-parsing errors are thrown as ES raises them
   * (`parsing_exception` …); failures ES raises on the shard come wrapped in
   * `search_phase_execution_exception`. Requests with aggregations need {@link searchResponse}.
   */
  search(req: SearchRequest, mappings: Mappings, indexName: string): SearchHits {
    if (req.body?.aggs !== undefined || req.body?.aggregations !== undefined) {
      throw errors.notSupported("aggregations through SearchIndex.search (es-sim computes them in SearchIndex.searchResponse)");
    }
    return this.searchResponse(req, mappings, indexName).hits;
  }

  /** `_search` on this index: the `hits` section and, when requested, `aggregations`. */
  searchResponse(req: SearchRequest, mappings: Mappings, indexName: string, settings?: IndexSearchSettings): SearchResponseParts {
    const body = req.body ?? {};
    const params = req.params ?? {};
    this.checkBody(body);
    if (boolParam(params.explain)) throw errors.notSupported("[explain]");
    const size = intParam("size", params.size) ?? bodyInt(body, "size") ?? DEFAULT_SIZE;
    const from = intParam("from", params.from) ?? bodyInt(body, "from") ?? 0;
    if (size < 0) throw errors.illegalArgument(`[size] parameter cannot be negative, found [${size}]`);
    if (from < 0) throw errors.illegalArgument(`[from] parameter cannot be negative, found [${from}]`);
    const sortSpecs: SortSpec[] | undefined =
      params.sort !== undefined ? parseSortParam(params.sort) : body.sort !== undefined ? parseSortBody(body.sort) : undefined;
    const source: SourceFilter =
      parseSourceParams(params._source, params._source_includes, params._source_excludes) ??
      (body._source !== undefined
        ? parseSourceBody(body._source)
        : body.stored_fields === "_none_"
          ? { fetch: false, includes: [], excludes: [] }
          : FETCH_ALL);
    const track = trackTotalHits(body.track_total_hits, params.track_total_hits);
    const seqNoPrimaryTerm = boolParam(params.seq_no_primary_term) ?? body.seq_no_primary_term === true;
    const version = boolParam(params.version) ?? body.version === true;
    const trackScores = boolParam(params.track_scores) ?? body.track_scores === true;
    const ctx = this.context(mappings, indexName, body, settings);
    const maxResultWindow = settings?.maxResultWindow ?? MAX_RESULT_WINDOW;

    return this.wrapShardFailures(indexName, () => {
      if (from + size > maxResultWindow) {
        throw new ShardFailure(
          errors.illegalArgument(
            `Result window is too large, from + size must be less than or equal to: [${maxResultWindow}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
          ),
          true,
        );
      }
      const fail = (e: ShardFailure): never => {
        throw e;
      };
      const sortKeys = sortSpecs ? buildSortKeys(sortSpecs, ctx.table, this.index, indexName, fail) : undefined;
      const { set, aggregationDocs } = this.matches(ctx, body, params);
      const total = set.docs.length;
      const scoresVisible = !sortKeys || trackScores || sortSpecs!.some((s) => s.field === "_score");

      let page: { ord: number; score: number; sortValues?: SortValues }[];
      if (sortKeys) {
        const after = body.search_after !== undefined ? parseSearchAfter(body.search_after, sortKeys) : undefined;
        // only the best from + size are kept while the matches stream by (not one object per match:
        // a sort over every document of a large index would otherwise leave them all for the GC)
        const best = new BoundedHeap<{ ord: number; score: number; sortValues: SortValues }>(
          from + size,
          (a, b) => compareSortValues(sortKeys, a.sortValues, b.sortValues) || a.ord - b.ord,
        );
        for (let i = 0; i < set.docs.length; i++) {
          const sortValues = readSortValues(sortKeys, set.docs[i], set.scores[i]);
          if (after && compareSortValues(sortKeys, sortValues, after) <= 0) continue;
          best.offer({ ord: set.docs[i], score: set.scores[i], sortValues });
        }
        page = best.sorted().slice(from);
      } else {
        if (body.search_after !== undefined) throw errors.illegalArgument("search_after requires a sort");
        page = topByScore(set, from + size).slice(from);
      }

      let maxScore: number | null = null;
      if (scoresVisible && size > 0 && total > 0) {
        let max = Number.NEGATIVE_INFINITY;
        for (const s of set.scores) if (s > max) max = s;
        maxScore = floatForJson(max);
      }
      const hits = page.map(({ ord, score, sortValues }) => {
        const doc = this.index.doc(ord);
        const hit: SearchHit = { _index: indexName, _id: doc.id } as SearchHit;
        if (version) hit._version = doc.version;
        if (seqNoPrimaryTerm) {
          hit._seq_no = doc.seqNo;
          hit._primary_term = doc.primaryTerm;
        }
        hit._score = scoresVisible ? floatForJson(score) : null;
        if (doc.routing !== undefined) hit._routing = doc.routing; // a metadata field: after _score, before _source (SearchHit)
        if (source.fetch) hit._source = filterSource(doc.source, source);
        if (sortKeys && sortValues) hit.sort = renderSortValues(sortKeys, sortValues);
        return hit;
      });
      const result: SearchHits =
        track === false
          ? { max_score: maxScore, hits }
          : { total: total > track ? { value: track, relation: "gte" } : { value: total, relation: "eq" }, max_score: maxScore, hits };
      const aggs = (body.aggs ?? body.aggregations) as Record<string, unknown> | undefined;
      if (aggs === undefined) return { hits: result };
      return { hits: result, aggregations: computeAggregations(aggs, aggregationDocs, ctx.table, this.index, indexName) };
    });
  }

  /** `_count`: the number of documents matching the body's `query` (or `q=`). */
  count(
    req: { body: Record<string, unknown>; params: SearchParams },
    mappings: Mappings,
    indexName = "",
    settings?: IndexSearchSettings,
  ): number {
    const body = req.body ?? {};
    for (const key of Object.keys(body)) {
      if (key !== "query") throw errors.parsing(`request does not support [${key}]`);
    }
    const ctx = this.context(mappings, indexName, body, settings);
    return this.wrapShardFailures(indexName, () => executeQuery(this.index, this.buildQuery(ctx, body, req.params ?? {})).docs.length);
  }
}

function filterSet(set: DocSet, keep: (ord: number, score: number) => boolean): DocSet {
  const docs: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < set.docs.length; i++) {
    if (!keep(set.docs[i], set.scores[i])) continue;
    docs.push(set.docs[i]);
    scores.push(set.scores[i]);
  }
  return { docs: Int32Array.from(docs), scores: Float32Array.from(scores) };
}

/** The `k` best-scoring documents (ties by ordinal, as Lucene breaks them), best first. */
function topByScore(set: DocSet, k: number): { ord: number; score: number }[] {
  const n = set.docs.length;
  if (k <= 0 || n === 0) return [];
  const better = (i: number, j: number) => set.scores[i] > set.scores[j] || (set.scores[i] === set.scores[j] && set.docs[i] < set.docs[j]);
  // Min-heap (by "better") of indices into the set: the root is the worst of the best k so far.
  const heap = new Int32Array(Math.min(k, n));
  let size = 0;
  const swap = (a: number, b: number) => {
    const t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && better(heap[m], heap[l])) m = l;
      if (r < size && better(heap[m], heap[r])) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (size < heap.length) {
      heap[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!better(heap[p], heap[c])) break;
        swap(c, p);
        c = p;
      }
    } else if (better(i, heap[0])) {
      heap[0] = i;
      down(0);
    }
  }
  return Array.from(heap.subarray(0, size))
    .sort((a, b) => (better(a, b) ? -1 : 1))
    .map((i) => ({ ord: set.docs[i], score: set.scores[i] }));
}

/** The first `k` items under `compare` of those offered, kept in a binary max-heap (the root is the worst kept). */
class BoundedHeap<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly k: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    const heap = this.heap;
    if (this.k <= 0) return;
    if (heap.length < this.k) {
      heap.push(item);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.compare(heap[i], heap[p]) <= 0) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (this.compare(item, heap[0]) < 0) {
      heap[0] = item;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.compare(heap[l], heap[m]) > 0) m = l;
        if (r < heap.length && this.compare(heap[r], heap[m]) > 0) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.heap].sort(this.compare);
  }
}
