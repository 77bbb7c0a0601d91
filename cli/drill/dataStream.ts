/**
 * `ccr-dr drill --scenario data-stream`: the failover and failback of a data stream under writes,
 * on an embedded es-sim pair through the real program and Pulumi CLI. clusterB auto-follows
 * `logs-generic-default` from clusterA (an auto-follow pattern in the stack configuration) while a
 * writer appends timestamped documents to it at a steady rate and records every acknowledged id; a
 * rollover simulates the day change; clusterA is killed (-9) mid-writing; clusterB is failed over
 * and takes writes into the stream; clusterA restarts and is failed back.
 *
 * The verdict: every document acknowledged on clusterA that reached clusterB and every document
 * acknowledged on clusterB is searchable through the stream name on clusterB (the primary) and on
 * clusterA (its follower again); the documents acknowledged on clusterA that never reached clusterB
 * are the RPO, and each is in clusterA's quarantine: nothing acknowledged is lost.
 */
import type { SpawnedSim } from "../../sim/spawn";
import { sleep } from "../wait";
import {
  count,
  type DrillOptions,
  type DrillReport,
  DrillRun,
  es,
  FOLLOWER_INDEX,
  present,
  quarantinedDocuments,
  siteConfig,
} from "./harness";

export const STREAM = "logs-generic-default";
/** A data-stream template for `logs-*-*`: priority 200, above Elasticsearch's built-in `logs` template (100); no replicas. */
export const LOGS_TEMPLATE = {
  index_patterns: ["logs-*-*"],
  data_stream: {},
  priority: 200,
  template: { settings: { number_of_replicas: 0 } },
};
/** The auto-follow pattern of the stack configuration (both sites: the failback mirrors it onto clusterA). */
export const LOGS_PATTERN = { name: "logs", leaderIndexPatterns: ["logs-*"] };
/** Documents the writer appends on clusterA before the kill, by default. */
export const DEFAULT_STREAM_DOCUMENTS = 1_000;
/** Orders of the declared index pair (the stack configuration requires one). */
const PAIR_ORDERS = 50;
/** Pause between two appends of the writer: a steady rate, one request at a time. */
const WRITE_INTERVAL_MS = 2;

/**
 * Appends documents with `@timestamp` to {@link STREAM} one at a time (`PUT <stream>/_create/<id>`:
 * op_type create, which a data stream requires) until stopped, and records each acknowledged id. A
 * request that fails (the cluster died) is not acknowledged; the writer keeps trying until stopped.
 */
class StreamWriter {
  readonly acked: string[] = [];
  firstAckAt: number | undefined;
  failed = 0;
  lastError: string | undefined;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly base: string,
    private readonly prefix: string,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    for (let n = 0; !this.stopped; n++) {
      const id = `${this.prefix}-${n}`;
      try {
        await es(this.base, "PUT", `/${STREAM}/_create/${id}`, { "@timestamp": new Date().toISOString(), writer: this.prefix, n });
        this.firstAckAt ??= Date.now();
        this.acked.push(id);
      } catch (e) {
        this.failed++;
        this.lastError = (e as Error).message;
      }
      await sleep(WRITE_INTERVAL_MS);
    }
  }

  /** Stops after the request in flight; the acknowledged ids. */
  async stop(): Promise<string[]> {
    this.stopped = true;
    await this.loop;
    return this.acked;
  }
}

interface DataStreamView {
  replicated: boolean;
  /** Backing indices, oldest first. */
  indices: string[];
}

/** `GET _data_stream/<stream>` on `base`; undefined when it does not exist. */
async function dataStream(base: string): Promise<DataStreamView | undefined> {
  const r = await es<{ data_streams: Array<{ replicated?: boolean; indices: Array<{ index_name: string }> }> }>(
    base,
    "GET",
    `/_data_stream/${STREAM}`,
  ).catch(() => undefined);
  const ds = r?.data_streams[0];
  return ds && { replicated: ds.replicated === true, indices: ds.indices.map((i) => i.index_name) };
}

/** Waits until `writer` has `n` acknowledged documents (it writes at its own pace); fails at its first refused append. */
async function acknowledged(run: DrillRun, writer: StreamWriter, n: number, where: string): Promise<number> {
  const got = await run.until(`${n} documents acknowledged on ${where}`, async () =>
    writer.failed > 0 ? -1 : writer.acked.length >= n ? writer.acked.length : undefined,
  );
  if (got < 0) throw new Error(`appending to ${STREAM} on ${where} failed: ${writer.lastError}`);
  return got;
}

export async function dataStreamDrill(opts: DrillOptions): Promise<DrillReport> {
  const docs = opts.documents ?? DEFAULT_STREAM_DOCUMENTS;
  const run = new DrillRun("data-stream", docs, opts);
  const { report } = run;
  const writers: StreamWriter[] = [];
  return run.execute(async () => {
    try {
      await steps(run, report, docs, writers);
    } finally {
      await Promise.all(writers.map((w) => w.stop()));
      // what clusterA acknowledged, whether or not the drill got as far as the kill
      report.documents = writers[0]?.acked.length ?? 0;
    }
  });
}

async function steps(run: DrillRun, report: DrillReport, docs: number, writers: StreamWriter[]): Promise<void> {
  const [a, b] = await run.startPair();
  await run.phase(`index template "logs" for logs-*-* (data_stream) on clusterA and clusterB`, async () => {
    for (const s of [a, b]) await es(s.url, "PUT", "/_index_template/logs", LOGS_TEMPLATE);
    return { value: undefined, detail: "the promoted stream rolls over from it on clusterB" };
  });
  await run.loadOrders(a, PAIR_ORDERS);
  const patterns = { autoFollowPatterns: [LOGS_PATTERN] };
  const ws = run.workspace({ "dr-a": siteConfig("clusterA", a, b, patterns), "dr-b": siteConfig("clusterB", a, b, patterns) });
  await run.setUpReplication(ws, async () => {
    await run.until("clusterB to hold every order", async () =>
      (await count(b.url, FOLLOWER_INDEX).catch(() => -1)) === PAIR_ORDERS ? true : undefined,
    );
    return `auto-follow pattern "${LOGS_PATTERN.name}" (${LOGS_PATTERN.leaderIndexPatterns.join(", ")}) on clusterB; ${FOLLOWER_INDEX} follows clusterA`;
  });

  const onA = new StreamWriter(a.url, "a");
  writers.push(onA);
  const half = Math.ceil(docs / 2);
  await run.phase(`writer appends to ${STREAM} on clusterA; clusterB auto-follows it`, async () => {
    await acknowledged(run, onA, half, "clusterA");
    const followed = await run.until(`${STREAM} on clusterB`, async () => {
      const n = await count(b.url, STREAM).catch(() => 0);
      return n > 0 ? n : undefined;
    });
    return { value: undefined, detail: `${onA.acked.length} acknowledged on clusterA so far; ${followed} on clusterB` };
  });
  await run.phase(`daily rollover: POST ${STREAM}/_rollover on clusterA (simulates the day change)`, async () => {
    const r = await es<{ old_index: string; new_index: string }>(a.url, "POST", `/${STREAM}/_rollover`);
    const onB = await run.until(`clusterB to follow ${r.new_index}`, async () => {
      const indices = (await dataStream(b.url))?.indices ?? [];
      return indices.includes(r.new_index) ? indices : undefined;
    });
    return { value: undefined, detail: `${r.old_index} → ${r.new_index}; clusterB's stream has ${onB.length} backing indices` };
  });
  await run.phase(`writer keeps appending on clusterA`, async () => {
    const n = await acknowledged(run, onA, docs, "clusterA");
    return { value: undefined, detail: `${n} acknowledged on clusterA` };
  });

  const disasterAt = await run.disaster(a);
  const ackedOnA = [...(await onA.stop())];
  await run.failover(ws);

  const onB = new StreamWriter(b.url, "b");
  writers.push(onB);
  const afterFailover = Math.max(5, Math.ceil(docs / 10));
  let rpo: string[] = [];
  let ackedOnB: string[] = [];
  await run.phase(`writer appends to ${STREAM} on clusterB`, async () => {
    await acknowledged(run, onB, afterFailover, "clusterB");
    report.rtoMs = onB.firstAckAt! - disasterAt;
    ackedOnB = [...(await onB.stop())];
    report.documentsOnB = ackedOnB.length;
    const reached = await present(b.url, STREAM, ackedOnA);
    rpo = ackedOnA.filter((id) => !reached.has(id));
    report.rpoDocuments = rpo.length;
    return {
      value: undefined,
      detail:
        `${ackedOnB.length} acknowledged on clusterB; of the ${ackedOnA.length} acknowledged on clusterA before the kill, ` +
        `${reached.size} reached clusterB and ${rpo.length} did not (the RPO)`,
    };
  });

  await run.restart(a, async () => `${await count(a.url, STREAM)} documents in ${STREAM} on clusterA`);
  await run.failback(ws);

  const rpoIds = new Set(rpo);
  const expected = [...ackedOnA.filter((id) => !rpoIds.has(id)), ...ackedOnB];
  let missingOnB: string[] = [];
  await run.phase(
    `GET ${STREAM} on clusterB (the primary): every document acknowledged and replicated, every one written since`,
    async () => {
      const found = await present(b.url, STREAM, expected);
      missingOnB = expected.filter((id) => !found.has(id));
      if (missingOnB.length > 0)
        throw new Error(
          `${missingOnB.length} of ${expected.length} acknowledged documents are missing on clusterB, e.g. ${missingOnB.slice(0, 5).join(", ")}`,
        );
      return { value: undefined, detail: `all ${expected.length} found through the stream name` };
    },
  );
  await run.phase(
    `quarantine on clusterA: the ${rpo.length} document(s) acknowledged on clusterA that never reached clusterB`,
    async () => {
      const quarantined = rpo.length === 0 ? new Set<string>() : await present(a.url, "ccr-dr-quarantine-*", rpo);
      const lost = rpo.filter((id) => !quarantined.has(id));
      report.lostDocuments = lost.length + missingOnB.length;
      report.quarantinedDocuments = await quarantinedDocuments(a.url);
      if (lost.length > 0)
        throw new Error(
          `${lost.length} acknowledged document(s) are neither on clusterB nor quarantined, e.g. ${lost.slice(0, 5).join(", ")}`,
        );
      return {
        value: undefined,
        detail: `${quarantined.size} found in ccr-dr-quarantine-* (${report.quarantinedDocuments ?? "an unknown number of"} quarantined documents in all)`,
      };
    },
  );
  await followsAgain(run, a, expected);
  report.verdict = report.lostDocuments === 0 ? "pass" : "fail";
}

/**
 * After the failback, clusterA's stream follows clusterB's: a replicated stream that holds every
 * document `expected` through the stream name. A local (not replicated) stream there after the
 * failback's `pulumi up` never catches up: that is said at once instead of waiting.
 */
function followsAgain(run: DrillRun, a: SpawnedSim, expected: string[]): Promise<void> {
  return run.phase(`GET ${STREAM} on clusterA: it follows clusterB's stream again`, async () => {
    let held: number | undefined;
    let local: DataStreamView | undefined;
    try {
      await run.until(`clusterA's ${STREAM} to hold clusterB's documents`, async () => {
        const ds = await dataStream(a.url);
        if (ds && !ds.replicated) return (local = ds);
        held = (await present(a.url, STREAM, expected)).size;
        return held === expected.length ? ds : undefined;
      });
    } catch (e) {
      throw new Error(
        `clusterA's ${STREAM} holds ${held ?? "an unknown number"} of the ${expected.length} documents of clusterB: ${(e as Error).message}`,
      );
    }
    if (local) {
      const held = (await present(a.url, STREAM, expected)).size;
      throw new Error(
        `clusterA's ${STREAM} is a local stream, not a follower of clusterB's, after the failback (backing indices ` +
          `${local.indices.join(", ")}): it holds ${held} of the ${expected.length} documents of clusterB`,
      );
    }
    return { value: undefined, detail: `a replicated stream again: all ${expected.length} found through the stream name` };
  });
}
