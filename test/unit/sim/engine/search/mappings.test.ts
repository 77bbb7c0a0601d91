import { EsError } from "../../../../../sim/engine/errors";
import { mapDocument, Mappings, mergeMappings, validateMappings } from "../../../../../sim/engine/search";

function thrown(fn: () => unknown): EsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EsError) return e;
    throw e;
  }
  throw new Error("expected an EsError");
}

const TEXT = { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };

describe("dynamic mapping", () => {
  test("infers ES's default types", () => {
    const m = mapDocument({}, { s: "hello", n: 3, f: 1.5, b: true, d: "2020-01-02T03:04:05Z", nil: null, arr: [null, 7], empty: [] }, "1");
    expect(m.properties).toEqual({
      arr: { type: "long" },
      b: { type: "boolean" },
      d: { type: "date" },
      f: { type: "float" },
      n: { type: "long" },
      s: TEXT,
    });
  });

  test("date detection: ISO dates, the slash format, but never pure numbers", () => {
    const m = mapDocument({}, { iso: "2015-01-01", slash: "2015/09/02", num: "2015", text: "2015-13-45" }, "1");
    expect(m.properties!.iso).toEqual({ type: "date" });
    expect(m.properties!.slash).toEqual({ type: "date", format: "yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z" });
    expect(m.properties!.num).toEqual(TEXT);
    expect(m.properties!.text).toEqual(TEXT);
  });

  test("date_detection false and numeric_detection true", () => {
    expect(mapDocument({ date_detection: false }, { d: "2015-01-01" }).properties!.d).toEqual(TEXT);
    const m = mapDocument({ numeric_detection: true }, { i: "12", x: "1.5" });
    expect(m.properties).toEqual({ i: { type: "long" }, x: { type: "float" } });
  });

  test("objects, arrays of objects and dotted names become object mappings", () => {
    const m = mapDocument({}, { user: { name: "kim", address: { zip: 123 } }, items: [{ a: 1 }, { b: "x" }], "meta.tag": "t", e: {} }, "1");
    expect(m.properties).toEqual({
      e: { type: "object" },
      items: { properties: { a: { type: "long" }, b: TEXT } },
      meta: { properties: { tag: TEXT } },
      user: { properties: { address: { properties: { zip: { type: "long" } } }, name: TEXT } },
    });
  });

  test("returns the same object when nothing changes, a new one otherwise", () => {
    const m0: Mappings = { properties: { a: { type: "long" } } };
    expect(mapDocument(m0, { a: 5 })).toBe(m0);
    const m1 = mapDocument(m0, { a: 5, b: "x" });
    expect(m1).not.toBe(m0);
    expect(m0.properties).toEqual({ a: { type: "long" } });
  });

  test("dynamic false ignores new fields, also inside objects", () => {
    const m0: Mappings = { dynamic: false, properties: { a: { type: "long" } } };
    expect(mapDocument(m0, { a: 1, b: "x", o: { c: 1 } })).toBe(m0);
  });

  test("dynamic strict rejects new fields with ES's message and location", () => {
    const e = thrown(() => mapDocument({ dynamic: "strict", properties: { a: { type: "long" } } }, { a: 1, b: "x" }, "1"));
    expect(e.type).toBe("strict_dynamic_mapping_exception");
    expect(e.status).toBe(400);
    expect(e.reason).toBe("[1:12] mapping set to strict, dynamic introduction of [b] within [_doc] is not allowed");
    const nested = thrown(() => mapDocument({ properties: { o: { dynamic: "strict", properties: {} } } }, { o: { z: 1 } }, "1"));
    expect(nested.reason).toContain("dynamic introduction of [z] within [o] is not allowed");
  });

  test("a value that does not fit its field is a document_parsing_exception", () => {
    const m: Mappings = { properties: { price: { type: "long" } } };
    const e = thrown(() => mapDocument(m, { price: "abc" }, "x"));
    expect(e.type).toBe("document_parsing_exception");
    expect(e.reason).toBe("[1:10] failed to parse field [price] of type [long] in document with id 'x'. Preview of field's value: 'abc'");
    expect(e.causedBy?.toJSON()).toEqual({ type: "illegal_argument_exception", reason: 'For input string: "abc"' });
    expect(mapDocument(m, { price: "12" })).toBe(m);
    expect(mapDocument(m, { price: 1.7 })).toBe(m);
  });

  test("type errors for booleans, dates, integers out of range and objects", () => {
    const m: Mappings = {
      properties: { b: { type: "boolean" }, d: { type: "date" }, i: { type: "integer" }, o: { properties: {} }, k: { type: "keyword" } },
    };
    expect(thrown(() => mapDocument(m, { b: "yes" }, "1")).causedBy?.reason).toBe(
      "Failed to parse value [yes] as only [true] or [false] are allowed.",
    );
    const date = thrown(() => mapDocument(m, { d: "tomorrow" }, "1"));
    expect(date.causedBy?.reason).toBe("failed to parse date field [tomorrow] with format [strict_date_optional_time||epoch_millis]");
    expect(date.causedBy?.causedBy?.type).toBe("date_time_parse_exception");
    expect(thrown(() => mapDocument(m, { i: 2 ** 31 }, "1")).causedBy?.reason).toBe("Value [2147483648] is out of range for an integer");
    expect(thrown(() => mapDocument(m, { o: 5 }, "1")).reason).toBe(
      "[1:6] object mapping for [o] tried to parse field [o] as object, but found a concrete value",
    );
    expect(thrown(() => mapDocument(m, { k: { a: 1 } }, "1")).reason).toContain("Preview of field's value: '{a=1}'");
  });

  test("ignore_malformed accepts bad values", () => {
    const m: Mappings = { properties: { n: { type: "long", ignore_malformed: true } } };
    expect(mapDocument(m, { n: "abc" })).toBe(m);
  });
});

describe("validateMappings", () => {
  test("normalises dotted names and sorts properties", () => {
    const m = validateMappings({ properties: { z: { type: "keyword" }, "a.b": { type: "long" } }, _meta: { owner: "me" } });
    expect(m).toEqual({ _meta: { owner: "me" }, properties: { a: { properties: { b: { type: "long" } } }, z: { type: "keyword" } } });
    expect(Object.keys(m.properties!)).toEqual(["a", "z"]);
  });

  test("unknown type", () => {
    const e = thrown(() => validateMappings({ properties: { y: { type: "strang" } } }));
    expect(e.type).toBe("mapper_parsing_exception");
    expect(e.reason).toBe("No handler for type [strang] declared on field [y]");
    const wrapped = thrown(() => validateMappings({ properties: { y: { type: "strang" } } }, "createIndex"));
    expect(wrapped.reason).toBe("Failed to parse mapping: No handler for type [strang] declared on field [y]");
    expect(wrapped.causedBy?.reason).toBe("No handler for type [strang] declared on field [y]");
  });

  test("unknown parameters, root keys and analyzers", () => {
    expect(thrown(() => validateMappings({ properties: { k: { type: "keyword", foo: 1 } } })).reason).toBe(
      "unknown parameter [foo] on mapper [k] of type [keyword]",
    );
    expect(thrown(() => validateMappings({ foo: "bar" })).reason).toBe("Root mapping definition has unsupported parameters:  [foo : bar]");
    expect(thrown(() => validateMappings({ properties: { t: { type: "text", analyzer: "nope" } } })).reason).toBe(
      "analyzer [nope] has not been configured in mappings",
    );
    expect(thrown(() => validateMappings({ properties: { s: { type: "scaled_float" } } })).reason).toBe(
      "Field [scaling_factor] is required",
    );
  });

  test("known types es-sim does not implement are refused explicitly", () => {
    const e = thrown(() => validateMappings({ properties: { v: { type: "dense_vector" } } }));
    expect(e.reason).toContain("es-sim does not support field type [dense_vector]");
    expect(thrown(() => validateMappings({ properties: { t: { type: "text", copy_to: "x" } } })).reason).toContain("copy_to");
  });

  test("accepts every common type", () => {
    for (const type of [
      "text",
      "keyword",
      "long",
      "integer",
      "short",
      "byte",
      "double",
      "float",
      "half_float",
      "date",
      "boolean",
      "ip",
      "geo_point",
      "flattened",
      "nested",
      "object",
    ]) {
      expect(() => validateMappings({ properties: { f: { type } } })).not.toThrow();
    }
  });
});

describe("mergeMappings", () => {
  const base = validateMappings({
    properties: { n: { type: "long" }, t: { type: "text" }, o: { properties: { a: { type: "keyword" } } } },
    _meta: { v: 1 },
  });

  test("adds fields, merges objects and replaces _meta wholesale", () => {
    const m = mergeMappings(base, { properties: { k: { type: "keyword" }, o: { properties: { b: { type: "long" } } } }, _meta: { w: 2 } });
    expect(m.properties!.k).toEqual({ type: "keyword" });
    expect(m.properties!.o.properties).toEqual({ a: { type: "keyword" }, b: { type: "long" } });
    expect(m._meta).toEqual({ w: 2 });
    expect(base.properties!.k).toBeUndefined();
  });

  test("type changes are refused", () => {
    const e = thrown(() => mergeMappings(base, { properties: { n: { type: "text" } } }));
    expect(e.type).toBe("illegal_argument_exception");
    expect(e.reason).toBe("mapper [n] cannot be changed from type [long] to [text]");
    expect(thrown(() => mergeMappings(base, { properties: { o: { type: "long" } } })).reason).toBe(
      "can't merge a non object mapping [o] with an object mapping",
    );
  });

  test("non-updatable parameters conflict, updatable ones change", () => {
    const e = thrown(() => mergeMappings(base, { properties: { t: { type: "text", analyzer: "simple" } } }));
    expect(e.reason).toBe(
      "Mapper for [t] conflicts with existing mapper:\n\tCannot update parameter [analyzer] from [standard] to [simple]",
    );
    const m = mergeMappings(base, { properties: { t: { type: "text", fields: { raw: { type: "keyword" } } } } });
    expect(m.properties!.t).toEqual({ type: "text", fields: { raw: { type: "keyword" } } });
  });
});
