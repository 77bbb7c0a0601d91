/**
 * (pure) The failback of pattern-driven data: which indices of the new primary this site must
 * follow now. Elasticsearch's auto-follow skips every leader index that exists when a pattern is
 * created, so after a failback the mirrored patterns alone would leave the old primary's stale
 * copies (and the new primary's indices created since the failover) unfollowed: each existing
 * matching index is followed here, through the FollowerIndex path (a stale copy: fence → lineage
 * check → quarantine → delete → follow; an absent one: follow; a follower of it already: adopt).
 */

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

export type Op = { kind: "follow"; index: string; leaderIndex: string; pattern: string; quarantineIndex: string };

export interface Plan {
  ops: Op[];
  warnings: string[];
  /** The new primary's data streams a pattern matches (not failed back: one warning each). */
  streams: string[];
}

export function describeOp(op: Op): string {
  return `follow ${op.leaderIndex} into "${op.index}" (pattern "${op.pattern}"; a stale local copy is fenced, checked, quarantined into "${op.quarantineIndex}" and replaced)`;
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

/** (pure) The follows this failback makes: one per matching index of the new primary, in name order. */
export function planPatternFailback(leader: LeaderListing, t: FailbackTarget): Plan {
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
  const streams = leader.streams.filter((s) => patternOf(t.patterns, s.name)).map((s) => s.name);
  const warnings = streams.map(
    (s) =>
      `data stream "${s}" of the new primary matches an auto-follow pattern, but its existing backing indices are not followed back: ` +
      'the failback of data streams is not automated yet (docs/known-gaps.md, "Pattern-driven data"); this site\'s copy of the stream was left as it is.',
  );
  return { ops, warnings, streams };
}
