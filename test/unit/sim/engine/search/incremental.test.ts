/**
 * The indexing structures (term dictionaries, postings in typed arrays, positions in per-field
 * arenas, reused extraction state) under a random mix of index, update and delete operations
 * applied in many refreshes, compaction included: every query must answer exactly as an index
 * built in one go from the final documents (same ids in the same order, same scores).
 */
import { seededRandom as prng } from "../../../../../cli/drill/seeded";
import { mapDocument, Mappings, SearchIndex, SearchParams, standardAnalyzer } from "../../../../../sim/engine/search";

const VOCAB = [
  "alpha",
  "Bravo",
  "charlie",
  "délta",
  "echo",
  "fox",
  "golf",
  "hôtel",
  "india",
  "o'neil",
  "3.14",
  "snake_case",
  "中文",
  "x1",
  "kilo",
  "lima",
];

function randomDoc(rand: () => number, n: number): Record<string, unknown> {
  const words = (count: number) =>
    Array.from({ length: count }, () => VOCAB[Math.floor(rand() * VOCAB.length)]).join(rand() < 0.8 ? " " : ", ");
  const doc: Record<string, unknown> = {
    title: words(1 + Math.floor(rand() * 4)),
    body: rand() < 0.2 ? [words(3), words(1 + Math.floor(rand() * 20))] : words(Math.floor(rand() * 40)),
    tag: VOCAB[Math.floor(rand() * 5)],
    n,
    ts: new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 1e10)).toISOString(),
  };
  if (rand() < 0.3) doc.tags = [VOCAB[Math.floor(rand() * 5)], VOCAB[Math.floor(rand() * 5)]];
  if (rand() < 0.1) delete doc.body;
  return doc;
}

const QUERIES: { body?: Record<string, unknown>; params?: SearchParams }[] = [
  { params: { q: "alpha" } },
  { params: { q: "body:bravo OR title:echo" } },
  { params: { q: 'body:"alpha bravo"' } },
  { params: { q: 'body:"charlie délta"~2' } },
  { params: { q: "tag:echo AND body:golf" } },
  { params: { q: "hôtel -india" } },
  { body: { query: { match_phrase: { body: { query: "echo fox golf", slop: 1 } } } } },
  { body: { query: { match_phrase: { body: "snake_case 3.14" } } } },
  { body: { query: { match: { title: { query: "kilo lima", operator: "and" } } } } },
  { body: { query: { terms: { "tags.keyword": ["alpha", "echo"] } } } },
  { body: { query: { range: { n: { gte: 2000, lt: 4000 } } } } },
  { body: { query: { exists: { field: "body" } } } },
  { body: { query: { bool: { must: [{ match: { body: "中文" } }], filter: [{ range: { ts: { gte: "2024-02-01" } } }] } } } },
  { body: { query: { match_phrase_prefix: { body: "o'neil ki" } } } },
  { body: { query: { fuzzy: { body: { value: "brovo" } } } } },
  { body: { aggs: { tags: { terms: { field: "tag.keyword" } } }, size: 0 } },
];

function answers(index: SearchIndex, mappings: Mappings) {
  return QUERIES.map((q) => {
    const res = index.searchResponse(
      { body: { size: 10_000, track_total_hits: true, ...(q.body ?? {}) }, params: q.params ?? {} },
      mappings,
      "i",
    );
    return { hits: res.hits.hits.map((h) => [h._id, h._score]), total: res.hits.total, aggs: res.aggregations };
  });
}

/** Ids of documents whose `body` holds `phrase` exactly, found by analysing every document (the oracle for positions). */
function phraseOracle(docs: Iterable<{ id: string; source: Record<string, unknown> }>, phrase: string): string[] {
  const wanted = standardAnalyzer(phrase).map((t) => t.term);
  const out: string[] = [];
  for (const { id, source } of docs) {
    const values = source.body === undefined ? [] : Array.isArray(source.body) ? source.body : [source.body];
    // Values are 100 positions apart (position_increment_gap), so a phrase never spans two.
    if (
      values.some((v) => {
        const terms = standardAnalyzer(String(v)).map((t) => t.term);
        return terms.some((_, i) => wanted.every((w, k) => terms[i + k] === w));
      })
    )
      out.push(id);
  }
  return out.sort();
}

describe("incremental indexing agrees with indexing the final documents in one go", () => {
  test.each([1, 2, 3])("random operations, seed %i", (seed) => {
    const rand = prng(seed);
    let mappings: Mappings = {};
    const index = new SearchIndex();
    /** Current documents in index order (an update moves a document to the end, as a re-index does). */
    const current = new Map<string, { id: string; source: Record<string, unknown>; seqNo: number }>();
    let seqNo = 0;
    for (let refresh = 0; refresh < 40; refresh++) {
      const changes: {
        id: string;
        doc: { id: string; source: Record<string, unknown>; seqNo: number; primaryTerm: number; version: number } | null;
      }[] = [];
      const pending = new Map<string, Record<string, unknown> | null>();
      const ops = Math.floor(rand() * 150);
      for (let k = 0; k < ops; k++) {
        const id = String(Math.floor(rand() * 400));
        if (rand() < 0.15) pending.set(id, null);
        else {
          const source = randomDoc(rand, seqNo);
          mappings = mapDocument(mappings, source, id);
          pending.set(id, source);
        }
        seqNo++;
      }
      for (const [id, source] of pending) {
        if (source === null) {
          changes.push({ id, doc: null });
          current.delete(id);
        } else {
          const doc = { id, source, seqNo: seqNo++, primaryTerm: 1, version: 1 };
          changes.push({ id, doc });
          current.delete(id);
          current.set(id, doc);
        }
      }
      index.apply(changes, mappings);
    }
    const fresh = new SearchIndex();
    fresh.apply(
      [...current.values()].map((doc) => ({ id: doc.id, doc: { ...doc, primaryTerm: 1, version: 1 } })),
      mappings,
    );
    expect(index.docCount).toBe(current.size);
    expect(answers(index, mappings)).toEqual(answers(fresh, mappings));
    for (const phrase of ["alpha bravo", "echo fox golf", "snake_case 3.14", "o'neil kilo", "中文 x1"]) {
      const found = index
        .search({ body: { size: 10_000, query: { match_phrase: { body: phrase } } }, params: {} }, mappings, "i")
        .hits.map((h) => h._id);
      expect({ phrase, ids: found.sort() }).toEqual({ phrase, ids: phraseOracle(current.values(), phrase) });
    }
  });
});

describe("a generation built in slices", () => {
  // What a refresh under way looks like to searches (sim/engine/shard.ts builds in slices between
  // requests): before publish, every answer is the previous generation's; after, the same as the
  // changes applied in one go. Updates, deletes and compactions (a new index swapped in) included.
  test.each([1, 2])("random operations, seed %i", (seed) => {
    const rand = prng(100 + seed);
    let mappings: Mappings = {};
    const sliced = new SearchIndex();
    const oneGo = new SearchIndex();
    let seqNo = 0;
    let builtInSeveralSlices = 0;
    for (let refresh = 0; refresh < 30; refresh++) {
      const changes: {
        id: string;
        doc: { id: string; source: Record<string, unknown>; seqNo: number; primaryTerm: number; version: number } | null;
      }[] = [];
      const ops = Math.floor(rand() * 200);
      for (let k = 0; k < ops; k++) {
        const id = String(Math.floor(rand() * 300));
        if (rand() < 0.2) changes.push({ id, doc: null });
        else {
          const source = randomDoc(rand, seqNo);
          mappings = mapDocument(mappings, source, id);
          changes.push({ id, doc: { id, source, seqNo: seqNo++, primaryTerm: 1, version: 1 } });
        }
      }
      const before = answers(sliced, mappings);
      const count = sliced.docCount;
      const build = sliced.beginRefresh(changes, mappings);
      const perSlice = 1 + Math.floor(rand() * 40);
      let slices = 0;
      for (;;) {
        let n = 0;
        const done = build.step(() => ++n >= perSlice);
        slices++;
        if (slices === 1 || done) {
          expect(sliced.docCount).toBe(count);
          expect(answers(sliced, mappings)).toEqual(before);
        }
        if (done) break;
      }
      if (slices > 2) builtInSeveralSlices++;
      build.publish();
      oneGo.apply(changes, mappings);
      expect(sliced.docCount).toBe(oneGo.docCount);
      expect(answers(sliced, mappings)).toEqual(answers(oneGo, mappings));
    }
    expect(builtInSeveralSlices).toBeGreaterThan(10);
  });
});

describe("positions storage", () => {
  const mappings: Mappings = { properties: { body: { type: "text" } } };
  const doc = (id: string, body: string, seqNo: number) => ({ id, doc: { id, source: { body }, seqNo, primaryTerm: 1, version: 1 } });
  const phrase = (index: SearchIndex, text: string, slop = 0) =>
    index
      .search({ body: { size: 100, query: { match_phrase: { body: { query: text, slop } } } }, params: {} }, mappings, "i")
      .hits.map((h) => h._id)
      .sort();

  test("documents longer than a storage block, between and after ordinary ones", () => {
    const index = new SearchIndex();
    const long = Array.from({ length: 150_000 }, (_, i) => `w${i % 997}`).join(" ") + " needle haystack";
    const changes = [doc("a", "needle in a haystack", 0), doc("long", long, 1)];
    for (let i = 0; i < 3000; i++) changes.push(doc(`s${i}`, `filler ${i} words here and there`, 2 + i));
    changes.push(doc("z", "needle haystack at the end", 9999));
    index.apply(changes, mappings);
    index.apply([doc("long2", `${long} w5 w6 w7`, 10_000)], mappings);
    expect(phrase(index, "needle haystack")).toEqual(["long", "long2", "z"]);
    expect(phrase(index, "needle haystack", 2)).toEqual(["a", "long", "long2", "z"]);
    expect(phrase(index, "w996 w0 w1")).toEqual(["long", "long2"]);
    expect(phrase(index, "haystack w5 w6 w7")).toEqual(["long2"]);
    expect(phrase(index, "filler 2999 words")).toEqual(["s2999"]);
  });
});
