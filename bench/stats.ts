/** Summaries and formatting shared by the benchmarks: each figure is the median of its runs, with min and max. */

export interface Figure {
  median: number;
  min: number;
  max: number;
  /** Every run's value, in run order. */
  runs: number[];
  unit: string;
}

/** Median (mean of the middle two for an even count), min and max of `values`. */
export function figure(values: number[], unit: string): Figure {
  if (values.length === 0) throw new Error("a figure needs at least one run");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: values, unit };
}

/**
 * The `p`-th percentile of `values`: the sorted value at index floor(p/100 × n), capped at the last;
 * not interpolated, so `percentile(v, 50)` of an even count is the upper middle value, not `figure`'s median.
 */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A number with a sensible precision for its size. */
export function num(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** "4.21 s (3.90–4.87)" */
export function show(f: Figure): string {
  if (f.runs.length === 1) return `${num(f.median)} ${f.unit}`;
  return `${num(f.median)} ${f.unit} (${num(f.min)}–${num(f.max)})`;
}

/** A plain text table: the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

/** Milliseconds as seconds. */
export const seconds = (ms: number): number => ms / 1000;
