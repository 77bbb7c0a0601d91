/**
 * Conformance of the document APIs beyond the basics in conformance.test.ts ("documents"): bulk
 * item metadata and per-item failures, versioned reads, `_mget`, `require_alias`, stored fields and
 * `refresh` on reads. Every case holds against es-sim and, with `ES_URL`, a real Elasticsearch 8.x
 * (test/helpers/conformance.ts); cases marked `simOnly` check es-sim's explicit "not supported".
 */
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";

const { name, req, bulk } = conformanceTarget("conformance-documents");

/** The item bodies of a bulk response, whatever their action. */
const itemsOf = (r: { body: any }) => (r.body.items as any[]).map((it) => Object.values(it)[0] as any);

describe("bulk items", () => {
  test("an empty _id fails only its item; an absent _id is generated", async () => {
    const i = name("bulk-empty-id");
    const r = await bulk(
      [{ index: { _index: i, _id: "" } }, { f: 1 }, { index: { _index: i, _id: "id" } }, { f: 2 }, { index: { _index: i } }, { f: 3 }],
      "?refresh=true",
    );
    expect(r.status).toBe(200);
    expect(r.body.errors).toBe(true);
    const [empty, named, auto] = itemsOf(r);
    expect(empty).toMatchObject({ _index: i, _id: "", status: 400 });
    expect(empty.error).toMatchObject({ type: "illegal_argument_exception", reason: "if _id is specified it must not be empty" });
    expect(named).toMatchObject({ _id: "id", result: "created", status: 201 });
    expect(auto.result).toBe("created");
    expect(auto._id).toMatch(/^[\w-]{20}$/);
    expect((await req("GET", `/${i}/_count`)).body.count).toBe(2);
  });

  test("an empty _id on delete or update is a missing id for the whole request", async () => {
    const r = await bulk([{ delete: { _index: name("bulk-empty-del"), _id: "" } }]);
    expectError(r, 400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
    const u = await bulk([{ update: { _index: name("bulk-empty-del"), _id: "" } }, { doc: { a: 1 } }]);
    expectError(u, 400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
  });

  test("op_type in the action metadata: create refuses an existing id, index overwrites", async () => {
    const i = name("bulk-op-type");
    await req("PUT", `/${i}/_doc/1`, { v: 0 });
    const r = await bulk([
      { index: { _index: i, _id: "1", op_type: "create" } },
      { v: 1 },
      { index: { _index: i, _id: "2", op_type: "create" } },
      { v: 2 },
      { index: { _index: i, _id: "1", op_type: "index" } },
      { v: 3 },
      { index: { _index: i, op_type: "create" } },
      { v: 4 },
    ]);
    expect(r.status).toBe(200);
    const keys = (r.body.items as any[]).map((it) => Object.keys(it)[0]);
    expect(keys).toEqual(["index", "index", "index", "index"]);
    const [dup, created, overwritten, auto] = itemsOf(r);
    expect(dup.status).toBe(409);
    expect(dup.error.type).toBe("version_conflict_engine_exception");
    expect(dup.error.reason).toBe("[1]: version conflict, document already exists (current version [1])");
    expect(created).toMatchObject({ result: "created", status: 201 });
    expect(overwritten).toMatchObject({ result: "updated", _version: 2, status: 200 });
    expect(auto).toMatchObject({ result: "created", status: 201 });
  });

  test("other metadata fields ES accepts: routing, retry_on_conflict, version/version_type, if_seq_no, _source on update", async () => {
    const i = name("bulk-meta");
    const r = await bulk([
      { index: { _index: i, _id: "1", routing: "r1", require_alias: false, list_executed_pipelines: false } },
      { a: 1 },
      { index: { _index: i, _id: "ext", version: 5, version_type: "external" } },
      { a: 1 },
      { update: { _index: i, _id: "1", retry_on_conflict: 3, routing: "r1", _source: true } },
      { doc: { b: 2 } },
      { update: { _index: i, _id: "1", routing: "r1", if_seq_no: 0, if_primary_term: 1 } },
      { doc: { c: 3 } },
      { delete: { _index: i, _id: "ext", version: 4, version_type: "external" } },
    ]);
    expect(r.status).toBe(200);
    const [first, ext, upd, stale, del] = itemsOf(r);
    expect(first).toMatchObject({ result: "created", status: 201 });
    expect(ext).toMatchObject({ result: "created", _version: 5 });
    expect(upd).toMatchObject({ result: "updated", status: 200 });
    expect(upd.get).toMatchObject({ found: true, _source: { a: 1, b: 2 } });
    expect(stale.status).toBe(409);
    expect(stale.error.type).toBe("version_conflict_engine_exception");
    expect(del.status).toBe(409);
    expect(del.error.reason).toBe("[ext]: version conflict, current version [5] is higher or equal to the one provided [4]");
  });

  test("metadata errors fail the whole request with BulkRequestParser's messages", async () => {
    const i = name("bulk-meta-errors");
    const unknown = await bulk([{ index: { _index: i, _id: "1", x: 1 } }, { a: 1 }]);
    expectError(unknown, 400, "illegal_argument_exception", "Action/metadata line [1] contains an unknown parameter [x]");
    const type = await bulk([{ index: { _index: i, _type: "_doc" } }, { a: 1 }]);
    expectError(type, 400, "illegal_argument_exception", "Action/metadata line [1] contains an unknown parameter [_type]");
    const array = await bulk([{ index: { _index: i, _id: ["1"] } }, { a: 1 }]);
    expectError(
      array,
      400,
      "illegal_argument_exception",
      "Malformed action/metadata line [1], expected a simple value for field [_id] but found [START_ARRAY]",
    );
    const object = await bulk([{ delete: { _index: i, _id: "1" } }, { index: { _index: i, routing: { a: 1 } } }, { a: 1 }]);
    expectError(
      object,
      400,
      "illegal_argument_exception",
      "Malformed action/metadata line [2], expected a simple value for field [routing] but found [START_OBJECT]",
    );
    const versioned = await bulk([{ update: { _index: i, _id: "1", version: 2 } }, { doc: { a: 1 } }]);
    expectError(
      versioned,
      400,
      "illegal_argument_exception",
      "Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead",
    );
    const templates = await bulk([{ delete: { _index: i, _id: "1", dynamic_templates: { a: "t" } } }]);
    expectError(templates, 400, "illegal_argument_exception", "Delete request in line [1] does not accept dynamic_templates");
  });

  test("require_alias: per item and per request, with ES's message; aliases are written through", async () => {
    const backing = name("ra-backing");
    const alias = name("ra-alias");
    const missing = name("ra-missing");
    const plain = name("ra-plain");
    await req("PUT", `/${backing}`, { aliases: { [alias]: {} } });
    await req("PUT", `/${plain}`);
    const r = await bulk([
      { index: { _index: missing, require_alias: true } },
      { f: 1 },
      { index: { _index: plain, require_alias: true } },
      { f: 2 },
      { index: { _index: alias, require_alias: true } },
      { f: 3 },
      { create: { _index: alias } },
      { f: 4 },
    ]);
    const [m, p, a, c] = itemsOf(r);
    expect(m.status).toBe(404);
    expect(m.error.type).toBe("index_not_found_exception");
    expect(m.error.reason).toBe(`no such index [${missing}] and [require_alias] request flag is [true] and [${missing}] is not an alias`);
    expect(p.status).toBe(404);
    expect(p.error.reason).toBe(`no such index [${plain}] and [require_alias] request flag is [true] and [${plain}] is not an alias`);
    expect(a).toMatchObject({ _index: backing, result: "created" });
    expect(c).toMatchObject({ _index: backing, result: "created" });
    expect((await req("HEAD", `/${missing}`)).status).toBe(404);

    const all = await bulk([{ index: { _index: missing } }, { f: 1 }, { index: { _index: alias } }, { f: 2 }], "?require_alias=true");
    const [m2, a2] = itemsOf(all);
    expect(m2.error.reason).toBe(`no such index [${missing}] and [require_alias] request flag is [true] and [${missing}] is not an alias`);
    expect(a2.result).toBe("created");

    const single = await req("PUT", `/${missing}/_doc/1?require_alias=true`, { f: 1 });
    expectError(
      single,
      404,
      "index_not_found_exception",
      `no such index [${missing}] and [require_alias] request flag is [true] and [${missing}] is not an alias`,
    );
    const upd = await req("POST", `/${missing}/_update/1?require_alias=true`, { doc: { f: 1 }, doc_as_upsert: true });
    expectError(
      upd,
      404,
      "index_not_found_exception",
      `no such index [${missing}] and [require_alias] request flag is [true] and [${missing}] is not an alias`,
    );
    expect((await req("PUT", `/${alias}/_doc/9?require_alias=true`, { f: 9 })).body).toMatchObject({ _index: backing, result: "created" });
  });
});

describe("write validation", () => {
  test("bulk: every item's validation problem fails the whole request, in item order", async () => {
    const i = name("bulk-validation");
    const r = await bulk([
      { index: { _index: i, _id: "1", if_seq_no: 1 } },
      { a: 1 },
      { create: { _index: i, _id: "2", version: 3, version_type: "external" } },
      { a: 2 },
      { delete: { _index: i, _id: "3", version: 2 } },
      { update: { _index: i, _id: "4", if_seq_no: 1, if_primary_term: 1, retry_on_conflict: 2 } },
      { doc: { a: 4 } },
      { update: { _index: i, _id: "5" } },
      { upsert: { a: 5 } },
    ]);
    expectError(
      r,
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: ifSeqNo is set, but primary term is [0];" +
        "2: create operations only support internal versioning. use index instead;" +
        "3: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;" +
        "4: compare and write operations can not be retried;" +
        "5: script or doc is missing;",
    );
    expect((await req("HEAD", `/${i}`)).status).toBe(404);
  });

  test("single writes: ES's validation messages before anything runs", async () => {
    const i = name("write-validation");
    expectError(
      await req("PUT", `/${i}/_doc/1?version=2`, { a: 1 }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;",
    );
    expectError(
      await req("PUT", `/${i}/_create/1?version_type=external`, { a: 1 }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: create operations only support internal versioning. use index instead;",
    );
    expectError(
      await req("PUT", `/${i}/_doc/1?version_type=external`, { a: 1 }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: illegal version value [-3] for version type [EXTERNAL];",
    );
    expectError(
      await req("PUT", `/${i}/_doc/1?if_seq_no=1&if_primary_term=1&version=2&version_type=external`, { a: 1 }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: compare and write operations can not use versioning;",
    );
    expectError(
      await req("PUT", `/${i}/_doc/1?if_seq_no=-5&if_primary_term=1`, { a: 1 }),
      400,
      "illegal_argument_exception",
      "sequence numbers must be non negative. got [-5].",
    );
    expectError(
      await req("POST", `/${i}/_update/1?if_seq_no=0&if_primary_term=1`, { doc: { a: 1 }, doc_as_upsert: true }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: compare and write operations can not be used with upsert;",
    );
    expectError(
      await req("POST", `/${i}/_update/1`, { upsert: { a: 1 } }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: script or doc is missing;",
    );
    expect((await req("HEAD", `/${i}`)).status).toBe(404);
  });

  test("op_type parameter: case-insensitive; _create accepts only create", async () => {
    const i = name("op-type-param");
    expect((await req("PUT", `/${i}/_doc/1?op_type=CREATE`, { a: 1 })).status).toBe(201);
    expect((await req("PUT", `/${i}/_doc/1?op_type=Create`, { a: 1 })).status).toBe(409);
    expectError(
      await req("PUT", `/${i}/_doc/1?op_type=foo`, { a: 1 }),
      400,
      "illegal_argument_exception",
      "opType must be 'create' or 'index', found: [foo]",
    );
    expectError(
      await req("PUT", `/${i}/_create/2?op_type=index`, { a: 1 }),
      400,
      "illegal_argument_exception",
      "opType must be 'create', found: [index]",
    );
  });

  test("version parameters: long parsing, external_gt as external, force gone", async () => {
    const i = name("version-params");
    const bad = await req("PUT", `/${i}/_doc/1?version=abc&version_type=external`, { a: 1 });
    expectError(bad, 400, "illegal_argument_exception", "Failed to parse long parameter [version] with value [abc]");
    const gt = await req("PUT", `/${i}/_doc/1?version=5&version_type=external_gt`, { a: 1 });
    expect(gt.body).toMatchObject({ result: "created", _version: 5 });
    const again = await req("PUT", `/${i}/_doc/1?version=5&version_type=external_gt`, { a: 1 });
    expectError(
      again,
      409,
      "version_conflict_engine_exception",
      "[1]: version conflict, current version [5] is higher or equal to the one provided [5]",
    );
    expectError(
      await req("PUT", `/${i}/_doc/1?version=6&version_type=force`, { a: 1 }),
      400,
      "illegal_argument_exception",
      "No version type match [force]",
    );
  });

  test("a bulk item failing behind an alias names the index it resolved to", async () => {
    const backing = name("bulk-alias-backing");
    const alias = name("bulk-alias");
    await req("PUT", `/${backing}`, { aliases: { [alias]: {} } });
    await req("PUT", `/${backing}/_doc/1`, { a: 1 });
    const [dup] = itemsOf(await bulk([{ create: { _index: alias, _id: "1" } }, { a: 2 }]));
    expect(dup).toMatchObject({ _index: backing, _id: "1", status: 409 });
  });

  test("update's _source: the body's replaces the query's; excludes apply", async () => {
    const i = name("update-source");
    await req("PUT", `/${i}/_doc/1`, { a: 1, b: { c: 2, d: 3 } });
    const q = await req("POST", `/${i}/_update/1?_source_excludes=b.d`, { doc: { a: 2 } });
    expect(q.body.get).toMatchObject({ found: true, _source: { a: 2, b: { c: 2 } } });
    const b = await req("POST", `/${i}/_update/1?_source=false`, { doc: { a: 3 }, _source: ["a"] });
    expect(b.body.get._source).toEqual({ a: 3 });
  });
});

describe("versioned reads", () => {
  test("GET with version: a mismatch is 409 for every version type; a match or a missing doc is not", async () => {
    const i = name("get-version");
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    expect((await req("GET", `/${i}/_doc/1?version=2`)).body).toMatchObject({ _id: "1", _version: 2, found: true });
    const c = await req("GET", `/${i}/_doc/1?version=1`);
    expectError(
      c,
      409,
      "version_conflict_engine_exception",
      "[1]: version conflict, current version [2] is different than the one provided [1]",
    );
    expect(c.body.error).toMatchObject({ index: i, shard: "0" });
    for (const vt of ["external", "external_gte"]) {
      expect((await req("GET", `/${i}/_doc/1?version=2&version_type=${vt}`)).status).toBe(200);
      expectError(
        await req("GET", `/${i}/_doc/1?version=10&version_type=${vt}`),
        409,
        "version_conflict_engine_exception",
        "[1]: version conflict, current version [2] is different than the one provided [10]",
      );
      expect((await req("GET", `/${i}/_doc/1?version=1&version_type=${vt}`)).status).toBe(409);
    }
    expect((await req("GET", `/${i}/_doc/nope?version=3`)).body).toEqual({ _index: i, _id: "nope", found: false });
  });

  test("HEAD and _source check the version too", async () => {
    const i = name("head-version");
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    expect((await req("HEAD", `/${i}/_doc/1?version=1`)).status).toBe(200);
    expect((await req("HEAD", `/${i}/_doc/1?version=2`)).status).toBe(409);
    expect((await req("GET", `/${i}/_source/1?version=1`)).body).toEqual({ foo: "bar" });
    expectError(
      await req("GET", `/${i}/_source/1?version=7`),
      409,
      "version_conflict_engine_exception",
      "[1]: version conflict, current version [1] is different than the one provided [7]",
    );
  });

  test("an invalid version for the version type is a validation error", async () => {
    const i = name("get-version-invalid");
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    expectError(
      await req("GET", `/${i}/_doc/1?version=0`),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: illegal version value [0] for version type [INTERNAL];",
    );
    expectError(
      await req("GET", `/${i}/_doc/1?version=-5&version_type=external`),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: illegal version value [-5] for version type [EXTERNAL];",
    );
  });
});

describe("reads", () => {
  test("realtime=false sees the last refresh; refresh=true refreshes first", async () => {
    const i = name("get-refresh");
    await req("PUT", `/${i}`, { settings: { index: { refresh_interval: -1, number_of_replicas: 0 } } });
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    expect((await req("GET", `/${i}/_doc/1?realtime=false`)).status).toBe(404);
    expect((await req("GET", `/${i}/_doc/1`)).status).toBe(200);
    expect((await req("GET", `/${i}/_doc/1?realtime=false&refresh=true`)).body).toMatchObject({ found: true, _source: { foo: "bar" } });
  });

  test("_source endpoint: fetching source can not be disabled; boolean parameters as Booleans.parseBoolean", async () => {
    const i = name("source-endpoint");
    await req("PUT", `/${i}/_doc/1`, { a: 1, b: 2 });
    expect((await req("GET", `/${i}/_source/1?_source_includes=a`)).body).toEqual({ a: 1 });
    expectError(
      await req("GET", `/${i}/_source/1?_source=false`),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: fetching source can not be disabled;",
    );
    expectError(await req("GET", `/${i}/_source/nope`), 404, "resource_not_found_exception", `Document not found [${i}]/[nope]`);
    expectError(
      await req("GET", `/${i}/_doc/1?realtime=abc`),
      400,
      "illegal_argument_exception",
      "Failed to parse value [abc] as only [true] or [false] are allowed.",
    );
  });

  test("stored_fields: no _source unless asked for; only fields mapped with store:true come back", async () => {
    const i = name("get-stored");
    await req("PUT", `/${i}`, { mappings: { properties: { count: { type: "integer", store: true }, tag: { type: "keyword" } } } });
    await req("PUT", `/${i}/_doc/1`, { count: 1, tag: "a" });
    const g = await req("GET", `/${i}/_doc/1?stored_fields=count,tag`);
    expect(g.body).toEqual({ _index: i, _id: "1", _version: 1, _seq_no: 0, _primary_term: 1, found: true, fields: { count: [1] } });
    const withSource = await req("GET", `/${i}/_doc/1?stored_fields=count&_source=true`);
    expect(withSource.body).toMatchObject({ _source: { count: 1, tag: "a" }, fields: { count: [1] } });
    const none = await req("GET", `/${i}/_doc/1?stored_fields=tag`);
    expect(none.body._source).toBeUndefined();
    expect(none.body.fields).toBeUndefined();
  });
});

describe("routing", () => {
  test("a document keeps its routing: _routing in get, mget, search hits and an update's get", async () => {
    const i = name("routing-kept");
    await req("PUT", `/${i}`, { settings: { index: { number_of_shards: 1 } } });
    await req("PUT", `/${i}/_doc/1?routing=r1&refresh=true`, { a: 1 });
    const g = await req("GET", `/${i}/_doc/1?routing=r1`);
    expect(g.body).toEqual({
      _index: i,
      _id: "1",
      _version: 1,
      _seq_no: 0,
      _primary_term: 1,
      _routing: "r1",
      found: true,
      _source: { a: 1 },
    });
    expect(Object.keys(g.body)).toEqual(["_index", "_id", "_version", "_seq_no", "_primary_term", "_routing", "found", "_source"]);
    const m = await req("POST", `/${i}/_mget`, { docs: [{ _id: "1", routing: "r1" }] });
    expect(m.body.docs[0]._routing).toBe("r1");
    const s = await req("POST", `/${i}/_search`, { query: { match_all: {} }, seq_no_primary_term: true });
    expect(s.body.hits.hits[0]).toMatchObject({ _id: "1", _routing: "r1", _seq_no: 0 });
    const u = await req("POST", `/${i}/_update/1?routing=r1`, { doc: { b: 2 }, _source: true });
    expect(u.body.get).toMatchObject({ _routing: "r1", found: true, _source: { a: 1, b: 2 } });
    const b = await bulk([{ index: { _index: i, _id: "2", routing: "r2" } }, { a: 2 }]);
    expect(itemsOf(b)[0].result).toBe("created");
    expect((await req("GET", `/${i}/_doc/2?routing=r2`)).body._routing).toBe("r2");
    await req("PUT", `/${i}/_doc/3`, { a: 3 });
    expect((await req("GET", `/${i}/_doc/3`)).body._routing).toBeUndefined();
  });

  test("an alias's index_routing becomes the document's routing; a different request routing is refused", async () => {
    const i = name("routing-alias-backing");
    const alias = name("routing-alias");
    await req("PUT", `/${i}`, { aliases: { [alias]: { index_routing: "ar" } } });
    expect((await req("PUT", `/${alias}/_doc/1`, { a: 1 })).body).toMatchObject({ _index: i, result: "created" });
    expect((await req("GET", `/${i}/_doc/1`)).body._routing).toBe("ar");
    expect((await req("PUT", `/${alias}/_doc/2?routing=ar`, { a: 2 })).status).toBe(201);
    expectError(
      await req("PUT", `/${alias}/_doc/3?routing=x`, { a: 3 }),
      400,
      "illegal_argument_exception",
      `Alias [${alias}] has index routing associated with it [ar], and was provided with routing value [x], rejecting operation`,
    );
  });

  test("an index with _routing.required refuses id-based operations without routing", async () => {
    const i = name("routing-required");
    await req("PUT", `/${i}`, { mappings: { _routing: { required: true } } });
    const reason = `routing is required for [${i}]/[1]`;
    expectError(await req("PUT", `/${i}/_doc/1`, { a: 1 }), 400, "routing_missing_exception", reason);
    expect((await req("PUT", `/${i}/_doc/1?routing=r`, { a: 1 })).status).toBe(201);
    expectError(await req("GET", `/${i}/_doc/1`), 400, "routing_missing_exception", reason);
    expect((await req("GET", `/${i}/_doc/1?routing=r`)).body.found).toBe(true);
    expectError(await req("POST", `/${i}/_update/1`, { doc: { b: 1 } }), 400, "routing_missing_exception", reason);
    expectError(await req("DELETE", `/${i}/_doc/1`), 400, "routing_missing_exception", reason);
    const b = await bulk([{ index: { _index: i, _id: "1" } }, { a: 2 }, { index: { _index: i, _id: "1", routing: "r" } }, { a: 3 }]);
    const [missing, routed] = itemsOf(b);
    expect(missing).toMatchObject({ status: 400, error: { type: "routing_missing_exception", reason } });
    expect(routed).toMatchObject({ result: "updated", status: 200 });
    const m = await req("POST", `/${i}/_mget`, { docs: [{ _id: "1" }, { _id: "1", routing: "r" }] });
    expect(m.body.docs[0].error).toMatchObject({ type: "routing_missing_exception", reason });
    expect(m.body.docs[1].found).toBe(true);
  });
});

describe("mget", () => {
  test("docs across indices, ids with the path's index, missing docs and missing indices per item", async () => {
    const i = name("mget");
    const gone = name("mget-missing");
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    await req("PUT", `/${i}/_doc/2`, { foo: "baz" });
    const r = await req("POST", "/_mget", {
      docs: [
        { _index: i, _id: "1" },
        { _index: i, _id: "3" },
        { _index: gone, _id: "1" },
      ],
    });
    expect(r.status).toBe(200);
    const [found, notFound, noIndex] = r.body.docs;
    expect(found).toEqual({ _index: i, _id: "1", _version: 1, _seq_no: 0, _primary_term: 1, found: true, _source: { foo: "bar" } });
    expect(notFound).toEqual({ _index: i, _id: "3", found: false });
    expect(noIndex).toMatchObject({ _index: gone, _id: "1" });
    expect(noIndex.found).toBeUndefined();
    expect(noIndex.error).toMatchObject({ type: "index_not_found_exception", reason: `no such index [${gone}]`, index: gone });
    expect(noIndex.error.root_cause[0]).toMatchObject({ type: "index_not_found_exception", reason: `no such index [${gone}]` });

    const ids = await req("POST", `/${i}/_mget`, { ids: [1, "3", "2"] });
    expect(ids.body.docs.map((d: any) => [d._id, d.found])).toEqual([
      ["1", true],
      ["3", false],
      ["2", true],
    ]);
    const mixed = await req("POST", `/${i}/_mget`, { docs: [{ _id: "2" }, { _index: gone, _id: "1" }] });
    expect(mixed.body.docs[0]).toMatchObject({ _index: i, _id: "2", found: true });
    expect(mixed.body.docs[1].error.type).toBe("index_not_found_exception");
    const viaGet = await req(
      "GET",
      `/${i}/_mget?source=${encodeURIComponent(JSON.stringify({ ids: ["1"] }))}&source_content_type=application/json`,
    );
    expect(viaGet.body.docs[0]).toMatchObject({ _id: "1", found: true });
  });

  test("an alias over several indices fails its item", async () => {
    const a = name("mget-a1");
    const b = name("mget-a2");
    const alias = name("mget-two");
    await req("PUT", `/${a}`, { aliases: { [alias]: {} } });
    await req("PUT", `/${b}`, { aliases: { [alias]: {} } });
    const r = await req("POST", "/_mget", { docs: [{ _index: alias, _id: "1" }] });
    expect(r.body.docs[0]).toMatchObject({ _index: alias, _id: "1" });
    expect(r.body.docs[0].error.root_cause[0].type).toBe("illegal_argument_exception");
    expect(r.body.docs[0].error.reason).toMatch(
      /[aA]lias \[.*\] has more than one index associated with it \[.*\], can't execute a single index op/,
    );
  });

  test("_source per doc and from the query; stored_fields", async () => {
    const i = name("mget-source");
    await req("PUT", `/${i}`, { mappings: { properties: { count: { type: "integer", store: true } } } });
    await req("PUT", `/${i}/_doc/1`, { include: { field1: "v1", field2: "v2" }, count: 1 });
    await req("PUT", `/${i}/_doc/2`, { include: { field1: "v1", field2: "v2" }, count: 1 });
    const r = await req("POST", "/_mget", {
      docs: [
        { _index: i, _id: "1", _source: false },
        { _index: i, _id: "2", _source: "include.field1" },
        { _index: i, _id: "1", _source: ["include.field1"] },
        { _index: i, _id: "2", _source: { include: ["include"], exclude: ["*.field2"] } },
        { _index: i, _id: "1", stored_fields: ["count"] },
      ],
    });
    const d = r.body.docs;
    expect(d[0]._source).toBeUndefined();
    expect(d[0].found).toBe(true);
    expect(d[1]._source).toEqual({ include: { field1: "v1" } });
    expect(d[2]._source).toEqual({ include: { field1: "v1" } });
    expect(d[3]._source).toEqual({ include: { field1: "v1" } });
    expect(d[4]._source).toBeUndefined();
    expect(d[4].fields).toEqual({ count: [1] });
    const q = await req("POST", `/${i}/_mget?_source_includes=include.field1,count`, { ids: ["1", "2"] });
    expect(q.body.docs.map((x: any) => x._source)).toEqual([
      { include: { field1: "v1" }, count: 1 },
      { include: { field1: "v1" }, count: 1 },
    ]);
    const off = await req("POST", `/${i}/_mget?_source=false`, { ids: ["1"] });
    expect(off.body.docs[0]._source).toBeUndefined();
    const perDocWins = await req("POST", `/${i}/_mget?_source=false`, { docs: [{ _id: "1", _source: true }] });
    expect(perDocWins.body.docs[0]._source).toEqual({ include: { field1: "v1", field2: "v2" }, count: 1 });
  });

  test("realtime and refresh", async () => {
    const i = name("mget-realtime");
    await req("PUT", `/${i}`, { settings: { index: { refresh_interval: -1, number_of_replicas: 0 } } });
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    expect((await req("POST", `/${i}/_mget?realtime=false`, { ids: ["1"] })).body.docs[0].found).toBe(false);
    expect((await req("POST", `/${i}/_mget?realtime=true`, { ids: ["1"] })).body.docs[0].found).toBe(true);
    expect((await req("POST", `/${i}/_mget?realtime=false&refresh=true`, { ids: ["1"] })).body.docs[0].found).toBe(true);
  });

  test("a version conflict fails its item", async () => {
    const i = name("mget-version");
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    const r = await req("POST", `/${i}/_mget`, {
      docs: [
        { _id: "1", version: 1 },
        { _id: "1", version: 2 },
      ],
    });
    expect(r.body.docs[0].found).toBe(true);
    expect(r.body.docs[1].error).toMatchObject({
      type: "version_conflict_engine_exception",
      reason: "[1]: version conflict, current version [1] is different than the one provided [2]",
    });
  });

  test("request errors: missing index or id, no documents, unknown keys and fields, no body", async () => {
    const i = name("mget-errors");
    await req("PUT", `/${i}/_doc/1`, { foo: "bar" });
    expectError(
      await req("POST", "/_mget", { docs: [{ _index: i }] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: id is missing for doc 0;",
    );
    expectError(
      await req("POST", "/_mget", { docs: [{ _id: "1" }] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: index is missing for doc 0;",
    );
    expectError(
      await req("POST", "/_mget", { docs: [{ _index: i, _id: "1" }, { _id: "2" }, { _index: i }] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: index is missing for doc 1;2: id is missing for doc 2;",
    );
    expectError(
      await req("POST", "/_mget", { ids: ["1"] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: index is missing for doc 0;",
    );
    expectError(
      await req("POST", "/_mget", { docs: [] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: no documents to get;",
    );
    expectError(
      await req("POST", `/${i}/_mget`, {}),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: no documents to get;",
    );
    expectError(
      await req("POST", `/${i}/_mget`, { doc: [{ _id: "1" }] }),
      400,
      "parsing_exception",
      "unknown key [doc] for a START_ARRAY, expected [docs] or [ids]",
    );
    expectError(
      await req("POST", `/${i}/_mget`, { docs: [{ _id: "1", nope: 1 }] }),
      400,
      "parse_exception",
      "failed to parse multi get request. unknown field [nope]",
    );
    expectError(
      await req("POST", `/${i}/_mget`, { docs: [{ _id: "1", fields: ["a"] }] }),
      400,
      "parsing_exception",
      "Unsupported field [fields] used, expected [stored_fields] instead",
    );
    expectError(
      await req("POST", `/${i}/_mget`, { docs: ["1"] }),
      400,
      "illegal_argument_exception",
      "docs array element should include an object",
    );
    expectError(
      await req("POST", `/${i}/_mget`, { ids: [{ a: 1 }] }),
      400,
      "illegal_argument_exception",
      "ids array element should only contain ids",
    );
    expectError(await req("POST", `/${i}/_mget`), 400, "parse_exception", "request body or source parameter is required");
    expectError(
      await req("POST", `/${i}/_mget`, { ids: [null] }),
      400,
      "illegal_argument_exception",
      "ids array element should only contain ids",
    );
    expectError(
      await req("POST", `/${i}/_mget`, { docs: [{ _id: null }] }),
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: id is missing for doc 0;",
    );
  });
});

describe("not supported in es-sim", () => {
  simOnly("ingest pipelines in bulk metadata fail their item", async () => {
    const i = name("bulk-unsupported");
    const r = await bulk([{ index: { _index: i, pipeline: "p" } }, { a: 1 }]);
    const [p] = itemsOf(r);
    expect(p.error.reason).toMatch(/^es-sim does not support ingest pipelines/);
  });
});
