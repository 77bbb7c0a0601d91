/**
 * HTTP edge cases against a spawned es-sim with a small `http.max_content_length`: oversize bodies
 * (413), `pretty`, `filter_path`, HEAD, raw sockets with garbage — and the process stays up.
 */
import { connect } from "node:net";
import { http, spawnSim, type SpawnedSim } from "../../helpers/sim";

let sim: SpawnedSim;
beforeAll(async () => {
  sim = await spawnSim({ settings: { "http.max_content_length": "1kb" } });
});
afterAll(async () => {
  await sim?.cleanup();
});

test("a body over http.max_content_length is refused with 413", async () => {
  const r = await http(sim.url, "PUT", "/big/_doc/1", { pad: "x".repeat(2000) });
  expect(r.status).toBe(413);
  expect(r.headers.get("x-elastic-product")).toBe("Elasticsearch");
  expect((await http(sim.url, "GET", "/")).status).toBe(200);
});

test("pretty and filter_path", async () => {
  const p = await http(sim.url, "GET", "/?pretty");
  expect(p.text).toMatch(/^\{\n {2}"name"/);
  const f = await http(sim.url, "GET", "/?filter_path=version.number,cluster_name");
  expect(Object.keys(f.body).sort()).toEqual(["cluster_name", "version"]);
  expect(Object.keys(f.body.version)).toEqual(["number"]);
  const ex = await http(sim.url, "GET", "/?filter_path=-version");
  expect(ex.body.version).toBeUndefined();
  expect(ex.body.tagline).toBe("You Know, for Search");
});

test("HEAD answers status without a body; a body on a body-less API is refused", async () => {
  const h = await http(sim.url, "HEAD", "/");
  expect(h.status).toBe(200);
  expect(h.text).toBe("");
  expect((await http(sim.url, "HEAD", "/nothing-here")).status).toBe(404);
  const r = await http(sim.url, "POST", "/x/_close", { a: 1 });
  expect(r.status).toBe(400);
  expect(r.body.error.type).toBe("illegal_argument_exception");
});

test("garbage on the socket does not take the process down", async () => {
  await new Promise<void>((resolve) => {
    const port = Number(new URL(sim.url).port);
    const s = connect(port, "127.0.0.1", () => s.end("NOT HTTP AT ALL\r\n\r\n"));
    s.on("data", () => undefined);
    s.on("close", () => resolve());
    s.on("error", () => resolve());
  });
  const weird = await http(sim.url, "GET", "/%E0%A4%A");
  expect(weird.status).toBe(400);
  expect((await http(sim.url, "GET", "/")).status).toBe(200);
});
