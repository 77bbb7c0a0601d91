/**
 * The overall state of a status report and its exit code (docs/cli.md, "Exit codes"): 0 only
 * when all is healthy.
 */
import { worst } from "../../stack/health/classify";
import type { Fence, HealthState, SwitchoverNotice } from "../../stack/health/model";
import { EXIT } from "../errors";

/** Everything the exit code depends on. */
export interface ReportHealthInput {
  followers: HealthState[];
  unreachableClusters: number;
  fences: Fence[];
  /** Switchover records on fenced indices: running now or interrupted, writes are refused meanwhile. */
  switchovers: SwitchoverNotice[];
  /** The site stacks name different primaries (a failover not yet followed by its failback): nothing replicates. */
  stacksDisagree?: boolean;
  /** Site stacks that could not be opened (their secrets provider down with their site): their configuration is unknown. */
  unreadableStacks?: number;
}

/**
 * The report's overall state: a fence or a switchover record (running or interrupted) refuses writes, and stacks that
 * disagree on the primary mean nothing replicates: each is broken.
 */
export function reportHealth(r: ReportHealthInput): HealthState {
  const states = [...r.followers];
  if (r.unreachableClusters > 0 || (r.unreadableStacks ?? 0) > 0) states.push("unknown");
  if (r.fences.length > 0 || r.switchovers.length > 0 || r.stacksDisagree) states.push("broken");
  return worst(states);
}

/** `ccr-dr status` exit code for the overall state (docs/cli.md, "Exit codes"). */
export function statusExitCode(state: HealthState): number {
  switch (state) {
    case "healthy":
      return EXIT.ok;
    case "lagging":
      return EXIT.lagging;
    case "broken":
      return EXIT.broken;
    case "unknown":
      return EXIT.unreachable;
  }
}
