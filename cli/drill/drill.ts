/**
 * `ccr-dr drill`: a scenario end to end on an embedded es-sim pair, through the real program and
 * the real Pulumi CLI, with timings. The default scenario is the seed tutorial (uni-directional CCR
 * disaster recovery): replicate clusterA → clusterB, kill clusterA, fail over, write on clusterB,
 * restart clusterA, fail back, and find the new document on clusterA. `--scenario data-stream`
 * runs dataStream.ts. The steps they share are in harness.ts.
 */
import { SAMPLE_ORDER_COUNT } from "./ecommerce";
import { dataStreamDrill } from "./dataStream";
import {
  count,
  type DrillOptions,
  type DrillReport,
  DrillRun,
  es,
  FOLLOWER_INDEX,
  LEADER_INDEX,
  quarantinedDocuments,
  type Scenario,
  siteConfig,
} from "./harness";

export { FOLLOWER_INDEX, LEADER_INDEX, SCENARIOS, drillTable } from "./harness";
export type { DrillOptions, DrillPhase, DrillReport, Scenario } from "./harness";

/** Runs the drill's `scenario` (default: the tutorial); never throws: failures end up in the report's verdict. */
export async function drill(opts: DrillOptions & { scenario?: Scenario } = {}): Promise<DrillReport> {
  return opts.scenario === "data-stream" ? dataStreamDrill(opts) : tutorialDrill(opts);
}

async function tutorialDrill(opts: DrillOptions): Promise<DrillReport> {
  const docs = opts.documents ?? SAMPLE_ORDER_COUNT;
  const run = new DrillRun("tutorial", docs, opts);
  const { report } = run;
  return run.execute(async () => {
    const [a, b] = await run.startPair();
    await run.loadOrders(a, docs);
    const ws = run.workspace({ "dr-a": siteConfig("clusterA", a, b), "dr-b": siteConfig("clusterB", a, b) });
    await run.setUpReplication(ws, async () => {
      const n = await run.until("clusterB to hold every order", async () => {
        const c = await count(b.url, FOLLOWER_INDEX).catch(() => -1);
        return c === docs ? c : undefined;
      });
      return `${FOLLOWER_INDEX} on clusterB follows clusterA: ${n} documents`;
    });
    const beforeDisaster = await count(a.url, LEADER_INDEX);
    const disasterAt = await run.disaster(a);
    await run.failover(ws);
    await run.phase(`write {"user":"kimchy"} into ${FOLLOWER_INDEX} on clusterB`, async () => {
      const r = await es<{ result: string; _id: string; _seq_no: number }>(b.url, "POST", `/${FOLLOWER_INDEX}/_doc?refresh=true`, {
        user: "kimchy",
      });
      report.rtoMs = Date.now() - disasterAt;
      const onB = await count(b.url, FOLLOWER_INDEX);
      report.rpoDocuments = beforeDisaster - (onB - 1);
      return { value: undefined, detail: `${r.result} as ${r._id} (seq_no ${r._seq_no})` };
    });
    await run.restart(a, async () => `${await count(a.url, LEADER_INDEX)} stale documents on clusterA`);
    await run.failback(ws);
    await run.phase(`GET ${LEADER_INDEX}/_search?q=kimchy on clusterA`, async () => {
      const hit = await run.until("the kimchy document on clusterA", async () => {
        const r = await es<{ hits: { total: { value: number }; hits: Array<{ _source: unknown }> } }>(
          a.url,
          "GET",
          `/${LEADER_INDEX}/_search?q=kimchy`,
        );
        return r.hits.total.value === 1 ? r.hits.hits[0] : undefined;
      });
      const [onA, onB] = await Promise.all([count(a.url, LEADER_INDEX), count(b.url, FOLLOWER_INDEX)]);
      if (onA !== onB) throw new Error(`clusterA holds ${onA} documents, clusterB ${onB}`);
      report.quarantinedDocuments = await quarantinedDocuments(a.url);
      return { value: undefined, detail: `found ${JSON.stringify(hit._source)}; clusterA and clusterB both hold ${onA} documents` };
    });
    report.verdict = report.rpoDocuments === 0 ? "pass" : "fail";
  });
}
