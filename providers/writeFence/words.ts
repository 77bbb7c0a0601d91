/** WriteFence steps in DR words (the resource is named `<index>-fence` by the site plan). */
import type { Words } from "../words";

/** Name suffix of the fence a forced failover puts on the old primary (stack/sitePlan.ts). */
export const FORCED_FENCE_SUFFIX = "-forced-fence";

export const writeFenceWords: Words = ({ op, name, site }) => {
  if (name.endsWith(FORCED_FENCE_SUFFIX)) {
    const index = name.slice(0, -FORCED_FENCE_SUFFIX.length);
    if (op === "create") return `fence ${index} on the old primary (through its own connection) before ${site} is promoted: write block`;
    if (op === "delete") return `forget the forced fence on ${index} (the write block stays until the failback replaces the index)`;
    return undefined;
  }
  const index = name.replace(/-fence$/, "");
  if (op === "create") return `fence ${index} on ${site}: write block, no more writes accepted`;
  if (op === "delete") return `lift the write block on ${index} on ${site} (unless it is a follower by then)`;
  return undefined;
};
