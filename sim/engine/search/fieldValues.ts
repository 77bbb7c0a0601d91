/**
 * Conversion of JSON source values into the values a field of a given type indexes, with the
 * errors ES raises for values that do not fit (`For input string: "abc"`, out-of-range numbers,
 * non-boolean strings, unparsable dates).
 */
import { compileDateFormat, DateFormat, DateParseError, DEFAULT_DATE_FORMAT, dateValueToMillis } from "./dates";

/** A value that does not fit its field: the ES exception type and reason of the `caused_by`. */
export class FieldValueError extends Error {
  override readonly name = "FieldValueError";
  constructor(
    readonly esType: string,
    readonly reason: string,
    /** A further cause, as ES nests date_time_parse_exception under the date error. */
    override readonly cause?: FieldValueError,
  ) {
    super(reason);
  }
}

/** Integer types with their inclusive bounds and the noun ES uses in "out of range for a …". */
const INTEGER_TYPES: Record<string, { min: number; max: number; noun: string }> = {
  byte: { min: -128, max: 127, noun: "a byte" },
  short: { min: -32768, max: 32767, noun: "a short" },
  integer: { min: -2147483648, max: 2147483647, noun: "an integer" },
  // ES's Long.MIN_VALUE / MAX_VALUE as ES writes them; as doubles they are exactly -2^63 and 2^63.
  // eslint-disable-next-line no-loss-of-precision
  long: { min: -9223372036854775808, max: 9223372036854775807, noun: "a long" },
  // 2^64 - 1 as ES writes it; as a double it is exactly 2^64.
  // eslint-disable-next-line no-loss-of-precision
  unsigned_long: { min: 0, max: 18446744073709551615, noun: "an unsigned_long" },
};

/** All numeric field types es-sim indexes. */
export const NUMERIC_TYPES = new Set(["long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"]);

/** Whether `type` is one of the integer types (values truncated, range checked). */
export function isIntegerType(type: string): boolean {
  return type in INTEGER_TYPES;
}

function tokenName(value: unknown): string {
  if (value === true) return "VALUE_TRUE";
  if (value === false) return "VALUE_FALSE";
  if (Array.isArray(value)) return "START_ARRAY";
  if (value !== null && typeof value === "object") return "START_OBJECT";
  return "VALUE_STRING";
}

/** Java's `Map.toString`-like rendering ES uses in "Preview of field's value". */
export function javaPreview(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(javaPreview).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${javaPreview(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/**
 * Converts a JSON value for a numeric field. Strings are parsed (ES coerces by default), fractions
 * are truncated for integer types when `coerce` is on. `undefined` = the empty string, which ES
 * treats as a missing value.
 */
export function toNumber(type: string, value: unknown, coerce = true, scalingFactor = 1): number | undefined {
  let n: number;
  if (typeof value === "number") {
    n = value;
  } else if (typeof value === "string") {
    if (value === "") return undefined;
    if (!coerce) throw new FieldValueError("illegal_argument_exception", `[coerce] is false, so the value [${value}] can't be parsed`);
    const text = value.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      throw new FieldValueError("illegal_argument_exception", `For input string: "${value}"`);
    }
    n = Number(text);
  } else {
    throw new FieldValueError(
      "illegal_argument_exception",
      `Current token (${tokenName(value)}) not numeric, can not use numeric value accessors`,
    );
  }
  const bounds = INTEGER_TYPES[type];
  if (bounds) {
    if (!Number.isInteger(n)) {
      if (!coerce) throw new FieldValueError("illegal_argument_exception", `Value [${n}] has a decimal part`);
      n = Math.trunc(n);
    }
    if (n < bounds.min || n > bounds.max)
      throw new FieldValueError("illegal_argument_exception", `Value [${value}] is out of range for ${bounds.noun}`);
    return n;
  }
  if (!Number.isFinite(n)) throw new FieldValueError("illegal_argument_exception", `[${type}] supports only finite values, but got [${n}]`);
  if (type === "float" || type === "half_float") return Math.fround(n);
  if (type === "scaled_float") return Math.round(n * scalingFactor) / scalingFactor;
  return n;
}

/** Converts a JSON value for a boolean field; `undefined` for the empty string (a missing value in ES). */
export function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  if (value === "") return undefined;
  throw new FieldValueError(
    "illegal_argument_exception",
    `Failed to parse value [${javaPreview(value)}] as only [true] or [false] are allowed.`,
  );
}

/** Converts a JSON value for a date field to epoch millis with the field's format. */
export function toDate(value: unknown, format: DateFormat = compileDateFormat(DEFAULT_DATE_FORMAT)): number {
  try {
    if (typeof value === "boolean" || value === null || typeof value === "object") throw new DateParseError("not a date");
    return dateValueToMillis(value, format);
  } catch (e) {
    if (!(e instanceof DateParseError)) throw e;
    throw new FieldValueError(
      "illegal_argument_exception",
      `failed to parse date field [${javaPreview(value)}] with format [${format.pattern}]`,
      new FieldValueError("date_time_parse_exception", "Failed to parse with all enclosed parsers"),
    );
  }
}

/** Converts a JSON value for a keyword/text field: scalars become their text, objects are refused. */
export function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new FieldValueError("illegal_state_exception", `Can't get text on a ${tokenName(value)}`);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9a-fA-F:]+(\.\d+\.\d+\.\d+\.\d+)?$/;

/** Validates an `ip` value; returns the form es-sim indexes (IPv6 lowercased). */
export function toIp(value: unknown): string {
  const text = typeof value === "string" ? value : javaPreview(value);
  if (IPV4.test(text)) return text;
  if (IPV6.test(text) && (text.match(/::/g) ?? []).length <= 1) return text.toLowerCase();
  throw new FieldValueError("illegal_argument_exception", `'${text}' is not an IP string literal.`);
}
