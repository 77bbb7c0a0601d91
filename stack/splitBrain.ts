/**
 * No split brain through ccr-dr: an unplanned failover onto a site while the old primary still
 * answers and its indices take writes would leave two writable leaders. The old primary is probed
 * within a short bound ({@link PROBE_TIMEOUT_MS}) and never depended on: when it does not answer,
 * that is the disaster the failover is for, and it proceeds.
 *
 * "Takes writes", per index, is what Elasticsearch checks before it accepts an index request on it:
 * the index exists, is open, carries no `index.blocks.write` / `index.blocks.read_only` /
 * `index.blocks.read_only_allow_delete`, and is not a CCR follower (a follower rejects client writes).
 * The rule is the pure {@link failoverGuard} (test/unit/stack/splitBrain.test.ts); the CLI (cli/failoverGuard.ts)
 * and the program (stack/transition.ts) both use it, so `ccr-dr failover` and a plain `pulumi up`
 * with the flipped primary decide alike.
 */
import { close, connect, type ConnectOptions, type Es } from "../es/connection";
import { EsCallError } from "../es/errors";
import { catIndicesOpen, chunkIndexLists, indicesGetWriteSettings, indicesStatsMany, type ShardSeqNo } from "../es/indices";
import { type ClusterConfig, type ClusterName, plainConnection } from "./config";

/** Bound on the whole probe of the old primary. */
export const PROBE_TIMEOUT_MS = 2_500;

/** One index of the old primary, as the probe read it. */
export interface ProbedIndex {
  index: string;
  exists: boolean;
  open?: boolean;
  /** `index.blocks.write`, `index.blocks.read_only` or `index.blocks.read_only_allow_delete` is set. */
  blocked?: boolean;
  /** `index.xpack.ccr.following_index`: the index is a follower (it rejects client writes). */
  follower?: boolean;
  /** Primaries' sequence numbers, when the index is open (for the RPO estimate). */
  seqNos?: ShardSeqNo[];
  /** The cluster answered, but not about this index (an error other than "not found"). */
  error?: string;
}

/** What the probe of the old primary found. */
export type OldPrimaryProbe =
  { cluster: ClusterName; reachable: true; indices: ProbedIndex[] } | { cluster: ClusterName; reachable: false; reason: string };

/** Whether `i` accepts client writes now; `undefined` when the answer about it was an error. */
export function takesWrites(i: ProbedIndex): boolean | undefined {
  if (i.error !== undefined) return undefined;
  return i.exists && i.open === true && i.blocked !== true && i.follower !== true;
}

/** What a failover onto `target` does about the old primary. */
export type FailoverGuard =
  /** The old primary answers and none of its indices takes writes (fenced, closed, gone or a follower). */
  | { action: "proceed"; oldPrimary: ClusterName; message: string }
  /** The old primary does not answer: the disaster case. Proceed; clients must stay away from it. */
  | { action: "proceed-unreachable"; oldPrimary: ClusterName; message: string }
  /** The old primary answers and these indices take writes (or could not be read): refused. */
  | { action: "refuse"; oldPrimary: ClusterName; indices: string[]; message: string }
  /** As `refuse`, but forced: fence these indices through the old primary's own connection first. */
  | { action: "fence"; oldPrimary: ClusterName; indices: string[]; message: string };

/** The rule (pure): from the probe of the old primary and the force flag, what the failover onto `target` does. */
export function failoverGuard(probe: OldPrimaryProbe, target: ClusterName, force: boolean): FailoverGuard {
  const old = probe.cluster;
  if (!probe.reachable) {
    return {
      action: "proceed-unreachable",
      oldPrimary: old,
      message:
        `${old} does not answer (${probe.reason}): failing over as in a disaster. Keep clients away from ${old} until the failback ` +
        `(\`ccr-dr failback\`): if it comes back, its indices take writes that ${target} will never have, and the failback quarantines them.`,
    };
  }
  const writable = probe.indices.filter((i) => takesWrites(i) !== false);
  if (writable.length === 0) {
    return {
      action: "proceed",
      oldPrimary: old,
      message: `${old} answers and none of its replicated indices takes writes (fenced, closed, absent or a follower): no split brain.`,
    };
  }
  const names = writable.map((i) => i.index);
  const what = writable
    .map((i) => (i.error !== undefined ? `"${i.index}" (could not be read: ${i.error})` : `"${i.index}" (open, no write block)`))
    .join(", ");
  if (force) {
    return {
      action: "fence",
      oldPrimary: old,
      indices: names,
      message: `${old} answers and takes writes on ${what}: forced, so it is fenced first (write block through ${old}'s own connection), then ${target} is promoted.`,
    };
  }
  return {
    action: "refuse",
    oldPrimary: old,
    indices: names,
    message:
      `refusing to fail over to ${target}: ${old} answers and takes writes on ${what}; promoting ${target} now would make two writable leaders (split brain). ` +
      `Nothing was changed. Either run \`ccr-dr switchover --to ${target}\` (planned: fence, catch up, promote; no write lost), ` +
      `or force it with \`ccr-dr failover --to ${target} --force\` (plain pulumi: \`pulumi config set ccr-dr:force true\`), which write-blocks ${old}'s indices through its own connection before promoting ${target}.`,
  };
}

const isUnreachable = (e: unknown) =>
  !(e instanceof EsCallError) ||
  e.kind === "connection" ||
  e.kind === "timeout" ||
  (e.kind === "response" && e.status !== undefined && e.status >= 502 && e.status <= 504);

/**
 * Probes a list of indices with three requests per {@link chunkIndexLists} list instead of three
 * per index: at 2,000 pairs, 6,000 requests within the probe's bound did not always fit, and an
 * index the old primary did not answer about in time counts as taking writes.
 */
async function probeIndices(es: Es, indices: readonly string[], found: Map<string, ProbedIndex>): Promise<void> {
  const described = await indicesGetWriteSettings(es, indices);
  const present = indices.filter((index) => described[index] !== undefined);
  for (const index of indices) if (!described[index]) found.set(index, { index, exists: false });
  if (present.length === 0) return;
  const open = await catIndicesOpen(es, present);
  const probed = present.map((index): ProbedIndex => {
    const settings = described[index]!.settings;
    const on = (k: string) => String(settings[k] ?? "false") === "true";
    return {
      index,
      exists: true,
      open: open[index] ?? true,
      blocked: on("index.blocks.write") || on("index.blocks.read_only") || on("index.blocks.read_only_allow_delete"),
      follower: on("index.xpack.ccr.following_index"),
    };
  });
  const openNames = probed.filter((p) => p.open).map((p) => p.index);
  // the sequence numbers only estimate the RPO: without them the probe still decides
  const seqNos = openNames.length > 0 ? await indicesStatsMany(es, openNames).catch(() => ({}) as Record<string, ShardSeqNo[]>) : {};
  for (const p of probed) {
    const s = seqNos[p.index];
    if (s) p.seqNos = s;
    found.set(p.index, p);
  }
}

/**
 * Reads `indices` on the old primary `c` within `timeoutMs` (no retry, all index lists at once). Never
 * rejects. No answer at all (refused, timed out, 502–504) is `reachable: false`. Once the cluster has
 * answered anything, it is reachable: an index it answered about with an error, or not within the
 * bound, gets that as its `error` (it may take writes). A slow old primary is therefore never taken
 * for a dead one.
 */
export async function probeOldPrimary(
  c: ClusterConfig,
  indices: readonly string[],
  opts: { timeoutMs?: number; connect?: ConnectOptions } = {},
): Promise<OldPrimaryProbe> {
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const es = connect(plainConnection(c, timeoutMs), { maxRetries: 0, ...opts.connect });
  const found = new Map<string, ProbedIndex>();
  let unreachable: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const reads = Promise.all(
      chunkIndexLists([...new Set(indices)]).map((list) =>
        probeIndices(es, list, found).catch((e: unknown) => {
          if (isUnreachable(e)) unreachable ??= e;
          else for (const index of list) if (!found.has(index)) found.set(index, { index, exists: true, error: firstLine(e) });
        }),
      ),
    );
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([reads, deadline]);
  } finally {
    clearTimeout(timer);
    close(es).catch(() => undefined);
  }
  if (found.size === 0) {
    const reason = unreachable !== undefined ? firstLine(unreachable) : `no answer within ${timeoutMs} ms`;
    return { cluster: c.name, reachable: false, reason };
  }
  const answered = (index: string): ProbedIndex =>
    found.get(index) ?? {
      index,
      exists: true,
      error: unreachable !== undefined ? firstLine(unreachable) : `no answer within ${timeoutMs} ms`,
    };
  return { cluster: c.name, reachable: true, indices: indices.map(answered) };
}

/** The cause only: the client's "Likely fix" (check the endpoint, run the surviving site) is not the point here. */
function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message.split("\n")[0]! : String(e)).replace(/\. Likely fix: .*$/, "");
}
