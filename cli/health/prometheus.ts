/**
 * `ccr-dr status --format prometheus` (alias `ccr-dr metrics`): the status report in the Prometheus
 * text exposition format (version 0.0.4), for a textfile collector or a scrape wrapper, so existing
 * alerting can page on it. A value that is not known is absent, never 0: alert on
 * `ccr_dr_follower_lag_known == 0` or on the state gauge instead.
 */
import type { StatusReport } from "../status";
import { HEALTH_STATES } from "../../stack/health/model";

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** Label values escape backslash, double quote and line feed (exposition format). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function render(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(",");
      out.push(`${f.name}${labels ? `{${labels}}` : ""} ${formatValue(s.value)}`);
    }
  }
  return out.join("\n") + "\n";
}

/** The report as exposition text: one gauge family per fact, each with its HELP and TYPE. */
export function renderPrometheus(r: StatusReport): string {
  const fam = (name: string, help: string): Family => ({ name, help, samples: [] });
  const health = fam("ccr_dr_health", "Overall DR health: 1 for the current state (healthy, lagging, broken, unknown), 0 for the others.");
  const exit = fam("ccr_dr_status_exit_code", "Exit code of `ccr-dr status` for this report (docs/cli.md): 0 only when all is healthy.");
  const reachable = fam("ccr_dr_cluster_reachable", "1 when the cluster answered, 0 when it could not be read.");
  const primary = fam("ccr_dr_cluster_configured_primary", "1 when the cluster's own site stack names it the primary.");
  const state = fam("ccr_dr_follower_state", "Follower health: 1 for the current state, 0 for the others.");
  const known = fam("ccr_dr_follower_lag_known", "1 when the follower's lag in operations was read from the leader, 0 when it is unknown.");
  const ops = fam("ccr_dr_follower_lag_operations", "Operations on the leader the follower has not applied (present only when known).");
  const opsMin = fam("ccr_dr_follower_lag_operations_min", "Lower bound of the lag in operations when the leader could not be read.");
  const secs = fam("ccr_dr_follower_lag_seconds", "Seconds the follower is behind (present only when known: 0 when caught up).");
  const secsMin = fam(
    "ccr_dr_follower_lag_seconds_min",
    "Lower bound of the lag in seconds: age of the oldest missing document by its @timestamp.",
  );
  const lastRead = fam("ccr_dr_follower_last_read_age_seconds", "Seconds since the follower last read from its leader (follow stats).");
  const remote = fam(
    "ccr_dr_follower_remote_connected",
    "1 when the follower's cluster is connected to the leader's cluster (_remote/info).",
  );
  const lease = fam(
    "ccr_dr_follower_lease_expiry_timestamp_seconds",
    "Unix time the leader's retention lease for this follower expires unless renewed: the failback window.",
  );
  const promotion = fam(
    "ccr_dr_last_promotion_timestamp_seconds",
    "Unix time of the promotion recorded on the index (ccr-dr promotion record).",
  );
  const fence = fam("ccr_dr_index_write_blocked", "1 for an index with a write block, labelled by who set it.");
  const switchovers = fam(
    "ccr_dr_switchover_records",
    "Switchover records on fenced indices, by whether their ccr-dr process runs (unknown: it ran on another host).",
  );

  for (const s of HEALTH_STATES) health.samples.push({ labels: { state: s }, value: r.health === s ? 1 : 0 });
  exit.samples.push({ labels: {}, value: r.exitCode });
  for (const c of r.clusters) {
    reachable.samples.push({ labels: { cluster: c.cluster }, value: c.reachable ? 1 : 0 });
    // an unreadable stack's role is unknown: no sample rather than a 0 that says "not the primary"
    if (c.configuredRole !== "unknown")
      primary.samples.push({ labels: { cluster: c.cluster }, value: c.configuredRole === "primary" ? 1 : 0 });
    for (const i of c.indices) {
      const at = i.promotion ? Date.parse(i.promotion.promotedAt) : NaN;
      if (i.promotion && Number.isFinite(at))
        promotion.samples.push({
          labels: {
            cluster: c.cluster,
            index: i.index,
            promoted_from: `${i.promotion.promotedFrom.remoteCluster}:${i.promotion.promotedFrom.leaderIndex}`,
          },
          value: at / 1000,
        });
      const h = i.health;
      if (!h) continue;
      const l = { cluster: c.cluster, index: i.index };
      for (const s of HEALTH_STATES) state.samples.push({ labels: { ...l, state: s }, value: h.state === s ? 1 : 0 });
      known.samples.push({ labels: l, value: h.lag.operations !== undefined ? 1 : 0 });
      if (h.lag.operations !== undefined) ops.samples.push({ labels: l, value: h.lag.operations });
      if (h.lag.operationsAtLeast !== undefined) opsMin.samples.push({ labels: l, value: h.lag.operationsAtLeast });
      if (h.lag.seconds !== undefined) secs.samples.push({ labels: l, value: h.lag.seconds });
      if (h.lag.secondsAtLeast !== undefined) secsMin.samples.push({ labels: l, value: h.lag.secondsAtLeast });
      if (h.lastReadAgoMs !== undefined) lastRead.samples.push({ labels: l, value: h.lastReadAgoMs / 1000 });
      if (h.remote) remote.samples.push({ labels: { ...l, remote: h.remote.alias }, value: h.remote.connected ? 1 : 0 });
      if (h.failbackWindow.leaseExpiresAtMs !== undefined)
        lease.samples.push({ labels: l, value: h.failbackWindow.leaseExpiresAtMs / 1000 });
    }
  }
  for (const f of r.fences) fence.samples.push({ labels: { cluster: f.cluster, index: f.index, origin: f.origin }, value: 1 });
  for (const [running, label] of [
    [true, "running"],
    [false, "interrupted"],
    [undefined, "unknown"],
  ] as const)
    switchovers.samples.push({ labels: { state: label }, value: r.switchovers.filter((n) => n.running === running).length });
  return render([
    health,
    exit,
    reachable,
    primary,
    state,
    known,
    ops,
    opsMin,
    secs,
    secsMin,
    lastRead,
    remote,
    lease,
    promotion,
    fence,
    switchovers,
  ]);
}
