/** PatternPromotion steps in DR words. */
import type { Words } from "../words";

export const patternPromotionWords: Words = ({ op, site }) => {
  if (op === "create") return `prepare the failover of what the auto-follow patterns of ${site} follow (nothing changes on the cluster)`;
  if (op === "delete")
    return (
      `PROMOTE everything ${site} follows from the old primary beside the declared pairs: auto-follow patterns paused, ` +
      "replicated data streams promoted and rolled over to a local write index, every other follower unfollowed and opened for writes"
    );
  return undefined;
};
