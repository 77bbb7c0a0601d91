/**
 * What a FollowerIndex change will do, in words, for `pulumi preview`: computed from the same
 * planners the execution runs (`planDelete`, `planEnsure`, plan.ts) over the world as read now,
 * with read-only calls only. Pulumi calls no provider for a resource it is about to delete, so a
 * failover's promotions can only be told by the program (stack/transition.ts logs these lines) and
 * by the removed resource's own inputs (`deleteMeans`, shown by `preview --diff` and `destroy --diff`).
 *
 * Every number here was read from a cluster now; what could not be read is said to be unknown,
 * with the reason.
 */
import { count, countSeqNoAbove } from "../../es/documents";
import { info } from "../../es/cluster";
import type { Es } from "../../es/connection";
import type { ShardSeqNo } from "../../es/indices";
import { messageOf } from "../shared/errors";
import { type LineageVerdict, verifyLineage } from "./lineage";
import { isPristinePromotion, planDelete, planEnsure, planWords, type Plan } from "./plan";
import type { FollowerIndexInputs, OnDelete } from "./types";
import { type FollowerWorld, type LocalIndex, readFollowerWorld, readLeaderView } from "./world";

/**
 * `deleteMeans`: what deleting the follower `index` on `cluster` does, from `planDelete` over an
 * active, open follower (the usual case; the delete re-plans from the world it then finds).
 */
export function deleteMeaning(p: {
  index: string;
  cluster: string;
  remoteCluster: string;
  leaderIndex: string;
  onDelete: OnDelete;
}): string {
  const world: FollowerWorld = {
    index: {
      uuid: "",
      open: true,
      writeBlocked: false,
      numberOfShards: 1,
      settings: {},
      follow: {
        followerIndex: p.index,
        remoteCluster: p.remoteCluster,
        leaderIndex: p.leaderIndex,
        status: "active",
        parameters: undefined,
      },
    },
  };
  // Pulumi's diff display cuts strings at 150 characters: the steps come first, names are on the resource.
  const ops = planWords(planDelete(world, p, p.cluster).ops);
  if (p.onDelete === "deleteIndex") return `DELETE the follower and its documents: ${ops}`;
  return `PROMOTE, not delete (documents kept): ${ops}`;
}

/** The old primary's side of a failover preview (stack/splitBrain.ts reads it). */
export type LeaderSeqNos = { readable: true; seqNos: ShardSeqNo[] } | { readable: false; reason: string };

/** The RPO estimate of one promotion: operations acknowledged on the leader that the follower has not applied. */
export type RpoEstimate =
  { kind: "exact"; operations: number } | { kind: "atLeast"; operations: number; reason: string } | { kind: "unknown"; reason: string };

/** The follower's max `_seq_no` per shard: from its own stats when open, else from its follow stats. */
function followerMaxSeqNos(i: LocalIndex): Map<number, number> | undefined {
  if (i.seqNos) return new Map(i.seqNos.map((s) => [s.shard, s.maxSeqNo]));
  if (i.followStats) return new Map(i.followStats.shards.map((s) => [s.shard, s.followerMaxSeqNo]));
  return undefined;
}

/**
 * (pure) Operations not replicated: Σ per shard (leader max `_seq_no` − follower max `_seq_no`)
 * with the leader read now; without it, the same from the leader's max `_seq_no` as the follower
 * last saw it, a lower bound (the leader may have taken more since).
 */
export function rpoEstimate(i: LocalIndex, leader: LeaderSeqNos): RpoEstimate {
  const follower = followerMaxSeqNos(i);
  if (!follower) return { kind: "unknown", reason: `the follower's sequence numbers could not be read` };
  if (leader.readable) {
    let ops = 0;
    for (const s of leader.seqNos) ops += Math.max(0, s.maxSeqNo - (follower.get(s.shard) ?? -1));
    return { kind: "exact", operations: ops };
  }
  if (!i.followStats) return { kind: "unknown", reason: `${leader.reason}, and the follower has no follow stats (paused)` };
  const lastSeen = i.followStats.shards.reduce((sum, s) => sum + Math.max(0, s.leaderMaxSeqNo - (follower.get(s.shard) ?? -1)), 0);
  return { kind: "atLeast", operations: lastSeen, reason: leader.reason };
}

function rpoWords(r: RpoEstimate, leaderCluster: string): string {
  if (r.kind === "exact")
    return `RPO estimate: ${r.operations} operation(s) acknowledged on ${leaderCluster} and not replicated (both read now)`;
  if (r.kind === "atLeast")
    return `RPO estimate: ≥ ${r.operations} operation(s) not replicated (as the follower last saw ${leaderCluster}), upper bound unknown: ${r.reason}`;
  return `RPO estimate: unknown: ${r.reason}`;
}

const docs = (n: number | undefined) => (n === undefined ? "document count unknown" : `${n} docs`);

/** (pure) The failover line of one index: the promotion plan, its lag and RPO estimate. */
export function failoverLine(f: {
  index: string;
  cluster: string;
  leader: string;
  leaderCluster: string;
  plan: Plan;
  local: LocalIndex;
  documents: number | undefined;
  leaderSeqNos: LeaderSeqNos;
}): string {
  const lag = f.local.followStats
    ? `replication lag ${f.local.followStats.globalCheckpointLag} operation(s) as the follower last saw ${f.leaderCluster}`
    : "replication lag unknown: the follower has no follow stats (paused)";
  return (
    `failover: PROMOTE "${f.index}" on ${f.cluster} (${docs(f.documents)}), follower of ${f.leader}, to a writable index: ` +
    `${planWords(f.plan.ops)}; ${lag}; ${rpoWords(rpoEstimate(f.local, f.leaderSeqNos), f.leaderCluster)}`
  );
}

/** Reads the follower `index` on `es` and returns its failover line, or undefined when it is not a follower (nothing to promote). */
export async function readFailoverLine(
  es: Es,
  p: { index: string; remoteCluster: string; leaderIndex: string; leaderCluster: string },
  leaderSeqNos: LeaderSeqNos,
): Promise<string | undefined> {
  return failoverLineOf(es, await readFollowerWorld(es, p.index), p, leaderSeqNos);
}

/** {@link readFailoverLine} from a world already read (readFollowerWorldList); reads the document count only. */
export async function failoverLineOf(
  es: Es,
  world: FollowerWorld,
  p: { index: string; remoteCluster: string; leaderIndex: string; leaderCluster: string },
  leaderSeqNos: LeaderSeqNos,
): Promise<string | undefined> {
  const local = world.index;
  if (!local?.follow) return undefined;
  const plan = planDelete(world, { ...p, onDelete: "promote" }, es.cluster);
  const documents = local.open ? await count(es, p.index).catch(() => undefined) : undefined;
  return failoverLine({
    index: p.index,
    cluster: es.cluster,
    leader: `${local.follow.remoteCluster}:${local.follow.leaderIndex}`,
    leaderCluster: p.leaderCluster,
    plan,
    local,
    documents,
    leaderSeqNos,
  });
}

/** What the failback preview of one index knows. */
export interface FailbackFacts {
  index: string;
  cluster: string;
  leader: string;
  local: LocalIndex | undefined;
  documents: number | undefined;
  /** The plan, or why planEnsure refuses, or why it cannot be made now. */
  plan: { ok: true; plan: Plan } | { ok: false; refused: string };
  /** Documents above the promotion checkpoint (what the quarantine copies); a reason when unknown. */
  divergent: number | string | undefined;
  /** Documents of the leader index (what the new follower copies); a reason when unknown. */
  leaderDocuments: number | string;
}

/** (pure) The failback line of one index. */
export function failbackLine(f: FailbackFacts): string {
  const { index, cluster } = f;
  const copy = typeof f.leaderDocuments === "number" ? `${f.leaderDocuments} docs to copy` : `docs to copy unknown: ${f.leaderDocuments}`;
  if (!f.plan.ok) return `failback: "${index}" on ${cluster} (${docs(f.documents)}) will NOT be replaced: ${f.plan.refused}`;
  const ops = f.plan.plan.ops;
  if (ops.length === 0) return `failback: "${index}" on ${cluster} already follows ${f.leader}: nothing to do`;
  const steps = planWords(ops);
  if (!f.local) return `follow: ${f.leader} into a new "${index}" on ${cluster} (${copy}): ${steps}`;
  const q = ops.find((o) => o.kind === "quarantine");
  const deletes = ops.some((o) => o.kind === "deleteIndex");
  const parts: string[] = [];
  if (ops.some((o) => o.kind === "fence" || (o.kind === "setWriteBlock" && o.blocked))) parts.push("FENCED (write block)");
  if (q && q.kind === "quarantine") {
    const m =
      typeof f.divergent === "number"
        ? `${f.divergent} divergent document(s)`
        : `divergent documents (count unknown: ${f.divergent ?? "not counted"})`;
    parts.push(`${m} (above the promotion checkpoint) QUARANTINED into ${q.quarantineIndex}`);
  }
  if (deletes) parts.push(`DELETED and re-followed from ${f.leader} (${copy})`);
  else parts.push(`re-followed from ${f.leader}`);
  const what = isPristinePromotion(f.local) ? " (a promoted copy that took no write since)" : "";
  return `failback: "${index}" on ${cluster} (${docs(f.documents)})${what} will be ${parts.join(", ")}: ${steps}`;
}

/**
 * Reads what a failback of `d.index` onto `es` will do, with `leader` the new primary (read only,
 * bounded by its connection's timeout), and returns its line; undefined when `d.index` already
 * follows its leader (nothing to say). `d.failback.quarantineIndex` may be a placeholder name.
 */
export async function readFailbackLine(
  es: Es,
  leader: Es,
  d: FollowerIndexInputs & { failback: { enabled: true; quarantineIndex: string } },
): Promise<string | undefined> {
  const world = await readFollowerWorld(es, d.index);
  const local = world.index;
  if (local?.follow && local.follow.remoteCluster === d.remoteCluster && local.follow.leaderIndex === d.leaderIndex && !local.fatalError)
    return undefined;
  const leaderName = `${d.remoteCluster}:${d.leaderIndex}`;
  const documents = local?.open ? await count(es, d.index).catch(() => undefined) : undefined;
  const leaderDocuments = await count(leader, d.leaderIndex).catch((e: unknown) => `${leader.cluster} could not be read (${firstLine(e)})`);
  let verdict: LineageVerdict | undefined;
  let divergent: number | string | undefined;
  let unreadable: string | undefined;
  if (local && !local.follow && !isPristinePromotion(local)) {
    try {
      const view = await readLeaderView(leader, d.leaderIndex);
      const here = await info(es);
      verdict = !view.index
        ? { ok: false, reason: `leader index "${d.leaderIndex}" does not exist on cluster "${leader.cluster}"` }
        : verifyLineage({
            record: view.index.promotion,
            leaderIndex: d.leaderIndex,
            leaderCluster: leader.cluster,
            localCluster: es.cluster,
            index: d.index,
            indexUuid: local.uuid,
            numberOfShards: local.numberOfShards,
            clusterUuid: here.clusterUuid,
          });
    } catch (e) {
      unreadable =
        `the new leader ${leader.cluster} could not be read (${firstLine(e)}), so lineage cannot be checked; ` +
        "`pulumi up` reads it first and changes nothing until it answers";
    }
    if (verdict?.ok) divergent = await countDivergent(es, d.index, verdict.thresholds).catch((e: unknown) => firstLine(e));
  }
  let plan: FailbackFacts["plan"];
  if (unreadable) plan = { ok: false, refused: unreadable };
  else {
    try {
      plan = { ok: true, plan: planEnsure(world, d, { verdict, cluster: es.cluster }) };
    } catch (e) {
      plan = { ok: false, refused: messageOf(e) };
    }
  }
  return failbackLine({ index: d.index, cluster: es.cluster, leader: leaderName, local, documents, plan, divergent, leaderDocuments });
}

/** Documents above the per-shard thresholds (the quarantine's selection); a refresh is not forced (read only), so the count is of what is searchable now. */
export async function countDivergent(es: Es, index: string, thresholds: number[]): Promise<number> {
  let total = 0;
  for (const [shard, above] of thresholds.entries())
    total += await countSeqNoAbove(es, index, { above, shard: thresholds.length > 1 ? shard : undefined });
  return total;
}

/** The cause of a failed read, without the client's "Likely fix" (which is about running a change, not a preview). */
function firstLine(e: unknown): string {
  return messageOf(e)
    .split("\n")[0]!
    .replace(/\. Likely fix: .*$/, "");
}
