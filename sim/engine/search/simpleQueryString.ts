/**
 * ES's `simple_query_string`: Lucene's SimpleQueryParser syntax (`+` and, `|` or, `-` not,
 * `"phrase"~slop`, `prefix*`, `term~edits`, `( )`, backslash escapes), which never fails on bad
 * syntax. Terms are searched across fields and summed (most_fields), phrases take the best field.
 */
import { errors } from "../errors";
import {
  combineFields,
  FieldQueryContext,
  fuzzyQueryFor,
  isAllFields,
  matchQueryFor,
  phraseQueryFor,
  prefixQueryFor,
  resolveFields,
} from "./fieldQueries";
import { bool, MATCH_NONE, Query, resolveMinimumShouldMatch, withBoost } from "./query";

/** Settings of a simple_query_string query. */
export interface SimpleQueryStringOptions {
  query: string;
  fields: string[];
  defaultOperator: "OR" | "AND";
  analyzer?: string;
  lenient?: boolean;
  flags?: string;
  minimumShouldMatch?: string | number;
  fuzzyPrefixLength?: number;
  fuzzyMaxExpansions?: number;
  fuzzyTranspositions?: boolean;
  boost: number;
}

const FLAG_NAMES = ["AND", "OR", "NOT", "PREFIX", "PHRASE", "PRECEDENCE", "ESCAPE", "WHITESPACE", "FUZZY", "NEAR", "SLOP"] as const;
type Flag = (typeof FLAG_NAMES)[number];

function parseFlags(spec: string | undefined): Set<Flag> {
  if (spec === undefined || spec.trim() === "" || spec.toUpperCase() === "ALL") return new Set(FLAG_NAMES);
  const out = new Set<Flag>();
  for (const raw of spec.split("|")) {
    const name = raw.trim().toUpperCase();
    if (name === "NONE") continue;
    if (name === "ALL") return new Set(FLAG_NAMES);
    if (!(FLAG_NAMES as readonly string[]).includes(name)) throw errors.illegalArgument(`Unknown simple_query_string flag [${raw.trim()}]`);
    out.add(name as Flag);
  }
  if (out.has("SLOP")) out.add("NEAR");
  return out;
}

type Occur = "must" | "should";

interface State {
  top: Query | null;
  topClauses: { occur: Occur; query: Query }[];
  current: Occur | null;
  previous: Occur | null;
  not: number;
}

/** Builds the query for a simple_query_string. */
export function simpleQueryStringQuery(ctx: FieldQueryContext, o: SimpleQueryStringOptions): Query {
  const flags = parseFlags(o.flags);
  const lenient = o.lenient ?? isAllFields(o.fields);
  const fields = resolveFields(ctx, o.fields);
  const defaultOccur: Occur = o.defaultOperator === "AND" ? "must" : "should";
  const sumFields = (build: (name: string) => Query | null): Query | null => {
    const queries = fields.map(({ name, boost }) => {
      const q = build(name);
      return q === null ? null : withBoost(q, boost);
    });
    const present = queries.filter((q): q is Query => q !== null && q.kind !== "none");
    if (present.length > 1) return bool({ should: present });
    return combineFields(queries, 0);
  };
  const termQuery = (text: string) =>
    sumFields((name) => matchQueryFor(ctx, name, text, { operator: o.defaultOperator, analyzer: o.analyzer, lenient }));
  const phraseQuery = (text: string, slop: number) =>
    combineFields(
      fields.map(({ name, boost }) => {
        const q = phraseQueryFor(ctx, name, text, { slop, analyzer: o.analyzer, lenient });
        return q === null ? null : withBoost(q, boost);
      }),
      0,
    );
  const prefixQuery = (text: string) => sumFields((name) => prefixQueryFor(ctx, name, text, { normalize: true, lenient: true }));
  const fuzzyQuery = (text: string, edits: number) =>
    sumFields((name) =>
      fuzzyQueryFor(
        ctx,
        name,
        text,
        { fuzziness: edits, prefixLength: o.fuzzyPrefixLength, maxExpansions: o.fuzzyMaxExpansions, transpositions: o.fuzzyTranspositions },
        1,
        true,
        true,
      ),
    );

  const data = [...o.query];
  let index = 0;
  const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
  const tokenFinished = (c: string) =>
    (c === '"' && flags.has("PHRASE")) ||
    (c === "|" && flags.has("OR")) ||
    (c === "+" && flags.has("AND")) ||
    ((c === "(" || c === ")") && flags.has("PRECEDENCE")) ||
    (isWhitespace(c) && flags.has("WHITESPACE"));

  const addBranch = (state: State, branch: Query | null) => {
    if (branch === null) return;
    if (state.not % 2 === 1) branch = bool({ mustNot: [branch], should: [{ kind: "all", boost: 1 }] });
    if (state.top === null) {
      state.top = branch;
      state.topClauses = [];
    } else {
      const op = state.current ?? defaultOccur;
      // An operator change closes the tree built so far into one clause, preserving precedence.
      if (state.previous !== op || state.topClauses.length === 0) {
        state.topClauses = [{ occur: op, query: state.top }];
      }
      state.topClauses.push({ occur: op, query: branch });
      state.top = bool({
        must: state.topClauses.filter((c) => c.occur === "must").map((c) => c.query),
        should: state.topClauses.filter((c) => c.occur === "should").map((c) => c.query),
      });
      state.current = op;
    }
    state.previous = state.current;
    state.current = null;
    state.not = 0;
  };

  const readSuffixNumber = (): number | undefined => {
    if (data[index] !== "~") return undefined;
    index++;
    let digits = "";
    while (index < data.length && /[0-9]/.test(data[index])) digits += data[index++];
    return digits === "" ? 0 : Number(digits);
  };

  const parse = (nested: boolean): Query | null => {
    const state: State = { top: null, topClauses: [], current: null, previous: null, not: 0 };
    while (index < data.length) {
      const c = data[index];
      if (c === "(" && flags.has("PRECEDENCE")) {
        index++;
        const sub = parse(true);
        addBranch(state, sub);
      } else if (c === ")" && flags.has("PRECEDENCE")) {
        index++;
        if (nested) return state.top;
      } else if (c === '"' && flags.has("PHRASE")) {
        index++;
        let text = "";
        let closed = false;
        while (index < data.length) {
          if (data[index] === "\\" && flags.has("ESCAPE") && index + 1 < data.length) {
            text += data[index + 1];
            index += 2;
            continue;
          }
          if (data[index] === '"') {
            closed = true;
            index++;
            break;
          }
          text += data[index++];
        }
        if (!closed) {
          // An unclosed quote is searched as a plain term, as SimpleQueryParser does.
          addBranch(state, termQuery(text));
          continue;
        }
        const slop = flags.has("NEAR") ? readSuffixNumber() : undefined;
        addBranch(state, phraseQuery(text, slop ?? 0));
      } else if (c === "|" && flags.has("OR")) {
        index++;
        state.current = "should";
      } else if (c === "+" && flags.has("AND")) {
        index++;
        state.current = "must";
      } else if (c === "-" && flags.has("NOT")) {
        index++;
        state.not++;
      } else if (isWhitespace(c) && flags.has("WHITESPACE")) {
        index++;
      } else {
        let text = "";
        let prefix = false;
        while (index < data.length) {
          const d = data[index];
          if (d === "\\" && flags.has("ESCAPE") && index + 1 < data.length) {
            text += data[index + 1];
            index += 2;
            continue;
          }
          if (tokenFinished(d)) break;
          if (d === "~" && flags.has("FUZZY")) break;
          text += d;
          index++;
        }
        const fuzzy = flags.has("FUZZY") ? readSuffixNumber() : undefined;
        if (text.endsWith("*") && flags.has("PREFIX") && text.length > 1) {
          prefix = true;
          text = text.slice(0, -1);
        }
        if (text === "") continue;
        addBranch(state, prefix ? prefixQuery(text) : fuzzy !== undefined ? fuzzyQuery(text, fuzzy) : termQuery(text));
      }
    }
    return state.top;
  };

  let q = parse(false);
  if (q === null) return MATCH_NONE;
  if (o.minimumShouldMatch !== undefined && q.kind === "bool" && q.should.length > 0) {
    q = { ...q, minimumShouldMatch: resolveMinimumShouldMatch(q.should.length, o.minimumShouldMatch) };
  }
  return withBoost(q, o.boost);
}
