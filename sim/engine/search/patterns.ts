/**
 * Small pattern helpers: ES/Lucene wildcard patterns (`*`, `?`, escapes) as RegExps and the edit
 * distance a `fuzziness` value allows.
 */
import { errors } from "../errors";

/**
 * A wildcard pattern as an anchored RegExp: `*` matches anything. With `lucene` (WildcardQuery
 * syntax) `?` matches one character and a backslash makes the next one literal; `normalize` is applied to the literal parts only, as ES's
 * normalizeWildcardPattern does.
 */
export function globToRegExp(
  pattern: string,
  opts: { lucene?: boolean; caseInsensitive?: boolean; normalize?: (s: string) => string } = {},
): RegExp {
  let source = "";
  let literal = "";
  const flush = () => {
    const text = opts.normalize ? opts.normalize(literal) : literal;
    source += text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    literal = "";
  };
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (opts.lucene && c === "\\" && i + 1 < chars.length) {
      literal += chars[++i];
    } else if (c === "*") {
      flush();
      source += ".*";
    } else if (c === "?" && opts.lucene) {
      flush();
      source += ".";
    } else {
      literal += c;
    }
  }
  flush();
  return new RegExp(`^${source}$`, opts.caseInsensitive ? "isu" : "su");
}

/** Maximum edits for a term under ES's `fuzziness` (`AUTO` = 0/1/2 by length 0–2/3–5/6+, `AUTO:low,high`, or 0–2). */
export function editDistanceLimit(fuzziness: unknown, term: string): number {
  const text = String(fuzziness).trim();
  const auto = /^AUTO(?::(\d+),(\d+))?$/i.exec(text);
  if (auto) {
    const low = auto[1] === undefined ? 3 : Number(auto[1]);
    const high = auto[2] === undefined ? 6 : Number(auto[2]);
    const length = [...term].length;
    return length < low ? 0 : length < high ? 1 : 2;
  }
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw errors.illegalArgument(`failed to parse [${text}] as fuzziness`);
  if (n >= 1 && n !== Math.floor(n)) throw errors.illegalArgument("Fractional edit distances are not allowed!");
  return Math.min(2, Math.floor(n));
}
