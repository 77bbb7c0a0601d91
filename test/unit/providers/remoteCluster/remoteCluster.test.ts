/** RemoteCluster planners and lifecycle against the fake ES. */
import {
  createRemoteCluster,
  deleteRemoteCluster,
  readRemoteCluster,
  updateRemoteCluster,
} from "../../../../providers/remoteCluster/lifecycle";
import { credentialsMissing, observedSettings, planApply, planDelete, settingsBody } from "../../../../providers/remoteCluster/plan";
import type { RemoteClusterInputs } from "../../../../providers/remoteCluster/types";
import { FakeCluster } from "../../../helpers/fakeEs";
import { twoClusters } from "../../../helpers/providerRuntime";

const proxyInputs: RemoteClusterInputs = {
  connection: { name: "clusterB", endpoints: ["http://127.0.0.1:9201"] },
  alias: "siteA",
  mode: "proxy",
  proxyAddress: "127.0.0.1:9300",
  proxySocketConnections: 18,
  skipUnavailable: true,
};

describe("RemoteCluster planners", () => {
  it("create writes every owned key of the alias, null for ES defaults", () => {
    expect(planApply(undefined, proxyInputs)).toEqual([
      {
        kind: "putSettings",
        alias: "siteA",
        persistent: {
          "cluster.remote.siteA.mode": "proxy",
          "cluster.remote.siteA.seeds": null,
          "cluster.remote.siteA.node_connections": null,
          "cluster.remote.siteA.proxy_address": "127.0.0.1:9300",
          "cluster.remote.siteA.server_name": null,
          "cluster.remote.siteA.proxy_socket_connections": 18,
          "cluster.remote.siteA.skip_unavailable": true,
        },
      },
    ]);
  });
  it("no change → no operations", () => {
    const persistent = {
      "cluster.remote.siteA.mode": "proxy",
      "cluster.remote.siteA.proxy_address": "127.0.0.1:9300",
      "cluster.remote.siteA.proxy_socket_connections": "18",
      "cluster.remote.siteA.skip_unavailable": "true",
    };
    expect(planApply(observedSettings("siteA", persistent), proxyInputs)).toEqual([]);
  });
  it("sniff → proxy nulls the seeds in the same request", () => {
    const persistent = { "cluster.remote.siteA.seeds": ["127.0.0.1:9300"] };
    expect(observedSettings("siteA", persistent)).toEqual({ mode: "sniff", seeds: ["127.0.0.1:9300"] });
    const [op] = planApply(observedSettings("siteA", persistent), proxyInputs);
    if (op?.kind !== "putSettings") throw new Error(`expected putSettings, got ${JSON.stringify(op)}`);
    expect(op.persistent["cluster.remote.siteA.seeds"]).toBeNull();
  });
  it.each([
    // key given?, alias shows credentials?, key changed?, settings match? → ops
    [false, false, false, true, []],
    [true, true, false, true, []],
    [true, false, false, true, ["reloadSecureSettings"]],
    [true, true, true, true, ["reloadSecureSettings"]],
    [true, false, false, false, ["reloadSecureSettings", "putSettings"]],
    [false, false, true, false, ["putSettings"]],
  ])("cross-cluster API key %s, credentials shown %s, key changed %s, settings match %s → %j", (key, shown, changed, match, kinds) => {
    const persistent = match
      ? {
          "cluster.remote.siteA.mode": "proxy",
          "cluster.remote.siteA.proxy_address": "127.0.0.1:9300",
          "cluster.remote.siteA.proxy_socket_connections": "18",
          "cluster.remote.siteA.skip_unavailable": "true",
        }
      : {};
    const inputs = key ? { ...proxyInputs, crossClusterApiKey: "aWQ6c2VjcmV0" } : proxyInputs;
    const ops = planApply(observedSettings("siteA", persistent), inputs, { hasCredentials: shown, keyChanged: changed });
    expect(ops.map((o) => o.kind)).toEqual(kinds);
  });
  it("credentials are missing only when a key is configured and the alias shows none", () => {
    expect(credentialsMissing({ ...proxyInputs, crossClusterApiKey: "aWQ6c2VjcmV0" }, false)).toBe(true);
    expect(credentialsMissing({ ...proxyInputs, crossClusterApiKey: "aWQ6c2VjcmV0" }, true)).toBe(false);
    expect(credentialsMissing(proxyInputs, false)).toBe(false);
  });
  it("parses list renderings and leaves other aliases alone", () => {
    const persistent = {
      "cluster.remote.siteA.seeds.0": "h:1",
      "cluster.remote.siteA.seeds.1": "h:2",
      "cluster.remote.other.seeds": ["x:1"],
    };
    expect(observedSettings("siteA", persistent)).toEqual({ mode: "sniff", seeds: ["h:1", "h:2"] });
    expect(observedSettings("missing", persistent)).toBeUndefined();
  });
  it("delete nulls every key of the alias, owned or not, in one request; nothing when gone", () => {
    const persistent = {
      "cluster.remote.siteA.seeds": ["h:1"],
      "cluster.remote.siteA.transport.ping_schedule": "30s",
      "cluster.remote.other.seeds": ["x:1"],
    };
    const ops = planDelete("siteA", persistent);
    expect(ops).toHaveLength(1);
    expect(ops[0]!.persistent["cluster.remote.siteA.transport.ping_schedule"]).toBeNull();
    expect(Object.keys(ops[0]!.persistent).every((k) => k.startsWith("cluster.remote.siteA."))).toBe(true);
    expect(planDelete("gone", persistent)).toEqual([]);
  });
  it("settingsBody never writes keys of another alias", () => {
    expect(Object.keys(settingsBody("a", { mode: "sniff", seeds: ["h:1"] })).every((k) => k.startsWith("cluster.remote.a."))).toBe(true);
  });
});

describe("RemoteCluster lifecycle", () => {
  function setup() {
    const { world, b } = twoClusters();
    delete b.persistent["cluster.remote.clusterA.mode"];
    delete b.persistent["cluster.remote.clusterA.proxy_address"];
    return { world, b, deps: { connect: FakeCluster.connector(world), connectWaitMs: 0 } };
  }

  it("create registers the alias and reports the connection; re-create adopts without a request", async () => {
    const { b, deps } = setup();
    const { id, outs } = await createRemoteCluster(proxyInputs, deps);
    expect(id).toBe("siteA");
    expect(outs).toMatchObject({ alias: "siteA", mode: "proxy", connected: true, remoteInfo: { mode: "proxy", connected: true } });
    b.resetCounter();
    await createRemoteCluster(proxyInputs, deps);
    expect(b.mutationCount).toBe(0);
  });

  it("registering a dead peer succeeds with connected: false", async () => {
    const { world, deps } = setup();
    world.clusters.get("clusterA")!.down = true;
    const { outs } = await createRemoteCluster(proxyInputs, deps);
    expect(outs.connected).toBe(false);
  });

  it("read detects changed and removed settings; update repairs; delete removes every key", async () => {
    const { b, deps } = setup();
    const { outs } = await createRemoteCluster(proxyInputs, deps);
    expect((await readRemoteCluster("siteA", outs, deps)).inputs).toBeUndefined();
    b.persistent["cluster.remote.siteA.proxy_address"] = "127.0.0.1:9999";
    const drift = await readRemoteCluster("siteA", outs, deps);
    expect(drift.props?.proxyAddress).toBe("127.0.0.1:9999");
    expect(drift.inputs?.proxyAddress).toBe("127.0.0.1:9999");
    await updateRemoteCluster(proxyInputs, deps);
    expect(b.persistent["cluster.remote.siteA.proxy_address"]).toBe("127.0.0.1:9300");
    b.persistent["cluster.remote.siteA.transport.ping_schedule"] = "30s";
    await deleteRemoteCluster(outs, deps);
    expect(Object.keys(b.persistent).filter((k) => k.startsWith("cluster.remote.siteA."))).toEqual([]);
    expect(await readRemoteCluster("siteA", outs, deps)).toEqual({});
    b.resetCounter();
    await deleteRemoteCluster(outs, deps);
    expect(b.mutationCount).toBe(0);
  });
});
