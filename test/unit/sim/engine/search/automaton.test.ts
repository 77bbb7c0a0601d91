import { spawnSync } from "child_process";
import * as path from "path";
import { seededRandom } from "../../../../../cli/drill/seeded";
import {
  AutomatonSyntaxError,
  regexpMatcher,
  REGEXP_FLAGS,
  resolveRegexpFlags,
  TooComplexToDeterminizeError,
  wildcardMatcher,
} from "../../../../../sim/engine/search/automaton";

const ROOT = path.resolve(__dirname, "../../../../..");

/**
 * Runs `code` in a child node process with a hard timeout, so a matcher that hangs (catastrophic
 * backtracking) fails the test instead of blocking jest for ever. Returns the child's stdout.
 */
function inChild(code: string, timeoutMs = 20_000): string {
  const r = spawnSync(process.execPath, ["-r", "./scripts/register.js", "-e", code], { cwd: ROOT, timeout: timeoutMs, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`child failed (${r.error?.message ?? `status ${r.status}`}): ${r.stderr}`);
  return r.stdout.trim();
}

describe("pathological patterns finish (no backtracking)", () => {
  // Before the automaton, these compiled to JavaScript RegExps: each call took exponential time in
  // the input length and, in the server, blocked the event loop.
  const input = JSON.stringify("a".repeat(40) + "!");
  test.each([
    ["regexp", "(a+)+b"],
    ["regexp", "(a|aa)*c"],
    ["regexp", "(.*a){12}b"],
    ["wildcard", "*a*a*a*a*a*a*b"],
  ])("%s %s against 40 a's", (kind, pattern) => {
    const fn = kind === "regexp" ? "regexpMatcher" : "wildcardMatcher";
    const out = inChild(
      `const a = require("./sim/engine/search/automaton.ts");` +
        `const m = a.${fn}(${JSON.stringify(pattern)}); const t = ${input};` +
        `console.log(JSON.stringify([m(t), m(t.slice(0, 30)), m("a".repeat(39) + "b")]));`,
    );
    const wantLast = !/c$/.test(pattern);
    expect(JSON.parse(out)).toEqual([false, false, wantLast]);
  });
});

describe("Lucene RegExp syntax", () => {
  const m = (re: string, term: string, opts = {}) => regexpMatcher(re, opts)(term);

  test("literals, any char, quantifiers, alternation, groups, anchoring", () => {
    expect(m("jui.e", "juice")).toBe(true);
    expect(m("jui.e", "juicer")).toBe(false); // anchored on the whole term
    expect(m("ab?c", "ac")).toBe(true);
    expect(m("ab+c", "abbbc")).toBe(true);
    expect(m("ab*c", "ac")).toBe(true);
    expect(m("a{3}", "aaa")).toBe(true);
    expect(m("a{3}", "aa")).toBe(false);
    expect(m("a{2,}", "aaaaa")).toBe(true);
    expect(m("a{2,3}", "aaaa")).toBe(false);
    expect(m("(ab|cd)+", "abcdab")).toBe(true);
    expect(m("()", "")).toBe(true);
    expect(m(".", "😀")).toBe(true); // one code point
  });

  test("classes, escapes, quoted strings, predefined classes", () => {
    expect(m("[abc]+", "cab")).toBe(true);
    expect(m("[a-c]x", "bx")).toBe(true);
    expect(m("[^a-c]x", "bx")).toBe(false);
    expect(m("[^a-c]x", "dx")).toBe(true);
    expect(m("a\\.b", "a.b")).toBe(true);
    expect(m("a\\.b", "axb")).toBe(false);
    expect(m('"a.b"c', "a.bc")).toBe(true);
    expect(m("\\d+", "123")).toBe(true);
    expect(m("\\w+\\s\\W", "ab_1 !")).toBe(true);
    expect(m("^$/", "^$/")).toBe(true); // no anchors in Lucene syntax: literals
  });

  test("optional operators under flags", () => {
    expect(m("@", "anything")).toBe(true);
    expect(m("ab~(cd)", "abxx")).toBe(true);
    expect(m("ab~(cd)", "abcd")).toBe(false);
    expect(m("a~b", "ab", { flags: REGEXP_FLAGS.NONE })).toBe(false);
    expect(m("a~b", "a~b", { flags: REGEXP_FLAGS.NONE })).toBe(true);
    expect(m("[a-z]+&.*q.*", "aqz")).toBe(true);
    expect(m("[a-z]+&.*q.*", "abz")).toBe(false);
    expect(m("a#", "a")).toBe(false);
    expect(m("<1-100>", "42")).toBe(true);
    expect(m("<1-100>", "0042")).toBe(true);
    expect(m("<1-100>", "101")).toBe(false);
    expect(m("<01-10>", "07")).toBe(true);
    expect(m("<01-10>", "7")).toBe(false);
    expect(m("foo<1-100>", "foo100")).toBe(true);
    expect(resolveRegexpFlags("INTERSECTION|COMPLEMENT")).toBe(3);
    expect(() => resolveRegexpFlags("BOGUS")).toThrow("Unknown regexp flag [BOGUS]");
  });

  test("case_insensitive folds literals", () => {
    expect(m("juice", "JuIcE", { caseInsensitive: true })).toBe(true);
    expect(m("juice", "JuIcE")).toBe(false);
    expect(wildcardMatcher("dr?NK", { caseInsensitive: true })("DRINK")).toBe(true);
  });

  test("syntax errors carry Lucene's messages", () => {
    const err = (re: string) => {
      try {
        regexpMatcher(re);
      } catch (e) {
        expect(e).toBeInstanceOf(AutomatonSyntaxError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err("(ab")).toBe("expected ')' at position 3");
    expect(err("[ab")).toBe("expected ']' at position 3");
    expect(err("a{x}")).toBe("integer expected at position 2");
    expect(err("a{2")).toBe("expected '}' at position 3");
    expect(err("ab)")).toBe("end-of-string expected at position 2");
    expect(err("a|")).toBe("unexpected end-of-string");
    expect(err("[z-a]")).toBe("invalid range: from (122) cannot be > to (97)");
  });

  test("too complex to determinize: Lucene's effort limit", () => {
    expect(() => regexpMatcher("[ac]*a[ac]{50,200}")).toThrow(TooComplexToDeterminizeError);
    expect(() => regexpMatcher("[ac]*a[ac]{50,200}")).toThrow(
      /^Determinizing automaton with \d+ states and \d+ transitions would require more than 10000 effort\.$/,
    );
    expect(() => regexpMatcher("[ac]*a[ac]{3}", { maxDeterminizedStates: 2 })).toThrow(/more than 2 effort/);
    expect(regexpMatcher("[ac]*a[ac]{3}")("cccaaac")).toBe(true);
  });

  test("wildcard: * and ? and escapes, normalised literals", () => {
    const w = (p: string, t: string) => wildcardMatcher(p)(t);
    expect(w("dr?nk", "drink")).toBe(true);
    expect(w("dr*", "drink")).toBe(true);
    expect(w("*nk", "drink")).toBe(true);
    expect(w("d\\*", "d*")).toBe(true);
    expect(w("d\\*", "dx")).toBe(false);
    expect(w("a.b", "a.b")).toBe(true);
    expect(w("a.b", "axb")).toBe(false);
    expect(wildcardMatcher("AB*", { normalize: (s) => s.toLowerCase() })("abc")).toBe(true);
  });
});

describe("property: agrees with JavaScript RegExp on the shared syntax", () => {
  // Patterns from a small grammar both engines read the same way (literals, `.`, classes, `?*+`,
  // `{n,m}`, `|`, groups), kept small so the backtracking reference stays fast.
  const rand = seededRandom(20261202);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const atom = (depth: number): string => {
    const r = rand();
    if (r < 0.45 || depth > 1) return pick(["a", "b", "c", ".", "[ab]", "[^a]", "[a-c]"]);
    if (r < 0.75) return `(${expr(depth + 1)})`;
    return `(${expr(depth + 1)}|${expr(depth + 1)})`;
  };
  const expr = (depth: number): string => {
    let out = "";
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) out += atom(depth) + pick(["", "", "", "?", "*", "+", "{2}", "{1,2}", "{0,}"]);
    return out;
  };

  test("300 seeded patterns × 20 inputs", () => {
    let compared = 0;
    for (let i = 0; i < 300; i++) {
      const source = expr(0);
      let ours: (t: string) => boolean;
      try {
        ours = regexpMatcher(source);
      } catch (e) {
        // A few nested-quantifier patterns exceed Lucene's determinize budget, as they would in ES.
        if (e instanceof TooComplexToDeterminizeError) continue;
        throw e;
      }
      compared++;
      const reference = new RegExp(`^(?:${source})$`, "su");
      for (let k = 0; k < 20; k++) {
        const len = Math.floor(rand() * 7);
        let term = "";
        for (let j = 0; j < len; j++) term += pick(["a", "b", "c", "d"]);
        if (ours(term) !== reference.test(term))
          throw new Error(`/${source}/ on "${term}": ours ${ours(term)}, RegExp ${reference.test(term)}`);
      }
    }
    expect(compared).toBeGreaterThan(270);
  });
});
