/** WriteFence steps in DR words (the resource is named `<index>-fence` by the site plan). */
import type { Words } from "../words";

export const writeFenceWords: Words = ({ op, name, site }) => {
  const index = name.replace(/-fence$/, "");
  if (op === "create") return `fence ${index} on ${site}: write block, no more writes accepted`;
  if (op === "delete") return `lift the write block on ${index} on ${site} (unless it is a follower by then)`;
  return undefined;
};
