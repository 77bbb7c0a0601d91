/**
 * What this run of a site's stack will do to its indices, told while the program runs — the only
 * place Pulumi lets a preview say it: Pulumi calls no provider for a resource it is about to delete,
 * and a failover is such deletes (FollowerIndex delete = promotion). The lines come from the
 * FollowerIndex planners over the world as read now (providers/followerIndex/preview.ts), with
 * read-only calls bounded by {@link TRANSITION_TIMEOUT_MS}; the program logs them
 * (`pulumi preview` shows them under "Diagnostics") and exports them as the `transition` output.
 *
 * - Failover (this site is the primary and its indices are still followers): per index, the
 *   promotion plan, its lag and an RPO estimate; and the split-brain guard (stack/splitBrain.ts):
 *   the old primary is probed within a short bound, never depended on.
 * - Failback (this site follows, and an index is not yet a follower of the primary): per index,
 *   that it will be fenced, how many divergent documents are quarantined into which index, that it
 *   is deleted and re-followed, and how many documents the new follower copies.
 *
 * Never rejects, so a preview succeeds while the peer (or this site's own cluster) is down: what
 * could not be read is said, with the reason.
 */
import { ccrFollowInfo, ccrFollowInfoList, type FollowInfo } from "../es/ccr";
import { chunkIndexLists } from "../es/indices";
import { close, connect, type Es } from "../es/connection";
import { messageOf, ProviderError } from "../providers/shared/errors";
import { failoverLineOf, type LeaderSeqNos, readFailbackLine, readFailoverLine } from "../providers/followerIndex/preview";
import { type FollowerWorld, readFollowerWorldList } from "../providers/followerIndex/world";
import type { FollowerIndexInputs } from "../providers/followerIndex/types";
import { type ClusterConfig, plainConnection, type SiteConfig } from "./config";
import { type FailoverGuard, failoverGuard, type OldPrimaryProbe, probeOldPrimary, PROBE_TIMEOUT_MS } from "./splitBrain";
import { pooled } from "../es/pooled";
import {
  patternPromotionLines,
  type PatternPromotionPreview,
  readLeaderCounts,
  readPatternPromotion,
} from "../providers/patternPromotion/preview";
import { readPatternFailbackLines } from "../providers/patternFailback/preview";

/** Bound on each request to this site's cluster while previewing. */
export const TRANSITION_TIMEOUT_MS = 3_000;
/** Bound on the whole read. */
export const TRANSITION_DEADLINE_MS = 15_000;

export interface Transition {
  /** `follow`: new followers only (a first `up`); `failback`: an existing index is replaced or re-followed. */
  kind: "failover" | "failback" | "follow" | "none";
  /** One line per index that changes, in DR words. */
  lines: string[];
  /** Failover only: what the old primary's probe decided. */
  guard?: FailoverGuard;
}

const siteConnection = (c: ClusterConfig, timeoutMs: number): Es =>
  connect(plainConnection(c, Math.min(timeoutMs, c.requestTimeoutMs ?? timeoutMs)), { maxRetries: 0 });

/** The site's index pairs whose local index is still a follower of the peer: the promotions a failover will run. */
async function pendingPromotions(
  es: Es,
  cfg: SiteConfig,
): Promise<{ pending: Array<{ local: string; peer: string }>; follows: Map<string, FollowInfo> }> {
  // One follow-info request per list of indices; a list naming an index that does not exist is
  // refused whole (404), and is then read one index at a time as before.
  const follows = new Map<string, FollowInfo>();
  const lists = chunkIndexLists(cfg.indices.map((pair) => pair[cfg.site]));
  await pooled(lists, async (list) => {
    const found = await ccrFollowInfoList(es, list);
    if (found) {
      for (const [name, info] of found) follows.set(name, info);
      return;
    }
    const one = await pooled(list, (index) => ccrFollowInfo(es, index));
    list.forEach((index, n) => {
      const info = one[n];
      if (info) follows.set(index, info);
    });
  });
  const pending = cfg.indices
    .filter((pair) => follows.has(pair[cfg.site]))
    .map((pair) => ({ local: pair[cfg.site], peer: pair[cfg.peer] }));
  return { pending, follows };
}

/**
 * The worlds of the pending promotions, one list of indices per request kind; a list whose reads
 * fail is left out (its indices are then read one by one, each line with its own error).
 */
async function pendingWorlds(es: Es, locals: string[], follows: Map<string, FollowInfo>): Promise<Map<string, FollowerWorld>> {
  const worlds = new Map<string, FollowerWorld>();
  await pooled(chunkIndexLists(locals), async (list) => {
    const read = await readFollowerWorldList(es, list, follows).catch(() => undefined);
    for (const [index, world] of read ?? []) worlds.set(index, world);
  });
  return worlds;
}

/** What the failover promotes beside the declared pairs, as read from this site, or why it could not be read. */
type PatternRead = { read: PatternPromotionPreview; visible: boolean } | { failure: string } | undefined;

/**
 * What the failover promotes beside the declared pairs, when the site has auto-follow patterns
 * (providers/patternPromotion/preview.ts): a line per paused pattern, promoted stream and index.
 */
async function patternPromotions(es: Es, cfg: SiteConfig): Promise<PatternRead> {
  if (cfg.autoFollowPatterns.length === 0) return undefined;
  const remoteCluster = cfg.clusters[cfg.peer].name;
  const target = {
    remoteCluster,
    patterns: cfg.autoFollowPatterns.map((p) => p.name),
    declaredIndices: cfg.indices.map((p) => p[cfg.site]),
  };
  try {
    const read = await readPatternPromotion(es, target);
    const visible = read.plan.warnings.length > 0 || read.plan.ops.some((op) => op.kind !== "recordPlan" && op.kind !== "forgetPlan");
    return { read, visible };
  } catch (e) {
    return {
      failure:
        e instanceof ProviderError
          ? `failover: \`pulumi up\` will fail to promote what the auto-follow patterns of ${cfg.site} follow: ${e.message}`
          : `failover: what the auto-follow patterns of ${cfg.site} follow could not be read (${messageOf(e).split("\n")[0]}); ` +
            "what this run promotes beside the declared pairs is unknown",
    };
  }
}

/**
 * The pattern-driven promotion's lines, with the old primary's document counts when the probe found
 * it answering (read within the probe's bound); otherwise they are unknown, with the probe's reason.
 */
async function patternPromotionLinesOf(patterns: PatternRead, probe: OldPrimaryProbe, cfg: SiteConfig): Promise<string[]> {
  if (patterns === undefined) return [];
  if ("failure" in patterns) return [patterns.failure];
  if (!probe.reachable)
    return patternPromotionLines(patterns.read, cfg.site, cfg.peer, {
      readable: false,
      reason: `${cfg.peer} does not answer (${probe.reason})`,
    });
  const es = siteConnection(cfg.clusters[cfg.peer], PROBE_TIMEOUT_MS);
  try {
    return patternPromotionLines(patterns.read, cfg.site, cfg.peer, await readLeaderCounts(es, patterns.read.leaderNames));
  } finally {
    close(es).catch(() => undefined);
  }
}

function leaderSeqNosOf(probe: OldPrimaryProbe, index: string): LeaderSeqNos {
  if (!probe.reachable) return { readable: false, reason: `${probe.cluster} does not answer (${probe.reason})` };
  const i = probe.indices.find((x) => x.index === index);
  if (!i?.exists) return { readable: false, reason: `index "${index}" does not exist on ${probe.cluster}` };
  if (i.error !== undefined) return { readable: false, reason: `${probe.cluster} answered with an error (${i.error})` };
  if (!i.seqNos) return { readable: false, reason: `"${index}" on ${probe.cluster} is closed` };
  return { readable: true, seqNos: i.seqNos };
}

/** The failover this run promotes, with the split-brain guard; `none` when no index is still a follower. */
export async function readFailover(cfg: SiteConfig, opts: { probeTimeoutMs?: number; deadlineMs?: number } = {}): Promise<Transition> {
  const until = Date.now() + (opts.deadlineMs ?? TRANSITION_DEADLINE_MS);
  const es = siteConnection(cfg.clusters[cfg.site], TRANSITION_TIMEOUT_MS);
  try {
    const { pending, follows } = await pendingPromotions(es, cfg);
    const patterns = await patternPromotions(es, cfg);
    const patternWork = patterns !== undefined && ("failure" in patterns || patterns.visible);
    if (pending.length === 0 && !patternWork) return { kind: "none", lines: [] };
    const leaderIndices = patterns && "read" in patterns ? patterns.read.leaderIndices : [];
    const probe = await probeOldPrimary(cfg.clusters[cfg.peer], [...pending.map((p) => p.peer), ...leaderIndices], {
      timeoutMs: opts.probeTimeoutMs ?? PROBE_TIMEOUT_MS,
    });
    const guard = failoverGuard(probe, cfg.site, cfg.force);
    const worlds = await pendingWorlds(
      es,
      pending.map((p) => p.local),
      follows,
    );
    const lines = await pooled(pending, async (p) => {
      if (Date.now() > until) return late(p.local, "failover");
      const target = { index: p.local, remoteCluster: cfg.clusters[cfg.peer].name, leaderIndex: p.peer, leaderCluster: cfg.peer };
      const world = worlds.get(p.local);
      return (
        world
          ? failoverLineOf(es, world, target, leaderSeqNosOf(probe, p.peer))
          : readFailoverLine(es, target, leaderSeqNosOf(probe, p.peer))
      ).catch((e: unknown) => `failover: "${p.local}" on ${cfg.site}: could not be read (${messageOf(e).split("\n")[0]})`);
    });
    const patternLines = await patternPromotionLinesOf(patterns, probe, cfg);
    return { kind: "failover", lines: [...lines.filter((l): l is string => l !== undefined), ...patternLines], guard };
  } finally {
    close(es).catch(() => undefined);
  }
}

/** The failback (or first follow) this run makes; `none` when every index already follows the primary. */
export async function readFailback(cfg: SiteConfig, opts: { deadlineMs?: number } = {}): Promise<Transition> {
  const until = Date.now() + (opts.deadlineMs ?? TRANSITION_DEADLINE_MS);
  const es = siteConnection(cfg.clusters[cfg.site], TRANSITION_TIMEOUT_MS);
  const leader = siteConnection(cfg.clusters[cfg.primary], PROBE_TIMEOUT_MS);
  try {
    const read = await pooled(cfg.indices, async (pair) => {
      const index = pair[cfg.site];
      if (Date.now() > until) return late(index, "failback");
      const d = {
        index,
        remoteCluster: cfg.clusters[cfg.primary].name,
        leaderIndex: pair[cfg.primary],
        waitForActiveShards: "1",
        status: "active",
        onDelete: "promote",
        // The QuarantineName of a new failback is generated at `up`: the preview can only give its form.
        failback: { enabled: true, quarantineIndex: `ccr-dr-quarantine-<generated at up>-${index}` },
      } as FollowerIndexInputs & { failback: { enabled: true; quarantineIndex: string } };
      return readFailbackLine(es, leader, d).catch(
        (e: unknown) => `failback: "${index}" on ${cfg.site}: could not be read (${messageOf(e).split("\n")[0]})`,
      );
    });
    const lines = [...read.filter((l): l is string => l !== undefined), ...(await patternFailbacks(es, leader, cfg))];
    const kind = lines.length === 0 ? "none" : lines.every((l) => l.startsWith("follow: ")) ? "follow" : "failback";
    return { kind, lines };
  } finally {
    close(es).catch(() => undefined);
    close(leader).catch(() => undefined);
  }
}

/**
 * What a failback follows beside the declared pairs, when the site has auto-follow patterns
 * (providers/patternFailback/preview.ts): a line per existing matching index of the primary.
 */
async function patternFailbacks(es: Es, leader: Es, cfg: SiteConfig): Promise<string[]> {
  if (cfg.autoFollowPatterns.length === 0) return [];
  const target = {
    remoteCluster: cfg.clusters[cfg.primary].name,
    patterns: cfg.autoFollowPatterns,
    declaredIndices: cfg.indices.map((p) => p[cfg.site]),
    // generated at `up` (one per failback): the preview can only give its form
    quarantineName: "ccr-dr-quarantine-<generated at up>",
  };
  return readPatternFailbackLines(es, leader, target).catch((e: unknown) => [
    `failback: what the auto-follow patterns of ${cfg.site} match on ${cfg.primary} could not be read (${messageOf(e).split("\n")[0]}); ` +
      "what this run follows beside the declared pairs is unknown",
  ]);
}

const late = (index: string, kind: string) =>
  `${kind}: "${index}" not previewed: the preview's reads ran past ${TRANSITION_DEADLINE_MS} ms; what happens to it is unknown`;

/** {@link readFailover} or {@link readFailback} for this site; never rejects. */
export async function readTransition(cfg: SiteConfig): Promise<Transition> {
  const kind = cfg.site === cfg.primary ? "failover" : "failback";
  try {
    return await (kind === "failover" ? readFailover(cfg) : readFailback(cfg));
  } catch (e) {
    return {
      kind: "none",
      lines: [
        `${kind} preview of ${cfg.site}: ${cfg.site} could not be read (${messageOf(e).split("\n")[0]}); what this run does to its indices is unknown`,
      ],
    };
  }
}
