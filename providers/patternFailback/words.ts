/** PatternFailback steps in DR words. */
import type { Words } from "../words";

export const patternFailbackWords: Words = ({ op, site }) => {
  if (op === "create" || op === "update")
    return (
      `follow every existing index of the primary that the auto-follow patterns of ${site} match ` +
      "(a stale local copy is fenced, lineage-checked, its divergent documents quarantined, then replaced)"
    );
  return undefined;
};
