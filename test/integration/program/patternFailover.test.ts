/**
 * The failover of pattern-driven data through the real `pulumi` against an es-sim pair: clusterA
 * writes a data stream (two backing indices) and a daily index an auto-follow pattern of dr-b
 * matches, beside the declared pair; clusterA is killed (-9); flipping `ccr-dr:primary` on dr-b and
 * running `pulumi up` pauses the pattern, promotes and rolls over the stream, promotes every
 * followed index; writes into the stream and the index succeed on clusterB, every acknowledged
 * document is there, and a second preview changes nothing. Then clusterA returns with stale writes
 * and dr-a fails back: its existing daily index follows clusterB again, the stale writes quarantined;
 * its stale data stream (with writes that never reached clusterB: some acknowledged while clusterB's
 * follower was paused before the disaster, some after clusterA's return) is fenced, those writes
 * quarantined, the stream deleted and rebuilt as a follower of clusterB's three backing indices in
 * name order; every document of clusterB's stream is searchable on clusterA through the stream
 * name, and a rollover on clusterB reaches clusterA through the mirrored pattern.
 */
import * as fs from "node:fs";
import { appendToStream, dataStream, LOGS_TEMPLATE as TEMPLATE } from "../../helpers/dataStreams";
import { http } from "../../helpers/sim";
import {
  A_INDEX,
  B_INDEX,
  count,
  DrPair,
  eventually,
  expectNoChanges,
  followStatus,
  ids,
  inSync,
  loadOrders,
  startDrPair,
} from "../../helpers/drPair";

jest.setTimeout(600_000);

const STREAM = "logs-generic-default";
const DAILY = "daily-2026.12.02";

describe("failover of pattern-driven data", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair();
  });
  afterEach(() => {
    const state = expect.getState() as { suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => pair?.cleanup());

  /** Stream documents clusterA acknowledged that never reached clusterB: the failback must quarantine them. */
  let unreplicated: string[] = [];
  /** Every stream document either cluster acknowledged. */
  const acknowledged: string[] = [];

  test("kill -9 of clusterA, flip dr-b: the stream and the daily index take writes on clusterB, nothing acknowledged lost", async () => {
    const { a, b } = pair;
    // the same data-stream template on both clusters: the promoted stream rolls over from it on clusterB
    for (const url of [a.url, b.url]) expect((await http(url, "PUT", "/_index_template/logs", TEMPLATE)).status).toBe(200);
    const orders = await loadOrders(a.url, A_INDEX, 20);

    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[1]", { value: "daily-*" }, true);
    expect((await drB.up()).outputs.role!.value).toBe("follower");
    await inSync(a.url, A_INDEX, b.url, B_INDEX);

    // written on clusterA after the pattern exists: followed by it (a stream with two backing indices, and a daily index)
    const first = await appendToStream(a.url, STREAM, "first", 30);
    expect((await http(a.url, "POST", `/${STREAM}/_rollover`)).status).toBe(200);
    const second = await appendToStream(a.url, STREAM, "second", 25);
    const daily = await loadOrders(a.url, DAILY, 15, "daily");
    const backing = (await dataStream(a.url, STREAM))!.indices.map((i) => i.index_name);
    expect(backing).toHaveLength(2);
    const followed = await eventually("the follower stream with both backing indices", async () => {
      const ds = await dataStream(b.url, STREAM);
      return ds?.indices.length === 2 ? ds : undefined;
    });
    expect(followed.replicated).toBe(true);
    await inSync(a.url, STREAM, b.url, STREAM);
    await inSync(a.url, DAILY, b.url, DAILY);
    await expectNoChanges(drB);
    // clusterB stops replicating the stream's write index; clusterA acknowledges writes that never reach clusterB
    expect((await http(b.url, "POST", `/${backing[1]}/_ccr/pause_follow`)).status).toBe(200);
    unreplicated = await appendToStream(a.url, STREAM, "unreplicated", 4);

    // While clusterA answers, a failover's preview shows each promoted stream's and index's count on
    // both clusters and what a failover now would lose: the daily index's follow is paused and
    // clusterA takes 2 more documents into it.
    expect((await http(b.url, "POST", `/${DAILY}/_ccr/pause_follow`)).status).toBe(200);
    const dailyBehind = await loadOrders(a.url, DAILY, 2, "daily-behind");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    const live = (await drB.preview()).stdout;
    const loss = (onA: number, onB: number) =>
      onA > onB
        ? `${onA - onB} not replicated, lost by a failover now`
        : onA === onB
          ? "none lost by a failover now"
          : `${onB - onA} fewer`;
    for (const name of [STREAM, ...backing, DAILY]) {
      const [onA, onB] = [await count(a.url, name), await count(b.url, name)];
      expect(live).toContain(`"${name}" on clusterB (${onB} docs; clusterA holds ${onA}: ${loss(onA, onB)}`);
    }
    expect((await count(a.url, DAILY)) - (await count(b.url, DAILY))).toBe(2);
    expect((await http(b.url, "POST", `/${DAILY}/_ccr/resume_follow`, {})).status).toBe(200);
    await inSync(a.url, DAILY, b.url, DAILY);
    daily.push(...dailyBehind);
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });

    const aClusterUuid = (await http(a.url, "GET", "/")).body.cluster_uuid as string;

    // Disaster: clusterA dies. The preview names every stream and index the failover promotes.
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    const preview = await drB.preview();
    // `CCR_DR_PREVIEW_DUMP=<file>` keeps the preview text (docs/runbook.md quotes it).
    const dump = process.env["CCR_DR_PREVIEW_DUMP"];
    if (dump) fs.appendFileSync(dump, `\n===== failover of pattern-driven data, clusterA down\n${preview.stdout}\n`);
    expect(preview.stdout).toContain(`PAUSE auto-follow pattern "logs" on clusterB`);
    expect(preview.stdout).toContain(`PROMOTE data stream "${STREAM}" on clusterB`);
    expect(preview.stdout).toContain(`ROLL OVER data stream "${STREAM}" on clusterB`);
    for (const index of [...backing, DAILY]) expect(preview.stdout).toContain(`PROMOTE "${index}" on clusterB`);
    // each with its count on clusterB; clusterA's is unknown, never 0
    for (const name of [STREAM, ...backing, DAILY]) {
      const n = await count(b.url, name);
      expect(preview.stdout).toContain(`"${name}" on clusterB (${n} docs; clusterA's count unknown: clusterA does not answer (`);
    }
    expect(preview.stdout).not.toContain(`PROMOTE "${B_INDEX}" on clusterB, followed from`); // a declared pair: its own FollowerIndex line

    const failover = await drB.up();
    expect(failover.outputs.role!.value).toBe("primary");
    const promoted = (await dataStream(b.url, STREAM))!;
    expect(promoted.replicated).toBe(false);
    expect(promoted.indices.map((i) => i.index_name).slice(0, 2)).toEqual(backing);
    expect(promoted.indices).toHaveLength(3); // the local write index of the rollover
    for (const index of [...backing, DAILY, B_INDEX]) expect(await followStatus(b.url, index)).toBe("none");
    expect((await http(b.url, "GET", "/_ccr/auto_follow/logs")).status).toBe(404);
    expect((await http(b.url, "GET", "/ccr-dr-pattern-promotion")).status).toBe(404);
    // each promotion record names the old primary by its cluster UUID, recorded while it answered (a failback's lineage proof)
    for (const index of [...backing, DAILY]) {
      const meta = (await http(b.url, "GET", `/${index}/_mapping`)).body[index].mappings._meta;
      expect(meta.ccr_dr.promotion).toMatchObject({
        index,
        checkpoints_known: true,
        promoted_from: {
          remote_cluster: "clusterA",
          leader_index: index,
          leader_cluster_uuid: aClusterUuid,
          leader_cluster_name: "clusterA",
        },
      });
    }

    // writes succeed into the stream (its new local write index) and into the daily index
    const after = await appendToStream(b.url, STREAM, "after", 5);
    acknowledged.push(...first, ...second, ...unreplicated, ...after);
    const dailyAfter = await loadOrders(b.url, DAILY, 3, "daily-after");
    // every acknowledged document is there
    expect(await ids(b.url, STREAM)).toEqual([...first, ...second, ...after].sort());
    expect(await ids(b.url, DAILY)).toEqual([...daily, ...dailyAfter].sort());
    expect(await ids(b.url, B_INDEX)).toEqual(orders.slice().sort());
    await expectNoChanges(drB);
  });

  test("failback: clusterA returns with stale writes; flipping dr-a follows the pattern's index and stream again, divergent documents quarantined", async () => {
    const { a, b } = pair;
    await a.restart();
    // clusterA took writes after clusterB's promotion (a stale client): they never reached clusterB
    const stale = await loadOrders(a.url, DAILY, 2, "stale");
    const staleStream = await appendToStream(a.url, STREAM, "stale", 3);
    const onB = await ids(b.url, DAILY);
    const streamOnB = await ids(b.url, STREAM);
    const backingOnB = (await dataStream(b.url, STREAM))!.indices.map((i) => i.index_name);
    expect(backingOnB).toHaveLength(3);
    const staleBacking = (await dataStream(a.url, STREAM))!.indices.map((i) => i.index_name);
    const drA = await pair.stack("clusterA");
    await drA.setConfig("ccr-dr:primary", { value: "clusterB" });
    await drA.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
    await drA.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
    await drA.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[1]", { value: "daily-*" }, true);
    const preview = await drA.preview();
    // the preview names the pattern's index it will replace, and what the failback of the stream does
    expect(preview.stdout).toMatch(new RegExp(`failback: "${DAILY}" on clusterA .* will be FENCED[^\n]*auto-follow pattern "logs"`));
    expect(preview.stdout).toContain(
      `failback: data stream "${STREAM}" on clusterA is a stale copy (not replicated; 2 backing indices): FENCE 2 backing indices (write block) → ` +
        `QUARANTINE ${unreplicated.length + staleStream.length} document(s) clusterB lacks from 2 backing indices`,
    );
    expect(preview.stdout).toContain(
      "DELETE the stale data stream with its 2 backing indices → FOLLOW 3 backing indices of clusterB in name order into a replicated stream",
    );
    expect(preview.stdout).not.toContain("not automated");
    const dump = process.env["CCR_DR_PREVIEW_DUMP"];
    if (dump) fs.appendFileSync(dump, `\n===== failback of pattern-driven data\n${preview.stdout}\n`);
    const failback = await drA.up();
    expect(failback.outputs.role!.value).toBe("follower");
    // the mirrored pattern points at the new primary
    const pattern = await http(a.url, "GET", "/_ccr/auto_follow/logs");
    expect(pattern.body.patterns[0].pattern).toMatchObject({ remote_cluster: "clusterB", leader_index_patterns: ["logs-*", "daily-*"] });
    // the existing daily index (ES's auto-follow would skip it) follows clusterB again, with clusterB's documents
    expect(await followStatus(a.url, DAILY)).toBe("active");
    expect(await inSync(b.url, DAILY, a.url, DAILY)).toEqual(onB);
    // the stale writes are quarantined, not lost
    const q = await http(a.url, "GET", `/_cat/indices/ccr-dr-quarantine-*-${DAILY}?format=json&h=index`);
    expect(q.body).toHaveLength(1);
    expect(await ids(a.url, q.body[0].index)).toEqual(stale.slice().sort());

    // the stream: replicated from clusterB, clusterB's backing indices in order, every document of clusterB's searchable by the stream name
    const ds = (await dataStream(a.url, STREAM))!;
    expect(ds.replicated).toBe(true);
    expect(ds.indices.map((i) => i.index_name)).toEqual(backingOnB);
    for (const index of backingOnB) expect(await followStatus(a.url, index)).toBe("active");
    expect(await inSync(b.url, STREAM, a.url, STREAM)).toEqual(streamOnB);
    // the writes clusterB never had are in the quarantine of the stale write index (one quarantine index per backing index)
    const qs = await http(a.url, "GET", `/_cat/indices/ccr-dr-quarantine-*-.ds-${STREAM}-*?format=json&h=index&expand_wildcards=all`);
    expect(qs.body.map((x: { index: string }) => x.index)).toEqual([
      expect.stringMatching(new RegExp(`-${staleBacking[1]!.replace(/[.]/g, "\\.")}$`)),
    ]);
    expect(await ids(a.url, qs.body[0].index)).toEqual([...unreplicated, ...staleStream].sort());
    const record = (await http(a.url, "GET", `/${qs.body[0].index}/_mapping`)).body[qs.body[0].index].mappings._meta.ccr_dr.quarantine;
    expect(record).toMatchObject({ complete: true, documents: unreplicated.length + staleStream.length, source_index: staleBacking[1] });
    // nothing acknowledged on either side is lost: on clusterA via the stream, or in the quarantine
    const kept = new Set([...(await ids(a.url, STREAM)), ...(await ids(a.url, qs.body[0].index))]);
    expect([...acknowledged, ...staleStream].filter((id) => !kept.has(id))).toEqual([]);
    await expectNoChanges(drA);

    // clusterB rolls over: the mirrored pattern follows the new backing index into clusterA's stream
    const rolled = await http(b.url, "POST", `/${STREAM}/_rollover`);
    expect(rolled.status).toBe(200);
    const more = await appendToStream(b.url, STREAM, "after-failback", 3);
    const grown = await eventually("clusterB's new backing index followed into clusterA's stream", async () => {
      const d = await dataStream(a.url, STREAM);
      return d?.indices.length === 4 ? d : undefined;
    });
    expect(grown.indices.map((i) => i.index_name)).toEqual([...backingOnB, rolled.body.new_index]);
    expect(await inSync(b.url, STREAM, a.url, STREAM)).toEqual([...streamOnB, ...more].sort());
  });
});
