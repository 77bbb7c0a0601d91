/**
 * The `lastPromotion` stack output (stack/promotionOutput.ts): the pure shaping of the records, the
 * chunking of index lists into short request lines (es/indices.ts), and the bounded read
 * against a small HTTP server standing in for the site's cluster: it must never reject, whatever the
 * cluster does.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { chunkIndexLists, MAX_INDEX_LIST_CHARS } from "../../../es/indices";
import { metaWithPromotion, type PromotionRecord } from "../../../es/records";
import type { ClusterConfig } from "../../../stack/config";
import { LAST_PROMOTION_TIMEOUT_MS, lastPromotionOf, lastPromotionTimeoutMs, readLastPromotion } from "../../../stack/promotionOutput";

function record(index: string, indexUuid: string, promotedAt: string): PromotionRecord {
  return {
    version: 1,
    index,
    indexUuid,
    cluster: "clusterB",
    promotedFrom: {
      remoteCluster: "clusterA",
      leaderIndex: `${index}-a`,
      leaderIndexUuid: `${index}-a-uuid`,
      leaderClusterName: "clusterA",
    },
    promotedAt,
    checkpointsKnown: true,
    shards: [{ shard: 0, globalCheckpoint: 41, maxSeqNo: 41, leaderGlobalCheckpoint: 42, leaderMaxSeqNo: 42 }],
    writeBlockAdded: true,
  };
}

describe("lastPromotionOf", () => {
  test("keeps each index's own record, says which is newest, leaves out the rest", () => {
    const own1 = record("one", "uuid-1", "2026-01-02T03:04:05.000Z");
    const own2 = record("two", "uuid-2", "2026-03-01T00:00:00.000Z");
    const out = lastPromotionOf("clusterB", ["one", "two", "replicated", "plain", "absent"], {
      one: { uuid: "uuid-1", meta: metaWithPromotion({ other: true }, own1) },
      two: { uuid: "uuid-2", meta: metaWithPromotion(undefined, own2) },
      // A follower whose mapping (and so `_meta`) was replicated from its leader: the record is
      // about the leader index, not this one.
      replicated: {
        uuid: "follower-uuid",
        meta: metaWithPromotion(undefined, record("replicated-leader", "leader-uuid", "2027-01-01T00:00:00.000Z")),
      },
      plain: { uuid: "uuid-3", meta: undefined },
    });
    expect(out).toEqual({ status: "ok", cluster: "clusterB", indices: { one: own1, two: own2 }, newest: own2 });
    expect(Object.keys(out.indices)).toEqual(["one", "two"]);
  });

  test("no record at all: an empty map and no newest", () => {
    const out = lastPromotionOf("clusterA", ["x"], { x: { uuid: "u", meta: { ccr_dr: {} } } });
    expect(out).toEqual({ status: "ok", cluster: "clusterA", indices: {} });
    expect("newest" in out).toBe(false);
  });

  test("newest: an unparseable time never beats a real one; ties keep the first configured index", () => {
    const bad = record("bad", "u-bad", "");
    const a = record("a", "u-a", "2026-05-05T00:00:00.000Z");
    const b = record("b", "u-b", "2026-05-05T00:00:00.000Z");
    const found = {
      bad: { uuid: "u-bad", meta: metaWithPromotion(undefined, bad) },
      a: { uuid: "u-a", meta: metaWithPromotion(undefined, a) },
      b: { uuid: "u-b", meta: metaWithPromotion(undefined, b) },
    };
    expect(lastPromotionOf("clusterB", ["bad", "a", "b"], found).newest).toEqual(a);
    expect(lastPromotionOf("clusterB", ["bad"], found).newest).toEqual(bad);
  });
});

describe("chunkIndexLists", () => {
  const encodedLength = (list: string[]) => encodeURIComponent(list.join(",")).length;

  test("keeps order, covers every name, and keeps each list's URL form within the bound", () => {
    const names = Array.from({ length: 200 }, (_, i) => `index-${i}-${"x".repeat(i % 60)}`);
    const lists = chunkIndexLists(names);
    expect(lists.flat()).toEqual(names);
    expect(lists.length).toBeGreaterThan(1);
    for (const l of lists) expect(encodedLength(l)).toBeLessThanOrEqual(MAX_INDEX_LIST_CHARS);
  });

  test("counts percent-encoding: `,` and non-ASCII characters take more room in the path", () => {
    const names = ["é".repeat(20), "b", "c"]; // é is %C3%A9: 120 characters
    expect(chunkIndexLists(names, 123)).toEqual([[names[0]], ["b", "c"]]); // 120 + %2C + b = 124
    expect(chunkIndexLists(names, 124)).toEqual([[names[0], "b"], ["c"]]);
    expect(chunkIndexLists(["a", "b", "c"], 7)).toEqual([["a", "b"], ["c"]]); // a%2Cb = 5, a%2Cb%2Cc = 9
    expect(chunkIndexLists([], 10)).toEqual([]);
    expect(chunkIndexLists(["toolong"], 3)).toEqual([["toolong"]]);
  });
});

test("lastPromotionTimeoutMs: a few seconds, or the cluster's request timeout when smaller", () => {
  expect(lastPromotionTimeoutMs({})).toBe(LAST_PROMOTION_TIMEOUT_MS);
  expect(lastPromotionTimeoutMs({ requestTimeoutMs: 800 })).toBe(800);
  expect(lastPromotionTimeoutMs({ requestTimeoutMs: 30_000 })).toBe(LAST_PROMOTION_TIMEOUT_MS);
});

describe("readLastPromotion against a stand-in cluster", () => {
  let server: http.Server;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const requests: string[] = [];
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? "");
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
  });

  const site = (endpoint: string, extra: Partial<ClusterConfig> = {}): ClusterConfig => ({
    name: "clusterB",
    endpoints: [endpoint],
    remote: { mode: "proxy", proxyAddress: "127.0.0.1:9301" },
    ...extra,
  });
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
    res.end(JSON.stringify(body));
  };

  test("reads the records of many indices in short requests", async () => {
    const names = Array.from({ length: 60 }, (_, i) => `promoted-${i}-${"n".repeat(150)}`);
    const records = Object.fromEntries(
      names.map((n, i) => [n, record(n, `uuid-${i}`, `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`)]),
    );
    handler = (req, res) => {
      const u = new URL(req.url!, url);
      expect(u.searchParams.get("ignore_unavailable")).toBe("true");
      const asked = decodeURIComponent(u.pathname.slice(1)).split(",");
      json(
        res,
        200,
        Object.fromEntries(
          asked
            .filter((n) => records[n])
            .map((n) => [
              n,
              { settings: { index: { uuid: records[n]!.indexUuid } }, mappings: { _meta: metaWithPromotion(undefined, records[n]!) } },
            ]),
        ),
      );
    };
    const out = await readLastPromotion(site(url), [...names, "absent"]);
    expect(out).toEqual({ status: "ok", cluster: "clusterB", indices: records, newest: records[names[59]!] });
    expect(requests.length).toBeGreaterThan(2);
    for (const r of requests) expect(`GET ${r} HTTP/1.1`.length).toBeLessThan(4096);
  });

  test("an error answer is `unavailable` with the reason", async () => {
    handler = (_req, res) => json(res, 500, { error: { type: "illegal_state_exception", reason: "the sky fell" }, status: 500 });
    const out = await readLastPromotion(site(url), ["idx"]);
    expect(out).toMatchObject({ status: "unavailable", cluster: "clusterB" });
    expect(out.status === "unavailable" && out.reason).toMatch(/indices\.get[\s\S]*clusterB[\s\S]*the sky fell/);
  });

  test("an unreachable cluster is `unavailable`, quickly", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    const out = await readLastPromotion(site(`http://127.0.0.1:${port}`), ["idx"]);
    expect(out).toMatchObject({ status: "unavailable", cluster: "clusterB" });
    expect(Date.now() - started).toBeLessThan(LAST_PROMOTION_TIMEOUT_MS);
  });

  test("a cluster that never answers is `unavailable` once the bound is reached, with no credential in the reason", async () => {
    handler = () => undefined; // accepts, never answers
    const started = Date.now();
    const out = await readLastPromotion(site(url, { username: "elastic", password: "s3cret-pw", requestTimeoutMs: 400 }), ["idx"]);
    const elapsed = Date.now() - started;
    expect(out).toMatchObject({ status: "unavailable", cluster: "clusterB" });
    expect(out.status === "unavailable" && out.reason).toMatch(/timed? ?out|did not answer/i);
    expect(JSON.stringify(out)).not.toContain("s3cret-pw");
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(2_000);
  });
});
