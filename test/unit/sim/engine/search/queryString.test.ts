import { parseQueryString, QueryStringBuilder, tokenize } from "../../../../../sim/engine/search/queryStringParser";
import { Query } from "../../../../../sim/engine/search/query";
import { indexOf, thrown } from "../../../../helpers/searchKit";

const docs = [
  { title: "quick brown fox", tag: "Animal", n: 5, d: "2024-01-01", path: "a/b" },
  { title: "lazy brown dog", tag: "animal", n: 10, d: "2024-01-10" },
  { title: "quick red car", tag: "Vehicle", n: 15, d: "2024-02-01" },
  { title: "slow blue boat", tag: "vehicle", n: 20 },
  { body: "foo-bar baz", title: "title with (parens)" },
];

describe("query string lexer", () => {
  test("token kinds follow Lucene's longest-match rules", () => {
    const kinds = (s: string) => tokenize(s).map((t) => t.kind);
    expect(kinds("a AND b")).toEqual(["TERM", "AND", "TERM", "EOF"]);
    expect(kinds("ANDY && b || !c")).toEqual(["TERM", "AND", "TERM", "OR", "NOT", "TERM", "EOF"]);
    expect(kinds("foo* f*o f?o *")).toEqual(["PREFIXTERM", "WILDTERM", "WILDTERM", "STAR", "EOF"]);
    expect(kinds('f:"a b"~2^3')).toEqual(["TERM", "COLON", "QUOTED", "FUZZY_SLOP", "CARAT", "NUMBER", "EOF"]);
    expect(kinds("[1 TO 5}")).toEqual(["RANGEIN_START", "RANGE_GOOP", "RANGE_TO", "RANGE_GOOP", "RANGEEX_END", "EOF"]);
    expect(kinds("-a +b")).toEqual(["MINUS", "TERM", "PLUS", "TERM", "EOF"]);
    expect(kinds("a - b")).toEqual(["TERM", "BAREOPER", "TERM", "EOF"]);
    expect(kinds("/ab+c/")).toEqual(["REGEXPTERM", "EOF"]);
    expect(kinds("a\\:b")).toEqual(["TERM", "EOF"]);
  });
});

describe("query string clause semantics (Lucene classic parser)", () => {
  // A builder that renders queries as text, to see the boolean structure the parser builds.
  const render = (q: Query | null): string => {
    if (q === null) return "null";
    switch (q.kind) {
      case "term":
        return `${q.field}:${q.term}`;
      case "bool":
        return `(${[...q.must.map((c) => `+${render(c)}`), ...q.should.map(render), ...q.mustNot.map((c) => `-${render(c)}`)].join(" ")})`;
      default:
        return q.kind;
    }
  };
  const builder = (defaultOperator: "OR" | "AND"): QueryStringBuilder => ({
    defaultOperator,
    fieldQuery: (field, text) => {
      const words = text.split(" ");
      const f = field ?? "f";
      if (words.length === 1) return { kind: "term", field: f, term: text, boost: 1 };
      const clauses: Query[] = words.map((w) => ({ kind: "term", field: f, term: w, boost: 1 }));
      return defaultOperator === "OR"
        ? { kind: "bool", must: [], should: clauses, filter: [], mustNot: [], minimumShouldMatch: 0, boost: 1 }
        : { kind: "bool", must: clauses, should: [], filter: [], mustNot: [], minimumShouldMatch: 0, boost: 1 };
    },
    wildcardQuery: () => ({ kind: "all", boost: 1 }),
    prefixQuery: () => ({ kind: "all", boost: 1 }),
    regexpQuery: () => ({ kind: "all", boost: 1 }),
    fuzzyQuery: () => ({ kind: "all", boost: 1 }),
    rangeQuery: () => ({ kind: "all", boost: 1 }),
  });
  test.each([
    ["a", "OR", "f:a"],
    ["a b", "OR", "(f:a f:b)"],
    ["a b", "AND", "(+f:a +f:b)"],
    ["a AND b", "OR", "(+f:a +f:b)"],
    ["a OR b", "AND", "(f:a f:b)"],
    ["a AND b OR c", "OR", "(+f:a +f:b f:c)"],
    ["a OR b AND c", "OR", "(+f:b +f:c f:a)"],
    ["+a -b c", "OR", "(+f:a f:c -f:b)"],
    ["NOT a", "OR", "(-f:a)"],
    ["a && !b", "OR", "(+f:a -f:b)"],
    ["x:(a b) y:c", "OR", "((x:a x:b) y:c)"],
    ["(a OR b) AND c", "OR", "(+(f:a f:b) +f:c)"],
  ])("%s (default %s) → %s", (text, op, expected) => {
    expect(render(parseQueryString(text, builder(op as "OR" | "AND")))).toBe(expected);
  });
});

describe("q= and query_string on an index", () => {
  const { q, search, ids } = indexOf(docs);

  test("bare terms search all fields", () => {
    expect(q("quick")).toEqual(["1", "3"]);
    expect(q("QUICK brown")).toEqual(["1", "2", "3"]);
    expect(q("quick brown", { default_operator: "AND" })).toEqual(["1"]);
  });
  test("field:value, groups, boolean operators", () => {
    expect(q("title:quick AND title:fox")).toEqual(["1"]);
    expect(q("title:(quick OR lazy) -title:fox")).toEqual(["2", "3"]);
    expect(q("+title:brown !title:lazy")).toEqual(["1"]);
    expect(q("title:quick && (tag:Vehicle || tag:animal)")).toEqual(["1", "3"]);
    expect(q("title:quick && tag.keyword:animal")).toEqual([]);
  });
  test("phrases", () => {
    expect(q('title:"brown fox"')).toEqual(["1"]);
    expect(q('title:"quick fox"')).toEqual([]);
    expect(q('title:"quick fox"~1')).toEqual(["1"]);
  });
  test("wildcards and prefixes, leading wildcard allowed, text normalised", () => {
    expect(q("title:qu*")).toEqual(["1", "3"]);
    expect(q("title:Qu?ck")).toEqual(["1", "3"]);
    expect(q("title:*own")).toEqual(["1", "2"]);
    expect(q("tag.keyword:Veh*")).toEqual(["3"]);
    expect(q("*")).toEqual(["1", "2", "3", "4", "5"]);
    expect(q("d:*")).toEqual(["1", "2", "3"]);
  });
  test("ranges: inclusive, exclusive, open ends, dates, >= forms", () => {
    expect(q("n:[5 TO 15]")).toEqual(["1", "2", "3"]);
    expect(q("n:{5 TO 15}")).toEqual(["2"]);
    expect(q("n:[10 TO *]")).toEqual(["2", "3", "4"]);
    expect(q("n:>=15")).toEqual(["3", "4"]);
    expect(q("n:<10")).toEqual(["1"]);
    expect(q("d:[2024-01-05 TO 2024-01-31]")).toEqual(["2"]);
    expect(q("d:2024-01-10")).toEqual(["2"]);
    expect(q("tag.keyword:[A TO Z]")).toEqual(["1", "3"]);
  });
  test("_exists_, regexp, fuzzy, boosts and escapes", () => {
    expect(q("_exists_:d")).toEqual(["1", "2", "3"]);
    expect(q("title:/qu.ck/")).toEqual(["1", "3"]);
    expect(q("title:quikc~")).toEqual(["1", "3"]);
    expect(q("title:quick^3 title:lazy")).toEqual(["1", "2", "3"]);
    expect(ids({}, { q: "title:quick^3 OR title:lazy" })[2]).toBe("2");
    expect(q("title:\\(parens\\)")).toEqual(["5"]);
    expect(q("path:a\\/b")).toEqual(["1"]);
  });
  test("df picks the default field; analysis of a term may yield several tokens", () => {
    expect(q("brown", { df: "title" })).toEqual(["1", "2"]);
    expect(q("body:foo-bar")).toEqual(["5"]);
  });
  test("non-parsable values on numeric fields: lenient on *, an error on the named field", () => {
    expect(q("abc")).toEqual([]);
    const e = thrown(() => search({}, { q: "n:abc" }));
    expect(e.type).toBe("search_phase_execution_exception");
    const reason = (e.extra.failed_shards as { reason: { type: string; reason: string } }[])[0].reason;
    expect(reason.type).toBe("query_shard_exception");
    expect(reason.reason).toBe('failed to create query: For input string: "abc"');
    expect(q("n:abc", { lenient: "true" })).toEqual([]);
  });
  test.each(["title:(quick", "title:", "AND", "a:b:c)", '"unclosed', "[1 TO", "title:quick^", "foo/bar"])("syntax error %j", (text) => {
    const e = thrown(() => search({}, { q: text }));
    expect(e.type).toBe("search_phase_execution_exception");
    expect(e.status).toBe(400);
    const reason = (e.extra.failed_shards as { reason: Record<string, unknown> }[])[0].reason;
    expect(reason.type).toBe("query_shard_exception");
    expect(reason.reason).toBe(`Failed to parse query [${text}]`);
    expect((reason.caused_by as { type: string; reason: string }).type).toBe("parse_exception");
    expect((reason.caused_by as { reason: string }).reason).toMatch(
      new RegExp(`^Cannot parse '${text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}': `),
    );
  });
  test("EOF position in the message", () => {
    const e = thrown(() => search({}, { q: "foo:(bar" }));
    const reason = (e.extra.failed_shards as { reason: { caused_by: { reason: string } } }[])[0].reason;
    expect(reason.caused_by.reason).toBe(`Cannot parse 'foo:(bar': Encountered "<EOF>" at line 1, column 8.`);
  });
  test("query_string DSL: fields with boosts, default_field, default_operator", () => {
    expect(ids({ query: { query_string: { query: "quick", fields: ["title^2", "tag"] } } }).sort()).toEqual(["1", "3"]);
    expect(ids({ query: { query_string: { query: "brown quick", default_field: "title", default_operator: "and" } } })).toEqual(["1"]);
    expect(ids({ query: { query_string: { query: "animal", default_field: "tag.keyword" } } })).toEqual(["2"]);
  });
});

describe("simple_query_string", () => {
  const { ids } = indexOf(docs);
  const sqs = (query: string, extra: Record<string, unknown> = {}) =>
    ids({ size: 100, query: { simple_query_string: { query, fields: ["title"], ...extra } } }).sort();
  test("operators", () => {
    expect(sqs("quick + fox")).toEqual(["1"]);
    expect(sqs("fox | dog")).toEqual(["1", "2"]);
    expect(sqs("brown -fox", { default_operator: "and" })).toEqual(["2"]);
    expect(sqs('"brown dog"')).toEqual(["2"]);
    expect(sqs("bo*")).toEqual(["4"]);
    expect(sqs("quikc~1")).toEqual(["1", "3"]);
    expect(sqs("(fox | car) + quick")).toEqual(["1", "3"]);
  });
  test("never fails on broken syntax", () => {
    expect(() => sqs('"unclosed ( quick')).not.toThrow();
    expect(sqs("quick)")).toEqual(["1", "3"]);
  });
  test("NOT adds a match_all should, as Lucene does", () => {
    expect(sqs("-fox")).toEqual(["2", "3", "4", "5"]);
  });
});
