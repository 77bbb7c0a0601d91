/**
 * JSON parsing with Elasticsearch's error reporting: ES parses with Jackson and reports
 * `[line:column] <what was wrong>`. `JSON.parse` does the work; only on failure a small scanner
 * finds the line and column of the first bad character, so the error can name it like ES does.
 */
import { EsError, errors } from "../engine/errors";

/** Where and why a text stops being valid JSON. */
export interface JsonProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * Deepest nesting of objects and arrays a body may have: Jackson's `StreamReadConstraints` default
 * `maxNestingDepth` (1000), which ES's JSON parser keeps. Checked before `JSON.parse` so no deeper
 * document reaches es-sim's recursive code (mapping walk, query compile, error locator).
 */
export const MAX_JSON_NESTING_DEPTH = 1000;

/** Line and column (1-based) of offset `at` in `text`. */
function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf("\n"); k >= 0 && k < at; k = text.indexOf("\n", k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: at - lineStart + 1 };
}

/**
 * The nesting-depth problem of `text`, if any: an iterative scan (strings skipped) that finds the
 * first `{`/`[` opening level 1001, reported with Jackson's `StreamConstraintsException` text.
 */
export function nestingProblem(text: string, max = MAX_JSON_NESTING_DEPTH): JsonProblem | undefined {
  if (text.length <= max) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) {
        return {
          ...lineColumn(text, i),
          message: `Document nesting depth (${depth}) exceeds the maximum allowed (${max}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`,
        };
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/**
 * Decodes a body as strict UTF-8 (ES reads bodies with Jackson's UTF-8 decoder, which refuses
 * malformed bytes instead of substituting U+FFFD). Returns the text, or the problem in Jackson's
 * words ("Invalid UTF-8 start byte 0x…" / "Invalid UTF-8 middle byte 0x…") at its line and column.
 */
export function decodeUtf8(buf: Buffer): { text: string; problem?: JsonProblem } {
  try {
    return { text: STRICT_UTF8.decode(buf) };
  } catch {
    const text = buf.toString("utf8");
    let i = 0;
    let line = 1;
    let column = 1;
    while (i < buf.length) {
      const b = buf[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      const hex = (x: number) => `0x${x.toString(16).padStart(2, "0")}`;
      if (len === 0) return { text, problem: { line, column, message: `Invalid UTF-8 start byte ${hex(b)}` } };
      for (let k = 1; k < len; k++) {
        const m = buf[i + k];
        if (m === undefined || (m & 0xc0) !== 0x80 || !STRICT_UTF8_OK(buf.subarray(i, i + k + 1), k + 1 === len)) {
          if (m === undefined) return { text, problem: { line, column, message: "Unexpected end-of-input in UTF-8 sequence" } };
          return { text, problem: { line, column, message: `Invalid UTF-8 middle byte ${hex(m)}` } };
        }
      }
      if (b === 0x0a) {
        line++;
        column = 1;
      } else column++;
      i += len;
    }
    return { text, problem: { line, column, message: "Invalid UTF-8" } };
  }
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Whether a (possibly partial) multi-byte sequence is still valid UTF-8 (overlongs, surrogates, > U+10FFFF). */
function STRICT_UTF8_OK(seq: Buffer, complete: boolean): boolean {
  if (!complete) {
    const b0 = seq[0]!;
    const b1 = seq[1]!;
    if (seq.length === 2) {
      if (b0 === 0xe0) return b1 >= 0xa0;
      if (b0 === 0xed) return b1 < 0xa0;
      if (b0 === 0xf0) return b1 >= 0x90;
      if (b0 === 0xf4) return b1 < 0x90;
    }
    return true;
  }
  try {
    STRICT_UTF8.decode(seq);
    return true;
  } catch {
    return false;
  }
}

/** Parses `text`; on failure throws `x_content_parse_exception` `[l:c] …` (or the error built by `wrap`). */
export function parseJson(text: string, wrap?: (p: JsonProblem) => EsError): unknown {
  const deep = nestingProblem(text);
  if (deep) throw wrap ? wrap(deep) : errors.xContentParse(`[${deep.line}:${deep.column}] ${deep.message}`);
  try {
    return JSON.parse(text);
  } catch {
    const p = locateJsonError(text);
    throw wrap ? wrap(p) : errors.xContentParse(`[${p.line}:${p.column}] ${p.message}`);
  }
}

/** Parses a JSON object body; a non-object top level is ES's `parse_exception`-style error. */
export function parseJsonObject(text: string, wrap?: (p: JsonProblem) => EsError): Record<string, unknown> {
  const v = parseJson(text, wrap);
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw errors.parsing(`request body must be a JSON object, found [${v === null ? "null" : Array.isArray(v) ? "array" : typeof v}]`);
  }
  return v as Record<string, unknown>;
}

/** Scans `text` and reports the first syntax error in Jackson's words. */
export function locateJsonError(text: string): JsonProblem {
  let i = 0;
  const fail = (message: string, at = i): never => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < text.length; k++) {
      if (text[k] === "\n") {
        line++;
        col = 1;
      } else col++;
    }
    throw { line, column: col, message } as JsonProblem;
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  };
  const unexpected = (expecting: string) => {
    if (i >= text.length) fail(`Unexpected end-of-input: ${expecting}`);
    const ch = text[i]!;
    fail(`Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): ${expecting}`);
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') unexpected("was expecting double-quote to start field name");
        string();
        ws();
        if (text[i] !== ":") unexpected("was expecting a colon to separate field name and value");
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        unexpected("was expecting comma to separate Object entries");
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        unexpected("was expecting comma to separate Array entries");
      }
    }
    if (ch === '"') return string();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return;
    }
    if (ch !== undefined && /[A-Za-z]/.test(ch)) {
      const word = /^[A-Za-z0-9_]+/.exec(text.slice(i))![0];
      fail(`Unrecognized token '${word}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
    }
    unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        return;
      }
      if (c < " ")
        fail(
          `Illegal unquoted character ((CTRL-CHAR, code ${c.charCodeAt(0)})): has to be escaped using backslash to be included in string value`,
        );
      i++;
    }
    fail("Unexpected end-of-input: was expecting closing quote for a string value");
  };
  try {
    value();
    ws();
    if (i < text.length) unexpected("expected end of input");
    return { line: 1, column: 1, message: "Unexpected content" };
  } catch (e) {
    if (e && typeof e === "object" && "line" in e) return e as JsonProblem;
    return { line: 1, column: 1, message: String(e) };
  }
}
