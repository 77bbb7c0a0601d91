/**
 * The promotion record and the quarantine record: what ccr-dr writes into an index mapping's
 * `_meta` (under `ccr_dr`). Failback checks lineage against it (providers/followerIndex/lineage.ts).
 *
 * The promotion record on a promoted index is the RPO record (how far replication had got) and
 * the lineage (which index on which cluster it was promoted from). Because a follower's mapping
 * is replicated from its leader, a promoted index can carry a *stale* record that came from its
 * leader; a record counts only when its `index_uuid` is the UUID of the index that carries it.
 */

/** Where a promoted index came from. */
export interface PromotedFrom {
  /** Alias of the old leader cluster on the promoted index's cluster. */
  remoteCluster: string;
  /** The old leader index name. */
  leaderIndex: string;
  /** UUID of the old leader index, when it was recorded at follow time. */
  leaderIndexUuid?: string;
  /** UUID of the old leader cluster, when it was recorded at follow time. */
  leaderClusterUuid?: string;
  /** Name of the old leader cluster, when it was recorded at follow time. */
  leaderClusterName?: string;
}

/** Checkpoints of one shard at promotion. */
export interface PromotionShard {
  shard: number;
  /** Every operation up to here was applied on the follower: the last replicated point. */
  globalCheckpoint: number;
  /** Highest sequence number the follower had applied (the last leader `_seq_no` applied). */
  maxSeqNo: number;
  /** Leader's global checkpoint as the follower last saw it (only if following was active). */
  leaderGlobalCheckpoint?: number;
  /** Leader's max sequence number as the follower last saw it (only if following was active). */
  leaderMaxSeqNo?: number;
}

/** The promotion record. */
export interface PromotionRecord {
  version: 1;
  /** The promoted index. */
  index: string;
  /** Its UUID: the record is about this index only. */
  indexUuid: string;
  /** Display name of the cluster it was promoted on. */
  cluster: string;
  promotedFrom: PromotedFrom;
  promotedAt: string;
  /** False when the index was found already promoted outside ccr-dr: failback then quarantines every document. */
  checkpointsKnown: boolean;
  shards: PromotionShard[];
  /** ccr-dr set `index.blocks.write` for the duration of the promotion and removes it at the end. */
  writeBlockAdded: boolean;
}

/** The quarantine record, on the quarantine index. */
export interface QuarantineRecord {
  version: 1;
  sourceIndex: string;
  sourceIndexUuid: string;
  sourceCluster: string;
  /** Documents of shard i with `_seq_no` above aboveSeqNo[i] were copied. */
  aboveSeqNo: number[];
  /** All divergent documents were copied. */
  complete: boolean;
  documents: number;
  createdAt: string;
}

/** The `_meta` key under which ccr-dr keeps its records. */
export const META_KEY = "ccr_dr";

type Wire = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
function obj(v: unknown): Wire | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Wire) : undefined;
}

/** The promotion record in `_meta` wire form (snake_case, like ES's own JSON). */
export function encodePromotion(r: PromotionRecord): Wire {
  const from: Wire = { remote_cluster: r.promotedFrom.remoteCluster, leader_index: r.promotedFrom.leaderIndex };
  if (r.promotedFrom.leaderIndexUuid) from["leader_index_uuid"] = r.promotedFrom.leaderIndexUuid;
  if (r.promotedFrom.leaderClusterUuid) from["leader_cluster_uuid"] = r.promotedFrom.leaderClusterUuid;
  if (r.promotedFrom.leaderClusterName) from["leader_cluster_name"] = r.promotedFrom.leaderClusterName;
  return {
    version: r.version,
    index: r.index,
    index_uuid: r.indexUuid,
    cluster: r.cluster,
    promoted_from: from,
    promoted_at: r.promotedAt,
    checkpoints_known: r.checkpointsKnown,
    shards: r.shards.map((s) => {
      const w: Wire = { shard: s.shard, global_checkpoint: s.globalCheckpoint, max_seq_no: s.maxSeqNo };
      if (s.leaderGlobalCheckpoint !== undefined) w["leader_global_checkpoint"] = s.leaderGlobalCheckpoint;
      if (s.leaderMaxSeqNo !== undefined) w["leader_max_seq_no"] = s.leaderMaxSeqNo;
      return w;
    }),
    write_block_added: r.writeBlockAdded,
  };
}

/**
 * The promotion record in an index's `_meta`, if there is one *about that index*
 * (`index_uuid` equal to `indexUuid`); records replicated from a leader are ignored.
 */
export function decodePromotion(meta: Record<string, unknown> | undefined, indexUuid: string): PromotionRecord | undefined {
  const w = obj(obj(obj(meta)?.[META_KEY])?.["promotion"]);
  if (!w || str(w["index_uuid"]) !== indexUuid || !indexUuid) return undefined;
  const from = obj(w["promoted_from"]) ?? {};
  const promotedFrom: PromotedFrom = { remoteCluster: str(from["remote_cluster"]) ?? "", leaderIndex: str(from["leader_index"]) ?? "" };
  const liu = str(from["leader_index_uuid"]);
  if (liu) promotedFrom.leaderIndexUuid = liu;
  const lcu = str(from["leader_cluster_uuid"]);
  if (lcu) promotedFrom.leaderClusterUuid = lcu;
  const lcn = str(from["leader_cluster_name"]);
  if (lcn) promotedFrom.leaderClusterName = lcn;
  const shards: PromotionShard[] = (Array.isArray(w["shards"]) ? (w["shards"] as unknown[]) : []).flatMap((s) => {
    const o = obj(s);
    const shard = num(o?.["shard"]);
    const gcp = num(o?.["global_checkpoint"]);
    const max = num(o?.["max_seq_no"]);
    if (!o || shard === undefined || gcp === undefined || max === undefined) return [];
    const out: PromotionShard = { shard, globalCheckpoint: gcp, maxSeqNo: max };
    const lg = num(o["leader_global_checkpoint"]);
    if (lg !== undefined) out.leaderGlobalCheckpoint = lg;
    const lm = num(o["leader_max_seq_no"]);
    if (lm !== undefined) out.leaderMaxSeqNo = lm;
    return [out];
  });
  shards.sort((a, b) => a.shard - b.shard);
  return {
    version: 1,
    index: str(w["index"]) ?? "",
    indexUuid,
    cluster: str(w["cluster"]) ?? "",
    promotedFrom,
    promotedAt: str(w["promoted_at"]) ?? "",
    checkpointsKnown: w["checkpoints_known"] === true && shards.length > 0,
    shards,
    writeBlockAdded: w["write_block_added"] === true,
  };
}

/** `_meta` with the promotion record set, every other key kept. */
export function metaWithPromotion(meta: Record<string, unknown> | undefined, r: PromotionRecord): Record<string, unknown> {
  const own = obj(obj(meta)?.[META_KEY]) ?? {};
  return { ...(meta ?? {}), [META_KEY]: { ...own, promotion: encodePromotion(r) } };
}

/** The quarantine record in `_meta` wire form. */
export function encodeQuarantine(r: QuarantineRecord): Wire {
  return {
    [META_KEY]: {
      quarantine: {
        version: r.version,
        source_index: r.sourceIndex,
        source_index_uuid: r.sourceIndexUuid,
        source_cluster: r.sourceCluster,
        above_seq_no: r.aboveSeqNo,
        complete: r.complete,
        documents: r.documents,
        created_at: r.createdAt,
      },
    },
  };
}

/** The quarantine record of a quarantine index's `_meta`, if any. */
export function decodeQuarantine(meta: Record<string, unknown> | undefined): QuarantineRecord | undefined {
  const w = obj(obj(obj(meta)?.[META_KEY])?.["quarantine"]);
  if (!w) return undefined;
  return {
    version: 1,
    sourceIndex: str(w["source_index"]) ?? "",
    sourceIndexUuid: str(w["source_index_uuid"]) ?? "",
    sourceCluster: str(w["source_cluster"]) ?? "",
    aboveSeqNo: (Array.isArray(w["above_seq_no"]) ? (w["above_seq_no"] as unknown[]) : []).map((v) => num(v) ?? -1),
    complete: w["complete"] === true,
    documents: num(w["documents"]) ?? 0,
    createdAt: str(w["created_at"]) ?? "",
  };
}

/**
 * The switchover record, on each index a planned switchover fences (the old primary's), written
 * before the fence and removed when the switchover ends — completed, aborted or interrupted. One
 * that stays says a switchover was killed (kill -9, a lost machine) with its fence in place; any
 * machine's `ccr-dr status` reads it from the cluster and shows the command that resolves it.
 * Like the promotion record, it counts only on the index whose UUID it names: the follower
 * receives a copy with its leader's mapping.
 */
export interface SwitchoverRecord {
  version: 1;
  /** The fenced index, and its UUID. */
  index: string;
  indexUuid: string;
  from: string;
  to: string;
  startedAt: string;
  /** Where the `ccr-dr switchover` runs: a record whose process is gone on its host is interrupted. */
  host: string;
  pid: number;
}

export function encodeSwitchover(r: SwitchoverRecord): Wire {
  return {
    version: r.version,
    index: r.index,
    index_uuid: r.indexUuid,
    from: r.from,
    to: r.to,
    started_at: r.startedAt,
    host: r.host,
    pid: r.pid,
  };
}

/** The switchover record about the index of UUID `indexUuid`, if its `_meta` has one. */
export function decodeSwitchover(meta: Record<string, unknown> | undefined, indexUuid: string): SwitchoverRecord | undefined {
  const w = obj(obj(obj(meta)?.[META_KEY])?.["switchover"]);
  if (!w || !indexUuid || str(w["index_uuid"]) !== indexUuid) return undefined;
  return {
    version: 1,
    index: str(w["index"]) ?? "",
    indexUuid,
    from: str(w["from"]) ?? "",
    to: str(w["to"]) ?? "",
    startedAt: str(w["started_at"]) ?? "",
    host: str(w["host"]) ?? "",
    pid: num(w["pid"]) ?? 0,
  };
}

/** `_meta` with the switchover record set (`r`) or removed (`undefined`), every other key kept. */
export function metaWithSwitchover(meta: Record<string, unknown> | undefined, r: SwitchoverRecord | undefined): Record<string, unknown> {
  const own = { ...(obj(obj(meta)?.[META_KEY]) ?? {}) };
  if (r) own["switchover"] = encodeSwitchover(r);
  else delete own["switchover"];
  return { ...(meta ?? {}), [META_KEY]: own };
}
