/**
 * Pure CCR rules: follow parameters (syntax, ES's defaults and renderings, validation messages),
 * remote-cluster setting validation, which follower settings are replicated, `wait_for_active_shards`
 * parsing, and ES's retry back-off.
 */
import { EsError } from "../../../../sim/engine/errors";
import { BodyReader } from "../../../../sim/ccr/bodyParser";
import { parseActiveShardCount } from "../../../../sim/ccr/putFollow";
import { isRetryable } from "../../../../sim/ccr/errors";
import { isNonReplicated, replicatedSettings } from "../../../../sim/ccr/followerSettings";
import {
  DEFAULT_FOLLOW_PARAMETERS,
  followParameterProblems,
  parseByteSizeValue,
  parseTimeValueRep,
  readFollowParameters,
  resolveFollowParameters,
  withDefaults,
} from "../../../../sim/ccr/followParameters";
import { readRemoteConfigs, validateRemoteSettings } from "../../../../sim/ccr/remoteSettings";
import { computeDelay } from "../../../../sim/ccr/shardFollowTask";

function errorOf(fn: () => unknown): EsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EsError) return e;
    throw e;
  }
  throw new Error("expected an EsError");
}

describe("follow parameters", () => {
  test("values render as ES's getStringRep()", () => {
    expect(parseByteSizeValue("32MB", "x")).toEqual({ bytes: 32 * 1024 * 1024, rep: "32mb" });
    expect(parseByteSizeValue("1k", "x")).toEqual({ bytes: 1024, rep: "1kb" });
    expect(parseByteSizeValue("1.5kb", "x")).toEqual({ bytes: 1536, rep: "1536b" });
    expect(parseTimeValueRep("500ms", "x")).toEqual({ ms: 500, rep: "500ms" });
    expect(parseTimeValueRep("1.5s", "x")).toEqual({ ms: 1500, rep: "1500ms" });
    expect(errorOf(() => parseByteSizeValue("12", "max_read_request_size")).reason).toBe(
      "failed to parse setting [max_read_request_size] with value [12] as a size in bytes: unit is missing or unrecognized",
    );
  });

  test("reading a body keeps only given parameters; defaults fill the rest", () => {
    const body = { max_read_request_operation_count: "10", max_retry_delay: "2S", read_poll_timeout: "30s" };
    const given = readFollowParameters(new BodyReader("p", body));
    expect(given).toEqual({ max_read_request_operation_count: 10, max_retry_delay: "2s", read_poll_timeout: "30s" });
    expect(withDefaults(given)).toEqual({ ...DEFAULT_FOLLOW_PARAMETERS, ...given });
    const resolved = resolveFollowParameters(given);
    expect(resolved).toMatchObject({
      maxReadRequestOperationCount: 10,
      maxRetryDelayMs: 2000,
      readPollTimeoutMs: 30_000,
      maxOutstandingReadRequests: 12,
    });
    expect(resolved.maxWriteBufferSizeBytes).toBe(512 * 1024 * 1024);
  });

  test("type errors are x_content_parse_exceptions naming the parser and field", () => {
    const text = '{"max_outstanding_read_requests": "many"}';
    const e = errorOf(() => readFollowParameters(new BodyReader("indices:admin/xpack/ccr/put_follow", JSON.parse(text), text)));
    expect(e.type).toBe("x_content_parse_exception");
    expect(e.reason).toBe("[1:35] [indices:admin/xpack/ccr/put_follow] failed to parse field [max_outstanding_read_requests]");
    expect(e.causedBy?.toJSON()).toEqual({ type: "number_format_exception", reason: 'For input string: "many"' });
    const t2 = '{"max_retry_delay": {"a": 1}}';
    expect(errorOf(() => readFollowParameters(new BodyReader("p", JSON.parse(t2), t2))).reason).toBe(
      "[1:21] [p] max_retry_delay doesn't support values of type: START_OBJECT",
    );
  });

  test("validation messages in ES's order", () => {
    expect(
      followParameterProblems({
        max_read_request_operation_count: 0,
        max_read_request_size: "0",
        max_outstanding_read_requests: -1,
        max_write_request_operation_count: 0,
        max_write_request_size: "0",
        max_outstanding_write_requests: 0,
        max_write_buffer_count: 0,
        max_write_buffer_size: "0",
        max_retry_delay: "0s",
      }),
    ).toEqual([
      "max_read_request_operation_count must be larger than 0",
      "max_read_request_size must be larger than 0",
      "max_outstanding_read_requests must be larger than 0",
      "max_write_request_operation_count must be larger than 0",
      "max_write_request_size must be larger than 0",
      "max_outstanding_write_requests must be larger than 0",
      "max_write_buffer_count must be larger than 0",
      "max_write_buffer_size must be larger than 0",
      "[max_retry_delay] must be positive but was [0s]",
    ]);
    expect(followParameterProblems({ max_retry_delay: "301s" })).toEqual(["[max_retry_delay] must be less than [5m] but was [301s]"]);
    expect(followParameterProblems(DEFAULT_FOLLOW_PARAMETERS)).toEqual([]);
  });

  test("wait_for_active_shards: absent, empty and index-setting mean 0", () => {
    expect([undefined, "", "index-setting", "0"].map(parseActiveShardCount)).toEqual([0, 0, 0, 0]);
    expect(parseActiveShardCount("1")).toBe(1);
    expect(parseActiveShardCount("all")).toBe("all");
    expect(errorOf(() => parseActiveShardCount("x")).reason).toBe("cannot parse ActiveShardCount[x]");
  });
});

describe("remote cluster settings", () => {
  test("defaults and modes", () => {
    const configs = readRemoteConfigs({
      "cluster.remote.a.seeds": ["h:1", "h:2"],
      "cluster.remote.b.mode": "PROXY",
      "cluster.remote.b.proxy_address": "p:9400",
      "cluster.remote.c.mode": "proxy",
      "cluster.remote.d.seeds": "h:1,h:2",
    });
    expect([...configs.keys()]).toEqual(["a", "b", "d"]); // c has no proxy_address: not enabled
    expect(configs.get("a")).toMatchObject({ mode: "sniff", seeds: ["h:1", "h:2"], nodeConnections: 3, skipUnavailable: true });
    expect(configs.get("b")).toMatchObject({ mode: "proxy", proxyAddress: "p:9400", proxySocketConnections: 18, serverName: "" });
    expect(configs.get("d")!.seeds).toEqual(["h:1", "h:2"]);
  });

  test("validation runs on the resulting settings in sorted key order", () => {
    const iae = (settings: Record<string, string | string[]>, touched: string[] = Object.keys(settings)) =>
      errorOf(() => validateRemoteSettings(settings, touched, "persistent")).reason;
    expect(iae({ "cluster.remote.x.mode": "proxy", "cluster.remote.x.seeds": "h:1", "cluster.remote.x.proxy_address": "h:1" })).toBe(
      'Setting "cluster.remote.x.seeds" cannot be used with the configured "cluster.remote.x.mode" [required=SNIFF, configured=PROXY]',
    );
    expect(iae({ "cluster.remote.x.server_name": "s", "cluster.remote.x.seeds": "h:1" })).toBe(
      'Setting "cluster.remote.x.server_name" cannot be used with the configured "cluster.remote.x.mode" [required=PROXY, configured=SNIFF]',
    );
    expect(iae({ "cluster.remote.x.seeds": ["h:1", "bad"] })).toBe(
      "remote hosts need to be configured as [host:port], found [bad] instead",
    );
    expect(iae({ "cluster.remote.x.transport.ping_schedule": "5s" })).toBe(
      "Cannot configure setting [cluster.remote.x.transport.ping_schedule] if remote cluster is not enabled.",
    );
    expect(iae({ "cluster.remote.x.nope": "1" })).toBe("persistent setting [cluster.remote.x.nope], not recognized");
    expect(() =>
      validateRemoteSettings(
        { "cluster.remote.x.mode": "proxy", "cluster.remote.x.proxy_address": "h:1", "cluster.remote.x.skip_unavailable": "false" },
        [],
        "persistent",
      ),
    ).not.toThrow();
  });
});

describe("follower settings", () => {
  test("replicated vs non-replicated (TransportResumeFollowAction.filter)", () => {
    for (const k of [
      "index.number_of_replicas",
      "index.refresh_interval",
      "index.routing.allocation.include._tier_preference",
      "index.soft_deletes.retention_lease.period",
      "index.search.slowlog.threshold.query.warn",
    ]) {
      expect(isNonReplicated(k)).toBe(true);
    }
    expect(
      replicatedSettings({
        "index.number_of_shards": "2",
        "index.number_of_replicas": "1",
        "index.uuid": "u",
        "index.xpack.ccr.following_index": "true",
        "index.mapping.total_fields.limit": "10",
        "index.creation_date": "1",
      }),
    ).toEqual({ "index.mapping.total_fields.limit": "10", "index.number_of_shards": "2" });
  });
});

describe("retries", () => {
  test("back-off is a random multiple of 50ms below 2^(retry-1)·50ms, capped at max_retry_delay", () => {
    expect(computeDelay(1, 500, () => 0.999)).toBe(50);
    expect(computeDelay(3, 500, () => 0.999)).toBe(200);
    expect(computeDelay(10, 500, () => 0.999)).toBe(500);
    expect(computeDelay(40, 500, () => 0.999)).toBe(500);
    expect(computeDelay(5, 500, () => 0)).toBe(0);
  });
  test("retryable vs fatal exceptions (ShardFollowNodeTask.shouldRetry)", () => {
    const e = (type: string) => new EsError(type, 500, "x");
    for (const t of [
      "no_seed_node_left_exception",
      "node_disconnected_exception",
      "cluster_block_exception",
      "index_closed_exception",
      "no_such_remote_cluster_exception",
    ]) {
      expect(isRetryable(e(t))).toBe(true);
    }
    for (const t of ["index_not_found_exception", "resource_not_found_exception", "illegal_argument_exception"])
      expect(isRetryable(e(t))).toBe(false);
  });
});
