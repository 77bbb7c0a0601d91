/** Inputs of the PatternPromotion resource, as stored in the Pulumi state. */
import type { ConnectionState, Credentials } from "../shared/connectionInput";

/** What a failover of the site promotes beside its declared index pairs. */
export interface PatternPromotionTarget {
  /** Alias of the old primary on this cluster: only what follows it is promoted. */
  remoteCluster: string;
  /** The site's auto-follow patterns, paused first so that nothing new starts following mid-promotion. */
  patterns: string[];
  /** Followers the site declares as index pairs: promoted by their FollowerIndex resources, left alone here. */
  declaredIndices: string[];
  /**
   * The old primary, as recorded while it answered: written into each promotion record, so that a
   * later failback's lineage check (providers/followerIndex/lineage.ts) can prove where an index came from.
   */
  leaderIdentity?: { clusterName: string; clusterUuid: string } | undefined;
}

/** Stored inputs (= outputs: create and update change no cluster). */
export interface PatternPromotionInputs extends PatternPromotionTarget {
  /** The site's cluster (non-secret part). */
  connection: ConnectionState;
  /** Secret part of `connection`. */
  credentials?: Credentials;
  /** The primary over HTTP: read by create and update only, to record {@link PatternPromotionTarget.leaderIdentity}. */
  leaderConnection?: ConnectionState;
  /** Secret part of `leaderConnection`. */
  leaderCredentials?: Credentials;
  /** What deleting this resource does, in words, set by the program (shown by `preview --diff`); not compared by `diff`. */
  deleteMeans?: string;
}

export const PATTERN_PROMOTION_INPUT_KEYS = [
  "connection",
  "credentials",
  "leaderConnection",
  "leaderCredentials",
  "remoteCluster",
  "patterns",
  "declaredIndices",
] as const;

/**
 * The index holding the list of indices a promotion is working on (`_meta.ccr_dr.pattern_promotion`),
 * written before the first index changes and deleted once every one is promoted. A half-promoted
 * index is no longer a follower, so without it a re-run after a crash could not find it again.
 * Hidden, so that no `*` index template applies to it.
 */
export const PROMOTION_PLAN_INDEX = "ccr-dr-pattern-promotion";
