/**
 * Unit tests of the limit helpers: mapping field counting and checks (sim/engine/search/mappingLimits.ts)
 * and the body checks of sim/http/json.ts (nesting depth, strict UTF-8).
 */
import { checkMappingLimits, DEFAULT_MAPPING_LIMITS, totalFieldCount } from "../../../../sim/engine/search/mappingLimits";
import type { FieldMapping } from "../../../../sim/engine/search/mappings";
import { decodeUtf8, nestingProblem, parseJson } from "../../../../sim/http/json";

describe("mapping limits", () => {
  test("objects, leaves, multi-fields and runtime fields count; the root does not", () => {
    const m = {
      properties: { o: { properties: { a: { type: "text", fields: { kw: { type: "keyword" } } } } }, b: { type: "long" } },
      runtime: { r: { type: "keyword" } },
    };
    expect(totalFieldCount(m)).toBe(5);
  });

  test("checks run in ES's order and report the shallowest object beyond the depth", () => {
    const deep = { properties: { a: { properties: { b: { properties: { c: { type: "long" } } } } } } };
    expect(() => checkMappingLimits(deep, { ...DEFAULT_MAPPING_LIMITS, depth: 2 })).toThrow(
      "Limit of mapping depth [2] has been exceeded due to object field [a.b]",
    );
    expect(() => checkMappingLimits(deep, { ...DEFAULT_MAPPING_LIMITS, depth: 2, totalFields: 1 })).toThrow(
      "Limit of total fields [1] has been exceeded",
    );
    expect(() => checkMappingLimits(deep, DEFAULT_MAPPING_LIMITS)).not.toThrow();
  });

  test("a very deep mapping is walked without recursion", () => {
    let props: Record<string, FieldMapping> = { x: { type: "long" } };
    for (let i = 0; i < 50_000; i++) props = { o: { properties: props } };
    expect(totalFieldCount({ properties: props })).toBe(50_001);
    expect(() => checkMappingLimits({ properties: props }, { ...DEFAULT_MAPPING_LIMITS, totalFields: 1e9 })).toThrow(
      /mapping depth \[20\]/,
    );
  });
});

describe("body checks", () => {
  test("nesting depth: 1000 levels pass, 1001 fail with Jackson's text; brackets in strings do not count", () => {
    expect(nestingProblem("[".repeat(1000) + "]".repeat(1000))).toBeUndefined();
    expect(nestingProblem(`["${"[".repeat(5000)}"]`)).toBeUndefined();
    expect(nestingProblem("[".repeat(1001))).toMatchObject({
      line: 1,
      column: 1001,
      message: expect.stringMatching(/^Document nesting depth \(1001\)/),
    });
    expect(() => parseJson("[".repeat(200_000) + "]".repeat(200_000))).toThrow(/Document nesting depth \(1001\)/);
  });

  test("strict UTF-8: start and middle bytes named as Jackson does; valid text passes", () => {
    expect(decodeUtf8(Buffer.from('{"é":"✓"}'))).toEqual({ text: '{"é":"✓"}' });
    expect(decodeUtf8(Buffer.from([0x7b, 0x22, 0xff])).problem).toEqual({ line: 1, column: 3, message: "Invalid UTF-8 start byte 0xff" });
    expect(decodeUtf8(Buffer.from([0x0a, 0x22, 0xc3, 0x28])).problem).toEqual({
      line: 2,
      column: 2,
      message: "Invalid UTF-8 middle byte 0x28",
    });
    expect(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80])).problem?.message).toBe("Invalid UTF-8 middle byte 0xa0");
  });
});
