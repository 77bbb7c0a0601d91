/**
 * Engine rules without I/O: sequence numbers, versions, conflicts, soft deletes, leases,
 * forcemerge, replicated apply, NRT refresh, restart from storage. Uses MemoryStorage and a stub
 * search library, so only the engine is under test.
 */
import { putClusterSettings } from "../../../../sim/engine/actions/clusterAdmin";
import { deleteDoc, getDoc, indexDoc, updateDoc } from "../../../../sim/engine/actions/documents";
import { addBlock, closeIndex, createIndex, forceMerge, openIndex, putSettings } from "../../../../sim/engine/actions/indexAdmin";
import { count, search } from "../../../../sim/engine/actions/search";
import { indicesStats } from "../../../../sim/engine/actions/stats";
import { Cluster } from "../../../../sim/engine/cluster";
import { EsError } from "../../../../sim/engine/errors";
import { MemoryStorage } from "../../../../sim/engine/storage";
import { stubSearchLibrary } from "../../../helpers/sim";

let now = 1_700_000_000_000;
const clock = () => now;

async function open(storage = new MemoryStorage()) {
  const cluster = await Cluster.open({ clusterName: "c", nodeName: "n", storage, search: stubSearchLibrary, clock, startTimers: false });
  return { cluster, storage };
}

async function expectEsError(p: Promise<unknown> | (() => unknown), type: string, status?: number): Promise<EsError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(EsError);
    expect((e as EsError).type).toBe(type);
    if (status !== undefined) expect((e as EsError).status).toBe(status);
    return e as EsError;
  }
  throw new Error(`expected ${type}`);
}

describe("sequence numbers and versions", () => {
  test("seq_no per index from 0; failed ops consume none; deletes of missing docs do", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "i", {});
    const a = await indexDoc(cluster, "i", "1", { a: 1 }, {});
    expect(a).toMatchObject({ status: 201, body: { _seq_no: 0, _version: 1, result: "created", _primary_term: 1 } });
    const b = await indexDoc(cluster, "i", "1", { a: 2 }, {});
    expect(b.body).toMatchObject({ _seq_no: 1, _version: 2, result: "updated" });
    await expectEsError(indexDoc(cluster, "i", "1", { a: 3 }, { opType: "create" }), "version_conflict_engine_exception", 409);
    const e = await expectEsError(
      indexDoc(cluster, "i", "1", { a: 3 }, { ifSeqNo: 0, ifPrimaryTerm: 1 }),
      "version_conflict_engine_exception",
      409,
    );
    expect(e.reason).toBe(
      "[1]: version conflict, required seqNo [0], primary term [1]. current document has seqNo [1] and primary term [1]",
    );
    const d = await deleteDoc(cluster, "i", "nope", {});
    expect(d).toMatchObject({ status: 404, body: { result: "not_found", _seq_no: 2, _version: 1 } });
    const del = await deleteDoc(cluster, "i", "1", {});
    expect(del.body).toMatchObject({ result: "deleted", _seq_no: 3, _version: 3 });
    const again = await indexDoc(cluster, "i", "1", { a: 4 }, {});
    expect(again.body).toMatchObject({ result: "created", _seq_no: 4, _version: 4 });
    const missing = await expectEsError(
      indexDoc(cluster, "i", "x", {}, { ifSeqNo: 1, ifPrimaryTerm: 1 }),
      "version_conflict_engine_exception",
    );
    expect(missing.reason).toBe("[x]: version conflict, required seqNo [1], primary term [1]. but no document was found");
    const shard = cluster.requireShard("i");
    expect([shard.maxSeqNo, shard.localCheckpoint, shard.globalCheckpoint]).toEqual([4, 4, 4]);
  });

  test("tombstones expire after index.gc_deletes and versions restart at 1", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "i", { settings: { "index.gc_deletes": "1s" } });
    await indexDoc(cluster, "i", "1", {}, {});
    await deleteDoc(cluster, "i", "1", {});
    now += 2000;
    const r = await indexDoc(cluster, "i", "1", {}, {});
    expect(r.body._version).toBe(1);
  });

  test("update: merge, noop, upsert, document_missing", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "i", {});
    await indexDoc(cluster, "i", "1", { a: { b: 1, c: 2 } }, {});
    const u = await updateDoc(cluster, "i", "1", { doc: { a: { b: 5 } } }, {});
    expect(u.body).toMatchObject({ result: "updated", _version: 2, _seq_no: 1 });
    expect(getDoc(cluster, "i", "1", {}).body._source).toEqual({ a: { b: 5, c: 2 } });
    const n = await updateDoc(cluster, "i", "1", { doc: { a: { b: 5 } } }, {});
    expect(n.body).toMatchObject({ result: "noop", _version: 2, _seq_no: 1, _shards: { total: 0, successful: 0, failed: 0 } });
    await expectEsError(updateDoc(cluster, "i", "2", { doc: { x: 1 } }, {}), "document_missing_exception", 404);
    const up = await updateDoc(cluster, "i", "2", { doc: { x: 1 }, doc_as_upsert: true }, {});
    expect(up).toMatchObject({ status: 201, body: { result: "created", _seq_no: 2 } });
  });
});

describe("blocks, closed indices, followers", () => {
  test("write block and read_only answer cluster_block_exception 403; closed → index_closed_exception", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "i", {});
    await addBlock(cluster, "i", "write", {});
    const e = await expectEsError(indexDoc(cluster, "i", "1", {}, {}), "cluster_block_exception", 403);
    expect(e.reason).toBe("index [i] blocked by: [FORBIDDEN/8/index write (api)];");
    await putSettings(cluster, "i", { "index.blocks.write": false }, {});
    await indexDoc(cluster, "i", "1", {}, {});
    await closeIndex(cluster, "i", {});
    await expectEsError(indexDoc(cluster, "i", "2", {}, {}), "index_closed_exception", 400);
    await expectEsError(() => search(cluster, "i", { body: {}, params: {} }, {}), "index_closed_exception", 400);
    await openIndex(cluster, "i", {});
    expect(cluster.requireShard("i").meta.primaryTerm).toBe(3);
  });

  test("follower flag refuses client writes but applies replicated ops with their numbers", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "f", {});
    await cluster.setIndexMetaInternal("f", { settings: { "index.xpack.ccr.following_index": "true" } });
    const e = await expectEsError(indexDoc(cluster, "f", "1", {}, {}), "status_exception", 403);
    expect(e.reason).toBe("a following engine does not accept operations without an assigned sequence number");
    const shard = cluster.requireShard("f");
    expect(shard.applyReplicated({ op: "index", id: "a", seqNo: 1, primaryTerm: 7, version: 3, source: { x: 1 } }, now)).toBe(true);
    expect(shard.localCheckpoint).toBe(-1);
    shard.applyReplicated({ op: "index", id: "b", seqNo: 0, primaryTerm: 7, version: 1, source: {} }, now);
    expect(shard.applyReplicated({ op: "index", id: "b", seqNo: 0, primaryTerm: 7, version: 1, source: {} }, now)).toBe(false);
    expect([shard.maxSeqNo, shard.localCheckpoint]).toEqual([1, 1]);
    expect(getDoc(cluster, "f", "a", {}).body).toMatchObject({ _version: 3, _seq_no: 1, _primary_term: 7 });
    await expectEsError(
      () => putSettings(cluster, "f", { "index.xpack.ccr.following_index": false }, {}),
      "illegal_argument_exception",
      400,
    );
  });
});

describe("history, leases, forcemerge", () => {
  test("forcemerge keeps what leases retain; reading merged history fails with requested_operations_missing", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "l", { settings: { "index.soft_deletes.retention_lease.period": "10s" } });
    for (let i = 0; i < 5; i++) await indexDoc(cluster, "l", "same", { i }, {});
    const shard = cluster.requireShard("l");
    shard.addRetentionLease("ccr-lease", 2, "ccr", now);
    await forceMerge(cluster, "l", {});
    expect(shard.readOperations(2, 4, 100, now).map((o) => o.seqNo)).toEqual([2, 3, 4]);
    const e = await expectEsError(() => shard.readOperations(0, 4, 100, now), "resource_not_found_exception", 404);
    expect(e.reason).toMatch(
      /^Operations are no longer available for replicating\. Existing retention leases \[RetentionLeases\{primaryTerm=1/,
    );
    expect(e.extra.requested_operations_missing).toEqual(["0", "4"]);
    now += 11_000;
    await forceMerge(cluster, "l", {});
    expect(shard.leases.leases).toEqual([]);
    expect(shard.history.map((o) => o.seqNo)).toEqual([4]); // the live version survives
    const stats = indicesStats(cluster, "l", undefined, { level: "shards" }) as any;
    expect(stats.indices.l.shards["0"][0].seq_no).toEqual({ max_seq_no: 4, local_checkpoint: 4, global_checkpoint: 4 });
    expect(stats.indices.l.shards["0"][0].retention_leases.leases[0].id).toMatch(/^peer_recovery\//);
  });

  test("lease add/renew/remove errors as ES", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "l", {});
    const s = cluster.requireShard("l");
    s.addRetentionLease("x", 0, "ccr", now);
    await expectEsError(() => s.addRetentionLease("x", 0, "ccr", now), "retention_lease_already_exists_exception");
    await expectEsError(() => s.renewRetentionLease("y", 0, "ccr", now), "retention_lease_not_found_exception", 404);
    s.removeRetentionLease("x");
    await expectEsError(() => s.removeRetentionLease("x"), "retention_lease_not_found_exception");
  });
});

describe("refresh and restart", () => {
  test("writes are searchable only after a refresh; refresh=true forces one", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "r", { settings: { "index.refresh_interval": "-1" } });
    await indexDoc(cluster, "r", "1", {}, {});
    expect((await count(cluster, "r", { body: {}, params: {} }, {})).count).toBe(0);
    expect(getDoc(cluster, "r", "1", {}).status).toBe(200); // realtime get
    const w = await indexDoc(cluster, "r", "2", {}, { refresh: "true" });
    expect(w.body.forced_refresh).toBe(true);
    expect((await count(cluster, "r", { body: {}, params: {} }, {})).count).toBe(2);
  });

  test("the periodic tick follows a changed refresh_interval and lease period at once (their parsed values are per settings object)", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "t", { settings: { "index.refresh_interval": "-1", "index.soft_deletes.retention_lease.period": "1h" } });
    const shard = cluster.requireShard("t");
    await indexDoc(cluster, "t", "1", {}, {});
    shard.addRetentionLease("ccr-lease", 0, "ccr", now);
    now += 5_000;
    cluster.tick();
    expect((await count(cluster, "t", { body: {}, params: {} }, {})).count).toBe(0);
    expect(shard.leases.leases.map((l) => l.id)).toContain("ccr-lease");
    await putSettings(cluster, "t", { "index.refresh_interval": "1s", "index.soft_deletes.retention_lease.period": "2s" }, {});
    cluster.tick();
    expect(shard.leases.leases.map((l) => l.id)).not.toContain("ccr-lease");
    await new Promise((r) => setTimeout(r, 50));
    expect((await count(cluster, "t", { body: {}, params: {} }, {})).count).toBe(1);
  });

  test("restart from storage restores docs, seq_nos, settings, closed state; primary term +1", async () => {
    const storage = new MemoryStorage();
    const { cluster } = await open(storage);
    await createIndex(cluster, "a", { settings: { number_of_replicas: 0 }, aliases: { al: {} } });
    await indexDoc(cluster, "a", "1", { v: 1 }, {});
    await deleteDoc(cluster, "a", "1", {});
    await indexDoc(cluster, "a", "2", { v: 2 }, {});
    await createIndex(cluster, "b", {});
    await closeIndex(cluster, "b", {});
    await putClusterSettings(cluster, { persistent: { "action.auto_create_index": "false" }, transient: { "search.max_buckets": 10 } }, {});
    await cluster.close();
    const { cluster: again } = await open(storage);
    const a = again.requireShard("a");
    expect([a.maxSeqNo, a.meta.primaryTerm, a.meta.settings["index.number_of_replicas"]]).toEqual([2, 2, "0"]);
    expect(getDoc(again, "al", "2", {}).body._source).toEqual({ v: 2 });
    expect(again.requireShard("b").isOpen).toBe(false);
    expect(again.persistent).toEqual({ "action.auto_create_index": "false" });
    expect(again.transient).toEqual({});
    expect((await count(again, "a", { body: {}, params: {} }, {})).count).toBe(1);
    const next = await indexDoc(again, "a", "3", {}, {});
    expect(next.body).toMatchObject({ _seq_no: 3, _primary_term: 2 });
  });
});

describe("cluster settings and index names", () => {
  test("unknown, static and null settings", async () => {
    const { cluster } = await open();
    await expectEsError(putClusterSettings(cluster, { persistent: { "foo.bar": 1 } }, {}), "illegal_argument_exception");
    const e = await expectEsError(putClusterSettings(cluster, { persistent: { "cluster.name": "x" } }, {}), "illegal_argument_exception");
    expect(e.reason).toBe("persistent setting [cluster.name], not dynamically updateable");
    const r = await putClusterSettings(cluster, { persistent: { action: { auto_create_index: false } } }, {});
    expect(r).toEqual({ acknowledged: true, persistent: { action: { auto_create_index: "false" } }, transient: {} });
    await putClusterSettings(cluster, { persistent: { "action.*": null } }, {});
    expect(cluster.persistent).toEqual({});
  });

  test("invalid index names use ES's reasons", async () => {
    const { cluster } = await open();
    const cases: Array<[string, string]> = [
      ["Abc", "must be lowercase"],
      ["_a", "must not start with '_', '-', or '+'"],
      ["a b", `must not contain the following characters [' ','"','*',',','/','<','>','?','\\','|']`],
      ["a#b", "must not contain '#'"],
      ["a:b", "must not contain ':'"],
      ["..", "must not be '.' or '..'"],
      ["x".repeat(256), "index name is too long, (256 > 255)"],
    ];
    for (const [name, why] of cases) {
      const e = await expectEsError(createIndex(cluster, name, {}), "invalid_index_name_exception", 400);
      expect(e.reason).toBe(`Invalid index name [${name}], ${why}`);
    }
  });
});

describe("metadata updates one at a time (MasterService's task queue)", () => {
  test("concurrent writes into a missing index share the one auto-created index", async () => {
    const { cluster, storage } = await open();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => indexDoc(cluster, "auto", String(i), { i }, {})));
    expect(replies.map((r) => r.status)).toEqual(Array<number>(20).fill(201));
    expect(replies.map((r) => r.body._seq_no as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(cluster.indexNames()).toEqual(["auto"]);
    const reopened = await open(storage);
    expect(reopened.cluster.requireShard("auto").docs.size).toBe(20);
  });

  test("concurrent PUT /{index}: one wins, the others resource_already_exists_exception", async () => {
    const { cluster } = await open();
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => createIndex(cluster, "twice", {})));
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    const uuid = cluster.requireShard("twice").uuid;
    for (const s of settled.filter((x): x is PromiseRejectedResult => x.status === "rejected")) {
      expect(s.reason).toBeInstanceOf(EsError);
      expect((s.reason as EsError).type).toBe("resource_already_exists_exception");
      expect((s.reason as EsError).reason).toBe(`index [twice/${uuid}] already exists`);
    }
  });

  test("a task that starts another runs it inline instead of waiting for itself", async () => {
    const { cluster } = await open();
    const order: string[] = [];
    const outer = cluster.updateMetadata(async () => {
      order.push("outer");
      await createIndex(cluster, "nested", {});
      order.push("outer done");
    });
    const after = cluster.updateMetadata(() => order.push("after"));
    await Promise.all([outer, after]);
    expect(order).toEqual(["outer", "outer done", "after"]);
    expect(cluster.indexNames()).toEqual(["nested"]);
  });
});

describe("index expressions", () => {
  // Cluster.resolve looks an existing index's name up instead of walking every index: the answers
  // must be those of the general resolver for every option that applies to a named index.
  test("a named index resolves as the general resolver does, open or closed, hidden, among aliases and wildcards", async () => {
    const { cluster } = await open();
    await createIndex(cluster, "logs-1", { aliases: { logs: {} } });
    await createIndex(cluster, "logs-2", {});
    await createIndex(cluster, "hidden-1", { settings: { "index.hidden": true } });
    await closeIndex(cluster, "logs-2", {});
    expect(cluster.resolve("logs-1")).toEqual(["logs-1"]);
    expect(cluster.resolve("hidden-1")).toEqual(["hidden-1"]);
    expect(cluster.resolve("logs-2")).toEqual(["logs-2"]);
    expect(cluster.resolve("logs-2", { expandWildcards: ["open"] })).toEqual(["logs-2"]);
    await expectEsError(() => cluster.resolve("logs-2", { forbidClosed: true }), "index_closed_exception", 400);
    expect(cluster.resolve("logs-2", { forbidClosed: true, ignoreUnavailable: true })).toEqual([]);
    await expectEsError(
      () => cluster.resolve("logs-2", { forbidClosed: true, ignoreUnavailable: true, allowNoIndices: false }),
      "index_not_found_exception",
      404,
    );
    // what still takes the general path: aliases, lists, wildcards, missing names
    expect(cluster.resolve("logs")).toEqual(["logs-1"]);
    expect(cluster.resolve("logs-2,logs-1")).toEqual(["logs-2", "logs-1"]);
    expect(cluster.resolve("logs-*", { expandWildcards: ["open", "closed"] })).toEqual(["logs-1", "logs-2"]);
    await expectEsError(() => cluster.resolve("nope"), "index_not_found_exception", 404);
  });
});
