/**
 * A planned switchover of a setup whose primary writes a data stream continuously: a client appends
 * to the stream one document at a time, to clusterA, and once clusterA refuses, to clusterB until
 * it takes writes (as a client moved to the new primary does), while `ccr-dr switchover --to clusterB` and
 * then `--to clusterA` run. Every document the client saw acknowledged is in the stream of the new
 * primary, exactly once, and nothing was quarantined: a switchover fences the pattern-driven data
 * of the old primary (not only the declared pairs) and waits until the target has all of it; when
 * the target cannot catch up on the stream, the switchover aborts and the stream takes writes again.
 */
import { dataStream, LOGS_TEMPLATE as TEMPLATE } from "../../helpers/dataStreams";
import { http } from "../../helpers/sim";
import { A_INDEX, B_INDEX, DrPair, eventually, expectNoChanges, ids, inSync, loadOrders, startDrPair } from "../../helpers/drPair";
import { ccrDr, report } from "../../helpers/faultKit";

jest.setTimeout(600_000);

const STREAM = "logs-switch-default";

/**
 * A client appending to the stream until stopped, one document at a time, to `primary`; once it
 * refuses, to `next` only (a client that moves to the new primary, retrying until it takes writes).
 * `acked`: the ids a cluster answered 201 to.
 */
function writer(prefix: string, primary: string, next: string): { acked: string[]; refused: number; stop: () => Promise<void> } {
  const state = { acked: [] as string[], refused: 0, stopped: false, target: primary };
  const loop = (async () => {
    let n = 0;
    while (!state.stopped) {
      const id = `${prefix}-${n}`;
      const r = await http(state.target, "PUT", `/${STREAM}/_create/${id}`, { "@timestamp": new Date().toISOString(), n });
      if (r.status === 201) {
        state.acked.push(id);
        n++;
        continue;
      }
      state.refused++;
      state.target = next;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    get acked() {
      return state.acked;
    },
    get refused() {
      return state.refused;
    },
    stop: async () => {
      state.stopped = true;
      await loop;
    },
  };
}

describe("switchover of a setup with a data stream written continuously", () => {
  let pair: DrPair;
  /** Documents acknowledged by an earlier case. */
  const earlier: string[] = [];

  beforeAll(async () => {
    pair = await startDrPair();
    for (const url of [pair.a.url, pair.b.url]) expect((await http(url, "PUT", "/_index_template/logs", TEMPLATE)).status).toBe(200);
    await loadOrders(pair.a.url, A_INDEX, 5);
    for (const site of ["clusterA", "clusterB"] as const) {
      const s = await pair.stack(site);
      await s.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
      await s.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
      await s.up();
    }
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
  });
  afterEach(() => {
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => pair?.cleanup());

  /** Every acknowledged document is in the new primary's stream once; the old primary's stream follows it; nothing quarantined. */
  async function expectNothingLost(primary: string, follower: string, acked: string[]): Promise<void> {
    const onPrimary = await ids(primary, STREAM);
    expect(acked.filter((id) => !onPrimary.includes(id))).toEqual([]);
    expect(onPrimary).toHaveLength(acked.length);
    expect((await dataStream(primary, STREAM))!.replicated).toBe(false);
    const ds = (await dataStream(follower, STREAM))!;
    expect(ds.replicated).toBe(true);
    expect(ds.indices.map((i) => i.index_name)).toEqual((await dataStream(primary, STREAM))!.indices.map((i) => i.index_name));
    expect(await inSync(primary, STREAM, follower, STREAM)).toEqual(onPrimary);
    const q = await http(follower, "GET", `/_cat/indices/ccr-dr-quarantine-*?format=json&h=index&expand_wildcards=all`);
    expect(q.body).toEqual([]);
  }

  test("a switchover whose target cannot catch up on the stream aborts (exit 4) and lifts the stream's write block", async () => {
    const { a, b } = pair;
    expect((await http(a.url, "PUT", `/${STREAM}/_create/before-abort`, { "@timestamp": new Date().toISOString() })).status).toBe(201);
    earlier.push("before-abort");
    const backing = await eventually("the stream on clusterB", async () => (await dataStream(b.url, STREAM))?.indices[0]?.index_name);
    // clusterB's follower of the stream's write index stops: it cannot catch up
    expect((await http(b.url, "POST", `/${backing}/_ccr/pause_follow`)).status).toBe(200);
    const r = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json", "--timeout", "2"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("1 index(es) auto-followed by clusterB (data stream backing indices included)");
    const settings = await http(a.url, "GET", `/${backing}/_settings?flat_settings=true`);
    expect(settings.body[backing].settings["index.blocks.write"]).toBeUndefined();
    expect((await http(a.url, "PUT", `/${STREAM}/_create/after-abort`, { "@timestamp": new Date().toISOString() })).status).toBe(201);
    earlier.push("after-abort");
    expect((await http(b.url, "POST", `/${backing}/_ccr/resume_follow`, {})).status).toBe(200);
    await inSync(a.url, STREAM, b.url, STREAM);
  });

  test("switchover to clusterB and back while the stream takes writes: every acknowledged document on the new primary, none quarantined", async () => {
    const { a, b } = pair;
    const w = writer("to-b", a.url, b.url);
    await eventually("the stream on clusterB", async () => ((await dataStream(b.url, STREAM)) ? true : undefined));
    await eventually("some writes", async () => (w.acked.length >= 20 ? true : undefined));
    const toB = await ccrDr(pair, ["switchover", "--to", "clusterB", "--yes", "--json"]);
    if (toB.code !== 0) {
      await w.stop();
      throw new Error(`switchover to clusterB: exit ${toB.code}\n${toB.stderr}\n${toB.stdout}`);
    }
    const atB = w.acked.length;
    await eventually("writes on clusterB", async () => (w.acked.length >= atB + 10 ? true : undefined));
    await w.stop();
    await expectNothingLost(b.url, a.url, [...earlier, ...w.acked]);
    await expectNoChanges(await pair.stack("clusterA"));
    await expectNoChanges(await pair.stack("clusterB"));
    report(
      `switchover to clusterB with a stream written continuously: ${w.acked.length} acknowledged, all on clusterB, ${w.refused} refusals`,
    );

    const back = writer("to-a", b.url, a.url);
    await eventually("some writes", async () => (back.acked.length >= 10 ? true : undefined));
    const toA = await ccrDr(pair, ["switchover", "--to", "clusterA", "--yes", "--json"]);
    if (toA.code !== 0) {
      await back.stop();
      throw new Error(`switchover to clusterA: exit ${toA.code}\n${toA.stderr}\n${toA.stdout}`);
    }
    const atA = back.acked.length;
    await eventually("writes on clusterA", async () => (back.acked.length >= atA + 10 ? true : undefined));
    await back.stop();
    await expectNothingLost(a.url, b.url, [...earlier, ...w.acked, ...back.acked]);
    await expectNoChanges(await pair.stack("clusterA"));
    await expectNoChanges(await pair.stack("clusterB"));
    report(`switchover back to clusterA with the stream written continuously: ${back.acked.length} acknowledged, all on clusterA`);
  });
});
