import { ConfigError, parseSiteConfig, RawConfig } from "../../../stack/config";

const valid = (): RawConfig => ({
  site: "clusterB",
  primary: "clusterA",
  clusters: {
    clusterA: {
      endpoint: "http://127.0.0.1:9200",
      mode: "proxy",
      proxyAddress: "127.0.0.1:9300",
      skipUnavailable: "true",
      proxySocketConnections: "18",
    },
    clusterB: { endpoint: "http://127.0.0.1:9201", proxyAddress: "127.0.0.1:9301" },
  },
  indices: [{ clusterA: "kibana_sample_data_ecommerce", clusterB: "kibana_sample_data_ecommerce2" }],
});

function problems(raw: RawConfig): string[] {
  try {
    parseSiteConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("parseSiteConfig", () => {
  test("the tutorial's configuration parses, strings coerced like Elasticsearch does", () => {
    const cfg = parseSiteConfig(valid());
    expect(cfg.site).toBe("clusterB");
    expect(cfg.peer).toBe("clusterA");
    expect(cfg.fenced).toBe(false);
    expect(cfg.force).toBe(false);
    expect(cfg.clusters.clusterA.remote).toEqual({
      mode: "proxy",
      proxyAddress: "127.0.0.1:9300",
      proxySocketConnections: 18,
      skipUnavailable: true,
    });
    expect(cfg.clusters.clusterB.endpoints).toEqual(["http://127.0.0.1:9201"]);
    expect(cfg.indices).toEqual([{ clusterA: "kibana_sample_data_ecommerce", clusterB: "kibana_sample_data_ecommerce2" }]);
  });

  test("sniff mode", () => {
    const raw = valid();
    (raw.clusters as any).clusterA = { endpoint: "https://a:9200", mode: "sniff", seeds: ["a:9300", "b:9300"], nodeConnections: 3 };
    expect(parseSiteConfig(raw).clusters.clusterA.remote).toEqual({ mode: "sniff", seeds: ["a:9300", "b:9300"], nodeConnections: 3 });
  });

  test("unknown site and primary are each reported", () => {
    expect(problems({ ...valid(), site: "clusterC", primary: "a" })).toEqual([
      "ccr-dr:site [clusterC] is unknown: use one of clusterA, clusterB",
      "ccr-dr:primary [a] is unknown: use one of clusterA, clusterB",
    ]);
  });

  test("an index in two pairs, invalid names, and a pair naming an unknown cluster", () => {
    const raw = valid();
    raw.indices = [
      { clusterA: "logs", clusterB: "logs" },
      { clusterA: "logs", clusterB: "Other" },
      { clusterA: "x", clusterC: "y" },
    ];
    expect(problems(raw)).toEqual([
      "ccr-dr:indices[1].clusterA [logs] is already in ccr-dr:indices[0]: an index can be in one pair only",
      "ccr-dr:indices[1].clusterB [Other] is not a valid index name: it must be lowercase",
      "ccr-dr:indices[2] names cluster [clusterC], which is not configured: use one of clusterA, clusterB",
      "ccr-dr:indices[2].clusterB is missing: the index name on clusterB",
    ]);
  });

  test("missing endpoints, bad addresses and other-mode settings", () => {
    const raw = valid();
    raw.clusters = {
      clusterA: { mode: "proxy", proxyAddress: "nohost", seeds: ["a:1"] },
      clusterB: { endpoint: "ftp://b", proxyAddress: "b:0", typo: 1 },
    };
    expect(problems(raw)).toEqual([
      "ccr-dr:clusters.clusterA.endpoint is missing: set the cluster's HTTP endpoint, e.g. http://127.0.0.1:9200",
      "ccr-dr:clusters.clusterA.seeds cannot be used with mode proxy (it is a sniff-mode setting)",
      "ccr-dr:clusters.clusterA.proxyAddress [nohost]: expected host:port (IPv6 as [addr]:port)",
      expect.stringContaining("ccr-dr:clusters.clusterB.typo is not a known setting"),
      "ccr-dr:clusters.clusterB.endpoint must be an http(s) URL, found [ftp://b]",
      "ccr-dr:clusters.clusterB.proxyAddress [b:0]: port must be from 1 to 65535, got 0",
    ]);
  });

  test("everything missing gives one problem per key", () => {
    expect(problems({})).toHaveLength(4);
  });
});

test("ccr-dr:force: true/false (also as strings, as `pulumi config set` writes them); anything else is a problem", () => {
  expect(parseSiteConfig({ ...valid(), force: "true" }).force).toBe(true);
  expect(parseSiteConfig({ ...valid(), force: false }).force).toBe(false);
  expect(problems({ ...valid(), force: "yes" })).toEqual(["ccr-dr:force must be true or false"]);
});
