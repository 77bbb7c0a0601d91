/** `diff` of both resources: what is an update, what is a replacement, what is nothing. */
import { diffFollowerIndex } from "../../../../providers/followerIndex/lifecycle";
import { diffRemoteCluster } from "../../../../providers/remoteCluster/lifecycle";
import { UNKNOWN } from "../../../../providers/shared/check";
import { followerOnB } from "../../../helpers/providerRuntime";

const rc = {
  connection: { name: "clusterB", endpoints: ["http://127.0.0.1:9201"] },
  credentials: { username: "elastic", password: "pw" },
  alias: "clusterA",
  mode: "proxy",
  proxyAddress: "127.0.0.1:9300",
  __provider: "code-v1",
};

describe("RemoteCluster diff", () => {
  it("no change → no changes (outputs-only fields ignored)", () => {
    expect(diffRemoteCluster({ ...rc, connected: false, remoteInfo: {} }, rc)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
  it.each([
    ["connection", { connection: { endpoints: ["http://10.0.0.1:9201"] } }],
    ["credentials", { credentials: { username: "elastic", password: "rotated" } }],
    ["proxyAddress", { proxyAddress: "127.0.0.1:9400" }],
    ["skipUnavailable", { skipUnavailable: false }],
    ["provider code", { __provider: "code-v2" }],
  ])("%s change → update, never replace", (_n, change) => {
    expect(diffRemoteCluster(rc, { ...rc, ...change })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
  it("alias change → replace (create the new alias, then remove the old)", () => {
    expect(diffRemoteCluster(rc, { ...rc, alias: "siteA" })).toEqual({ changes: true, replaces: ["alias"], deleteBeforeReplace: false });
  });
  it("unknown values count as changed", () => {
    expect(diffRemoteCluster(rc, { ...rc, alias: UNKNOWN }).replaces).toEqual(["alias"]);
  });
});

describe("FollowerIndex diff", () => {
  const inputs = { ...followerOnB(), __provider: "code-v1" } as Record<string, unknown>;
  const outputs = { ...inputs, status: "active", shards: [], globalCheckpointLag: 3, quarantinedDocuments: 0, warnings: [] };

  it("no change → no changes", () => {
    expect(diffFollowerIndex(outputs, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
  it("equal parameters in other spellings → no changes", () => {
    const o = { ...outputs, parameters: { maxReadRequestSize: "32mb" } };
    expect(diffFollowerIndex(o, { ...inputs, parameters: { maxReadRequestSize: "33554432b", maxRetryDelay: "500ms" } }).changes).toBe(
      false,
    );
  });
  it.each([
    ["parameters", { parameters: { maxReadRequestOperationCount: 10 } }],
    ["connection", { connection: { name: "clusterB", endpoints: ["http://10.0.0.2:9201"] } }],
    ["leaderConnection", { leaderConnection: undefined }],
    ["settings", { settings: { "index.number_of_replicas": "0" } }],
    ["onDelete", { onDelete: "deleteIndex" }],
    ["failback", { failback: { enabled: true, quarantineIndex: "q" } }],
    ["desired status", { status: "paused" }],
    ["provider code", { __provider: "code-v2" }],
  ])("%s change → update", (_n, change) => {
    expect(diffFollowerIndex(outputs, { ...inputs, ...change })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
  it("paused out of band → update (resume)", () => {
    expect(diffFollowerIndex({ ...outputs, status: "paused" }, inputs)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
  it("new follower index name → replace, create before delete (a different index)", () => {
    expect(diffFollowerIndex(outputs, { ...inputs, index: "other" })).toEqual({
      changes: true,
      replaces: ["index"],
      deleteBeforeReplace: false,
    });
  });
  it.each([
    ["leaderIndex", { leaderIndex: "other" }, ["leaderIndex"]],
    ["remoteCluster", { remoteCluster: "siteA" }, ["remoteCluster"]],
  ])("new %s → replace, delete before create (same index)", (_n, change, keys) => {
    expect(diffFollowerIndex(outputs, { ...inputs, ...change })).toEqual({ changes: true, replaces: keys, deleteBeforeReplace: true });
  });
  it.each(["fatal", "unfollowed"])("%s follower → replace with status, delete before create", (status) => {
    expect(diffFollowerIndex({ ...outputs, status }, inputs)).toEqual({ changes: true, replaces: ["status"], deleteBeforeReplace: true });
  });
});
