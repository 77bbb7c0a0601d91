/**
 * ccr-dr providers: the resources the program declares and their types (the Elasticsearch layer
 * is es/, imported by module). Program side only: it loads no provider implementation (lifecycle.ts),
 * which loader.js loads in the provider process (providers/registry.ts).
 */
export { RemoteCluster, type RemoteClusterArgs } from "./remoteCluster/resource";
export { FollowerIndex, type FollowerIndexArgs } from "./followerIndex/resource";
export type { RemoteClusterInputs, RemoteClusterOutputs, RemoteClusterMode } from "./remoteCluster/types";
export type {
  FollowerIndexInputs,
  FollowerIndexOutputs,
  FailbackPolicy,
  FailbackReport,
  LeaderIdentity,
  ObservedStatus,
  DesiredStatus,
  OnDelete,
  ShardProgress,
} from "./followerIndex/types";
export type { ConnectionArgs } from "./shared/resourceInputs";
export { ProviderError, type ProviderErrorCode } from "./shared/errors";
export { WriteFence, type WriteFenceArgs } from "./writeFence/resource";
export { QuarantineName, type QuarantineNameArgs, quarantineIndexFor } from "./quarantineName/resource";
export { AutoFollowPattern, type AutoFollowPatternArgs } from "./autoFollowPattern/resource";
export { PatternPromotion, type PatternPromotionArgs } from "./patternPromotion/resource";
export { PatternFailback, type PatternFailbackArgs } from "./patternFailback/resource";
