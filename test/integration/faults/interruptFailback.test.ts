/**
 * A failback interrupted by kill -9 while its follower is being created: an HTTP proxy in front of
 * clusterA holds the answer to `PUT /{index}/_ccr/follow` (the follow has happened in the cluster)
 * while ccr-dr, pulumi and the provider process are killed. Pulumi keeps a pending create and the
 * stack lock; the re-run of `ccr-dr failback` removes the stale lock, adopts the follower and then
 * clears the pending create, which Pulumi would otherwise warn about on every later update.
 */
import { A_INDEX, B_INDEX, type DrPair, expectNoChanges, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startFaultProxy, type FaultProxy } from "../../helpers/faultProxy";
import { http } from "../../helpers/sim";
import { indexState, lockFiles, pendingOperations, processesIn, startCcrDr } from "../../helpers/faultKit";

jest.setTimeout(600_000);

const FOLLOWER_URN = `urn:pulumi:dr-a::ccr-dr::pulumi-nodejs:dynamic/ccr-dr/followerIndex:FollowerIndex::${A_INDEX}`;

describe("a failback interrupted by kill -9 mid-create", () => {
  let pair: DrPair;
  let proxyA: FaultProxy;

  beforeAll(async () => {
    pair = await startDrPair();
    proxyA = await startFaultProxy(pair.a.url);
    await (await pair.stack("clusterA")).setConfig("ccr-dr:clusters.clusterA.endpoint", { value: proxyA.url }, true);
    await loadOrders(pair.a.url, A_INDEX, 50);
    await (await pair.stack("clusterB")).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    // clusterA still answers: --force fences it (through its own endpoint) before promoting clusterB.
    const failover = await startCcrDr(pair, ["failover", "--to", "clusterB", "--yes", "--force"]).done;
    expect(failover.code).toBe(0);
    expect((await http(pair.b.url, "POST", `/${B_INDEX}/_doc?refresh=true`, { user: "kimchy" })).status).toBe(201);
  });
  afterAll(async () => {
    await proxyA?.close();
    await pair?.cleanup();
  });

  test("the re-run converges and leaves no pending create and no lock", async () => {
    const drA = await pair.stack("clusterA");
    const hold = proxyA.holdAfter({ method: "PUT", path: new RegExp(`^/${A_INDEX}/_ccr/follow$`) });
    const first = startCcrDr(pair, ["failback", "--yes"]);
    await hold.reached;
    first.signalGroup("SIGKILL");
    for (const pid of processesIn(pair.workDir)) process.kill(pid, "SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    hold.release();
    expect(await pendingOperations(drA)).toEqual([{ type: "creating", urn: FOLLOWER_URN }]);
    expect(lockFiles(pair, "dr-a")).toHaveLength(1);

    const rerun = await startCcrDr(pair, ["failback", "--yes"]).done;
    expect(rerun.code).toBe(0);
    expect(await pendingOperations(drA)).toEqual([]);
    expect(rerun.stderr).toMatch(/clearing 1 pending create\(s\) an interrupted run left in stack dr-a, whose resources exist now/);
    expect(lockFiles(pair, "dr-a")).toEqual([]);
    // clusterA follows clusterB and holds what B holds, the write made on B included.
    expect(await indexState(pair.a.url, A_INDEX)).toMatchObject({ exists: true, follower: "active" });
    const onB = await inSync(pair.b.url, B_INDEX, pair.a.url, A_INDEX);
    expect(onB).toHaveLength(51);
    await expectNoChanges(drA);
    // A later update no longer reports leftovers.
    const again = await drA.up();
    expect(again.stdout).not.toMatch(/pending operations? from previous deployment/);
  });
});
