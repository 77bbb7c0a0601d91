/** FollowerIndex steps in DR words: what each Pulumi step of a follower does to the index (plan.ts). */
import type { Words } from "../words";

export const followerIndexWords: Words = ({ op, name, site, leader }) => {
  const on = `on ${site}`;
  if (op === "delete" || op === "delete-replaced")
    return `promote ${name} ${on}: pause → close → unfollow → open (promotion recorded in _meta)`;
  if (op === "create") {
    return `follow ${leader ?? "the primary"} as ${name} ${on}: a stale ${name} is fenced → lineage checked → divergent writes quarantined → deleted → followed`;
  }
  if (op === "replace" || op === "create-replacement") return `re-create follower ${name} ${on} from ${leader ?? "its leader"}`;
  if (op === "update") return `update follower ${name} ${on}: pause → resume with the new parameters`;
  return undefined;
};
