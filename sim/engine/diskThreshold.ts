/**
 * Disk-based watermarks as ES's `DiskThresholdSettings` defines them and the decision its
 * `DiskThresholdMonitor` takes for a node: over the flood-stage watermark every index on the node
 * gets `index.blocks.read_only_allow_delete`; once the node is below the high watermark the block
 * is released again from every index that carries it. Pure functions here; the cluster runs them
 * (Cluster.checkDiskUsage).
 *
 * A watermark is a used-space ratio ("95%", "0.95") or an absolute amount of free space ("500mb"):
 * `RelativeByteSizeValue.parseRelativeByteSizeValue`. For ratios, ES 8 caps the free space asked
 * for at `…max_headroom` (100GB flood stage, 150GB high, 200GB low) when no watermark is set.
 */
import { errors } from "./errors";
import { parseByteSize, parseBool, type ClusterSettingDef } from "./settings";
import type { DiskUsage } from "./storage";
import type { FlatSettings } from "./types";

export const THRESHOLD_ENABLED = "cluster.routing.allocation.disk.threshold_enabled";
export const WATERMARK_LOW = "cluster.routing.allocation.disk.watermark.low";
export const WATERMARK_HIGH = "cluster.routing.allocation.disk.watermark.high";
export const WATERMARK_FLOOD = "cluster.routing.allocation.disk.watermark.flood_stage";
const WATERMARKS = [WATERMARK_LOW, WATERMARK_HIGH, WATERMARK_FLOOD] as const;
const DEFAULT_WATERMARK: Record<string, string> = { [WATERMARK_LOW]: "85%", [WATERMARK_HIGH]: "90%", [WATERMARK_FLOOD]: "95%" };
const DEFAULT_HEADROOM: Record<string, string> = { [WATERMARK_LOW]: "200gb", [WATERMARK_HIGH]: "150gb", [WATERMARK_FLOOD]: "100gb" };
/** The setting that blocks writes; the monitor sets and releases it. */
export const READ_ONLY_ALLOW_DELETE = "index.blocks.read_only_allow_delete";

/** A parsed watermark. */
export type Watermark = { ratio: number; text: string } | { bytes: number; text: string };

/** `RelativeByteSizeValue.parseRelativeByteSizeValue`: a ratio/percentage, else a byte size. */
export function parseWatermark(key: string, value: string): Watermark {
  const v = value.trim();
  if (!v.toLowerCase().endsWith("b")) {
    const ratio = parseRatio(v);
    if (ratio !== undefined) return ratio !== 0 || v.endsWith("%") ? { ratio, text: v } : { bytes: 0, text: v };
  }
  try {
    return { bytes: parseByteSize(key, v), text: v };
  } catch {
    throw errors.parse(`unable to parse [${key}=${value}] as either percentage or bytes`);
  }
}

/** `RatioValue.parseRatioValue`: `n%` with 0 ≤ n ≤ 100, or a fraction 0 ≤ r ≤ 1. */
function parseRatio(v: string): number | undefined {
  const pct = v.endsWith("%");
  const num = pct ? v.slice(0, -1) : v;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(num)) return undefined;
  const n = Number(num);
  if (pct) return n >= 0 && n <= 100 ? n / 100 : undefined;
  return n >= 0 && n <= 1 ? n : undefined;
}

/**
 * ES's `WatermarkValidator`: the three watermarks are all ratios (low ≤ high ≤ flood) or all byte
 * sizes (low ≥ high ≥ flood, being free space), with its messages.
 */
export function validateWatermarks(values: Record<string, string>): void {
  const [low, high, flood] = WATERMARKS.map((k) => parseWatermark(k, values[k] ?? DEFAULT_WATERMARK[k]!)) as [
    Watermark,
    Watermark,
    Watermark,
  ];
  if ("ratio" in low && "ratio" in high && "ratio" in flood) {
    if (low.ratio > high.ratio)
      throw errors.illegalArgument(`low disk watermark [${low.text}] more than high disk watermark [${high.text}]`);
    if (high.ratio > flood.ratio) {
      throw errors.illegalArgument(`high disk watermark [${high.text}] more than flood stage disk watermark [${flood.text}]`);
    }
  } else if ("bytes" in low && "bytes" in high && "bytes" in flood) {
    if (low.bytes < high.bytes)
      throw errors.illegalArgument(`low disk watermark [${low.text}] less than high disk watermark [${high.text}]`);
    if (high.bytes < flood.bytes) {
      throw errors.illegalArgument(`high disk watermark [${high.text}] less than flood stage disk watermark [${flood.text}]`);
    }
  } else {
    throw errors.illegalArgument(
      `unable to consistently parse [${WATERMARK_LOW}=${low.text}], [${WATERMARK_HIGH}=${high.text}], and [${WATERMARK_FLOOD}=${flood.text}] as percentage or bytes`,
    );
  }
}

/** The cluster settings of the disk threshold, with ES's defaults and parsers. */
export const DISK_THRESHOLD_SETTINGS: ClusterSettingDef[] = [
  { key: THRESHOLD_ENABLED, default: "true", dynamic: true, validate: (k, v) => void parseBool(k, String(v)) },
  ...WATERMARKS.map((key) => ({
    key,
    default: DEFAULT_WATERMARK[key]!,
    dynamic: true,
    validate: (k: string, v: string | string[]) => void parseWatermark(k, String(v)),
  })),
  ...WATERMARKS.map((key) => ({
    key: `${key}.max_headroom`,
    dynamic: true,
    validate: (k: string, v: string | string[]) => void parseByteSize(k, String(v)),
  })),
];

/** Whether `key` is one of the settings the disk monitor reads (a change re-runs it). */
export function isDiskThresholdSetting(key: string): boolean {
  return key === THRESHOLD_ENABLED || WATERMARKS.some((w) => key === w || key === `${w}.max_headroom`);
}

/** Free bytes below which a watermark is exceeded (`DiskThresholdSettings.getFreeBytesThreshold…`). */
export function freeBytesThreshold(total: number, watermark: Watermark, maxHeadroom: number): number {
  if ("bytes" in watermark) return watermark.bytes;
  const ratioFree = total - Math.ceil(watermark.ratio * total);
  return maxHeadroom >= 0 ? Math.min(ratioFree, maxHeadroom) : ratioFree;
}

/** What the monitor does for the node. */
export type DiskDecision = "disabled" | "flood-stage" | "over-high" | "below-high";

/**
 * `DiskThresholdMonitor.onNewInfo` for the single node. `get` reads an effective cluster setting
 * (undefined when not set anywhere, so the max-headroom defaults can tell).
 */
export function decideDisk(usage: DiskUsage, get: (key: string) => string | undefined): DiskDecision {
  if (!parseBool(THRESHOLD_ENABLED, get(THRESHOLD_ENABLED) ?? "true")) return "disabled";
  const anyWatermarkSet = WATERMARKS.some((w) => get(w) !== undefined);
  const threshold = (key: string) => {
    const wm = parseWatermark(key, get(key) ?? DEFAULT_WATERMARK[key]!);
    const headroomText = get(`${key}.max_headroom`) ?? (anyWatermarkSet ? "-1" : DEFAULT_HEADROOM[key]!);
    return freeBytesThreshold(usage.totalBytes, wm, parseByteSize(`${key}.max_headroom`, headroomText));
  };
  if (usage.freeBytes < threshold(WATERMARK_FLOOD)) return "flood-stage";
  if (usage.freeBytes < threshold(WATERMARK_HIGH)) return "over-high";
  return "below-high";
}

/** The watermark values of one settings scope merged over the others, for the cross-key validator. */
export function watermarkValues(get: (key: string) => string | undefined, scope: FlatSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of WATERMARKS) {
    const v = (scope[k] as string | undefined) ?? get(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
