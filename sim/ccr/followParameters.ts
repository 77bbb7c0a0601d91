/**
 * The ten follow parameters shared by PUT follow, resume follow and auto-follow patterns
 * (`FollowParameters.java`): parsing with ES's value syntax (byte sizes, time values), request
 * validation with ES's messages, the defaults of `TransportResumeFollowAction`, and rendering as
 * follow-info shows them (`"32mb"`, `"500ms"` — the value as written, normalised like ES's
 * `getStringRep()`).
 */
import { EsError, errors } from "../engine/errors";
import type { BodyReader } from "./bodyParser";

/** Parameter names in the order ES renders them. */
export const FOLLOW_PARAMETER_NAMES = [
  "max_read_request_operation_count",
  "max_read_request_size",
  "max_outstanding_read_requests",
  "max_write_request_operation_count",
  "max_write_request_size",
  "max_outstanding_write_requests",
  "max_write_buffer_count",
  "max_write_buffer_size",
  "max_retry_delay",
  "read_poll_timeout",
] as const;

export type FollowParameterName = (typeof FOLLOW_PARAMETER_NAMES)[number];

/** Follow parameters as ES renders them: counts as numbers, sizes and times as strings. */
export type FollowParametersWire = Partial<Record<FollowParameterName, number | string>>;

/** Resolved parameters in engine units, what a shard-follow task runs with. */
export interface FollowParameters {
  maxReadRequestOperationCount: number;
  maxReadRequestSizeBytes: number;
  maxOutstandingReadRequests: number;
  maxWriteRequestOperationCount: number;
  maxWriteRequestSizeBytes: number;
  maxOutstandingWriteRequests: number;
  maxWriteBufferCount: number;
  maxWriteBufferSizeBytes: number;
  maxRetryDelayMs: number;
  readPollTimeoutMs: number;
}

/** ES's defaults (`TransportResumeFollowAction`), rendered. */
export const DEFAULT_FOLLOW_PARAMETERS: Required<FollowParametersWire> = {
  max_read_request_operation_count: 5120,
  max_read_request_size: "32mb",
  max_outstanding_read_requests: 12,
  max_write_request_operation_count: 5120,
  max_write_request_size: "9223372036854775807b",
  max_outstanding_write_requests: 9,
  max_write_buffer_count: 2147483647,
  max_write_buffer_size: "512mb",
  max_retry_delay: "500ms",
  read_poll_timeout: "1m",
};

/** `RETRY_DELAY_MAX` of `FollowParameters`. */
const MAX_RETRY_DELAY_LIMIT = { ms: 5 * 60_000, rep: "5m" };

const COUNT_PARAMS = new Set<FollowParameterName>([
  "max_read_request_operation_count",
  "max_outstanding_read_requests",
  "max_write_request_operation_count",
  "max_outstanding_write_requests",
  "max_write_buffer_count",
]);
const SIZE_PARAMS = new Set<FollowParameterName>(["max_read_request_size", "max_write_request_size", "max_write_buffer_size"]);

const BYTE_UNITS: Record<string, { mult: number; suffix: string }> = {
  b: { mult: 1, suffix: "b" },
  k: { mult: 1024, suffix: "kb" },
  kb: { mult: 1024, suffix: "kb" },
  m: { mult: 1024 ** 2, suffix: "mb" },
  mb: { mult: 1024 ** 2, suffix: "mb" },
  g: { mult: 1024 ** 3, suffix: "gb" },
  gb: { mult: 1024 ** 3, suffix: "gb" },
  t: { mult: 1024 ** 4, suffix: "tb" },
  tb: { mult: 1024 ** 4, suffix: "tb" },
  p: { mult: 1024 ** 5, suffix: "pb" },
  pb: { mult: 1024 ** 5, suffix: "pb" },
};

/** `ByteSizeValue.parseBytesSizeValue`: returns bytes and ES's string rep. */
export function parseByteSizeValue(text: string, name: string): { bytes: number; rep: string } {
  const v = text.trim().toLowerCase();
  if (v === "-1") return { bytes: -1, rep: "-1" };
  if (v === "0") return { bytes: 0, rep: "0b" };
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(v);
  const unit = m ? BYTE_UNITS[m[2]!] : undefined;
  if (!m || !unit) {
    throw new EsError(
      "parse_exception",
      400,
      `failed to parse setting [${name}] with value [${text}] as a size in bytes: unit is missing or unrecognized`,
    );
  }
  const n = Number(m[1]);
  if (Number.isInteger(n)) return { bytes: n * unit.mult, rep: `${m[1]}${unit.suffix}` };
  const bytes = Math.round(n * unit.mult);
  return { bytes, rep: `${bytes}b` };
}

const TIME_UNITS: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `TimeValue.parseTimeValue`: returns milliseconds and ES's string rep. */
export function parseTimeValueRep(text: string, name: string): { ms: number; rep: string } {
  const v = text.trim().toLowerCase();
  if (v === "-1") return { ms: -1, rep: "-1" };
  if (v === "0") return { ms: 0, rep: "0s" };
  const m = /^(-?\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)$/.exec(v);
  if (!m) {
    throw errors.illegalArgument(`failed to parse setting [${name}] with value [${text}] as a time value: unit is missing or unrecognized`);
  }
  const n = Number(m[1]);
  const ms = n * TIME_UNITS[m[2]!]!;
  return { ms, rep: Number.isInteger(n) ? `${m[1]}${m[2]}` : `${Math.round(ms)}ms` };
}

/**
 * Reads the follow parameters present in a body (`FollowParameters.initParser`). Returns only the
 * ones given, rendered as ES would echo them; type errors are `x_content_parse_exception`s.
 */
export function readFollowParameters(reader: BodyReader): FollowParametersWire {
  const out: FollowParametersWire = {};
  for (const name of FOLLOW_PARAMETER_NAMES) {
    if (reader.body[name] === undefined || reader.body[name] === null) continue;
    if (COUNT_PARAMS.has(name)) {
      out[name] = reader.int(name)!;
    } else {
      const text = reader.text_(name)!;
      try {
        out[name] = SIZE_PARAMS.has(name) ? parseByteSizeValue(text, name).rep : parseTimeValueRep(text, name).rep;
      } catch (e) {
        if (e instanceof EsError) throw reader.failedField(name, e);
        throw e;
      }
    }
  }
  return out;
}

/** `FollowParameters.validate()` messages, in ES's order (to be joined into one validation error). */
export function followParameterProblems(p: FollowParametersWire): string[] {
  const problems: string[] = [];
  for (const name of [
    "max_read_request_operation_count",
    "max_read_request_size",
    "max_outstanding_read_requests",
    "max_write_request_operation_count",
    "max_write_request_size",
    "max_outstanding_write_requests",
    "max_write_buffer_count",
    "max_write_buffer_size",
  ] as const) {
    const v = p[name];
    if (v === undefined) continue;
    const n = typeof v === "number" ? v : parseByteSizeValue(v, name).bytes;
    if (n <= 0) problems.push(`${name} must be larger than 0`);
  }
  if (p.max_retry_delay !== undefined) {
    const d = parseTimeValueRep(String(p.max_retry_delay), "max_retry_delay");
    if (d.ms <= 0) problems.push(`[max_retry_delay] must be positive but was [${d.rep}]`);
    if (d.ms > MAX_RETRY_DELAY_LIMIT.ms)
      problems.push(`[max_retry_delay] must be less than [${MAX_RETRY_DELAY_LIMIT.rep}] but was [${d.rep}]`);
  }
  return problems;
}

/** Fills omitted parameters with ES's defaults (resume-follow semantics: omitted → default, not previous). */
export function withDefaults(p: FollowParametersWire): Required<FollowParametersWire> {
  const out = {} as Required<FollowParametersWire>;
  for (const name of FOLLOW_PARAMETER_NAMES) (out as FollowParametersWire)[name] = p[name] ?? DEFAULT_FOLLOW_PARAMETERS[name];
  return out;
}

/** Converts rendered parameters to engine units. */
export function resolveFollowParameters(p: FollowParametersWire): FollowParameters {
  const w = withDefaults(p);
  const bytes = (name: FollowParameterName) => parseByteSizeValue(String(w[name]), name).bytes;
  const ms = (name: FollowParameterName) => parseTimeValueRep(String(w[name]), name).ms;
  return {
    maxReadRequestOperationCount: Number(w.max_read_request_operation_count),
    maxReadRequestSizeBytes: bytes("max_read_request_size"),
    maxOutstandingReadRequests: Number(w.max_outstanding_read_requests),
    maxWriteRequestOperationCount: Number(w.max_write_request_operation_count),
    maxWriteRequestSizeBytes: bytes("max_write_request_size"),
    maxOutstandingWriteRequests: Number(w.max_outstanding_write_requests),
    maxWriteBufferCount: Number(w.max_write_buffer_count),
    maxWriteBufferSizeBytes: bytes("max_write_buffer_size"),
    maxRetryDelayMs: ms("max_retry_delay"),
    readPollTimeoutMs: ms("read_poll_timeout"),
  };
}
