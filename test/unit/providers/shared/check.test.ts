/** `check` of both resources: every problem reported at preview, before anything is sent. */
import { checkFollowerIndex } from "../../../../providers/followerIndex/lifecycle";
import { checkRemoteCluster } from "../../../../providers/remoteCluster/lifecycle";
import { hostPortProblem, indexNameProblem, UNKNOWN } from "../../../../providers/shared/check";

const conn = { endpoints: ["http://127.0.0.1:9200"] };

describe("RemoteCluster check", () => {
  it("accepts the tutorial's proxy remote and fills the ES default mode otherwise", () => {
    const proxy = checkRemoteCluster({
      connection: conn,
      alias: "clusterA",
      mode: "proxy",
      proxyAddress: "clustera.es.region-a.gcp.elastic-cloud.com:9400",
      serverName: "clustera.es.region-a.gcp.elastic-cloud.com",
      proxySocketConnections: 18,
      skipUnavailable: true,
    });
    expect(proxy.failures).toEqual([]);
    const sniff = checkRemoteCluster({ connection: conn, alias: "clusterA", seeds: ["127.0.0.1:9300"] });
    expect(sniff.failures).toEqual([]);
    expect(sniff.inputs["mode"]).toBe("sniff");
  });

  it("reports every problem at once, one failure per problem", () => {
    const r = checkRemoteCluster({
      connection: { endpoints: ["ftp://x", "http://user:pw@h:9200"], requestTimeoutMs: 0 },
      credentials: { username: "u" },
      alias: "bad.alias",
      mode: "proxy",
      proxyAddress: "no-port",
      seeds: ["127.0.0.1:9300"],
      proxySocketConnections: 0,
      skipUnavailable: "yes",
    });
    expect(r.failures.map((f) => f.property).sort()).toEqual(
      [
        "alias",
        "connection.basicAuth",
        "connection.endpoints[0]",
        "connection.endpoints[1]",
        "connection.requestTimeoutMs",
        "proxyAddress",
        "proxySocketConnections",
        "seeds",
        "skipUnavailable",
      ].sort(),
    );
    expect(JSON.stringify(r.failures)).not.toContain("pw");
  });

  it("requires the mode's address and rejects the other mode's fields", () => {
    const r = checkRemoteCluster({ connection: conn, alias: "a", mode: "sniff", proxyAddress: "h:1", serverName: "x" });
    expect(r.failures.map((f) => f.property).sort()).toEqual(["proxyAddress", "seeds", "serverName"]);
    expect(checkRemoteCluster({ connection: conn, alias: "a", mode: "proxy" }).failures.map((f) => f.property)).toEqual(["proxyAddress"]);
    expect(checkRemoteCluster({ connection: conn, alias: "a", mode: "tunnel" }).failures.map((f) => f.property)).toEqual(["mode"]);
  });

  it("skips values that are unknown during preview", () => {
    const r = checkRemoteCluster({ connection: { endpoints: [UNKNOWN] }, alias: UNKNOWN, mode: "proxy", proxyAddress: UNKNOWN });
    expect(r.failures).toEqual([]);
  });

  it("reports a missing connection and both kinds of credentials", () => {
    const r = checkRemoteCluster({ alias: "a", seeds: ["h:1"] });
    expect(r.failures.map((f) => f.property)).toEqual(["connection"]);
    const both = checkRemoteCluster({
      connection: conn,
      credentials: { username: "u", password: "p", apiKey: "k" },
      alias: "a",
      seeds: ["h:1"],
    });
    expect(both.failures.map((f) => f.property)).toEqual(["connection.apiKey"]);
    expect(JSON.stringify(both.failures)).not.toMatch(/"p"|"k"/);
  });
});

describe("address and name rules", () => {
  it.each([
    ["127.0.0.1:9300", undefined],
    ["host.example.com:9400", undefined],
    ["[::1]:9300", undefined],
    ["host", "expected host:port (IPv6 as [addr]:port)"],
    ["host:0", "port must be from 1 to 65535, got 0"],
    ["host:70000", "port must be from 1 to 65535, got 70000"],
    ["ho st:1", "expected host:port (IPv6 as [addr]:port)"],
    ["-host:1", 'invalid host "-host"'],
  ])("hostPort %s", (v, problem) => {
    expect(hostPortProblem(v)).toBe(problem);
  });

  it.each([
    ["kibana_sample_data_ecommerce", undefined],
    ["Upper", "it must be lowercase"],
    ["_x", 'it must not start with "-", "_" or "+"'],
    ["a b", 'it must not contain " "'],
    ["a:b", 'it must not contain ":"'],
    ["..", 'it must not be "." or ".."'],
    ["x".repeat(256), "it must be at most 255 bytes"],
  ])("index name %s", (v, problem) => {
    expect(indexNameProblem(v)).toBe(problem);
  });
});

describe("FollowerIndex check", () => {
  const base = {
    connection: conn,
    index: "kibana_sample_data_ecommerce2",
    remoteCluster: "clusterA",
    leaderIndex: "kibana_sample_data_ecommerce",
  };

  it("accepts the tutorial's follower and fills defaults", () => {
    const r = checkFollowerIndex({
      ...base,
      settings: { number_of_replicas: 0 },
      parameters: { maxReadRequestSize: "16mb", maxRetryDelay: "1s" },
    });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toMatchObject({
      status: "active",
      onDelete: "promote",
      waitForActiveShards: "1",
      settings: { "index.number_of_replicas": "0" },
    });
  });

  it("reports every problem at once", () => {
    const r = checkFollowerIndex({
      connection: conn,
      leaderConnection: { endpoints: [] },
      index: "Bad",
      remoteCluster: "",
      leaderIndex: "ok",
      parameters: { maxReadRequestOperationCount: 0, maxReadRequestSize: "lots", maxRetryDelay: "10m", bogus: 1 },
      settings: { "index.number_of_shards": 3, refresh_interval: { x: 1 } },
      waitForActiveShards: "some",
      status: "stopped",
      onDelete: "drop",
      activeTimeoutMs: 5,
      failback: { enabled: true, quarantineIndex: "ok" },
    });
    expect(r.failures.map((f) => f.property).sort()).toEqual(
      [
        "activeTimeoutMs",
        "failback.quarantineIndex",
        "index",
        "leaderConnection.endpoints",
        "onDelete",
        "parameters.bogus",
        "parameters.maxReadRequestOperationCount",
        "parameters.maxReadRequestSize",
        "parameters.maxRetryDelay",
        "remoteCluster",
        "settings.index.number_of_shards",
        "settings.refresh_interval",
        "status",
        "waitForActiveShards",
      ].sort(),
    );
  });

  it("failback needs a quarantine index name and a leader connection", () => {
    const r = checkFollowerIndex({ ...base, failback: { enabled: true } });
    expect(r.failures.map((f) => f.property).sort()).toEqual(["failback.quarantineIndex", "leaderConnection"]);
    expect(checkFollowerIndex({ ...base, failback: { enabled: false } }).failures).toEqual([]);
    expect(checkFollowerIndex({ ...base, leaderConnection: conn, failback: { enabled: true, quarantineIndex: UNKNOWN } }).failures).toEqual(
      [],
    );
  });
});
