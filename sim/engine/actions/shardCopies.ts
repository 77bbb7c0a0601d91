/**
 * How many copies of each shard an index asks for, as a single node sees them: the primaries are
 * assigned, the replicas never can be (ES leaves them unassigned, hence yellow health and the
 * `_shards.total` that counts copies which did not answer).
 */
import type { Cluster } from "../cluster";
import { indexSetting, parseAutoExpandReplicas } from "../settings";
import type { IndexShard } from "../shard";
import type { Json } from "../types";

/** Replicas per shard an index wants (what ES would try to assign on other nodes). */
export function replicasOf(s: IndexShard): number {
  // AutoExpandReplicas.getDesiredNumberOfReplicas: min(max, data nodes - 1) raised to min; with one
  // node that is the range's minimum ("0-1" → 0, "1-all" → 1).
  const auto = parseAutoExpandReplicas(indexSetting(s.meta.settings, "index.auto_expand_replicas"));
  if (auto) return auto.min;
  return Number(s.setting("index.number_of_replicas"));
}

/**
 * The `_shards` header of broadcast actions (refresh, flush, stats): every copy counted, primaries
 * successful. `gone` are indices deleted while the action ran: ES counts their shards in `total`
 * but neither as successful nor as failed (`TransportActions.isShardNotAvailableException`).
 */
export function shardsHeader(cluster: Cluster, indices: Array<string | IndexShard>, gone: ReadonlySet<IndexShard> = new Set()): Json {
  let total = 0;
  let successful = 0;
  for (const n of indices) {
    const s = typeof n === "string" ? cluster.shard(n)! : n;
    const shards = Number(s.setting("index.number_of_shards"));
    total += shards * (1 + replicasOf(s));
    if (!gone.has(s)) successful += shards;
  }
  return { total, successful, failed: 0 };
}
