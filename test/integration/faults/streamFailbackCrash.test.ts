/**
 * kill -9 in the middle of the failback of a data stream (PatternFailback, providers/patternFailback/):
 * after the fence of a stale backing index, mid-quarantine, after the quarantine record is complete,
 * after the delete of the stale stream, after each follow of a backing index of the new primary.
 *
 * One disaster for both rounds: clusterA writes two streams (two backing indices each), clusterB
 * follows them through its pattern; clusterB's follower of each stream's write index is paused and
 * clusterA acknowledges writes that never reach clusterB; clusterA dies, clusterB fails over and
 * takes writes; clusterA returns.
 *
 * - Round 1 (stream "one", dr-a's pattern matching only it) kills clusterA (an HTTP proxy in front
 *   of it kills it once it has answered the step, before relaying the answer), restarts it and
 *   re-runs `pulumi up`.
 * - Round 2 (stream "two", added to dr-a's pattern) kills `ccr-dr failback` and everything it
 *   started (pulumi, its language host and the provider) while clusterA's answer is held.
 *
 * In round 1 a stale client writes into clusterA after the delete of the stale stream, re-creating it
 * from the template with a first backing index named like clusterB's: the re-run quarantines all of
 * that index (it was created after clusterB's promotion, so it is not the index clusterB's was
 * promoted from, though the promotion record's cluster UUID matches).
 *
 * Each re-run continues from what the kill left (checked on the cluster); the last converges: the
 * stream on clusterA is replicated with clusterB's backing indices in order, holds every document of
 * clusterB's, every write clusterB never had is in the quarantine exactly once (its record written
 * once), nothing acknowledged is lost, nothing is pending, a preview changes nothing.
 */
import { appendToStream, dataStream, LOGS_TEMPLATE as TEMPLATE } from "../../helpers/dataStreams";
import { http } from "../../helpers/sim";
import { A_INDEX, DrPair, eventually, expectNoChanges, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { startFaultProxy, type FaultProxy, type RequestMatch } from "../../helpers/faultProxy";
import { ccrDrMeta, indexState, lockFiles, pendingOperations, processesIn, startCcrDr } from "../../helpers/faultKit";

jest.setTimeout(600_000);

/** One stream's data: its backing indices on each side and every document either side acknowledged. */
interface StreamData {
  stream: string;
  /** clusterA's stale backing indices (the second is the write index whose follower was paused). */
  staleBacking: string[];
  /** clusterB's after the failover (clusterA's two, then its own write index). */
  backing: string[];
  /** Acknowledged on clusterA and replicated to clusterB, or written on clusterB. */
  onB: string[];
  /** Acknowledged on clusterA, never replicated: to be quarantined. */
  unreplicated: string[];
  /** Written into clusterA by a stale client after the stale stream was deleted (round 1): it re-creates the stream; to be quarantined. */
  recreated: string[];
}

interface Step {
  name: string;
  match: RequestMatch;
  left: () => Promise<void>;
}

const esc = (s: string) => s.replace(/[.]/g, "\\.");

describe("kill -9 at every step of the failback of a data stream", () => {
  let pair: DrPair;
  let proxyA: FaultProxy;
  const data: Record<string, StreamData> = {};

  async function quarantines(stream: string): Promise<string[]> {
    const r = await http(pair.a.url, "GET", `/_cat/indices/ccr-dr-quarantine-*-.ds-${stream}-*?format=json&h=index&expand_wildcards=all`);
    return (r.body as Array<{ index: string }>).map((x) => x.index);
  }

  beforeAll(async () => {
    pair = await startDrPair();
    const { a, b } = pair;
    for (const url of [a.url, b.url]) expect((await http(url, "PUT", "/_index_template/logs", TEMPLATE)).status).toBe(200);
    await loadOrders(a.url, A_INDEX, 5);
    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
    await drB.up();
    for (const name of ["one", "two"]) {
      const stream = `logs-${name}-default`;
      const first = await appendToStream(a.url, stream, `${name}-first`, 5);
      expect((await http(a.url, "POST", `/${stream}/_rollover`)).status).toBe(200);
      const second = await appendToStream(a.url, stream, `${name}-second`, 5);
      const staleBacking = (await dataStream(a.url, stream))!.indices.map((i) => i.index_name);
      await eventually(`${stream} with both backing indices on clusterB`, async () =>
        (await dataStream(b.url, stream))?.indices.length === 2 ? true : undefined,
      );
      await inSync(a.url, stream, b.url, stream);
      // clusterB stops replicating the write index; clusterA acknowledges writes clusterB never gets
      expect((await http(b.url, "POST", `/${staleBacking[1]}/_ccr/pause_follow`)).status).toBe(200);
      const unreplicated = await appendToStream(a.url, stream, `${name}-unreplicated`, 3);
      data[name] = { stream, staleBacking, backing: [], onB: [...first, ...second], unreplicated, recreated: [] };
    }
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    await drB.up();
    for (const d of Object.values(data)) {
      d.onB.push(...(await appendToStream(b.url, d.stream, `${d.stream}-after`, 3)));
      d.backing = (await dataStream(b.url, d.stream))!.indices.map((i) => i.index_name);
      expect(d.backing).toHaveLength(3);
    }
    await a.restart();
    proxyA = await startFaultProxy(a.url);
    const drA = await pair.stack("clusterA");
    await drA.setConfig("ccr-dr:clusters.clusterA.endpoint", { value: proxyA.url }, true);
    await drA.setConfig("ccr-dr:primary", { value: "clusterB" });
    await drA.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
    await drA.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-one-*" }, true);
  });
  afterEach(() => {
    proxyA?.disarm();
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => {
    await proxyA?.close();
    await pair?.cleanup();
  });

  /** The steps of one stream's failback, in the order they run, each with what its kill leaves. */
  function steps(d: StreamData, recorded: { createdAt?: string }, staleClient: boolean): Step[] {
    const a = pair.a.url;
    const follow = (n: number): Step => ({
      name: `follow ${d.backing[n]}`,
      match: { method: "PUT", path: new RegExp(`^/${esc(d.backing[n]!)}/_ccr/follow$`) },
      left: async () => {
        const ds = (await dataStream(a, d.stream))!;
        expect(ds.replicated).toBe(true);
        expect(ds.indices.map((i) => i.index_name)).toEqual(d.backing.slice(0, n + 1));
      },
    });
    return [
      {
        name: "fence",
        match: { method: "PUT", path: new RegExp(`^/${esc(d.staleBacking[0]!)}/_block/write$`) },
        left: async () =>
          expect(await indexState(a, d.staleBacking[0]!)).toMatchObject({ open: true, follower: "none", writeBlocked: true }),
      },
      {
        name: "mid-quarantine",
        match: { method: "POST", path: /^\/_bulk$/ },
        left: async () => {
          const [q] = await quarantines(d.stream);
          expect((await ccrDrMeta(a, q!))?.quarantine).toMatchObject({ complete: false, source_index: d.staleBacking[1] });
          expect((await dataStream(a, d.stream))!.replicated).toBe(false);
        },
      },
      {
        name: "quarantine recorded complete",
        match: { method: "PUT", path: new RegExp(`^/ccr-dr-quarantine-[^/]*-${esc(d.staleBacking[1]!)}/_mapping$`) },
        left: async () => {
          const [q] = await quarantines(d.stream);
          const record = (await ccrDrMeta(a, q!))?.quarantine;
          expect(record).toMatchObject({ complete: true, documents: d.unreplicated.length });
          recorded.createdAt = record.created_at;
        },
      },
      {
        name: "delete the stale stream",
        match: { method: "DELETE", path: new RegExp(`^/_data_stream/${d.stream}$`) },
        left: async () => {
          expect(await dataStream(a, d.stream)).toBeUndefined();
          for (const index of d.staleBacking) expect(await indexState(a, index)).toEqual({ exists: false });
          if (!staleClient) return;
          // a client still writing into clusterA re-creates the stream from the template: a new
          // first backing index named like clusterB's, whose writes clusterB never had
          d.recreated = await appendToStream(a, d.stream, `${d.stream}-recreated`, 2);
          expect((await dataStream(a, d.stream))!.indices.map((i) => i.index_name)).toEqual([expect.stringMatching(/-000001$/)]);
        },
      },
      follow(0),
      follow(1),
      follow(2),
    ];
  }

  /** The stream's failback converged: replicated, clusterB's backing indices in order, nothing lost, quarantined once. */
  async function expectConverged(d: StreamData, recorded: { createdAt?: string }): Promise<void> {
    const { a, b } = pair;
    const drA = await pair.stack("clusterA");
    const ds = (await dataStream(a.url, d.stream))!;
    expect(ds.replicated).toBe(true);
    expect(ds.indices.map((i) => i.index_name)).toEqual(d.backing);
    for (const index of d.backing) expect(await indexState(a.url, index)).toMatchObject({ open: true, follower: "active" });
    expect(await inSync(b.url, d.stream, a.url, d.stream)).toEqual(d.onB.slice().sort());
    const qs = await quarantines(d.stream);
    const q1 = qs.find((q) => q.endsWith(d.staleBacking[1]!))!;
    expect(await ids(a.url, q1)).toEqual(d.unreplicated.slice().sort());
    // the record the kill after "quarantine recorded complete" left is the one in place: the re-run did not quarantine again
    const record = (await ccrDrMeta(a.url, q1))?.quarantine;
    expect(record).toMatchObject({ complete: true, documents: d.unreplicated.length, source_index: d.staleBacking[1] });
    expect(record.created_at).toBe(recorded.createdAt);
    // the re-created stream's writes: all quarantined (its index is not the one clusterB was promoted from)
    const q0 = qs.filter((q) => q !== q1);
    expect(q0).toHaveLength(d.recreated.length > 0 ? 1 : 0);
    if (q0.length > 0) expect(await ids(a.url, q0[0]!)).toEqual(d.recreated.slice().sort());
    // every acknowledged document: on clusterA through the stream, or in the quarantine
    const kept = new Set([...(await ids(a.url, d.stream)), ...(await Promise.all(qs.map((q) => ids(a.url, q)))).flat()]);
    expect([...d.onB, ...d.unreplicated, ...d.recreated].filter((id) => !kept.has(id))).toEqual([]);
    expect(await pendingOperations(drA)).toEqual([]);
    expect(lockFiles(pair, "dr-a")).toEqual([]);
    await expectNoChanges(drA);
  }

  test("clusterA killed after each step; every re-run of pulumi up continues, the last converges", async () => {
    const { a } = pair;
    const d = data["one"]!;
    const recorded: { createdAt?: string } = {};
    const drA = await pair.stack("clusterA");
    for (const step of steps(d, recorded, true)) {
      const killed = proxyA.killAfter(step.match, a);
      const err = await drA.up().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeDefined();
      await killed;
      await a.restart();
      await step.left();
    }
    expect((await drA.up()).outputs.role!.value).toBe("follower");
    await expectConverged(d, recorded);
  });

  test("kill -9 of ccr-dr failback and all it started after each step; every re-run continues, the last converges", async () => {
    const d = data["two"]!;
    const recorded: { createdAt?: string } = {};
    const drA = await pair.stack("clusterA");
    await drA.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[1]", { value: "logs-two-*" }, true);
    for (const step of steps(d, recorded, false)) {
      const hold = proxyA.holdAfter(step.match);
      const run = startCcrDr(pair, ["failback", "--to", "clusterB", "--yes"]);
      await hold.reached;
      run.signalGroup("SIGKILL");
      for (const pid of processesIn(pair.workDir)) process.kill(pid, "SIGKILL");
      expect((await run.done).signal).toBe("SIGKILL");
      hold.release();
      await step.left();
    }
    const last = await startCcrDr(pair, ["failback", "--to", "clusterB", "--yes", "--json"]).done;
    expect(last.code).toBe(0);
    await expectConverged(d, recorded);
    // round 1's stream is untouched by round 2
    expect((await dataStream(pair.a.url, data["one"]!.stream))!.indices.map((i) => i.index_name)).toEqual(data["one"]!.backing);
  });
});
