/**
 * A refresh built in slices (sim/engine/shard.ts with sim/engine/slicing.ts): between slices the
 * node answers requests, and they must see the previous refresh point until the new generation is
 * published; refresh=true, `_refresh` and refresh=wait_for must still give read-after-write;
 * realtime GET sees every write; writes made during a build land in the next generation; nothing is
 * lost. Real search library, MemoryStorage, and a slicer the test drives: a slice is a few
 * documents (of a refresh, or items of a bulk), and a paused build resumes only when the test says so.
 */
import { bulk, deleteDoc, getDoc, indexDoc, type BulkItem } from "../../../../sim/engine/actions/documents";
import { createIndex, refresh } from "../../../../sim/engine/actions/indexAdmin";
import { count, search } from "../../../../sim/engine/actions/search";
import { Cluster } from "../../../../sim/engine/cluster";
import * as searchLibrary from "../../../../sim/engine/search";
import type { WorkSlicer } from "../../../../sim/engine/slicing";
import { MemoryStorage } from "../../../../sim/engine/storage";
import type { Json, SearchLibrary } from "../../../../sim/engine/types";

let now = 1_700_000_000_000;
const clock = () => now;
const DOCS_PER_SLICE = 5;

/** A slicer of DOCS_PER_SLICE documents per slice whose pauses last until `resume()`. */
function steppedSlicer() {
  let paused: Array<() => void> = [];
  const slicer: WorkSlicer = {
    slice: () => {
      let n = 0;
      return () => ++n >= DOCS_PER_SLICE;
    },
    pause: () => new Promise<void>((resolve) => paused.push(resolve)),
  };
  return {
    slicer,
    /** Builds waiting for their next slice. */
    get paused(): number {
      return paused.length;
    },
    /** Lets every paused build run one more slice, and what that settles run. */
    async resume(): Promise<void> {
      const p = paused;
      paused = [];
      for (const r of p) r();
      await settle();
    },
    /**
     * Runs `work` (a bulk, which pauses between slices too) to its end, resuming only the pauses
     * it makes: a refresh already paused stays where it is.
     */
    async drive<T>(work: Promise<T>): Promise<T> {
      const others = paused.length;
      let over = false;
      const watched = work.finally(() => (over = true));
      while (!over) {
        for (const r of paused.splice(others)) r();
        await settle();
      }
      return watched;
    },
  };
}

/** Lets promise chains and timers-free continuations run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function setUp() {
  const stepped = steppedSlicer();
  const cluster = await Cluster.open({
    clusterName: "c",
    nodeName: "n",
    storage: new MemoryStorage(),
    search: searchLibrary as unknown as SearchLibrary,
    clock,
    startTimers: false,
    slicer: stepped.slicer,
  });
  await createIndex(cluster, "i", {
    settings: { "index.refresh_interval": "1s" },
    mappings: { properties: { n: { type: "long" }, tag: { type: "keyword" } } },
  });
  return { cluster, stepped };
}

const items = (from: number, to: number, tag = "a"): BulkItem[] =>
  Array.from({ length: to - from }, (_, k) => ({
    action: "index" as const,
    index: "i",
    id: String(from + k),
    source: { n: from + k, tag },
    opts: {},
  }));

async function hits(cluster: Cluster, query: Json = { match_all: {} }): Promise<string[]> {
  const r = await search(cluster, "i", { body: { query, size: 10_000, sort: [{ n: "asc" }] }, params: {} }, {});
  return ((r.hits as Json).hits as Json[]).map((h) => h._id as string);
}

const total = async (cluster: Cluster) => (await count(cluster, "i", { body: {}, params: {} }, {})).count as number;

/** Starts the scheduled refresh (one interval later) and checks it paused after its first slice. */
function scheduledRefresh(cluster: Cluster, stepped: ReturnType<typeof steppedSlicer>): void {
  now += 1000;
  cluster.tick();
  expect(cluster.requireShard("i").refreshing).toBe(true);
  expect(stepped.paused).toBe(1);
}

async function runToEnd(cluster: Cluster, stepped: ReturnType<typeof steppedSlicer>): Promise<number> {
  let slices = 0;
  while (cluster.requireShard("i").refreshing || stepped.paused > 0) {
    await stepped.resume();
    slices++;
    if (slices > 10_000) throw new Error("refresh never finished");
  }
  return slices;
}

describe("a refresh built in slices", () => {
  test("searches between slices see the previous refresh point; realtime GET sees every write", async () => {
    const { cluster, stepped } = await setUp();
    await stepped.drive(bulk(cluster, items(0, 10), {}));
    scheduledRefresh(cluster, stepped);
    await runToEnd(cluster, stepped);
    expect(await total(cluster)).toBe(10);

    // a second generation: updates of 0–4, a delete of 5, new 10–39
    await stepped.drive(bulk(cluster, [...items(0, 5, "b"), ...items(10, 40, "b")], {}));
    await deleteDoc(cluster, "i", "5", {});
    scheduledRefresh(cluster, stepped);
    const before = Array.from({ length: 10 }, (_, k) => String(k));
    let slices = 0;
    while (cluster.requireShard("i").refreshing) {
      expect(await hits(cluster)).toEqual(before);
      expect(await total(cluster)).toBe(10);
      expect(await hits(cluster, { term: { tag: "b" } })).toEqual([]);
      expect(getDoc(cluster, "i", "3", {}).body._source).toEqual({ n: 3, tag: "b" }); // realtime
      expect(getDoc(cluster, "i", "3", { realtime: false }).body._source).toEqual({ n: 3, tag: "a" });
      expect(getDoc(cluster, "i", "5", {}).status).toBe(404);
      expect(getDoc(cluster, "i", "5", { realtime: false }).status).toBe(200);
      expect(getDoc(cluster, "i", "20", { realtime: false }).status).toBe(404);
      await stepped.resume();
      slices++;
    }
    expect(slices).toBeGreaterThanOrEqual(Math.floor(36 / DOCS_PER_SLICE) - 1);
    const after = [...before.filter((id) => id !== "5"), ...Array.from({ length: 30 }, (_, k) => String(10 + k))];
    expect(await hits(cluster)).toEqual(after);
    expect(await hits(cluster, { term: { tag: "b" } })).toEqual(["0", "1", "2", "3", "4", ...after.slice(9)]);
    expect(getDoc(cluster, "i", "3", { realtime: false }).body._source).toEqual({ n: 3, tag: "b" });
  });

  test("writes during a build land in the next generation, and nothing is lost", async () => {
    const { cluster, stepped } = await setUp();
    await stepped.drive(bulk(cluster, items(0, 40), {}));
    scheduledRefresh(cluster, stepped);
    await stepped.resume();
    // written while the first build is half done: an update of a document in it, a new one, a delete
    await indexDoc(cluster, "i", "7", { n: 7, tag: "late" }, {});
    await indexDoc(cluster, "i", "100", { n: 100, tag: "late" }, {});
    await deleteDoc(cluster, "i", "8", {});
    await stepped.drive(bulk(cluster, items(300, 320, "late"), {}));
    await runToEnd(cluster, stepped);
    const first = Array.from({ length: 40 }, (_, k) => String(k));
    expect(await hits(cluster)).toEqual(first);
    expect(await hits(cluster, { term: { tag: "late" } })).toEqual([]);
    scheduledRefresh(cluster, stepped);
    await runToEnd(cluster, stepped);
    const late = Array.from({ length: 20 }, (_, k) => String(300 + k));
    expect(await hits(cluster)).toEqual([...first.filter((id) => id !== "8"), "100", ...late]);
    expect(await hits(cluster, { term: { tag: "late" } })).toEqual(["7", "100", ...late]);
    expect(cluster.requireShard("i").visibleCount).toBe(60);
  });

  test("refresh=true and POST _refresh issued during a build wait for it and for the writes after it", async () => {
    const { cluster, stepped } = await setUp();
    await stepped.drive(bulk(cluster, items(0, 30), {}));
    scheduledRefresh(cluster, stepped);
    let written = false;
    const w = indexDoc(cluster, "i", "200", { n: 200, tag: "rt" }, { refresh: "true" }).then((r) => {
      written = true;
      return r;
    });
    let refreshed = false;
    const r = refresh(cluster, "i", {}).then(() => (refreshed = true));
    await settle();
    expect([written, refreshed]).toEqual([false, false]);
    const slices = await runToEnd(cluster, stepped);
    expect(slices).toBeGreaterThan(1);
    const answer = await w;
    await r;
    expect(answer.body.forced_refresh).toBe(true);
    expect(await hits(cluster, { term: { tag: "rt" } })).toEqual(["200"]);
    expect(await total(cluster)).toBe(31);
  });

  test("refresh=wait_for answers once a published generation holds the write", async () => {
    const { cluster, stepped } = await setUp();
    await stepped.drive(bulk(cluster, items(0, 20), {}));
    scheduledRefresh(cluster, stepped);
    let answered = false;
    const w = bulk(cluster, items(20, 30, "wf"), { refresh: "wait_for" }).then(() => (answered = true));
    await runToEnd(cluster, stepped);
    expect(answered).toBe(false); // the first build started before these writes
    scheduledRefresh(cluster, stepped);
    while (cluster.requireShard("i").refreshing) {
      expect(answered).toBe(false);
      await stepped.resume();
    }
    await w;
    expect(await hits(cluster, { term: { tag: "wf" } })).toHaveLength(10);
  });

  test("a search on a search-idle shard waits for the refresh of its writes", async () => {
    const { cluster, stepped } = await setUp();
    await createIndex(cluster, "idle", { settings: { "index.search.idle.after": "1s" } });
    await stepped.drive(
      bulk(
        cluster,
        items(0, 25).map((it) => ({ ...it, index: "idle" })),
        {},
      ),
    );
    now += 5000;
    let result: Json | undefined;
    const s = search(cluster, "idle", { body: { size: 100 }, params: {} }, {}).then((r) => (result = r));
    await settle();
    expect(result).toBeUndefined();
    expect(stepped.paused).toBe(1);
    while (stepped.paused > 0) await stepped.resume();
    await s;
    expect(((result!.hits as Json).total as Json).value).toBe(25);
  });
});
