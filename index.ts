/**
 * The ccr-dr program: one stack per site (dr-a manages clusterA, dr-b clusterB). Each site
 * registers its peer as a remote cluster and, unless it is the primary, follows every index pair
 * from the primary. Flipping `ccr-dr:primary` and running `pulumi up` on a site is therefore its
 * failover (its followers are deleted = promoted) or its failback (followers are created over the
 * stale indices: fence, lineage check, quarantine, delete, follow). Only the site's own cluster is
 * needed by a plan, so the surviving site plans and applies while the other one is down; the peer
 * is only read, bounded and never depended on, to tell what the run does (stack/transition.ts), in
 * a failover to refuse a split brain (stack/splitBrain.ts), and for the `health` output of a
 * follower site.
 *
 * Which resources a site declares is decided by stack/sitePlan.ts from the parsed configuration;
 * this file turns that plan into resources and outputs.
 */
// First: the SDK's per-promise stack traces skip source-map-support (stack/stackTraces.ts).
import "./stack/stackTraces";
// Pulumi values from its modules, not its index: the index also loads the Automation API and
// TypeScript, half a second of every `pulumi up` (bench/README.md).
import type * as pulumi from "@pulumi/pulumi";
import { Config } from "@pulumi/pulumi/config";
import { RunError } from "@pulumi/pulumi/errors";
import * as log from "@pulumi/pulumi/log";
import { isDryRun } from "@pulumi/pulumi/runtime/settings";
import { getStack } from "@pulumi/pulumi/metadata";
import { output, secret, unknown } from "@pulumi/pulumi/output";
import type { CustomResource } from "@pulumi/pulumi/resource";
import {
  AutoFollowPattern,
  FollowerIndex,
  PatternFailback,
  PatternPromotion,
  QuarantineName,
  quarantineIndexFor,
  RemoteCluster,
  WriteFence,
} from "./providers";
import { PATTERN_PROMOTION_DELETE_MEANS } from "./providers/patternPromotion/resource";
import { deleteMeaning } from "./providers/followerIndex/preview";
import type { ConnectionArgs } from "./providers";
import { type ClusterConfig, parseSiteConfig } from "./stack/config";
import { readSiteHealth } from "./stack/health/output";
import { readLastPromotion } from "./stack/promotionOutput";
import { type Declaration, forcedFenceDeclarations, type IndexPlan, planSite, type QuarantineIndexRef, type Ref } from "./stack/sitePlan";
import { readTransition, type Transition } from "./stack/transition";

const config = new Config("ccr-dr");
const cfg = parseSiteConfig({
  site: config.get("site"),
  primary: config.get("primary"),
  clusters: config.getObject("clusters"),
  indices: config.getObject("indices"),
  indicesFile: config.get("indicesFile"),
  autoFollowPatterns: config.getObject("autoFollowPatterns"),
  fenced: config.getObject("fenced"),
  force: config.getObject("force"),
});

/** A cluster's connection; credentials become secrets even when given as plain config. */
function connectionOf(c: ClusterConfig): ConnectionArgs {
  return {
    name: c.name,
    endpoints: c.endpoints,
    ...(c.username !== undefined ? { basicAuth: secret({ username: c.username, password: c.password ?? "" }) } : {}),
    ...(c.apiKey !== undefined ? { apiKey: secret(c.apiKey) } : {}),
    ...(c.caCertificate !== undefined ? { caCertificate: c.caCertificate } : {}),
    ...(c.requestTimeoutMs !== undefined ? { requestTimeoutMs: c.requestTimeoutMs } : {}),
  };
}

/**
 * A stack output read live from the clusters: unknown in a preview. A saved plan (`ccr-dr plan`,
 * `pulumi preview --save-plan`) records the stack's outputs and `pulumi up --plan` refuses any
 * output that differs from the recorded value ("resource violates plan"); a live read always
 * differs (its `readAt`, the promotions of the run itself), so a recorded one would make every
 * saved plan fail at its last step, after the promotions. Unknown matches any value.
 */
function liveOutput<T>(read: () => Promise<T>): pulumi.Output<pulumi.Unwrap<T>> {
  return isDryRun() ? (output(unknown) as unknown as pulumi.Output<pulumi.Unwrap<T>>) : output(read());
}

// The `lastPromotion` output, read from this site's cluster only (never the peer), bounded and never
// failing the program. Started before the resources are declared, so that it overlaps them.
const lastPromotionRead = liveOutput(() =>
  readLastPromotion(
    cfg.clusters[cfg.site],
    cfg.indices.map((pair) => pair[cfg.site]),
  ),
);
// The `health` output: the verdict of `ccr-dr status` on this site's followers, bounded, never failing.
const healthRead = liveOutput(() => readSiteHealth(cfg, getStack()));

// What this run does to the site's indices (failover: promotions and the split-brain guard;
// failback: fence, quarantine, delete, re-follow), read now, bounded, never failing the read.
const transitionRead = readTransition(cfg);

const plan = planSite(cfg);
const connections = { clusterA: connectionOf(cfg.clusters.clusterA), clusterB: connectionOf(cfg.clusters.clusterB) };
const declared = new Map<string, CustomResource>();
const key = (r: Ref) => `${r.kind}:${r.name}`;
/** A declared resource of the plan, as its class. */
const get = <T extends CustomResource>(r: Ref) => declared.get(key(r)) as T;
/** The quarantine index `q` names, from the generated name. */
const quarantineIndex = (q: QuarantineIndexRef) =>
  get<QuarantineName>({ kind: "quarantineName", name: q.quarantineName }).name.apply((n) => quarantineIndexFor(n, q.index));

/** One declaration of the plan as its resource. */
function declare(d: Declaration): CustomResource {
  const opts = d.dependsOn.length > 0 ? { dependsOn: d.dependsOn.map(get) } : undefined;
  switch (d.kind) {
    case "remoteCluster":
      return new RemoteCluster(d.name, { ...d.args, connection: connections[d.args.connection] }, opts);
    case "quarantineName":
      return new QuarantineName(d.name, d.args, opts);
    case "writeFence":
      return new WriteFence(d.name, { ...d.args, connection: connections[d.args.connection] }, opts);
    case "followerIndex":
      return new FollowerIndex(
        d.name,
        {
          ...d.args,
          connection: connections[d.args.connection],
          leaderConnection: connections[d.args.leaderConnection],
          failback: { enabled: d.args.failback.enabled, quarantineIndex: quarantineIndex(d.args.failback.quarantineIndex) },
          deleteMeans: deleteMeaning({
            index: d.args.index,
            cluster: d.args.connection,
            remoteCluster: d.args.remoteCluster,
            leaderIndex: d.args.leaderIndex,
            onDelete: "promote",
          }),
        },
        opts,
      );
    case "autoFollowPattern":
      return new AutoFollowPattern(d.name, { ...d.args, connection: connections[d.args.connection] }, opts);
    case "patternFailback":
      return new PatternFailback(
        d.name,
        {
          ...d.args,
          connection: connections[d.args.connection],
          leaderConnection: connections[d.args.leaderConnection],
          quarantineName: get<QuarantineName>({ kind: "quarantineName", name: d.args.quarantineName }).name,
        },
        opts,
      );
    case "patternPromotion":
      return new PatternPromotion(
        d.name,
        {
          ...d.args,
          connection: connections[d.args.connection],
          leaderConnection: connections[d.args.leaderConnection],
          deleteMeans: PATTERN_PROMOTION_DELETE_MEANS,
        },
        opts,
      );
  }
}
for (const d of plan.declarations) declared.set(key(d), declare(d));

/**
 * Tells what this run does (Pulumi shows program diagnostics in `preview` and `up`) and applies
 * the split-brain guard of a failover (stack/splitBrain.ts): refused at `up` while the old primary
 * answers and takes writes, unless `ccr-dr:force`, which declares a kept write fence on each such
 * index through the old primary's own connection. Pulumi creates those before the deletes that
 * promote (deletes of removed resources run after every create).
 */
function applyTransition(t: Transition): { kind: Transition["kind"]; lines: string[]; guard?: string } {
  for (const line of t.lines) void log.warn(line);
  const g = t.guard;
  if (g?.action === "refuse") {
    // An unhandled RunError: Pulumi logs its message alone and fails the program, so no delete (promotion) runs.
    if (!isDryRun()) void Promise.reject(new RunError(g.message));
    else void log.warn(`\`pulumi up\` will REFUSE this failover: ${g.message}`);
  } else if (g?.action === "fence") {
    for (const d of forcedFenceDeclarations(cfg, g.indices)) declared.set(key(d), declare(d));
    void log.warn(g.message);
  } else if (g) {
    void log.warn(g.message);
  }
  return { kind: t.kind, lines: t.lines, ...(g ? { guard: `${g.action}: ${g.message}` } : {}) };
}

interface IndexStatus {
  role: "leader" | "follower";
  leader: string;
  status: pulumi.Output<string> | string;
  globalCheckpointLag?: pulumi.Output<number | undefined>;
  quarantineIndex?: pulumi.Output<string>;
  quarantinedDocuments?: pulumi.Output<number>;
  fenced?: boolean;
}

/** An index's entry of `indexStatus`. */
function indexStatusOf(i: IndexPlan): IndexStatus {
  if (i.role === "leader") {
    const fence = i.fence ? get<WriteFence>(i.fence) : undefined;
    return {
      role: "leader",
      leader: i.leader,
      status: fence ? fence.blocked.apply((b) => (b ? "fenced" : "open")) : "open",
      fenced: i.fenced,
    };
  }
  const follower = get<FollowerIndex>(i.follower);
  return {
    role: "follower",
    leader: i.leader,
    status: follower.status,
    globalCheckpointLag: follower.globalCheckpointLag,
    quarantineIndex: quarantineIndex(i.quarantineIndex),
    quarantinedDocuments: follower.quarantinedDocuments,
  };
}

/** This site's role: `primary` takes writes; `follower` replicates from the primary. */
export const role = plan.role;
export const siteName = cfg.site;
export const primary = cfg.primary;
export const remoteConnected = get<RemoteCluster>(plan.remote).connected;
/** Per index on this site: role, leader, follow status, lag in operations, quarantine. */
export const indexStatus = Object.fromEntries(plan.indices.map((i) => [i.index, indexStatusOf(i)]));
/** Auto-follow patterns this site registered against the primary. */
export const autoFollowPatterns = plan.autoFollowPatterns.map((r) => get<AutoFollowPattern>(r).name);
/**
 * The ccr-dr promotion records on this site's cluster, read while this program ran:
 * `{status: "ok", cluster, indices: {<index>: record}, newest?}` or `{status: "unavailable", cluster,
 * reason}` (stack/promotionOutput.ts, docs/configuration.md). A failover's promotions run after the
 * program (they are deletes), so the record of a failover shows from the next `pulumi up` on.
 */
export const lastPromotion = lastPromotionRead;
/**
 * What this run did to the site's indices, in DR words: `kind` (failover, failback or none), one
 * line per index, and the failover's split-brain `guard`. A preview reads it too and logs the lines
 * as warnings (what `ccr-dr plan` shows), but the output is unknown there (see `liveOutput`).
 */
export const transition = output(transitionRead.then(applyTransition).then((t) => (isDryRun() ? unknown : t)));
/**
 * The health of this site's followers as `ccr-dr status` judges it (stack/health/output.ts):
 * `{status: "ok", cluster, role, state?, followers: {<index>: {state, reasons, fix?, lagOperations?,
 * lagOperationsAtLeast?, lagSeconds?, leaseExpiresAt?, remoteConnected?, …}}, readAt}` or
 * `{status: "unavailable", cluster, state: "unknown", reason}`. Unknown values are absent, never 0.
 */
export const health = healthRead;
