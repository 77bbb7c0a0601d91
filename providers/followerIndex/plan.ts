/**
 * Pure planners for FollowerIndex: (world as read now, desired inputs) → ordered operations.
 * Every transition starts by reading the world, and every step is planned only when its effect
 * is not already there, so a run interrupted anywhere is finished by running it again
 * (crash windows are listed in docs/providers.md).
 */
import { canonicalFollowParameters, type FollowParameters } from "../../es/ccr";
import { ProviderError } from "../shared/errors";
import { deepEqual } from "../shared/util";
import type { PromotedFrom } from "../../es/records";
import type { LineageVerdict } from "./lineage";
import { FOLLOWER_ACTIVE_TIMEOUT_MS, type FollowerIndexInputs, type FollowerIndexOutputs } from "./types";
import type { FollowerWorld, LocalIndex } from "./world";

/** One step. Executed in order by `execute.ts`; each is a single idempotent Elasticsearch change. */
export type Op =
  | {
      kind: "follow";
      index: string;
      remoteCluster: string;
      leaderIndex: string;
      parameters?: FollowParameters | undefined;
      settings?: Record<string, string> | undefined;
      waitForActiveShards: string;
      /** Bound on the follow call itself (it returns once the restore is done). */
      timeoutMs: number;
    }
  | { kind: "waitActive"; index: string; timeoutMs: number }
  | { kind: "pause"; index: string }
  | { kind: "resume"; index: string; parameters?: FollowParameters | undefined }
  | { kind: "close"; index: string }
  | { kind: "open"; index: string }
  | { kind: "unfollow"; index: string }
  | { kind: "deleteIndex"; index: string; why: string }
  | { kind: "putSettings"; index: string; settings: Record<string, string | null> }
  /** The failback fence: `PUT /{index}/_block/write` on an open index. */
  | { kind: "fence"; index: string }
  /** `index.blocks.write` through the settings API, which also works while the index is closed. */
  | { kind: "setWriteBlock"; index: string; blocked: boolean }
  /** Keep the follower stats (leader checkpoints) for the promotion record; informational only. */
  | { kind: "captureFollowStats"; index: string }
  /** Write the promotion record into the mapping `_meta`; `exact` reads the checkpoints now (the index is write-blocked). */
  | { kind: "recordPromotion"; index: string; indexUuid: string; promotedFrom: PromotedFrom; checkpoints: "exact" | "unknown" }
  /** Copy documents above the per-shard thresholds into the quarantine index. */
  | { kind: "quarantine"; index: string; indexUuid: string; quarantineIndex: string; thresholds: number[] };

/** A plan: the steps, and warnings to show even when nothing fails. */
export interface Plan {
  ops: Op[];
  warnings: string[];
}

/** Words for one op, for progress and error messages. */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case "follow":
      return `follow ${op.remoteCluster}:${op.leaderIndex} into "${op.index}"`;
    case "waitActive":
      return `wait until "${op.index}" is actively following`;
    case "pause":
      return `pause following of "${op.index}"`;
    case "resume":
      return `resume following of "${op.index}"`;
    case "close":
      return `close "${op.index}"`;
    case "open":
      return `open "${op.index}"`;
    case "unfollow":
      return `unfollow "${op.index}" (convert it to a regular index)`;
    case "deleteIndex":
      return `delete "${op.index}" (${op.why})`;
    case "putSettings":
      return `update settings ${Object.keys(op.settings).join(", ")} of "${op.index}"`;
    case "fence":
      return `write-block "${op.index}" (fence)`;
    case "setWriteBlock":
      return `${op.blocked ? "set" : "remove"} the write block of "${op.index}"`;
    case "captureFollowStats":
      return `read the follower stats of "${op.index}"`;
    case "recordPromotion":
      return `record the promotion of "${op.index}" in its mapping _meta`;
    case "quarantine":
      return `copy divergent documents of "${op.index}" into "${op.quarantineIndex}"`;
  }
}

/** One op in a word or two, for a whole plan on one line ("pause → close → unfollow → open"): the previews (preview.ts); "" for a read. */
export function stepWords(op: Op): string {
  switch (op.kind) {
    case "follow":
      return `follow ${op.remoteCluster}:${op.leaderIndex}`;
    case "waitActive":
      return "wait until active";
    case "pause":
    case "resume":
    case "close":
    case "open":
    case "unfollow":
    case "fence":
      return op.kind;
    case "deleteIndex":
      return "DELETE";
    case "putSettings":
      return `update settings ${Object.keys(op.settings).join(", ")}`;
    case "setWriteBlock":
      return op.blocked ? "write block" : "unblock";
    case "captureFollowStats":
      return "";
    case "recordPromotion":
      return op.checkpoints === "exact" ? "record promotion" : "record promotion (checkpoints unknown)";
    case "quarantine":
      return "quarantine";
  }
}

/** A plan's steps on one line (steps that change nothing, such as reading the follower stats, left out). */
export function planWords(ops: readonly Op[]): string {
  return ops
    .map(stepWords)
    .filter((w) => w !== "")
    .join(" → ");
}

function followOps(d: FollowerIndexInputs): Op[] {
  const ops: Op[] = [
    {
      kind: "follow",
      index: d.index,
      remoteCluster: d.remoteCluster,
      leaderIndex: d.leaderIndex,
      parameters: d.parameters,
      settings: d.settings,
      waitForActiveShards: d.waitForActiveShards,
      timeoutMs: d.activeTimeoutMs ?? FOLLOWER_ACTIVE_TIMEOUT_MS,
    },
    { kind: "waitActive", index: d.index, timeoutMs: d.activeTimeoutMs ?? FOLLOWER_ACTIVE_TIMEOUT_MS },
  ];
  if (d.status === "paused") ops.push({ kind: "pause", index: d.index });
  return ops;
}

/** Whether the follow parameters in force equal the desired ones (defaults filled in, sizes and times normalised). */
export function sameParameters(current: FollowParameters | undefined, desired: FollowParameters | undefined): boolean {
  if (current === undefined) return true;
  return deepEqual(canonicalFollowParameters(current), canonicalFollowParameters(desired));
}

/**
 * Settings to write so that the follower has the desired settings: changed or new keys, and
 * `null` for keys an earlier version of the inputs set and the new one dropped.
 */
export function settingsDelta(
  current: Record<string, unknown>,
  desired: Record<string, string> | undefined,
  previous: Record<string, string> | undefined,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(desired ?? {})) {
    const now = current[k];
    if (now === undefined || String(now) !== v) out[k] = v;
  }
  for (const k of Object.keys(previous ?? {})) {
    if (!(desired && k in desired) && current[k] !== undefined) out[k] = null;
  }
  return out;
}

/**
 * A plain index that ccr-dr itself promoted and that has taken no write since (every shard's
 * max `_seq_no` is still the recorded one): all its documents came from its old leader, so
 * replacing it with a new follower loses nothing. This is how a replaced follower (fatal
 * error, or a new leader) is re-created after its delete half promoted it.
 */
export function isPristinePromotion(i: LocalIndex): boolean {
  const r = i.ownPromotion;
  if (i.follow || !r || !r.checkpointsKnown || !i.seqNos) return false;
  if (i.seqNos.length !== r.shards.length) return false;
  return r.shards.every((s, k) => i.seqNos![k]!.shard === s.shard && i.seqNos![k]!.maxSeqNo === s.maxSeqNo);
}

/** Whether creating `d` over `world` needs the lineage verdict (and so the leader's promotion record). */
export function needsLineage(world: FollowerWorld, d: FollowerIndexInputs): boolean {
  const i = world.index;
  return i !== undefined && i.follow === undefined && !isPristinePromotion(i) && d.failback?.enabled === true;
}

/**
 * create and update: make the follower cluster hold `d.index` as a follower of
 * `d.remoteCluster:d.leaderIndex` in the desired state, from whatever is there now.
 *
 * - absent → follow, wait until active.
 * - follower of the same leader → adopt: open if closed, converge settings, parameters
 *   (pause + resume) and status; a fatal follower is re-created (its data is on the leader).
 * - follower of another leader → refuse.
 * - regular index → a pristine promotion of ours is replaced; otherwise refuse unless
 *   failback is enabled and lineage holds, then fence → quarantine → delete → follow.
 */
export function planEnsure(
  world: FollowerWorld,
  d: FollowerIndexInputs,
  ctx: { verdict?: LineageVerdict | undefined; previousSettings?: Record<string, string> | undefined; cluster: string },
): Plan {
  const i = world.index;
  if (!i) return { ops: followOps(d), warnings: [] };

  if (i.follow) {
    if (i.follow.remoteCluster !== d.remoteCluster || i.follow.leaderIndex !== d.leaderIndex) {
      throw new ProviderError(
        "follows_other_leader",
        `FollowerIndex "${d.index}" on cluster "${ctx.cluster}": the index already follows ${i.follow.remoteCluster}:${i.follow.leaderIndex}, ` +
          `not ${d.remoteCluster}:${d.leaderIndex}. Nothing was changed. Remove that follower first, or choose another follower index name.`,
      );
    }
    if (i.fatalError) {
      return {
        ops: [
          { kind: "pause", index: d.index },
          { kind: "deleteIndex", index: d.index, why: "re-create a follower stopped by a fatal error" },
          ...followOps(d),
        ],
        warnings: [`follower "${d.index}" had stopped with a fatal error (${i.fatalError}); it is re-created from the leader.`],
      };
    }
    const ops: Op[] = [];
    if (!i.open) ops.push({ kind: "open", index: d.index });
    const delta = settingsDelta(i.settings, d.settings, ctx.previousSettings);
    if (Object.keys(delta).length > 0) ops.push({ kind: "putSettings", index: d.index, settings: delta });
    const wait: Op = { kind: "waitActive", index: d.index, timeoutMs: d.activeTimeoutMs ?? FOLLOWER_ACTIVE_TIMEOUT_MS };
    if (i.follow.status === "active") {
      if (d.status === "paused") ops.push({ kind: "pause", index: d.index });
      else if (!sameParameters(i.follow.parameters, d.parameters)) {
        ops.push({ kind: "pause", index: d.index }, { kind: "resume", index: d.index, parameters: d.parameters }, wait);
      }
    } else if (d.status === "active") {
      ops.push({ kind: "resume", index: d.index, parameters: d.parameters }, wait);
    }
    return { ops, warnings: [] };
  }

  if (isPristinePromotion(i)) {
    return {
      ops: [
        { kind: "deleteIndex", index: d.index, why: "replace a promoted copy that has taken no write since its promotion" },
        ...followOps(d),
      ],
      warnings: [],
    };
  }
  if (d.failback?.enabled !== true) {
    throw new ProviderError(
      "index_exists",
      `FollowerIndex "${d.index}" on cluster "${ctx.cluster}": a regular (non-follower) index with this name exists and may hold writes that ` +
        `never reached ${d.remoteCluster}:${d.leaderIndex}. Nothing was changed. To fail back onto this cluster, set ` +
        "failback: { enabled: true, quarantineIndex: <unique name> } and leaderConnection; ccr-dr then checks the leader's promotion record, " +
        "quarantines divergent documents and replaces the index.",
    );
  }
  const v = ctx.verdict;
  if (!v) throw new Error(`Internal error: failback of "${d.index}" planned without a lineage verdict`);
  if (!v.ok) {
    throw new ProviderError(
      "lineage_refused",
      `FollowerIndex "${d.index}" on cluster "${ctx.cluster}": failback refused: ${v.reason}. Nothing was changed. ` +
        "Check that remoteCluster/leaderIndex name the index that was promoted from this one; if this index really is to be discarded, " +
        "snapshot or reindex it and delete it by hand.",
    );
  }
  const q = world.quarantine;
  const qIndex = d.failback.quarantineIndex;
  const quarantineDone = q?.record?.complete === true && q.record.sourceIndexUuid === i.uuid;
  if (q?.exists && !(q.record && q.record.sourceIndexUuid === i.uuid)) {
    throw new ProviderError(
      "quarantine_failed",
      `FollowerIndex "${d.index}" on cluster "${ctx.cluster}": quarantine index "${qIndex}" already exists and does not belong to this ` +
        `failback (it is not a ccr-dr quarantine of index UUID ${i.uuid}). Nothing was changed. Choose a new failback.quarantineIndex.`,
    );
  }
  const ops: Op[] = [];
  if (!i.writeBlocked) ops.push(i.open ? { kind: "fence", index: d.index } : { kind: "setWriteBlock", index: d.index, blocked: true });
  if (!i.open) ops.push({ kind: "open", index: d.index });
  if (!quarantineDone)
    ops.push({ kind: "quarantine", index: d.index, indexUuid: i.uuid, quarantineIndex: qIndex, thresholds: v.thresholds });
  ops.push(
    { kind: "deleteIndex", index: d.index, why: "the stale old leader, after quarantining its divergent documents" },
    ...followOps(d),
  );
  return { ops, warnings: [] };
}

/**
 * delete: promote the follower (default) or delete it (`onDelete: "deleteIndex"`).
 *
 * Promotion is pause → close → unfollow → write-block (while closed) → open → record → unblock.
 * The promotion record cannot be written before the pause: ES refuses mapping updates on any
 * follower, paused or not (403, docs/providers.md, "Facts"). Setting the write block
 * while the index is still closed makes the checkpoints read after opening exactly the last
 * replicated ones, and keeps clients out until the record is written.
 */
export function planDelete(
  world: FollowerWorld,
  p: Pick<FollowerIndexOutputs, "index" | "remoteCluster" | "leaderIndex" | "onDelete" | "leaderIdentity">,
  cluster: string,
): Plan {
  const i = world.index;
  if (!i)
    return {
      ops: [],
      warnings: [
        `index "${p.index}" no longer exists on cluster "${cluster}"; nothing to ${p.onDelete === "deleteIndex" ? "delete" : "promote"}.`,
      ],
    };
  const ours = i.follow !== undefined && i.follow.remoteCluster === p.remoteCluster && i.follow.leaderIndex === p.leaderIndex;
  if (i.follow && !ours) {
    return {
      ops: [],
      warnings: [
        `index "${p.index}" now follows ${i.follow.remoteCluster}:${i.follow.leaderIndex}, not ${p.remoteCluster}:${p.leaderIndex}; left unchanged.`,
      ],
    };
  }
  if (p.onDelete === "deleteIndex") {
    if (!i.follow) {
      return { ops: [], warnings: [`index "${p.index}" is no longer a follower (it may hold writes); it was not deleted.`] };
    }
    const ops: Op[] = [];
    if (i.follow.status === "active") ops.push({ kind: "pause", index: p.index });
    ops.push({ kind: "deleteIndex", index: p.index, why: 'onDelete: "deleteIndex"' });
    return { ops, warnings: [] };
  }
  const promotedFrom: PromotedFrom = { remoteCluster: p.remoteCluster, leaderIndex: p.leaderIndex };
  if (p.leaderIdentity) {
    promotedFrom.leaderIndexUuid = p.leaderIdentity.indexUuid;
    promotedFrom.leaderClusterUuid = p.leaderIdentity.clusterUuid;
    promotedFrom.leaderClusterName = p.leaderIdentity.clusterName;
  }
  const record = (checkpoints: "exact" | "unknown"): Op => ({
    kind: "recordPromotion",
    index: p.index,
    indexUuid: i.uuid,
    promotedFrom,
    checkpoints,
  });
  const block: Op = { kind: "setWriteBlock", index: p.index, blocked: true };
  const unblock: Op = { kind: "setWriteBlock", index: p.index, blocked: false };
  const open: Op = { kind: "open", index: p.index };

  if (i.follow) {
    const ops: Op[] = [];
    if (i.follow.status === "active") ops.push({ kind: "captureFollowStats", index: p.index }, { kind: "pause", index: p.index });
    if (i.open) ops.push({ kind: "close", index: p.index });
    ops.push({ kind: "unfollow", index: p.index });
    if (!i.writeBlocked) ops.push(block);
    ops.push(open, record("exact"), unblock);
    return { ops, warnings: [] };
  }
  // A regular index: a promotion of ours interrupted after unfollow, or one done outside ccr-dr.
  if (i.ownPromotion) {
    const ops: Op[] = [];
    if (!i.open) ops.push(open);
    if (i.writeBlocked && i.ownPromotion.writeBlockAdded) ops.push(unblock);
    return { ops, warnings: [] };
  }
  if (!i.open) return { ops: [...(i.writeBlocked ? [] : [block]), open, record("exact"), unblock], warnings: [] };
  if (i.writeBlocked) return { ops: [record("exact"), unblock], warnings: [] };
  return {
    ops: [record("unknown")],
    warnings: [
      `index "${p.index}" on cluster "${cluster}" had already been converted to a regular index outside ccr-dr; its promotion is recorded ` +
        "without checkpoints, so a later failback quarantines every document of the old leader index.",
    ],
  };
}
