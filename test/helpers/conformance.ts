/**
 * The target of the conformance suites (test/integration/sim/conformance*.test.ts): REST behaviour
 * every case expects from Elasticsearch 8.x. By default a spawned es-sim; with
 * `ES_URL=http://user:pass@host:9200` the same cases run against a real Elasticsearch (cases marked
 * `simOnly` are skipped there, each with its reason). Differences we accept are listed in
 * docs/known-gaps.md, not hidden in the cases.
 *
 * Every case uses its own index names (`conf-<run>-…`, see {@link ConformanceTarget.name}) and the
 * suite removes them at the end, so it is safe on a shared cluster; cluster settings a case touches
 * are reset with `null`.
 */
import { http as rawHttp, ndjson, spawnSim, type SpawnedSim } from "./sim";

export const ES_URL = process.env.ES_URL;
/** Cases that test es-sim-specific answers (e.g. explicit "not supported"); skipped on real ES. */
export const simOnly = ES_URL ? test.skip : test;

export interface ConformanceTarget {
  /** A name unique to this run: `conf-<run>-<s>`. */
  name(s: string): string;
  /** One request to the target, authenticated when ES_URL carries credentials. */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): ReturnType<typeof rawHttp>;
  /** `POST /_bulk{query}` with NDJSON `lines`. */
  bulk(lines: unknown[], query?: string): ReturnType<typeof rawHttp>;
  /** The target's base URL (valid once the suite's beforeAll ran). */
  base(): string;
}

/** Registers the suite's beforeAll/afterAll (spawn es-sim or use ES_URL; clean up) and returns its target. */
export function conformanceTarget(clusterName = "conformance"): ConformanceTarget {
  const run = Math.random().toString(36).slice(2, 8);
  const name = (s: string) => `conf-${run}-${s}`;
  let base = "";
  let auth: Record<string, string> = {};
  let sim: SpawnedSim | undefined;
  const req = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    rawHttp(base, method, path, body, { ...auth, ...headers });
  beforeAll(async () => {
    if (ES_URL) {
      const u = new URL(ES_URL);
      if (u.username)
        auth = {
          authorization: `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`,
        };
      u.username = "";
      u.password = "";
      base = u.toString().replace(/\/$/, "");
    } else {
      sim = await spawnSim({ clusterName });
      base = sim.url;
    }
  });
  afterAll(async () => {
    if (base) await req("DELETE", `/${name("*")}?expand_wildcards=all`).catch(() => undefined);
    await sim?.cleanup();
  });
  return {
    name,
    req,
    bulk: (lines, query = "") => req("POST", `/_bulk${query}`, ndjson(lines), { "content-type": "application/x-ndjson" }),
    base: () => base,
  };
}

/** Asserts an Elasticsearch error envelope: status, type, a root cause, and the reason when given. */
export function expectError(r: { status: number; body: any }, status: number, type: string, reason?: string | RegExp) {
  expect(r.status).toBe(status);
  expect(r.body.status).toBe(status);
  expect(r.body.error.type).toBe(type);
  expect(r.body.error.root_cause[0].type).toBeDefined();
  if (typeof reason === "string") expect(r.body.error.reason).toBe(reason);
  else if (reason) expect(r.body.error.reason).toMatch(reason);
}
