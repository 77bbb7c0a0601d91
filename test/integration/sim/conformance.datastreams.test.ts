/**
 * Conformance of composable index templates and data streams (time-based data): the template
 * APIs and their validation errors, templates applied at index creation, data streams created by
 * the first matching write, append-only writes, rollover, the write-index guards, stats, delete.
 * Every case runs against es-sim or, with `ES_URL`, a real Elasticsearch 8.x
 * (test/helpers/conformance.ts); templates and streams are named `conf-<run>-…` and removed at the end.
 */
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";

const { name, req, bulk } = conformanceTarget("conformance-datastreams");

/** A backing index name of `stream`: `.ds-<stream>-<yyyy.MM.dd>-<generation>`. */
const backing = (stream: string, generation: number) =>
  new RegExp(`^\\.ds-${stream}-\\d{4}\\.\\d{2}\\.\\d{2}-${String(generation).padStart(6, "0")}$`);

afterAll(async () => {
  await req("DELETE", `/_data_stream/${name("*")}?expand_wildcards=all`).catch(() => undefined);
  await req("DELETE", `/_index_template/${name("*")}`).catch(() => undefined);
});

describe("composable index templates", () => {
  test("PUT, GET (settings nested, index.-prefixed, as strings), HEAD, DELETE; missing ones are 404", async () => {
    const t = name("tpl-crud");
    const put = await req("PUT", `/_index_template/${t}`, {
      index_patterns: [name("crud-*")],
      priority: 7,
      version: 3,
      _meta: { owner: "ccr-dr" },
      template: {
        settings: { number_of_shards: 1 },
        mappings: { properties: { a: { type: "keyword" } } },
        aliases: { [name("crud-alias")]: {} },
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ acknowledged: true });
    const got = await req("GET", `/_index_template/${t}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      index_templates: [
        {
          name: t,
          index_template: {
            index_patterns: [name("crud-*")],
            template: {
              settings: { index: { number_of_shards: "1" } },
              mappings: { properties: { a: { type: "keyword" } } },
              aliases: { [name("crud-alias")]: {} },
            },
            composed_of: [],
            priority: 7,
            version: 3,
            _meta: { owner: "ccr-dr" },
          },
        },
      ],
    });
    expect((await req("HEAD", `/_index_template/${t}`)).status).toBe(200);
    const wild = await req("GET", `/_index_template/${name("tpl-crud*")}`);
    expect(wild.body.index_templates.map((x: any) => x.name)).toEqual([t]);
    expect((await req("DELETE", `/_index_template/${t}`)).body).toEqual({ acknowledged: true });
    expect((await req("HEAD", `/_index_template/${t}`)).status).toBe(404);
    expectError(await req("GET", `/_index_template/${t}`), 404, "resource_not_found_exception", `index template matching [${t}] not found`);
    expectError(await req("DELETE", `/_index_template/${t}`), 404, "index_template_missing_exception", `index_template [${t}] missing`);
  });

  test("overlapping patterns with the same priority are refused with ES's message; another priority is fine", async () => {
    const a = name("tpl-ov-a");
    const b = name("tpl-ov-b");
    expect((await req("PUT", `/_index_template/${a}`, { index_patterns: [name("ov-*")], priority: 5 })).status).toBe(200);
    const r = await req("PUT", `/_index_template/${b}`, { index_patterns: [name("ov-x*"), name("other")], priority: 5 });
    expectError(
      r,
      400,
      "illegal_argument_exception",
      `index template [${b}] has index patterns [${name("ov-x*")}, ${name("other")}] matching patterns from existing templates [${a}] ` +
        `with patterns (${a} => [${name("ov-*")}]) that have the same priority [5], multiple index templates may not match during ` +
        "index creation, please use a different priority",
    );
    expect((await req("HEAD", `/_index_template/${b}`)).status).toBe(404);
    expect((await req("PUT", `/_index_template/${b}`, { index_patterns: [name("ov-x*")], priority: 6 })).status).toBe(200);
    // create=true refuses to replace
    const again = await req("PUT", `/_index_template/${b}?create=true`, { index_patterns: [name("ov-x*")], priority: 6 });
    expectError(again, 400, "illegal_argument_exception", `index template [${b}] already exists`);
    await req("DELETE", `/_index_template/${a},${b}`);
  });

  test("bad bodies: unknown field, missing index_patterns, unknown setting, component templates that do not exist", async () => {
    const t = name("tpl-bad");
    expectError(
      await req("PUT", `/_index_template/${t}`, { index_patterns: [name("bad-*")], foo: 1 }),
      400,
      "x_content_parse_exception",
      /^\[1:\d+\] \[index_template\] unknown field \[foo\]$/,
    );
    expectError(await req("PUT", `/_index_template/${t}`, { priority: 1 }), 400, "illegal_argument_exception", "Required [index_patterns]");
    const unknown = await req("PUT", `/_index_template/${t}`, {
      index_patterns: [name("bad-*")],
      template: { settings: { "index.nope": 1 } },
    });
    expectError(
      unknown,
      400,
      "invalid_index_template_exception",
      new RegExp(`^index_template \\[${t}\\] invalid, cause \\[Validation Failed: 1: unknown setting \\[index\\.nope\\]`),
    );
    expectError(
      await req("PUT", `/_index_template/${t}`, { index_patterns: [name("bad-*")], composed_of: [name("nope")] }),
      400,
      "invalid_index_template_exception",
      `index template [${t}] specifies component templates [${name("nope")}] that do not exist`,
    );
    expect((await req("HEAD", `/_index_template/${t}`)).status).toBe(404);
  });

  test("applied at PUT /{index} (the body wins) and at auto-creation", async () => {
    const t = name("tpl-apply");
    await req("PUT", `/_index_template/${t}`, {
      index_patterns: [name("apply-*")],
      template: {
        settings: { number_of_replicas: 0, refresh_interval: "5s" },
        mappings: { properties: { a: { type: "keyword" } } },
        aliases: { [name("apply-alias")]: {} },
      },
    });
    const i = name("apply-1");
    await req("PUT", `/${i}`, { settings: { refresh_interval: "2s" }, mappings: { properties: { b: { type: "long" } } } });
    const got = (await req("GET", `/${i}`)).body[i];
    expect(got.settings.index.number_of_replicas).toBe("0");
    expect(got.settings.index.refresh_interval).toBe("2s");
    expect(got.mappings.properties).toEqual({ a: { type: "keyword" }, b: { type: "long" } });
    expect(got.aliases).toEqual({ [name("apply-alias")]: {} });
    const auto = name("apply-auto");
    expect((await req("PUT", `/${auto}/_doc/1`, { a: "x" })).status).toBe(201);
    const autoGot = (await req("GET", `/${auto}`)).body[auto];
    expect(autoGot.settings.index.refresh_interval).toBe("5s");
    expect(autoGot.mappings.properties.a).toEqual({ type: "keyword" });
    await req("DELETE", `/${i},${auto}`);
    await req("DELETE", `/_index_template/${t}`);
  });
});

simOnly("template simulation and component templates answer an explicit 'not supported', not a template named _simulate", async () => {
  for (const [method, path] of [
    ["POST", `/_index_template/_simulate_index/${name("x")}`],
    ["POST", "/_index_template/_simulate"],
    ["PUT", `/_component_template/${name("c")}`],
  ] as const) {
    expectError(await req(method, path, { template: {} }), 400, "illegal_argument_exception", /^es-sim does not support the \[/);
  }
});

describe("data streams", () => {
  const t = name("tpl-ds");
  const ds = name("ds-app");
  beforeAll(async () => {
    const r = await req("PUT", `/_index_template/${t}`, {
      index_patterns: [name("ds-*")],
      data_stream: {},
      priority: 200,
      template: { settings: { number_of_replicas: 0 }, mappings: { properties: { msg: { type: "keyword" } } } },
    });
    expect(r.status).toBe(200);
  });

  test("PUT /{index} of a data-stream-only name is refused; PUT /_data_stream without a template is refused", async () => {
    expectError(
      await req("PUT", `/${name("ds-plain")}`),
      400,
      "illegal_argument_exception",
      `cannot create index with name [${name("ds-plain")}], because it matches with template [${t}] that creates data streams only, use create data stream api instead`,
    );
    expectError(
      await req("PUT", `/_data_stream/${name("nods")}`),
      400,
      "illegal_argument_exception",
      `no matching index template found for data stream [${name("nods")}]`,
    );
    expectError(await req("GET", `/_data_stream/${name("nods")}`), 404, "index_not_found_exception", `no such index [${name("nods")}]`);
  });

  test("require_data_stream: a plain index or a name without a data-stream template is refused; a stream name passes", async () => {
    const plain = name("rds-plain");
    await req("PUT", `/${plain}`, { settings: { number_of_replicas: 0 } });
    const r = await req("POST", `/${plain}/_doc?require_data_stream=true`, { "@timestamp": "2025-01-01T00:00:00Z" });
    expectError(r, 404, "resource_not_found_exception", `[require_data_stream] request flag is [true] and [${plain}] is not a data stream`);
    const missing = name("rds-missing");
    expectError(
      await req("POST", `/${missing}/_doc?require_data_stream=true`, { "@timestamp": "2025-01-01T00:00:00Z" }),
      404,
      "index_not_found_exception",
      `no such index [${missing}] and the index creation request requires a data stream, but no matching index template with data stream template was found for it`,
    );
    expect((await req("HEAD", `/${missing}`)).status).toBe(404);
    const stream = name("ds-rds");
    const b = await bulk(
      [
        { create: { _index: stream } },
        { "@timestamp": "2025-01-01T00:00:00Z" },
        { create: { _index: plain } },
        { "@timestamp": "2025-01-01T00:00:00Z" },
      ],
      "?require_data_stream=true",
    );
    expect(b.body.items[0].create.status).toBe(201);
    expect(b.body.items[0].create._index).toMatch(backing(stream, 1));
    expect(b.body.items[1].create.status).toBe(404);
    expect(b.body.items[1].create.error.type).toBe("resource_not_found_exception");
    await req("DELETE", `/_data_stream/${stream}`);
    await req("DELETE", `/${plain}`);
  });

  test("the first create write makes the stream; index ops and documents without @timestamp are refused", async () => {
    const first = await req("POST", `/${ds}/_doc?refresh=true`, { "@timestamp": "2025-01-01T00:00:00Z", msg: "one" });
    expect(first.status).toBe(201);
    expect(first.body._index).toMatch(backing(ds, 1));
    const got = await req("GET", `/_data_stream/${ds}`);
    expect(got.status).toBe(200);
    expect(got.body.data_streams).toHaveLength(1);
    expect(got.body.data_streams[0]).toMatchObject({
      name: ds,
      timestamp_field: { name: "@timestamp" },
      generation: 1,
      template: t,
      hidden: false,
      system: false,
      replicated: false,
      allow_custom_routing: false,
    });
    expect(got.body.data_streams[0].indices.map((i: any) => i.index_name)).toEqual([first.body._index]);
    // _cat/indices (strictExpand: no hidden indices) lists the hidden backing indices of a visible
    // data stream, which wildcards and _all reach through the stream
    const hidden = name("hidden-plain");
    await req("PUT", `/${hidden}`, { settings: { "index.hidden": true, number_of_replicas: 0 } });
    const catAll = (await req("GET", "/_cat/indices?format=json&h=index")).body.map((r: any) => r.index);
    expect(catAll).toContain(first.body._index);
    expect(catAll).not.toContain(hidden);
    expect((await req("GET", `/_cat/indices/${ds}?format=json&h=index`)).body.map((r: any) => r.index)).toEqual([first.body._index]);
    const catHidden = (await req("GET", "/_cat/indices?format=json&h=index&expand_wildcards=all")).body.map((r: any) => r.index);
    expect(catHidden).toContain(hidden);
    await req("DELETE", `/${hidden}`);
    // GET /{stream} answers its backing indices, each naming its stream
    const getIdx = await req("GET", `/${ds}`);
    expect(Object.keys(getIdx.body)).toEqual([first.body._index]);
    expect(getIdx.body[first.body._index].data_stream).toBe(ds);
    // the backing index is hidden and carries the template's settings
    const settings = (await req("GET", `/${first.body._index}/_settings`)).body[first.body._index].settings.index;
    expect(settings.hidden).toBe("true");
    expect(settings.number_of_replicas).toBe("0");

    expectError(
      await req("PUT", `/${ds}/_doc/1`, { "@timestamp": "2025-01-01T00:00:00Z" }),
      400,
      "illegal_argument_exception",
      "only write ops with an op_type of create are allowed in data streams",
    );
    expect((await req("PUT", `/${ds}/_create/1`, { "@timestamp": "2025-01-01T00:00:01Z" })).status).toBe(201);
    const noTs = await req("POST", `/${ds}/_doc`, { msg: "x" });
    expectError(noTs, 400, "document_parsing_exception", /failed to parse: data stream timestamp field \[@timestamp\] is missing$/);
    expect(noTs.body.error.caused_by).toMatchObject({
      type: "illegal_argument_exception",
      reason: "data stream timestamp field [@timestamp] is missing",
    });

    const b = await bulk([
      { index: { _index: ds, _id: "2" } },
      { "@timestamp": "2025-01-01T00:00:02Z" },
      { create: { _index: ds } },
      { "@timestamp": "2025-01-01T00:00:03Z" },
    ]);
    expect(b.body.errors).toBe(true);
    expect(b.body.items[0].index.status).toBe(400);
    expect(b.body.items[0].index.error).toMatchObject({
      type: "illegal_argument_exception",
      reason: "only write ops with an op_type of create are allowed in data streams",
    });
    expect(b.body.items[1].create.status).toBe(201);
    expect(b.body.items[1].create._index).toMatch(backing(ds, 1));
    expectError(await req("PUT", `/_data_stream/${ds}`), 400, "resource_already_exists_exception", `data_stream [${ds}] already exists`);

    // backing indices take no appends by their own name; a compare-and-set index (an update) is fine
    const bi = first.body._index;
    expectError(
      await req("POST", `/${bi}/_doc`, { "@timestamp": "2025-01-01T00:00:04Z" }),
      400,
      "illegal_argument_exception",
      `index request with op_type=create targeting backing indices is disallowed, target corresponding data stream [${ds}] instead`,
    );
    expectError(
      await req("PUT", `/${bi}/_doc/x`, { "@timestamp": "2025-01-01T00:00:04Z" }),
      400,
      "illegal_argument_exception",
      `index request with op_type=index and no if_primary_term and if_seq_no set targeting backing indices is disallowed, target corresponding data stream [${ds}] instead`,
    );
    const doc = await req("GET", `/${bi}/_doc/1`);
    const cas = await req("PUT", `/${bi}/_doc/1?if_seq_no=${doc.body._seq_no}&if_primary_term=${doc.body._primary_term}`, {
      "@timestamp": "2025-01-01T00:00:01Z",
      msg: "edited",
    });
    expect(cas.status).toBe(200);
    expect(cas.body.result).toBe("updated");
    expectError(
      await req("POST", `/${ds}/_doc?routing=r1`, { "@timestamp": "2025-01-01T00:00:05Z" }),
      400,
      "illegal_argument_exception",
      `index request targeting data stream [${ds}] specifies a custom routing but the [allow_custom_routing] setting was not enabled in the data stream's template.`,
    );
  });

  test("rollover adds generation 2 as the write index; reads span the backing indices; the write index cannot be deleted or closed", async () => {
    const before = (await req("GET", `/_data_stream/${ds}`)).body.data_streams[0];
    const old = before.indices[before.indices.length - 1].index_name;
    const r = await req("POST", `/${ds}/_rollover`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      acknowledged: true,
      shards_acknowledged: true,
      old_index: old,
      rolled_over: true,
      dry_run: false,
      conditions: {},
    });
    expect(r.body.new_index).toMatch(backing(ds, 2));
    const after = (await req("GET", `/_data_stream/${ds}`)).body.data_streams[0];
    expect(after.generation).toBe(2);
    expect(after.indices.map((i: any) => i.index_name)).toEqual([old, r.body.new_index]);

    const w = await req("POST", `/${ds}/_doc?refresh=true`, { "@timestamp": "2025-01-02T00:00:00Z", msg: "two" });
    expect(w.body._index).toBe(r.body.new_index);
    await req("POST", `/${ds}/_refresh`);
    expect((await req("GET", `/${ds}/_count`)).body.count).toBe(4);
    const hits = (await req("POST", `/${ds}/_search`, { query: { term: { msg: "two" } } })).body.hits.hits;
    expect(hits.map((h: any) => h._index)).toEqual([r.body.new_index]);

    expectError(
      await req("DELETE", `/${r.body.new_index}`),
      400,
      "illegal_argument_exception",
      `index [${r.body.new_index}] is the write index for data stream [${ds}] and cannot be deleted`,
    );
    expectError(
      await req("POST", `/${r.body.new_index}/_close`),
      400,
      "illegal_argument_exception",
      `cannot close the following data stream write indices [${r.body.new_index}]`,
    );

    const stats = await req("GET", `/_data_stream/${ds}/_stats`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ data_stream_count: 1, backing_indices: 2 });
    expect(stats.body.data_streams[0]).toMatchObject({
      data_stream: ds,
      backing_indices: 2,
      maximum_timestamp: Date.parse("2025-01-02T00:00:00Z"),
    });

    // an older backing index may go: the stream keeps the rest
    expect((await req("DELETE", `/${old}`)).body).toEqual({ acknowledged: true });
    const left = (await req("GET", `/_data_stream/${ds}`)).body.data_streams[0];
    expect(left.indices.map((i: any) => i.index_name)).toEqual([r.body.new_index]);
  });

  test("a template a stream depends on cannot be deleted; DELETE /_data_stream removes the stream and its backing indices", async () => {
    expectError(
      await req("DELETE", `/_index_template/${t}`),
      400,
      "illegal_argument_exception",
      `unable to remove composable templates [${t}] as they are in use by a data streams [${ds}]`,
    );
    const writeIndex = (await req("GET", `/_data_stream/${ds}`)).body.data_streams[0].indices[0].index_name;
    expect((await req("DELETE", `/_data_stream/${ds}`)).body).toEqual({ acknowledged: true });
    expect((await req("HEAD", `/${writeIndex}`)).status).toBe(404);
    expectError(await req("GET", `/_data_stream/${ds}`), 404, "index_not_found_exception", `no such index [${ds}]`);
    expectError(
      await req("POST", `/_data_stream/_promote/${ds}`),
      404,
      "resource_not_found_exception",
      `data stream [${ds}] does not exist`,
    );
    expect((await req("DELETE", `/_index_template/${t}`)).body).toEqual({ acknowledged: true });
  });
});
