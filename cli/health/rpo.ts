/**
 * The honest RPO of `ccr-dr plan --to X`, per index pair, read from the clusters:
 *
 * - failover (X follows the other cluster now): the operations X would lose if promoted now, the
 *   leader's max_seq_no minus X's global checkpoint, read from the leader; when the leader cannot be
 *   read, a lower bound from X's last view of it ("≥ N, upper bound unknown").
 * - failback (X is primary, the other cluster holds the stale old index): the documents of the stale
 *   index above the promotion checkpoint, counted exactly as the failback's quarantine will pick
 *   them (lineage thresholds of providers/followerIndex/lineage.ts, `_seq_no` above each shard's
 *   threshold: es/documents.ts), and the documents the new follower will copy from X.
 */
import { ccrFollowInfo } from "../../es/ccr";
import { info } from "../../es/cluster";
import { close, type Es } from "../../es/connection";
import { count, countSeqNoAbove } from "../../es/documents";
import { indicesGet } from "../../es/indices";
import { decodePromotion } from "../../es/records";
import { verifyLineage } from "../../providers/followerIndex/lineage";
import type { ClusterConfig, ClusterName } from "../../stack/config";
import { probe as probeCluster, shortReason } from "../status";
import type { Sites } from "../workspace";
import { lagOf } from "../../stack/health/classify";
import { observeFollower, readRemotes } from "../../stack/health/observe";

/** Per index pair, on the target cluster. A number is absent when it is not known. */
export interface RpoIndex {
  /** The index on the target cluster. */
  index: string;
  /** The target cluster. */
  cluster: ClusterName;
  /** `failover`: the target's follower would be promoted; `failback`: the other side's stale index is replaced; `none`: nothing to lose or replace. */
  kind: "failover" | "failback" | "none";
  /** `cluster:index` the operations or documents come from. */
  leader?: string;
  /** Failover: operations the target has not applied, read from the leader. */
  lagOperations?: number;
  /** Failover: lower bound when the leader could not be read. */
  operationsAtLeast?: number;
  /** Failback: documents of the stale index above the promotion checkpoint (what is quarantined). */
  quarantineDocuments?: number;
  /** Failback: documents the new follower copies from the new leader. */
  copyDocuments?: number;
  /** Failback: per shard of the stale index, the `_seq_no` above which documents are divergent. */
  thresholds?: number[];
  unknownReason?: string;
}

export interface RpoEstimate {
  /** Σ operations a failover loses; present only when known for every index. */
  operations?: number;
  /** When some are not known: at least this many. */
  operationsAtLeast?: number;
  /** Why the total is not known. */
  unknownReason?: string;
  /** Σ documents a failback quarantines; present only when known for every index. */
  quarantineDocuments?: number;
  /** Σ documents a failback copies; present only when known for every index. */
  copyDocuments?: number;
  indices: RpoIndex[];
}

const other = (c: ClusterName): ClusterName => (c === "clusterA" ? "clusterB" : "clusterA");
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A connection to `c` once it answered, or why not in short. */
async function probe(c: ClusterConfig): Promise<Es | { unreachable: string }> {
  const r = await probeCluster(c);
  return "unreachable" in r ? { unreachable: shortReason(r.unreachable) } : r;
}

/** Totals from the per-index numbers (pure): a total only when every part is known. */
export function summarizeRpo(indices: RpoIndex[]): RpoEstimate {
  const out: RpoEstimate = { indices };
  const failovers = indices.filter((i) => i.kind === "failover");
  const failbacks = indices.filter((i) => i.kind === "failback");
  const reasons = indices.flatMap((i) => (i.unknownReason ? [`${i.cluster} ${i.index}: ${i.unknownReason}`] : []));
  if (failovers.length === 0) {
    // nothing is promoted: no operation can be lost by this plan
  } else if (failovers.every((i) => i.lagOperations !== undefined)) out.operations = failovers.reduce((s, i) => s + i.lagOperations!, 0);
  else out.operationsAtLeast = failovers.reduce((s, i) => s + (i.lagOperations ?? i.operationsAtLeast ?? 0), 0);
  if (failbacks.length > 0) {
    if (failbacks.every((i) => i.quarantineDocuments !== undefined))
      out.quarantineDocuments = failbacks.reduce((s, i) => s + i.quarantineDocuments!, 0);
    if (failbacks.every((i) => i.copyDocuments !== undefined)) out.copyDocuments = failbacks.reduce((s, i) => s + i.copyDocuments!, 0);
  }
  if (reasons.length > 0) out.unknownReason = reasons.join("; ");
  return out;
}

async function failoverIndex(
  target: Es,
  leader: Es | { unreachable: string },
  to: ClusterName,
  from: ClusterName,
  pair: Record<ClusterName, string>,
  stack: string,
): Promise<RpoIndex> {
  const base: RpoIndex = { index: pair[to], cluster: to, kind: "failover", leader: `${from}:${pair[from]}` };
  const o = await observeFollower({
    follower: target,
    leader,
    cluster: to,
    stack,
    index: pair[to],
    leaderCluster: from,
    leaderIndex: pair[from],
    remotes: await readRemotes(target),
  });
  if (o.followerError !== undefined) return { ...base, unknownReason: o.followerError };
  if (!o.exists) return { ...base, kind: "none", unknownReason: `${pair[to]} does not exist on ${to}: there is nothing to promote` };
  if (!o.follow) return { ...base, kind: "none" }; // already a regular index: promoting it loses nothing more
  const lag = lagOf(o);
  return {
    ...base,
    ...(lag.operations !== undefined ? { lagOperations: lag.operations } : {}),
    ...(lag.operations === undefined ? { operationsAtLeast: lag.operationsAtLeast ?? 0 } : {}),
    ...(lag.operations === undefined && lag.unknownReason ? { unknownReason: lag.unknownReason } : {}),
  };
}

async function failbackIndex(
  primary: Es,
  stale: Es | { unreachable: string },
  to: ClusterName,
  from: ClusterName,
  pair: Record<ClusterName, string>,
): Promise<RpoIndex> {
  const base: RpoIndex = { index: pair[to], cluster: to, kind: "failback", leader: `${to}:${pair[to]}` };
  try {
    const leaderDesc = await indicesGet(primary, pair[to]);
    if (!leaderDesc) return { ...base, unknownReason: `${pair[to]} does not exist on ${to}: nothing to fail back to` };
    const copyDocuments = await count(primary, pair[to]).catch(() => undefined);
    const copy = copyDocuments !== undefined ? { copyDocuments } : {};
    if (!("client" in stale)) return { ...base, ...copy, unknownReason: `${stale.unreachable}: the stale ${pair[from]} cannot be counted` };
    const staleDesc = await indicesGet(stale, pair[from]);
    if (!staleDesc) return { ...base, ...copy, quarantineDocuments: 0 }; // nothing stale: the follower is created fresh
    if (await ccrFollowInfo(stale, pair[from])) return { ...base, kind: "none" }; // already follows: no failback to do
    const staleCluster = await info(stale);
    const verdict = verifyLineage({
      record: decodePromotion(leaderDesc.meta, leaderDesc.uuid),
      leaderIndex: pair[to],
      leaderCluster: to,
      localCluster: from,
      index: pair[from],
      indexUuid: staleDesc.uuid,
      numberOfShards: staleDesc.numberOfShards,
      clusterUuid: staleCluster.clusterUuid,
    });
    if (!verdict.ok) return { ...base, ...copy, unknownReason: `the failback will refuse before changing anything: ${verdict.reason}` };
    let quarantineDocuments = 0;
    for (const [shard, above] of verdict.thresholds.entries())
      quarantineDocuments += await countSeqNoAbove(stale, pair[from], { above, shard: verdict.thresholds.length > 1 ? shard : undefined });
    return { ...base, ...copy, quarantineDocuments, thresholds: verdict.thresholds };
  } catch (e) {
    return { ...base, unknownReason: message(e) };
  }
}

/** The RPO of making `to` the primary, read from both clusters (each as its own site's stack configures it). */
export async function estimateRpo(sites: Sites, to: ClusterName): Promise<RpoEstimate> {
  const from = other(to);
  const cfg = sites.site[to].config;
  const [target, source] = await Promise.all([probe(cfg.clusters[to]), probe(sites.site[from].config.clusters[from])]);
  try {
    const indices: RpoIndex[] = [];
    for (const pair of cfg.indices) {
      if (!("client" in target)) {
        indices.push({
          index: pair[to],
          cluster: to,
          kind: cfg.primary === to ? "failback" : "failover",
          unknownReason: target.unreachable,
        });
        continue;
      }
      indices.push(
        cfg.primary === to
          ? await failbackIndex(target, source, to, from, pair)
          : await failoverIndex(target, source, to, from, pair, sites.site[to].stack.name),
      );
    }
    return summarizeRpo(indices);
  } finally {
    await Promise.all([target, source].map((es) => ("client" in es ? close(es) : undefined)));
  }
}

/** The plan's RPO in words: known numbers, bounds as bounds, and why the rest is unknown. */
export function renderRpo(r: RpoEstimate): string[] {
  const lines: string[] = [];
  for (const i of r.indices) {
    const at = `${i.index} on ${i.cluster}`;
    if (i.kind === "failover") {
      lines.push(
        i.lagOperations !== undefined
          ? `RPO ${at}: ${i.lagOperations} operations of ${i.leader} not replicated (lost if promoted now)`
          : `RPO ${at}: ≥ ${i.operationsAtLeast ?? 0} operations of ${i.leader} not replicated, upper bound unknown: ${i.unknownReason ?? "not read"}`,
      );
    } else if (i.kind === "failback") {
      const q =
        i.quarantineDocuments !== undefined
          ? `${i.quarantineDocuments} document(s) of the stale index above the promotion checkpoint will be quarantined`
          : `documents to quarantine unknown`;
      const c = i.copyDocuments !== undefined ? `${i.copyDocuments} document(s) to copy from ${i.leader}` : "documents to copy unknown";
      lines.push(`failback ${at}: ${q}; ${c}${i.unknownReason ? ` (${i.unknownReason})` : ""}`);
    } else {
      lines.push(`${at}: nothing to lose or replace${i.unknownReason ? ` (${i.unknownReason})` : ""}`);
    }
  }
  if (r.operations !== undefined) lines.push(`estimated RPO: ${r.operations} operations not yet replicated`);
  else if (r.operationsAtLeast !== undefined)
    lines.push(`estimated RPO: ≥ ${r.operationsAtLeast} operations, upper bound unknown: ${r.unknownReason ?? "not read"}`);
  if (r.indices.some((i) => i.kind === "failback"))
    lines.push(
      `failback: ${r.quarantineDocuments ?? "unknown"} document(s) to quarantine, ${r.copyDocuments ?? "unknown"} to copy${r.quarantineDocuments === undefined || r.copyDocuments === undefined ? ` (${r.unknownReason ?? "not read"})` : ""}`,
    );
  return lines;
}
