/**
 * Date parsing and date math as ES's `date` field does them: formats joined by `||`
 * (`strict_date_optional_time||epoch_millis` by default), Java-style patterns, and date math
 * (`now-1d/d`, `2020-01-01||+1M`), all in UTC millis.
 *
 * "Round up" follows JavaDateMathParser: when an upper bound (`lte`, `gt`) names a coarse date,
 * the missing fields are filled with their maximum, so `lte: "2020-01"` means the end of January.
 */

/** ES's default `format` of a `date` field. */
export const DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis";

/** The second entry of ES's default `dynamic_date_formats`; also the `format` a detected slash date gets. */
export const SLASH_DATE_FORMAT = "yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z";

/** Thrown when a value does not parse with any of the formats; callers turn it into ES's error. */
export class DateParseError extends Error {
  override readonly name = "DateParseError";
}

/** Date-time fields read from a value; absent ones are filled in by {@link toMillis}. */
export interface Fields {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  nanos?: number;
  fractionDigits?: number;
  offsetMinutes?: number;
}

const ISO =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseOffset(zone: string | undefined): number | undefined {
  if (zone === undefined) return undefined;
  if (zone === "Z" || zone === "z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === "-" ? -minutes : minutes;
}

/** Value of the two ASCII digits at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 0x30;
  const b = text.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The common complete form `yyyy-MM-ddTHH:mm:ss[.f{1,9}][Z|±HH:mm]` parsed by hand, giving exactly
 * what {@link isoFieldsByRegex} gives for it (on such text the regex's first match is this
 * greedy reading); undefined for anything else, which the regex then handles.
 */
function isoFieldsFast(text: string): Fields | undefined {
  const n = text.length;
  if (
    n < 19 ||
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a
  ) {
    return undefined;
  }
  const y1 = twoDigits(text, 0);
  const y2 = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (y1 < 0 || y2 < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let nanos: number | undefined;
  let fractionDigits: number | undefined;
  const sep = text.charCodeAt(i);
  if (sep === 0x2e || sep === 0x2c) {
    let j = i + 1;
    let value = 0;
    while (j < n && j - i - 1 < 9) {
      const d = text.charCodeAt(j) - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      j++;
    }
    fractionDigits = j - i - 1;
    if (fractionDigits === 0) return undefined;
    nanos = value * 10 ** (9 - fractionDigits);
    i = j;
  }
  let offsetMinutes: number | undefined;
  if (i < n) {
    const z = text.charCodeAt(i);
    if (z === 0x5a && i + 1 === n) {
      offsetMinutes = 0;
    } else if ((z === 0x2b || z === 0x2d) && i + 6 === n && text.charCodeAt(i + 3) === 0x3a) {
      const oh = twoDigits(text, i + 1);
      const om = twoDigits(text, i + 4);
      if (oh < 0 || om < 0) return undefined;
      offsetMinutes = z === 0x2d ? -(oh * 60 + om) : oh * 60 + om;
    } else {
      return undefined;
    }
  }
  return { year: y1 * 100 + y2, month, day, hour, minute, second, nanos, fractionDigits, offsetMinutes };
}

/** The ISO-8601 fields of `text` (the `strict_date_optional_time` family), or undefined. */
export function isoFields(text: string): Fields | undefined {
  return isoFieldsFast(text) ?? isoFieldsByRegex(text);
}

/** The ISO fields of `text` by the full regex (exported for the tests that check the fast path against it). */
export function isoFieldsByRegex(text: string): Fields | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  return {
    year: Number(m[1]),
    month: m[2] === undefined ? undefined : Number(m[2]),
    day: m[3] === undefined ? undefined : Number(m[3]),
    hour: m[4] === undefined ? undefined : Number(m[4]),
    minute: m[5] === undefined ? undefined : Number(m[5]),
    second: m[6] === undefined ? undefined : Number(m[6]),
    nanos: m[7] === undefined ? undefined : Number(m[7].padEnd(9, "0")),
    fractionDigits: m[7]?.length,
    offsetMinutes: parseOffset(m[8]),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Resolves parsed fields to epoch millis, filling missing fields with minimum or (roundUp) maximum values. */
export function toMillis(f: Fields, roundUp: boolean, defaultOffsetMinutes: number): number {
  const year = f.year;
  // Years 100–9999: plain Gregorian arithmetic (Date.UTC reads years 0–99 as 19xx, hence the Date-object path below).
  if (year >= 100 && year <= 9999) {
    const month = f.month ?? (roundUp ? 12 : 1);
    if (month < 1 || month > 12) throw new DateParseError(`month ${month}`);
    const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const lastDay = leap ? 29 : MONTH_DAYS[month - 1];
    const day = f.day ?? (roundUp ? lastDay : 1);
    if (day < 1 || day > lastDay) throw new DateParseError(`day ${day}`);
    const hour = f.hour ?? (roundUp ? 23 : 0);
    const minute = f.minute ?? (roundUp ? 59 : 0);
    const second = f.second ?? (roundUp ? 59 : 0);
    if (hour > 23 || minute > 59 || second > 59) throw new DateParseError("time out of range");
    let millis = f.nanos === undefined ? (roundUp ? 999 : 0) : Math.floor(f.nanos / 1e6);
    if (roundUp && f.fractionDigits !== undefined && f.fractionDigits < 3) millis += 10 ** (3 - f.fractionDigits) - 1;
    return Date.UTC(year, month - 1, day, hour, minute, second, millis) - (f.offsetMinutes ?? defaultOffsetMinutes) * 60_000;
  }
  return toMillisByDate(f, roundUp, defaultOffsetMinutes);
}

/** {@link toMillis} through Date objects, for every year (exported for the tests that check the fast path against it). */
export function toMillisByDate(f: Fields, roundUp: boolean, defaultOffsetMinutes: number): number {
  const month = f.month ?? (roundUp ? 12 : 1);
  if (month < 1 || month > 12) throw new DateParseError(`month ${month}`);
  const lastDay = daysInMonth(f.year, month);
  const day = f.day ?? (roundUp ? lastDay : 1);
  if (day < 1 || day > lastDay) throw new DateParseError(`day ${day}`);
  const hour = f.hour ?? (roundUp ? 23 : 0);
  const minute = f.minute ?? (roundUp ? 59 : 0);
  const second = f.second ?? (roundUp ? 59 : 0);
  if (hour > 23 || minute > 59 || second > 59) throw new DateParseError("time out of range");
  let millis = f.nanos === undefined ? (roundUp ? 999 : 0) : Math.floor(f.nanos / 1e6);
  if (roundUp && f.fractionDigits !== undefined && f.fractionDigits < 3) millis += 10 ** (3 - f.fractionDigits) - 1;
  const date = new Date(0);
  date.setUTCFullYear(f.year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() - (f.offsetMinutes ?? defaultOffsetMinutes) * 60_000;
}

type PatternParser = (text: string) => Fields | undefined;

/** Compiles a Java DateTimeFormatter pattern (the numeric subset: y u M d H m s S Z X x, 'literals'). */
function compilePattern(pattern: string): PatternParser {
  let source = "";
  const groups: string[] = [];
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i];
    if (ch === "'") {
      const close = pattern.indexOf("'", i + 1);
      const literal = close < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, close);
      source += literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i = close < 0 ? pattern.length : close + 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === ch) run++;
    i += run;
    switch (ch) {
      case "y":
      case "u":
        source += run === 2 ? "(\\d{2})" : "([+-]?\\d{4,9})";
        groups.push("year");
        break;
      case "M":
        source += "(\\d{1,2})";
        groups.push("month");
        break;
      case "d":
        source += "(\\d{1,2})";
        groups.push("day");
        break;
      case "H":
        source += "(\\d{1,2})";
        groups.push("hour");
        break;
      case "m":
        source += "(\\d{1,2})";
        groups.push("minute");
        break;
      case "s":
        source += "(\\d{1,2})";
        groups.push("second");
        break;
      case "S":
        source += `(\\d{1,${run}})`;
        groups.push("fraction");
        break;
      case "Z":
      case "X":
      case "x":
        // ES accepts the legacy dynamic format `yyyy/MM/dd Z` for "2015/09/02": the zone is optional.
        source = source.replace(/ $/, "") + "(?: ?(Z|[+-]\\d{2}(?::?\\d{2})?))?";
        groups.push("zone");
        break;
      default:
        if (/[A-Za-z]/.test(ch)) throw new DateParseError(`unsupported pattern letter [${ch}]`);
        source += ch.repeat(run).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  const regex = new RegExp(`^${source}$`);
  return (text) => {
    const m = regex.exec(text);
    if (!m) return undefined;
    const f: Fields = { year: 1970 };
    groups.forEach((g, k) => {
      const v = m[k + 1];
      if (v === undefined) return;
      if (g === "zone") f.offsetMinutes = parseOffset(v);
      else if (g === "fraction") {
        f.nanos = Number(v.padEnd(9, "0"));
        f.fractionDigits = v.length;
      } else (f as unknown as Record<string, number>)[g] = Number(v);
    });
    return f;
  };
}

const ISO_NAMES = new Set([
  "strict_date_optional_time",
  "date_optional_time",
  "strict_date_optional_time_nanos",
  "date_optional_time_nanos",
  "strict_date_time",
  "date_time",
  "strict_date_time_no_millis",
  "date_time_no_millis",
  "strict_date",
  "date",
  "strict_year_month_day",
  "year_month_day",
  "strict_year_month",
  "year_month",
  "strict_year",
  "year",
  "iso8601",
]);

type FormatParser = (text: string, roundUp: boolean, offsetMinutes: number) => number | undefined;

function namedOrPattern(name: string): FormatParser {
  if (ISO_NAMES.has(name)) {
    return (text, roundUp, offset) => {
      const f = isoFields(text);
      return f && toMillis(f, roundUp, offset);
    };
  }
  if (name === "epoch_millis") {
    return (text) => (/^-?\d+(\.\d+)?$/.test(text) ? Math.trunc(Number(text)) : undefined);
  }
  if (name === "epoch_second") {
    return (text) => (/^-?\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : undefined);
  }
  if (name === "basic_date") return namedOrPattern("yyyyMMdd");
  const parse = compilePattern(name);
  return (text, roundUp, offset) => {
    const f = parse(text);
    return f && toMillis(f, roundUp, offset);
  };
}

/** A compiled `format` string (`a||b||c`): tries each format in order. */
export interface DateFormat {
  readonly pattern: string;
  parse(text: string, roundUp?: boolean, offsetMinutes?: number): number;
  /** Whether the format has an epoch alternative, so JSON numbers are accepted. */
  readonly acceptsNumbers: boolean;
}

/** Formats compiled so far (a compiled format is immutable): indexing checks every date value against its format. */
const compiledFormats = new Map<string, DateFormat>();
const MAX_COMPILED_FORMATS = 1024;

/** Compiles a `format` value; throws DateParseError for pattern letters es-sim cannot parse. */
export function compileDateFormat(pattern: string = DEFAULT_DATE_FORMAT): DateFormat {
  let format = compiledFormats.get(pattern);
  if (format === undefined) {
    format = compileDateFormatUncached(pattern);
    if (compiledFormats.size >= MAX_COMPILED_FORMATS) compiledFormats.clear();
    compiledFormats.set(pattern, format);
  }
  return format;
}

function compileDateFormatUncached(pattern: string): DateFormat {
  const names = pattern.split("||").map((s) => s.trim());
  const parsers = names.map(namedOrPattern);
  return {
    pattern,
    acceptsNumbers: names.some((n) => n.startsWith("epoch_")),
    parse(text, roundUp = false, offsetMinutes = 0) {
      for (const p of parsers) {
        let v: number | undefined;
        try {
          v = p(text, roundUp, offsetMinutes);
        } catch {
          v = undefined;
        }
        if (v !== undefined && Number.isFinite(v)) return v;
      }
      throw new DateParseError(`failed to parse date field [${text}] with format [${pattern}]`);
    },
  };
}

/** Converts a JSON value of a date field (string, or number of epoch millis/seconds) to epoch millis. */
export function dateValueToMillis(value: unknown, format: DateFormat, roundUp = false, offsetMinutes = 0): number {
  if (typeof value === "number") {
    if (format.pattern.includes("epoch_second") && !format.pattern.includes("epoch_millis")) return Math.round(value * 1000);
    return Math.trunc(value);
  }
  if (typeof value !== "string") throw new DateParseError(`failed to parse date field [${String(value)}] with format [${format.pattern}]`);
  return format.parse(value, roundUp, offsetMinutes);
}

const UNIT = /^[yMwdhHms]$/;

/** Start of the calendar unit containing `t` (UTC shifted by `offsetMinutes`), as ES rounds `/unit`. */
function roundDown(t: number, unit: string, offsetMinutes: number): number {
  const shift = offsetMinutes * 60_000;
  const d = new Date(t + shift);
  switch (unit) {
    case "y":
      d.setUTCMonth(0, 1);
      d.setUTCHours(0, 0, 0, 0);
      break;
    case "M":
      d.setUTCDate(1);
      d.setUTCHours(0, 0, 0, 0);
      break;
    case "w": {
      const dow = (d.getUTCDay() + 6) % 7;
      d.setUTCDate(d.getUTCDate() - dow);
      d.setUTCHours(0, 0, 0, 0);
      break;
    }
    case "d":
      d.setUTCHours(0, 0, 0, 0);
      break;
    case "h":
    case "H":
      d.setUTCMinutes(0, 0, 0);
      break;
    case "m":
      d.setUTCSeconds(0, 0);
      break;
    case "s":
      d.setUTCMilliseconds(0);
      break;
  }
  return d.getTime() - shift;
}

function addUnits(t: number, amount: number, unit: string, offsetMinutes: number): number {
  const shift = offsetMinutes * 60_000;
  const d = new Date(t + shift);
  switch (unit) {
    case "y":
      d.setUTCFullYear(d.getUTCFullYear() + amount);
      break;
    case "M":
      d.setUTCMonth(d.getUTCMonth() + amount);
      break;
    case "w":
      d.setUTCDate(d.getUTCDate() + 7 * amount);
      break;
    case "d":
      d.setUTCDate(d.getUTCDate() + amount);
      break;
    case "h":
    case "H":
      return t + amount * 3_600_000;
    case "m":
      return t + amount * 60_000;
    case "s":
      return t + amount * 1000;
  }
  return d.getTime() - shift;
}

/**
 * Parses a date-math expression: `now`, or a date, optionally followed by `||` and operations
 * (`+1d`, `-2h`, `/M`). With `roundUp`, `/unit` rounds to the last millisecond of the unit
 * (as ES does for `lte` and `gt`).
 */
export function parseDateMath(expr: string, format: DateFormat, now: number, roundUp: boolean, offsetMinutes = 0): number {
  let base: number;
  let ops: string;
  if (expr.startsWith("now")) {
    base = now;
    ops = expr.slice(3);
  } else {
    const sep = expr.indexOf("||");
    if (sep < 0) return format.parse(expr, roundUp, offsetMinutes);
    base = format.parse(expr.slice(0, sep), false, offsetMinutes);
    ops = expr.slice(sep + 2);
  }
  let t = base;
  let i = 0;
  while (i < ops.length) {
    const op = ops[i++];
    if (op === "/") {
      const unit = ops[i++];
      if (unit === undefined || !UNIT.test(unit)) throw new DateParseError(`rounding unit in [${expr}]`);
      t = roundDown(t, unit, offsetMinutes);
      if (roundUp) t = addUnits(t, 1, unit, offsetMinutes) - 1;
    } else if (op === "+" || op === "-") {
      let digits = "";
      while (i < ops.length && /\d/.test(ops[i])) digits += ops[i++];
      const unit = ops[i++];
      if (unit === undefined || !UNIT.test(unit)) throw new DateParseError(`operator unit in [${expr}]`);
      const amount = digits === "" ? 1 : Number(digits);
      t = addUnits(t, op === "+" ? amount : -amount, unit, offsetMinutes);
    } else {
      throw new DateParseError(`operator not supported for date math [${expr}]`);
    }
  }
  return t;
}

/** Parses an ES `time_zone` value given as a fixed offset (`+01:00`, `-0530`, `Z`, `UTC`); undefined otherwise. */
export function parseTimeZone(tz: string): number | undefined {
  if (tz === "UTC" || tz === "Z" || tz === "GMT" || tz === "Etc/UTC") return 0;
  return parseOffset(tz);
}
