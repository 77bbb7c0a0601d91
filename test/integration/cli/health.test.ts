/**
 * What `ccr-dr status`, `ccr-dr metrics` and `ccr-dr plan` tell the operator, through the real CLI
 * (a child process, no TTY), the real program and `pulumi`, on one es-sim pair: a healthy pair, a
 * paused follower (lagging), a remote pointing at a wrong proxy (broken although the follower's own
 * view says lag 0), the leader killed (unknown, never lag 0; the plan's RPO a lower bound), and a
 * failback plan that counts the divergent documents the failback then quarantines. The `health`
 * stack output says the same, also while the peer is down.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import { ccrDr, expectSchema } from "../../helpers/ccrDrCli";
import { A_INDEX, B_INDEX, count, type DrPair, eventually, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { parseExposition, samples } from "../../helpers/prometheus";
import { http } from "../../helpers/sim";

jest.setTimeout(600_000);

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const followerOf = (json: any) => json.clusters.find((c: { cluster: string }) => c.cluster === "clusterB").indices[0];

describe("ccr-dr status, metrics and plan tell the truth", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair();
    await loadOrders(pair.a.url, A_INDEX, 50);
    for (const site of ["clusterB", "clusterA"] as const) await (await pair.stack(site)).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterAll(async () => pair?.cleanup());

  test("healthy pair: exit 0, lag 0 read from the leader, a failback window; prometheus parses", async () => {
    const r = await ccrDr(pair, ["status", "--json"]);
    expectSchema("status", r.json);
    expect(r.code).toBe(0);
    expect(r.json.health).toBe("healthy");
    const f = followerOf(r.json);
    expect(f.health).toMatchObject({
      state: "healthy",
      lag: { operations: 0, seconds: 0 },
      remote: { alias: "clusterA", connected: true },
    });
    expect(Date.parse(f.health.failbackWindow.leaseExpiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000); // 12h default period

    const m = await ccrDr(pair, ["metrics"]);
    expect(m.code).toBe(0);
    const e = parseExposition(m.stdout);
    expect(samples(e, "ccr_dr_follower_lag_operations", { cluster: "clusterB", index: B_INDEX })[0]?.value).toBe(0);
    expect(samples(e, "ccr_dr_follower_state", { index: B_INDEX, state: "healthy" })[0]?.value).toBe(1);
  });

  test("a paused follower with writes on the leader is lagging: exit 10, the operations it misses", async () => {
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_ccr/pause_follow`)).status).toBe(200);
    await loadOrders(pair.a.url, A_INDEX, 3, "while-paused");
    const r = await ccrDr(pair, ["status", "--json"]);
    expectSchema("status", r.json);
    expect(r.code).toBe(10);
    expect(followerOf(r.json).health).toMatchObject({ state: "lagging", lag: { operations: 3 } });
    expect(followerOf(r.json).health.reasons.join("\n")).toMatch(/paused/);
    const text = await ccrDr(pair, ["status"]);
    expect(text.code).toBe(10);
    expect(text.stdout).toMatch(/lag: 3 ops/);
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_ccr/resume_follow`, {})).status).toBe(200);
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });

  test("a wrong proxy address for the peer: broken with no_seed_node_left_exception and the real lag, exit 11 — not 'lag 0'", async () => {
    const wrong = `127.0.0.1:${await closedPort()}`;
    const put = (address: string) =>
      http(pair.b.url, "PUT", "/_cluster/settings", { persistent: { "cluster.remote.clusterA.proxy_address": address } });
    expect((await put(wrong)).status).toBe(200);
    try {
      await loadOrders(pair.a.url, A_INDEX, 2, "unseen");
      await eventually("read_exceptions on clusterB", async () => {
        const s = await http(pair.b.url, "GET", `/${B_INDEX}/_ccr/stats`);
        return s.body.indices?.[0]?.shards?.[0]?.read_exceptions?.length > 0 ? true : undefined;
      });
      const r = await ccrDr(pair, ["status", "--json"]);
      expectSchema("status", r.json);
      expect(r.code).toBe(11);
      expect(r.json.health).toBe("broken");
      const h = followerOf(r.json).health;
      expect(h.state).toBe("broken");
      expect(h.lag.operations).toBe(2); // read from the leader: the follower's own stats still say 0
      expect(h.reasons.join("\n")).toMatch(/no_seed_node_left_exception/);
      expect(h.fix).toMatch(/ccr-dr:clusters\.clusterA/);
      const text = await ccrDr(pair, ["status"]);
      expect(text.code).toBe(11);
      expect(text.stdout).not.toMatch(/lag 0 ops/);
      expect(text.stdout).toMatch(/broken/);
    } finally {
      expect((await put(pair.a.transportAddress)).status).toBe(200);
    }
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });

  test("the leader down: unknown with the reason, exit 12, lag absent from the metrics; plan's RPO is '≥ N, upper bound unknown'; the stack output too", async () => {
    await pair.a.kill("SIGKILL");
    const r = await ccrDr(pair, ["status", "--json"]);
    expectSchema("status", r.json);
    expect(r.code).toBe(12);
    expect(r.json.clusters[0]).toMatchObject({ cluster: "clusterA", reachable: false });
    const h = followerOf(r.json).health;
    expect(h.state).toBe("unknown");
    expect(h.lag.operations).toBeUndefined();
    expect(typeof h.lag.operationsAtLeast).toBe("number");
    expect(h.lag.unknownReason).toMatch(/leader clusterA could not be read/);

    const m = await ccrDr(pair, ["status", "--format", "prometheus"]);
    expect(m.code).toBe(12);
    const e = parseExposition(m.stdout);
    expect(samples(e, "ccr_dr_follower_lag_known", { index: B_INDEX })[0]?.value).toBe(0);
    expect(samples(e, "ccr_dr_follower_lag_operations", { index: B_INDEX })).toEqual([]);
    expect(samples(e, "ccr_dr_cluster_reachable", { cluster: "clusterA" })[0]?.value).toBe(0);

    const text = await ccrDr(pair, ["plan", "--to", "clusterB"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`RPO ${B_INDEX} on clusterB: ≥ \\d+ operations of clusterA:${A_INDEX} not replicated, upper bound unknown`),
    );
    expect(text.stdout).toMatch(/estimated RPO: ≥ \d+ operations, upper bound unknown: .*clusterA/);
    fs.rmSync(`${pair.workDir}/.ccr-dr`, { recursive: true, force: true }); // the saved plans

    // The program reads the peer with short bounds: an update with the peer down succeeds, and says unknown.
    const up = await (await pair.stack("clusterB")).up();
    const health = up.outputs["health"]?.value;
    expect(health).toMatchObject({ status: "ok", state: "unknown", followers: { [B_INDEX]: { state: "unknown" } } });
    expect(health.followers[B_INDEX].lagOperations).toBeUndefined();
  });

  test("failback plan counts the divergent documents above the promotion checkpoint; the failback quarantines exactly those", async () => {
    const f = await ccrDr(pair, ["failover", "--to", "clusterB", "--yes", "--no-plan", "--json"]);
    expect(f.code).toBe(0);
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_doc?refresh=true`, { user: "kimchy" })).status).toBe(201);
    await pair.a.restart();
    // Written on the old primary after the failover: it never reached clusterB.
    expect((await http(pair.a.url, "POST", `/${A_INDEX}/_doc?refresh=true`, { user: "divergent" })).status).toBe(201);

    const p = await ccrDr(pair, ["plan", "--to", "clusterB", "--json"]);
    expectSchema("plan", p.json);
    expect(p.code).toBe(0);
    const onB = await count(pair.b.url, B_INDEX);
    expect(p.json.rpo.indices[0]).toMatchObject({ kind: "failback", cluster: "clusterB", quarantineDocuments: 1, copyDocuments: onB });
    expect(p.json.rpo).toMatchObject({ quarantineDocuments: 1, copyDocuments: onB });
    for (const file of Object.values(p.json.planFiles) as string[]) fs.rmSync(file, { force: true });

    const fb = await ccrDr(pair, ["failback", "--yes", "--no-plan", "--json"]);
    expect(fb.code).toBe(0);
    const q = await http(pair.a.url, "GET", "/_cat/indices/ccr-dr-quarantine-*?format=json&h=index,docs.count");
    expect(q.body.map((row: { "docs.count": string }) => Number(row["docs.count"]))).toEqual([p.json.rpo.quarantineDocuments]);
    await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX);
  });
});
