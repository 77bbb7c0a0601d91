/**
 * The CLI's side of the split-brain rule (stack/splitBrain.ts): before `ccr-dr failover` changes
 * any stack configuration, the old primary is probed with the same bound and judged by the same
 * pure rule as the program applies at `pulumi up`, so a refusal leaves both stacks and both
 * clusters untouched. `--force` becomes `ccr-dr:force` for the one run: the program then fences the
 * old primary's writable indices through that cluster's own connection before promoting.
 */
import type { ClusterName, SiteConfig } from "../stack/config";
import { type FailoverGuard, failoverGuard, probeOldPrimary } from "../stack/splitBrain";
import { CliError, EXIT } from "./errors";

/** Probes the old primary of a failover onto `to` (whose parsed stack config is `cfg`); throws the refusal unless `force`. */
export async function checkFailover(cfg: SiteConfig, to: ClusterName, force: boolean): Promise<FailoverGuard> {
  const old: ClusterName = to === "clusterA" ? "clusterB" : "clusterA";
  const probe = await probeOldPrimary(
    cfg.clusters[old],
    cfg.indices.map((pair) => pair[old]),
  );
  const guard = failoverGuard(probe, to, force);
  if (guard.action === "refuse") throw new CliError(EXIT.splitBrain, guard.message);
  return guard;
}
