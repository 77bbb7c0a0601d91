import { EsError } from "../../sim/engine/errors";
import { mapDocument, Mappings, SearchIndex, SearchParams, validateMappings } from "../../sim/engine/search";

/** A refreshed index over `docs` (ids "1", "2", … unless given), with dynamic or explicit mappings. */
export function indexOf(docs: Record<string, unknown>[], explicit?: unknown, options: { now?: number } = {}) {
  let mappings: Mappings = explicit === undefined ? {} : validateMappings(explicit);
  const stored = docs.map((source, i) => {
    const id = typeof source._id === "string" ? source._id : String(i + 1);
    const { _id, ...rest } = source;
    void _id;
    mappings = mapDocument(mappings, rest, id);
    return { id, source: rest, seqNo: i, primaryTerm: 1, version: 1 };
  });
  const index = new SearchIndex({ now: () => options.now ?? Date.UTC(2024, 0, 15, 12), indexUuid: "uuid-1", nodeId: "node-1" });
  index.apply(
    stored.map((doc) => ({ id: doc.id, doc })),
    mappings,
  );
  const search = (body: Record<string, unknown> = {}, params: SearchParams = {}) => index.search({ body, params }, mappings, "test");
  const ids = (body: Record<string, unknown> = {}, params: SearchParams = {}) => search(body, params).hits.map((h) => h._id);
  const q = (query: string, extra: SearchParams = {}) => ids({ size: 100 }, { q: query, ...extra }).sort();
  return { index, mappings, search, ids, q };
}

/** The EsError a call throws. */
export function thrown(fn: () => unknown): EsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EsError) return e;
    throw e;
  }
  throw new Error("expected an EsError");
}
