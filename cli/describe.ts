/**
 * Turns Pulumi engine events of a site stack into DR words ("promote X on clusterB: pause →
 * close → unfollow → open"), one line per index, for `ccr-dr plan` and the other commands. Each
 * provider kind owns its words (providers/<kind>/words.ts); this looks them up by type token in
 * providers/registry.ts.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { kindOfType } from "../providers/registry";
import { stripAnsi } from "./errors";
import type { ClusterName } from "../stack/config";

/** One planned operation, as Pulumi plans it and as an SRE reads it. */
export interface PlannedOperation {
  site: ClusterName;
  /** Pulumi's step: create, update, delete, replace, … */
  op: string;
  /** Resource kind: the type name of a kind in providers/registry.ts (FollowerIndex, RemoteCluster, …). */
  kind: string;
  /** Resource name (the index for FollowerIndex and WriteFence). */
  name: string;
  /** The operation in DR words. */
  words: string;
}

/** Collects planned operations from the events of one preview or up of `site`'s stack. */
export function operationCollector(site: ClusterName): {
  onEvent: (e: EngineEvent) => void;
  operations: PlannedOperation[];
  /**
   * What the program says the run does, in DR words: its warnings (stack/transition.ts, the
   * split-brain guard), which `log.warn` sends without a resource, so the engine gives no URN.
   */
  preview: string[];
} {
  const operations: PlannedOperation[] = [];
  const preview: string[] = [];
  const onEvent = (e: EngineEvent) => {
    const d = e.diagnosticEvent;
    if (d && d.severity === "warning" && (!d.urn || d.urn.includes("::pulumi:pulumi:Stack::"))) {
      const line = stripAnsi(d.message).trim();
      if (line !== "" && !preview.includes(line)) preview.push(line);
      return;
    }
    const md = e.resourcePreEvent?.metadata;
    if (!md || md.op === "same") return;
    const kind = kindOfType(md.type);
    if (!kind) return;
    const name = md.urn.slice(md.urn.lastIndexOf("::") + 2);
    const props = (md.new?.inputs ?? md.old?.inputs ?? {}) as Record<string, unknown>;
    const leader = typeof props["leaderIndex"] === "string" ? `${String(props["remoteCluster"])}:${props["leaderIndex"]}` : undefined;
    const w = kind.words({ op: md.op, name, site, leader });
    if (w) operations.push({ site, op: md.op, kind: kind.type, name, words: w });
  };
  return { onEvent, operations, preview };
}
