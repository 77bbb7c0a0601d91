/**
 * The `health` stack output: the same verdict as `ccr-dr status` (stack/health/classify.ts) for this
 * site's followers, read while the program runs, so that a pipeline reading stack outputs sees
 * replication that is broken even when `pulumi up` succeeded.
 *
 * It reads this site's cluster and, for the lag and the failback window, the primary's. A preview
 * must succeed while the peer is down, so every request is short and unretried, the whole read is
 * bounded ({@link HEALTH_OUTPUT_TIMEOUT_MS}), and it never rejects: what could not be read is
 * `unknown` with the reason, never 0. Like `lastPromotion`, it shows the world as the program
 * started: the changes of the same `pulumi up` show from the next run.
 */
import { classifyFollower, worst } from "./classify";
import { DEFAULT_LAG_BUDGET, type HealthState } from "./model";
import { observeFollower, readRemotes } from "./observe";
import { info } from "../../es/cluster";
import { close, connect, type Es } from "../../es/connection";
import { type ClusterConfig, type ClusterName, plainConnection, type SiteConfig } from "../config";

/** Upper bound on the whole read. */
export const HEALTH_OUTPUT_TIMEOUT_MS = 3_000;
/** Bound on one request (a dead peer is found out within it). */
const REQUEST_TIMEOUT_MS = 1_500;

/** One follower of this site, as `ccr-dr status --json` has it (`health`), flattened. */
export interface FollowerHealthOutput {
  state: HealthState;
  reasons: string[];
  fix?: string;
  /** Present only when read from the leader. */
  lagOperations?: number;
  /** Lower bound when the leader could not be read. */
  lagOperationsAtLeast?: number;
  lagSeconds?: number;
  lagSecondsAtLeast?: number;
  lagUnknownReason?: string;
  /** When the leader's retention lease for this follower expires (ISO). */
  leaseExpiresAt?: string;
  remoteConnected?: boolean;
}

export type HealthOutput =
  | {
      status: "ok";
      cluster: ClusterName;
      role: "primary" | "follower";
      /** Worst of `followers`; absent on the primary, which has none. */
      state?: HealthState;
      followers: Record<string, FollowerHealthOutput>;
      readAt: string;
    }
  | { status: "unavailable"; cluster: ClusterName; state: "unknown"; reason: string };

function connection(c: ClusterConfig): Es {
  return connect(plainConnection(c, Math.min(REQUEST_TIMEOUT_MS, c.requestTimeoutMs ?? REQUEST_TIMEOUT_MS)), { maxRetries: 0 });
}

async function read(cfg: SiteConfig, stack: string, opened: Es[]): Promise<HealthOutput> {
  const site = cfg.site;
  const base = { status: "ok" as const, cluster: site, readAt: new Date().toISOString() };
  if (cfg.primary === site) return { ...base, role: "primary", followers: {} };
  const own = connection(cfg.clusters[site]);
  opened.push(own);
  await info(own); // this site's cluster must answer, or the whole output is unavailable
  const peer = connection(cfg.clusters[cfg.primary]);
  opened.push(peer);
  const leader = await info(peer).then(
    () => peer,
    // Without the "Likely fix" advice: the reason is repeated in every follower's lines.
    (e: unknown) => ({ unreachable: (e instanceof Error ? e.message : String(e)).split(/\. Likely fix/)[0]! }),
  );
  const remotes = await readRemotes(own);
  const followers: Record<string, FollowerHealthOutput> = {};
  for (const pair of cfg.indices) {
    const o = await observeFollower({
      follower: own,
      leader,
      cluster: site,
      stack,
      index: pair[site],
      leaderCluster: cfg.primary,
      leaderIndex: pair[cfg.primary],
      remotes,
    });
    const h = classifyFollower(o, DEFAULT_LAG_BUDGET);
    followers[pair[site]] = {
      state: h.state,
      reasons: h.reasons,
      ...(h.fix ? { fix: h.fix } : {}),
      ...(h.lag.operations !== undefined ? { lagOperations: h.lag.operations } : {}),
      ...(h.lag.operationsAtLeast !== undefined ? { lagOperationsAtLeast: h.lag.operationsAtLeast } : {}),
      ...(h.lag.seconds !== undefined ? { lagSeconds: h.lag.seconds } : {}),
      ...(h.lag.secondsAtLeast !== undefined ? { lagSecondsAtLeast: h.lag.secondsAtLeast } : {}),
      ...(h.lag.unknownReason ? { lagUnknownReason: h.lag.unknownReason } : {}),
      ...(h.failbackWindow.leaseExpiresAt ? { leaseExpiresAt: h.failbackWindow.leaseExpiresAt } : {}),
      ...(h.remote ? { remoteConnected: h.remote.connected } : {}),
    };
  }
  return { ...base, role: "follower", state: worst(Object.values(followers).map((f) => f.state)), followers };
}

/**
 * Reads the health of this site's followers within `timeoutMs`; never rejects. `stack` (this
 * program's stack) goes into the commands that fix what is found.
 */
export async function readSiteHealth(cfg: SiteConfig, stack: string, timeoutMs: number = HEALTH_OUTPUT_TIMEOUT_MS): Promise<HealthOutput> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const opened: Es[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the health read did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([read(cfg, stack, opened), deadline]);
  } catch (e) {
    return { status: "unavailable", cluster: cfg.site, state: "unknown", reason: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
    for (const es of opened) close(es).catch(() => undefined);
  }
}
