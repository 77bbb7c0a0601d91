/**
 * The `health` stack output (stack/health/output.ts) never fails or stalls the program: a site
 * cluster that does not answer is `unavailable` within the bound, a dead peer leaves the followers
 * `unknown` (never lag 0), and a primary site reads nothing.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseSiteConfig, type SiteConfig } from "../../../../stack/config";
import { readSiteHealth } from "../../../../stack/health/output";

function config(site: "clusterA" | "clusterB", primary: "clusterA" | "clusterB", a: string, b: string): SiteConfig {
  return parseSiteConfig({
    site,
    primary,
    clusters: {
      clusterA: { endpoint: a, mode: "proxy", proxyAddress: "127.0.0.1:9301" },
      clusterB: { endpoint: b, mode: "proxy", proxyAddress: "127.0.0.1:9302" },
    },
    indices: [{ clusterA: "orders-a", clusterB: "orders-b" }],
  });
}

describe("readSiteHealth", () => {
  let server: http.Server;
  let url: string;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const requests: string[] = [];
  const json = (res: http.ServerResponse, body: unknown) => {
    res.writeHead(200, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
    res.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
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

  test("a site cluster that never answers: unavailable and unknown, within the bound", async () => {
    handler = () => undefined; // hangs
    const started = Date.now();
    const out = await readSiteHealth(config("clusterB", "clusterA", "http://127.0.0.1:9", url), "dr-b", 500);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(out).toMatchObject({ status: "unavailable", cluster: "clusterB", state: "unknown" });
  });

  test("the peer down: the follower is unknown with the reason, its lag absent", async () => {
    handler = (req, res) => {
      const path = new URL(req.url!, url).pathname;
      if (path === "/") return json(res, { cluster_name: "clusterB", cluster_uuid: "u", version: { number: "8.15.0" } });
      if (path === "/_remote/info") return json(res, { clusterA: { connected: false, mode: "proxy", num_proxy_sockets_connected: 0 } });
      if (path === "/orders-b")
        return json(res, { "orders-b": { settings: { index: { uuid: "fu", number_of_shards: "1" } }, mappings: {} } });
      if (path === "/orders-b/_ccr/info")
        return json(res, {
          follower_indices: [{ follower_index: "orders-b", remote_cluster: "clusterA", leader_index: "orders-a", status: "active" }],
        });
      if (path === "/orders-b/_ccr/stats")
        return json(res, {
          indices: [
            { index: "orders-b", shards: [{ shard_id: 0, leader_max_seq_no: 7, follower_global_checkpoint: 4, read_exceptions: [] }] },
          ],
        });
      if (path === "/orders-b/_stats")
        return json(res, {
          indices: { "orders-b": { shards: { "0": [{ routing: { primary: true }, seq_no: { global_checkpoint: 4, max_seq_no: 4 } }] } } },
        });
      res.writeHead(404).end();
    };
    const out = await readSiteHealth(config("clusterB", "clusterA", "http://127.0.0.1:9", url), "dr-b", 2_000);
    expect(out).toMatchObject({
      status: "ok",
      role: "follower",
      state: "unknown",
      followers: { "orders-b": { state: "unknown", lagOperationsAtLeast: 3, remoteConnected: false } },
    });
    if (out.status !== "ok") throw new Error("unreachable");
    expect(out.followers["orders-b"]!.lagOperations).toBeUndefined();
    expect(out.followers["orders-b"]!.fix).toMatch(/ccr-dr failover --to clusterB/);
  });

  test("a primary site has no followers and reads nothing", async () => {
    handler = () => undefined;
    const out = await readSiteHealth(config("clusterA", "clusterA", url, url), "dr-a", 500);
    expect(out).toMatchObject({ status: "ok", cluster: "clusterA", role: "primary", followers: {} });
    expect(requests).toEqual([]);
  });
});
