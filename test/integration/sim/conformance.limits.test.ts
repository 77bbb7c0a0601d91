/**
 * Conformance of ES's protective limits: the `index.mapping.*.limit` settings (explicit mappings
 * and dynamic mapping), the JSON parser's nesting depth, `indices.query.max_nested_depth`, deep
 * `q=` groups, invalid UTF-8 in bodies, and the `in_flight_requests` circuit breaker. Every case
 * holds against es-sim and, with `ES_URL`, a real Elasticsearch 8.x (test/helpers/conformance.ts);
 * `simOnly` cases check answers where ES's own behaviour is a JVM artefact or needs a node setting.
 */
import { connect } from "node:net";
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";
import { http, spawnSim } from "../../helpers/sim";

const { name, req, base } = conformanceTarget("conformance-limits");

/** A document (or mapping `properties`) with `n` fields made by `make`. */
function fields<T>(n: number, make: (i: number) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (let i = 0; i < n; i++) out[`f${i}`] = make(i);
  return out;
}

/** A document `{o1: {o2: … {o<depth>: leaf}}}`. */
function chain(depth: number, leaf: unknown): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = depth; i >= 1; i--) v = { [`o${i}`]: v };
  return v as Record<string, unknown>;
}
const objectPath = (depth: number) => Array.from({ length: depth }, (_, i) => `o${i + 1}`).join(".");

/** The innermost `caused_by` of an error body. */
function innermost(error: any): any {
  let e = error;
  while (e.caused_by) e = e.caused_by;
  return e;
}

/** Raw bytes as a request body (the helper's `http` would JSON-encode a Buffer). */
async function rawRequest(method: string, path: string, body: Buffer): Promise<{ status: number; body: any }> {
  const res = await fetch(base() + path, { method, headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

describe("index.mapping.total_fields.limit", () => {
  test("dynamic mapping refuses the document at the first new field beyond the limit; nothing is mapped", async () => {
    const i = name("total-dyn");
    await req("PUT", `/${i}`);
    const r = await req(
      "PUT",
      `/${i}/_doc/1`,
      fields(1001, (n) => n),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("document_parsing_exception");
    expect(r.body.error.reason).toMatch(
      /^\[1:\d+\] failed to parse: Limit of total fields \[1000\] has been exceeded while adding new fields \[1001\]$/,
    );
    expect(r.body.error.caused_by).toMatchObject({
      type: "illegal_argument_exception",
      reason: "Limit of total fields [1000] has been exceeded while adding new fields [1001]",
    });
    const m = await req("GET", `/${i}/_mapping`);
    expect(m.body[i].mappings.properties).toBeUndefined();
    expect((await req("GET", `/${i}/_doc/1`)).status).toBe(404);
  });

  test("existing fields count: a lower limit set on the index applies to the next document", async () => {
    const i = name("total-existing");
    await req("PUT", `/${i}`, { settings: { "index.mapping.total_fields.limit": 3 }, mappings: { properties: { a: { type: "long" } } } });
    expect((await req("PUT", `/${i}/_doc/1`, { b: 1, c: 2 })).status).toBe(201);
    const r = await req("PUT", `/${i}/_doc/2`, { d: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.caused_by.reason).toBe("Limit of total fields [3] has been exceeded while adding new fields [1]");
  });

  simOnly("a 10,000-field document is refused quickly and the server stays responsive", async () => {
    const i = name("total-10k");
    let done = false;
    let maxGap = 0;
    let last = Date.now();
    const poll = (async () => {
      while (!done) {
        await req("GET", "/_cluster/health");
        const now = Date.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const t0 = Date.now();
    const r = await req(
      "PUT",
      `/${i}/_doc/1`,
      fields(10_000, (n) => `v${n}`),
    );
    const took = Date.now() - t0;
    done = true;
    await poll;
    expect(r.status).toBe(400);
    expect(r.body.error.caused_by.reason).toMatch(/^Limit of total fields \[1000\] has been exceeded while adding new fields \[\d+\]$/);
    expect(took).toBeLessThan(3000);
    expect(maxGap).toBeLessThan(2000);
  });

  test("explicit mappings: objects and multi-fields count, metadata fields do not", async () => {
    const over = await req("PUT", `/${name("total-explicit")}`, {
      settings: { "index.mapping.total_fields.limit": 3 },
      mappings: {
        _routing: { required: false },
        properties: { t: { type: "text", fields: { kw: { type: "keyword" } } }, o: { properties: { x: { type: "long" } } } },
      },
    });
    expectError(over, 400, "illegal_argument_exception", "Limit of total fields [3] has been exceeded");
    const fits = await req("PUT", `/${name("total-fits")}`, {
      settings: { "index.mapping.total_fields.limit": 4 },
      mappings: { properties: { t: { type: "text", fields: { kw: { type: "keyword" } } }, o: { properties: { x: { type: "long" } } } } },
    });
    expect(fits.status).toBe(200);
  });

  test("PUT _mapping beyond the limit is refused and leaves the mapping as it was", async () => {
    const i = name("total-put");
    await req("PUT", `/${i}`, { settings: { "index.mapping.total_fields.limit": 2 }, mappings: { properties: { a: { type: "long" } } } });
    const r = await req("PUT", `/${i}/_mapping`, { properties: { b: { type: "long" }, c: { type: "long" } } });
    expectError(r, 400, "illegal_argument_exception", "Limit of total fields [2] has been exceeded");
    expect(Object.keys((await req("GET", `/${i}/_mapping`)).body[i].mappings.properties)).toEqual(["a"]);
  });

  test("ignore_dynamic_beyond_limit maps the fields up to the limit and keeps the document", async () => {
    const i = name("total-ignore");
    await req("PUT", `/${i}`, {
      settings: { "index.mapping.total_fields.limit": 2, "index.mapping.total_fields.ignore_dynamic_beyond_limit": true },
    });
    const r = await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1, b: 2, c: 3 });
    expect(r.status).toBe(201);
    expect(Object.keys((await req("GET", `/${i}/_mapping`)).body[i].mappings.properties)).toEqual(["a", "b"]);
    expect((await req("GET", `/${i}/_doc/1`)).body._source).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe("index.mapping.depth.limit", () => {
  test("explicit mapping: 19 nested objects fit, the 20th object is beyond level 20", async () => {
    const ok = await req("PUT", `/${name("depth-ok")}`, { mappings: { properties: mappingChain(19) } });
    expect(ok.status).toBe(200);
    const r = await req("PUT", `/${name("depth-over")}`, { mappings: { properties: mappingChain(20) } });
    expectError(
      r,
      400,
      "illegal_argument_exception",
      `Limit of mapping depth [20] has been exceeded due to object field [${objectPath(20)}]`,
    );
  });

  test("dynamic mapping: an object 26 levels deep is refused at the first object beyond the limit", async () => {
    const i = name("depth-dyn");
    await req("PUT", `/${i}`);
    const r = await req("PUT", `/${i}/_doc/1`, chain(26, { x: 1 }));
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("document_parsing_exception");
    expect(r.body.error.reason).toMatch(
      /^\[1:\d+\] failed to parse: Limit of mapping depth \[20\] has been exceeded due to object field \[/,
    );
    expect(r.body.error.caused_by).toMatchObject({
      type: "illegal_argument_exception",
      reason: `Limit of mapping depth [20] has been exceeded due to object field [${objectPath(20)}]`,
    });
    expect((await req("PUT", `/${i}/_doc/2`, chain(19, { x: 1 }))).status).toBe(201);
  });

  test("a lower limit from the index settings", async () => {
    const r = await req("PUT", `/${name("depth-1")}`, {
      settings: { "index.mapping.depth.limit": 1 },
      mappings: { properties: { a: { properties: { b: { type: "keyword" } } } } },
    });
    expectError(r, 400, "illegal_argument_exception", "Limit of mapping depth [1] has been exceeded due to object field [a]");
  });
});

/** Mapping `properties` with objects o1 … o<depth> nested, a long field in the innermost. */
function mappingChain(depth: number): Record<string, unknown> {
  let props: Record<string, unknown> = { x: { type: "long" } };
  for (let i = depth; i >= 1; i--) props = { [`o${i}`]: { properties: props } };
  return props;
}

describe("index.mapping.nested_fields.limit and field_name_length.limit", () => {
  test("nested fields beyond the limit", async () => {
    const r = await req("PUT", `/${name("nested")}`, {
      settings: { "index.mapping.nested_fields.limit": 1 },
      mappings: { properties: { n1: { type: "nested" }, n2: { type: "nested" } } },
    });
    expectError(r, 400, "illegal_argument_exception", "Limit of nested fields [1] has been exceeded");
  });

  test("a field name longer than the limit, explicit and dynamic", async () => {
    const r = await req("PUT", `/${name("name-len")}`, {
      settings: { "index.mapping.field_name_length.limit": 5 },
      mappings: { properties: { abcdef: { type: "keyword" } } },
    });
    expectError(r, 400, "illegal_argument_exception", "Field name [abcdef] is longer than the limit of [5] characters");
    const i = name("name-len-dyn");
    await req("PUT", `/${i}`, { settings: { "index.mapping.field_name_length.limit": 5 } });
    const d = await req("PUT", `/${i}/_doc/1`, { abcdefg: 1 });
    expect(d.status).toBe(400);
    expect(JSON.stringify(d.body.error)).toContain("Field name [abcdefg] is longer than the limit of [5] characters");
  });
});

describe("nesting limits of bodies and queries", () => {
  test("a body nested 999 levels is parsed; a 100,000-level one is a 400, not a crash", async () => {
    const i = name("json-depth");
    const ok = await req("PUT", `/${i}/_doc/1`, `{"a":${"[".repeat(998)}1${"]".repeat(998)}}`);
    expect(ok.status).toBe(201);
    const deep = await req("PUT", `/${i}/_doc/2`, `{"a":${"[".repeat(100_000)}1${"]".repeat(100_000)}}`);
    expect(deep.status).toBe(400);
  });

  simOnly("JSON nesting beyond 1000 levels: Jackson's StreamReadConstraints message", async () => {
    const r = await req("POST", "/_search", `{"query":${"[".repeat(1000)}]}`);
    expectError(
      r,
      400,
      "x_content_parse_exception",
      "[1:1009] Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)",
    );
  });

  test("bool queries nested 30 deep run; one more level is refused with indices.query.max_nested_depth", async () => {
    const i = name("bool-depth");
    await req("PUT", `/${i}/_doc/1?refresh=true`, { f: 1 });
    const nest = (depth: number) => {
      let q: unknown = { match_all: {} };
      for (let d = 1; d < depth; d++) q = { bool: { must: [q] } };
      return q;
    };
    const ok = await req("POST", `/${i}/_search`, { query: nest(30) });
    expect(ok.status).toBe(200);
    expect(ok.body.hits.total.value).toBe(1);
    for (const depth of [31, 300]) {
      const r = await req("POST", `/${i}/_search`, { query: nest(depth) });
      expect(r.status).toBe(400);
      expect(r.body.error.type).toBe("x_content_parse_exception");
      expect(r.body.error.reason).toMatch(/^\[1:\d+\] \[bool\] failed to parse field \[must\]$/);
      expect(innermost(r.body.error)).toMatchObject({
        type: "illegal_argument_exception",
        reason: "The nested depth of the query exceeds the maximum nested depth for queries set in [indices.query.max_nested_depth]",
      });
    }
  });

  simOnly("a bool query nested 1000 deep is stopped by the JSON nesting limit first (3 levels per bool)", async () => {
    let q: unknown = { match_all: {} };
    for (let d = 1; d < 1000; d++) q = { bool: { must: [q] } };
    const r = await req("POST", "/_search", { query: q });
    expect(r.status).toBe(400);
    expect(r.body.error.reason).toMatch(/Document nesting depth \(1001\) exceeds the maximum allowed \(1000/);
  });

  test("q= with 100 nested groups runs", async () => {
    const i = name("q-groups");
    await req("PUT", `/${i}/_doc/1?refresh=true`, { f: "x" });
    const r = await req("GET", `/${i}/_search?q=${encodeURIComponent(`${"(".repeat(100)}f:x${")".repeat(100)}`)}`);
    expect(r.status).toBe(200);
    expect(r.body.hits.total.value).toBe(1);
  });

  simOnly("q= with 5,000 nested groups is a query parse error (es-sim's limit of 1000 groups)", async () => {
    const i = name("q-deep");
    await req("PUT", `/${i}/_doc/1?refresh=true`, { f: "x" });
    const r = await req("GET", `/${i}/_search?q=${encodeURIComponent(`${"(".repeat(5000)}f:x${")".repeat(5000)}`)}`);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain("more than 1000 nested groups");
    expect(JSON.stringify(r.body)).not.toContain("Maximum call stack");
  });
});

describe("invalid UTF-8 in a body", () => {
  test("a bad start byte in a search body is the JSON parser's error", async () => {
    const r = await rawRequest("POST", "/_search", Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from('":1}')]));
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("x_content_parse_exception");
    expect(r.body.error.reason).toMatch(/^\[1:\d+\] Invalid UTF-8 start byte 0xff/);
  });

  test("a bad middle byte in a document fails the document; nothing is stored", async () => {
    const i = name("utf8-doc");
    await req("PUT", `/${i}`);
    const r = await rawRequest(
      "PUT",
      `/${i}/_doc/1`,
      Buffer.concat([Buffer.from('{"f":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    );
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("document_parsing_exception");
    expect(r.body.error.reason).toMatch(/Invalid UTF-8 middle byte 0x28/);
    expect((await req("GET", `/${i}/_doc/1`)).status).toBe(404);
  });
});

describe("in_flight_requests circuit breaker", () => {
  /** Opens a connection and sends the head of a request declaring `length` bytes plus `sent` of them. */
  function partialUpload(url: string, length: number, sent: number) {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    let response = "";
    socket.on("data", (d) => (response += d.toString("utf8")));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(`PUT /lim/_doc/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
    socket.write(Buffer.alloc(sent, 0x20));
    return { socket, closed, response: () => response };
  }

  simOnly("bodies being received count across connections; the one that trips gets 429 and is dropped", async () => {
    const sim = await spawnSim({ clusterName: "inflight", settings: { "network.breaker.inflight_requests.limit": "1mb" } });
    try {
      const a = partialUpload(sim.url, 600_000, 300_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const b = partialUpload(sim.url, 600_000, 300_000);
      await b.closed;
      const [head, body] = b.response().split("\r\n\r\n");
      expect(head).toMatch(/^HTTP\/1\.1 429 /);
      const err = JSON.parse(body!);
      expect(err.status).toBe(429);
      expect(err.error.type).toBe("circuit_breaking_exception");
      expect(err.error.reason).toMatch(
        /^\[in_flight_requests\] Data too large, data for \[<http_request>\] would be \[\d+\/[\d.]+(kb|mb)\], which is larger than the limit of \[1048576\/1mb\]$/,
      );
      expect(err.error).toMatchObject({ bytes_limit: 1048576, durability: "TRANSIENT" });
      expect(err.error.bytes_wanted).toBeGreaterThan(1048576);
      expect(err.error.root_cause[0].type).toBe("circuit_breaking_exception");
      // the first upload still holds its bytes: a third body over the rest trips too
      const c = await http(sim.url, "PUT", "/lim/_doc/2", { pad: "x".repeat(300_000) });
      expect(c.status).toBe(429);
      // once it is abandoned its bytes are released
      a.socket.destroy();
      await a.closed;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const d = await http(sim.url, "PUT", "/lim/_doc/2", { pad: "x".repeat(300_000) });
      expect(d.status).toBe(201);
      const stats = await http(sim.url, "GET", "/_nodes/stats/breaker");
      const inFlight = (Object.values(stats.body.nodes)[0] as any).breakers.in_flight_requests;
      expect(inFlight).toMatchObject({ limit_size_in_bytes: 1048576, overhead: 2, tripped: 2, estimated_size_in_bytes: 0 });
    } finally {
      await sim.cleanup();
    }
  });
});
