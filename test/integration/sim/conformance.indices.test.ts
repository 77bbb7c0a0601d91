/**
 * Conformance of the index APIs (delete, mappings, settings, aliases, `_cat/indices`) found to differ
 * when Elasticsearch's YAML REST tests ran against es-sim. Every case runs against es-sim or, with
 * `ES_URL`, a real Elasticsearch 8.x (test/helpers/conformance.ts).
 */
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";

const { name, req } = conformanceTarget("conformance-indices");

describe("delete index and aliases", () => {
  test("DELETE /{alias} is refused: the expression matches an alias; ignore_unavailable skips it", async () => {
    const i = name("del-alias");
    const a = name("del-alias-a");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 }, aliases: { [a]: {} } });
    const r = await req("DELETE", `/${a}`);
    expectError(
      r,
      400,
      "illegal_argument_exception",
      `The provided expression [${a}] matches an alias, specify the corresponding concrete indices instead.`,
    );
    expect(r.body.error.root_cause[0].type).toBe("illegal_argument_exception");
    expect((await req("HEAD", `/${i}`)).status).toBe(200);
    expect((await req("DELETE", `/${a}?ignore_unavailable=true`)).body).toEqual({ acknowledged: true });
    expect((await req("HEAD", `/${i}`)).status).toBe(200);
    // The index side of an alias action takes concrete indices only, too.
    const add = await req("POST", "/_aliases", { actions: [{ add: { index: a, alias: name("del-alias-b") } }] });
    expectError(add, 400, "illegal_argument_exception", /^The provided expression \[.+\] matches an alias/);
    expect((await req("DELETE", `/${i}`)).body).toEqual({ acknowledged: true });
  });

  test("close and open take an alias (they resolve aliases, unlike delete)", async () => {
    const i = name("close-alias");
    const a = name("close-alias-a");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 }, aliases: { [a]: {} } });
    const c = await req("POST", `/${a}/_close`);
    expect(c.body).toEqual({ acknowledged: true, shards_acknowledged: true, indices: { [i]: { closed: true } } });
    expect((await req("POST", `/${i}/_open`)).body).toEqual({ acknowledged: true, shards_acknowledged: true });
  });

  test("remove_index deletes the index in the same request that moves the alias", async () => {
    const old = name("ri-old");
    const next = name("ri-new");
    const a = name("ri-alias");
    await req("PUT", `/${old}`, { settings: { number_of_replicas: 0 }, aliases: { [a]: {} } });
    await req("PUT", `/${next}`, { settings: { number_of_replicas: 0 } });
    const r = await req("POST", "/_aliases", { actions: [{ add: { index: next, alias: a } }, { remove_index: { index: old } }] });
    expect(r.status).toBe(200);
    expect(r.body.acknowledged).toBe(true);
    expect((await req("HEAD", `/${old}`)).status).toBe(404);
    expect((await req("GET", `/_alias/${a}`)).body).toEqual({ [next]: { aliases: { [a]: {} } } });
  });

  test("remove with must_exist: a missing alias is resource_not_found_exception", async () => {
    const i = name("must-exist");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    const r = await req("POST", "/_aliases", { actions: [{ remove: { index: i, alias: name("nope"), must_exist: true } }] });
    expectError(r, 404, "resource_not_found_exception", `required alias [${name("nope")}] does not exist`);
  });

  test("is_write_index is shown by GET _alias and routes writes through an alias of two indices", async () => {
    const i1 = name("wi-1");
    const i2 = name("wi-2");
    const a = name("wi-alias");
    await req("PUT", `/${i1}`, { settings: { number_of_replicas: 0 }, aliases: { [a]: { is_write_index: true } } });
    await req("PUT", `/${i2}`, { settings: { number_of_replicas: 0 }, aliases: { [a]: {} } });
    const g = await req("GET", `/_alias/${a}`);
    expect(g.body[i1]).toEqual({ aliases: { [a]: { is_write_index: true } } });
    const w = await req("PUT", `/${a}/_doc/1`, { f: 1 });
    expect(w.status).toBe(201);
    expect(w.body._index).toBe(i1);
  });
});

describe("mappings", () => {
  test("PUT _mapping with a typed body is refused", async () => {
    const i = name("typed");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    const r = await req("PUT", `/${i}/_mapping`, { _doc: { properties: { f: { type: "keyword" } } } });
    expectError(r, 400, "illegal_argument_exception", "Types cannot be provided in put mapping requests");
  });

  test("an invalid mapping at index creation: Failed to parse mapping, with the cause as root cause", async () => {
    const r = await req("PUT", `/${name("badmap")}`, { mappings: { properties: { f: { type: "nope" } } } });
    expectError(r, 400, "mapper_parsing_exception", "Failed to parse mapping: No handler for type [nope] declared on field [f]");
    expect(r.body.error.caused_by).toEqual({
      type: "mapper_parsing_exception",
      reason: "No handler for type [nope] declared on field [f]",
    });
    expect(r.body.error.root_cause).toEqual([
      { type: "mapper_parsing_exception", reason: "No handler for type [nope] declared on field [f]" },
    ]);
    const root = await req("PUT", `/${name("badmap2")}`, { mappings: { foo: "bar" } });
    expectError(
      root,
      400,
      "mapper_parsing_exception",
      "Failed to parse mapping: Root mapping definition has unsupported parameters:  [foo : bar]",
    );
    expect(root.body.error.root_cause[0].reason).toBe("Root mapping definition has unsupported parameters:  [foo : bar]");
    expect((await req("HEAD", `/${name("badmap")}`)).status).toBe(404);
  });
});

describe("get index and field mappings", () => {
  test("GET /{index}?features= keeps the three sections, empty when not asked for; unknown features refused", async () => {
    const i = name("features");
    await req("PUT", `/${i}`, {
      settings: { number_of_replicas: 0 },
      mappings: { properties: { f: { type: "keyword" } } },
      aliases: { [name("features-a")]: {} },
    });
    const g = await req("GET", `/${i}?features=mappings`);
    expect(g.body[i].aliases).toEqual({});
    expect(g.body[i].settings).toEqual({});
    expect(g.body[i].mappings).toEqual({ properties: { f: { type: "keyword" } } });
    const s = await req("GET", `/${i}?features=SETTINGS,aliases`);
    expect(s.body[i].mappings).toEqual({});
    expect(s.body[i].settings.index.number_of_replicas).toBe("0");
    expect(Object.keys(s.body[i].aliases)).toEqual([name("features-a")]);
    const bad = await req("GET", `/${i}?features=nope,mappings`);
    expectError(bad, 400, "illegal_argument_exception", "Invalid features specified [nope]");
  });

  test("GET _mapping/field: full names, mapping under the leaf name, multi-fields and wildcards", async () => {
    const i = name("fieldmap");
    await req("PUT", `/${i}`, {
      settings: { number_of_replicas: 0 },
      mappings: { properties: { obj: { properties: { n: { type: "long" } } }, t: { type: "text", fields: { raw: { type: "keyword" } } } } },
    });
    const r = await req("GET", `/${i}/_mapping/field/obj.n,t.raw,obj,missing`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      [i]: {
        mappings: {
          "obj.n": { full_name: "obj.n", mapping: { n: { type: "long" } } },
          "t.raw": { full_name: "t.raw", mapping: { raw: { type: "keyword" } } },
        },
      },
    });
    const w = await req("GET", `/${i}/_mapping/field/t*`);
    expect(Object.keys(w.body[i].mappings).sort()).toEqual(["t", "t.raw"]);
    expect(w.body[i].mappings.t.mapping.t).toEqual({ type: "text", fields: { raw: { type: "keyword" } } });
  });
});

describe("index settings", () => {
  test("index.query_string.lenient: static, and q= on a mismatched field then answers no hits instead of failing", async () => {
    const strict = name("qs-strict");
    const lenient = name("qs-lenient");
    for (const [i, settings] of [
      [strict, {}],
      [lenient, { "index.query_string.lenient": true }],
    ] as const) {
      await req("PUT", `/${i}`, { settings: { number_of_replicas: 0, ...settings }, mappings: { properties: { n: { type: "long" } } } });
      await req("PUT", `/${i}/_doc/1?refresh=true`, { n: 1 });
    }
    const fail = await req("GET", `/${strict}/_search?q=n:abc`);
    expect(fail.status).toBe(400);
    const ok = await req("GET", `/${lenient}/_search?q=n:abc`);
    expect(ok.status).toBe(200);
    expect(ok.body.hits.total.value).toBe(0);
    const dsl = await req("POST", `/${lenient}/_search`, { query: { query_string: { query: "abc", default_field: "n" } } });
    expect(dsl.status).toBe(200);
    const upd = await req("PUT", `/${lenient}/_settings`, { "index.query_string.lenient": false });
    expectError(
      upd,
      400,
      "illegal_argument_exception",
      new RegExp(`^Can't update non dynamic settings \\[\\[index\\.query_string\\.lenient\\]\\] for open indices \\[\\[${lenient}/`),
    );
    const s = await req("GET", `/${lenient}/_settings/index.query_string.lenient?flat_settings=true`);
    expect(s.body[lenient].settings).toEqual({ "index.query_string.lenient": "true" });
  });

  test("index.query.default_field: the fields of q= without df", async () => {
    const i = name("default-field");
    await req("PUT", `/${i}`, {
      settings: { number_of_replicas: 0, "index.query.default_field": ["title"] },
      mappings: { properties: { title: { type: "text" }, body: { type: "text" } } },
    });
    await req("PUT", `/${i}/_doc/1?refresh=true`, { title: "alpha", body: "beta" });
    expect((await req("GET", `/${i}/_search?q=beta`)).body.hits.total.value).toBe(0);
    expect((await req("GET", `/${i}/_search?q=alpha`)).body.hits.total.value).toBe(1);
    expect((await req("GET", `/${i}/_search?q=beta&df=body`)).body.hits.total.value).toBe(1);
    const g = await req("GET", `/${i}/_settings/index.query.default_field?flat_settings=true`);
    expect(g.body[i].settings["index.query.default_field"]).toEqual(["title"]);
  });

  test("index.max_result_window: ES's error above it, and a raised window is honoured", async () => {
    const i = name("window");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0, "index.max_result_window": 5 } });
    await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1 });
    const r = await req("GET", `/${i}/_search?size=6`);
    expect(r.status).toBe(400);
    expect(r.body.error.root_cause[0]).toMatchObject({
      type: "illegal_argument_exception",
      reason: expect.stringMatching(/^Result window is too large, from \+ size must be less than or equal to: \[5\] but was \[6\]\./),
    });
    await req("PUT", `/${i}/_settings`, { "index.max_result_window": 20000 });
    const big = await req("GET", `/${i}/_search?from=10000&size=5`);
    expect(big.status).toBe(200);
    const zero = await req("PUT", `/${i}/_settings`, { "index.max_result_window": 0 });
    expectError(zero, 400, "illegal_argument_exception", "Failed to parse value [0] for setting [index.max_result_window] must be >= 1");
  });

  test("dynamic search limits are accepted, validated and returned", async () => {
    const i = name("limits");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    const values = {
      "index.max_terms_count": "100",
      "index.max_regex_length": "50",
      "index.max_script_fields": "10",
      "index.max_inner_result_window": "50",
      "index.max_docvalue_fields_search": "20",
      "index.mapping.field_name_length.limit": "100",
      "index.mapping.total_fields.limit": "2000",
      "index.mapping.depth.limit": "10",
      "index.mapping.nested_fields.limit": "10",
      "index.unassigned.node_left.delayed_timeout": "5m",
      "index.routing.allocation.total_shards_per_node": "2",
      "index.priority": "5",
      "index.translog.durability": "async",
      "index.translog.sync_interval": "10s",
      "index.requests.cache.enable": "false",
    };
    expect((await req("PUT", `/${i}/_settings`, values)).body).toEqual({ acknowledged: true });
    const g = await req("GET", `/${i}/_settings?flat_settings=true`);
    expect(g.body[i].settings).toMatchObject(values);
    const neg = await req("PUT", `/${i}/_settings`, { "index.max_terms_count": 0 });
    expectError(neg, 400, "illegal_argument_exception", "Failed to parse value [0] for setting [index.max_terms_count] must be >= 1");
    const sync = await req("PUT", `/${i}/_settings`, { "index.translog.sync_interval": "50ms" });
    expectError(sync, 400, "illegal_argument_exception", /index\.translog\.sync_interval.*100ms/);
    const d = await req("GET", `/${i}/_settings?include_defaults=true&flat_settings=true`);
    expect(d.body[i].defaults).toMatchObject({
      "index.query_string.lenient": "false",
      "index.query.default_field": ["*"],
      "index.max_ngram_diff": "1",
      "index.max_shingle_diff": "3",
    });
  });

  test("static settings: set at creation, refused on an open index, accepted on a closed one", async () => {
    const i = name("static");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0, "index.shard.check_on_startup": "checksum" } });
    const open = await req("PUT", `/${i}/_settings`, { "index.shard.check_on_startup": "false" });
    expectError(open, 400, "illegal_argument_exception", /^Can't update non dynamic settings/);
    await req("POST", `/${i}/_close`);
    expect((await req("PUT", `/${i}/_settings`, { "index.shard.check_on_startup": "false" })).body).toEqual({ acknowledged: true });
    await req("POST", `/${i}/_open`);
    const bad = await req("PUT", `/${name("static-bad")}`, { settings: { "index.shard.check_on_startup": "maybe" } });
    expectError(
      bad,
      400,
      "illegal_argument_exception",
      "unknown value for [index.shard.check_on_startup] must be one of [true, false, checksum] but was: maybe",
    );
  });

  test("index.auto_expand_replicas: validated; 0-1 on one node leaves no replica to assign", async () => {
    const bad = await req("PUT", `/${name("aer-bad")}`, { settings: { "index.auto_expand_replicas": "x" } });
    expectError(bad, 400, "illegal_argument_exception", "failed to parse [index.auto_expand_replicas] from value: [x] at index -1");
    const i = name("aer");
    await req("PUT", `/${i}`, { settings: { "index.auto_expand_replicas": "0-1" } });
    await req("GET", `/_cluster/health/${i}?wait_for_status=green&timeout=10s`);
    const cat = await req("GET", `/_cat/indices/${i}?format=json&h=health,rep`);
    expect(cat.body).toEqual([{ health: "green", rep: "0" }]);
  });
});

describe("_cat/indices", () => {
  test("column aliases in h= name the columns as asked; unknown ones are dropped", async () => {
    const i = name("cat-alias");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1 });
    const j = await req("GET", `/_cat/indices/${i}?format=json&h=h,s,i,id,p,r,dc,dd,nosuchcolumn`);
    expect(j.body).toHaveLength(1);
    expect(Object.keys(j.body[0])).toEqual(["h", "s", "i", "id", "p", "r", "dc", "dd"]);
    expect(j.body[0]).toMatchObject({ h: "green", s: "open", i, p: "1", r: "0", dc: "1", dd: "0" });
    const long = await req("GET", `/_cat/indices/${i}?format=json&h=idx,shards.primary,shardsReplica,docsCount,storeSize`);
    expect(Object.keys(long.body[0])).toEqual(["idx", "shards.primary", "shardsReplica", "docsCount", "storeSize"]);
    const dates = await req("GET", `/_cat/indices/${i}?format=json&h=i,cd,cds,creation.date`);
    expect(dates.body[0].cd).toMatch(/^\d+$/);
    expect(dates.body[0].cds).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(dates.body[0]["creation.date"]).toBe(dates.body[0].cd);
  });

  test("text: the header shows the aliases; numbers are right-aligned", async () => {
    const i = name("cat-text");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1 });
    const t = await req("GET", `/_cat/indices/${i}?v&h=dc,i`);
    expect(t.text).toBe(`dc i\n 1 ${i}\n`);
  });

  test("s= sorts by names or aliases, :desc reverses; an unknown sort key fails", async () => {
    const a = name("cat-sort-a");
    const b = name("cat-sort-b");
    await req("PUT", `/${a}`, { settings: { number_of_replicas: 0 } });
    await req("PUT", `/${b}`, { settings: { number_of_replicas: 0 } });
    await req("PUT", `/${b}/_doc/1?refresh=true`, { x: 1 });
    await req("PUT", `/${b}/_doc/2?refresh=true`, { x: 1 });
    const byAlias = await req("GET", `/_cat/indices/${name("cat-sort-*")}?format=json&h=i&s=dc:desc`);
    expect(byAlias.body).toEqual([{ i: b }, { i: a }]);
    const byName = await req("GET", `/_cat/indices/${name("cat-sort-*")}?format=json&h=index&s=index:desc`);
    expect(byName.body).toEqual([{ index: b }, { index: a }]);
    const bad = await req("GET", `/_cat/indices?s=nosuchkey`);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.body.error.reason).toBe("Unable to sort by unknown sort key `nosuchkey`");
  });

  test("help lists name | aliases | description per column", async () => {
    const r = await req("GET", "/_cat/indices?help");
    expect(r.status).toBe(200);
    const lines = r.text.split("\n");
    expect(lines.find((l) => l.startsWith("index "))).toMatch(/^index\s+\| i,idx\s+\| index name\s*$/);
    expect(lines.find((l) => l.startsWith("docs.count "))).toMatch(/^docs\.count\s+\| dc,docsCount\s+\| available docs\s*$/);
    expect(lines.find((l) => l.startsWith("health "))).toMatch(/^health\s+\| h\s+\| current health status\s*$/);
  });

  test("health= is case-insensitive; an unknown value is refused", async () => {
    const i = name("cat-health");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    expect((await req("GET", `/_cat/indices/${i}?health=GREEN&h=i&format=json`)).body).toEqual([{ i }]);
    const bad = await req("GET", `/_cat/indices/${i}?health=purple`);
    expectError(bad, 400, "illegal_argument_exception", "unknown cluster health status [purple]");
  });

  test("pri=true adds the pri. sibling of a column, named after the alias asked for", async () => {
    const i = name("cat-pri");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    const r = await req("GET", `/_cat/indices/${i}?format=json&h=i,ss&pri&bytes=b`);
    expect(Object.keys(r.body[0])).toEqual(["i", "ss", "pri.ss"]);
    expect(r.body[0]["pri.ss"]).toBe(r.body[0].ss);
  });

  simOnly("a column ES has but es-sim does not model is refused, not dropped (es-sim)", async () => {
    const r = await req("GET", "/_cat/indices?h=index,segments.count");
    expectError(r, 400, "illegal_argument_exception", /es-sim does not support the _cat\/indices column \[segments\.count\]/);
    const a = await req("GET", "/_cat/indices?h=i,qcm");
    expectError(a, 400, "illegal_argument_exception", /column \[qcm\]/);
  });
});
