/**
 * kill -9 of a cluster in the middle of `pulumi up`, at every step that changes it: the promoting
 * clusterB during a failover (after pause, close, unfollow, open) and the old leader clusterA
 * during the failback that follows (after fence, mid-quarantine, after the quarantine is complete,
 * after delete). An HTTP proxy in front of the cluster kills it once it has answered the step, before
 * the answer is relayed, so the provider sees a broken connection although the step took effect.
 *
 * Each kill is followed by a restart and a re-run of the same `up`; the re-run continues from what
 * the crash left (checked in the cluster) until the next kill, and the last one converges with a
 * no-change preview. The cases share one failover and one failback, as an operator's retries would.
 * Both end with a document count: nothing acknowledged is lost, divergent documents are quarantined.
 */
import { http } from "../../helpers/sim";
import { A_INDEX, B_INDEX, DrPair, expectNoChanges, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startFaultProxy, type FaultProxy, type RequestMatch } from "../../helpers/faultProxy";
import { ccrDrMeta, indexState, minus, pendingOperations, report, union, writeAcked, type IndexState } from "../../helpers/faultKit";

jest.setTimeout(600_000);

/** The orders loaded on clusterA and replicated before the disaster. */
const ORDERS = Array.from({ length: 200 }, (_, i) => `order-${i}`);

interface Step {
  name: string;
  match: RequestMatch;
  /** The provider's words for the step, as its error names it. */
  failed: RegExp;
  /** What the crash must have left: the step took effect. */
  left: (s: IndexState) => void;
}

describe("kill -9 at every step of a failover and of the failback after it", () => {
  let pair: DrPair;
  let proxyA: FaultProxy;
  let proxyB: FaultProxy;
  /** Documents clusterA acknowledged before the disaster. */
  let ackedOnA: string[];
  /** clusterB's documents right after its promotion. */
  let onBAtPromotion: string[];

  beforeAll(async () => {
    pair = await startDrPair();
    proxyA = await startFaultProxy(pair.a.url);
    proxyB = await startFaultProxy(pair.b.url);
    const drA = await pair.stack("clusterA");
    const drB = await pair.stack("clusterB");
    // Each site's stack reaches its own cluster through the proxy (the peer's endpoint is direct).
    await drA.setConfig("ccr-dr:clusters.clusterA.endpoint", { value: proxyA.url }, true);
    await drB.setConfig("ccr-dr:clusters.clusterB.endpoint", { value: proxyB.url }, true);
    await loadOrders(pair.a.url, A_INDEX, 200);
    await drB.up();
    await drA.up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterEach(() => {
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => {
    await proxyA?.close();
    await proxyB?.close();
    await pair?.cleanup();
  });

  test("failover: clusterB killed after pause, close, unfollow and open; every re-run continues, the last converges", async () => {
    const { a, b } = pair;
    const drB = await pair.stack("clusterB");
    // Writes acknowledged up to the moment clusterA dies; the last ones may never reach clusterB.
    const inflight = await writeAcked(a.url, A_INDEX, "inflight", 20);
    await a.kill("SIGKILL");
    ackedOnA = union(ORDERS, inflight);
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });

    const steps: Array<Step & { restartAFirst?: boolean }> = [
      {
        name: "pause",
        match: { method: "POST", path: new RegExp(`^/${B_INDEX}/_ccr/pause_follow$`) },
        failed: new RegExp(`"pause following of "${B_INDEX}"" failed`),
        left: (s) => expect(s).toMatchObject({ open: true, follower: "paused" }),
      },
      {
        name: "close",
        match: { method: "POST", path: new RegExp(`^/${B_INDEX}/_close$`) },
        failed: new RegExp(`"close "${B_INDEX}"" failed`),
        left: (s) => expect(s).toMatchObject({ open: false, follower: "paused" }),
      },
      {
        // clusterA comes back here: unfollow then also removes its retention leases on A.
        name: "unfollow",
        restartAFirst: true,
        match: { method: "POST", path: new RegExp(`^/${B_INDEX}/_ccr/unfollow$`) },
        failed: new RegExp(`"unfollow "${B_INDEX}" \\(convert it to a regular index\\)" failed`),
        left: (s) => expect(s).toMatchObject({ open: false, follower: "none", promotion: false }),
      },
      {
        name: "open",
        match: { method: "POST", path: new RegExp(`^/${B_INDEX}/_open$`) },
        failed: new RegExp(`"open "${B_INDEX}"" failed`),
        // Opened write-blocked: no client write can land before the promotion record.
        left: (s) => expect(s).toMatchObject({ open: true, follower: "none", writeBlocked: true, promotion: false }),
      },
    ];
    for (const step of steps) {
      if (step.restartAFirst) {
        await a.restart();
        // clusterA answers and takes writes again: the failover is refused, changing nothing
        // (stack/splitBrain.ts). The operator forces it, which fences clusterA through its own endpoint.
        const refused = await drB.up().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(refused?.message).toMatch(/refusing to fail over to clusterB: clusterA answers and takes writes/);
        expect(await indexState(b.url, B_INDEX)).toMatchObject({ open: false, follower: "paused" });
        await drB.setConfig("ccr-dr:force", { value: "true" });
      }
      const killed = proxyB.killAfter(step.match, b);
      const err = await drB.up().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(step.failed);
      expect(err?.message).toMatch(/cannot connect[\s\S]*Likely fix: check that cluster "clusterB" is up/);
      await killed;
      await b.restart();
      step.left(await indexState(b.url, B_INDEX));
    }

    const up = await drB.up();
    await drB.removeConfig("ccr-dr:force");
    expect((await http(a.url, "POST", `/${A_INDEX}/_doc`, { user: "stale" })).status).toBe(403); // the forced fence
    expect(up.outputs.role!.value).toBe("primary");
    expect(await indexState(b.url, B_INDEX)).toEqual({ exists: true, open: true, follower: "none", writeBlocked: false, promotion: true });
    const record = (await ccrDrMeta(b.url, B_INDEX))!.promotion;
    expect(record).toMatchObject({
      index: B_INDEX,
      checkpoints_known: true,
      promoted_from: { remote_cluster: "clusterA", leader_index: A_INDEX },
    });
    expect(await pendingOperations(drB)).toEqual([]);
    await expectNoChanges(drB);

    // Nothing acknowledged and replicated is lost; what B has came from A (RPO = ackedOnA − B).
    onBAtPromotion = await ids(b.url, B_INDEX);
    expect(minus(ORDERS, onBAtPromotion)).toEqual([]);
    expect(minus(onBAtPromotion, ackedOnA)).toEqual([]);
    report(
      `failover: ${ackedOnA.length} documents acknowledged by clusterA before it died, ${onBAtPromotion.length} on clusterB at its promotion (${ackedOnA.length - onBAtPromotion.length} never replicated)`,
    );
    expect((await http(b.url, "POST", `/${B_INDEX}/_doc?refresh=true`, { user: "kimchy" })).status).toBe(201);
  });

  test("failback: clusterA killed after fence, mid-quarantine, after quarantine and after delete; re-runs converge, divergent documents quarantined", async () => {
    const { a, b } = pair;
    expect(onBAtPromotion).toBeDefined();
    const drA = await pair.stack("clusterA");
    const drB = await pair.stack("clusterB");
    // clusterA took writes after B's promotion (stale clients): they never reach B. The forced
    // failover fenced clusterA; here its fence was lifted by hand, which is how such writes happen.
    expect((await http(a.url, "PUT", `/${A_INDEX}/_settings`, { "index.blocks.write": null })).status).toBe(200);
    const stale = await writeAcked(a.url, A_INDEX, "stale", 7);
    const newOnB = await loadOrders(b.url, B_INDEX, 30, "after-failover");
    const divergent = minus(await ids(a.url, A_INDEX), onBAtPromotion);
    expect(divergent).toEqual(expect.arrayContaining(stale));
    const primaryDocs = await ids(b.url, B_INDEX);
    expect(primaryDocs).toEqual(expect.arrayContaining(newOnB));
    await drA.setConfig("ccr-dr:primary", { value: "clusterB" });

    const quarantineOf = async () => {
      const r = await http(a.url, "GET", "/_cat/indices/ccr-dr-quarantine-*?format=json&h=index&expand_wildcards=all");
      return (r.body as Array<{ index: string }>).map((x) => x.index);
    };
    const quarantineRecord = async () => {
      const [q] = await quarantineOf();
      return q === undefined ? undefined : (await ccrDrMeta(a.url, q))?.quarantine;
    };
    const steps: Array<Omit<Step, "left"> & { left: () => Promise<void> }> = [
      {
        name: "fence",
        match: { method: "PUT", path: new RegExp(`^/${A_INDEX}/_block/write$`) },
        failed: new RegExp(`"write-block "${A_INDEX}" \\(fence\\)" failed`),
        left: async () => {
          expect(await indexState(a.url, A_INDEX)).toMatchObject({ open: true, follower: "none", writeBlocked: true });
          expect(await quarantineOf()).toEqual([]);
          // Fenced: a stale client's write is refused, so nothing more can diverge.
          expect((await http(a.url, "POST", `/${A_INDEX}/_doc`, { user: "too late" })).status).toBe(403);
        },
      },
      {
        name: "mid-quarantine",
        match: { method: "POST", path: /^\/_bulk$/ },
        failed: new RegExp(`"copy divergent documents of "${A_INDEX}" into "ccr-dr-quarantine-[^"]+"" failed`),
        left: async () => expect(await quarantineRecord()).toMatchObject({ complete: false }),
      },
      {
        name: "quarantine complete",
        match: { method: "PUT", path: /^\/ccr-dr-quarantine-[^/]+\/_mapping$/ },
        failed: new RegExp(`"copy divergent documents of "${A_INDEX}" into "ccr-dr-quarantine-[^"]+"" failed`),
        left: async () => {
          expect(await quarantineRecord()).toMatchObject({ complete: true, documents: divergent.length });
          expect(await indexState(a.url, A_INDEX)).toMatchObject({ exists: true, writeBlocked: true });
        },
      },
      {
        name: "delete",
        match: { method: "DELETE", path: new RegExp(`^/${A_INDEX}$`) },
        failed: new RegExp(`"delete "${A_INDEX}" \\(the stale old leader[^"]*\\)" failed`),
        left: async () => expect(await indexState(a.url, A_INDEX)).toEqual({ exists: false }),
      },
    ];
    for (const step of steps) {
      const killed = proxyA.killAfter(step.match, a);
      const err = await drA.up().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(step.failed);
      expect(err?.message).toMatch(/cannot connect[\s\S]*Likely fix: check that cluster "clusterA" is up/);
      await killed;
      await a.restart();
      await step.left();
    }

    const up = await drA.up();
    expect(up.outputs.role!.value).toBe("follower");
    expect(await indexState(a.url, A_INDEX)).toMatchObject({ open: true, follower: "active" });
    const [quarantine] = await quarantineOf();
    expect((up.outputs.indexStatus!.value as any)[A_INDEX]).toMatchObject({
      quarantineIndex: quarantine,
      quarantinedDocuments: divergent.length,
    });
    await expectNoChanges(drA);
    await expectNoChanges(drB);

    // The count: clusterA now holds exactly the primary's documents, the quarantine exactly the
    // divergent ones, and every document acknowledged anywhere is in one of the two.
    const onA = await inSync(b.url, B_INDEX, a.url, A_INDEX);
    expect(onA).toEqual(primaryDocs);
    expect(await ids(a.url, quarantine!)).toEqual(divergent);
    const acknowledged = union(ackedOnA, stale, newOnB, primaryDocs);
    expect(minus(acknowledged, union(onA, divergent))).toEqual([]);
    report(
      `failback: clusterA follows with clusterB's ${onA.length} documents; ${divergent.length} divergent (${stale.length} written to clusterA after the promotion) ` +
        `in ${quarantine}; 0 of ${acknowledged.length} acknowledged documents lost`,
    );
  });
});
