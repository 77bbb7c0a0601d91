/** cli/describe.ts: planned steps of every kind of providers/registry.ts in DR words, by type token. */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { operationCollector } from "../../../cli/describe";
import { type ProviderName, typeToken } from "../../../providers/registry";

function event(kind: ProviderName | "stack", op: string, name: string, inputs: Record<string, unknown> = {}): EngineEvent {
  const type = kind === "stack" ? "pulumi:pulumi:Stack" : typeToken(kind);
  return {
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: { metadata: { op, urn: `urn:pulumi:dr-b::ccr-dr::${type}::${name}`, type, new: { inputs } } },
  } as unknown as EngineEvent;
}

test("every kind's steps in its words; the stack and unchanged resources are left out", () => {
  const { onEvent, operations } = operationCollector("clusterB");
  for (const e of [
    event("followerIndex", "delete", "orders-b"),
    event("followerIndex", "create", "orders-b", { remoteCluster: "clusterA", leaderIndex: "orders" }),
    event("remoteCluster", "create", "clusterA-remote"),
    event("writeFence", "create", "orders-fence"),
    event("quarantineName", "replace", "quarantine-name"),
    event("autoFollowPattern", "create", "logs-auto-follow"),
    event("autoFollowPattern", "delete", "logs-auto-follow"),
    event("followerIndex", "same", "orders-b"),
    event("stack", "update", "ccr-dr-dr-b"),
  ])
    onEvent(e);
  expect(operations.map((o) => [o.op, o.kind, o.name, o.words])).toEqual([
    ["delete", "FollowerIndex", "orders-b", "promote orders-b on clusterB: pause → close → unfollow → open (promotion recorded in _meta)"],
    [
      "create",
      "FollowerIndex",
      "orders-b",
      "follow clusterA:orders as orders-b on clusterB: a stale orders-b is fenced → lineage checked → divergent writes quarantined → deleted → followed",
    ],
    ["create", "RemoteCluster", "clusterA-remote", "register remote cluster clusterA on clusterB"],
    ["create", "WriteFence", "orders-fence", "fence orders on clusterB: write block, no more writes accepted"],
    ["replace", "QuarantineName", "quarantine-name", "reserve this failback's quarantine index names on clusterB"],
    ["create", "AutoFollowPattern", "logs-auto-follow", "auto-follow new leader indices matching pattern logs on clusterB"],
    ["delete", "AutoFollowPattern", "logs-auto-follow", "stop auto-following with pattern logs on clusterB (followers it created stay)"],
  ]);
  expect(operations.every((o) => o.site === "clusterB")).toBe(true);
});
