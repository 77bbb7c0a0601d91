/**
 * The health model of `ccr-dr status`, `--format prometheus` and the `health` stack output: what
 * was read about each follower (an observation) and what it means (a verdict). Only types and
 * constants: the reading is in observe.ts, the meaning in classify.ts (pure).
 */
import type { RemoteInfo } from "../../es/cluster";
import type { FollowShardStats } from "../../es/ccr";
import type { ShardSeqNo, ShardSeqNoAndLeases } from "../../es/indices";
import type { ClusterName } from "../config";

/** Health of one follower, worst first in {@link HEALTH_ORDER}. */
export type HealthState = "healthy" | "lagging" | "broken" | "unknown";
export const HEALTH_STATES: readonly HealthState[] = ["healthy", "lagging", "broken", "unknown"];

/** When a follower counts as lagging; `ccr-dr status --max-lag-ops / --max-lag-seconds`. */
export interface LagBudget {
  maxLagOperations: number;
  maxLagSeconds: number;
}

/**
 * Defaults: a follower that keeps up is within a read batch of its leader (ES reads up to 5120
 * operations per request) and within a minute (ES's `read_poll_timeout`).
 */
export const DEFAULT_LAG_BUDGET: Readonly<LagBudget> = { maxLagOperations: 1000, maxLagSeconds: 60 };

/** `index.soft_deletes.retention_lease.period` when the leader index does not set it (ES's default). */
export const DEFAULT_RETENTION_LEASE_PERIOD_MS = 12 * 3_600_000;

/** The leader as read from the leader cluster itself, or why it could not be. */
export type LeaderObservation =
  | {
      reachable: true;
      /** The leader index's primaries: sequence numbers and retention leases; undefined when the index is absent. */
      shards: ShardSeqNoAndLeases[] | undefined;
      /** The leader index's `index.soft_deletes.retention_lease.period`. */
      leasePeriodMs: number;
      /**
       * Age in ms of the oldest document above the follower's global checkpoint, per its
       * `@timestamp` (the largest over shards); undefined when no such document carries one.
       */
      oldestMissingAgeMs?: number;
    }
  | { reachable: false; reason: string };

/** Everything read about one configured follower index (the input of classification). */
export interface FollowerObservation {
  /** The cluster holding the follower. */
  cluster: ClusterName;
  /** The stack of that cluster's site (for the commands that fix things). */
  stack: string;
  index: string;
  /** The leader the configuration says it follows. */
  leaderCluster: ClusterName;
  leaderIndex: string;
  /** The follower cluster could not be read. */
  followerError?: string;
  /** Whether the index exists on the follower cluster. */
  exists: boolean;
  uuid?: string;
  /** `ccr.follow_info`; undefined when the index is not a follower. */
  follow?: { status: "active" | "paused"; remoteCluster: string; leaderIndex: string };
  /** `_remote/info` of the follow's alias on the follower cluster; an error when it could not be read. */
  remote?: RemoteInfo | { error: string };
  /** `ccr.follow_stats` shards (active followers only). */
  stats?: FollowShardStats[];
  /** The follower's own primaries (`indices.stats`): its checkpoints, paused or not. */
  followerShards?: ShardSeqNo[];
  leader: LeaderObservation;
  /** Epoch ms when this was read. */
  now: number;
}

/** How far a follower is behind. A field is absent when it is not known: never 0 for unknown. */
export interface Lag {
  /** Operations on the leader the follower has not applied (Σ leader max_seq_no − follower global checkpoint). */
  operations?: number;
  /** When the leader could not be read: at least this many (the follower's last view of the leader). */
  operationsAtLeast?: number;
  /** Seconds behind: 0 when read from the leader as caught up. */
  seconds?: number;
  /** At least this many seconds: the age of the oldest missing document by its `@timestamp`. */
  secondsAtLeast?: number;
  /** Why operations or seconds are not known. */
  unknownReason?: string;
}

/** When the leader drops the history this follower needs: its retention lease on the leader expires. */
export interface FailbackWindow {
  /** ISO time the lease expires unless renewed (earliest over shards). */
  leaseExpiresAt?: string;
  /** Epoch ms of the same. */
  leaseExpiresAtMs?: number;
  /** The leader index's lease period. */
  leasePeriodMs?: number;
  /** Why it is not known (leader unreachable, no lease). */
  unknownReason?: string;
}

/** The verdict on one follower. */
export interface FollowerHealth {
  state: HealthState;
  /** Why, one line each (empty only when healthy). */
  reasons: string[];
  /** The one command that resolves it (absent when healthy or when nothing of ccr-dr can). */
  fix?: string;
  lag: Lag;
  /** Milliseconds since the follower last read from its leader (largest over shards), from follow stats. */
  lastReadAgoMs?: number;
  /** The follower's connection to its leader's cluster (`_remote/info`). */
  remote?: { alias: string; connected: boolean; mode?: string; connections?: number; address?: string };
  failbackWindow: FailbackWindow;
}

/** Who set a write block, and so what lifts it. */
export type FenceOrigin = "switchover" | "promotion" | "failback" | "outside" | "unknown";

/** A write-blocked index and the one command that lifts the block. */
export interface Fence {
  cluster: ClusterName;
  index: string;
  origin: FenceOrigin;
  /** What set it, in words. */
  detail: string;
  command: string;
}

/**
 * A switchover record on an index (es/records.ts): a switchover running now, or one that was killed
 * with its fence up. `status` lists each with the command that resolves it.
 */
export interface SwitchoverNotice {
  cluster: ClusterName;
  index: string;
  from: string;
  to: string;
  startedAt: string;
  host: string;
  pid: number;
  /** Whether its `ccr-dr` process still runs; absent when it ran on another host (unknowable from here). */
  running?: boolean;
  /** The command that finishes it — or aborts it, lifting the fence, if the target cannot catch up. */
  command: string;
}
