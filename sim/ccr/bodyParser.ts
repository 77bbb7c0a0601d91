/**
 * Reads CCR request bodies the way Elasticsearch's `ObjectParser` does, with its error texts:
 * `[line:col] [<parser>] unknown field [x]`, `[line:col] [<parser>] x doesn't support values of
 * type: VALUE_NUMBER`, `[line:col] [<parser>] failed to parse field [x]` (with the cause nested).
 * Line and column are found in the raw body text, like Jackson's token locations.
 */
import { EsError, errors } from "../engine/errors";
import type { Json } from "../engine/types";

/** Jackson's token name for a JSON value. */
function tokenOf(v: unknown): string {
  if (v === null) return "VALUE_NULL";
  if (Array.isArray(v)) return "START_ARRAY";
  switch (typeof v) {
    case "string":
      return "VALUE_STRING";
    case "number":
      return "VALUE_NUMBER";
    case "boolean":
      return "VALUE_BOOLEAN";
    default:
      return "START_OBJECT";
  }
}

/** A top-level JSON object body with ES's parser error reporting. */
export class BodyReader {
  constructor(
    /** The `ObjectParser` name ES reports (often the action name). */
    readonly parserName: string,
    readonly body: Json,
    /** Raw text, for `[line:col]`; absent for bodies built in code. */
    private readonly text?: string,
  ) {}

  /** `[line:col]` of a top-level field name (`value: true` → of its value). */
  location(key: string, value = false): string {
    if (!this.text) return "[1:1]";
    const re = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\s*:\\s*`);
    const m = re.exec(this.text);
    if (!m) return "[1:1]";
    const at = value ? m.index + m[0].length : m.index;
    let line = 1;
    let col = 1;
    for (let i = 0; i < at; i++) {
      if (this.text[i] === "\n") {
        line++;
        col = 1;
      } else col++;
    }
    return `[${line}:${col}]`;
  }

  /** Refuses fields the parser does not declare. */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.body)) {
      if (!known.includes(key)) throw errors.xContentParse(`${this.location(key)} [${this.parserName}] unknown field [${key}]`);
    }
  }

  private wrongType(key: string): EsError {
    return errors.xContentParse(
      `${this.location(key, true)} [${this.parserName}] ${key} doesn't support values of type: ${tokenOf(this.body[key])}`,
    );
  }

  /** `failed to parse field [key]` with the cause ES nests under it. */
  failedField(key: string, cause: EsError): EsError {
    return new EsError(
      "x_content_parse_exception",
      400,
      `${this.location(key, true)} [${this.parserName}] failed to parse field [${key}]`,
      {},
      cause,
    );
  }

  /** `declareString`: strings only. */
  string(key: string): string | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw this.wrongType(key);
    return v;
  }

  /** `declareInt`: a number, or a string holding one. */
  int(key: string): number | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") {
      if (!Number.isInteger(v))
        throw this.failedField(key, new EsError("illegal_argument_exception", 400, `Value [${v}] is out of range for an integer`));
      return v;
    }
    if (typeof v === "string") {
      if (!/^[-+]?\d+$/.test(v.trim()))
        throw this.failedField(key, new EsError("number_format_exception", 400, `For input string: "${v}"`));
      return Number(v);
    }
    throw this.wrongType(key);
  }

  /** A scalar rendered as text (byte sizes and time values accept strings and numbers). */
  text_(key: string): string | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string" || typeof v === "number") return String(v);
    throw this.wrongType(key);
  }

  /** `declareStringArray`: an array of strings (a lone string is accepted as ES does). */
  stringArray(key: string): string[] | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return [v];
    if (!Array.isArray(v)) throw this.wrongType(key);
    return v.map((x) => {
      if (typeof x !== "string") throw this.wrongType(key);
      return x;
    });
  }

  /** `declareObject`. */
  object(key: string): Json | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) throw this.wrongType(key);
    return v as Json;
  }
}
