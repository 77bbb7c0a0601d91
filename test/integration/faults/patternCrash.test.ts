/**
 * kill -9 in the middle of the failover of pattern-driven data, after each of its steps: pause the
 * auto-follow pattern, record the list of indices to promote, promote the data stream, roll it
 * over, unfollow a backing index, open the pattern's daily index, delete the list.
 *
 * - Round 1 kills the promoting cluster (an HTTP proxy in front of clusterB kills it once it has
 *   answered the step, before relaying the answer), restarts it and re-runs `pulumi up`.
 * - Round 2 kills `ccr-dr failover` and everything it started (pulumi, its language host and the
 *   provider) while clusterB's answer to the step is held, and re-runs `ccr-dr failover`.
 *
 * Each re-run continues from what the kill left (checked on the cluster); the last converges: the
 * stream and the daily index take writes, every document clusterA acknowledged before it died is
 * on clusterB, nothing is pending, and a preview changes nothing.
 *
 * Then the failback of round 2's daily index onto clusterA (PatternFailback, the FollowerIndex path)
 * with clusterA killed after its fence, mid-quarantine, delete and follow: re-runs converge, clusterA
 * follows with clusterB's documents and its stale writes are in the quarantine index.
 */
import { appendToStream, dataStream, LOGS_TEMPLATE as TEMPLATE } from "../../helpers/dataStreams";
import { http } from "../../helpers/sim";
import { A_INDEX, DrPair, eventually, expectNoChanges, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startFaultProxy, type FaultProxy, type RequestMatch } from "../../helpers/faultProxy";
import { indexState, lockFiles, pendingOperations, processesIn, startCcrDr } from "../../helpers/faultKit";

jest.setTimeout(900_000);

const LIST = "ccr-dr-pattern-promotion";

const patternActive = async (base: string) => (await http(base, "GET", "/_ccr/auto_follow/logs")).body.patterns?.[0]?.pattern?.active;

/** One round's data on clusterA, followed by clusterB. */
interface Round {
  stream: string;
  daily: string;
  backing: string[];
  streamDocs: string[];
  dailyDocs: string[];
}

interface Step {
  name: string;
  match: RequestMatch;
  left: () => Promise<void>;
}

function steps(b: string, r: Round): Step[] {
  const esc = (s: string) => s.replace(/[.]/g, "\\.");
  return [
    {
      name: "pause the pattern",
      match: { method: "POST", path: /^\/_ccr\/auto_follow\/logs\/pause$/ },
      left: async () => {
        expect(await patternActive(b)).toBe(false);
        expect((await dataStream(b, r.stream))!.replicated).toBe(true);
      },
    },
    {
      name: "record the list",
      match: { method: "PUT", path: new RegExp(`^/${LIST}$`) },
      left: async () => expect((await http(b, "GET", `/${LIST}`)).status).toBe(200),
    },
    {
      name: "promote the stream",
      match: { method: "POST", path: new RegExp(`^/_data_stream/_promote/${r.stream}$`) },
      left: async () => {
        const ds = (await dataStream(b, r.stream))!;
        expect(ds.replicated).toBe(false);
        expect(ds.indices).toHaveLength(2);
      },
    },
    {
      name: "roll the stream over",
      match: { method: "POST", path: new RegExp(`^/${r.stream}/_rollover$`) },
      left: async () => expect((await dataStream(b, r.stream))!.indices).toHaveLength(3),
    },
    {
      name: "unfollow a backing index",
      match: { method: "POST", path: new RegExp(`^/${esc(r.backing[0]!)}/_ccr/unfollow$`) },
      left: async () => expect(await indexState(b, r.backing[0]!)).toMatchObject({ open: false, follower: "none" }),
    },
    {
      name: "open the daily index",
      match: { method: "POST", path: new RegExp(`^/${esc(r.daily)}/_open$`) },
      left: async () => expect(await indexState(b, r.daily)).toMatchObject({ open: true, follower: "none", writeBlocked: true }),
    },
    {
      name: "delete the list",
      match: { method: "DELETE", path: new RegExp(`^/${LIST}$`) },
      left: async () => expect((await http(b, "GET", `/${LIST}`)).status).toBe(404),
    },
  ];
}

describe("kill -9 at every step of the failover of pattern-driven data", () => {
  let pair: DrPair;
  let proxyB: FaultProxy;
  /** Round 2's data, failed back by the last case. */
  let round2: Round | undefined;

  beforeAll(async () => {
    pair = await startDrPair();
    proxyB = await startFaultProxy(pair.b.url);
    for (const url of [pair.a.url, pair.b.url]) expect((await http(url, "PUT", "/_index_template/logs", TEMPLATE)).status).toBe(200);
    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:clusters.clusterB.endpoint", { value: proxyB.url }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[1]", { value: "daily-*" }, true);
    await loadOrders(pair.a.url, A_INDEX, 10);
  });
  afterEach(() => {
    proxyB.disarm();
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => {
    await proxyB?.close();
    await pair?.cleanup();
  });

  /** dr-b follows clusterA; clusterA writes a stream (two backing indices) and a daily index; clusterB has them; clusterA dies; dr-b is flipped. */
  async function disaster(name: string): Promise<Round> {
    const { a, b } = pair;
    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drB.up();
    const stream = `logs-${name}-default`;
    const daily = `daily-${name}`;
    const first = await appendToStream(a.url, stream, `${name}-first`, 20);
    expect((await http(a.url, "POST", `/${stream}/_rollover`)).status).toBe(200);
    const streamDocs = [...first, ...(await appendToStream(a.url, stream, `${name}-second`, 20))];
    const dailyDocs = await loadOrders(a.url, daily, 10, `${name}-daily`);
    const backing = (await dataStream(a.url, stream))!.indices.map((i) => i.index_name);
    await eventually(`${stream} with both backing indices on clusterB`, async () =>
      (await dataStream(b.url, stream))?.indices.length === 2 ? true : undefined,
    );
    await inSync(a.url, stream, b.url, stream);
    await inSync(a.url, daily, b.url, daily);
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    return { stream, daily, backing, streamDocs, dailyDocs };
  }

  /** The failover converged: everything promoted, writable, nothing lost, nothing pending. */
  async function expectConverged(r: Round): Promise<void> {
    const { b } = pair;
    const drB = await pair.stack("clusterB");
    const ds = (await dataStream(b.url, r.stream))!;
    expect(ds.replicated).toBe(false);
    expect(ds.indices).toHaveLength(3);
    for (const index of [...r.backing, r.daily])
      expect(await indexState(b.url, index)).toEqual({ exists: true, open: true, follower: "none", writeBlocked: false, promotion: true });
    expect((await http(b.url, "GET", `/${LIST}`)).status).toBe(404);
    expect(await ids(b.url, r.stream)).toEqual(r.streamDocs.slice().sort());
    expect(await ids(b.url, r.daily)).toEqual(r.dailyDocs.slice().sort());
    expect(await pendingOperations(drB)).toEqual([]);
    expect(lockFiles(pair, "dr-b")).toEqual([]);
    await expectNoChanges(drB);
    const more = await appendToStream(b.url, r.stream, `${r.stream}-after`, 3);
    expect(await ids(b.url, r.stream)).toEqual([...r.streamDocs, ...more].sort());
    expect((await http(b.url, "POST", `/${r.daily}/_doc?refresh=true`, { user: "kimchy" })).status).toBe(201);
  }

  test("the promoting cluster killed after each step; every re-run of pulumi up continues, the last converges", async () => {
    const { b } = pair;
    const r = await disaster("round1");
    const drB = await pair.stack("clusterB");
    for (const step of steps(b.url, r)) {
      const killed = proxyB.killAfter(step.match, b);
      const err = await drB.up().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeDefined();
      await killed;
      await b.restart();
      await step.left();
    }
    await drB.up();
    await expectConverged(r);
  });

  test("kill -9 of ccr-dr failover and all it started after each step; every re-run continues, the last converges", async () => {
    const { a, b } = pair;
    await a.restart();
    // clusterB follows clusterA again for round 2. Round 1's daily index and stream took writes on
    // clusterB that clusterA never had: a failback onto clusterB would refuse them (no promotion
    // record on clusterA proves lineage), so this test discards them first.
    expect((await http(b.url, "DELETE", "/daily-round1")).status).toBe(200);
    expect((await http(b.url, "DELETE", "/_data_stream/logs-round1-default")).status).toBe(200);
    const r = await disaster("round2");
    for (const step of steps(b.url, r)) {
      const hold = proxyB.holdAfter(step.match);
      const run = startCcrDr(pair, ["failover", "--to", "clusterB", "--yes"]);
      await hold.reached;
      run.signalGroup("SIGKILL");
      for (const pid of processesIn(pair.workDir)) process.kill(pid, "SIGKILL");
      expect((await run.done).signal).toBe("SIGKILL");
      hold.release();
      await step.left();
    }
    const last = await startCcrDr(pair, ["failover", "--to", "clusterB", "--yes", "--json"]).done;
    expect(last.code).toBe(0);
    await expectConverged(r);
    round2 = r;
  });

  test("failback: clusterA killed after fence, mid-quarantine, delete and follow of the pattern's daily index; re-runs converge, stale writes quarantined", async () => {
    const { a, b } = pair;
    expect(round2).toBeDefined();
    const daily = round2!.daily;
    await a.restart();
    // clusterA took writes after clusterB's promotion (a stale client): they never reach clusterB
    const stale = await loadOrders(a.url, daily, 3, "stale");
    const onB = await ids(b.url, daily);
    const proxyA = await startFaultProxy(a.url);
    try {
      const drA = await pair.stack("clusterA");
      await drA.setConfig("ccr-dr:clusters.clusterA.endpoint", { value: proxyA.url }, true);
      await drA.setConfig("ccr-dr:primary", { value: "clusterB" });
      await drA.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
      await drA.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
      await drA.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[1]", { value: "daily-*" }, true);
      const quarantine = async () => {
        const r = await http(a.url, "GET", `/_cat/indices/ccr-dr-quarantine-*-${daily}?format=json&h=index&expand_wildcards=all`);
        return (r.body as Array<{ index: string }>).map((x) => x.index);
      };
      const failbackSteps: Step[] = [
        {
          name: "fence",
          match: { method: "PUT", path: new RegExp(`^/${daily}/_block/write$`) },
          left: async () => expect(await indexState(a.url, daily)).toMatchObject({ open: true, follower: "none", writeBlocked: true }),
        },
        {
          name: "mid-quarantine",
          match: { method: "POST", path: /^\/_bulk$/ },
          left: async () => expect(await quarantine()).toHaveLength(1),
        },
        {
          name: "delete",
          match: { method: "DELETE", path: new RegExp(`^/${daily}$`) },
          left: async () => expect(await indexState(a.url, daily)).toEqual({ exists: false }),
        },
        {
          name: "follow",
          match: { method: "PUT", path: new RegExp(`^/${daily}/_ccr/follow$`) },
          left: async () => expect((await indexState(a.url, daily)).exists).toBe(true),
        },
      ];
      for (const step of failbackSteps) {
        const killed = proxyA.killAfter(step.match, a);
        const err = await drA.up().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message).toMatch(/PatternFailback on cluster/);
        await killed;
        await a.restart();
        await step.left();
      }
      expect((await drA.up()).outputs.role!.value).toBe("follower");
      expect(await indexState(a.url, daily)).toMatchObject({ open: true, follower: "active" });
      expect(await inSync(b.url, daily, a.url, daily)).toEqual(onB);
      const [q] = await quarantine();
      expect(await ids(a.url, q!)).toEqual(stale.slice().sort());
      expect(await pendingOperations(drA)).toEqual([]);
      await expectNoChanges(drA);
    } finally {
      await proxyA.close();
    }
  });
});
