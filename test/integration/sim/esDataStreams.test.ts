/**
 * The typed calls of es/dataStreams.ts through the official client against a spawned es-sim:
 * absent is `undefined`, "already done" is done, a missing stream to promote is an error that
 * names it, and rollover/promote answer what the server did.
 */
import { connect, type Es } from "../../../es/connection";
import {
  indicesCreateDataStream,
  indicesDeleteDataStream,
  indicesDeleteIndexTemplate,
  indicesGetDataStream,
  indicesGetIndexTemplate,
  indicesPromoteDataStream,
  indicesPutIndexTemplate,
  indicesRollover,
} from "../../../es/dataStreams";
import { spawnSim, type SpawnedSim } from "../../helpers/sim";

let sim: SpawnedSim;
let es: Es;

beforeAll(async () => {
  sim = await spawnSim({ clusterName: "es-calls" });
  es = connect({ name: "clusterA", endpoints: [sim.url] }, { maxRetries: 0 });
});
afterAll(async () => {
  await es?.client.close();
  await sim?.cleanup();
});

test("templates: absent is undefined, put then get, delete twice is done then already done", async () => {
  expect(await indicesGetIndexTemplate(es, "logs")).toBeUndefined();
  await indicesPutIndexTemplate(es, "logs", { index_patterns: ["logs-*"], data_stream: {}, priority: 10 });
  expect(await indicesGetIndexTemplate(es, "logs")).toEqual({
    index_patterns: ["logs-*"],
    priority: 10,
    data_stream: { hidden: false, allow_custom_routing: false },
  });
  await indicesPutIndexTemplate(es, "other", { index_patterns: ["other-*"] });
  expect(await indicesDeleteIndexTemplate(es, "other")).toBe("done");
  expect(await indicesDeleteIndexTemplate(es, "other")).toBe("already-done");
});

test("data streams: create (twice), get, rollover, promote, delete (twice); promoting a missing stream names it", async () => {
  expect(await indicesGetDataStream(es, "logs-a")).toBeUndefined();
  expect(await indicesCreateDataStream(es, "logs-a")).toBe("done");
  expect(await indicesCreateDataStream(es, "logs-a")).toBe("already-done");
  const ds = await indicesGetDataStream(es, "logs-a");
  expect(ds).toMatchObject({ name: "logs-a", generation: 1, replicated: false, template: "logs" });
  expect(ds!.indices).toHaveLength(1);
  const r = await indicesRollover(es, "logs-a");
  expect(r).toMatchObject({ oldIndex: ds!.indices[0], rolledOver: true });
  expect(r.newIndex).toMatch(/^\.ds-logs-a-\d{4}\.\d{2}\.\d{2}-000002$/);
  expect(await indicesPromoteDataStream(es, "logs-a")).toBe("done");
  await expect(indicesPromoteDataStream(es, "logs-nope")).rejects.toMatchObject({
    condition: "data_stream_missing",
    operation: "indices.promote_data_stream",
    cluster: "clusterA",
  });
  expect(await indicesDeleteDataStream(es, "logs-a")).toBe("done");
  expect(await indicesDeleteDataStream(es, "logs-a")).toBe("already-done");
});
