/** AutoFollowPattern steps in DR words (the resource is named `<pattern>-auto-follow` by the site plan). */
import type { Words } from "../words";

export const autoFollowPatternWords: Words = ({ op, name, site }) => {
  const pattern = name.replace(/-auto-follow$/, "");
  if (op === "create") return `auto-follow new leader indices matching pattern ${pattern} on ${site}`;
  if (op === "update" || op === "replace") return `update auto-follow pattern ${pattern} on ${site}`;
  if (op === "delete") return `stop auto-following with pattern ${pattern} on ${site} (followers it created stay)`;
  return undefined;
};
