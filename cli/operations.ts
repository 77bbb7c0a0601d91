/**
 * The DR operations of `ccr-dr`, as a typed API for TypeScript pipelines (the command line in
 * main.ts only parses arguments and prints). Each operation flips stack configuration and runs
 * `pulumi up` through the Automation API; every step converges when re-run after an interruption.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConcurrentUpdateError, type EngineEvent, type Stack, type UpResult } from "@pulumi/pulumi/automation";
import type { ClusterName } from "../stack/config";
import { CLUSTER_NAMES } from "../stack/config";
import { operationCollector, type PlannedOperation } from "./describe";
import { CliError, EXIT, pulumiFailure } from "./errors";
import { checkFailover } from "./failoverGuard";
import { estimateRpo, type RpoEstimate } from "./health/rpo";
import { DEFAULT_PLAN_MAX_AGE_MS, type PlanBinding, planStaleness, readWorld, sha256File } from "./planBinding";
import { processRuns } from "./processes";
import { reportingConnection, switchoverCommand } from "./status";
import { Interrupted, sleep, throttled, unlessAborted } from "./wait";
import { ccrFollowInfoOf, ccrFollowStats } from "../es/ccr";
import { close, type Es } from "../es/connection";
import { indicesAddBlock, indicesGet, indicesPutMapping, indicesPutSettings, indicesStats } from "../es/indices";
import { decodeSwitchover, metaWithSwitchover } from "../es/records";
import {
  openSite,
  openSites,
  openSitesAsAvailable,
  type Site,
  type Sites,
  siteConfigOf,
  stackFilePath,
  type WorkspaceOptions,
} from "./workspace";

export { estimateRpo, type RpoEstimate };

/** Progress lines ("promote … done in 1.2 s"); the CLI prints them, tests collect them. */
export type Log = (line: string) => void;

export interface OperationOptions extends WorkspaceOptions {
  log?: Log;
  /** Aborting sends SIGINT to the running `pulumi`, which cancels gracefully (Ctrl-C in the CLI), and stops any wait. */
  signal?: AbortSignal;
}

/** Options of the commands that may use a plan saved by `ccr-dr plan`. */
export interface SavedPlanOptions {
  /** Use the saved plan if there is one (default true). */
  usePlan?: boolean;
  /** A saved plan older than this is refused (exit 6); default {@link DEFAULT_PLAN_MAX_AGE_MS}. */
  planMaxAgeMs?: number;
}

export interface SiteRun {
  site: ClusterName;
  operations: PlannedOperation[];
  /** The program's own lines about what the run does to each index (docs/runbook.md, "What the preview says"). */
  preview: string[];
  durationMs: number;
}

export interface PlanResult {
  to: ClusterName;
  sites: SiteRun[];
  rpo: RpoEstimate;
  /** Saved update plans, one per site stack, consumed by the next failover/failback. */
  planFiles: Partial<Record<ClusterName, string>>;
  /** Site stacks that could not be opened (their secrets provider down with their site): not previewed, no plan saved. */
  unplanned?: Array<{ site: ClusterName; stack: string; error: string }>;
}

/** The stacks a command opened: both, or (a failover) only the surviving site's. */
type Opened = { workDir: string; site: Partial<Record<ClusterName, Site>> };

const other = (c: ClusterName): ClusterName => (c === "clusterA" ? "clusterB" : "clusterA");
const nolog: Log = () => {};

function planFile(workDir: string, site: Site, to: ClusterName): string {
  return path.join(workDir, ".ccr-dr", "plans", `${site.stack.name}-to-${to}.json`);
}

/** The binding saved beside a plan file (see planBinding.ts). */
function bindingFile(plan: string): string {
  return plan.replace(/\.json$/, ".binding.json");
}

async function setPrimary(site: Site, to: ClusterName, fenced?: boolean): Promise<void> {
  await site.stack.setConfig("ccr-dr:primary", { value: to });
  if (fenced !== undefined) await site.stack.setConfig("ccr-dr:fenced", { value: String(fenced) });
  site.config = await siteConfigOf(site.stack);
}

/** `ccr-dr:primary` and `ccr-dr:fenced` of each site's stack, for a failure report. */
function stackStates(sites: Opened): string {
  return (
    CLUSTER_NAMES.flatMap((n) => {
      const s = sites.site[n];
      if (!s) return [];
      return [`stack ${s.stack.name} (${n}): ccr-dr:primary=${s.config.primary}${s.config.fenced ? ", ccr-dr:fenced=true" : ""}`];
    }).join("; ") + (CLUSTER_NAMES.every((n) => sites.site[n]) ? "" : " (a failover opens only its own site's stack)")
  );
}

/**
 * What a run changed, for the message of a failure after it changed something: stack settings and
 * the operations Pulumi completed in the clusters.
 */
class Journal {
  readonly entries: string[] = [];
  /** Operations Pulumi completed in a cluster during this run. */
  operationsDone = 0;
  note(s: string): void {
    this.entries.push(s);
  }
  operation(site: ClusterName, words: string): void {
    this.operationsDone++;
    this.note(`in ${site}: ${words}`);
  }
  /** The lines a failure adds to its hint. */
  report(sites: Opened): string {
    const changed = this.entries.length > 0 ? this.entries.join("; ") : "nothing";
    return `changed by this run: ${changed}\nstacks now: ${stackStates(sites)}`;
  }
}

/**
 * Runs `f`; a CliError thrown by it gets the journal's account of what changed and what each stack
 * holds now (a failure after changes must say exactly where it left things).
 */
async function reporting<T>(sites: Opened, journal: Journal, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof CliError) || e.selfContained) throw e;
    const report = journal.report(sites);
    throw new CliError(e.exitCode, e.message, { cause: e.cause, detail: e.detail, hint: [report, e.hint].filter(Boolean).join("\n") });
  }
}

/**
 * The plan saved by `ccr-dr plan --to <to>` for `site`, after checking it is still good for the
 * world: undefined when there is none (or `--no-plan`); a stale one is refused (exit 6) here,
 * before anything is changed.
 */
async function savedPlan(sites: Opened, site: Site, to: ClusterName, opts: SavedPlanOptions): Promise<string | undefined> {
  const file = planFile(sites.workDir, site, to);
  if (opts.usePlan === false || !fs.existsSync(file)) return undefined;
  const shown = path.relative(sites.workDir, file);
  const refuse = (why: string) =>
    new CliError(EXIT.planStale, `the saved plan ${shown} is stale: ${why}; nothing was changed: run \`ccr-dr plan --to ${to}\` again`, {
      hint: "or run the command with --no-plan to go ahead without a saved plan",
    });
  let binding: PlanBinding;
  try {
    binding = JSON.parse(fs.readFileSync(bindingFile(file), "utf8")) as PlanBinding;
  } catch {
    throw refuse(`it has no readable ${path.basename(bindingFile(file))} (made by an older ccr-dr, or damaged)`);
  }
  // A failover opens only its own stack, whose file defines both clusters and the pairs as well.
  const world = await readWorld({ clusterA: (sites.site.clusterA ?? site).config, clusterB: (sites.site.clusterB ?? site).config });
  const why = planStaleness(
    binding,
    { at: Date.now(), stackFileSha256: sha256File(stackFilePath(sites.workDir, site.stack.name)), world },
    opts.planMaxAgeMs ?? DEFAULT_PLAN_MAX_AGE_MS,
  );
  if (why) throw refuse(why);
  return file;
}

/**
 * Changes `site`'s stack config (`change`), then runs `up` with the saved `plan`, if any. When
 * Pulumi refuses the plan before completing any operation, the stack file is put back byte for
 * byte: a refused run leaves no flipped `ccr-dr:primary` that a later plain `pulumi up` would act on.
 */
async function changeAndUp(
  sites: Opened,
  site: Site,
  journal: Journal,
  change: () => Promise<string>,
  log: Log,
  plan: string | undefined,
  signal: AbortSignal | undefined,
): Promise<SiteRun> {
  const file = stackFilePath(sites.workDir, site.stack.name);
  const before = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  journal.note(await change());
  try {
    return await up(site, log, plan, signal, journal);
  } catch (e) {
    if (e instanceof CliError && e.exitCode === EXIT.planStale && before !== undefined && journal.operationsDone === 0) {
      fs.writeFileSync(file, before);
      site.config = await siteConfigOf(site.stack);
      journal.entries.length = 0;
      journal.note(`nothing (${path.basename(file)} restored)`);
    }
    throw e;
  }
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

/**
 * Operations Pulumi completed (its `resOutputs` events), in DR words: what a failed run had
 * already changed in the cluster.
 */
function completedCollector(site: ClusterName): { onEvent: (e: EngineEvent) => void; operations: PlannedOperation[] } {
  const planned = operationCollector(site);
  const operations: PlannedOperation[] = [];
  const onEvent = (e: EngineEvent) => {
    const md = e.resOutputsEvent?.metadata;
    if (!md || md.op === "same") return;
    const before = planned.operations.length;
    planned.onEvent({ ...e, resourcePreEvent: { metadata: md } } as EngineEvent);
    operations.push(...planned.operations.slice(before));
  };
  return { onEvent, operations };
}

/** Runs `pulumi up` on one site, with a saved plan when there is one; returns what it did. */
async function up(site: Site, log: Log, plan?: string, signal?: AbortSignal, journal?: Journal): Promise<SiteRun> {
  const started = Date.now();
  const c = operationCollector(site.name);
  const done = completedCollector(site.name);
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
  const onEvent = (e: EngineEvent) => {
    c.onEvent(e);
    done.onEvent(e);
  };
  let result: UpResult;
  try {
    result = await clearingStaleLock(site, log, () =>
      site.stack.up({
        onEvent,
        onOutput,
        color: "never",
        ...(plan ? { plan } : {}),
        ...(forwarded ? { signal: forwarded } : {}),
      }),
    );
  } catch (e) {
    for (const op of done.operations) journal?.operation(site.name, op.words);
    if (e instanceof CliError) throw e; // a lock that is not provably stale: its message says what to do
    const raw = String((e as Error).message ?? e);
    const f = pulumiFailure(raw);
    const where = `pulumi up on ${site.name} (stack ${site.stack.name})`;
    if (plan && f.planViolation) {
      throw new CliError(
        EXIT.planStale,
        `the saved plan ${path.basename(plan)} no longer matches ${where}: ${f.message}: run \`ccr-dr plan --to ${site.config.primary}\` again`,
        { cause: e, detail: raw },
      );
    }
    if (signal?.aborted || f.cancelled) {
      throw new CliError(EXIT.interrupted, `${where} was interrupted: ${f.message}`, {
        cause: e,
        detail: raw,
        hint: "re-run the same command to finish: every step skips what is already done",
      });
    }
    throw new CliError(EXIT.failed, `${where} failed: ${f.message}`, {
      cause: e,
      detail: raw,
      hint: "it is safe to re-run the same command: every step skips what is already done",
    });
  }
  for (const op of done.operations) journal?.operation(site.name, op.words);
  for (const op of c.operations) log(`${op.words}: done`);
  if (result.summary.result !== "succeeded") throw new CliError(EXIT.failed, `pulumi up on ${site.name} ended ${result.summary.result}`);
  if (pendingAnnounced) await clearStalePendingCreates(site, log);
  return { site: site.name, operations: c.operations, preview: c.preview, durationMs: Date.now() - started };
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
  await site.stack.refresh({ clearPendingCreates: true, color: "never" });
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
    if (holders.length === 0 || holders.some((h) => h.host !== os.hostname() || processRuns(h.pid, { comm: "pulumi" }))) {
      throw new CliError(
        EXIT.failed,
        `stack ${name} (${site.name}) is locked by another update. If no \`pulumi\` process of that update runs any more (it was killed), ` +
          `remove the lock with \`pulumi cancel --yes -s ${name}\` and re-run this command`,
        { cause: e, detail: e.message },
      );
    }
    log(
      `stack ${name} is locked by pulumi pid ${[...new Set(holders.map((h) => h.pid))].join(", ")} on this host, which no longer runs: removing the stale lock (pulumi cancel)`,
    );
    await site.stack.cancel();
    return update();
  }
}

/**
 * `plan --to X`: previews both site stacks with X as primary, saves their update plans, each bound
 * (planBinding.ts) to its stack file and the clusters' state, and puts each stack file back byte
 * for byte (a plan changes nothing).
 */
export async function plan(to: ClusterName, opts: OperationOptions = {}): Promise<PlanResult> {
  // The other site's stack may be unreadable (its secrets provider down with it): the failover to
  // `to` needs only `to`'s plan, so that one is still made, and the other is reported unplanned.
  const opened = await openSitesAsAvailable(opts);
  const target = opened.site[to];
  if (!target) throw opened.unreadable.find((u) => u.site === to)!.error;
  const siteOf = (n: ClusterName): Site => opened.site[n] ?? target;
  const sites: Sites = { workDir: opened.workDir, env: opened.env, site: { clusterA: siteOf("clusterA"), clusterB: siteOf("clusterB") } };
  const result: PlanResult = { to, sites: [], rpo: { indices: [] }, planFiles: {} };
  if (opened.unreadable.length > 0)
    result.unplanned = opened.unreadable.map((u) => ({ site: u.site, stack: u.stack, error: u.error.message }));
  const madeAt = new Date().toISOString();
  const world = await readWorld({ clusterA: sites.site.clusterA.config, clusterB: sites.site.clusterB.config });
  for (const name of CLUSTER_NAMES) {
    const site = opened.site[name];
    if (!site) continue;
    const stackFile = stackFilePath(sites.workDir, site.stack.name);
    const original = fs.readFileSync(stackFile);
    const file = planFile(sites.workDir, site, to);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.rmSync(bindingFile(file), { force: true });
    const started = Date.now();
    const c = operationCollector(name);
    await setPrimary(site, to);
    try {
      await site.stack.preview({ onEvent: c.onEvent, plan: file, color: "never", ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (e) {
      fs.rmSync(file, { force: true });
      const raw = String((e as Error).message ?? e);
      throw new CliError(
        opts.signal?.aborted ? EXIT.interrupted : EXIT.failed,
        `pulumi preview on ${name} (stack ${site.stack.name}) failed: ${pulumiFailure(raw).message}`,
        {
          cause: e,
          detail: raw,
          hint: "nothing was changed; the stack file is restored",
        },
      );
    } finally {
      fs.writeFileSync(stackFile, original);
      site.config = await siteConfigOf(site.stack);
    }
    const binding: PlanBinding = {
      version: 1,
      to,
      site: name,
      stack: site.stack.name,
      madeAt,
      stackFileSha256: sha256File(stackFile),
      world,
    };
    fs.writeFileSync(bindingFile(file), JSON.stringify(binding, null, 2) + "\n");
    result.planFiles[name] = file;
    result.sites.push({ site: name, operations: c.operations, preview: c.preview, durationMs: Date.now() - started });
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
 * `failover --to X` (unplanned): only X's stack is changed, so it works while the old primary is
 * down. Uses the plan saved by `plan --to X` when there is one.
 *
 * Refused before anything changes (exit 7) while the old primary answers and its indices take
 * writes (cli/failoverGuard.ts); `force` instead fences them through the old primary's own
 * connection (`ccr-dr:force` for this run; the program declares the fences) before promoting.
 */
export async function failover(
  to: ClusterName,
  opts: OperationOptions & SavedPlanOptions & { force?: boolean } = {},
): Promise<FailoverResult> {
  const log = opts.log ?? nolog;
  // only the surviving site's stack: the other site (and its secrets provider) may be down
  const opened = await openSite(to, opts);
  const site = opened.site;
  const sites: Opened = { workDir: opened.workDir, site: { [to]: site } };
  const plan = await savedPlan(sites, site, to, opts);
  const guard = await checkFailover(site.config, to, opts.force === true);
  log(guard.message);
  const journal = new Journal();
  const started = Date.now();
  const promote = () => changeAndUp(sites, site, journal, () => flipPrimary(site, to), log, plan, opts.signal);
  const run = await reporting(sites, journal, async () => {
    if (guard.action !== "fence") return promote();
    // `ccr-dr:force` for this run only: the program declares the fences on the old primary.
    await site.stack.setConfig("ccr-dr:force", { value: "true" });
    journal.note(`stack ${site.stack.name}: ccr-dr:force true for this run (fences ${other(to)})`);
    try {
      return await promote();
    } finally {
      await site.stack.removeConfig("ccr-dr:force");
    }
  });
  if (plan) removePlan(plan);
  return { to, run, rtoMs: Date.now() - started };
}

/** Sets `ccr-dr:primary` (and `ccr-dr:fenced`) of `site`'s stack; returns what changed, for the journal. */
async function flipPrimary(site: Site, to: ClusterName, fenced?: boolean): Promise<string> {
  const before = site.config;
  await setPrimary(site, to, fenced);
  const changes = [
    ...(before.primary !== to ? [`ccr-dr:primary ${before.primary} → ${to}`] : []),
    ...(fenced !== undefined && before.fenced !== fenced ? [`ccr-dr:fenced ${before.fenced} → ${fenced}`] : []),
  ];
  return `stack ${site.stack.name}: ${changes.length > 0 ? changes.join(", ") : "no setting changed"}`;
}

/** A used plan is removed with its binding: it cannot apply twice. */
function removePlan(plan: string): void {
  fs.rmSync(plan, { force: true });
  fs.rmSync(bindingFile(plan), { force: true });
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
export async function failback(opts: OperationOptions & SavedPlanOptions & { to?: ClusterName } = {}): Promise<FailbackResult> {
  const log = opts.log ?? nolog;
  const sites = await openSites(opts);
  const primary = opts.to ?? (await currentPrimary(sites));
  const site = sites.site[other(primary)];
  const plan = await savedPlan(sites, site, primary, opts);
  const journal = new Journal();
  const run = await reporting(sites, journal, () =>
    changeAndUp(sites, site, journal, () => flipPrimary(site, primary, false), log, plan, opts.signal),
  );
  if (plan) removePlan(plan);
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
 * when the time runs out; throws {@link Interrupted} as soon as `signal` aborts (Ctrl-C), without
 * waiting for a poll or a request in flight.
 */
async function waitCaughtUp(
  sites: Sites,
  from: ClusterName,
  to: ClusterName,
  timeoutMs: number,
  log: Log,
  signal: AbortSignal | undefined,
  patternData: readonly PatternPair[] = [],
): Promise<number> {
  const cfg = sites.site[to].config;
  const target = reportingConnection(cfg.clusters[to]);
  const leader = reportingConnection(cfg.clusters[from]);
  const pairs = [...cfg.indices.map((p) => ({ follower: p[to], leader: p[from] })), ...patternData];
  const deadline = Date.now() + timeoutMs;
  const progress = throttled(log);
  const what = `${to} to catch up`;
  try {
    for (;;) {
      let lag = 0;
      for (const pair of pairs) {
        const [stats, leaderStats] = await unlessAborted(
          Promise.all([
            ccrFollowStats(target, pair.follower).catch(() => undefined),
            indicesStats(leader, pair.leader).catch(() => undefined),
          ]),
          signal,
          what,
        );
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
      progress(`waiting for ${to} to catch up: ${lag} operations behind`);
      await sleep(CATCH_UP_POLL_MS, signal, what);
    }
  } finally {
    await Promise.all([close(target), close(leader)]);
  }
}

/** A follower index on the switchover's target of a leader index on its source that no declared pair names: pattern-driven data. */
interface PatternPair {
  follower: string;
  leader: string;
}

/**
 * The pattern-driven data a switchover from `from` to `to` must fence and wait for: every follower
 * on `to` of an index of `from` (auto-followed plain indices and data stream backing indices)
 * beside the declared pairs, whose WriteFence resources fence those. Without it the old primary's
 * data streams keep taking writes after the target's promotion paused their followers: writes the
 * target never gets (the failback then quarantines them, but the new primary lacks them).
 */
async function patternPairs(sites: Sites, from: ClusterName, to: ClusterName): Promise<PatternPair[]> {
  const cfg = sites.site[to].config;
  if (cfg.autoFollowPatterns.length === 0) return [];
  const target = reportingConnection(cfg.clusters[to]);
  try {
    const declared = new Set(cfg.indices.map((p) => p[to]));
    return (await ccrFollowInfoOf(target, "_all"))
      .filter((f) => f.remoteCluster === cfg.clusters[from].name && !declared.has(f.followerIndex))
      .map((f) => ({ follower: f.followerIndex, leader: f.leaderIndex }));
  } finally {
    await close(target);
  }
}

/**
 * Write-blocks the leader indices of `pairs` on `site` (its own connection): the pattern-driven
 * part of a switchover's fence. Returns the ones it blocked (an index already blocked is left to
 * whoever blocked it), which an abort unblocks again.
 */
async function fencePatternData(site: Site, pairs: readonly PatternPair[]): Promise<string[]> {
  const es: Es = reportingConnection(site.config.clusters[site.name]);
  const blocked: string[] = [];
  try {
    for (const { leader } of pairs) {
      const d = await indicesGet(es, leader);
      if (!d || d.writeBlocked) continue;
      await indicesAddBlock(es, leader, "write");
      blocked.push(leader);
    }
    return blocked;
  } finally {
    await close(es);
  }
}

/** Removes the write blocks `fencePatternData` added (an abort: nothing was promoted). */
async function liftPatternFence(site: Site, indices: readonly string[]): Promise<void> {
  if (indices.length === 0) return;
  const es: Es = reportingConnection(site.config.clusters[site.name]);
  try {
    for (const index of indices) if (await indicesGet(es, index)) await indicesPutSettings(es, index, { "index.blocks.write": null });
  } finally {
    await close(es);
  }
}

/**
 * Writes (or, with `to` undefined, removes) the switchover record on each of `from`'s configured
 * indices, through `from`'s own site configuration. Removal skips indices without a record of
 * their own, so a finished switchover (whose old index is now a new follower) needs nothing.
 */
async function switchoverRecords(site: Site, to: ClusterName | undefined): Promise<void> {
  const es: Es = reportingConnection(site.config.clusters[site.name]);
  try {
    for (const pair of site.config.indices) {
      const index = pair[site.name];
      const d = await indicesGet(es, index);
      if (!d) continue;
      if (to === undefined) {
        if (decodeSwitchover(d.meta, d.uuid)) await indicesPutMapping(es, index, metaWithSwitchover(d.meta, undefined));
        continue;
      }
      const record = {
        version: 1 as const,
        index,
        indexUuid: d.uuid,
        from: site.name,
        to,
        startedAt: new Date().toISOString(),
        host: os.hostname(),
        pid: process.pid,
      };
      await indicesPutMapping(es, index, metaWithSwitchover(d.meta, record));
    }
  } finally {
    await close(es);
  }
}

/**
 * Lifts the write block on `site`'s indices directly in the cluster, as the WriteFence provider's
 * delete does (providers/writeFence/lifecycle.ts): writes resume at once after an interrupt; the
 * stack update that follows then removes the fence from the state without touching the cluster.
 */
async function liftBlocksNow(site: Site): Promise<void> {
  const es: Es = reportingConnection(site.config.clusters[site.name]);
  try {
    for (const pair of site.config.indices) {
      const index = pair[site.name];
      const d = await indicesGet(es, index);
      if (!d || !d.writeBlocked || String(d.settings["index.xpack.ccr.following_index"]) === "true") continue;
      await indicesPutSettings(es, index, { "index.blocks.write": null });
    }
  } finally {
    await close(es);
  }
}

/** `site`'s configured indices that are not write-blocked (after a fence they must all be). */
async function unfencedIndices(site: Site): Promise<string[]> {
  const es: Es = reportingConnection(site.config.clusters[site.name]);
  try {
    const out: string[] = [];
    for (const pair of site.config.indices) {
      const d = await indicesGet(es, pair[site.name]);
      if (d && !d.writeBlocked) out.push(pair[site.name]);
    }
    return out;
  } finally {
    await close(es);
  }
}

/**
 * `switchover --to X` (planned, both clusters up): fence the current primary, wait until X has
 * caught up, promote X, then make the old primary follow X. Aborts — lifting the fence, promoting
 * nothing — when X does not catch up in time, when a step before the promotion fails, and on
 * Ctrl-C (exit 130). A switchover record on the fenced indices (es/records.ts) stays behind only
 * if the process is killed, so that `status` shows the fence with the command that resolves it.
 */
export async function switchover(to: ClusterName, opts: OperationOptions & { timeoutMs?: number } = {}): Promise<SwitchoverResult> {
  const log = opts.log ?? nolog;
  const sites = await openSites(opts);
  const from = other(to);
  const source = sites.site[from];
  const target = sites.site[to];
  const journal = new Journal();
  return reporting(sites, journal, async () => {
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
      let lag: number;
      let patternFence: string[] = [];
      try {
        await switchoverRecords(source, to);
        journal.note(`switchover record on ${from}'s indices`);
        journal.note(await flipPrimary(source, from, true));
        runs.push(await up(source, log, undefined, opts.signal, journal));
        const open = await unfencedIndices(source);
        if (open.length > 0)
          throw new CliError(EXIT.failed, `the fence on ${from} is not in place: ${open.join(", ")} still takes writes after pulumi up`, {
            hint: `the stack ${source.stack.name} records a fence the cluster does not have; the fence is lifted from the stack, run the switchover again`,
          });
        const pattern = await patternPairs(sites, from, to);
        patternFence = await fencePatternData(source, pattern);
        if (patternFence.length > 0) {
          journal.note(`write block on ${from}'s ${patternFence.length} pattern-driven index(es)`);
          log(`fence ${from}: ${patternFence.length} index(es) auto-followed by ${to} (data stream backing indices included)`);
        }
        fencedAt = Date.now();
        lag = await waitCaughtUp(sites, from, to, opts.timeoutMs ?? CATCH_UP_TIMEOUT_MS, log, opts.signal, pattern);
      } catch (e) {
        // Nothing is promoted yet: take the fence down again, whatever stopped the switchover.
        const interrupted = e instanceof Interrupted || opts.signal?.aborted === true;
        log(`${interrupted ? "interrupted" : "stopped"}: lifting the fence on ${from}; nothing was promoted`);
        try {
          await liftPatternFence(source, patternFence);
          await liftFence(source, journal, log);
        } catch (lift) {
          throw new CliError(
            EXIT.failed,
            `switchover to ${to} stopped (${(e as Error).message}) and lifting the fence on ${from} failed: ${(lift as Error).message}`,
            { cause: e, hint: `nothing was promoted; once ${from} answers, run \`${switchoverCommand(to)}\` to finish or abort it` },
          );
        }
        if (interrupted) {
          throw new CliError(
            EXIT.interrupted,
            `switchover to ${to} interrupted: nothing was promoted, the fence on ${from} is lifted and ${from} takes writes again`,
            { hint: `run \`${switchoverCommand(to)}\` to start it again`, selfContained: true },
          );
        }
        throw e;
      }
      if (lag > 0) {
        log(`${to} is ${lag} operations behind after the timeout: aborting, lifting the fence on ${from}`);
        await liftPatternFence(source, patternFence);
        await liftFence(source, journal, log);
        throw new CliError(
          EXIT.aborted,
          `switchover to ${to} aborted: ${to} was still ${lag} operations behind ${from}; nothing was promoted and ${from} takes writes again`,
          { selfContained: true },
        );
      }
      log(`${to} has caught up`);
      journal.note(await flipPrimary(target, to));
      runs.push(await up(target, log, undefined, opts.signal, journal));
    }
    const writeUnavailableMs = Date.now() - fencedAt;
    journal.note(await flipPrimary(source, to, false));
    runs.push(await up(source, log, undefined, opts.signal, journal));
    await switchoverRecords(source, undefined);
    return { from, to, runs, writeUnavailableMs, rpoOperations: 0 };
  });
}

/**
 * Takes the fence of an unfinished switchover down: the blocks first, directly (writes resume at
 * once), then `ccr-dr:fenced=false` and an update that removes the fence from the stack's state,
 * then the switchover record. Not interruptible: it is what an interrupt runs.
 */
async function liftFence(source: Site, journal: Journal, log: Log): Promise<void> {
  await liftBlocksNow(source);
  journal.note(`write block lifted on ${source.name}'s indices`);
  journal.note(await flipPrimary(source, source.name, false));
  await switchoverRecords(source, undefined);
  await up(source, log, undefined, undefined, journal);
}
