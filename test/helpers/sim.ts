/**
 * Test helpers for es-sim: `spawnSim()` runs `bin/es-sim` as a real child process on ephemeral
 * ports with a temp data dir (integration tests talk to it over real sockets); `stubSearchLibrary`
 * is a minimal search library for engine unit tests that must not depend on the real one.
 */
import type {
  Json,
  Mappings,
  RefreshBuildLike,
  SearchHits,
  SearchIndexLike,
  SearchLibrary,
  SearchRequest,
  StoredDoc,
} from "../../sim/engine/types";

export { ES_SIM_BIN, runEsSim, spawnSim, type SpawnedSim, type SpawnSimOptions } from "../../sim/spawn";

/** JSON request helper over fetch; returns status, headers and parsed body (text if not JSON). */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** NDJSON body of a bulk request from action/source objects. */
export function ndjson(lines: unknown[]): string {
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// A stub search library for engine unit tests: match_all only, no dynamic mapping.

class StubSearchIndex implements SearchIndexLike {
  readonly docs = new Map<string, StoredDoc>();
  apply(changes: Iterable<{ id: string; doc: StoredDoc | null }>): void {
    const build = this.beginRefresh(changes);
    build.step(() => false);
    build.publish();
  }
  /** Stages one change per document and makes them visible only on publish, as the real library does. */
  beginRefresh(changes: Iterable<{ id: string; doc: StoredDoc | null }>): RefreshBuildLike {
    const todo = [...changes];
    const staged: { id: string; doc: StoredDoc | null }[] = [];
    return {
      step: (enough) => {
        while (todo.length > 0) {
          staged.push(todo.shift()!);
          if (enough()) return todo.length === 0;
        }
        return true;
      },
      publish: () => {
        for (const { id, doc } of staged) {
          if (doc) this.docs.set(id, doc);
          else this.docs.delete(id);
        }
      },
    };
  }
  searchResponse(_request: SearchRequest, _mappings: Mappings, indexName: string): { hits: SearchHits } {
    const hits = [...this.docs.values()]
      .sort((a, b) => a.seqNo - b.seqNo)
      .map((d) => ({ _index: indexName, _id: d.id, _score: 1, _source: d.source }) as Json);
    return { hits: { total: { value: hits.length, relation: "eq" }, max_score: hits.length ? 1 : null, hits } };
  }
  count(): number {
    return this.docs.size;
  }
  clear(): void {
    this.docs.clear();
  }
}

/** Minimal `SearchLibrary` for unit tests. */
export const stubSearchLibrary: SearchLibrary = {
  mapDocument: (m) => m,
  checkMappingLimits: () => undefined,
  validateMappings: (m) => (m ?? {}) as Mappings,
  mergeMappings: (old, update) => ({
    ...old,
    ...(update as Mappings),
    properties: { ...(old.properties as Json), ...((update as Mappings).properties as Json) },
  }),
  SearchIndex: StubSearchIndex,
};
