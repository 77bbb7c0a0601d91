/**
 * Lucene's classic query parser (the `q=` / `query_string` syntax), as a tokenizer plus a recursive
 * descent over the same grammar as Lucene's QueryParser.jj, with its clause semantics:
 * `AND`/`OR`/`NOT`, `&&`/`||`/`!`, `+`/`-`, groups, `field:`, phrases with slop, wildcards, prefix,
 * `/regexp/`, fuzzy `~`, boosts `^`, ranges `[a TO b}` and backslash escapes; adjacent bare terms
 * are analysed together (ES's `split_on_whitespace: false`).
 *
 * The parser knows nothing about fields or analysis: it calls a {@link QueryStringBuilder}, which is
 * where ES's QueryStringQueryParser semantics live.
 */
import { bool, Query } from "./query";

/** Callbacks turning parsed pieces into queries; `field` undefined means the default field(s). A null result is dropped. */
export interface QueryStringBuilder {
  /** A bare term, a run of bare terms (`quoted` false) or a phrase (`quoted`, with slop). */
  fieldQuery(field: string | undefined, text: string, quoted: boolean, slop: number): Query | null;
  /** A term with unescaped `*`/`?`; `pattern` keeps its backslash escapes. */
  wildcardQuery(field: string | undefined, pattern: string): Query | null;
  prefixQuery(field: string | undefined, prefix: string): Query | null;
  regexpQuery(field: string | undefined, regexp: string): Query | null;
  /** `term~` (fuzziness undefined = the default) or `term~N`. */
  fuzzyQuery(field: string | undefined, term: string, fuzziness: number | undefined): Query | null;
  rangeQuery(
    field: string | undefined,
    lower: string | null,
    upper: string | null,
    includeLower: boolean,
    includeUpper: boolean,
  ): Query | null;
  /** `OR` (default) or `AND`: how clauses without an operator combine. */
  readonly defaultOperator: "OR" | "AND";
}

/** A syntax error, carrying Lucene's message ("Encountered … at line 1, column N."). */
export class QuerySyntaxError extends Error {
  override readonly name = "QuerySyntaxError";
}

type Kind =
  | "AND"
  | "OR"
  | "NOT"
  | "PLUS"
  | "MINUS"
  | "BAREOPER"
  | "LPAREN"
  | "RPAREN"
  | "COLON"
  | "STAR"
  | "CARAT"
  | "QUOTED"
  | "TERM"
  | "FUZZY_SLOP"
  | "PREFIXTERM"
  | "WILDTERM"
  | "REGEXPTERM"
  | "RANGEIN_START"
  | "RANGEEX_START"
  | "NUMBER"
  | "RANGE_TO"
  | "RANGEIN_END"
  | "RANGEEX_END"
  | "RANGE_QUOTED"
  | "RANGE_GOOP"
  | "EOF";

interface Tok {
  kind: Kind;
  image: string;
  /** 1-based column of the first character. */
  column: number;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\u3000"]);
const NOT_TERM_START = new Set([...WHITESPACE, "+", "-", "!", "(", ")", ":", "^", "[", "]", '"', "{", "}", "~", "*", "?", "\\", "/"]);

function isTermStart(ch: string): boolean {
  return !NOT_TERM_START.has(ch);
}

function isTermChar(ch: string): boolean {
  return isTermStart(ch) || ch === "-" || ch === "+";
}

const KIND_NAMES: Partial<Record<Kind, string>> = {
  PLUS: '"+"',
  MINUS: '"-"',
  LPAREN: '"("',
  RPAREN: '")"',
  COLON: '":"',
  STAR: '"*"',
  CARAT: '"^"',
  RANGEIN_START: '"["',
  RANGEEX_START: '"{"',
  RANGEIN_END: '"]"',
  RANGEEX_END: '"}"',
  RANGE_TO: '"TO"',
};

function describe(tok: Tok): string {
  if (tok.kind === "EOF") return '"<EOF>"';
  return `" ${KIND_NAMES[tok.kind] ?? `<${tok.kind}>`} "${tok.image} ""`;
}

/** Splits a query string into Lucene's tokens (DEFAULT, Boost and Range lexical states). */
export function tokenize(text: string): Tok[] {
  const chars = [...text];
  const toks: Tok[] = [];
  let i = 0;
  type State = "default" | "boost" | "range";
  let state: State = "default";
  const lexicalError = (at: number, after: string): never => {
    const encountered = at >= chars.length ? "<EOF>" : `"${chars[at]}" (${chars[at].codePointAt(0)}), `;
    throw new QuerySyntaxError(`Lexical error at line 1, column ${at + 1}.  Encountered: ${encountered} after : "${after}"`);
  };
  const push = (kind: Kind, start: number, end: number) => toks.push({ kind, image: chars.slice(start, end).join(""), column: start + 1 });
  while (i < chars.length) {
    const ch = chars[i];
    if (WHITESPACE.has(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (state === "boost") {
      const m = /^\d+(\.\d+)?/.exec(chars.slice(i, i + 64).join(""));
      if (!m) lexicalError(i, "");
      i += m![0].length;
      push("NUMBER", start, i);
      state = "default";
      continue;
    }
    if (state === "range") {
      if (ch === '"') {
        i++;
        while (i < chars.length && !(chars[i] === '"' && chars[i - 1] !== "\\")) i++;
        if (i >= chars.length) lexicalError(i, chars.slice(start, i).join(""));
        i++;
        push("RANGE_QUOTED", start, i);
        continue;
      }
      if (ch === "]" || ch === "}") {
        i++;
        push(ch === "]" ? "RANGEIN_END" : "RANGEEX_END", start, i);
        state = "default";
        continue;
      }
      while (i < chars.length && !WHITESPACE.has(chars[i]) && chars[i] !== "]" && chars[i] !== "}") i++;
      const image = chars.slice(start, i).join("");
      push(image === "TO" ? "RANGE_TO" : "RANGE_GOOP", start, i);
      continue;
    }
    const next = chars[i + 1];
    if ((ch === "+" || ch === "-" || ch === "!") && next !== undefined && WHITESPACE.has(next)) {
      i += 2;
      push("BAREOPER", start, i);
      continue;
    }
    if (
      ch === "&" &&
      next === "&" &&
      !(chars[i + 2] !== undefined && (isTermChar(chars[i + 2]) || chars[i + 2] === "*" || chars[i + 2] === "?"))
    ) {
      i += 2;
      push("AND", start, i);
      continue;
    }
    if (
      ch === "|" &&
      next === "|" &&
      !(chars[i + 2] !== undefined && (isTermChar(chars[i + 2]) || chars[i + 2] === "*" || chars[i + 2] === "?"))
    ) {
      i += 2;
      push("OR", start, i);
      continue;
    }
    const single: Record<string, Kind> = {
      "+": "PLUS",
      "-": "MINUS",
      "!": "NOT",
      "(": "LPAREN",
      ")": "RPAREN",
      ":": "COLON",
      "^": "CARAT",
      "[": "RANGEIN_START",
      "{": "RANGEEX_START",
    };
    if (single[ch] && !(ch === "*")) {
      i++;
      push(single[ch], start, i);
      if (ch === "^") state = "boost";
      if (ch === "[" || ch === "{") state = "range";
      continue;
    }
    if (ch === '"') {
      i++;
      while (i < chars.length && chars[i] !== '"') i += chars[i] === "\\" ? 2 : 1;
      if (i >= chars.length) lexicalError(chars.length, chars.slice(start).join(""));
      i++;
      push("QUOTED", start, i);
      continue;
    }
    if (ch === "~") {
      i++;
      while (i < chars.length && (isTermChar(chars[i]) || chars[i] === "\\" || chars[i] === ".")) i += chars[i] === "\\" ? 2 : 1;
      push("FUZZY_SLOP", start, i);
      continue;
    }
    if (ch === "/") {
      i++;
      while (i < chars.length && chars[i] !== "/") i += chars[i] === "\\" ? 2 : 1;
      if (i >= chars.length) lexicalError(chars.length, chars.slice(start).join(""));
      i++;
      push("REGEXPTERM", start, i);
      continue;
    }
    if (ch === "]" || ch === "}") lexicalError(i, "");
    // A word: TERM, PREFIXTERM (one trailing *), WILDTERM (other * or ?), or the operators AND/OR/NOT.
    let wildcardAt: number[] = [];
    while (i < chars.length) {
      const c = chars[i];
      if (c === "\\") {
        if (i + 1 >= chars.length) lexicalError(chars.length, chars.slice(start).join(""));
        i += 2;
        continue;
      }
      if (c === "*" || c === "?") {
        wildcardAt.push(i);
        i++;
        continue;
      }
      if (i === start ? isTermStart(c) : isTermChar(c)) {
        i++;
        continue;
      }
      break;
    }
    if (i === start) lexicalError(i, "");
    const image = chars.slice(start, i).join("");
    if (wildcardAt.length === 0) {
      push(image === "AND" ? "AND" : image === "OR" ? "OR" : image === "NOT" ? "NOT" : "TERM", start, i);
    } else if (image === "*") {
      push("STAR", start, i);
    } else if (wildcardAt.length === 1 && wildcardAt[0] === i - 1 && chars[i - 1] === "*" && start !== i - 1) {
      push("PREFIXTERM", start, i);
    } else {
      push("WILDTERM", start, i);
    }
    wildcardAt = [];
  }
  if (state === "range") lexicalError(chars.length, "");
  toks.push({ kind: "EOF", image: "", column: chars.length });
  return toks;
}

/** Removes backslash escapes (and decodes `\uXXXX`) as Lucene's discardEscapeChar does. */
export function discardEscapeChar(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    if (i + 1 >= text.length) throw new QuerySyntaxError("Term can not end with escape character.");
    if (text[i + 1] === "u") {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new QuerySyntaxError("Truncated unicode escape sequence.");
      out += String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += text[i + 1];
    i++;
  }
  return out;
}

const enum Conj {
  None,
  And,
  Or,
}
const enum Mod {
  None,
  Req,
  Not,
}
type Occur = "must" | "should" | "mustNot";
interface Clause {
  occur: Occur;
  query: Query;
}

const CLAUSE_START = new Set<Kind>([
  "AND",
  "OR",
  "NOT",
  "PLUS",
  "MINUS",
  "BAREOPER",
  "LPAREN",
  "STAR",
  "QUOTED",
  "TERM",
  "PREFIXTERM",
  "WILDTERM",
  "REGEXPTERM",
  "RANGEIN_START",
  "RANGEEX_START",
  "NUMBER",
]);
const DISALLOWED_POST_MULTI_TERM = new Set<Kind>(["COLON", "STAR", "FUZZY_SLOP", "CARAT", "AND", "OR"]);

/** Deepest nesting of `( … )` groups es-sim parses (see docs/es-sim.md, "Limits"). */
export const MAX_GROUP_DEPTH = 1000;

class Parser {
  private pos = 0;
  private groupDepth = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly b: QueryStringBuilder,
  ) {}

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)];
  }

  private next(): Tok {
    return this.toks[this.pos++];
  }

  private fail(): never {
    const tok = this.peek();
    throw new QuerySyntaxError(`Encountered ${describe(tok)} at line 1, column ${tok.column}.`);
  }

  private expect(kind: Kind): Tok {
    if (this.peek().kind !== kind) this.fail();
    return this.next();
  }

  top(): Query | null {
    const q = this.query(undefined);
    if (this.peek().kind !== "EOF") this.fail();
    return q;
  }

  private isMultiTerm(): boolean {
    return this.peek(0).kind === "TERM" && this.peek(1).kind === "TERM" && !DISALLOWED_POST_MULTI_TERM.has(this.peek(2).kind);
  }

  private query(field: string | undefined): Query | null {
    const clauses: Clause[] = [];
    let firstQuery: Query | null = null;
    if (this.isMultiTerm()) {
      firstQuery = this.multiTerm(field, clauses);
    } else {
      const mods = this.modifiers();
      const q = this.clause(field);
      this.addClause(clauses, Conj.None, mods, q);
      if (mods === Mod.None) firstQuery = q;
    }
    while (CLAUSE_START.has(this.peek().kind)) {
      if (this.isMultiTerm()) {
        this.multiTerm(field, clauses);
      } else {
        const conj = this.conjunction();
        const mods = this.modifiers();
        this.addClause(clauses, conj, mods, this.clause(field));
      }
    }
    if (clauses.length === 1 && firstQuery !== null) return firstQuery;
    if (clauses.length === 0) return null;
    return bool({
      must: clauses.filter((c) => c.occur === "must").map((c) => c.query),
      should: clauses.filter((c) => c.occur === "should").map((c) => c.query),
      mustNot: clauses.filter((c) => c.occur === "mustNot").map((c) => c.query),
    });
  }

  private multiTerm(field: string | undefined, clauses: Clause[]): Query | null {
    let text = this.next().image;
    while (this.peek(0).kind === "TERM" && !DISALLOWED_POST_MULTI_TERM.has(this.peek(1).kind)) text += " " + this.next().image;
    const q = this.b.fieldQuery(field, discardEscapeChar(text), false, 0);
    this.addMultiTermClauses(clauses, q);
    return q;
  }

  /** Lucene's addMultiTermClauses: a bool of plain terms is spliced in clause by clause. */
  private addMultiTermClauses(clauses: Clause[], q: Query | null): void {
    if (q === null) return;
    if (
      q.kind === "bool" &&
      q.boost === 1 &&
      q.filter.length === 0 &&
      q.mustNot.length === 0 &&
      q.minimumShouldMatch === 0 &&
      [...q.must, ...q.should].every((c) => c.kind === "term")
    ) {
      for (const c of q.must) clauses.push({ occur: "must", query: c });
      for (const c of q.should) clauses.push({ occur: "should", query: c });
      return;
    }
    clauses.push({ occur: this.b.defaultOperator === "OR" ? "should" : "must", query: q });
  }

  private conjunction(): Conj {
    const k = this.peek().kind;
    if (k === "AND") {
      this.next();
      return Conj.And;
    }
    if (k === "OR") {
      this.next();
      return Conj.Or;
    }
    return Conj.None;
  }

  private modifiers(): Mod {
    const k = this.peek().kind;
    if (k === "PLUS") {
      this.next();
      return Mod.Req;
    }
    if (k === "MINUS" || k === "NOT") {
      this.next();
      return Mod.Not;
    }
    return Mod.None;
  }

  /** Lucene's addClause: AND/OR retro-act on the previous clause, then the new clause's occur is chosen. */
  private addClause(clauses: Clause[], conj: Conj, mods: Mod, q: Query | null): void {
    const prev = clauses[clauses.length - 1];
    if (prev && conj === Conj.And && prev.occur !== "mustNot") prev.occur = "must";
    if (prev && this.b.defaultOperator === "AND" && conj === Conj.Or && prev.occur !== "mustNot") prev.occur = "should";
    if (q === null) return;
    let required: boolean;
    const prohibited = mods === Mod.Not;
    if (this.b.defaultOperator === "OR") {
      required = mods === Mod.Req || (conj === Conj.And && !prohibited);
    } else {
      required = !prohibited && conj !== Conj.Or;
    }
    clauses.push({ occur: prohibited ? "mustNot" : required ? "must" : "should", query: q });
  }

  private clause(field: string | undefined): Query | null {
    if ((this.peek(0).kind === "TERM" || this.peek(0).kind === "STAR") && this.peek(1).kind === "COLON") {
      const fieldTok = this.next();
      this.next();
      field = fieldTok.kind === "STAR" ? "*" : discardEscapeChar(fieldTok.image);
    }
    if (this.peek().kind === "LPAREN") {
      const open = this.next();
      // Lucene's parser recurses per group without a bound (a JVM stack overflow on ES); es-sim's
      // recursion is bounded so a hostile `q=` is a parse error, not a crashed request.
      if (++this.groupDepth > MAX_GROUP_DEPTH) {
        throw new QuerySyntaxError(
          `Encountered "(" at line 1, column ${open.column}: more than ${MAX_GROUP_DEPTH} nested groups (es-sim's limit).`,
        );
      }
      const q = this.query(field);
      this.expect("RPAREN");
      this.groupDepth--;
      return this.boostAfter(q);
    }
    return this.term(field);
  }

  private boostAfter(q: Query | null): Query | null {
    if (this.peek().kind !== "CARAT") return q;
    this.next();
    return applyBoost(q, this.expect("NUMBER").image);
  }

  private term(field: string | undefined): Query | null {
    const tok = this.peek();
    switch (tok.kind) {
      case "TERM":
      case "STAR":
      case "PREFIXTERM":
      case "WILDTERM":
      case "REGEXPTERM":
      case "NUMBER":
      case "BAREOPER": {
        this.next();
        const { boost, fuzzySlop } = this.boostAndFuzzy();
        const image = tok.kind === "BAREOPER" ? tok.image.slice(0, 1) : tok.image;
        let q: Query | null;
        if (tok.kind === "STAR" || tok.kind === "WILDTERM") q = this.b.wildcardQuery(field, image);
        else if (tok.kind === "PREFIXTERM") q = this.b.prefixQuery(field, discardEscapeChar(image.slice(0, -1)));
        else if (tok.kind === "REGEXPTERM") q = this.b.regexpQuery(field, image.slice(1, -1));
        else if (fuzzySlop !== undefined) q = this.b.fuzzyQuery(field, discardEscapeChar(image), parseFuzziness(fuzzySlop));
        else q = this.b.fieldQuery(field, discardEscapeChar(image), false, 0);
        return boost === undefined ? q : applyBoost(q, boost);
      }
      case "RANGEIN_START":
      case "RANGEEX_START": {
        this.next();
        const lower = this.rangePart();
        this.expect("RANGE_TO");
        const upper = this.rangePart();
        const end = this.next();
        if (end.kind !== "RANGEIN_END" && end.kind !== "RANGEEX_END") {
          this.pos--;
          this.fail();
        }
        const q = this.b.rangeQuery(field, lower, upper, tok.kind === "RANGEIN_START", end.kind === "RANGEIN_END");
        return this.boostAfter(q);
      }
      case "QUOTED": {
        this.next();
        const { boost, fuzzySlop } = this.boostAndFuzzy();
        const slop = fuzzySlop === undefined ? 0 : Math.trunc(Number(fuzzySlop.slice(1)) || 0);
        const q = this.b.fieldQuery(field, discardEscapeChar(tok.image.slice(1, -1)), true, slop);
        return boost === undefined ? q : applyBoost(q, boost);
      }
      default:
        this.fail();
    }
  }

  private rangePart(): string | null {
    const tok = this.next();
    if (tok.kind === "RANGE_QUOTED") return tok.image.slice(1, -1).replace(/\\"/g, '"');
    if (tok.kind === "RANGE_GOOP" || tok.kind === "RANGE_TO") return tok.image === "*" ? null : discardEscapeChar(tok.image);
    this.pos--;
    this.fail();
  }

  private boostAndFuzzy(): { boost?: string; fuzzySlop?: string } {
    let boost: string | undefined;
    let fuzzySlop: string | undefined;
    if (this.peek().kind === "CARAT") {
      this.next();
      boost = this.expect("NUMBER").image;
      if (this.peek().kind === "FUZZY_SLOP") fuzzySlop = this.next().image;
    } else if (this.peek().kind === "FUZZY_SLOP") {
      fuzzySlop = this.next().image;
      if (this.peek().kind === "CARAT") {
        this.next();
        boost = this.expect("NUMBER").image;
      }
    }
    return { boost, fuzzySlop };
  }
}

function parseFuzziness(slop: string): number | undefined {
  if (slop.length === 1) return undefined;
  const value = Number(slop.slice(1));
  if (!Number.isFinite(value)) return undefined;
  if (value >= 1 && value !== Math.floor(value)) throw new QuerySyntaxError("Fractional edit distances are not allowed!");
  return value;
}

function applyBoost(q: Query | null, boost: string): Query | null {
  if (q === null) return null;
  const value = Number(boost);
  if (q.kind === "none" || value === 1) return q;
  return { ...q, boost: q.boost * value };
}

/**
 * Parses a query string with Lucene's classic grammar. Throws {@link QuerySyntaxError} on invalid
 * syntax; returns null when every clause analysed away (ES then matches nothing).
 */
export function parseQueryString(text: string, builder: QueryStringBuilder): Query | null {
  return new Parser(tokenize(text), builder).top();
}
