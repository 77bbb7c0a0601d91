/**
 * What followers report: follow info (`TransportFollowInfoAction`), follow stats
 * (`TransportFollowStatsAction`, one entry per shard-follow task) and the CCR stats that add the
 * auto-follow coordinator's (`TransportCcrStatsAction`).
 */
import { isWildcard, simpleMatch } from "../engine/names";
import type { Json } from "../engine/types";
import type { CcrService } from "./ccrService";
import { ccrErrors } from "./errors";
import { CCR_CUSTOM_KEY, type CcrCustom } from "./followerIndex";

/** `ccr.follow_info`: followers among the resolved indices (open and closed); others are skipped. */
export function followInfo(ccr: CcrService, expression: string | undefined): Json {
  const names = ccr.cluster.resolve(expression ?? "_all", { expandWildcards: ["open", "closed"] });
  const out: Json[] = [];
  for (const name of names) {
    const shard = ccr.cluster.shard(name)!;
    const ccrMeta = shard.meta.custom[CCR_CUSTOM_KEY] as unknown as CcrCustom | undefined;
    if (!ccrMeta) continue;
    const running = ccr.runningTask(name);
    const entry: Json = {
      follower_index: name,
      remote_cluster: ccrMeta.remote_cluster_name,
      leader_index: ccrMeta.leader_index_name,
      status: running ? "active" : "paused",
    };
    if (running) entry.parameters = { ...running.parameters };
    out.push(entry);
  }
  return { follower_indices: out };
}

/** `ccr.follow_stats`: per follower with a task (fatal included), sorted by name. */
export function followStats(ccr: CcrService, expression: string | undefined, human = false): Json {
  const patterns =
    expression === undefined
      ? []
      : expression
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean);
  const all = patterns.length === 0 || patterns.some((p) => p === "_all" || p === "*");
  // Names without a wildcard are looked up (a per-index call must not cost a match against every task).
  const names = (
    all || patterns.some(isWildcard)
      ? ccr.runningTaskNames().filter((n) => all || patterns.some((p) => simpleMatch(p, n)))
      : [...new Set(patterns)].filter((p) => ccr.runningTask(p) !== undefined)
  ).sort();
  if (!all && names.length === 0) throw ccrErrors.noFollowTasksForIndices(patterns);
  return {
    indices: names.map((name) => {
      const { task } = ccr.runningTask(name)!;
      return { index: name, total_global_checkpoint_lag: task.globalCheckpointLag, shards: [task.status(human)] };
    }),
  };
}

/** `ccr.stats` */
export function ccrStats(ccr: CcrService, human = false): Json {
  return { auto_follow_stats: ccr.autoFollow.stats(), follow_stats: followStats(ccr, undefined, human) };
}
