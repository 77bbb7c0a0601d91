import {
  keywordAnalyzer,
  simpleAnalyzer,
  standardAnalyzer,
  standardTokenize,
  stopAnalyzer,
  whitespaceAnalyzer,
} from "../../../../../sim/engine/search";
import { decodeNorm, encodeNorm, floatForJson, idf } from "../../../../../sim/engine/search/similarity";

const terms = (tokens: { term: string }[]) => tokens.map((t) => t.term);

describe("standard analyzer (UAX#29 word breaks + lowercase)", () => {
  test.each([
    ["The Quick Brown-Fox", ["the", "quick", "brown", "fox"]],
    ["O'Reilly's books can't", ["o'reilly's", "books", "can't"]],
    ["snake_case and _lead", ["snake_case", "and", "_lead"]],
    ["version 3.14 costs 1,000.50", ["version", "3.14", "costs", "1,000.50"]],
    ["www.example.com and e.g. this", ["www.example.com", "and", "e.g", "this"]],
    ["john@example.com", ["john", "example.com"]],
    ["http://elastic.co/path?q=1", ["http", "elastic.co", "path", "q", "1"]],
    ["foo:bar", ["foo:bar"]],
    ["abc123 123abc", ["abc123", "123abc"]],
    ["a.1 1.a", ["a", "1", "1", "a"]],
    ["wi-fi!!! ??? ...", ["wi", "fi"]],
    ["Ünïcödé Straße", ["ünïcödé", "straße"]],
    ["中文字", ["中", "文", "字"]],
    ["ひらがな", ["ひ", "ら", "が", "な"]],
    ["カタカナ text", ["カタカナ", "text"]],
    ["", []],
  ])("%j", (text, expected) => {
    expect(terms(standardAnalyzer(text))).toEqual(expected);
  });

  test("positions count every token", () => {
    expect(standardAnalyzer("a b c").map((t) => t.position)).toEqual([0, 1, 2]);
  });

  test("tokens longer than 255 characters are split at 255", () => {
    const long = "x".repeat(600);
    expect(standardTokenize(long).map((w) => w.length)).toEqual([255, 255, 90]);
  });

  test("emoji are tokens", () => {
    expect(standardTokenize("I ❤ tea 🍵")).toEqual(["I", "❤", "tea", "🍵"]);
  });
});

describe("other built-in analyzers", () => {
  test("keyword keeps the whole value", () => {
    expect(terms(keywordAnalyzer("New York, NY"))).toEqual(["New York, NY"]);
  });
  test("whitespace splits on whitespace only and keeps case", () => {
    expect(terms(whitespaceAnalyzer("Hello, World!  x-y"))).toEqual(["Hello,", "World!", "x-y"]);
  });
  test("simple keeps letter runs, lowercased", () => {
    expect(terms(simpleAnalyzer("It's 2 o'clock"))).toEqual(["it", "s", "o", "clock"]);
  });
  test("stop drops English stop words but keeps their positions", () => {
    const tokens = stopAnalyzer("The cat and the hat");
    expect(terms(tokens)).toEqual(["cat", "hat"]);
    expect(tokens.map((t) => t.position)).toEqual([1, 4]);
  });
});

describe("BM25 pieces", () => {
  test("norms are exact for short fields and lossy for long ones, like Lucene's SmallFloat", () => {
    for (let len = 0; len < 24; len++) expect(decodeNorm(encodeNorm(len))).toBe(len);
    expect(decodeNorm(encodeNorm(100))).toBeLessThanOrEqual(100);
    expect(encodeNorm(1_000_000)).toBeLessThan(256);
  });
  test("idf of a term in every one of one documents", () => {
    expect(floatForJson(idf(1, 1))).toBe(0.2876821);
  });
  test("floats render like Java's Float.toString", () => {
    expect(floatForJson(Math.fround(1.1))).toBe(1.1);
    expect(floatForJson(0)).toBe(0);
  });
});
