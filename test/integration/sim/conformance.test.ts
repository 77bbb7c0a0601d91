/**
 * Conformance suite: REST behaviour every case expects from Elasticsearch 8.x, against es-sim or,
 * with `ES_URL`, a real cluster (test/helpers/conformance.ts). Further families have their own
 * `conformance.<family>.test.ts` beside this file.
 */
import { ndjson } from "../../helpers/sim";
import { conformanceTarget, expectError, simOnly } from "../../helpers/conformance";

const { name, req, bulk } = conformanceTarget();

describe("protocol", () => {
  test("GET / and the product header on success and error responses", async () => {
    const r = await req("GET", "/");
    expect(r.status).toBe(200);
    expect(r.headers.get("x-elastic-product")).toBe("Elasticsearch");
    expect(r.headers.get("content-type")).toMatch(/application\/json/);
    expect(Object.keys(r.body)).toEqual(["name", "cluster_name", "cluster_uuid", "version", "tagline"]);
    expect(r.body.version).toMatchObject({ build_flavor: "default" });
    expect(r.body.version.number).toMatch(/^8\.\d+\.\d+/);
    const e = await req("GET", `/${name("missing")}`);
    expect(e.headers.get("x-elastic-product")).toBe("Elasticsearch");
    expect(e.headers.get("content-type")).toMatch(/application\/json/);
  });

  test("vendored media types: compatible-with=8 accepted, 9 refused", async () => {
    const ok = await req(
      "PUT",
      `/${name("vnd")}/_doc/1`,
      { a: 1 },
      {
        "content-type": "application/vnd.elasticsearch+json; compatible-with=8",
        accept: "application/vnd.elasticsearch+json; compatible-with=8",
      },
    );
    expect(ok.status).toBe(201);
    const nd = await req("POST", "/_bulk", ndjson([{ index: { _index: name("vnd"), _id: "2" } }, { a: 2 }]), {
      "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
      accept: "application/vnd.elasticsearch+json; compatible-with=8",
    });
    expect(nd.status).toBe(200);
    const bad = await req("GET", "/", undefined, { accept: "application/vnd.elasticsearch+json; compatible-with=9" });
    expectError(bad, 400, "media_type_header_exception", "Invalid media-type value on headers [Accept, Content-Type]");
    expect(bad.body.error.caused_by.reason).toBe(
      "Accept version must be either version 8 or 7, but found 9. Accept=application/vnd.elasticsearch+json; compatible-with=9",
    );
  });

  test("unknown path → 400 no handler; wrong method → 405 with Allow", async () => {
    const r = await req("GET", "/_cluster/nothing/here/at/all");
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: "no handler found for uri [/_cluster/nothing/here/at/all] and method [GET]", status: 400 });
    const m = await req("DELETE", "/_cluster/health");
    expect(m.status).toBe(405);
    expect(m.body).toEqual({ error: "Incorrect HTTP method for uri [/_cluster/health] and method [DELETE], allowed: [GET]", status: 405 });
    expect(m.headers.get("allow")).toBe("GET");
  });

  test("unknown query parameter → 400 with a suggestion", async () => {
    const r = await req("GET", "/_cluster/health?levle=indices");
    expectError(
      r,
      400,
      "illegal_argument_exception",
      "request [/_cluster/health] contains unrecognized parameter: [levle] -> did you mean [level]?",
    );
  });

  test("malformed JSON → 400 x_content_parse_exception with [line:col]", async () => {
    const r = await req("PUT", `/${name("badjson")}`, '{"settings": {bad}}');
    expect(r.status).toBe(400);
    expect(["x_content_parse_exception", "json_parse_exception", "parse_exception"]).toContain(r.body.error.type);
    const s = await req("POST", `/${name("badjson")}/_search`, '{"query": }');
    expect(s.status).toBe(400);
  });

  test("a body with an unsupported content type → 406", async () => {
    const r = await req("PUT", `/${name("ct")}/_doc/1`, '{"a":1}', { "content-type": "text/plain" });
    expect(r.status).toBe(406);
    expect(r.body).toEqual({ error: "Content-Type header [text/plain] is not supported", status: 406 });
  });

  simOnly("unimplemented APIs answer an explicit error naming them (es-sim)", async () => {
    const r = await req("POST", "/_reindex", {});
    expectError(r, 400, "illegal_argument_exception", /es-sim does not support the \[reindex\] API/);
  });
});

describe("indices", () => {
  test("create, exists, get, already exists, delete, not found", async () => {
    const i = name("idx");
    const c = await req("PUT", `/${i}`, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { f: { type: "keyword" } } },
    });
    expect(c.body).toEqual({ acknowledged: true, shards_acknowledged: true, index: i });
    expect((await req("HEAD", `/${i}`)).status).toBe(200);
    const g = await req("GET", `/${i}`);
    expect(Object.keys(g.body[i]).sort()).toEqual(["aliases", "mappings", "settings"]);
    expect(g.body[i].settings.index).toMatchObject({ number_of_shards: "1", number_of_replicas: "0", provided_name: i });
    expect(g.body[i].settings.index.uuid).toMatch(/^[\w-]{22}$/);
    expect(g.body[i].settings.index.creation_date).toMatch(/^\d+$/);
    expect(g.body[i].settings.index.version.created).toMatch(/^\d+$/);
    const again = await req("PUT", `/${i}`, {});
    expectError(again, 400, "resource_already_exists_exception", new RegExp(`^index \\[${i}/[\\w-]+\\] already exists$`));
    expect((await req("DELETE", `/${i}`)).body).toEqual({ acknowledged: true });
    expect((await req("HEAD", `/${i}`)).status).toBe(404);
    const nf = await req("GET", `/${i}`);
    expectError(nf, 404, "index_not_found_exception", `no such index [${i}]`);
    expect(nf.body.error).toMatchObject({ "resource.type": "index_or_alias", "resource.id": i, index_uuid: "_na_", index: i });
  });

  test("invalid index names", async () => {
    const cases: Array<[string, string]> = [
      ["UPPER", "must be lowercase"],
      ["_under", "must not start with '_', '-', or '+'"],
      ["a*b", `must not contain the following characters [' ','"','*',',','/','<','>','?','\\','|']`],
      ["a#b", "must not contain '#'"],
    ];
    for (const [n, why] of cases) {
      const r = await req("PUT", `/${encodeURIComponent(n)}`, {});
      expectError(r, 400, "invalid_index_name_exception", `Invalid index name [${n}], ${why}`);
    }
  });

  test("settings: defaults, dynamic update, static refused on open index, unknown refused", async () => {
    const i = name("settings");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    const d = await req("GET", `/${i}/_settings?include_defaults=true&flat_settings=true`);
    expect(d.body[i].defaults).toMatchObject({
      "index.refresh_interval": "1s",
      "index.soft_deletes.enabled": "true",
      "index.soft_deletes.retention_lease.period": "12h",
    });
    expect((await req("PUT", `/${i}/_settings`, { index: { refresh_interval: "2s" } })).body).toEqual({ acknowledged: true });
    expect((await req("GET", `/${i}/_settings/index.refresh_interval`)).body[i].settings.index.refresh_interval).toBe("2s");
    const st = await req("PUT", `/${i}/_settings`, { "index.number_of_shards": 2 });
    expectError(st, 400, "illegal_argument_exception", /index\.number_of_shards/);
    const unk = await req("PUT", `/${i}/_settings`, { "index.no_such_setting": 1 });
    expectError(unk, 400, "illegal_argument_exception", /^unknown setting \[index\.no_such_setting\]/);
    const sd = await req("PUT", `/${name("nosoft")}`, { settings: { "index.soft_deletes.enabled": false } });
    expectError(sd, 400, "illegal_argument_exception", /^Creating indices with soft-deletes disabled is no longer supported/);
  });

  test("write block: 403 cluster_block_exception, lifted by a settings update", async () => {
    const i = name("block");
    await req("PUT", `/${i}`, {});
    const b = await req("PUT", `/${i}/_block/write`);
    expect(b.body).toEqual({ acknowledged: true, shards_acknowledged: true, indices: [{ name: i, blocked: true }] });
    expect((await req("GET", `/${i}/_settings/index.blocks.write`)).body[i].settings.index.blocks.write).toBe("true");
    const w = await req("PUT", `/${i}/_doc/1`, { a: 1 });
    expectError(w, 403, "cluster_block_exception", `index [${i}] blocked by: [FORBIDDEN/8/index write (api)];`);
    await req("PUT", `/${i}/_settings`, { "index.blocks.write": false });
    expect((await req("PUT", `/${i}/_doc/1`, { a: 1 })).status).toBe(201);
  });

  test("close and open: writes and searches on a closed index fail with index_closed_exception", async () => {
    const i = name("closed");
    await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1 });
    const c = await req("POST", `/${i}/_close`);
    expect(c.body).toEqual({ acknowledged: true, shards_acknowledged: true, indices: { [i]: { closed: true } } });
    expectError(await req("PUT", `/${i}/_doc/2`, { a: 2 }), 400, "index_closed_exception", "closed");
    expectError(await req("GET", `/${i}/_search`), 400, "index_closed_exception", "closed");
    expectError(await req("GET", `/${i}/_doc/1`), 400, "index_closed_exception", "closed");
    expect((await req("POST", `/${i}/_open`)).body).toEqual({ acknowledged: true, shards_acknowledged: true });
    expect((await req("GET", `/${i}/_doc/1`)).body.found).toBe(true);
  });

  test("mappings with _meta; dynamic mapping of strings as text + keyword", async () => {
    const i = name("mapping");
    await req("PUT", `/${i}`, { mappings: { _meta: { v: 1 } } });
    expect((await req("PUT", `/${i}/_mapping`, { _meta: { v: 2 }, properties: { n: { type: "long" } } })).body).toEqual({
      acknowledged: true,
    });
    await req("PUT", `/${i}/_doc/1`, { user: "kimchy", count: 3, ok: true });
    const m = (await req("GET", `/${i}/_mapping`)).body[i].mappings;
    expect(m._meta).toEqual({ v: 2 });
    expect(m.properties.user).toEqual({ type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } });
    expect(m.properties.count).toEqual({ type: "long" });
    expect(m.properties.ok).toEqual({ type: "boolean" });
  });

  test("stats: docs, seq_no and retention_leases at level=shards", async () => {
    const i = name("stats");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    await req("PUT", `/${i}/_doc/1`, { a: 1 });
    await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 2 });
    const s = (await req("GET", `/${i}/_stats?level=shards`)).body;
    expect(s._shards).toMatchObject({ total: 1, successful: 1, failed: 0 });
    expect(s.indices[i].primaries.docs.count).toBe(1);
    const shard = s.indices[i].shards["0"][0];
    expect(shard.routing).toMatchObject({ state: "STARTED", primary: true });
    expect(shard.seq_no).toEqual({ max_seq_no: 1, local_checkpoint: 1, global_checkpoint: 1 });
    expect(shard.retention_leases).toMatchObject({ primary_term: 1 });
    expect(shard.retention_leases.leases[0]).toMatchObject({ source: "peer recovery" });
    expect(shard.retention_leases.leases[0].id).toMatch(/^peer_recovery\//);
  });

  test("forcemerge answers _shards", async () => {
    const i = name("merge");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    const r = await req("POST", `/${i}/_forcemerge?max_num_segments=1`);
    expect(r.body).toEqual({ _shards: { total: 1, successful: 1, failed: 0 } });
  });

  test("_cat/indices format=json", async () => {
    const i = name("cat");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 0 } });
    await req("PUT", `/${i}/_doc/1?refresh=true`, { a: 1 });
    const r = await req("GET", `/_cat/indices/${i}?format=json`);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ health: "green", status: "open", index: i, pri: "1", rep: "0", "docs.count": "1" });
    const v = await req("GET", `/_cat/indices/${i}?v&h=index,docs.count`);
    expect(v.text.split("\n")[0]).toMatch(/^index\s+docs\.count$/);
  });
});

describe("cluster", () => {
  test("health is yellow while an index has replicas on one node; level=indices", async () => {
    const i = name("health");
    await req("PUT", `/${i}`, { settings: { number_of_replicas: 1 } });
    const h = await req("GET", `/_cluster/health/${i}?level=indices`);
    expect(h.body).toMatchObject({
      status: "yellow",
      timed_out: false,
      number_of_nodes: 1,
      active_primary_shards: 1,
      unassigned_shards: 1,
    });
    expect(h.body.indices[i]).toMatchObject({ status: "yellow", number_of_shards: 1, number_of_replicas: 1 });
    await req("PUT", `/${i}/_settings`, { number_of_replicas: 0 });
    expect((await req("GET", `/_cluster/health/${i}`)).body.status).toBe("green");
    const t = await req("GET", `/_cluster/health/${name("never")}?wait_for_status=green&timeout=200ms`);
    expect(t.status).toBe(408);
    expect(t.body).toMatchObject({ status: "red", timed_out: true });
  });

  test("cluster settings: persistent and transient, nested or flat, null removes, unknown refused", async () => {
    const put = await req("PUT", "/_cluster/settings", {
      persistent: { action: { auto_create_index: "true" } },
      transient: { "search.default_search_timeout": "50s" },
    });
    expect(put.body).toEqual({
      acknowledged: true,
      persistent: { action: { auto_create_index: "true" } },
      transient: { search: { default_search_timeout: "50s" } },
    });
    const flat = await req("GET", "/_cluster/settings?flat_settings=true");
    expect(flat.body.persistent["action.auto_create_index"]).toBe("true");
    expect(flat.body.transient["search.default_search_timeout"]).toBe("50s");
    const cleared = await req("PUT", "/_cluster/settings", {
      persistent: { "action.auto_create_index": null },
      transient: { "search.default_search_timeout": null },
    });
    expect(cleared.body).toEqual({ acknowledged: true, persistent: {}, transient: {} });
    const after = await req("GET", "/_cluster/settings?flat_settings=true");
    expect(after.body.persistent["action.auto_create_index"]).toBeUndefined();
    expectError(
      await req("PUT", "/_cluster/settings", { persistent: { "no.such.setting": 1 } }),
      400,
      "illegal_argument_exception",
      "persistent setting [no.such.setting], not recognized",
    );
  });

  test("cluster settings: an update with nothing in it is a validation error, absent or empty scopes alike", async () => {
    for (const body of [{}, { persistent: {} }, { persistent: {}, transient: {} }]) {
      expectError(
        await req("PUT", "/_cluster/settings", body),
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: no settings to update;",
      );
    }
  });
});

describe("documents", () => {
  test("index/create/get/delete with ES's numbering and statuses", async () => {
    const i = name("docs");
    const c = await req("PUT", `/${i}/_doc/1`, { user: "kimchy" });
    expect(c.status).toBe(201);
    expect(Object.keys(c.body)).toEqual(["_index", "_id", "_version", "result", "_shards", "_seq_no", "_primary_term"]);
    expect(c.body).toMatchObject({ _index: i, _id: "1", _version: 1, result: "created", _seq_no: 0, _primary_term: 1 });
    const u = await req("PUT", `/${i}/_doc/1`, { user: "kimchy2" });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ _version: 2, result: "updated", _seq_no: 1 });
    const dup = await req("PUT", `/${i}/_create/1`, { user: "x" });
    expectError(dup, 409, "version_conflict_engine_exception", "[1]: version conflict, document already exists (current version [2])");
    expect(dup.body.error).toMatchObject({ shard: "0", index: i });
    const cas = await req("PUT", `/${i}/_doc/1?if_seq_no=0&if_primary_term=1`, { user: "y" });
    expectError(
      cas,
      409,
      "version_conflict_engine_exception",
      "[1]: version conflict, required seqNo [0], primary term [1]. current document has seqNo [1] and primary term [1]",
    );
    const ok = await req("PUT", `/${i}/_doc/1?if_seq_no=1&if_primary_term=1`, { user: "z" });
    expect(ok.body).toMatchObject({ _seq_no: 2, _version: 3 });
    const g = await req("GET", `/${i}/_doc/1`);
    expect(g.body).toEqual({ _index: i, _id: "1", _version: 3, _seq_no: 2, _primary_term: 1, found: true, _source: { user: "z" } });
    const miss = await req("GET", `/${i}/_doc/nope`);
    expect(miss.status).toBe(404);
    expect(miss.body).toEqual({ _index: i, _id: "nope", found: false });
    const dm = await req("DELETE", `/${i}/_doc/nope`);
    expect(dm.status).toBe(404);
    expect(dm.body).toMatchObject({ result: "not_found", _seq_no: 3, _version: 1 });
    const d = await req("DELETE", `/${i}/_doc/1`);
    expect(d.body).toMatchObject({ result: "deleted", _seq_no: 4, _version: 4 });
    const re = await req("PUT", `/${i}/_doc/1`, { user: "back" });
    expect(re.body).toMatchObject({ result: "created", _version: 5, _seq_no: 5 });
    const auto = await req("POST", `/${i}/_doc`, { user: "auto" });
    expect(auto.status).toBe(201);
    expect(auto.body._id).toMatch(/^[\w-]{20}$/);
  });

  test("update: partial doc, noop, doc_as_upsert, document_missing_exception", async () => {
    const i = name("update");
    await req("PUT", `/${i}/_doc/1`, { a: 1, o: { x: 1, y: 2 } });
    const u = await req("POST", `/${i}/_update/1`, { doc: { o: { y: 3 } } });
    expect(u.body).toMatchObject({ result: "updated", _version: 2, _seq_no: 1 });
    expect((await req("GET", `/${i}/_doc/1`)).body._source).toEqual({ a: 1, o: { x: 1, y: 3 } });
    const n = await req("POST", `/${i}/_update/1`, { doc: { a: 1 } });
    expect(n.body).toMatchObject({ result: "noop", _version: 2, _seq_no: 1, _shards: { total: 0, successful: 0, failed: 0 } });
    const miss = await req("POST", `/${i}/_update/2`, { doc: { a: 1 } });
    expectError(miss, 404, "document_missing_exception", "[2]: document missing");
    const up = await req("POST", `/${i}/_update/2`, { doc: { a: 9 }, doc_as_upsert: true });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ result: "created", _version: 1, _seq_no: 2 });
  });

  test("bulk with partial failures: per-item status and errors flag", async () => {
    const i = name("bulk");
    await req("PUT", `/${i}/_doc/x`, { a: 0 });
    const body =
      [
        JSON.stringify({ index: { _index: i, _id: "1" } }),
        JSON.stringify({ a: 1 }),
        JSON.stringify({ create: { _index: i, _id: "x" } }),
        JSON.stringify({ a: 2 }),
        JSON.stringify({ update: { _index: i, _id: "missing" } }),
        JSON.stringify({ doc: { a: 3 } }),
        JSON.stringify({ delete: { _index: i, _id: "gone" } }),
        JSON.stringify({ index: { _index: i, _id: "bad" } }),
        '{"a": }',
        JSON.stringify({ delete: { _index: i, _id: "1" } }),
      ].join("\n") + "\n";
    const b = await req("POST", "/_bulk", body, { "content-type": "application/x-ndjson" });
    expect(b.status).toBe(200);
    expect(b.body.errors).toBe(true);
    const items = b.body.items;
    expect(items.map((it: any) => Object.keys(it)[0])).toEqual(["index", "create", "update", "delete", "index", "delete"]);
    expect(items.map((it: any) => (Object.values(it)[0] as any).status)).toEqual([201, 409, 404, 404, 400, 200]);
    expect(items[1].create.error.type).toBe("version_conflict_engine_exception");
    expect(items[2].update.error.type).toBe("document_missing_exception");
    expect(items[3].delete.result).toBe("not_found");
    expect(items[4].index.error.type).toBe("document_parsing_exception");
    expect(items[0].index).toMatchObject({ _seq_no: 1, result: "created" });
    expect(items[3].delete._seq_no).toBe(2); // failed items consumed no seq_no; the not_found delete did
    expect(items[5].delete._seq_no).toBe(3);
  });

  test("bulk request-level errors", async () => {
    const noNewline = await req("POST", "/_bulk", JSON.stringify({ index: { _index: name("b2") } }) + "\n" + JSON.stringify({ a: 1 }), {
      "content-type": "application/x-ndjson",
    });
    expectError(noNewline, 400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]");
    const badAction = await bulk([{ upsert: { _index: name("b2") } }, { a: 1 }]);
    expectError(
      badAction,
      400,
      "illegal_argument_exception",
      /^Malformed action\/metadata line \[1\], expected field \[create\], \[delete\], \[index\] or \[update\] but found \[upsert\]$/,
    );
    const noIndex = await bulk([{ index: { _id: "1" } }, { a: 1 }]);
    expectError(noIndex, 400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
  });

  test("if_seq_no without if_primary_term is a validation error", async () => {
    const r = await req("PUT", `/${name("cas")}/_doc/1?if_seq_no=1`, { a: 1 });
    expectError(r, 400, "action_request_validation_exception", "Validation Failed: 1: ifSeqNo is set, but primary term is [0];");
  });
});

describe("search", () => {
  const i = name("search");
  beforeAll(async () => {
    await req("PUT", `/${i}`, {
      settings: { number_of_replicas: 0 },
      mappings: { properties: { user: { type: "keyword" }, msg: { type: "text" }, n: { type: "long" } } },
    });
    const docs = [
      { user: "kimchy", msg: "trying out Elasticsearch", n: 1 },
      { user: "alice", msg: "quick brown fox", n: 2 },
      { user: "bob", msg: "the lazy dog", n: 3 },
      { user: "kimchy", msg: "another quick note", n: 4 },
    ];
    await bulk(
      docs.flatMap((d, k) => [{ index: { _index: i, _id: String(k + 1) } }, d]),
      "?refresh=true",
    );
  });

  test("q= query string: field:value, phrases, boolean operators, ranges, _exists_", async () => {
    const ids = async (q: string) =>
      ((await req("GET", `/${i}/_search?q=${encodeURIComponent(q)}&sort=n:asc`)).body.hits.hits as any[]).map((h) => h._id);
    expect(await ids("user:kimchy")).toEqual(["1", "4"]);
    expect(await ids("msg:quick AND user:alice")).toEqual(["2"]);
    expect(await ids('msg:"lazy dog"')).toEqual(["3"]);
    expect(await ids("n:[2 TO 3]")).toEqual(["2", "3"]);
    expect(await ids("quick -user:kimchy")).toEqual(["2"]);
    expect(await ids("_exists_:user")).toEqual(["1", "2", "3", "4"]);
  });

  test("query DSL, seq_no_primary_term, version, _source filtering, track_total_hits, count", async () => {
    const r = await req("POST", `/${i}/_search`, {
      query: { bool: { must: [{ match: { msg: "quick" } }], filter: [{ range: { _seq_no: { gte: 0 } } }] } },
      seq_no_primary_term: true,
      version: true,
      _source: ["user"],
      sort: [{ n: "desc" }],
    });
    expect(r.body).toMatchObject({ timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
    expect(typeof r.body.took).toBe("number");
    expect(r.body.hits.total).toEqual({ value: 2, relation: "eq" });
    expect(r.body.hits.hits[0]).toMatchObject({
      _index: i,
      _id: "4",
      _version: 1,
      _seq_no: 3,
      _primary_term: 1,
      _source: { user: "kimchy" },
    });
    const nt = await req("POST", `/${i}/_search`, { track_total_hits: false, size: 1 });
    expect(nt.body.hits.total).toBeUndefined();
    const c = await req("POST", `/${i}/_count`, { query: { term: { user: "kimchy" } } });
    expect(c.body).toEqual({ count: 2, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
  });

  test("aggregations: terms with a metric sub-aggregation, metrics next to hits", async () => {
    const r = await req("POST", `/${i}/_search`, {
      size: 0,
      query: { range: { n: { gte: 1 } } },
      aggs: {
        users: { terms: { field: "user" }, aggs: { top: { max: { field: "n" } } } },
        total: { sum: { field: "n" } },
        mean: { avg: { field: "n" } },
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.hits).toMatchObject({ total: { value: 4, relation: "eq" }, hits: [] });
    expect(r.body.aggregations).toEqual({
      users: {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: 0,
        buckets: [
          { key: "kimchy", doc_count: 2, top: { value: 4 } },
          { key: "alice", doc_count: 1, top: { value: 2 } },
          { key: "bob", doc_count: 1, top: { value: 3 } },
        ],
      },
      total: { value: 10 },
      mean: { value: 2.5 },
    });
    expectError(
      await req("POST", `/${i}/_search`, { size: 0, aggs: { m: { terms: { field: "msg" } } } }),
      400,
      "search_phase_execution_exception",
      /all shards failed/,
    );
  });

  simOnly("aggregations over several indices answer an explicit error (es-sim)", async () => {
    const other = name("search-other");
    await req("PUT", `/${other}`, { settings: { number_of_replicas: 0 } });
    expectError(
      await req("POST", `/${i},${other}/_search`, { size: 0, aggs: { u: { terms: { field: "user" } } } }),
      400,
      "illegal_argument_exception",
      /^es-sim does not support aggregations over more than one index/,
    );
    await req("DELETE", `/${other}`);
  });

  test("near-real-time: a write is searchable after a refresh, not before", async () => {
    const nrt = name("nrt");
    await req("PUT", `/${nrt}`, { settings: { number_of_replicas: 0, refresh_interval: "-1" } });
    await req("PUT", `/${nrt}/_doc/1`, { user: "kimchy" });
    expect((await req("GET", `/${nrt}/_count`)).body.count).toBe(0);
    expect((await req("GET", `/${nrt}/_doc/1`)).body.found).toBe(true); // realtime get
    const rf = await req("POST", `/${nrt}/_refresh`);
    expect(rf.body._shards).toMatchObject({ successful: 1, failed: 0 });
    expect((await req("GET", `/${nrt}/_count`)).body.count).toBe(1);
    const w = await req("PUT", `/${nrt}/_doc/2?refresh=true`, { user: "b" });
    expect(w.body.forced_refresh).toBe(true);
    expect((await req("GET", `/${nrt}/_count`)).body.count).toBe(2);
    await req("PUT", `/${nrt}/_settings`, { refresh_interval: "100ms" });
    const wf = await req("PUT", `/${nrt}/_doc/3?refresh=wait_for`, { user: "c" });
    expect(wf.status).toBe(201);
    expect((await req("GET", `/${nrt}/_count`)).body.count).toBe(3);
  });

  test("search on a missing index is 404; ignore_unavailable and wildcards are lenient", async () => {
    expectError(await req("GET", `/${name("nothere")}/_search`), 404, "index_not_found_exception", `no such index [${name("nothere")}]`);
    const lenient = await req("GET", `/${name("nothere")}/_search?ignore_unavailable=true`);
    expect(lenient.status).toBe(200);
    const wc = await req("GET", `/${name("zzz")}*/_search`);
    expect(wc.body.hits.total).toEqual({ value: 0, relation: "eq" });
  });
});
