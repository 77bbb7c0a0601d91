import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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

describe("ccr-dr:indicesFile", () => {
  /** Parses the tutorial's configuration with `indicesFile` instead of `indices`; `read` collects the paths read. */
  const run = (text: string | Error, file = "indices/dr.pairs", read: string[] = []) => {
    const { indices: _indices, ...rest } = valid();
    return parseSiteConfig(
      { ...rest, indicesFile: file },
      {
        projectDir: "/srv/ccr-dr",
        readFile: (f) => {
          read.push(f);
          if (text instanceof Error) throw text;
          return text;
        },
      },
    );
  };
  const parse = (text: string | Error, file?: string) => run(text, file);
  const problemsOf = (text: string | Error, file?: string): string[] => {
    try {
      run(text, file);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
  };

  test("pairs, single names, comments, blank lines, tabs and CRLF; the path starts at the project directory", () => {
    const read: string[] = [];
    const cfg = run(
      "# clusterA  clusterB\r\norders  orders-copy\r\n\r\nlogs\t# same name on both\n  kibana_sample_data_ecommerce\tkibana_sample_data_ecommerce2  \n",
      "indices/dr.pairs",
      read,
    );
    expect(cfg.indices).toEqual([
      { clusterA: "orders", clusterB: "orders-copy" },
      { clusterA: "logs", clusterB: "logs" },
      { clusterA: "kibana_sample_data_ecommerce", clusterB: "kibana_sample_data_ecommerce2" },
    ]);
    expect(read).toEqual(["/srv/ccr-dr/indices/dr.pairs"]);
    expect(parse("a\n", "/etc/ccr-dr/all.pairs").indices).toEqual([{ clusterA: "a", clusterB: "a" }]);
  });

  test("2,500 pairs of 28-character names (beyond what the stack configuration can carry) are read in order", () => {
    const names = Array.from({ length: 2500 }, (_, i) => `kibana-sample-ecommerce-${String(i).padStart(4, "0")}`);
    expect(names[0]).toHaveLength(28);
    const cfg = parse(names.map((n) => `${n} ${n}-b`).join("\n"));
    expect(cfg.indices).toHaveLength(2500);
    expect(cfg.indices[2499]).toEqual({ clusterA: names[2499], clusterB: `${names[2499]}-b` });
  });

  test("every bad line is reported with its number: three names, invalid names, duplicates on either side", () => {
    expect(problemsOf("orders orders-b extra\nBad\nok _bad\nlogs logs-b\nlogs other\nx logs-b\nlogs\n")).toEqual([
      'ccr-dr:indicesFile indices/dr.pairs line 1 has 3 names: write "<index on clusterA> <index on clusterB>", or one name when both clusters use it',
      "ccr-dr:indicesFile indices/dr.pairs line 2: [Bad] is not a valid index name: it must be lowercase",
      'ccr-dr:indicesFile indices/dr.pairs line 3: [_bad] is not a valid index name: it must not start with "-", "_" or "+"',
      "ccr-dr:indicesFile indices/dr.pairs line 5: clusterA index [logs] is already on line 4: an index can be in one pair only",
      "ccr-dr:indicesFile indices/dr.pairs line 6: clusterB index [logs-b] is already on line 4: an index can be in one pair only",
      "ccr-dr:indicesFile indices/dr.pairs line 7: clusterA index [logs] is already on line 4: an index can be in one pair only",
    ]);
  });

  test("a file without pairs, a missing or unreadable file", () => {
    expect(problemsOf("# nothing yet\n\n")).toEqual([
      'ccr-dr:indicesFile indices/dr.pairs lists no index pairs: write one pair per line, "<index on clusterA> <index on clusterB>"',
    ]);
    expect(problemsOf(Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" }))).toEqual([
      "ccr-dr:indicesFile [indices/dr.pairs] does not exist: a relative path starts at the project directory (where Pulumi.yaml is); create the file there, one index pair per line, or fix the path",
    ]);
    expect(problemsOf(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }))).toEqual([
      "ccr-dr:indicesFile [indices/dr.pairs] cannot be read: EACCES: permission denied",
    ]);
  });

  test("indicesFile: both keys set, a missing file, a path that is not a string", () => {
    // Pulumi.yaml's defaults: indices [] and indicesFile "" mean unset
    expect(parseSiteConfig({ ...valid(), indicesFile: "" }).indices).toHaveLength(1);
    expect(problems({ ...valid(), indices: [], indicesFile: "" })).toEqual([
      "ccr-dr:indices is missing: a list of pairs like {clusterA: my-index, clusterB: my-index}, or ccr-dr:indicesFile naming a file of pairs",
    ]);
    expect(problems({ ...valid(), indicesFile: "indices.pairs" })).toEqual([
      "ccr-dr:indices and ccr-dr:indicesFile are both set: keep one (pulumi config rm ccr-dr:indices to use the file, or pulumi config rm ccr-dr:indicesFile)",
    ]);
    expect(problems({ ...valid(), indices: undefined, indicesFile: 5 })).toEqual([
      "ccr-dr:indicesFile must be a file path, relative to the project directory (where Pulumi.yaml is) or absolute",
    ]);
    expect(problems({ ...valid(), indices: undefined, indicesFile: "no-such-dir/indices.pairs" })).toEqual([
      "ccr-dr:indicesFile [no-such-dir/indices.pairs] does not exist: a relative path starts at the project directory (where Pulumi.yaml is); create the file there, one index pair per line, or fix the path",
    ]);
    // the default file reader with the real file system: an indices file next to a project
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccr-dr-pairs-"));
    try {
      fs.writeFileSync(path.join(dir, "dr.pairs"), "orders orders-b\n");
      expect(parseSiteConfig({ ...valid(), indices: [], indicesFile: "dr.pairs" }, { projectDir: dir }).indices).toEqual([
        { clusterA: "orders", clusterB: "orders-b" },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
