/**
 * Lucene-style automata for the `regexp` and `wildcard` queries (and their `query_string` forms).
 *
 * ES never runs a backtracking matcher over terms: Lucene parses the pattern (RegExp, WildcardQuery)
 * into an automaton and determinizes it (Operations.determinize) under a work limit, so a pattern
 * such as `(a+)+b` costs the same on every term, and one too complex to determinize fails up front
 * with TooComplexToDeterminizeException instead of stalling the node. This module does the same:
 * parse → Thompson NFA over code-point ranges → subset construction with Lucene's effort budget →
 * a DFA whose run is linear in the term length. Pure, no I/O.
 */

/** Lucene RegExp syntax flags (the `flags` of the regexp query; ES's RegexpFlag). */
export const REGEXP_FLAGS: Readonly<Record<string, number>> = {
  INTERSECTION: 0x1,
  COMPLEMENT: 0x2,
  EMPTY: 0x4,
  ANYSTRING: 0x8,
  INTERVAL: 0x20,
  NONE: 0,
  ALL: 0xff,
};
const { INTERSECTION, COMPLEMENT, EMPTY, ANYSTRING, INTERVAL } = REGEXP_FLAGS as Record<string, number>;

/** Operations.DEFAULT_DETERMINIZE_WORK_LIMIT, the default of `max_determinized_states`. */
export const DEFAULT_DETERMINIZE_WORK_LIMIT = 10_000;

const MAX_CHAR = 0x10ffff;
/** A bound on NFA size so `((a{999}){999}){999}` fails as "too complex" instead of exhausting memory. */
const MAX_NFA_STATES = 500_000;

/** A pattern Lucene's parser rejects (its IllegalArgumentException; the message is Lucene's). */
export class AutomatonSyntaxError extends Error {}

/** Lucene's TooComplexToDeterminizeException, with its message. */
export class TooComplexToDeterminizeError extends Error {
  constructor(states: number, transitions: number, limit: number) {
    super(`Determinizing automaton with ${states} states and ${transitions} transitions would require more than ${limit} effort.`);
  }
}

/** Regular-expression syntax tree; `ranges` holds [lo, hi] code-point pairs for one character. */
type Node =
  | { t: "ranges"; r: number[] }
  | { t: "cat"; a: Node[] }
  | { t: "alt"; a: Node[] }
  | { t: "rep"; n: Node; min: number; max: number } // max -1 = unbounded
  | { t: "not"; n: Node }
  | { t: "and"; a: Node; b: Node }
  | { t: "none" };

const EPSILON: Node = { t: "cat", a: [] };
const ANY: Node = { t: "ranges", r: [0, MAX_CHAR] };
const chars = (s: string): Node => ({ t: "cat", a: [...s].map((c) => ({ t: "ranges", r: [c.codePointAt(0)!, c.codePointAt(0)!] })) });

/** Sorted, merged [lo, hi] pairs. */
function normalizeRanges(r: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    if (out.length && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complementRanges(r: number[]): number[] {
  const n = normalizeRanges(r);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    if (n[i]! > next) out.push(next, n[i]! - 1);
    next = n[i + 1]! + 1;
  }
  if (next <= MAX_CHAR) out.push(next, MAX_CHAR);
  return out;
}

/** Adds the other-case variants of a code point (Character.toUpperCase/toLowerCase, as case_insensitive does). */
function caseVariants(c: number): number[] {
  const s = String.fromCodePoint(c);
  const out = [c];
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const cp = v.codePointAt(0)!;
    if ([...v].length === 1 && !out.includes(cp)) out.push(cp);
  }
  return out;
}

function charNode(c: number, caseInsensitive: boolean): Node {
  return { t: "ranges", r: caseInsensitive ? caseVariants(c).flatMap((v) => [v, v]) : [c, c] };
}

const DIGITS: Node = { t: "ranges", r: [48, 57] };
const SPACE = [9, 13, 32, 32]; // Java's \s: [ \t\n\x0B\f\r]
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];

/** Recursive-descent parser for Lucene's RegExp grammar (RegExp.java), with its error messages. */
class RegExpParser {
  private pos = 0;
  private readonly s: number[];
  constructor(
    source: string,
    private readonly flags: number,
    private readonly ci: boolean,
  ) {
    this.s = [...source].map((c) => c.codePointAt(0)!);
  }

  parse(): Node {
    const e = this.union();
    if (this.pos < this.s.length) throw new AutomatonSyntaxError(`end-of-string expected at position ${this.pos}`);
    return e;
  }
  private more = () => this.pos < this.s.length;
  private peek = (set: string) => this.more() && set.includes(String.fromCodePoint(this.s[this.pos]!));
  private match(c: string): boolean {
    if (this.more() && this.s[this.pos] === c.codePointAt(0)) return ++this.pos > 0;
    return false;
  }
  private check = (flag: number) => (this.flags & flag) !== 0;
  private next(): number {
    if (!this.more()) throw new AutomatonSyntaxError("unexpected end-of-string");
    return this.s[this.pos++]!;
  }

  private union(): Node {
    const e = this.inter();
    return this.match("|") ? { t: "alt", a: [e, this.union()] } : e;
  }
  private inter(): Node {
    const e = this.concat();
    return this.check(INTERSECTION) && this.match("&") ? { t: "and", a: e, b: this.inter() } : e;
  }
  private concat(): Node {
    const parts = [this.repeat()];
    while (this.more() && !this.peek(")|") && !(this.check(INTERSECTION) && this.peek("&"))) parts.push(this.repeat());
    return parts.length === 1 ? parts[0]! : { t: "cat", a: parts };
  }
  private repeat(): Node {
    let e = this.compl();
    while (this.peek("?*+{")) {
      if (this.match("?")) e = { t: "rep", n: e, min: 0, max: 1 };
      else if (this.match("*")) e = { t: "rep", n: e, min: 0, max: -1 };
      else if (this.match("+")) e = { t: "rep", n: e, min: 1, max: -1 };
      else if (this.match("{")) {
        const n = this.integer();
        if (n === undefined) throw new AutomatonSyntaxError(`integer expected at position ${this.pos}`);
        let m = n;
        if (this.match(",")) m = this.integer() ?? -1;
        if (!this.match("}")) throw new AutomatonSyntaxError(`expected '}' at position ${this.pos}`);
        e = m !== -1 && n > m ? { t: "none" } : { t: "rep", n: e, min: n, max: m };
      }
    }
    return e;
  }
  private integer(): number | undefined {
    const start = this.pos;
    while (this.peek("0123456789")) this.pos++;
    return start === this.pos ? undefined : Number(String.fromCodePoint(...this.s.slice(start, this.pos)));
  }
  private compl(): Node {
    return this.check(COMPLEMENT) && this.match("~") ? { t: "not", n: this.compl() } : this.charClassExp();
  }
  private charClassExp(): Node {
    if (!this.match("[")) return this.simple();
    const negate = this.match("^");
    let r = this.charClass();
    while (this.more() && !this.peek("]")) r = r.concat(this.charClass());
    if (!this.match("]")) throw new AutomatonSyntaxError(`expected ']' at position ${this.pos}`);
    return { t: "ranges", r: negate ? complementRanges(r) : normalizeRanges(r) };
  }
  private charClass(): number[] {
    const predefined = this.predefined();
    if (predefined) return predefined;
    const from = this.charExp();
    if (!this.match("-")) return this.ci ? caseVariants(from).flatMap((v) => [v, v]) : [from, from];
    const to = this.charExp();
    if (from > to) throw new AutomatonSyntaxError(`invalid range: from (${from}) cannot be > to (${to})`);
    return [from, to];
  }
  /** `\d \D \s \S \w \W`, which Lucene's RegExp accepts in and out of classes. */
  private predefined(): number[] | undefined {
    if (this.s[this.pos] !== 92 || this.pos + 1 >= this.s.length) return undefined;
    const c = String.fromCodePoint(this.s[this.pos + 1]!);
    const base = { d: [48, 57], s: SPACE, w: WORD }[c.toLowerCase()];
    if (!base || !"dDsSwW".includes(c)) return undefined;
    this.pos += 2;
    return c === c.toLowerCase() ? base : complementRanges(base);
  }
  private charExp(): number {
    this.match("\\");
    return this.next();
  }
  private simple(): Node {
    if (this.match(".")) return ANY;
    if (this.check(EMPTY) && this.match("#")) return { t: "none" };
    if (this.check(ANYSTRING) && this.match("@")) return { t: "rep", n: ANY, min: 0, max: -1 };
    if (this.match('"')) {
      const start = this.pos;
      while (this.more() && !this.peek('"')) this.pos++;
      if (!this.match('"')) throw new AutomatonSyntaxError(`expected '"' at position ${this.pos}`);
      return { t: "cat", a: this.s.slice(start, this.pos - 1).map((c) => charNode(c, this.ci)) };
    }
    if (this.match("(")) {
      if (this.match(")")) return EPSILON;
      const e = this.union();
      if (!this.match(")")) throw new AutomatonSyntaxError(`expected ')' at position ${this.pos}`);
      return e;
    }
    if (this.check(INTERVAL) && this.match("<")) {
      const start = this.pos;
      while (this.more() && !this.peek(">")) this.pos++;
      if (!this.match(">")) throw new AutomatonSyntaxError(`expected '>' at position ${this.pos}`);
      return this.interval(String.fromCodePoint(...this.s.slice(start, this.pos - 1)));
    }
    const predefined = this.predefined();
    if (predefined) return { t: "ranges", r: predefined };
    return charNode(this.charExp(), this.ci);
  }
  /** `<min-max>`: decimal numbers in the range, zero-padded to a fixed width when both bounds have the same length (Automata.makeDecimalInterval). */
  private interval(body: string): Node {
    const i = body.indexOf("-");
    const bad = () => new AutomatonSyntaxError(`interval syntax error at position ${this.pos - 1}`);
    if (i === -1) throw new AutomatonSyntaxError(`illegal identifier at position ${this.pos - 1}`);
    if (i === 0 || i === body.length - 1 || i !== body.lastIndexOf("-")) throw bad();
    const [smin, smax] = [body.slice(0, i), body.slice(i + 1)];
    if (!/^\+?\d+$/.test(smin) || !/^\+?\d+$/.test(smax) || Number(smin) > 2147483647 || Number(smax) > 2147483647) throw bad();
    let [lo, hi] = [Number(smin), Number(smax)];
    if (lo > hi) [lo, hi] = [hi, lo];
    if (smin.length === smax.length) {
      const w = smin.length;
      return decimalRange(String(lo).padStart(w, "0"), String(hi).padStart(w, "0"));
    }
    const alts: Node[] = [];
    for (let len = String(lo).length; len <= String(hi).length; len++) {
      const a = Math.max(lo, len === 1 ? 0 : 10 ** (len - 1));
      const b = Math.min(hi, 10 ** len - 1);
      if (a <= b) alts.push(decimalRange(String(a), String(b)));
    }
    return {
      t: "cat",
      a: [
        { t: "rep", n: chars("0"), min: 0, max: -1 },
        { t: "alt", a: alts },
      ],
    };
  }
}

/** Strings of digits of equal length between `lo` and `hi` inclusive. */
function decimalRange(lo: string, hi: string): Node {
  if (lo.length === 0) return EPSILON;
  const [a, b] = [lo.charCodeAt(0), hi.charCodeAt(0)];
  const restLo = lo.slice(1);
  const restHi = hi.slice(1);
  if (a === b) return { t: "cat", a: [{ t: "ranges", r: [a, a] }, decimalRange(restLo, restHi)] };
  const anyDigits: Node = { t: "rep", n: DIGITS, min: restLo.length, max: restLo.length };
  const alts: Node[] = [
    { t: "cat", a: [{ t: "ranges", r: [a, a] }, decimalRange(restLo, "9".repeat(restLo.length))] },
    { t: "cat", a: [{ t: "ranges", r: [b, b] }, decimalRange("0".repeat(restHi.length), restHi)] },
  ];
  if (b - a > 1) alts.push({ t: "cat", a: [{ t: "ranges", r: [a + 1, b - 1] }, anyDigits] });
  return { t: "alt", a: alts };
}

/** Parses Lucene RegExp syntax (`flags` as REGEXP_FLAGS; `caseInsensitive` = RegExp.ASCII_CASE_INSENSITIVE-style folding of literals). */
export function parseRegExp(source: string, flags = REGEXP_FLAGS.ALL!, caseInsensitive = false): Node {
  return new RegExpParser(source, flags, caseInsensitive).parse();
}

/** Lucene's WildcardQuery syntax: `*` any string, `?` any character, `\` escapes; `normalize` applies to literal runs. */
export function parseWildcard(pattern: string, caseInsensitive = false, normalize: (s: string) => string = (s) => s): Node {
  const parts: Node[] = [];
  let literal = "";
  const flush = () => {
    for (const c of normalize(literal)) parts.push(charNode(c.codePointAt(0)!, caseInsensitive));
    literal = "";
  };
  const cs = [...pattern];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === "\\" && i + 1 < cs.length) literal += cs[++i];
    else if (c === "*" || c === "?") {
      flush();
      parts.push(c === "*" ? { t: "rep", n: ANY, min: 0, max: -1 } : ANY);
    } else literal += c;
  }
  flush();
  return { t: "cat", a: parts };
}

/** Thompson NFA: per state, epsilon edges and code-point range edges ([lo, hi, to] triples). */
class Nfa {
  readonly eps: number[][] = [];
  readonly edges: number[][] = [];
  transitions = 0;
  constructor(private readonly limit: number) {}
  state(): number {
    if (this.eps.length >= MAX_NFA_STATES) throw new TooComplexToDeterminizeError(this.eps.length, this.transitions, this.limit);
    this.eps.push([]);
    this.edges.push([]);
    return this.eps.length - 1;
  }
  edge(from: number, lo: number, hi: number, to: number): void {
    this.edges[from]!.push(lo, hi, to);
    this.transitions++;
  }

  /** Adds `n` between two new states; returns [start, end]. */
  build(n: Node): [number, number] {
    const s = this.state();
    switch (n.t) {
      case "ranges": {
        const e = this.state();
        for (let i = 0; i < n.r.length; i += 2) this.edge(s, n.r[i]!, n.r[i + 1]!, e);
        return [s, e];
      }
      case "none":
        return [s, this.state()];
      case "cat": {
        let end = s;
        for (const part of n.a) {
          const [ps, pe] = this.build(part);
          this.eps[end]!.push(ps);
          end = pe;
        }
        return [s, end];
      }
      case "alt": {
        const e = this.state();
        for (const part of n.a) {
          const [ps, pe] = this.build(part);
          this.eps[s]!.push(ps);
          this.eps[pe]!.push(e);
        }
        return [s, e];
      }
      case "rep": {
        let end = s;
        for (let i = 0; i < n.min; i++) {
          const [ps, pe] = this.build(n.n);
          this.eps[end]!.push(ps);
          end = pe;
        }
        const e = this.state();
        this.eps[end]!.push(e);
        if (n.max === -1) {
          const [ps, pe] = this.build(n.n);
          this.eps[end]!.push(ps);
          this.eps[pe]!.push(ps, e);
        } else {
          for (let i = n.min; i < n.max; i++) {
            const [ps, pe] = this.build(n.n);
            this.eps[end]!.push(ps);
            this.eps[pe]!.push(e);
            end = pe;
          }
        }
        return [s, e];
      }
      case "not":
      case "and": {
        // Complement and intersection need determinized operands, as Lucene's Operations.complement
        // and intersection (product) do; the result is embedded back as NFA states.
        const dfa = n.t === "not" ? complement(toDfa(n.n, this.limit)) : intersect(toDfa(n.a, this.limit), toDfa(n.b, this.limit));
        const e = this.state();
        const base = this.eps.length;
        for (let i = 0; i < dfa.edges.length; i++) this.state();
        dfa.edges.forEach((edges, i) => {
          for (let k = 0; k < edges.length; k += 3) this.edge(base + i, edges[k]!, edges[k + 1]!, base + edges[k + 2]!);
          if (dfa.accept[i]) this.eps[base + i]!.push(e);
        });
        this.eps[s]!.push(base);
        return [s, e];
      }
    }
  }
}

/** A deterministic automaton: state 0 is initial; edges are sorted, disjoint [lo, hi, to] triples. */
export interface Dfa {
  readonly edges: number[][];
  readonly accept: boolean[];
}

/**
 * Subset construction with Lucene's budget (Operations.determinize): each new DFA state costs the
 * number of NFA states it stands for, and the total may not reach 10 × `limit`.
 */
function determinize(nfa: Nfa, start: number, final: number, limit: number): Dfa {
  // Only states with outgoing ranges, and the final one, tell DFA states apart (Lucene's automata
  // have no epsilon edges, so its sets hold just those).
  const closure = (seeds: Iterable<number>): number[] => {
    const seen = new Set<number>();
    const stack = [...seeds];
    while (stack.length) {
      const q = stack.pop()!;
      if (seen.has(q)) continue;
      seen.add(q);
      for (const r of nfa.eps[q]!) if (!seen.has(r)) stack.push(r);
    }
    return [...seen].filter((q) => q === final || nfa.edges[q]!.length > 0).sort((x, y) => x - y);
  };
  const dfa: Dfa = { edges: [], accept: [] };
  const ids = new Map<string, number>();
  const work: number[][] = [];
  const intern = (set: number[]): number => {
    const key = set.join(",");
    let id = ids.get(key);
    if (id === undefined) {
      id = dfa.edges.length;
      ids.set(key, id);
      dfa.edges.push([]);
      dfa.accept.push(set.includes(final));
      work.push(set);
    }
    return id;
  };
  intern(closure([start]));
  const effortLimit = limit * 10;
  let effort = 0;
  for (let id = 0; id < work.length; id++) {
    const set = work[id]!;
    effort += set.length;
    if (effort >= effortLimit) throw new TooComplexToDeterminizeError(nfa.eps.length, nfa.transitions, limit);
    // Sweep the range boundaries: between two consecutive points the set of targets is constant.
    const events: [number, number, number][] = [];
    for (const q of set) {
      const e = nfa.edges[q]!;
      for (let k = 0; k < e.length; k += 3) events.push([e[k]!, 1, e[k + 2]!], [e[k + 1]! + 1, -1, e[k + 2]!]);
    }
    events.sort((x, y) => x[0] - y[0]);
    const active = new Map<number, number>();
    const out = dfa.edges[id]!;
    for (let i = 0; i < events.length;) {
      const point = events[i]![0];
      for (; i < events.length && events[i]![0] === point; i++) {
        const [, d, to] = events[i]!;
        const c = (active.get(to) ?? 0) + d;
        if (c === 0) active.delete(to);
        else active.set(to, c);
      }
      if (active.size === 0 || i === events.length) continue;
      const target = intern(closure(active.keys()));
      const hi = events[i]![0] - 1;
      const last = out.length - 3;
      if (last >= 0 && out[last + 2] === target && out[last + 1] === point - 1) out[last + 1] = hi;
      else out.push(point, hi, target);
    }
  }
  return dfa;
}

function toDfa(n: Node, limit: number): Dfa {
  const nfa = new Nfa(limit);
  const [s, e] = nfa.build(n);
  return determinize(nfa, s, e, limit);
}

/** The DFA accepting exactly the strings `d` rejects (total over all code points via a dead state). */
function complement(d: Dfa): Dfa {
  const dead = d.edges.length;
  const edges = d.edges.map((e) => {
    const out: number[] = [];
    let next = 0;
    for (let k = 0; k < e.length; k += 3) {
      if (e[k]! > next) out.push(next, e[k]! - 1, dead);
      out.push(e[k]!, e[k + 1]!, e[k + 2]!);
      next = e[k + 1]! + 1;
    }
    if (next <= MAX_CHAR) out.push(next, MAX_CHAR, dead);
    return out;
  });
  edges.push([0, MAX_CHAR, dead]);
  return { edges, accept: [...d.accept.map((a) => !a), true] };
}

/** Product automaton of two DFAs (reachable pairs only). */
function intersect(a: Dfa, b: Dfa): Dfa {
  const out: Dfa = { edges: [], accept: [] };
  const ids = new Map<string, number>();
  const pairs: [number, number][] = [];
  const intern = (p: number, q: number): number => {
    const key = `${p},${q}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = pairs.length;
      ids.set(key, id);
      pairs.push([p, q]);
      out.edges.push([]);
      out.accept.push(a.accept[p]! && b.accept[q]!);
    }
    return id;
  };
  intern(0, 0);
  for (let id = 0; id < pairs.length; id++) {
    const [p, q] = pairs[id]!;
    const ea = a.edges[p]!;
    const eb = b.edges[q]!;
    for (let i = 0, j = 0; i < ea.length && j < eb.length;) {
      const lo = Math.max(ea[i]!, eb[j]!);
      const hi = Math.min(ea[i + 1]!, eb[j + 1]!);
      if (lo <= hi) out.edges[id]!.push(lo, hi, intern(ea[i + 2]!, eb[j + 2]!));
      if (ea[i + 1]! < eb[j + 1]!) i += 3;
      else j += 3;
    }
  }
  return out;
}

/** Whether the DFA accepts the whole of `term` (anchored at both ends, as Lucene matches terms). */
export function runDfa(d: Dfa, term: string): boolean {
  let state = 0;
  for (const ch of term) {
    const c = ch.codePointAt(0)!;
    const e = d.edges[state]!;
    let lo = 0;
    let hi = e.length / 3 - 1;
    let next = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < e[mid * 3]!) hi = mid - 1;
      else if (c > e[mid * 3 + 1]!) lo = mid + 1;
      else {
        next = e[mid * 3 + 2]!;
        break;
      }
    }
    if (next < 0) return false;
    state = next;
  }
  return d.accept[state]!;
}

/** Compiles a parsed pattern to a term matcher; throws TooComplexToDeterminizeError past `limit`. */
export function compileMatcher(n: Node, limit = DEFAULT_DETERMINIZE_WORK_LIMIT): (term: string) => boolean {
  const dfa = toDfa(n, limit);
  return (term) => runDfa(dfa, term);
}

/** A Lucene regular expression as a term matcher. */
export function regexpMatcher(
  source: string,
  opts: { flags?: number; caseInsensitive?: boolean; maxDeterminizedStates?: number } = {},
): (term: string) => boolean {
  return compileMatcher(parseRegExp(source, opts.flags ?? REGEXP_FLAGS.ALL, opts.caseInsensitive ?? false), opts.maxDeterminizedStates);
}

/** A WildcardQuery pattern as a term matcher. */
export function wildcardMatcher(
  pattern: string,
  opts: { caseInsensitive?: boolean; normalize?: (s: string) => string } = {},
): (term: string) => boolean {
  return compileMatcher(parseWildcard(pattern, opts.caseInsensitive, opts.normalize));
}

/** ES's RegexpFlag.resolveValue: `|`-separated names, case-insensitive; empty means ALL. */
export function resolveRegexpFlags(text: string): number {
  if (text.trim() === "") return REGEXP_FLAGS.ALL!;
  let value = 0;
  for (const name of text.split("|")) {
    const v = REGEXP_FLAGS[name.trim().toUpperCase()];
    if (v === undefined) throw new AutomatonSyntaxError(`Unknown regexp flag [${name}]`);
    value |= v;
  }
  return value;
}
