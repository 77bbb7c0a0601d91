import { SearchIndex, validateMappings } from "../../../../../sim/engine/search";
import { indexOf, thrown } from "../../../../helpers/searchKit";

const products = [
  { name: "red apple", kind: "fruit", price: 3, rating: 4.5, added: "2024-01-10T10:00:00Z", tags: ["food", "fresh"], stock: { count: 10 } },
  { name: "green apple pie", kind: "bakery", price: 12, rating: 3.9, added: "2024-01-14T08:30:00Z", tags: ["food"] },
  { name: "apple juice", kind: "drink", price: 5, added: "2023-12-31T23:59:59Z", tags: ["drink"], stock: { count: 0 } },
  { name: "banana", kind: "fruit", price: 1, rating: 4.9, added: "2024-01-15T00:00:00Z" },
  { name: "orange juice fresh", kind: "drink", price: 6, rating: 4.1, tags: ["drink", "fresh"] },
];

describe("query DSL semantics", () => {
  const { ids, search } = indexOf(products);
  const find = (query: unknown) => ids({ query, size: 100 }).sort();

  test("match_all, match_none", () => {
    expect(find({ match_all: {} })).toEqual(["1", "2", "3", "4", "5"]);
    expect(find({ match_none: {} })).toEqual([]);
  });
  test("match: short and long forms, operator, minimum_should_match", () => {
    expect(find({ match: { name: "apple" } })).toEqual(["1", "2", "3"]);
    expect(find({ match: { name: { query: "apple juice", operator: "and" } } })).toEqual(["3"]);
    expect(find({ match: { name: { query: "apple juice pie", minimum_should_match: 2 } } })).toEqual(["2", "3"]);
    expect(find({ match: { name: { query: "apple juice pie", minimum_should_match: "-1" } } })).toEqual(["2", "3"]);
    expect(find({ match: { price: "5" } })).toEqual(["3"]);
    expect(find({ match: { name: { query: "aple", fuzziness: "AUTO" } } })).toEqual(["1", "2", "3"]);
    expect(find({ match: { name: { query: "!!!", zero_terms_query: "all" } } })).toHaveLength(5);
  });
  test("match_phrase with slop, match_phrase_prefix, multi_match", () => {
    expect(find({ match_phrase: { name: "apple pie" } })).toEqual(["2"]);
    expect(find({ match_phrase: { name: "green pie" } })).toEqual([]);
    expect(find({ match_phrase: { name: { query: "green pie", slop: 1 } } })).toEqual(["2"]);
    expect(find({ match_phrase_prefix: { name: "apple ju" } })).toEqual(["3"]);
    expect(find({ multi_match: { query: "fresh", fields: ["name", "tags"] } })).toEqual(["1", "5"]);
    expect(find({ multi_match: { query: "apple juice", fields: ["name^2", "kind"], type: "phrase" } })).toEqual(["3"]);
    expect(find({ multi_match: { query: "drink", type: "most_fields" } })).toEqual(["3", "5"]);
  });
  test("term, terms, ids, exists, prefix, wildcard, regexp, fuzzy", () => {
    expect(find({ term: { kind: "fruit" } })).toEqual(["1", "4"]);
    expect(find({ term: { "kind.keyword": { value: "FRUIT", case_insensitive: true } } })).toEqual(["1", "4"]);
    expect(find({ term: { name: "red apple" } })).toEqual([]);
    expect(find({ term: { price: 12 } })).toEqual(["2"]);
    expect(find({ terms: { "kind.keyword": ["drink", "bakery"] } })).toEqual(["2", "3", "5"]);
    expect(find({ terms: { price: [1, 3] } })).toEqual(["1", "4"]);
    expect(find({ ids: { values: ["2", "4", "99"] } })).toEqual(["2", "4"]);
    expect(find({ term: { _id: "3" } })).toEqual(["3"]);
    expect(find({ exists: { field: "rating" } })).toEqual(["1", "2", "4", "5"]);
    expect(find({ exists: { field: "stock" } })).toEqual(["1", "3"]);
    expect(find({ prefix: { name: "ban" } })).toEqual(["4"]);
    expect(find({ prefix: { "name.keyword": { value: "apple" } } })).toEqual(["3"]);
    expect(find({ wildcard: { "kind.keyword": { value: "dr?nk" } } })).toEqual(["3", "5"]);
    expect(find({ regexp: { name: { value: "jui.e" } } })).toEqual(["3", "5"]);
    expect(find({ fuzzy: { name: { value: "banan" } } })).toEqual(["4"]);
  });
  test("range on numbers, dates (with date math and rounding) and keywords", () => {
    expect(find({ range: { price: { gte: 3, lt: 6 } } })).toEqual(["1", "3"]);
    expect(find({ range: { price: { gt: 5 } } })).toEqual(["2", "5"]);
    expect(find({ range: { rating: { gte: 4.5 } } })).toEqual(["1", "4"]);
    expect(find({ range: { added: { gte: "2024-01-01", lte: "2024-01-14" } } })).toEqual(["1", "2"]);
    expect(find({ range: { added: { gte: "now-1d/d" } } })).toEqual(["2", "4"]);
    expect(find({ range: { added: { lte: "2023-12" } } })).toEqual(["3"]);
    expect(find({ range: { added: { gte: 1705276800000 } } })).toEqual(["4"]);
    expect(find({ range: { added: { gte: "15/01/2024", format: "dd/MM/yyyy" } } })).toEqual(["4"]);
    expect(find({ range: { "kind.keyword": { gte: "c", lt: "e" } } })).toEqual(["3", "5"]);
  });
  test("metadata fields sort and match: _seq_no, _id in q=, dates sort by epoch millis", () => {
    expect(search({ sort: [{ _seq_no: "desc" }], size: 2 }).hits.map((h) => [h._id, h.sort])).toEqual([
      ["5", [4]],
      ["4", [3]],
    ]);
    expect(ids({}, { q: "_id:2" })).toEqual(["2"]);
    expect(search({ sort: ["added"], size: 1 }).hits[0].sort).toEqual([Date.parse("2023-12-31T23:59:59Z")]);
  });
  test("metadata fields: _seq_no range, _index", () => {
    expect(find({ range: { _seq_no: { gte: 3 } } })).toEqual(["4", "5"]);
    expect(find({ term: { _index: "test" } })).toHaveLength(5);
    expect(find({ term: { _index: "other" } })).toEqual([]);
  });
  test("bool: must/filter/should/must_not, should-only semantics, minimum_should_match", () => {
    expect(find({ bool: { must: { match: { name: "apple" } }, must_not: [{ term: { kind: "drink" } }] } })).toEqual(["1", "2"]);
    expect(find({ bool: { filter: [{ term: { kind: "fruit" } }, { range: { price: { gt: 2 } } }] } })).toEqual(["1"]);
    expect(find({ bool: { should: [{ term: { kind: "fruit" } }, { term: { kind: "bakery" } }] } })).toEqual(["1", "2", "4"]);
    expect(find({ bool: { must: { term: { kind: "fruit" } }, should: { term: { name: "red" } } } })).toEqual(["1", "4"]);
    expect(find({ bool: { must: { term: { kind: "fruit" } }, should: { term: { name: "red" } }, minimum_should_match: 1 } })).toEqual([
      "1",
    ]);
    expect(find({ bool: { must_not: { term: { kind: "fruit" } } } })).toEqual(["2", "3", "5"]);
    expect(find({ bool: { should: [{ term: { kind: "fruit" } }], minimum_should_match: 2 } })).toEqual([]);
  });
  test("constant_score and dis_max", () => {
    const res = search({ query: { constant_score: { filter: { term: { kind: "fruit" } }, boost: 1.5 } } });
    expect(res.hits.map((h) => h._score)).toEqual([1.5, 1.5]);
    expect(find({ dis_max: { queries: [{ term: { kind: "fruit" } }, { term: { kind: "drink" } }] } })).toEqual(["1", "3", "4", "5"]);
  });
  test("bool with only must_not scores 0", () => {
    expect(search({ query: { bool: { must_not: { term: { kind: "fruit" } } } } }).hits[0]._score).toBe(0);
  });
});

describe("DSL errors", () => {
  const { search } = indexOf(products);
  test("unknown query", () => {
    const e = thrown(() => search({ query: { foo: {} } }));
    expect(e.toJSON()).toEqual({
      type: "parsing_exception",
      reason: "unknown query [foo]",
      line: 1,
      col: 17,
      caused_by: { type: "named_object_not_found_exception", reason: "[1:17] unknown field [foo]" },
    });
  });
  test("unknown body key, malformed queries", () => {
    const e = thrown(() => search({ querry: { match_all: {} } }));
    expect(e.type).toBe("parsing_exception");
    expect(e.reason).toBe("Unknown key for a START_OBJECT in [querry].");
    expect(thrown(() => search({ size: 1, foo: "x" })).reason).toBe("Unknown key for a VALUE_STRING in [foo].");
    expect(thrown(() => search({ query: { match: { a: "x", b: "y" } } })).reason).toBe(
      "[match] query doesn't support multiple fields, found [a] and [b]",
    );
    expect(thrown(() => search({ query: { term: { a: { value: "x", foo: 1 } } } })).reason).toBe("[term] query does not support [foo]");
    expect(thrown(() => search({ query: { bool: { must: { match_all: {} }, oops: [] } } })).reason).toBe(
      "[bool] query does not support [oops]",
    );
    expect(thrown(() => search({ query: { match_all: {}, term: { a: 1 } } })).reason).toBe(
      "[match_all] malformed query, expected [END_OBJECT] but found [FIELD_NAME]",
    );
  });
  test("not-supported features say so", () => {
    expect(thrown(() => search({ query: { nested: { path: "x", query: {} } } })).reason).toContain(
      "es-sim does not support the [nested] query",
    );
    expect(thrown(() => search({ highlight: {} })).reason).toContain("es-sim does not support [highlight]");
    expect(thrown(() => search({ aggs: { a: { terms: { field: "kind.keyword" } } } })).reason).toContain(
      "es-sim does not support aggregations through SearchIndex.search",
    );
  });
  test("bad numbers are shard failures", () => {
    const e = thrown(() => search({ query: { term: { price: "cheap" } } }));
    expect(e.type).toBe("search_phase_execution_exception");
    expect(e.reason).toBe("all shards failed");
    const failure = (e.extra.failed_shards as Record<string, unknown>[])[0];
    expect(failure).toMatchObject({ shard: 0, index: "test", node: "node-1" });
    expect(failure.reason).toEqual({
      type: "query_shard_exception",
      reason: 'failed to create query: For input string: "cheap"',
      index_uuid: "uuid-1",
      index: "test",
      caused_by: { type: "number_format_exception", reason: 'For input string: "cheap"' },
    });
  });
});

describe("scoring", () => {
  test("a lone match in a one-document index scores like ES (BM25, legacy k1+1 factor)", () => {
    const { search } = indexOf([{ t: "foo" }]);
    const res = search({ query: { match: { t: "foo" } } });
    expect(res.max_score).toBe(0.2876821);
    expect(res.hits[0]._score).toBe(0.2876821);
  });
  test("rarer terms and shorter fields score higher; ties keep index order", () => {
    const { ids } = indexOf([
      { t: "common common common rare" },
      { t: "common" },
      { t: "common words in a much longer field value here" },
      { t: "common" },
    ]);
    expect(ids({ query: { match: { t: "rare common" } } })[0]).toBe("1");
    expect(ids({ query: { match: { t: "common" } } }).slice(0, 3)).toEqual(["1", "2", "4"]);
  });
  test("boost multiplies", () => {
    const { search } = indexOf([{ t: "foo" }]);
    expect(search({ query: { match: { t: { query: "foo", boost: 2 } } } }).hits[0]._score).toBe(0.5753642);
  });
});

describe("hits: paging, totals, _source, sort, metadata", () => {
  const many = Array.from({ length: 25 }, (_, i) => ({
    n: i,
    k: `k${String(i).padStart(2, "0")}`,
    t: i % 2 ? "odd" : "even",
    o: { a: i, b: "x" },
  }));
  const { search, ids } = indexOf(many);

  test("size and from, default 10", () => {
    expect(search().hits).toHaveLength(10);
    expect(ids({ sort: ["n"], from: 20, size: 10 })).toEqual(["21", "22", "23", "24", "25"]);
    expect(ids({}, { sort: "n:desc", size: "2" })).toEqual(["25", "24"]);
  });
  test("track_total_hits", () => {
    expect(search().total).toEqual({ value: 25, relation: "eq" });
    expect(search({ track_total_hits: 10 }).total).toEqual({ value: 10, relation: "gte" });
    expect(search({ track_total_hits: true }).total).toEqual({ value: 25, relation: "eq" });
    expect(search({ track_total_hits: false }).total).toBeUndefined();
    expect(search({}, { track_total_hits: "5" }).total).toEqual({ value: 5, relation: "gte" });
  });
  test("result window", () => {
    const e = thrown(() => search({ from: 9995, size: 10 }));
    expect(e.type).toBe("search_phase_execution_exception");
    expect(e.causedBy?.reason).toMatch(
      /^Result window is too large, from \+ size must be less than or equal to: \[10000\] but was \[10005\]/,
    );
  });
  test("_source filtering in all forms", () => {
    const first = (body: Record<string, unknown>, params = {}) => search({ size: 1, ...body }, params).hits[0];
    expect(first({ _source: false })._source).toBeUndefined();
    expect(first({ _source: "n" })._source).toEqual({ n: 0 });
    expect(first({ _source: ["o.a", "k"] })._source).toEqual({ k: "k00", o: { a: 0 } });
    expect(first({ _source: { includes: ["o*"], excludes: ["o.b"] } })._source).toEqual({ o: { a: 0 } });
    expect(first({ _source: { excludes: "o" } })._source).toEqual({ n: 0, k: "k00", t: "even" });
    expect(first({}, { _source: "false" })._source).toBeUndefined();
    expect(first({}, { _source_includes: "n,t" })._source).toEqual({ n: 0, t: "even" });
    expect(first({}, { _source_excludes: "o.*" })._source).toEqual({ n: 0, k: "k00", t: "even", o: {} });
  });
  test("sort by field: sort values, _score null, max_score null", () => {
    const res = search({ sort: [{ n: { order: "desc" } }], size: 2 });
    expect(res.max_score).toBeNull();
    expect(res.hits.map((h) => [h._id, h._score, h.sort])).toEqual([
      ["25", null, [24]],
      ["24", null, [23]],
    ]);
    expect(search({ sort: ["k.keyword"], size: 1 }).hits[0].sort).toEqual(["k00"]);
  });
  test("sort by _score, _doc, multiple keys, track_scores", () => {
    const res = search({ query: { match: { t: "odd" } }, sort: ["_score", { n: "desc" }], size: 1 });
    expect(res.hits[0]._id).toBe("24");
    expect(res.hits[0].sort![1]).toBe(23);
    expect(typeof res.hits[0]._score).toBe("number");
    expect(ids({ sort: ["_doc"], size: 3 })).toEqual(["1", "2", "3"]);
    expect(search({ sort: ["n"], track_scores: true, size: 1 }).hits[0]._score).toBe(1);
  });
  test("sorting a text field is refused like ES; unmapped needs unmapped_type", () => {
    const e = thrown(() => search({ sort: ["t"] }));
    expect(e.type).toBe("search_phase_execution_exception");
    const reason = (e.extra.failed_shards as { reason: { type: string; reason: string } }[])[0].reason;
    expect(reason.type).toBe("illegal_argument_exception");
    expect(reason.reason).toMatch(
      /^Text fields are not optimised for operations that require per-document field data like aggregations and sorting/,
    );
    expect(reason.reason).toContain("set fielddata=true on [t]");
    const unmapped = thrown(() => search({ sort: ["nope"] }));
    expect((unmapped.extra.failed_shards as { reason: { reason: string } }[])[0].reason.reason).toBe(
      "No mapping found for [nope] in order to sort on",
    );
    expect(search({ sort: [{ nope: { unmapped_type: "long" } }], size: 1 }).hits[0].sort).toEqual([null]);
  });
  test("missing values go last, with ES's sentinel sort values", () => {
    const { search: s2 } = indexOf([{ n: 2 }, { x: 1 }, { n: 1 }]);
    // ES's sentinels Long.MAX_VALUE / -Long.MAX_VALUE, written as ES prints them (doubles: ±2^63).
    // eslint-disable-next-line no-loss-of-precision
    expect(s2({ sort: [{ n: "asc" }] }).hits.map((h) => h.sort)).toEqual([[1], [2], [9223372036854775807]]);
    // eslint-disable-next-line no-loss-of-precision
    expect(s2({ sort: [{ n: "desc" }] }).hits.map((h) => h.sort)).toEqual([[2], [1], [-9223372036854775807]]);
    expect(s2({ sort: [{ n: { order: "asc", missing: "_first" } }] }).hits.map((h) => h._id)).toEqual(["2", "3", "1"]);
    expect(s2({ sort: [{ n: { order: "asc", missing: 0 } }] }).hits.map((h) => h.sort)).toEqual([[0], [1], [2]]);
  });
  test("search_after pages through a sort", () => {
    const page1 = search({ sort: [{ n: "asc" }], size: 5 });
    const last = page1.hits[4].sort!;
    expect(ids({ sort: [{ n: "asc" }], size: 3, search_after: last })).toEqual(["6", "7", "8"]);
  });
  test("version and seq_no_primary_term, in ES's key order", () => {
    const hit = search({ size: 1, version: true, seq_no_primary_term: true }).hits[0];
    expect(Object.keys(hit)).toEqual(["_index", "_id", "_version", "_seq_no", "_primary_term", "_score", "_source"]);
    expect(hit).toMatchObject({ _index: "test", _id: "1", _version: 1, _seq_no: 0, _primary_term: 1, _score: 1 });
  });
  test("count", () => {
    const { index, mappings } = indexOf(many);
    expect(index.count({ body: { query: { term: { t: "odd" } } }, params: {} }, mappings)).toBe(12);
    expect(index.count({ body: {}, params: { q: "t:even" } }, mappings)).toBe(13);
    expect(thrown(() => index.count({ body: { size: 1 }, params: {} }, mappings)).reason).toBe("request does not support [size]");
  });
});

describe("near-real-time and incremental apply", () => {
  const mappings = validateMappings({ properties: { t: { type: "text" }, n: { type: "long" } } });
  const doc = (id: string, t: string, n: number, seqNo: number) => ({
    id,
    doc: { id, source: { t, n }, seqNo, primaryTerm: 1, version: seqNo + 1 },
  });

  test("only applied (refreshed) changes are searchable", () => {
    const index = new SearchIndex();
    const search = (q: string) => index.search({ body: {}, params: { q } }, mappings, "i").hits.map((h) => h._id);
    expect(search("hello")).toEqual([]);
    index.apply([doc("1", "hello world", 1, 0)], mappings);
    expect(search("hello")).toEqual(["1"]);
    expect(index.docCount).toBe(1);
  });

  test("updates replace, deletes remove, statistics follow", () => {
    const index = new SearchIndex();
    index.apply([doc("1", "alpha", 1, 0), doc("2", "alpha beta", 2, 1), doc("3", "gamma", 3, 2)], mappings);
    index.apply([doc("1", "beta", 10, 3), { id: "3", doc: null }], mappings);
    const hits = (body: Record<string, unknown>) => index.search({ body, params: {} }, mappings, "i").hits;
    expect(hits({ query: { match: { t: "alpha" } } }).map((h) => h._id)).toEqual(["2"]);
    expect(
      hits({ query: { match: { t: "beta" } } })
        .map((h) => h._id)
        .sort(),
    ).toEqual(["1", "2"]);
    expect(hits({ query: { match: { t: "gamma" } } })).toEqual([]);
    expect(hits({ query: { range: { n: { gte: 5 } } } }).map((h) => h._id)).toEqual(["1"]);
    expect(index.docCount).toBe(2);
    // Re-indexed documents move to the end of index order, as in Lucene.
    expect(hits({ sort: ["_doc"] }).map((h) => h._id)).toEqual(["2", "1"]);
    // Scores use live statistics only: a fresh index with the same content scores the same.
    const fresh = new SearchIndex();
    fresh.apply([doc("2", "alpha beta", 2, 1), doc("1", "beta", 10, 3)], mappings);
    const score = (i: SearchIndex) => i.search({ body: { query: { match: { t: "beta" } } }, params: {} }, mappings, "i").max_score;
    expect(score(index)).toBe(score(fresh));
  });

  test("many updates stay correct through compaction", () => {
    const index = new SearchIndex();
    for (let round = 0; round < 5; round++) {
      index.apply(
        Array.from({ length: 600 }, (_, i) => doc(String(i), `round${round} item${i}`, round, round * 600 + i)),
        mappings,
      );
    }
    expect(index.docCount).toBe(600);
    const total = (q: string) => index.search({ body: { track_total_hits: true }, params: { q } }, mappings, "i").total!.value;
    expect(total("round4")).toBe(600);
    expect(total("round3")).toBe(0);
    expect(total("item7")).toBe(1);
  });

  test("clear empties the index", () => {
    const index = new SearchIndex();
    index.apply([doc("1", "x", 1, 0)], mappings);
    index.clear();
    expect(index.docCount).toBe(0);
  });
});

describe("aggregations (searchResponse)", () => {
  const { index, mappings } = indexOf(products);
  const aggs = (body: Record<string, unknown>) => index.searchResponse({ body: { size: 0, ...body }, params: {} }, mappings, "test");

  test("terms with sub-aggregations and metrics", () => {
    const res = aggs({
      aggs: {
        kinds: { terms: { field: "kind.keyword" }, aggs: { avg_price: { avg: { field: "price" } } } },
        cheapest: { min: { field: "price" } },
        priciest: { max: { field: "price" } },
        total: { sum: { field: "price" } },
        rated: { value_count: { field: "rating" } },
        first_added: { min: { field: "added" } },
      },
    });
    expect(res.hits.hits).toEqual([]);
    expect(res.hits.max_score).toBeNull();
    expect(res.aggregations).toEqual({
      kinds: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "drink", doc_count: 2, avg_price: { value: 5.5 } },
          { key: "fruit", doc_count: 2, avg_price: { value: 2 } },
          { key: "bakery", doc_count: 1, avg_price: { value: 12 } },
        ],
      },
      cheapest: { value: 1 },
      priciest: { value: 12 },
      total: { value: 27 },
      rated: { value: 4 },
      first_added: { value: Date.parse("2023-12-31T23:59:59Z"), value_as_string: "2023-12-31T23:59:59.000Z" },
    });
  });

  test("aggregations follow the query but not post_filter; size and order", () => {
    const res = aggs({
      query: { match: { name: "apple" } },
      post_filter: { term: { kind: "drink" } },
      aggs: { kinds: { terms: { field: "kind.keyword", size: 1, order: { _key: "asc" } } } },
    });
    expect(res.hits.total).toEqual({ value: 1, relation: "eq" });
    expect(res.aggregations!.kinds).toEqual({
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 2,
      buckets: [{ key: "bakery", doc_count: 1 }],
    });
  });

  test("errors: text fields, unknown and unsupported types", () => {
    const e = thrown(() => aggs({ aggs: { k: { terms: { field: "kind" } } } }));
    expect(e.type).toBe("search_phase_execution_exception");
    expect(thrown(() => aggs({ aggs: { k: { frobnicate: { field: "kind" } } } })).reason).toBe("Unknown aggregation type [frobnicate]");
    expect(thrown(() => aggs({ aggs: { k: { date_histogram: { field: "added" } } } })).reason).toContain(
      "es-sim does not support the [date_histogram] aggregation",
    );
  });
});
