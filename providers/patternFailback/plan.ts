/**
 * (pure) The failback of pattern-driven data: which indices of the new primary this site must
 * follow now. Elasticsearch's auto-follow skips every leader index that exists when a pattern is
 * created, so after a failback the mirrored patterns alone would leave the old primary's stale
 * copies (and the new primary's indices created since the failover) unfollowed: each existing
 * matching index is followed here, through the FollowerIndex path (a stale copy: fence → lineage
 * check → quarantine → delete → follow; an absent one: follow; a follower of it already: adopt).
 *
 * A data stream of the new primary that a pattern matches is failed back as a whole
 * (`planStreamFailback`): ES adds a followed backing index only to a local stream that is
 * replicated (TransportPutFollowAction.updateLocalDataStream), so a stale local stream cannot take
 * followers index by index. Its backing indices are fenced, the documents of each that never
 * reached the new primary quarantined (one quarantine index per backing index,
 * `<quarantineName>-<backing index>`), then the stream is deleted and every backing index of the
 * new primary followed in name order with `data_stream_name`, which rebuilds it as a replicated stream.
 */
import { ProviderError } from "../shared/errors";
import type { FollowerWorld } from "../followerIndex/world";
import type { LineageVerdict } from "../followerIndex/lineage";

/** One auto-follow pattern as the configuration gives it (stack/config.ts). */
export interface PatternSpec {
  name: string;
  leaderIndexPatterns: string[];
  leaderIndexExclusionPatterns?: string[] | undefined;
  followIndexPattern?: string | undefined;
}

export interface FailbackTarget {
  /** Alias of the new primary on this cluster. */
  remoteCluster: string;
  patterns: PatternSpec[];
  /** The declared pairs' local indices: their FollowerIndex resources fail them back. */
  declaredIndices: string[];
  /** This failback's generated quarantine name (QuarantineName): `<name>-<index>` per index. */
  quarantineName: string;
}

/** The new primary's indices and data streams. */
export interface LeaderListing {
  indices: string[];
  streams: Array<{ name: string; indices: string[] }>;
}

export type Op =
  | { kind: "follow"; index: string; leaderIndex: string; pattern: string; quarantineIndex: string }
  /** Write-block a backing index of a stale local stream (`PUT /<index>/_block/write`; a closed one: the setting, then open). */
  | { kind: "fenceBacking"; stream: string; index: string; open: boolean }
  /** Copy the backing index's documents above the per-shard thresholds into its quarantine index, and mark it complete. */
  | {
      kind: "quarantineBacking";
      stream: string;
      index: string;
      indexUuid: string;
      quarantineIndex: string;
      thresholds: number[];
      /** Which documents are divergent, in words (the lineage verdict). */
      why: string;
    }
  /** `DELETE /_data_stream/<stream>`: the stale stream and its backing indices, every divergent document quarantined. */
  | { kind: "deleteStream"; stream: string; indices: string[] }
  /** `PUT /<index>/_ccr/follow` with `data_stream_name`: the backing index joins (or starts) the replicated local stream. */
  | { kind: "followBacking"; stream: string; index: string; pattern: string }
  /** A paused follower backing index of the replicated local stream: resume it. */
  | { kind: "resumeBacking"; stream: string; index: string };

/** The local side of one data stream of the new primary, as streamWorld.ts reads it. */
export interface LocalStream {
  name: string;
  /** The local stream, when there is one. */
  stream?: { replicated: boolean; indices: string[] } | undefined;
  /** Per local index named like a backing index of either stream: the FollowerIndex world (its quarantine index read too, when known). */
  indices: Record<string, FollowerWorld>;
  /** Per non-follower local backing index: which of its documents the new primary lacks (the lineage verdict). */
  divergence: Record<string, { thresholds: number[]; why: string }>;
}

export interface Plan {
  ops: Op[];
  warnings: string[];
  /** The new primary's data streams a pattern matches (each failed back by `planStreamFailback`). */
  streams: string[];
}

export function describeOp(op: Op): string {
  switch (op.kind) {
    case "follow":
      return `follow ${op.leaderIndex} into "${op.index}" (pattern "${op.pattern}"; a stale local copy is fenced, checked, quarantined into "${op.quarantineIndex}" and replaced)`;
    case "fenceBacking":
      return `write-block "${op.index}" (backing index of stale data stream "${op.stream}", fence)`;
    case "quarantineBacking":
      return `copy the documents of "${op.index}" (data stream "${op.stream}") that ${op.why} into "${op.quarantineIndex}"`;
    case "deleteStream":
      return `delete the stale data stream "${op.stream}" and its ${op.indices.length} backing index(es) (every divergent document quarantined)`;
    case "followBacking":
      return `follow backing index "${op.index}" into data stream "${op.stream}" (pattern "${op.pattern}")`;
    case "resumeBacking":
      return `resume following of backing index "${op.index}" (data stream "${op.stream}")`;
  }
}

/** Elasticsearch's `Regex.simpleMatch`: `*` matches any run of characters, nothing else is special. */
export function simpleMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(name);
}

/** The same rule as `quarantineIndexFor` (providers/quarantineName/resource.ts, program side): `<name>-<index>`, cut to 255 bytes. */
export function quarantineIndexOf(name: string, index: string): string {
  let out = `${name}-${index}`;
  while (Buffer.byteLength(out, "utf8") > 255) out = out.slice(0, -1);
  return out;
}

/** The pattern that follows `name` (ES's `AutoFollowPattern.match` on an index name), if any. */
function patternOf(patterns: readonly PatternSpec[], name: string): PatternSpec | undefined {
  return patterns.find(
    (p) =>
      p.leaderIndexPatterns.some((x) => simpleMatch(x, name)) && !(p.leaderIndexExclusionPatterns ?? []).some((x) => simpleMatch(x, name)),
  );
}

/**
 * (pure) The follows this failback makes: one per matching index of the new primary, in name
 * order, then the failback of each matching data stream (in name order) whose local side
 * `locals` gives; a matching stream without one is only listed in `streams` (the caller reads it).
 */
export function planPatternFailback(
  leader: LeaderListing,
  t: FailbackTarget,
  locals: Readonly<Record<string, LocalStream>> = {},
  cluster?: string,
): Plan {
  const backing = new Set(leader.streams.flatMap((s) => s.indices));
  const declared = new Set(t.declaredIndices);
  const ops: Op[] = [];
  for (const leaderIndex of [...leader.indices].sort()) {
    if (backing.has(leaderIndex)) continue;
    const p = patternOf(t.patterns, leaderIndex);
    if (!p) continue;
    const index = p.followIndexPattern ? p.followIndexPattern.split("{{leader_index}}").join(leaderIndex) : leaderIndex;
    if (declared.has(index)) continue;
    ops.push({ kind: "follow", index, leaderIndex, pattern: p.name, quarantineIndex: quarantineIndexOf(t.quarantineName, index) });
  }
  const matching = leader.streams.filter((s) => patternOf(t.patterns, s.name)).sort((a, b) => cmp(a.name, b.name));
  const warnings: string[] = [];
  for (const s of matching) {
    const local = locals[s.name];
    if (!local) continue;
    const p = planStreamFailback(s, local, {
      remoteCluster: t.remoteCluster,
      quarantineName: t.quarantineName,
      pattern: patternOf(t.patterns, s.name)!.name,
      ...(cluster !== undefined ? { cluster } : {}),
    });
    ops.push(...p.ops);
    warnings.push(...p.warnings);
  }
  return { ops, warnings, streams: matching.map((s) => s.name) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * (pure) Which documents of a stale local backing index the new primary lacks: those above the
 * promotion checkpoints of the new primary's backing index of the same name when the lineage
 * check proves it was promoted from this one; all of them when the new primary has no such index
 * (`verdict` undefined), when lineage is not proven, or when the local index was created at or
 * after that promotion. The last case is a later index of the same name (a client writing into the
 * old primary re-created the stream from its template): a pattern's promotion record names the old
 * primary by cluster UUID only (docs/known-gaps.md), which such an index would pass.
 */
export function divergenceOf(
  leaderCluster: string,
  local: { numberOfShards: number; creationDate: number | undefined },
  verdict: LineageVerdict | undefined,
): { thresholds: number[]; why: string } {
  const all = Array.from({ length: local.numberOfShards }, () => -1);
  if (!verdict) return { thresholds: all, why: `${leaderCluster} lacks (it has no backing index of that name): all of them` };
  if (!verdict.ok) return { thresholds: all, why: `${leaderCluster} cannot be shown to have (${verdict.reason}): all of them` };
  const promotedAt = Date.parse(verdict.record.promotedAt);
  if (local.creationDate !== undefined && Number.isFinite(promotedAt) && local.creationDate >= promotedAt)
    return {
      thresholds: all,
      why:
        `${leaderCluster} cannot have (the local index was created at ${new Date(local.creationDate).toISOString()}, after ${leaderCluster} ` +
        `promoted its copy at ${verdict.record.promotedAt}: a later index of the same name): all of them`,
    };
  if (verdict.thresholds.every((t) => t < 0))
    return {
      thresholds: verdict.thresholds,
      why: `${leaderCluster} cannot be shown to have (its promotion recorded no checkpoints): all of them`,
    };
  return { thresholds: verdict.thresholds, why: `were written after its last operation replicated to ${leaderCluster}` };
}

/**
 * (pure) The failback of one data stream of the new primary (`leader`: its backing indices) onto
 * this site, from what this site holds now (`local`). Each step is planned only when its effect
 * is missing, so a run interrupted anywhere is finished by running it again:
 *
 * - no local stream: follow each backing index of the new primary, in name order (an index of that
 *   name already following it — a run interrupted after its follow — is adopted);
 * - a replicated local stream: follow the backing indices it lacks, resume paused ones, adopt the rest;
 * - a stale local stream (not replicated: the old primary's): fence every backing index that is not a
 *   follower, quarantine the documents of each that the new primary lacks (skipped when its
 *   quarantine is complete), delete the stream, then follow as for no local stream.
 */
export function planStreamFailback(
  leader: { name: string; indices: string[] },
  local: LocalStream,
  t: { remoteCluster: string; quarantineName: string; pattern: string; cluster?: string },
): { ops: Op[]; warnings: string[] } {
  const stream = leader.name;
  const here = t.cluster !== undefined ? `cluster "${t.cluster}"` : "this cluster";
  const ops: Op[] = [];
  const warnings: string[] = [];
  const wanted = [...leader.indices].sort(cmp);
  const follows = (index: string) => {
    const f = local.indices[index]?.index?.follow;
    return f !== undefined && f.remoteCluster === t.remoteCluster && f.leaderIndex === index;
  };
  /** `present`: the local stream's indices; `deleted`: the stale stream's, gone by the time the follows run. */
  const followAll = (present: ReadonlySet<string>, deleted: ReadonlySet<string> = new Set()) => {
    for (const index of wanted) {
      const i = deleted.has(index) ? undefined : local.indices[index]?.index;
      if (i && present.has(index) && follows(index)) {
        if (i.follow!.status === "paused") ops.push({ kind: "resumeBacking", stream, index });
        else if (i.fatalError)
          warnings.push(
            `backing index "${index}" of data stream "${stream}" stopped with a fatal error (${i.fatalError}); resolve it by hand.`,
          );
        continue;
      }
      if (i) {
        throw new ProviderError(
          "index_exists",
          `PatternFailback on ${here}: index "${index}" exists outside data stream "${stream}"${i.follow ? ` and follows ${i.follow.remoteCluster}:${i.follow.leaderIndex}` : ""}, ` +
            `so backing index "${index}" of ${t.remoteCluster} cannot be followed into the stream. Nothing was changed. ` +
            `Snapshot or reindex "${index}" if it holds data, delete it, then re-run.`,
        );
      }
      ops.push({ kind: "followBacking", stream, index, pattern: t.pattern });
    }
  };

  if (!local.stream) {
    followAll(new Set());
    return { ops, warnings };
  }
  if (local.stream.replicated) {
    const extra = local.stream.indices.filter((i) => !wanted.includes(i));
    if (extra.length > 0)
      warnings.push(
        `replicated data stream "${stream}" on ${here} has backing index(es) ${extra.map((i) => `"${i}"`).join(", ")} that ${t.remoteCluster} no longer has; left as they are.`,
      );
    followAll(new Set(local.stream.indices));
    return { ops, warnings };
  }

  // A stale stream: fence, quarantine, all before the delete.
  const stale = [...local.stream.indices].sort(cmp);
  for (const index of stale) {
    const i = local.indices[index]?.index;
    if (!i || i.follow) continue; // a follower's documents are its leader's
    if (!i.writeBlocked) ops.push({ kind: "fenceBacking", stream, index, open: i.open });
    else if (!i.open) ops.push({ kind: "fenceBacking", stream, index, open: false });
  }
  for (const index of stale) {
    const w = local.indices[index];
    const i = w?.index;
    if (!i || i.follow) continue;
    const quarantineIndex = quarantineIndexOf(t.quarantineName, index);
    const q = w.quarantine;
    if (q?.exists && !(q.record && q.record.sourceIndexUuid === i.uuid)) {
      throw new ProviderError(
        "quarantine_failed",
        `PatternFailback on ${here}: quarantine index "${quarantineIndex}" already exists and is not a ccr-dr quarantine of backing index "${index}" ` +
          `(UUID ${i.uuid}) of data stream "${stream}". Nothing was changed. Delete or rename it, or let a new failback generate a new quarantine name.`,
      );
    }
    if (q?.record?.complete === true && q.record.sourceIndexUuid === i.uuid) continue;
    const d = local.divergence[index];
    if (!d) throw new Error(`Internal error: no lineage verdict for backing index "${index}" of data stream "${stream}"`);
    ops.push({ kind: "quarantineBacking", stream, index, indexUuid: i.uuid, quarantineIndex, thresholds: d.thresholds, why: d.why });
  }
  ops.push({ kind: "deleteStream", stream, indices: stale });
  followAll(new Set(), new Set(stale));
  return { ops, warnings };
}

/**
 * (pure) The preview's line per data stream the plan changes, in the order the plan runs them:
 * what the failback of each stream will do (fence, quarantine, delete, follow N backing indices).
 */
export function streamLines(
  plan: Plan,
  cluster: string,
  leaderCluster: string,
  locals: Readonly<Record<string, LocalStream>>,
  /** Per backing index to quarantine: how many documents it will copy, or why that is unknown. */
  divergent: Readonly<Record<string, number | string>> = {},
): string[] {
  const byStream = new Map<string, Op[]>();
  for (const op of plan.ops) if (op.kind !== "follow") byStream.set(op.stream, [...(byStream.get(op.stream) ?? []), op]);
  const lines: string[] = [];
  const n = (k: number, what: string) => `${k} ${k === 1 ? what : what.replace(/index$/, "indices")}`;
  for (const [stream, ops] of byStream) {
    const count = (kind: Op["kind"]) => ops.filter((o) => o.kind === kind).length;
    const follow = ops.filter((o): o is Extract<Op, { kind: "followBacking" }> => o.kind === "followBacking");
    const steps: string[] = [];
    if (count("fenceBacking") > 0) steps.push(`FENCE ${n(count("fenceBacking"), "backing index")} (write block)`);
    const q = ops.filter((o): o is Extract<Op, { kind: "quarantineBacking" }> => o.kind === "quarantineBacking");
    if (q.length > 0) {
      const counted = q.map((o) => divergent[o.index]);
      const known = counted.every((c): c is number => typeof c === "number");
      const what = known
        ? `${counted.reduce((a, b) => a + b, 0)} document(s) ${leaderCluster} lacks`
        : `the documents ${leaderCluster} lacks (count unknown: ${counted.find((c) => typeof c !== "number") ?? "not counted"})`;
      // Name a quarantine index that will exist: the first of a backing index with divergent documents.
      const named = q.find((o) => (divergent[o.index] ?? 0) !== 0) ?? q[0]!;
      steps.push(
        `QUARANTINE ${what} from ${n(q.length, "backing index")} (into "${named.quarantineIndex}"` +
          `${q.length > 1 ? ": one quarantine index per backing index with any" : ""})`,
      );
    }
    const del = ops.find((o): o is Extract<Op, { kind: "deleteStream" }> => o.kind === "deleteStream");
    if (del) steps.push(`DELETE the stale data stream with its ${n(del.indices.length, "backing index")}`);
    if (follow.length > 0)
      steps.push(`FOLLOW ${n(follow.length, "backing index")} of ${leaderCluster} in name order into a replicated stream`);
    if (count("resumeBacking") > 0) steps.push(`RESUME ${n(count("resumeBacking"), "paused backing index")}`);
    const local = locals[stream]?.stream;
    const what = !local
      ? `is not on ${cluster}`
      : local.replicated
        ? `on ${cluster} is replicated from ${leaderCluster}`
        : `on ${cluster} is a stale copy (not replicated; ${n(local.indices.length, "backing index")})`;
    const pattern = follow[0]?.pattern;
    lines.push(`failback: data stream "${stream}" ${what}: ${steps.join(" → ")}${pattern ? ` (auto-follow pattern "${pattern}")` : ""}`);
  }
  return lines;
}
