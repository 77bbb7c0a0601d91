/**
 * What a saved plan (`ccr-dr plan --to X`) is bound to: the stack file it was made with, the state
 * of both clusters it was made from, and the time it was made. `failover`/`failback` compare all
 * three before they change anything, so a plan made for another world is refused (exit 6) instead
 * of being applied — Pulumi's own plan check only compares resource properties, and an old plan
 * whose properties still match would run against clusters that moved on.
 *
 * The cluster state is what decides what an update does: per configured index, whether it exists
 * and which index it is (UUID), whether it follows and whom, its write block and its promotion
 * record. Checkpoints are left out: a healthy follower's advance every second, and what they mean
 * for data loss is re-estimated by every `plan` (RPO), not frozen in the plan.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { ccrFollowInfo } from "../es/ccr";
import { info } from "../es/cluster";
import { close } from "../es/connection";
import { indicesGet } from "../es/indices";
import { decodePromotion } from "../es/records";
import { CLUSTER_NAMES, type ClusterName, type SiteConfig } from "../stack/config";
import { reportingConnection } from "./status";

/** How long a saved plan is good for unless `--plan-max-age` says otherwise. */
export const DEFAULT_PLAN_MAX_AGE_MS = 10 * 60_000;

/** One configured index as a plan sees it. */
export interface IndexFingerprint {
  exists: boolean;
  uuid?: string;
  /** "none" for a regular index. */
  follows?: "active" | "paused" | "none";
  leader?: string;
  writeBlocked?: boolean;
  /** `promoted_at` of the promotion record about this index. */
  promotedAt?: string;
}

/** Both clusters as a plan sees them; `unreachable` is a state too (the disaster case). */
export type WorldFingerprint = Record<ClusterName, { reachable: boolean; indices: Record<string, IndexFingerprint> }>;

/** The file saved beside a Pulumi update plan. */
export interface PlanBinding {
  version: 1;
  to: ClusterName;
  site: ClusterName;
  stack: string;
  /** When the plan's world was read (ISO 8601). */
  madeAt: string;
  /** SHA-256 of the stack file (Pulumi.<stack>.yaml) the plan was made with, as restored after it. */
  stackFileSha256: string;
  world: WorldFingerprint;
}

export function sha256File(file: string): string {
  return createHash("sha256")
    .update(fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0))
    .digest("hex");
}

async function indexFingerprint(es: ReturnType<typeof reportingConnection>, index: string): Promise<IndexFingerprint> {
  const d = await indicesGet(es, index);
  if (!d) return { exists: false };
  const follow = await ccrFollowInfo(es, index);
  const promotion = follow ? undefined : decodePromotion(d.meta, d.uuid);
  return {
    exists: true,
    uuid: d.uuid,
    follows: follow?.status ?? "none",
    ...(follow ? { leader: `${follow.remoteCluster}:${follow.leaderIndex}` } : {}),
    writeBlocked: d.writeBlocked,
    ...(promotion ? { promotedAt: promotion.promotedAt } : {}),
  };
}

/** Reads both clusters, each through its own site's configuration (as `status` does). */
export async function readWorld(configs: Record<ClusterName, SiteConfig>): Promise<WorldFingerprint> {
  const entries = await Promise.all(
    CLUSTER_NAMES.map(async (name) => {
      const cfg = configs[name];
      const es = reportingConnection(cfg.clusters[name]);
      try {
        await info(es);
        const indices: Record<string, IndexFingerprint> = {};
        for (const pair of cfg.indices) indices[pair[name]] = await indexFingerprint(es, pair[name]);
        return [name, { reachable: true, indices }] as const;
      } catch {
        return [name, { reachable: false, indices: {} }] as const;
      } finally {
        await close(es);
      }
    }),
  );
  return Object.fromEntries(entries) as WorldFingerprint;
}

function describe(f: IndexFingerprint | undefined): string {
  if (!f || !f.exists) return "absent";
  const role =
    f.follows && f.follows !== "none" ? `${f.follows === "active" ? "an active" : "a paused"} follower of ${f.leader}` : "a regular index";
  return `${role} (uuid ${f.uuid}${f.writeBlocked ? ", write-blocked" : ""}${f.promotedAt ? `, promoted ${f.promotedAt}` : ""})`;
}

/** "5 min", "42 s". */
export function formatAge(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * Why a saved plan may not be used now, or undefined when it may: too old, made with another
 * stack file, or from clusters that have changed since. The first difference is named.
 */
export function planStaleness(
  binding: PlanBinding,
  now: { at: number; stackFileSha256: string; world: WorldFingerprint },
  maxAgeMs: number,
): string | undefined {
  const age = now.at - Date.parse(binding.madeAt);
  if (!Number.isFinite(age)) return `it has no valid time of making (${binding.madeAt})`;
  if (age > maxAgeMs) return `it was made ${formatAge(age)} ago, more than --plan-max-age ${formatAge(maxAgeMs)}`;
  if (binding.stackFileSha256 !== now.stackFileSha256) return `Pulumi.${binding.stack}.yaml has changed since it was made`;
  for (const c of CLUSTER_NAMES) {
    const was = binding.world[c];
    const is = now.world[c];
    if (!was || !is) return `it does not record ${c}`;
    if (was.reachable !== is.reachable)
      return `${c} was ${was.reachable ? "reachable" : "unreachable"} when it was made and is ${is.reachable ? "reachable" : "unreachable"} now`;
    for (const index of new Set([...Object.keys(was.indices), ...Object.keys(is.indices)])) {
      const a = describe(was.indices[index]);
      const b = describe(is.indices[index]);
      if (a !== b) return `${index} on ${c} was ${a} when it was made and is ${b} now`;
    }
  }
  return undefined;
}

/** Parses `--plan-max-age`: a number with a unit (ms, s, m, h); a bare number is seconds. */
export function parseDuration(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return n > 0 ? n : undefined;
}
