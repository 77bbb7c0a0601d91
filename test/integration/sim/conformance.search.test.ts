/**
 * Search conformance: regexp and wildcard queries as ES runs them — automata, not backtracking — and
 * the limits ES puts on them (`index.max_regex_length`, `max_determinized_states`).
 */
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";

const es = conformanceTarget("conformance-search");
const A40 = "a".repeat(40) + "!";

/** The shard failure ES reports for a query it could not build (query_shard_exception wrapping the cause). */
function expectShardFailure(r: { status: number; body: any }, causeType: string, reason: string | RegExp) {
  expectError(r, 400, "search_phase_execution_exception", "all shards failed");
  const shard = r.body.error.failed_shards[0].reason;
  expect(shard.type).toBe("query_shard_exception");
  expect(shard.caused_by.type).toBe(causeType);
  if (typeof reason === "string") expect(shard.caused_by.reason).toBe(reason);
  else expect(shard.caused_by.reason).toMatch(reason);
}

describe("regexp and wildcard", () => {
  const idx = es.name("patterns");
  beforeAll(async () => {
    const r = await es.bulk(
      [{ index: { _index: idx, _id: "1" } }, { k: A40 }, { index: { _index: idx, _id: "2" } }, { k: "juice" }],
      "?refresh=true",
    );
    expect(r.status).toBe(200);
  });

  test("pathological regexp and wildcard answer (no hit) and the node stays healthy", async () => {
    for (const query of [
      { regexp: { "k.keyword": "(a+)+b" } },
      { regexp: { "k.keyword": "(a|aa)*c" } },
      { wildcard: { "k.keyword": "*a*a*a*a*a*a*b" } },
    ]) {
      const r = await es.req("POST", `/${idx}/_search`, { query });
      expect(r.status).toBe(200);
      expect(r.body.hits.total.value).toBe(0);
      expect((await es.req("GET", "/_cluster/health")).status).toBe(200);
    }
    const q = await es.req("GET", `/${idx}/_search?q=${encodeURIComponent("k.keyword:/(a+)+b/")}`);
    expect(q.status).toBe(200);
    expect(q.body.hits.total.value).toBe(0);
    const hit = await es.req("POST", `/${idx}/_search`, { query: { regexp: { "k.keyword": "a+!" } } });
    expect(hit.body.hits.hits.map((h: any) => h._id)).toEqual(["1"]);
  });

  test("a regexp longer than index.max_regex_length is a 400", async () => {
    const r = await es.req("POST", `/${idx}/_search`, { query: { regexp: { "k.keyword": "a".repeat(1001) } } });
    expectShardFailure(
      r,
      "illegal_argument_exception",
      "The length of regex [1001] used in the Regexp Query request has exceeded the allowed maximum of [1000]. " +
        "This maximum can be set by changing the [index.max_regex_length] index level setting.",
    );
    const small = es.name("small-regex");
    expect((await es.req("PUT", `/${small}`, { settings: { "index.max_regex_length": 5 } })).status).toBe(200);
    const r2 = await es.req("POST", `/${small}/_search`, { query: { regexp: { k: "abcdef" } } });
    expectShardFailure(r2, "illegal_argument_exception", /^The length of regex \[6\] .* allowed maximum of \[5\]\./);
  });

  test("a regexp too complex to determinize is a 400", async () => {
    const r = await es.req("POST", `/${idx}/_search`, { query: { regexp: { "k.keyword": "[ac]*a[ac]{50,200}" } } });
    expectShardFailure(
      r,
      "too_complex_to_determinize_exception",
      /^Determinizing automaton with \d+ states and \d+ transitions would require more than 10000 effort\.$/,
    );
    const low = await es.req("POST", `/${idx}/_search`, {
      query: { regexp: { "k.keyword": { value: "[ac]*a[ac]{8}", max_determinized_states: 20 } } },
    });
    expectShardFailure(low, "too_complex_to_determinize_exception", /would require more than 20 effort\.$/);
  });

  test("a regexp ES cannot parse is a 400 with Lucene's message", async () => {
    const r = await es.req("POST", `/${idx}/_search`, { query: { regexp: { "k.keyword": "(ab" } } });
    expectShardFailure(r, "illegal_argument_exception", "expected ')' at position 3");
  });

  simOnly("complement, intersection and intervals under the default flags (es-sim's own check of its matcher)", async () => {
    const find = async (value: string) =>
      (await es.req("POST", `/${idx}/_search`, { query: { regexp: { "k.keyword": value } } })).body.hits.hits.map((h: any) => h._id);
    expect(await find("~(a+!)")).toEqual(["2"]);
    expect(await find("[a-z]+&.*ui.*")).toEqual(["2"]);
    expect(await find("j@")).toEqual(["2"]);
  });
});
