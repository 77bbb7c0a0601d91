/**
 * The official `@elastic/elasticsearch` 8.x client, unmodified, against a spawned es-sim:
 * product check, vendored media types, typed responses (cluster state and nodes info included),
 * helpers.bulk, and ResponseError shapes.
 */
import { Client, errors } from "@elastic/elasticsearch";
import { spawnSim, type SpawnedSim } from "../../helpers/sim";

let sim: SpawnedSim;
let client: Client;

beforeAll(async () => {
  sim = await spawnSim({ clusterName: "client-test", nodeName: "node-1" });
  client = new Client({ node: sim.url });
});
afterAll(async () => {
  await client?.close();
  await sim?.cleanup();
});

test("info and cluster APIs", async () => {
  const info = await client.info();
  expect(info).toMatchObject({ name: "node-1", cluster_name: "client-test", tagline: "You Know, for Search" });
  const health = await client.cluster.health();
  expect(health.status).toBe("green");
  const put = await client.cluster.putSettings({ persistent: { "action.auto_create_index": "true" } });
  expect(put.acknowledged).toBe(true);
  const got = await client.cluster.getSettings({ flat_settings: true });
  expect(got.persistent).toEqual({ "action.auto_create_index": "true" });
  await client.cluster.putSettings({ persistent: { "action.auto_create_index": null } });
});

test("cluster.state and nodes.info find the node's transport address, as remote-cluster setup does", async () => {
  const state = await client.cluster.state({ metric: ["master_node"] });
  const master = state.master_node as string;
  const nodes = await client.nodes.info({ node_id: "_master", metric: ["transport"] });
  expect(Object.keys(nodes.nodes)).toEqual([master]);
  expect(nodes.nodes[master]!.transport_address).toBe(sim.transportAddress);
  const stats = await client.nodes.stats({ node_id: master, metric: ["jvm"] });
  expect(stats.nodes[master]!.jvm!.mem!.heap_used_in_bytes).toEqual(expect.any(Number));
});

test("indices.* lifecycle", async () => {
  expect(await client.indices.exists({ index: "books" })).toBe(false);
  const created = await client.indices.create({
    index: "books",
    settings: { number_of_replicas: 0 },
    mappings: { properties: { title: { type: "text" } } },
  });
  expect(created).toEqual({ acknowledged: true, shards_acknowledged: true, index: "books" });
  expect(await client.indices.exists({ index: "books" })).toBe(true);
  const settings = await client.indices.getSettings({ index: "books" });
  expect(settings.books!.settings!.index!.number_of_replicas).toBe("0");
  await client.indices.putSettings({ index: "books", settings: { refresh_interval: "500ms" } });
  const mapping = await client.indices.getMapping({ index: "books" });
  expect(mapping.books!.mappings.properties!.title).toEqual({ type: "text" });
  await client.indices.close({ index: "books" });
  await client.indices.open({ index: "books" });
  const stats = await client.indices.stats({ index: "books", level: "shards" });
  expect(stats.indices!.books!.shards!["0"]![0]!.seq_no).toEqual({ max_seq_no: -1, local_checkpoint: -1, global_checkpoint: -1 });
  const cat = await client.cat.indices({ index: "books", format: "json" });
  expect(cat[0]).toMatchObject({ index: "books", health: "green", status: "open" });
});

test("documents, bulk, helpers.bulk, search and count", async () => {
  const r = await client.index({ index: "docs", id: "1", document: { user: "kimchy", n: 1 }, refresh: true });
  expect(r).toMatchObject({ _index: "docs", _id: "1", result: "created", _seq_no: 0, _primary_term: 1 });
  const g = await client.get({ index: "docs", id: "1" });
  expect(g._source).toEqual({ user: "kimchy", n: 1 });
  const b = await client.bulk({
    refresh: true,
    operations: [
      { index: { _index: "docs", _id: "2" } },
      { user: "alice", n: 2 },
      { create: { _index: "docs", _id: "1" } },
      { user: "dup" },
    ],
  });
  expect(b.errors).toBe(true);
  expect(b.items[1]!.create!.status).toBe(409);
  const result = await client.helpers.bulk({
    datasource: Array.from({ length: 500 }, (_, n) => ({ user: `bulk${n}`, n: n + 10 })),
    onDocument: () => ({ index: { _index: "docs" } }),
    refreshOnCompletion: "docs",
  });
  expect(result).toMatchObject({ total: 500, successful: 500, failed: 0 });
  const s = await client.search({ index: "docs", q: "user:kimchy" });
  expect(s.hits.hits.map((h) => h._id)).toEqual(["1"]);
  const dsl = await client.search({ index: "docs", query: { range: { n: { gte: 10, lt: 15 } } }, size: 100 });
  expect(dsl.hits.total).toEqual({ value: 5, relation: "eq" });
  const c = await client.count({ index: "docs" });
  expect(c.count).toBe(502);
  const u = await client.update({ index: "docs", id: "1", doc: { n: 100 } });
  expect(u.result).toBe("updated");
  const d = await client.delete({ index: "docs", id: "1" });
  expect(d.result).toBe("deleted");
});

test("errors surface as ResponseError with ES's body and status", async () => {
  const err = await client.indices.get({ index: "no-such-index" }).catch((e) => e);
  expect(err).toBeInstanceOf(errors.ResponseError);
  expect(err.meta.statusCode).toBe(404);
  expect(err.body.error.type).toBe("index_not_found_exception");
  expect(err.message).toContain("index_not_found_exception");
  const conflict = await client.create({ index: "docs", id: "2", document: {} }).catch((e) => e);
  expect(conflict.meta.statusCode).toBe(409);
  expect(conflict.body.error.type).toBe("version_conflict_engine_exception");
});
