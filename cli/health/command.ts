/**
 * `ccr-dr status` / `ccr-dr metrics`: option checking, the read, the output format and the exit
 * code (0 only when all is healthy; docs/cli.md, "Exit codes").
 */
import { CliError, EXIT } from "../errors";
import { status } from "../status";
import { DEFAULT_STACKS, openSitesAsAvailable, type WorkspaceOptions } from "../workspace";
import type { LagBudget } from "../../stack/health/model";
import { renderPrometheus } from "./prometheus";
import { type Paint, renderStatus } from "./render";

export const STATUS_FORMATS = ["text", "json", "prometheus"] as const;
export type StatusFormat = (typeof STATUS_FORMATS)[number];

export interface StatusCommandOptions {
  format?: string | undefined;
  maxLagOps?: string | undefined;
  maxLagSeconds?: string | undefined;
  paint: Paint;
  /** Where the output goes (default stdout). */
  write?: (text: string) => void;
}

function nonNegative(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new CliError(EXIT.usage, `${flag} ${v} must be a number ≥ 0 (e.g. ${flag} 1000)`);
  return n;
}

/** Checks the options (exit 2 on a bad one, before anything is read). */
export function statusOptions(o: Omit<StatusCommandOptions, "paint">): { format: StatusFormat; budget: Partial<LagBudget> } {
  const format = (o.format ?? "text") as StatusFormat;
  if (!STATUS_FORMATS.includes(format))
    throw new CliError(EXIT.usage, `--format ${o.format} is not a status format: use one of ${STATUS_FORMATS.join(", ")}`);
  const ops = nonNegative("--max-lag-ops", o.maxLagOps);
  const secs = nonNegative("--max-lag-seconds", o.maxLagSeconds);
  return {
    format,
    budget: { ...(ops !== undefined ? { maxLagOperations: ops } : {}), ...(secs !== undefined ? { maxLagSeconds: secs } : {}) },
  };
}

/** Runs the command; returns its exit code. */
export async function statusCommand(ws: WorkspaceOptions, o: StatusCommandOptions): Promise<number> {
  const { format, budget } = statusOptions(o);
  const write = o.write ?? ((t: string) => process.stdout.write(t));
  // a stack whose secrets provider went down with its site is reported, not fatal (cli/workspace.ts)
  const sites = await openSitesAsAvailable(ws);
  const stacks = { ...DEFAULT_STACKS, ...ws.stacks };
  const r = await status(
    { clusterA: sites.site.clusterA?.config, clusterB: sites.site.clusterB?.config },
    { budget, stacks, unreadableStacks: sites.unreadable.map((u) => ({ site: u.site, stack: u.stack, error: u.error.message })) },
  );
  if (format === "json") write(JSON.stringify(r, null, 2) + "\n");
  else if (format === "prometheus") write(renderPrometheus(r));
  else write(renderStatus(r, o.paint).join("\n") + "\n");
  return r.exitCode;
}
