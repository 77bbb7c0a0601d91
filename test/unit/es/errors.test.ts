/** The Elasticsearch boundary: error messages, classification, redaction, absent-is-a-value. */
import { inspect } from "node:util";
import {
  ccrFollowInfo,
  ccrFollowStats,
  ccrPauseFollow,
  ccrResumeFollow,
  ccrUnfollow,
  canonicalFollowParameters,
  parseByteSize,
  parseDuration,
} from "../../../es/ccr";
import { clusterLabel, secretsOf } from "../../../es/connection";
import { EsCallError, redact, toEsCallError } from "../../../es/errors";
import { indicesDelete, indicesGet } from "../../../es/indices";
import { twoClusters } from "../../helpers/providerRuntime";

describe("EsCallError", () => {
  it("names the cluster, index, operation, ES type and reason, and the likely fix", () => {
    const e = toEsCallError(
      {
        name: "ResponseError",
        meta: {
          statusCode: 404,
          body: { error: { type: "no_such_remote_cluster_exception", reason: "no such remote cluster: [clusterA]" }, status: 404 },
        },
      },
      { cluster: "clusterB", operation: "ccr.follow", index: "ecommerce2" },
    );
    expect(e).toBeInstanceOf(EsCallError);
    expect(e).toMatchObject({
      cluster: "clusterB",
      index: "ecommerce2",
      operation: "ccr.follow",
      status: 404,
      esType: "no_such_remote_cluster_exception",
      condition: "no_such_remote_cluster",
      kind: "response",
    });
    expect(e.message).toBe(
      'ccr.follow for index "ecommerce2" on cluster "clusterB" failed: 404 no_such_remote_cluster_exception: no such remote cluster: [clusterA]. ' +
        "Likely fix: register the remote cluster alias first: declare a RemoteCluster with that alias on this cluster and make the FollowerIndex depend on it.",
    );
  });

  it.each([
    ["ccr.pause_follow", 400, "illegal_argument_exception", "no shard follow tasks for [x]", "already_paused"],
    ["ccr.pause_follow", 400, "illegal_argument_exception", "index [x] is not a follower index", "not_a_follower"],
    ["ccr.resume_follow", 400, "resource_already_exists_exception", "task with id {u-0} already exist", "already_following"],
    ["ccr.resume_follow", 400, "illegal_argument_exception", "follow index [x] does not have ccr metadata", "no_ccr_metadata"],
    [
      "ccr.unfollow",
      400,
      "illegal_argument_exception",
      "cannot convert the follower index [x] to a non-follower, because it has not been closed",
      "follower_not_closed",
    ],
    ["ccr.follow_stats", 404, "resource_not_found_exception", "No shard follow tasks for follower indices [x]", "no_follow_tasks"],
    ["indices.create", 400, "resource_already_exists_exception", "index [x/u] already exists", "already_exists"],
    ["indices.get", 404, "index_not_found_exception", "no such index [x]", "index_not_found"],
  ])("%s %s %s → %s", (operation, status, type, reason, condition) => {
    const e = toEsCallError(
      { name: "ResponseError", meta: { statusCode: status, body: { error: { type, reason }, status } } },
      { cluster: "c", operation },
    );
    expect(e.condition).toBe(condition);
  });

  it("classifies transport failures with a fix that fits", () => {
    const conn = toEsCallError(
      { name: "ConnectionError", message: "connect ECONNREFUSED 127.0.0.1:9200" },
      { cluster: "clusterA", operation: "info" },
    );
    expect(conn.kind).toBe("connection");
    expect(conn.message).toMatch(/cannot connect .*Likely fix: check that cluster "clusterA" is up/);
    expect(toEsCallError({ name: "TimeoutError", message: "Request timed out" }, { cluster: "c", operation: "info" }).message).toMatch(
      /requestTimeoutMs/,
    );
    expect(toEsCallError({ name: "ProductNotSupportedError" }, { cluster: "c", operation: "info" }).kind).toBe("product");
    expect(
      toEsCallError({ name: "ResponseError", meta: { statusCode: 401, body: "" } }, { cluster: "clusterB", operation: "info" }).hint,
    ).toMatch(/authentication failed: .*ccr-dr:clusters\.clusterB\.username and the secret ccr-dr:clusters\.clusterB\.password/);
  });

  it("never advises deleting an index that took writes: a follow over an existing open index says to copy its documents out", () => {
    const body = {
      error: {
        type: "snapshot_restore_exception",
        reason:
          "[_ccr_clusterA:_latest_/_latest_] cannot restore index [logs] because an open index with same name already exists in the cluster.",
      },
      status: 500,
    };
    const hint = toEsCallError(
      { name: "ResponseError", meta: { statusCode: 500, body } },
      { cluster: "clusterA", operation: "ccr.follow", index: "logs" },
    ).hint;
    expect(hint).toMatch(/index named "logs" already exists .*copy its documents out .*before removing it/);
    expect(hint).not.toMatch(/close or delete it/);
  });

  it("never shows secrets: reasons, URLs, inspect and JSON are redacted; the client error is not enumerable", () => {
    const clientError = {
      name: "ResponseError",
      meta: {
        statusCode: 400,
        body: { error: { type: "illegal_argument_exception", reason: "bad value [hunter2] for http://elastic:hunter2@h:9200" } },
        headers: { authorization: "Basic ZWxhc3RpYzpodW50ZXIy" },
      },
    };
    const e = toEsCallError(clientError, {
      cluster: "c",
      operation: "x",
      secrets: secretsOf({ endpoints: [], basicAuth: { username: "elastic", password: "hunter2" } }),
    });
    for (const text of [e.message, inspect(e), JSON.stringify(e), String(e.reason)]) {
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("ZWxhc3RpYzpodW50ZXIy");
    }
    expect(redact("key=abc123 and abc123", ["abc123"])).toBe("key=[redacted] and [redacted]");
    expect(redact("https://u:p@host:1/x", [])).toBe("https://[redacted]@host:1/x");
  });

  it("labels clusters by name, else by host, never with credentials", () => {
    expect(clusterLabel({ name: "clusterA", endpoints: [] })).toBe("clusterA");
    expect(clusterLabel({ endpoints: ["http://10.0.0.1:9200/"] })).toBe("10.0.0.1:9200");
  });
});

describe("typed calls through the real client", () => {
  it("reads answer undefined when absent; teardown treats already-done as done", async () => {
    const { b } = twoClusters();
    const es = b.es();
    expect(await indicesGet(es, "nope")).toBeUndefined();
    expect(await ccrFollowInfo(es, "nope")).toBeUndefined();
    expect(await ccrFollowStats(es, "nope")).toBeUndefined();
    expect(await indicesDelete(es, "nope")).toBe("already-done");
    expect(await ccrPauseFollow(es, "nope")).toBe("already-done");
    b.createIndex("plain");
    expect(await ccrFollowInfo(es, "plain")).toBeUndefined();
    expect(await ccrPauseFollow(es, "plain")).toBe("already-done");
    expect(await ccrUnfollow(es, "plain")).toBe("already-done");
    await expect(ccrResumeFollow(es, "plain", undefined)).rejects.toMatchObject({
      condition: "no_ccr_metadata",
      operation: "ccr.resume_follow",
      cluster: "clusterB",
    });
  });

  it("a dead cluster is a connection error naming it", async () => {
    const { a } = twoClusters();
    a.down = true;
    await expect(indicesGet(a.es(), "x")).rejects.toMatchObject({ kind: "connection", cluster: "clusterA", operation: "indices.get" });
  });
});

describe("follow parameter values", () => {
  it("parses sizes and times and compares equal settings as equal", () => {
    expect(parseByteSize("32mb")).toBe(33554432n);
    expect(parseByteSize("9223372036854775807b")).toBe(9223372036854775807n);
    expect(parseByteSize("1.5kb")).toBe(1536n);
    expect(parseByteSize("lots")).toBeUndefined();
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1m")).toBe(60000);
    expect(parseDuration("1 fortnight")).toBeUndefined();
    expect(canonicalFollowParameters({ maxReadRequestSize: "32MB" })).toEqual(canonicalFollowParameters(undefined));
  });
});
