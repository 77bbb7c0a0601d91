/**
 * A planned switchover whose target cannot catch up: lagging (its replication link stalled by a TCP
 * proxy in front of the leader's transport port, a partition) or down (killed). `ccr-dr switchover`
 * fences the primary, waits, then aborts with exit 4: nothing is promoted, the fence is lifted and
 * the primary takes writes again. Once the link heals every document reaches the target.
 */
import { http } from "../../helpers/sim";
import { A_INDEX, B_INDEX, DrPair, expectNoChanges, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startTcpFaultProxy, type TcpFaultProxy } from "../../helpers/faultProxy";
import { ccrDr, indexState, report } from "../../helpers/faultKit";

jest.setTimeout(600_000);

describe("a planned switchover to a target that is lagging or down", () => {
  let pair: DrPair;
  let link: TcpFaultProxy;

  beforeAll(async () => {
    pair = await startDrPair();
    // clusterB reaches clusterA's transport port (its remote cluster "clusterA") through the relay.
    link = await startTcpFaultProxy(pair.a.transportAddress);
    await (await pair.stack("clusterB")).setConfig("ccr-dr:clusters.clusterA.proxyAddress", { value: link.address }, true);
    await (await pair.stack("clusterA")).setConfig("ccr-dr:clusters.clusterA.proxyAddress", { value: link.address }, true);
    await loadOrders(pair.a.url, A_INDEX, 100);
    await (await pair.stack("clusterB")).up();
    await (await pair.stack("clusterA")).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterEach(() => {
    link.resume();
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => {
    await link?.close();
    await pair?.cleanup();
  });

  /** Nothing was promoted, clusterA takes writes, both stacks still say primary clusterA and unfenced. */
  async function expectAbortedCleanly(): Promise<string> {
    expect(await indexState(pair.b.url, B_INDEX)).toMatchObject({ follower: "active", promotion: false });
    expect(await indexState(pair.a.url, A_INDEX)).toMatchObject({ open: true, follower: "none", writeBlocked: false });
    const write = await http(pair.a.url, "POST", `/${A_INDEX}/_doc?refresh=true`, { user: "after the abort" });
    expect(write.status).toBe(201);
    for (const site of ["clusterA", "clusterB"] as const) {
      const s = await pair.stack(site);
      expect((await s.getConfig("ccr-dr:primary")).value).toBe("clusterA");
      const fenced = await s.getAllConfig();
      expect(fenced["ccr-dr:fenced"]?.value ?? "false").toBe("false");
    }
    return write.body._id as string;
  }

  test("target lagging: aborts with exit 4, promotes nothing, clusterA writable; nothing is lost once the link heals", async () => {
    link.stall();
    const late = await loadOrders(pair.a.url, A_INDEX, 25, "late"); // acknowledged by A, not replicated
    const r = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json", "--timeout", "3"]);
    expect(r.code).toBe(4);
    expect(r.json).toEqual({
      error: expect.stringMatching(
        /^switchover to clusterB aborted: clusterB was still \d+ operations behind clusterA; nothing was promoted and clusterA takes writes again$/,
      ),
      exitCode: 4,
    });
    expect(r.stderr).toMatch(/waiting for clusterB to catch up: \d+ operations behind/);
    const afterAbort = await expectAbortedCleanly();
    link.resume();
    const onB = await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    expect(onB).toEqual(expect.arrayContaining([...late, afterAbort]));
    expect(onB).toEqual(await ids(pair.a.url, A_INDEX));
    report(
      `switchover, target lagging: aborted (exit 4), ${late.length} unreplicated documents reached clusterB after the link healed; ${onB.length} on both`,
    );
    await expectNoChanges(await pair.stack("clusterA"));
    await expectNoChanges(await pair.stack("clusterB"));
  });

  test("target down: aborts with exit 4, promotes nothing, clusterA writable; clusterB catches up after its restart", async () => {
    const before = await ids(pair.a.url, A_INDEX);
    await pair.b.kill("SIGKILL");
    const r = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json", "--timeout", "2"]);
    expect(r.code).toBe(4);
    expect(r.json.error).toMatch(
      /^switchover to clusterB aborted: clusterB was still \d+ operations behind clusterA; nothing was promoted and clusterA takes writes again$/,
    );
    await pair.b.restart();
    const afterAbort = await expectAbortedCleanly();
    const onB = await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    expect(onB).toEqual([...before, afterAbort].sort());
    report(
      `switchover, target down: aborted (exit 4), clusterA took a write after the abort; ${onB.length} documents on both after clusterB's restart`,
    );
    await expectNoChanges(await pair.stack("clusterA"));
    await expectNoChanges(await pair.stack("clusterB"));
  });
});
