/**
 * The DR operations of `ccr-dr`, as a typed API for TypeScript pipelines (the command line in
 * main.ts only parses arguments and prints). Each operation flips stack configuration and runs
 * `pulumi up` through the Automation API; every step converges when re-run after an interruption.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConcurrentUpdateError, type Stack, type UpResult } from "@pulumi/pulumi/automation";
import type { ClusterName } from "../stack/config";
import { CLUSTER_NAMES } from "../stack/config";
import { operationCollector, type PlannedOperation } from "./describe";
import { CliError, EXIT } from "./errors";
import { clusterState, reportingConnection } from "./status";
import { ccrFollowStats } from "../es/ccr";
import { close } from "../es/connection";
import { indicesStats } from "../es/indices";
import { openSite, openSites, type Site, type Sites, siteConfigOf, type WorkspaceOptions } from "./workspace";

/** Progress lines ("promote … done in 1.2 s"); the CLI prints them, tests collect them. */
export type Log = (line: string) => void;

export interface OperationOptions extends WorkspaceOptions {
  log?: Log;
  /** Aborting sends SIGINT to the running `pulumi`, which cancels gracefully (Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

export interface SiteRun {
  site: ClusterName;
  operations: PlannedOperation[];
  durationMs: number;
}

export interface RpoEstimate {
  /** Operations acknowledged on the primary that the target has not applied; undefined when unknown. */
  operations?: number;
  /** Why it is unknown, e.g. "clusterA unreachable". */
  unknownReason?: string;
  /** Per follower index on the target. */
  indices: Array<{ index: string; lagOperations?: number }>;
}

export interface PlanResult {
  to: ClusterName;
  sites: SiteRun[];
  rpo: RpoEstimate;
  /** Saved update plans, one per site stack, consumed by the next failover/failback. */
  planFiles: Partial<Record<ClusterName, string>>;
}

const other = (c: ClusterName): ClusterName => (c === "clusterA" ? "clusterB" : "clusterA");
const nolog: Log = () => {};

function planFile(workDir: string, site: Site, to: ClusterName): string {
  return path.join(workDir, ".ccr-dr", "plans", `${site.stack.name}-to-${to}.json`);
}

async function setPrimary(site: Site, to: ClusterName, fenced?: boolean): Promise<void> {
  await site.stack.setConfig("ccr-dr:primary", { value: to });
  if (fenced !== undefined) await site.stack.setConfig("ccr-dr:fenced", { value: String(fenced) });
  site.config = await siteConfigOf(site.stack);
}

/** How long Pulumi has to show it got a Ctrl-C of its own before ccr-dr forwards one. */
const SIGINT_FORWARD_GRACE_MS = 2_000;

/**
 * The abort signal to give `stack.up`, which sends SIGINT to `pulumi` when it fires. Ctrl-C in a
 * terminal reaches ccr-dr and its `pulumi` child alike (one process group), and forwarding ccr-dr's
 * as well made it Pulumi's second SIGINT — "terminate immediately" — which stopped a promotion
 * between two steps and left a pending operation instead of cancelling gracefully
 * (test/integration/faults/interrupt.test.ts). So it is forwarded only if Pulumi has not started
 * cancelling on its own shortly after (a SIGINT sent to ccr-dr alone, e.g. `kill -INT <pid>`).
 */
function forwardOnce(signal: AbortSignal | undefined, output: () => string, onForward: () => void): AbortSignal | undefined {
  if (!signal || signal.aborted) return signal;
  const forward = new AbortController();
  signal.addEventListener(
    "abort",
    () =>
      setTimeout(() => {
        if (/received; cancelling/.test(output())) return;
        onForward();
        forward.abort();
      }, SIGINT_FORWARD_GRACE_MS).unref(),
    { once: true },
  );
  return forward.signal;
}

/** Runs `pulumi up` on one site, with a saved plan when there is one; returns what it did. */
async function up(site: Site, log: Log, plan?: string, signal?: AbortSignal): Promise<SiteRun> {
  const started = Date.now();
  const c = operationCollector(site.name);
  let output = "";
  // Pulumi announces leftovers of an interrupted run when it starts ("… with N pending operations
  // from previous deployment"); only then is the state worth inspecting afterwards.
  let pendingAnnounced = false;
  const onOutput = (s: string) => {
    if (/pending operations? from previous deployment/.test(output.slice(-100) + s)) pendingAnnounced = true;
    output = (output + s).slice(-4096);
  };
  const forwarded = forwardOnce(
    signal,
    () => output,
    () => log(`interrupting pulumi up on ${site.name} (stack ${site.stack.name}): it stops at the next safe point`),
  );
  let result: UpResult;
  try {
    result = await clearingStaleLock(site, log, () =>
      site.stack.up({ onEvent: c.onEvent, onOutput, ...(plan ? { plan } : {}), ...(forwarded ? { signal: forwarded } : {}) }),
    );
  } catch (e) {
    if (e instanceof CliError) throw e; // a lock that is not provably stale: its message says what to do
    const text = String((e as Error).message ?? e);
    if (plan && /plan|constraint/i.test(text) && /violat|does not match|not allowed|expected/i.test(text)) {
      throw new CliError(
        EXIT.planStale,
        `the saved plan for ${site.name} no longer matches reality; nothing more was changed by it. Run \`ccr-dr plan\` again.\n${text}`,
        { cause: e },
      );
    }
    throw new CliError(
      EXIT.failed,
      `pulumi up on ${site.name} (stack ${site.stack.name}) failed; it is safe to re-run the same command:\n${text}`,
      { cause: e },
    );
  }
  for (const op of c.operations) log(`${op.words}: done`);
  if (result.summary.result !== "succeeded") throw new CliError(EXIT.failed, `pulumi up on ${site.name} ended ${result.summary.result}`);
  if (pendingAnnounced) await clearStalePendingCreates(site, log);
  return { site: site.name, operations: c.operations, durationMs: Date.now() - started };
}

/**
 * The stack's pending creates: `stale` ones, whose resource the state now holds, and `unresolved`
 * ones. A `pulumi up` killed while creating (say, a failback's follower) leaves a pending create;
 * the re-run creates (adopts) the resource, but Pulumi keeps the pending operation and warns about
 * it on every later update until `pulumi refresh --clear-pending-creates`.
 */
async function pendingCreates(stack: Stack): Promise<{ stale: string[]; unresolved: string[] }> {
  const d = (await stack.exportStack()).deployment as {
    resources?: Array<{ urn: string }>;
    pending_operations?: Array<{ type: string; resource: { urn: string } }>;
  };
  const present = new Set((d.resources ?? []).map((r) => r.urn));
  const creates = (d.pending_operations ?? []).filter((p) => p.type === "creating").map((p) => p.resource.urn);
  return { stale: creates.filter((u) => present.has(u)), unresolved: creates.filter((u) => !present.has(u)) };
}

/**
 * `--clear-pending-creates` drops every pending create, so it runs only when all of them are stale:
 * a create whose resource is not in the state may have made something in a cluster that no
 * resource owns now, and Pulumi's warning is then the operator's only trace of it.
 */
async function clearStalePendingCreates(site: Site, log: Log): Promise<void> {
  const { stale, unresolved } = await pendingCreates(site.stack);
  if (stale.length === 0) return;
  if (unresolved.length > 0) {
    log(
      `stack ${site.stack.name} keeps pending creates of an interrupted run; ${unresolved.join(", ")} is not in the state: check the cluster, then run pulumi refresh --clear-pending-creates`,
    );
    return;
  }
  log(
    `clearing ${stale.length} pending create(s) an interrupted run left in stack ${site.stack.name}, whose resources exist now (pulumi refresh --clear-pending-creates)`,
  );
  await site.stack.refresh({ clearPendingCreates: true });
}

/**
 * The locks of a stack as Pulumi's DIY backends name them, one per line:
 * "<lock URL>: created by user@host (pid N) at …" (file://…/.pulumi/locks/…, s3://…/.pulumi/locks/…).
 */
function lockHolders(text: string): Array<{ lock: string; host: string; pid: number }> {
  return [...text.matchAll(/^\s*(\S.*?): created by [^@\s]+@(\S+) \(pid (\d+)\)/gm)].map((m) => ({
    lock: m[1]!,
    host: m[2]!,
    pid: Number(m[3]),
  }));
}

/**
 * Whether `pid` is a live `pulumi` process. `kill(pid, 0)` alone is not enough: a `pulumi` killed
 * with SIGKILL whose parent died too is re-parented to PID 1, and where PID 1 does not reap (a
 * container's init, as on CI) it stays a zombie that still answers `kill(pid, 0)` — so the stale
 * lock was never removed there. A pid the kernel has since given to another program does not hold
 * the lock either. Where /proc is missing (not Linux), `kill(pid, 0)` decides.
 */
export function lockHolderRuns(pid: number, proc = "/proc"): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(path.join(proc, String(pid), "stat"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" && fs.existsSync(path.join(proc, "self"))) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (k) {
      return (k as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  // "<pid> (<comm>) <state> …": comm may hold spaces and parentheses, so split at the last ")".
  const close = stat.lastIndexOf(")");
  const comm = stat.slice(stat.indexOf("(") + 1, close);
  const state = stat.slice(close + 2, close + 3);
  if (state === "Z" || state === "X") return false;
  return comm.startsWith("pulumi");
}

/**
 * Runs `update`, first removing a stack lock left by a `pulumi` that no longer runs. A `pulumi up`
 * killed with SIGKILL (a cancelled CI job, a lost machine) leaves its lock on a file backend, and
 * every later update fails with "the stack is currently locked" — so a re-run of an interrupted
 * failover failed instead of converging (test/integration/faults/interrupt.test.ts). The lock
 * names its holder's host and pid: when that is this host and the pid is gone, no update can hold
 * it, so it is removed (`pulumi cancel`, which on a file backend deletes the lock files) and the
 * update runs once more. Otherwise the error says what to check and what to run.
 * Only a lock in a `file://` backend is judged so: in shared state (an S3 bucket, …) the holder may
 * be a machine at the other site that has the same host name (CI runners, containers), and its pid
 * says nothing here — removing its lock would let two updates of one stack run at once
 * (test/integration/state/s3State.test.ts).
 */
async function clearingStaleLock<T>(site: Site, log: Log, update: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (e) {
    if (!(e instanceof ConcurrentUpdateError)) throw e;
    const name = site.stack.name;
    const holders = lockHolders(e.message);
    const shared = holders.some((h) => !h.lock.startsWith("file://"));
    if (shared) {
      throw new CliError(
        EXIT.failed,
        `stack ${name} (${site.name}) is locked by another update, which may run on another machine: the lock is in the shared state backend. ` +
          `Wait for it to end; if no \`pulumi\` process of that update runs anywhere any more (ask the operator or pipeline of the host it names), ` +
          `remove the lock with \`pulumi cancel --yes -s ${name}\` and re-run this command.\n${e.message}`,
        { cause: e },
      );
    }
    if (holders.length === 0 || holders.some((h) => h.host !== os.hostname() || lockHolderRuns(h.pid))) {
      throw new CliError(
        EXIT.failed,
        `stack ${name} (${site.name}) is locked by another update. If no \`pulumi\` process of that update runs any more (it was killed), ` +
          `remove the lock with \`pulumi cancel --yes -s ${name}\` and re-run this command.\n${e.message}`,
        { cause: e },
      );
    }
    log(
      `stack ${name} is locked by pulumi pid ${[...new Set(holders.map((h) => h.pid))].join(", ")} on this host, which no longer runs: removing the stale lock (pulumi cancel)`,
    );
    await site.stack.cancel();
    return update();
  }
}

/** How far the target's followers are behind, from the target's own follower stats. */
export async function estimateRpo(sites: Sites, to: ClusterName): Promise<RpoEstimate> {
  const cfg = sites.site[to].config;
  const [target, leader] = await Promise.all([clusterState(cfg, to), clusterState(cfg, other(to))]);
  const indices = target.indices
    .filter((i) => i.role === "follower")
    .map((i) => ({ index: i.index, ...(i.lagOperations !== undefined ? { lagOperations: i.lagOperations } : {}) }));
  if (!target.reachable) return { unknownReason: `${to} unreachable`, indices };
  if (!leader.reachable)
    return {
      unknownReason: `${other(to)} unreachable (last known lag: ${indices.reduce((s, i) => s + (i.lagOperations ?? 0), 0)} operations)`,
      indices,
    };
  return { operations: indices.reduce((s, i) => s + (i.lagOperations ?? 0), 0), indices };
}

/**
 * `plan --to X`: previews both site stacks with X as primary, saves their update plans, and
 * puts the configuration back as it was (a plan changes nothing).
 */
export async function plan(to: ClusterName, opts: OperationOptions = {}): Promise<PlanResult> {
  const sites = await openSites(opts);
  const result: PlanResult = { to, sites: [], rpo: { indices: [] }, planFiles: {} };
  for (const name of CLUSTER_NAMES) {
    const site = sites.site[name];
    const before = site.config.primary;
    const file = planFile(sites.workDir, site, to);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const started = Date.now();
    const c = operationCollector(name);
    await setPrimary(site, to);
    try {
      await site.stack.preview({ onEvent: c.onEvent, plan: file, ...(opts.signal ? { signal: opts.signal } : {}) });
    } finally {
      await setPrimary(site, before);
    }
    result.planFiles[name] = file;
    result.sites.push({ site: name, operations: c.operations, durationMs: Date.now() - started });
  }
  result.rpo = await estimateRpo(sites, to);
  return result;
}

export interface FailoverResult {
  to: ClusterName;
  run: SiteRun;
  /** Promotion time of the target: from the start of `up` to its indices open for writes. */
  rtoMs: number;
}

/**
 * `failover --to X` (unplanned): only X's stack is touched, so it works while the old primary is
 * down. Uses the plan saved by `plan --to X` when there is one.
 */
export async function failover(to: ClusterName, opts: OperationOptions & { usePlan?: boolean } = {}): Promise<FailoverResult> {
  const log = opts.log ?? nolog;
  // only the surviving site's stack: the other site (and its secrets provider) may be down
  const { workDir, site } = await openSite(to, opts);
  const file = planFile(workDir, site, to);
  const plan = opts.usePlan !== false && fs.existsSync(file) ? file : undefined;
  const started = Date.now();
  await setPrimary(site, to);
  const run = await up(site, log, plan, opts.signal);
  if (plan) fs.rmSync(plan, { force: true });
  return { to, run, rtoMs: Date.now() - started };
}

/** The cluster that is primary now: the one both sites name, or the one whose own stack last made itself primary. */
async function currentPrimary(sites: Sites): Promise<ClusterName> {
  const a = sites.site.clusterA.config.primary;
  const b = sites.site.clusterB.config.primary;
  if (a === b) return a;
  // After a failover each site names itself; the more recent successful update wins.
  const last = async (s: Stack) => (await s.history(1))[0]?.endTime ?? "";
  const [ta, tb] = await Promise.all([last(sites.site.clusterA.stack), last(sites.site.clusterB.stack)]);
  return ta > tb ? a : b;
}

export interface FailbackResult {
  primary: ClusterName;
  run: SiteRun;
}

/**
 * `failback`: the old primary is back; it becomes a follower of the current primary (its stale
 * indices are fenced, lineage-checked, divergent writes quarantined, then re-followed).
 */
export async function failback(opts: OperationOptions & { to?: ClusterName; usePlan?: boolean } = {}): Promise<FailbackResult> {
  const log = opts.log ?? nolog;
  const sites = await openSites(opts);
  const primary = opts.to ?? (await currentPrimary(sites));
  const site = sites.site[other(primary)];
  const file = planFile(sites.workDir, site, primary);
  const plan = opts.usePlan !== false && fs.existsSync(file) ? file : undefined;
  await setPrimary(site, primary, false);
  const run = await up(site, log, plan, opts.signal);
  if (plan) fs.rmSync(plan, { force: true });
  return { primary, run };
}

export interface SwitchoverResult {
  from: ClusterName;
  to: ClusterName;
  runs: SiteRun[];
  /** Time the old primary refused writes until the new one was promoted. */
  writeUnavailableMs: number;
  /** Operations left unreplicated at promotion: 0 by construction, or the switchover aborts. */
  rpoOperations: number;
}

/** Bound on waiting for the target to catch up after the fence; past it the switchover aborts. */
export const CATCH_UP_TIMEOUT_MS = 60_000;
const CATCH_UP_POLL_MS = 200;

/**
 * Waits until every follower on `to` has applied every operation of its (fenced) leader: the
 * follower's max seq_no equals the leader's, read from both clusters. Returns the remaining lag
 * when the time runs out.
 */
async function waitCaughtUp(sites: Sites, from: ClusterName, to: ClusterName, timeoutMs: number, log: Log): Promise<number> {
  const cfg = sites.site[to].config;
  const target = reportingConnection(cfg.clusters[to]);
  const leader = reportingConnection(cfg.clusters[from]);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      let lag = 0;
      for (const pair of cfg.indices) {
        const [stats, leaderStats] = await Promise.all([
          ccrFollowStats(target, pair[to]).catch(() => undefined),
          indicesStats(leader, pair[from]).catch(() => undefined),
        ]);
        if (!stats || !leaderStats) {
          lag += 1; // not following or unreadable: not caught up
          continue;
        }
        const leaderMax = leaderStats.reduce((m, s) => Math.max(m, s.maxSeqNo), -1);
        const followerMax = stats.shards.reduce((m, s) => Math.max(m, s.followerMaxSeqNo), -1);
        lag += Math.max(0, leaderMax - followerMax) + stats.globalCheckpointLag;
      }
      if (lag === 0) return 0;
      if (Date.now() >= deadline) return lag;
      log(`waiting for ${to} to catch up: ${lag} operations behind`);
      await new Promise((r) => setTimeout(r, CATCH_UP_POLL_MS));
    }
  } finally {
    await Promise.all([close(target), close(leader)]);
  }
}

/**
 * `switchover --to X` (planned, both clusters up): fence the current primary, wait until X has
 * caught up, promote X, then make the old primary follow X. Aborts — lifting the fence, promoting
 * nothing — when X does not catch up in time.
 */
export async function switchover(to: ClusterName, opts: OperationOptions & { timeoutMs?: number } = {}): Promise<SwitchoverResult> {
  const log = opts.log ?? nolog;
  const sites = await openSites(opts);
  const from = other(to);
  const source = sites.site[from];
  const target = sites.site[to];
  const runs: SiteRun[] = [];
  let fencedAt = Date.now();
  if (target.config.primary !== to) {
    if (source.config.primary !== from) {
      throw new CliError(
        EXIT.usage,
        `${from} is not the primary in its own stack (ccr-dr:primary=${source.config.primary}): finish the failover/failback first`,
      );
    }
    log(`fence ${from}`);
    await source.stack.setConfig("ccr-dr:fenced", { value: "true" });
    source.config = await siteConfigOf(source.stack);
    runs.push(await up(source, log, undefined, opts.signal));
    fencedAt = Date.now();
    const lag = await waitCaughtUp(sites, from, to, opts.timeoutMs ?? CATCH_UP_TIMEOUT_MS, log);
    if (lag > 0) {
      log(`${to} is ${lag} operations behind after the timeout: aborting, lifting the fence on ${from}`);
      await source.stack.setConfig("ccr-dr:fenced", { value: "false" });
      source.config = await siteConfigOf(source.stack);
      await up(source, log);
      throw new CliError(
        EXIT.aborted,
        `switchover to ${to} aborted: ${to} was still ${lag} operations behind ${from}; nothing was promoted and ${from} takes writes again`,
      );
    }
    log(`${to} has caught up`);
    await setPrimary(target, to);
    runs.push(await up(target, log, undefined, opts.signal));
  }
  const writeUnavailableMs = Date.now() - fencedAt;
  await setPrimary(source, to, false);
  runs.push(await up(source, log, undefined, opts.signal));
  return { from, to, runs, writeUnavailableMs, rpoOperations: 0 };
}
