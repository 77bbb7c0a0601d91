/**
 * Composable index templates and data streams without I/O: the pure rules (pattern overlap, which
 * template wins, backing index names) by tables, and the engine actions over MemoryStorage: one
 * winner under concurrency, persistence across a restart, the write-index guards.
 */
import {
  createDataStream,
  deleteDataStream,
  getDataStreams,
  promoteDataStream,
  rolloverDataStream,
} from "../../../../sim/engine/actions/dataStreams";
import { indexDoc } from "../../../../sim/engine/actions/documents";
import { closeIndex, createIndex, deleteIndex } from "../../../../sim/engine/actions/indexAdmin";
import { deleteIndexTemplate, getIndexTemplates, putIndexTemplate } from "../../../../sim/engine/actions/indexTemplates";
import { Cluster } from "../../../../sim/engine/cluster";
import {
  backingIndexName,
  dataStreams,
  generationOfBackingIndex,
  saveDataStreams,
  streamNameOfBackingIndex,
} from "../../../../sim/engine/dataStreams";
import { EsError } from "../../../../sim/engine/errors";
import { conflictingTemplates, findTemplate, patternsIntersect, type TemplateMap } from "../../../../sim/engine/indexTemplates";
import { MemoryStorage } from "../../../../sim/engine/storage";
import { stubSearchLibrary } from "../../../helpers/sim";

const now = Date.UTC(2026, 0, 5, 10, 0, 0);
const clock = () => now;

async function open(storage = new MemoryStorage()) {
  const cluster = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, clock, startTimers: false });
  return { cluster, storage };
}

async function esError(p: Promise<unknown>): Promise<EsError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EsError);
    return e as EsError;
  }
  throw new Error("expected an EsError");
}

describe("pattern overlap (Regex.simpleMatchToAutomaton intersection)", () => {
  test.each([
    ["logs-*", "logs-a*", true],
    ["logs-*", "metrics-*", false],
    ["*", "anything", true],
    ["a*b", "ab", true],
    ["a*b", "a*c", false],
    ["*-x", "y-*", true],
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["a*", "*b", true],
    ["a**", "a", true],
    ["x*y*z", "xz*", true],
    ["x*y", "xz*q", false],
    ["x*y*z", "x*z", true],
  ])("%s ∩ %s → %s", (a, b, expected) => {
    expect(patternsIntersect(a, b)).toBe(expected);
    expect(patternsIntersect(b, a)).toBe(expected);
  });

  test("only same-priority overlaps conflict, the candidate itself excluded, in name order", () => {
    const templates: TemplateMap = {
      b: { index_patterns: ["logs-*"], priority: 1 },
      a: { index_patterns: ["logs-app*"], priority: 1 },
      c: { index_patterns: ["logs-*"], priority: 2 },
      self: { index_patterns: ["logs-*"], priority: 1 },
    };
    expect(conflictingTemplates(templates, "self", { index_patterns: ["logs-x", "z"], priority: 1 })).toEqual([["b", ["logs-*"]]]);
    expect(conflictingTemplates(templates, "self", { index_patterns: ["logs-a*"], priority: 1 })).toEqual([
      ["a", ["logs-app*"]],
      ["b", ["logs-*"]],
    ]);
    expect(conflictingTemplates(templates, "new", { index_patterns: ["other-*"] })).toEqual([]);
  });

  test("findTemplate: highest priority wins; hidden indices skip match-all templates", () => {
    const templates: TemplateMap = {
      all: { index_patterns: ["*"], priority: 0 },
      logs: { index_patterns: ["logs-*"], priority: 5 },
      app: { index_patterns: ["logs-app-*"], priority: 9 },
    };
    expect(findTemplate(templates, "logs-app-1")?.[0]).toBe("app");
    expect(findTemplate(templates, "logs-db")?.[0]).toBe("logs");
    expect(findTemplate(templates, "other")?.[0]).toBe("all");
    expect(findTemplate(templates, "other", true)).toBeUndefined();
  });
});

describe("backing index names", () => {
  test.each([
    ["logs-app", 1, Date.UTC(2026, 0, 5), ".ds-logs-app-2026.01.05-000001"],
    ["m", 123456, Date.UTC(2025, 11, 31, 23, 59), ".ds-m-2025.12.31-123456"],
    ["x", 1234567, Date.UTC(2024, 1, 29), ".ds-x-2024.02.29-1234567"],
  ])("%s generation %d at %d → %s", (stream, generation, at, expected) => {
    expect(backingIndexName(stream, generation, at)).toBe(expected);
    expect(streamNameOfBackingIndex(expected)).toBe(stream);
    expect(generationOfBackingIndex(expected)).toBe(generation);
  });

  test("names that are not backing indices", () => {
    expect(streamNameOfBackingIndex("logs-app")).toBeUndefined();
    expect(streamNameOfBackingIndex(".ds-logs-000001")).toBeUndefined();
    expect(generationOfBackingIndex("logs-000001")).toBeUndefined();
  });
});

describe("engine actions", () => {
  test("concurrent puts of overlapping same-priority templates: exactly one wins", async () => {
    const { cluster } = await open();
    const settled = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => putIndexTemplate(cluster, `t${i}`, { index_patterns: ["same-*"], priority: 3 })),
    );
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    for (const s of settled.filter((x): x is PromiseRejectedResult => x.status === "rejected")) {
      expect((s.reason as EsError).type).toBe("illegal_argument_exception");
    }
    expect((getIndexTemplates(cluster, undefined).body as any).index_templates).toHaveLength(1);
  });

  test("concurrent first writes into a data stream name create one stream and lose no document", async () => {
    const { cluster } = await open();
    await putIndexTemplate(cluster, "ds", { index_patterns: ["ds-*"], data_stream: {} });
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => indexDoc(cluster, "ds-a", undefined, { "@timestamp": now + i }, {})),
    );
    expect(new Set(replies.map((r) => (r.body as any)._index))).toEqual(new Set([".ds-ds-a-2026.01.05-000001"]));
    expect(cluster.requireShard(".ds-ds-a-2026.01.05-000001").liveCount).toBe(10);
    const settled = await Promise.allSettled([createDataStream(cluster, "ds-b"), createDataStream(cluster, "ds-b")]);
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
  });

  test("concurrent deletes of one stream or template: one acknowledged, the others 404; concurrent rollovers each add a generation", async () => {
    const { cluster } = await open();
    await putIndexTemplate(cluster, "ds", { index_patterns: ["ds-*"], data_stream: {} });
    await putIndexTemplate(cluster, "plain", { index_patterns: ["plain-*"] });
    await createDataStream(cluster, "ds-a");
    const rolled = await Promise.all([rolloverDataStream(cluster, "ds-a", {}), rolloverDataStream(cluster, "ds-a", {})]);
    expect(rolled.map((r: any) => r.new_index).sort()).toEqual([".ds-ds-a-2026.01.05-000002", ".ds-ds-a-2026.01.05-000003"]);
    const streams = await Promise.allSettled([deleteDataStream(cluster, "ds-a"), deleteDataStream(cluster, "ds-a")]);
    expect(streams.map((x) => (x.status === "fulfilled" ? "ok" : (x.reason as EsError).type)).sort()).toEqual([
      "index_not_found_exception",
      "ok",
    ]);
    expect(cluster.indexNames()).toEqual([]);
    const templates = await Promise.allSettled([deleteIndexTemplate(cluster, "plain"), deleteIndexTemplate(cluster, "plain")]);
    expect(templates.map((x) => (x.status === "fulfilled" ? "ok" : (x.reason as EsError).type)).sort()).toEqual([
      "index_template_missing_exception",
      "ok",
    ]);
  });

  test("templates and data streams survive a restart", async () => {
    const { cluster, storage } = await open();
    await putIndexTemplate(cluster, "ds", { index_patterns: ["ds-*"], data_stream: {}, template: { settings: { number_of_replicas: 0 } } });
    await createDataStream(cluster, "ds-a");
    await rolloverDataStream(cluster, "ds-a", {});
    await cluster.close();
    const { cluster: again } = await open(storage);
    expect(Object.keys((getIndexTemplates(again, "ds").body as any).index_templates[0].index_template)).toContain("data_stream");
    const ds = (getDataStreams(again, "ds-a") as any).data_streams[0];
    expect(ds.generation).toBe(2);
    expect(ds.indices.map((i: any) => i.index_name)).toEqual([".ds-ds-a-2026.01.05-000001", ".ds-ds-a-2026.01.05-000002"]);
    const r = await indexDoc(again, "ds-a", undefined, { "@timestamp": now }, {});
    expect((r.body as any)._index).toBe(".ds-ds-a-2026.01.05-000002");
  });

  test("write-index guards, replicated streams refuse rollover until promoted, template deletes that would orphan a stream", async () => {
    const { cluster } = await open();
    await putIndexTemplate(cluster, "ds", { index_patterns: ["ds-*"], data_stream: {} });
    await createDataStream(cluster, "ds-a");
    const w = ".ds-ds-a-2026.01.05-000001";
    expect((await esError(deleteIndex(cluster, w, {}))).reason).toBe(
      `index [${w}] is the write index for data stream [ds-a] and cannot be deleted`,
    );
    expect((await esError(closeIndex(cluster, w, {}))).reason).toBe(`cannot close the following data stream write indices [${w}]`);
    expect((await esError(deleteIndexTemplate(cluster, "ds"))).reason).toBe(
      "unable to remove composable templates [ds] as they are in use by a data streams [ds-a]",
    );
    expect((await esError(createIndex(cluster, "ds-x", {}))).reason).toMatch(/creates data streams only/);
    await putIndexTemplate(cluster, "late", { index_patterns: ["late-*"] });
    await createIndex(cluster, "late-1", {});
    await putIndexTemplate(cluster, "late", { index_patterns: ["late-*"], data_stream: {} });
    const clash = await esError(createDataStream(cluster, "late-1"));
    expect([clash.type, clash.status, clash.reason]).toEqual([
      "illegal_state_exception",
      500,
      "index, alias, and data stream names need to be unique, but the following duplicates were found [data stream [late-1] conflicts with index]",
    ]);
    expect(cluster.indexNames()).not.toContain(expect.stringMatching(/^\.ds-late-1-/));
    await cluster.updateMetadata(() => saveDataStreams(cluster, { "ds-a": { ...dataStreams(cluster)["ds-a"]!, replicated: true } }));
    expect((await esError(rolloverDataStream(cluster, "ds-a", {}))).reason).toBe(
      "data stream [ds-a] cannot be rolled over, because it is a replicated data stream",
    );
    await promoteDataStream(cluster, "ds-a");
    expect(((await rolloverDataStream(cluster, "ds-a", {})) as any).new_index).toBe(".ds-ds-a-2026.01.05-000002");
  });
});
