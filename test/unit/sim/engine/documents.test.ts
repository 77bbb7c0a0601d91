/**
 * Engine rules of the document family without HTTP: write request validation in ES's order,
 * versioned reads, stored fields, and `_mget` body parsing and per-item results. MemoryStorage and
 * a stub search library, as in cluster.test.ts.
 */
import { getDoc, indexDoc, writeRequestProblems } from "../../../../sim/engine/actions/documents";
import { createIndex } from "../../../../sim/engine/actions/indexAdmin";
import { multiGet, parseMultiGetBody } from "../../../../sim/engine/actions/multiGet";
import { Cluster } from "../../../../sim/engine/cluster";
import { storedFieldValues } from "../../../../sim/engine/docUtils";
import { EsError } from "../../../../sim/engine/errors";
import { MemoryStorage } from "../../../../sim/engine/storage";
import { stubSearchLibrary } from "../../../helpers/sim";

const clock = () => 1_700_000_000_000;

async function open() {
  return Cluster.open({
    clusterName: "c",
    nodeName: "n",
    storage: new MemoryStorage(),
    search: stubSearchLibrary,
    clock,
    startTimers: false,
  });
}

function esError(f: () => unknown): EsError {
  try {
    f();
  } catch (e) {
    if (e instanceof EsError) return e;
    throw e;
  }
  throw new Error("expected an EsError");
}

describe("write request validation (IndexRequest/DeleteRequest/UpdateRequest.validate)", () => {
  test("create's own rules end the check", () => {
    expect(writeRequestProblems({ kind: "index", id: "1" }, { opType: "create", versionType: "external" })).toEqual([
      "create operations only support internal versioning. use index instead",
    ]);
    expect(writeRequestProblems({ kind: "index", id: "1" }, { opType: "create", version: 2 })).toEqual([
      "create operations do not support explicit versions. use index instead",
    ]);
    expect(writeRequestProblems({ kind: "index", id: "1" }, { opType: "create", ifSeqNo: 1, ifPrimaryTerm: 1 })).toEqual([
      "create operations do not support compare and set. use index instead",
    ]);
  });

  test("versions and compare-and-set", () => {
    expect(writeRequestProblems({ kind: "index", id: "1" }, { versionType: "external" })).toEqual([
      "illegal version value [-3] for version type [EXTERNAL]",
    ]);
    expect(writeRequestProblems({ kind: "index" }, { versionType: "external", version: 3 })).toEqual([
      "an id must be provided if version type or value are set",
    ]);
    expect(
      writeRequestProblems({ kind: "delete", id: "1" }, { ifSeqNo: 1, ifPrimaryTerm: 1, version: 2, versionType: "external" }),
    ).toEqual(["compare and write operations can not use versioning"]);
    expect(writeRequestProblems({ kind: "delete", id: "" }, { ifPrimaryTerm: 2 })).toEqual([
      "id is missing",
      "ifSeqNo is unassigned, but primary term is [2]",
    ]);
  });

  test("update: doc required, compare-and-set excludes retries and upserts", () => {
    expect(writeRequestProblems({ kind: "update", id: "1", updateBody: { upsert: { a: 1 } } }, {})).toEqual(["script or doc is missing"]);
    expect(
      writeRequestProblems(
        { kind: "update", id: "1", updateBody: { doc: { a: 1 }, doc_as_upsert: true, upsert: { a: 0 } }, retryOnConflict: 1 },
        { ifSeqNo: 0, ifPrimaryTerm: 1 },
      ),
    ).toEqual([
      "compare and write operations can not be retried",
      "compare and write operations can not be used with upsert",
      "upsert requests don't support `if_seq_no` and `if_primary_term`",
    ]);
  });
});

describe("reads", () => {
  test("a version that differs from a live document's is a conflict; a missing document is not found", async () => {
    const cluster = await open();
    await indexDoc(cluster, "i", "1", { a: 1 }, {});
    await indexDoc(cluster, "i", "1", { a: 2 }, {});
    expect(getDoc(cluster, "i", "1", { version: 2, versionType: "external_gte" }).status).toBe(200);
    const e = esError(() => getDoc(cluster, "i", "1", { version: 1 }));
    expect(e.type).toBe("version_conflict_engine_exception");
    expect(e.reason).toBe("[1]: version conflict, current version [2] is different than the one provided [1]");
    expect(getDoc(cluster, "i", "2", { version: 1 }).status).toBe(404);
    expect(esError(() => getDoc(cluster, "i", "1", { version: 0 })).reason).toBe(
      "Validation Failed: 1: illegal version value [0] for version type [INTERNAL];",
    );
  });

  test("routing is kept with the document, in its history and through replication", async () => {
    const cluster = await open();
    await indexDoc(cluster, "i", "1", { a: 1 }, { routing: "r" });
    expect(getDoc(cluster, "i", "1", { routing: "r" }).body).toMatchObject({ _routing: "r", found: true });
    const ops = cluster.requireShard("i").readOperations(0, 0, 10, clock());
    expect(ops[0]).toMatchObject({ id: "1", routing: "r" });
    await createIndex(cluster, "f", {});
    cluster.requireShard("f").applyReplicated(ops[0]!, clock());
    expect(getDoc(cluster, "f", "1", {}).body).toMatchObject({ _routing: "r", found: true });
  });

  test("stored fields: store:true fields (and multi-fields) only, values as arrays", () => {
    const mappings = {
      properties: {
        a: { type: "keyword", store: true },
        b: { type: "text", fields: { raw: { type: "keyword", store: true } } },
        o: { properties: { n: { type: "long", store: true }, m: { type: "long" } } },
      },
    };
    const source = { a: "x", b: "y", o: [{ n: 1, m: 2 }, { n: 3 }] };
    expect(storedFieldValues(mappings, source, ["*"])).toEqual({ a: ["x"], "b.raw": ["y"], "o.n": [1, 3] });
    expect(storedFieldValues(mappings, source, ["b", "o.m"])).toEqual({});
  });
});

describe("_mget", () => {
  test("body parsing: defaults from the path and query, per-doc _source, validation in one error", () => {
    const items = parseMultiGetBody(
      { docs: [{ _id: "1", _source: { include: "a", exclude: ["b"] } }], ids: [2] },
      { index: "i", routing: "r" },
    );
    expect(items).toEqual([
      { index: "i", id: "1", routing: "r", source: { enabled: true, includes: ["a"], excludes: ["b"] } },
      { index: "i", id: "2", routing: "r" },
    ]);
    expect(esError(() => parseMultiGetBody({ docs: [{ _id: "1" }, { _index: "i" }] }, {})).reason).toBe(
      "Validation Failed: 1: index is missing for doc 0;2: id is missing for doc 1;",
    );
    expect(esError(() => parseMultiGetBody({ docs: {} }, {})).reason).toBe(
      "unexpected token [START_OBJECT], expected [FIELD_NAME] or [START_ARRAY]",
    );
    expect(esError(() => parseMultiGetBody({ docs: [{ _id: "1", _source: 1 }] }, { index: "i" })).reason).toBe(
      "illegal type for _source: [VALUE_NUMBER_INT]",
    );
  });

  test("per-item results: found, not found, missing index", async () => {
    const cluster = await open();
    await createIndex(cluster, "i", {});
    await indexDoc(cluster, "i", "1", { a: 1 }, {});
    const r = multiGet(
      cluster,
      parseMultiGetBody(
        {
          docs: [
            { _index: "i", _id: "1" },
            { _index: "i", _id: "2" },
            { _index: "nope", _id: "1" },
          ],
        },
        {},
      ),
      {},
    );
    const docs = r.docs as any[];
    expect(docs[0]).toMatchObject({ _index: "i", _id: "1", found: true, _source: { a: 1 } });
    expect(docs[1]).toEqual({ _index: "i", _id: "2", found: false });
    expect(docs[2]).toMatchObject({ _index: "nope", _id: "1", error: { type: "index_not_found_exception" } });
    expect(docs[2].error.root_cause).toEqual([
      expect.objectContaining({ type: "index_not_found_exception", reason: "no such index [nope]" }),
    ]);
  });
});
