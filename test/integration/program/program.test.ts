/**
 * The program and its two site stacks, end to end with the real Pulumi CLI through the
 * Automation API against two es-sim processes: the seed tutorial by flipping ccr-dr:primary
 * (failover while clusterA is dead, failback when it returns), a planned switchover back with no
 * document lost, re-runs after a crash at each promotion and failback step, and invalid
 * configuration refused at preview. Each scenario checks the clusters, then a no-change preview;
 * the seed tutorial also checks the `lastPromotion` output against the promotion record on the cluster.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { decodePromotion } from "../../../es/records";
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

describe("site stacks dr-a / dr-b", () => {
  let pair: DrPair;

  beforeAll(async () => {
    pair = await startDrPair();
  });
  afterEach(() => {
    // When a scenario fails, what the clusters said is the first thing to read.
    const state = expect.getState() as { currentTestName?: string; suppressedErrors?: unknown[] };
    if ((state.suppressedErrors?.length ?? 0) > 0) console.error(`clusterA:\n${pair.a.stderr()}\nclusterB:\n${pair.b.stderr()}`);
  });
  afterAll(async () => pair?.cleanup());

  test("the seed tutorial: replicate, fail over while clusterA is down, fail back, switch back", async () => {
    const { a, b } = pair;
    await loadOrders(a.url, A_INDEX, 300);
    const drB = await pair.stack("clusterB");
    const drA = await pair.stack("clusterA");

    // Both stacks up with primary clusterA: B follows A.
    expect((await drB.up()).outputs.role!.value).toBe("follower");
    expect((await drA.up()).outputs.role!.value).toBe("primary");
    await inSync(a.url, A_INDEX, b.url, B_INDEX);
    expect(await followStatus(b.url, B_INDEX)).toBe("active");
    const remote = await http(b.url, "GET", "/_remote/info");
    expect(remote.body.clusterA).toMatchObject({ connected: true, mode: "proxy", proxy_address: a.transportAddress });
    await expectNoChanges(drB);
    await expectNoChanges(drA);
    const aUuid = (await http(a.url, "GET", `/${A_INDEX}/_settings?flat_settings=true`)).body[A_INDEX].settings["index.uuid"];

    // Disaster: clusterA dies. dr-b is flipped; its preview shows the promotion and finishes without A.
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    const preview = await drB.preview({ diff: true });
    expect(preview.changeSummary.delete).toBe(2); // the follower (promoted) and the site's quarantine name
    expect(preview.stdout).toContain(B_INDEX);
    expect(preview.stdout).toMatch(/FollowerIndex/);
    const failover = await drB.up();
    expect(failover.outputs.role!.value).toBe("primary");
    expect(await followStatus(b.url, B_INDEX)).toBe("none");
    const kimchy = await http(b.url, "POST", `/${B_INDEX}/_doc?refresh=true`, { user: "kimchy" });
    expect(kimchy.status).toBe(201);
    const meta = await http(b.url, "GET", `/${B_INDEX}/_mapping`);
    expect(meta.body[B_INDEX].mappings._meta.ccr_dr).toBeDefined(); // the promotion record
    // lastPromotion is read while the program runs; the promotion ran after it (a delete), so the
    // failover's own outputs cannot show it: B's index was still a follower, with no record of its own.
    expect(failover.outputs.lastPromotion!.value).toEqual({ status: "ok", cluster: "clusterB", indices: {} });
    // The next `up` (nothing to change) shows the record, as it is on clusterB, from clusterA's leader.
    const afterFailover = await drB.up();
    expect(Object.entries(afterFailover.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0)).toEqual([]);
    const bMeta = (await http(b.url, "GET", `/${B_INDEX}/_mapping`)).body[B_INDEX].mappings._meta;
    const bUuid = (await http(b.url, "GET", `/${B_INDEX}/_settings?flat_settings=true`)).body[B_INDEX].settings["index.uuid"];
    expect(bMeta.ccr_dr.promotion).toMatchObject({
      index: B_INDEX,
      index_uuid: bUuid,
      cluster: "clusterB",
      promoted_from: { remote_cluster: "clusterA", leader_index: A_INDEX, leader_index_uuid: aUuid },
    });
    const recordB = decodePromotion(bMeta, bUuid);
    expect(recordB).toBeDefined();
    expect(afterFailover.outputs.lastPromotion!.value).toEqual({
      status: "ok",
      cluster: "clusterB",
      indices: { [B_INDEX]: recordB },
      newest: recordB,
    });
    expect(recordB).toMatchObject({
      index: B_INDEX,
      indexUuid: bUuid,
      promotedFrom: { remoteCluster: "clusterA", leaderIndex: A_INDEX, leaderIndexUuid: aUuid },
    });
    await expectNoChanges(drB);

    // clusterA returns; dr-a is flipped: fence, lineage, quarantine (nothing diverged), delete, follow B.
    await a.restart();
    await drA.setConfig("ccr-dr:primary", { value: "clusterB" });
    const failback = await drA.up();
    expect(failback.outputs.role!.value).toBe("follower");
    const found = await eventually("kimchy on clusterA", async () => {
      const r = await http(a.url, "GET", `/${A_INDEX}/_search?q=kimchy`);
      return r.body.hits?.total?.value === 1 ? r.body.hits.hits[0] : undefined;
    });
    expect(found._source).toEqual({ user: "kimchy" });
    expect(await inSync(b.url, B_INDEX, a.url, A_INDEX)).toHaveLength(301);
    expect((failback.outputs.indexStatus!.value as any)[A_INDEX].quarantinedDocuments).toBe(0);
    // clusterA's new follower has clusterB's mapping, promotion record included: it is about B's
    // index, not a promotion of A's, so dr-a's lastPromotion does not list it; dr-b's still does.
    const replicated = await eventually("the leader's _meta on the follower", async () => {
      const r = await http(a.url, "GET", `/${A_INDEX}/_mapping`);
      return r.body[A_INDEX]?.mappings?._meta?.ccr_dr?.promotion;
    });
    expect(replicated).toMatchObject({ index: B_INDEX, index_uuid: bUuid });
    expect((await drA.up()).outputs.lastPromotion!.value).toEqual({ status: "ok", cluster: "clusterA", indices: {} });
    expect((await drB.up()).outputs.lastPromotion!.value).toEqual({
      status: "ok",
      cluster: "clusterB",
      indices: { [B_INDEX]: recordB },
      newest: recordB,
    });
    await expectNoChanges(drA);
    await expectNoChanges(drB);

    // Planned switchover back to clusterA while both are up: fence B, wait, promote A, re-follow on B.
    await loadOrders(b.url, B_INDEX, 20, "late");
    await drB.setConfig("ccr-dr:fenced", { value: "true" });
    await drB.up();
    const refused = await http(b.url, "POST", `/${B_INDEX}/_doc`, { user: "too late" });
    expect(refused.status).toBe(403); // fenced: no acknowledged write can be lost
    const expected = await inSync(b.url, B_INDEX, a.url, A_INDEX);
    await drA.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drA.up();
    expect(await followStatus(a.url, A_INDEX)).toBe("none");
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drB.setConfig("ccr-dr:fenced", { value: "false" });
    await drB.up();
    expect(await ids(a.url, A_INDEX)).toEqual(expected);
    expect(await inSync(a.url, A_INDEX, b.url, B_INDEX)).toEqual(expected);
    expect(await followStatus(b.url, B_INDEX)).toBe("active");
    expect((await http(a.url, "POST", `/${A_INDEX}/_doc`, { user: "after switchover" })).status).toBe(201);
    await expectNoChanges(drA);
    await expectNoChanges(drB);
  });

  test.each([
    ["pause", ["pause_follow"]],
    ["close", ["pause_follow", "close"]],
    ["unfollow", ["pause_follow", "close", "unfollow"]],
  ])("a failover interrupted after %s converges on re-run", async (_step, done) => {
    const { a, b } = pair;
    const drB = await pair.stack("clusterB");
    const drA = await pair.stack("clusterA");
    // Start from B following A (the previous scenario left A primary).
    await loadOrders(a.url, A_INDEX, 5, `crash-${_step}`);
    await drA.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drA.up();
    await drB.up();
    const expected = await inSync(a.url, A_INDEX, b.url, B_INDEX);
    // The steps the interrupted promotion got through, done by hand.
    const paths: Record<string, string> = { pause_follow: "_ccr/pause_follow", close: "_close", unfollow: "_ccr/unfollow" };
    for (const step of done) expect((await http(b.url, "POST", `/${B_INDEX}/${paths[step]}`)).status).toBe(200);
    // An unplanned failover: clusterA is down (while it answers and takes writes, `up` refuses: stack/splitBrain.ts).
    await a.kill("SIGKILL");
    await drB.setConfig("ccr-dr:primary", { value: "clusterB" });
    await drB.up();
    await a.restart();
    expect(await followStatus(b.url, B_INDEX)).toBe("none");
    expect(await ids(b.url, B_INDEX)).toEqual(expected);
    const settings = await http(b.url, "GET", `/${B_INDEX}/_settings?flat_settings=true`);
    expect(settings.body[B_INDEX].settings["index.blocks.write"]).toBeUndefined(); // open for writes
    await expectNoChanges(drB);
    // Back to B following A. No write reached B since its promotion, so ccr-dr may replace it by
    // a follower again (a promoted index that took writes needs A to fail back first: lineage).
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drB.up();
    await inSync(a.url, A_INDEX, b.url, B_INDEX);
    expect(await count(b.url, B_INDEX)).toBe(expected.length);
    await expectNoChanges(drB);
  });

  test("auto-follow patterns: leader indices created later are followed while the site follows", async () => {
    const { a, b } = pair;
    await loadOrders(a.url, A_INDEX, 1, "auto-follow");
    const drB = await pair.stack("clusterB");
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].name", { value: "logs" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].leaderIndexPatterns[0]", { value: "logs-*" }, true);
    await drB.setConfig("ccr-dr:autoFollowPatterns[0].followIndexPattern", { value: "{{leader_index}}-copy" }, true);
    await drB.up();
    const pattern = await http(b.url, "GET", "/_ccr/auto_follow/logs");
    expect(pattern.body.patterns[0].pattern).toMatchObject({ remote_cluster: "clusterA", leader_index_patterns: ["logs-*"] });
    await loadOrders(a.url, "logs-1", 7);
    await eventually("logs-1-copy on clusterB", async () => ((await count(b.url, "logs-1-copy").catch(() => 0)) === 7 ? true : undefined));
    expect(await followStatus(b.url, "logs-1-copy")).toBe("active");
    await expectNoChanges(drB);
    await drB.removeConfig("ccr-dr:autoFollowPatterns", true);
    await drB.up();
    expect((await http(b.url, "GET", "/_ccr/auto_follow/logs")).status).toBe(404);
    await expectNoChanges(drB);
  });

  test("ccr-dr:indicesFile: 1,500 pairs of 28-character names, more than the stack configuration carries, reach the program", async () => {
    const drB = await pair.stack("clusterB");
    const before = await drB.exportStack();
    const withIndices = (await drB.preview()).changeSummary;
    const file = path.join(pair.workDir, "dr.pairs");
    // 1,500 such pairs make ~100 KB of `ccr-dr:indices` JSON, with the rest of the configuration
    // past the 128 KiB Pulumi's PULUMI_CONFIG variable may hold
    const names = Array.from({ length: 1500 }, (_, i) => `kibana-sample-ecommerce-${String(i).padStart(4, "0")}`);
    fs.writeFileSync(file, `# clusterA clusterB\n${A_INDEX} ${B_INDEX}\n${names.map((n) => `${n}\t${n}-b`).join("\n")}\n`);
    await drB.removeConfig("ccr-dr:indices");
    await drB.setConfig("ccr-dr:indicesFile", { value: "dr.pairs" });
    try {
      const planned = await drB.preview();
      expect(planned.changeSummary.create).toBe((withIndices.create ?? 0) + 1500);
      expect(planned.stdout).toContain(`${names[1499]}-b`);
      // the tutorial's pair alone in the file: the same plan as with ccr-dr:indices
      fs.writeFileSync(file, `${A_INDEX} ${B_INDEX}\n`);
      expect((await drB.preview()).changeSummary).toEqual(withIndices);
    } finally {
      await drB.removeConfig("ccr-dr:indicesFile");
      await drB.setConfig("ccr-dr:indices[0].clusterA", { value: A_INDEX }, true);
      await drB.setConfig("ccr-dr:indices[0].clusterB", { value: B_INDEX }, true);
      fs.rmSync(file, { force: true });
    }
    expect((await drB.exportStack()).deployment.resources).toEqual(before.deployment.resources);
  });

  test("invalid configuration fails at preview with one error per problem, changing nothing", async () => {
    const drB = await pair.stack("clusterB");
    const before = await drB.exportStack();
    await drB.setConfig("ccr-dr:primary", { value: "clusterC" });
    await drB.setConfig("ccr-dr:indices[0].clusterA", { value: "Bad" }, true);
    await drB.setConfig("ccr-dr:indices[1].clusterA", { value: "x" }, true);
    await drB.setConfig("ccr-dr:indices[1].clusterB", { value: B_INDEX }, true);
    await expect(drB.preview()).rejects.toThrow(
      /ccr-dr:primary \[clusterC\] is unknown[\s\S]*ccr-dr:indices\[0\]\.clusterA \[Bad\] is not a valid index name[\s\S]*ccr-dr:indices\[1\]\.clusterB \[kibana_sample_data_ecommerce2\] is already in ccr-dr:indices\[0\]/,
    );
    await drB.setConfig("ccr-dr:primary", { value: "clusterA" });
    await drB.removeConfig("ccr-dr:indices[1]", true);
    await drB.setConfig("ccr-dr:indices[0].clusterA", { value: A_INDEX }, true);
    expect((await drB.exportStack()).deployment.resources).toEqual(before.deployment.resources);
    await expectNoChanges(drB);
  });
});
