/**
 * The ccr-dr program: one stack per site (dr-a manages clusterA, dr-b clusterB). Each site
 * registers its peer as a remote cluster and, unless it is the primary, follows every index pair
 * from the primary. Flipping `ccr-dr:primary` and running `pulumi up` on a site is therefore its
 * failover (its followers are deleted = promoted) or its failback (followers are created over the
 * stale indices: fence, lineage check, quarantine, delete, follow). Only the site's own cluster is
 * ever contacted by a plan, so the surviving site plans and applies while the other one is down.
 */
// Pulumi values from its modules, not its index: the index also loads the Automation API and
// TypeScript, half a second of every `pulumi up` (bench/README.md).
import type * as pulumi from "@pulumi/pulumi";
import { Config } from "@pulumi/pulumi/config";
import { output, secret } from "@pulumi/pulumi/output";
import { AutoFollowPattern, FollowerIndex, QuarantineName, quarantineIndexFor, RemoteCluster, WriteFence } from "./providers";
import type { ConnectionArgs } from "./providers";
import { type ClusterConfig, parseSiteConfig } from "./stack/config";
import { readLastPromotion } from "./stack/promotionOutput";

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

const site = cfg.clusters[cfg.site];
const peer = cfg.clusters[cfg.peer];
const isPrimary = cfg.site === cfg.primary;
const connection = connectionOf(site);

// The `lastPromotion` output, read from this site's cluster only (never the peer), bounded and never
// failing the program. Started before the resources are declared, so that it overlaps them.
const lastPromotionRead = readLastPromotion(site, cfg.indices.map((pair) => pair[cfg.site]));

// The tutorial's remote-cluster body, registered on this site for its peer.
const remote = new RemoteCluster(`${cfg.peer}-remote`, {
  connection,
  alias: peer.name,
  ...(peer.remote.mode === "proxy"
    ? {
        mode: "proxy" as const,
        proxyAddress: peer.remote.proxyAddress,
        ...(peer.remote.serverName !== undefined ? { serverName: peer.remote.serverName } : {}),
        ...(peer.remote.proxySocketConnections !== undefined ? { proxySocketConnections: peer.remote.proxySocketConnections } : {}),
      }
    : {
        mode: "sniff" as const,
        seeds: peer.remote.seeds,
        ...(peer.remote.nodeConnections !== undefined ? { nodeConnections: peer.remote.nodeConnections } : {}),
      }),
  ...(peer.remote.skipUnavailable !== undefined ? { skipUnavailable: peer.remote.skipUnavailable } : {}),
});

interface IndexStatus {
  role: "leader" | "follower";
  leader: string;
  status: pulumi.Output<string> | string;
  globalCheckpointLag?: pulumi.Output<number | undefined>;
  quarantineIndex?: pulumi.Output<string>;
  quarantinedDocuments?: pulumi.Output<number>;
  fenced?: boolean;
}

// One name per failback for the whole site, not one per index: each resource costs a failover two
// whole-state writes of the file backend (bench/README.md). New when this site starts following
// (the primary changed), stable across re-runs of the same failback; every index of that failback
// quarantines into `<name>-<index>`, so one failback's evidence is `<name>-*`.
const quarantine = isPrimary
  ? undefined
  : new QuarantineName("quarantine-name", { prefix: "ccr-dr-quarantine", keepers: { primary: cfg.primary } });

const indices: Record<string, IndexStatus> = {};
for (const pair of cfg.indices) {
  const local = pair[cfg.site];
  const upstream = pair[cfg.primary];
  if (isPrimary) {
    // The first step of a planned switchover: no write may be acknowledged here any more.
    const fence = cfg.fenced ? new WriteFence(`${local}-fence`, { connection, index: local }) : undefined;
    indices[local] = { role: "leader", leader: `${cfg.site}:${local}`, status: fence ? fence.blocked.apply((b) => (b ? "fenced" : "open")) : "open", fenced: cfg.fenced };
    continue;
  }
  const quarantineIndex = quarantine!.name.apply((n) => quarantineIndexFor(n, local));
  const follower = new FollowerIndex(
    local,
    {
      connection,
      leaderConnection: connectionOf(peer),
      index: local,
      remoteCluster: peer.name,
      leaderIndex: upstream,
      failback: { enabled: true, quarantineIndex },
    },
    // Deleting (promoting) followers must happen before their remote cluster goes away.
    { dependsOn: [remote] },
  );
  indices[local] = {
    role: "follower",
    leader: `${cfg.primary}:${upstream}`,
    status: follower.status,
    globalCheckpointLag: follower.globalCheckpointLag,
    quarantineIndex,
    quarantinedDocuments: follower.quarantinedDocuments,
  };
}

// Leader indices created later on the primary are followed too (only while this site follows).
const autoFollow = isPrimary
  ? []
  : cfg.autoFollowPatterns.map(
      (p) =>
        new AutoFollowPattern(
          `${p.name}-auto-follow`,
          {
            connection,
            name: p.name,
            remoteCluster: peer.name,
            leaderIndexPatterns: p.leaderIndexPatterns,
            ...(p.leaderIndexExclusionPatterns ? { leaderIndexExclusionPatterns: p.leaderIndexExclusionPatterns } : {}),
            ...(p.followIndexPattern ? { followIndexPattern: p.followIndexPattern } : {}),
          },
          { dependsOn: [remote] },
        ),
    );

/** This site's role: `primary` takes writes; `follower` replicates from the primary. */
export const role = isPrimary ? "primary" : "follower";
export const siteName = cfg.site;
export const primary = cfg.primary;
export const remoteConnected = remote.connected;
/** Per index on this site: role, leader, follow status, lag in operations, quarantine. */
export const indexStatus = indices;
/** Auto-follow patterns this site registered against the primary. */
export const autoFollowPatterns = autoFollow.map((p) => p.name);
/**
 * The ccr-dr promotion records on this site's cluster, read while this program ran:
 * `{status: "ok", cluster, indices: {<index>: record}, newest?}` or `{status: "unavailable", cluster,
 * reason}` (stack/promotionOutput.ts, docs/configuration.md). A failover's promotions run after the
 * program (they are deletes), so the record of a failover shows from the next `pulumi up` on.
 */
export const lastPromotion = output(lastPromotionRead);
