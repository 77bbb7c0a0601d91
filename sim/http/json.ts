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

/** Parses `text`; on failure throws `x_content_parse_exception` `[l:c] …` (or the error built by `wrap`). */
export function parseJson(text: string, wrap?: (p: JsonProblem) => EsError): unknown {
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
