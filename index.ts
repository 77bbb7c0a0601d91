/**
 * The ccr-dr program: one stack per site (dr-a manages clusterA, dr-b clusterB). Each site
 * registers its peer as a remote cluster and, unless it is the primary, follows every index pair
 * from the primary. Flipping `ccr-dr:primary` and running `pulumi up` on a site is therefore its
 * failover (its followers are deleted = promoted) or its failback (followers are created over the
 * stale indices: fence, lineage check, quarantine, delete, follow). Only the site's own cluster is
 * ever contacted by a plan, so the surviving site plans and applies while the other one is down.
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
import { output, secret } from "@pulumi/pulumi/output";
import type { CustomResource } from "@pulumi/pulumi/resource";
import { AutoFollowPattern, FollowerIndex, QuarantineName, quarantineIndexFor, RemoteCluster, WriteFence } from "./providers";
import type { ConnectionArgs } from "./providers";
import { type ClusterConfig, parseSiteConfig } from "./stack/config";
import { readLastPromotion } from "./stack/promotionOutput";
import { type Declaration, type IndexPlan, planSite, type QuarantineIndexRef, type Ref } from "./stack/sitePlan";

const config = new Config("ccr-dr");
const cfg = parseSiteConfig({
  site: config.get("site"),
  primary: config.get("primary"),
  clusters: config.getObject("clusters"),
  indices: config.getObject("indices"),
  autoFollowPatterns: config.getObject("autoFollowPatterns"),
  fenced: config.getObject("fenced"),
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

// The `lastPromotion` output, read from this site's cluster only (never the peer), bounded and never
// failing the program. Started before the resources are declared, so that it overlaps them.
const lastPromotionRead = readLastPromotion(
  cfg.clusters[cfg.site],
  cfg.indices.map((pair) => pair[cfg.site]),
);

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
        },
        opts,
      );
    case "autoFollowPattern":
      return new AutoFollowPattern(d.name, { ...d.args, connection: connections[d.args.connection] }, opts);
  }
}
for (const d of plan.declarations) declared.set(key(d), declare(d));

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
export const lastPromotion = output(lastPromotionRead);
