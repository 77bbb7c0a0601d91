/**
 * Turns Pulumi engine events of a site stack into DR words ("promote X on clusterB: pause →
 * close → unfollow → open"), one line per index, for `ccr-dr plan` and the other commands.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ClusterName } from "../stack/config";

/** One planned operation, as Pulumi plans it and as an SRE reads it. */
export interface PlannedOperation {
  site: ClusterName;
  /** Pulumi's step: create, update, delete, replace, … */
  op: string;
  /** Resource kind: FollowerIndex, RemoteCluster, WriteFence, QuarantineName. */
  kind: string;
  /** Resource name (the index for FollowerIndex and WriteFence). */
  name: string;
  /** The operation in DR words. */
  words: string;
}

/** Resource kind from a type token such as `pulumi-nodejs:dynamic/ccr-dr/followerIndex:FollowerIndex`. */
function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

function words(site: ClusterName, op: string, kind: string, name: string, leader: string | undefined): string | undefined {
  const on = `on ${site}`;
  switch (kind) {
    case "FollowerIndex":
      if (op === "delete" || op === "delete-replaced") return `promote ${name} ${on}: pause → close → unfollow → open (promotion recorded in _meta)`;
      if (op === "create") {
        return `follow ${leader ?? "the primary"} as ${name} ${on}: a stale ${name} is fenced → lineage checked → divergent writes quarantined → deleted → followed`;
      }
      if (op === "replace" || op === "create-replacement") return `re-create follower ${name} ${on} from ${leader ?? "its leader"}`;
      if (op === "update") return `update follower ${name} ${on}: pause → resume with the new parameters`;
      if (op === "refresh" || op === "read") return undefined;
      return undefined;
    case "RemoteCluster":
      if (op === "create") return `register remote cluster ${name.replace(/-remote$/, "")} ${on}`;
      if (op === "update") return `update remote cluster ${name.replace(/-remote$/, "")} ${on}`;
      if (op === "delete") return `remove remote cluster ${name.replace(/-remote$/, "")} ${on}`;
      return undefined;
    case "WriteFence":
      if (op === "create") return `fence ${name.replace(/-fence$/, "")} ${on}: write block, no more writes accepted`;
      if (op === "delete") return `lift the write block on ${name.replace(/-fence$/, "")} ${on} (unless it is a follower by then)`;
      return undefined;
    case "QuarantineName":
      if (op === "create" || op === "replace") return `reserve this failback's quarantine index names ${on}`;
      return undefined;
    default:
      return undefined;
  }
}

/** Collects planned operations from the events of one preview or up of `site`'s stack. */
export function operationCollector(site: ClusterName): { onEvent: (e: EngineEvent) => void; operations: PlannedOperation[] } {
  const operations: PlannedOperation[] = [];
  const onEvent = (e: EngineEvent) => {
    const md = e.resourcePreEvent?.metadata;
    if (!md || md.op === "same") return;
    const kind = kindOf(md.type);
    const name = md.urn.slice(md.urn.lastIndexOf("::") + 2);
    const props = (md.new?.inputs ?? md.old?.inputs ?? {}) as Record<string, unknown>;
    const leader = typeof props["leaderIndex"] === "string" ? `${String(props["remoteCluster"])}:${props["leaderIndex"]}` : undefined;
    const w = words(site, md.op, kind, name, leader);
    if (w) operations.push({ site, op: md.op, kind, name, words: w });
  };
  return { onEvent, operations };
}
