/** Shared fixtures for the provider unit tests. */
import type { Runtime } from "../../providers/shared/util";
import type { FollowerIndexInputs } from "../../providers/followerIndex/types";
import { FakeCluster, FakeWorld } from "./fakeEs";

/** A runtime with a fake clock (sleep advances it) that collects warnings. */
export function fakeRuntime(): Runtime & { warnings: string[] } {
  let t = Date.parse("2026-11-25T12:00:00Z");
  const warnings: string[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      t += ms;
    },
    warn: (m: string) => {
      warnings.push(m);
    },
    warnings,
  };
}

/** Two fake clusters as in the seed tutorial: A leads `ecommerce`, B registers A as `clusterA`, and vice versa. */
export function twoClusters(): { world: FakeWorld; a: FakeCluster; b: FakeCluster } {
  const world = new FakeWorld();
  const a = world.cluster("clusterA", "127.0.0.1:9300");
  const b = world.cluster("clusterB", "127.0.0.1:9301");
  a.registerRemote("clusterB", b);
  b.registerRemote("clusterA", a);
  return { world, a, b };
}

export const LEADER = "kibana_sample_data_ecommerce";
export const FOLLOWER = "kibana_sample_data_ecommerce2";

/** Inputs of B's follower of A's leader, as check would leave them. */
export function followerOnB(over: Partial<FollowerIndexInputs> = {}): FollowerIndexInputs {
  return {
    connection: { name: "clusterB", endpoints: ["http://127.0.0.1:9201"] },
    credentials: { username: "elastic", password: "s3cret-B" },
    leaderConnection: { name: "clusterA", endpoints: ["http://127.0.0.1:9200"] },
    leaderCredentials: { username: "elastic", password: "s3cret-A" },
    index: FOLLOWER,
    remoteCluster: "clusterA",
    leaderIndex: LEADER,
    waitForActiveShards: "1",
    status: "active",
    onDelete: "promote",
    ...over,
  };
}

/** Inputs of A's follower of B's (promoted) index: the failback. */
export function followerOnA(over: Partial<FollowerIndexInputs> = {}): FollowerIndexInputs {
  return {
    connection: { name: "clusterA", endpoints: ["http://127.0.0.1:9200"] },
    credentials: { username: "elastic", password: "s3cret-A" },
    leaderConnection: { name: "clusterB", endpoints: ["http://127.0.0.1:9201"] },
    leaderCredentials: { username: "elastic", password: "s3cret-B" },
    index: LEADER,
    remoteCluster: "clusterB",
    leaderIndex: FOLLOWER,
    waitForActiveShards: "1",
    status: "active",
    onDelete: "promote",
    failback: { enabled: true, quarantineIndex: "ccr-dr-quarantine-x1" },
    ...over,
  };
}
