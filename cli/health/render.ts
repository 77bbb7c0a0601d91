/**
 * `ccr-dr status` as text for an operator: per cluster and index the verdict, why, and the command
 * that fixes it. Unknown is printed as unknown with its reason, never as 0.
 */
import type { StatusReport } from "../status";
import type { HealthState, Lag } from "../../stack/health/model";

export type Paint = (color: number, s: string) => string;

const COLOR: Record<HealthState, number> = { healthy: 32, lagging: 33, broken: 31, unknown: 35 };

function duration(ms: number): string {
  const a = Math.abs(ms);
  const s =
    a < 120_000 ? `${(a / 1000).toFixed(1)} s` : a < 7_200_000 ? `${Math.round(a / 60_000)} min` : `${(a / 3_600_000).toFixed(1)} h`;
  return ms < 0 ? `-${s}` : s;
}

/** A lag in words: known numbers, bounds marked as bounds, and why the rest is unknown. */
export function lagText(lag: Lag): string {
  if (lag.operations !== undefined) {
    const secs =
      lag.seconds !== undefined
        ? `${lag.seconds} s`
        : lag.secondsAtLeast !== undefined
          ? `≥ ${lag.secondsAtLeast} s (oldest missing document's @timestamp)`
          : "seconds unknown";
    return `${lag.operations} ops / ${secs}${lag.unknownReason && lag.seconds === undefined && lag.secondsAtLeast === undefined ? ` (${lag.unknownReason})` : ""}`;
  }
  const bound = lag.operationsAtLeast !== undefined ? ` (≥ ${lag.operationsAtLeast} ops, upper bound unknown)` : "";
  return `unknown${bound}: ${lag.unknownReason ?? "not read"}`;
}

export function renderStatus(r: StatusReport, paint: Paint): string[] {
  const lines: string[] = [];
  const now = Date.parse(r.readAt);
  lines.push(
    `health: ${paint(COLOR[r.health], r.health)} (exit ${r.exitCode}; lag budget ${r.budget.maxLagOperations} ops / ${r.budget.maxLagSeconds} s)`,
  );
  for (const u of r.unreadableStacks ?? [])
    lines.push(
      paint(
        33,
        `stack ${u.stack} (${u.site}) could not be read: ${u.error} — ${u.site} is read through the other site's connection to it; its configured role is unknown`,
      ),
    );
  const { clusterA, clusterB } = r.primaryBySite;
  if (r.primary === undefined && clusterA !== undefined && clusterB !== undefined) {
    lines.push(
      paint(
        33,
        `the site stacks disagree on the primary: clusterA's stack says ${clusterA}, clusterB's says ${clusterB} (between a failover and its failback, or mid-switchover): nothing replicates; once the old primary is back: ccr-dr failback`,
      ),
    );
  }
  for (const c of r.clusters) {
    lines.push(
      `${c.cluster} (${c.endpoint}) — ${c.reachable ? paint(32, "reachable") : paint(31, "unreachable")}, configured ${c.configuredRole}`,
    );
    if (c.error) lines.push(`  error: ${c.error}`);
    for (const i of c.indices) {
      const parts = [`  ${i.index}: ${i.role}`];
      if (i.role === "follower") parts.push(`${i.followStatus} from ${i.leader}`);
      if (i.health) parts.push(paint(COLOR[i.health.state], i.health.state));
      if (i.writeBlocked) parts.push("write-blocked");
      if (i.documents !== undefined) parts.push(`${i.documents} docs`);
      if (i.promotion)
        parts.push(
          `promoted ${i.promotion.promotedAt} from ${i.promotion.promotedFrom.remoteCluster}:${i.promotion.promotedFrom.leaderIndex}`,
        );
      lines.push(parts.join(", "));
      const h = i.health;
      if (!h) continue;
      if (i.role !== "unknown") lines.push(`    lag: ${lagText(h.lag)}`);
      if (h.lastReadAgoMs !== undefined) lines.push(`    last read from the leader: ${duration(h.lastReadAgoMs)} ago`);
      if (h.remote)
        lines.push(
          `    remote ${h.remote.alias}: ${h.remote.connected ? "connected" : paint(31, "not connected")}${h.remote.mode ? ` (${h.remote.mode}${h.remote.address ? ` ${h.remote.address}` : ""}, ${h.remote.connections ?? "?"} connection(s))` : ""}`,
        );
      for (const reason of h.reasons) lines.push(`    why: ${reason}`);
      if (h.fix) lines.push(`    fix: ${h.fix}`);
      if (i.role !== "unknown") {
        const w = h.failbackWindow;
        lines.push(
          w.leaseExpiresAtMs !== undefined
            ? `    failback window: the leader keeps this follower's history until ${w.leaseExpiresAt} (in ${duration(w.leaseExpiresAtMs - now)}, lease period ${duration(w.leasePeriodMs ?? 0)}); after that a resumed follow fails and must re-copy`
            : `    failback window: unknown: ${w.unknownReason ?? "not read"}`,
        );
      }
    }
    for (const q of c.quarantine)
      lines.push(`  quarantine ${q.index}: ${q.documents ?? "unknown number of"} docs${q.sourceIndex ? ` from ${q.sourceIndex}` : ""}`);
  }
  for (const f of r.fences) {
    lines.push(`fence: ${f.cluster} ${f.index} is write-blocked (${f.origin}): ${f.detail}`);
    lines.push(`  lift: ${f.command}`);
  }
  for (const n of r.switchovers) {
    const who = `ccr-dr pid ${n.pid} on ${n.host}`;
    const state =
      n.running === false
        ? `interrupted: ${who} no longer runs`
        : n.running
          ? `in progress: ${who} runs`
          : `in progress or interrupted: ${who} (another host)`;
    lines.push(
      paint(
        33,
        `switchover ${n.from} → ${n.to} started ${n.startedAt} ${state}; ${n.index} on ${n.cluster} stays write-blocked until it ends`,
      ),
    );
    lines.push(`  to finish it (or abort it, lifting the fence, if ${n.to} cannot catch up): ${n.command}`);
  }
  return lines;
}
